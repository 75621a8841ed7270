"""People named with a role: "Sun Huajun, the CTO of ...", "the Huang Xuejie team", "Professor Jane Doe"."""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.entities.organizations import stop_capitalised
from pipelines.schemas import load_schema

_NAME = r"[A-Z][a-z]+(?:[\-'][A-Za-z]+)?(?:\s+[A-Z][a-z]+(?:[\-'][a-z]+)?){1,2}"


@lru_cache(maxsize=1)
def _patterns() -> list[re.Pattern]:
    data = load_schema("detectors")
    titles = "|".join(re.escape(t) for t in sorted(data["person_titles"], key=len, reverse=True))
    honorifics = "|".join(re.escape(h) for h in data["person_honorifics"])
    teams = "|".join(data["person_team_words"])
    return [
        re.compile(rf"\b({_NAME}),\s+(?:the\s+|a\s+|an\s+)?(?:[\w\-]+\s+)?(?:{titles})\b"),
        re.compile(rf"\b(?:{titles})\s+({_NAME})\b"),
        re.compile(rf"(?:{honorifics})\s+(?!(?:{'|'.join(map(re.escape, sorted(_title_words())))})\b)({_NAME})\b"),
        re.compile(rf"\bthe\s+({_NAME})\s+(?:{teams})\b"),
        re.compile(rf"\bthe\s+({_NAME})\s+and\s+{_NAME}\s+(?:{teams})\b"),
        re.compile(rf"\bthe\s+{_NAME}\s+and\s+({_NAME})\s+(?:{teams})\b"),
    ]


@lru_cache(maxsize=1)
def _title_words() -> frozenset[str]:
    data = load_schema("detectors")
    return frozenset(w.rstrip(".") for t in [*data["person_titles"], *data["person_honorifics"]] for w in t.split()
                     if w[:1].isupper())


_INVENTORS = re.compile(r"\b(?:Inventors?|Inventor\(s\))\s*:\s*([^\n]+)")
_LISTED_NAME = re.compile(rf"(?:^|[,;]\s*|\s+and\s+)({_NAME})(?=\s*(?:[,;(]|\s+and\s|$))")


def _labelled_names(text: str) -> list[tuple[int, int, str]]:
    """"Inventors: Xin Li, Fan Wu, William Fitzhugh": the people a patent names as its inventors (a paper's
    authors are not tracked)."""
    out = []
    for label in _INVENTORS.finditer(text):
        start = label.start(1)
        for m in _LISTED_NAME.finditer(label.group(1)):
            out.append((start + m.start(1), start + m.end(1), m.group(1)))
    return out


@lru_cache(maxsize=8192)
def find_persons(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, name) of people named with a role; cached like `find_organizations`."""
    out = _labelled_names(text)
    for pattern in _patterns():
        for m in pattern.finditer(text):
            name = m.group(1)
            if name.split()[0] in stop_capitalised() or any(w in _title_words() for w in name.split()):
                continue  # "Chief Executive Officer Dr. Siva Sivaram": a title is never part of the name
            out.append((m.start(1), m.end(1), name))
    return tuple(out)
