"""Organisations that are in no gazetteer, and folding of legal names onto known ones.

Detectors, in order of trust: a legal suffix ("Philenergy Co., Ltd."), an academic head ("Tianjin University",
"Institute of Physics of the ..."), an apposition ("Guoxuan High-tech, a domestic power battery player"), a
partnering cue ("MOU with Philenergy") and a descriptor noun before the name ("energy company Tenaska"). Each
proposes a capitalised name; the caller drops it when another recogniser already claims the span.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.schemas import load_schema

_CAP = r"(?:[A-Z][\w&'.\-]*|of|the|and|for|de|du|&)"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    data = load_schema("detectors")
    suffixes = "|".join(re.escape(s) for s in sorted(data["legal_suffixes"], key=len, reverse=True))
    heads = "|".join(data["org_heads"])
    nouns = "|".join(re.escape(n) for n in data["org_nouns"])
    descriptors = "|".join(re.escape(n) for n in data["descriptor_nouns"])
    cues = "|".join(re.escape(c) for c in sorted(data["partner_cues"], key=len, reverse=True))
    affixes = "|".join(re.escape(a) for a in sorted(data["legal_affixes"], key=len, reverse=True))
    name = r"[A-Z][\w&'\-]*(?:\s+[A-Z0-9][\w&'\-]*){0,4}"
    # a registered name may carry its seat in parentheses: "QingTao (KunShan) Energy Development Co., Ltd."
    legal_name = r"[A-Z][\w&'\-]*(?:\s+(?:[A-Z0-9][\w&'\-]*|\([A-Z][\w\-]*\))){0,4}"
    return {
        "legal": re.compile(rf"\b({legal_name}(?:,?\s+(?:{suffixes}))+(?:\s+[IVX]{{1,4}}\b)?)(?=[\s,;:)]|$)"),
        "academic": re.compile(
            rf"\b((?:[A-Z][\w'\-]*\s+){{0,4}}(?:{heads})(?:[–\-][A-Z][a-z]+)?"
            rf"(?:\s+(?:of|for|and|of\s+the|for\s+the)\s+[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*)*)*)"),
        "apposition": re.compile(rf"\b({name}),\s+(?:a|an|the)\s+(?:[\w\-]+\s+){{0,4}}(?:{nouns})\b"),
        "partner": re.compile(rf"\b(?:{cues})\s+({name})"),
        # "energy company Tenaska", "medical device maker Cirtec", "transmission system operator RTE"
        "descriptor": re.compile(rf"\b(?:{descriptors})\s+({name})"),
        "legal-cjk": re.compile(rf"((?:{affixes})[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]{{2,20}}|"
                                rf"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]{{2,20}}?(?:{affixes}))"),
        "listing": re.compile(rf"^[\s\-*•]*\**({name})\**\s*\(([A-Z][\w .,/&\-]*)\)\s*\**:"),
    }


_AFTER_PLACE = re.compile(r"\b(?:in|at|near|from)\s+(?:[A-Z][\w'’\-]*\s?){1,3},\s*$")


@lru_cache(maxsize=1)
def stop_capitalised() -> frozenset[str]:
    """Capitalised words that start no name ("The", "However", "Chinese"): shared by every name detector."""
    return frozenset(load_schema("detectors")["stop_capitalised"])


@lru_cache(maxsize=8192)
def find_organizations(text: str) -> tuple[tuple[int, int, str, str, float], ...]:
    """(start, end, name, detector, confidence) for organisation candidates not found by lexicon; cached, since
    the document lexicon and the mention finder both ask for every passage."""
    out = []
    confidence = {"legal": 0.9, "legal-cjk": 0.9, "academic": 0.85, "apposition": 0.7, "partner": 0.6, "listing": 0.7,
                  "descriptor": 0.6}
    for detector, pattern in _patterns().items():
        for m in pattern.finditer(text):
            if detector == "listing" and not _is_place(m.group(2)):
                continue
            start, end = m.span(1)
            name = m.group(1)
            offset, trimmed = _trim(name) if detector != "legal-cjk" else (0, name)
            if not trimmed or trimmed.split()[0] in honorific_words():
                continue  # "together with Congressman Glenn Ivey" names a person
            if detector == "descriptor" and any(ch.isdigit() for ch in trimmed.split()[0]):
                continue
            if detector == "apposition" and _AFTER_PLACE.search(text, max(0, start - 60), start):
                continue  # "in Ergué-Gabéric, Brittany, the company presented …": a region after its town
            start += offset
            end = start + len(trimmed)
            if detector == "academic":
                trimmed = _before_title(trimmed)
                end = start + len(trimmed)
                if not _head_pattern().search(trimmed) or is_title_word_before(text, end):
                    continue
            if detector == "academic" and trimmed.split()[0] in ("Institute", "University", "Laboratory") and " " not in trimmed:
                continue
            for piece_start, piece in _split_conjoined(trimmed) if detector == "academic" else [(0, trimmed)]:
                out.append((start + piece_start, start + piece_start + len(piece), " ".join(piece.split()), detector,
                            confidence[detector]))
    units = subunit_ranges(text)
    return tuple(c for c in out if not any(a <= c[0] and c[1] <= b for a, b in units))


@lru_cache(maxsize=1)
def _subunit_pattern() -> re.Pattern:
    units = "|".join(load_schema("detectors")["org_subunits"])
    return re.compile(rf"\b(?:{units})\s+of\s+[^,;()\n]{{3,120}}?(?=,\s*(?:the\s+)?[A-Z])")


@lru_cache(maxsize=8192)
def subunit_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """"Department of Chemical and Biomolecular Engineering, University of Notre Dame": an academic unit named
    before its parent is the parent's, and no name inside it is an organisation of its own."""
    return tuple(m.span() for m in _subunit_pattern().finditer(text))


