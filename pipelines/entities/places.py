"""Places no gazetteer lists, by the form of their names: administrative units ("Kanagawa Prefecture",
"Yeongtong-gu") and the sites organisations own ("the company's Chiba Complex", "the Nissan Research Center").

Analysts filter lines and plants by place, and the statistical recogniser misses most prefectures, provinces and
districts of Asian industrial towns; their names say what they are.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.schemas import load_schema

_NAME_WORD = r"[A-Z][\w'’\-]*[\w]"
# "its newly built", "Hyundai's", "their own": an owner written before what it owns
_OWNER = r"(?:\b(?:its|their|our)|['’]s)\s+(?:(?:new|newly|recently|built|opened|own|main|existing)\s+){0,3}"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    table = load_schema("detectors")["places"]
    units = "|".join(map(re.escape, table["admin_units"]))
    suffixes = "|".join(map(re.escape, table["admin_suffixes"]))
    heads = "|".join(map(re.escape, load_schema("detectors")["site_heads"]))
    unit = re.compile(rf"(?<![\w\-])((?:{_NAME_WORD}\s+){{1,3}}(?:{units}))(?![\w\-])")
    suffixed = re.compile(rf"(?<![\w\-])([A-Z][a-z]{{2,}}-(?:{suffixes}))(?![\w\-])")
    owned = re.compile(rf"{_OWNER}((?:{_NAME_WORD}\s+){{1,3}}(?:{heads}))(?![\w\-])")
    short = re.compile(rf"^(.+?)(?:\s+(?i:{units})|-(?:{suffixes}))$")
    hint = re.compile(rf"\s(?:{units})\b|-(?:{suffixes})\b")  # one cheap search before the costly patterns
    return unit, suffixed, owned, short, hint


@lru_cache(maxsize=1)
def _site_head_hint() -> re.Pattern:
    return re.compile(rf"\s(?:{'|'.join(map(re.escape, load_schema('detectors')['site_heads']))})\b")


def _stop_words() -> frozenset[str]:
    from pipelines.entities.organizations import stop_capitalised

    return stop_capitalised()


def find_admin_places(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of "<Name> Prefecture/Province/County/District/City" and "<Name>-gu/-si/-do"."""
    unit, suffixed, _, _, hint = _patterns()
    if not hint.search(text):
        return []
    out = []
    for pattern in (unit, suffixed):
        for m in pattern.finditer(text):
            words = m.group(1).split()
            while len(words) > 1 and words[0] in _stop_words():
                words.pop(0)
            if pattern is unit and len(words) < 2 or words[0] in _stop_words():
                continue
            name = " ".join(words)
            out.append((m.end(1) - len(name), m.end(1), name))
    return out


def find_owned_sites(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of a named site after its owner: "the company's Chiba Complex", "its Yasu Plant"."""
    _, _, owned, _, _ = _patterns()
    if not _site_head_hint().search(text):
        return []
    out = []
    for m in owned.finditer(text):
        words = m.group(1).split()
        if words[0] in _stop_words():
            continue
        out.append((m.start(1), m.end(1), m.group(1)))
    return out


def short_place_name(name: str) -> str | None:
    """"Sakura" for "Sakura City", "Suwon" for "Suwon-si": the town a document also writes without its unit."""
    m = _patterns()[3].match(name)
    return m.group(1) if m else None


_OWNED_BY = re.compile(_OWNER + "$")


def is_site_name(name: str, text: str, start: int, organisations: set[str]) -> bool:
    """"its newly built Uiwang Battery Research Center", "Hyundai's Namyang R&D Center", "the Nissan Research
    Center": a centre, plant or campus an organisation owns (written after its owner, or opening with the owner's
    name) is a site, a Location, not another organisation."""
    table = load_schema("detectors")
    words = name.split()
    if len(words) < 2 or words[-1] not in table["site_heads"]:
        return False
    if _OWNED_BY.search(text, max(0, start - 40), start):
        return True
    owner = next((o for o in organisations if name.startswith(o + " ") and o != name), None)
    return owner is not None and words[-1] in table["places"]["facility_heads"]
