"""In-document abbreviation definitions, "long form (SF)", after Schwartz & Hearst (2003).

The short form must start with a letter and contain one; the long form is the run of preceding words whose
initials spell the short form ("Cell Manufacturing Competence Center (CMCC)"), else the shortest run whose
characters cover its letters in order, the first letter starting a word.
"""
from __future__ import annotations

import re

_PAREN = re.compile(r"\(([^()]{2,12})\)")


def _matches(short: str, long: str) -> bool:
    s, l = len(short) - 1, len(long) - 1
    while s >= 0:
        ch = short[s].lower()
        if not ch.isalnum():
            s -= 1
            continue
        while l >= 0 and (long[l].lower() != ch or (s == 0 and l > 0 and long[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return False
        s, l = s - 1, l - 1
    return True


_MINOR_WORDS = frozenset({"of", "and", "the", "for", "&", "in", "on", "de", "du", "des", "la", "le", "und", "der"})


def _initials_run(short: str, words: list[re.Match]) -> int | None:
    """How many of the last words spell the short form by their initials (minor words may stand between)."""
    letters = [c.lower() for c in short if c.isalpha()]
    if len(letters) < 2 or len(letters) != sum(c.isalnum() for c in short):
        return None
    n = 0
    while letters and n < len(words):
        n += 1
        word = words[-n].group()
        parts = [p for p in re.split(r"[\-/]", word) if p]
        if word.lower() in _MINOR_WORDS and n > 1:
            continue
        if not parts:
            return None  # a bare dash or slash ("Anode -- (AX)") spells nothing
        initials = [p[0].lower() for p in parts]
        if letters[-len(initials):] == initials:
            del letters[-len(initials):]
        elif letters[-1] == initials[0] and len(parts) > 1 and len(letters) == 1:
            letters.pop()
        else:
            return None
    return n if not letters else None


def find_definitions(text: str) -> list[tuple[int, int, str, int, int, str]]:
    """(long_start, long_end, long_form, short_start, short_end, short_form) for each definition."""
    out = []
    for m in _PAREN.finditer(text):
        short = m.group(1).strip()
        if not (short[:1].isalpha() and any(c.isupper() for c in short) and 2 <= len(short) <= 10
                and len(short.split()) <= 2):
            continue
        before = text[:m.start()].rstrip()
        words = list(re.finditer(r"[\w\-/+]+", before))
        limit = min(len(short) + 5, len(short) * 2)
        spelled = _initials_run(short, words)
        if spelled is not None:
            first = words[-spelled]
            out.append((first.start(), len(before), before[first.start():], m.start(1), m.start(1) + len(short),
                        short))
            continue
        for n in range(1, min(limit, len(words)) + 1):
            first = words[-n]
            candidate = before[first.start():]
            if first.group()[0].lower() == short[0].lower() and _matches(short, candidate):
                if len(candidate) > len(short):
                    out.append((first.start(), len(before), candidate, m.start(1), m.start(1) + len(short), short))
                break
    return out


_REVERSED = re.compile(r"(?<![\w-])([A-Z][A-Za-z0-9\-]{1,9})\s+\(([^()]{4,80})\)")


def find_reversed_definitions(text: str) -> list[tuple[int, int, str, int, int, str]]:
    """"SF (long form)", as in "ALD (atomic layer deposition)"; same tuple shape as `find_definitions`."""
    out = []
    for m in _REVERSED.finditer(text):
        short, long = m.group(1), m.group(2).strip()
        if sum(c.isupper() for c in short) >= 2 and long[0].lower() == short[0].lower() and _matches(short, long):
            out.append((m.start(2), m.start(2) + len(long), long, m.start(1), m.end(1), short))
    return out