_TITLE_AFTER = re.compile(r"\s+(?:Professor|Chair|Fellow)\b")


def is_title_word_before(text: str, end: int) -> bool:
    """"Distinguished University Professor": the name is part of a person's title."""
    return _TITLE_AFTER.match(text, end) is not None


@lru_cache(maxsize=1)
def honorific_words() -> frozenset[str]:
    """Titles written before a name ("Governor", "President", "Dr.")."""
    return frozenset(load_schema("detectors")["person_honorifics"])


@lru_cache(maxsize=1)
def _title_pattern() -> re.Pattern:
    titles = sorted(honorific_words(), key=len, reverse=True)
    return re.compile(r"\s+(?:" + "|".join(re.escape(t) for t in titles) + r")\s+[A-Z]")


def title_inside(name: str) -> re.Match | None:
    """Where a title between two names starts ("University of Maryland President Darryll Pines")."""
    return _title_pattern().search(name)


def heads_a_title(text: str, end: int) -> bool:
    """"ARPA-E Director Evelyn Wang", "Toyota CEO Koji Sato": the name ending at `end` is a person's employer."""
    return _title_pattern().match(text, end) is not None


def _before_title(name: str) -> str:
    """"University of Maryland President Darryll Pines" → "University of Maryland"."""
    m = title_inside(name)
    return name[:m.start()] if m else name


@lru_cache(maxsize=1)
def _head_pattern() -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(load_schema("detectors")["org_heads"]) + r")\b")


@lru_cache(maxsize=1)
def _conjunction_pattern() -> re.Pattern:
    heads = "|".join(load_schema("detectors")["org_heads"])
    return re.compile(rf"\s+and\s+(?=(?:[A-Z][\w'\-]*\s+){{0,4}}(?:{heads})\b)")


def _split_conjoined(name: str) -> list[tuple[int, str]]:
    """"X University and Y University" is two organisations; "University of Science and Technology" is one."""
    pieces, start = [], 0
    for m in _conjunction_pattern().finditer(name):
        if _head_pattern().search(name[start:m.start()]):
            pieces.append((start, name[start:m.start()]))
            start = m.end()
    pieces.append((start, name[start:]))
    return pieces


def _is_place(text: str) -> bool:
    """"(South Korea)", "(France/Canada)": every part of the parenthesis is a known location."""
    from pipelines.entities.gazetteer import domain_gazetteer

    parts = [p.strip() for p in re.split(r"[/,&]|\band\b", text) if p.strip()]
    hits = {h.surface for h in domain_gazetteer().find(text) if h.entry.type == "Location"}
    return bool(parts) and all(p in hits for p in parts)


def _trim(name: str) -> tuple[int, str]:
    """The name without leading determiners and descriptors or trailing function words: its offset in `name` and
    its text as written there (whatever the spacing between its words)."""
    words = list(re.finditer(r"\S+", name))
    while words and (words[0].group() in stop_capitalised() or words[0].group().lower() in {"the", "of", "and"}
                     or re.fullmatch(r"[\w.]+-(?:based|headquartered|born|listed|owned|backed)", words[0].group())
                     or re.fullmatch(r"[A-Z][\w\-]*'s?", words[0].group())):
        words.pop(0)
    while words and words[-1].group().lower() in {"of", "the", "and", "for", "&"}:
        words.pop()
    if not words:
        return 0, ""
    start, end = words[0].start(), words[-1].end()
    while start < end and name[start] in " ,.'":
        start += 1
    while end > start and name[end - 1] in " ,.'":
        end -= 1
    trimmed = name[start:end]
    return (start, trimmed) if trimmed and trimmed[0].isupper() and len(trimmed) > 2 else (0, "")


@lru_cache(maxsize=1)
def _suffix_pattern() -> re.Pattern:
    data = load_schema("detectors")
    # the final dot is optional: a sentence's full stop may have taken it ("… Stellantis N.V.")
    suffixes = "|".join(re.escape(s.rstrip(".")) + r"\.?" for s in sorted(data["legal_suffixes"], key=len, reverse=True))
    affixes = "|".join(re.escape(a) for a in data["legal_affixes"])
    return re.compile(rf"(?:,?\s+(?:{suffixes}))+\s*$|^(?:{affixes})|(?:{affixes})$")


def is_organisation_name(name: str) -> bool:
    """"China Automotive Battery Innovation Alliance", "Ministry of Economy, Trade and Industry": a capitalised
    name headed by an organisation noun (the long form of an abbreviation the document defines)."""
    words = re.findall(r"[\w']+", name)
    heads = set(load_schema("detectors")["org_heads"])
    content = [w for w in words if w.lower() not in {"of", "and", "the", "for", "on", "in"}]
    return len(words) >= 2 and all(w[:1].isupper() for w in content) and bool(heads & set(words))


def fold_legal_name(name: str) -> str:
    """"Samsung SDI Co., Ltd." → "Samsung SDI", "株式会社村田製作所" → "村田製作所": the form that aliases and keys
    are compared on."""
    return _suffix_pattern().sub("", name).strip(" ,")
