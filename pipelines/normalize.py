"""Text normalisation with a character map back to the original, so every match keeps exact offsets.

NFKC folds subscripts and superscripts (Li₆PS₅Cl → Li6PS5Cl, cm⁻¹ → cm−1), minus and hyphen variants become
"-", curly quotes become straight ones, line breaks become spaces and words hyphenated across a line are joined.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipelines.schemas import load_schema

_SPECIAL = re.compile(r"[^\x00-\x7f]|-[ \t]*\r?\n[ \t]*|\r?\n")
_FOLD = {"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u00ad": "", "\u200b": "", "\u200c": "",
         "\u200d": "", "\ufeff": "", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00b5": "μ",
         "\u2032": "'", "\u2009": " ", "\u202f": " ", "\u00a0": " ", "\u2103": "°C"}


@dataclass(frozen=True)
class NormalizedText:
    text: str
    offsets: tuple[int, ...]  # offsets[i]: original index of text[i]; one extra entry for the end

    @classmethod
    def unchanged(cls, text: str) -> NormalizedText:
        """The text as it is: what a passage is matched on when normalisation fails on it."""
        return cls(text, tuple(range(len(text) + 1)))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _FOLD:
        return _FOLD[ch]
    out = unicodedata.normalize("NFKC", ch)
    return "".join(_FOLD.get(c, c) for c in out)


@lru_cache(maxsize=1)
def _compound_heads() -> frozenset[str]:
    return frozenset(load_schema("text")["compound_heads"])


def normalize(text: str) -> NormalizedText:
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    heads = _compound_heads()
    for m in _SPECIAL.finditer(text):
        if m.start() > pos:
            out.append(text[pos:m.start()])
            offsets.extend(range(pos, m.start()))
        token = m.group()
        if token[0] == "-" and len(token) > 1:
            nxt = re.match(r"[A-Za-z]+", text[m.end():m.end() + 30])
            keep = not nxt or not nxt.group()[0].islower() or nxt.group().lower() in heads
            if keep:
                out.append("-")
                offsets.append(m.start())
        elif token in ("\n", "\r\n"):
            out.append(" ")
            offsets.append(m.start())
        else:
            folded = _fold_char(token)
            out.append(folded)
            offsets.extend([m.start()] * len(folded))
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
        offsets.extend(range(pos, len(text)))
    offsets.append(len(text))
    return NormalizedText("".join(out), tuple(offsets))


@lru_cache(maxsize=1)
def _invariant_plurals() -> frozenset[str]:
    return frozenset(load_schema("text")["invariant_plurals"])


_PLURAL_HEAD = re.compile(r"(?<![\w\-])([a-z][a-z]+)$")


@lru_cache(maxsize=8192)
def singular(phrase: str) -> str:
    """A descriptive name with its head noun in the singular ("high-nickel cathodes" → "high-nickel cathode"), so
    that the singular and plural of one thing are one entity; capitalised heads (names, acronyms) stay as written."""
    m = _PLURAL_HEAD.search(phrase)
    if not m or len(m.group(1)) < 4 or m.group(1) in _invariant_plurals():
        return phrase
    head = m.group(1)
    if head.endswith("ies"):
        head = head[:-3] + "y"
    elif head.endswith(("sses", "shes", "ches", "xes")):
        head = head[:-2]
    elif head.endswith("s") and not head.endswith(("ss", "us", "is")):
        head = head[:-1]
    return phrase[:m.start(1)] + head


@lru_cache(maxsize=1)
def _spelling_pattern() -> tuple[re.Pattern, dict[str, str]]:
    variants = load_schema("text")["spelling_variants"]
    return re.compile(r"(?i)(" + "|".join(sorted(map(re.escape, variants), key=len, reverse=True)) + ")"), variants


def canonical_spelling(text: str) -> str:
    """One spelling for words the field writes two ways ("sulphide" → "sulfide"), so descriptions compare equal."""
    pattern, variants = _spelling_pattern()
    return pattern.sub(lambda m: _same_case(m.group(), variants[m.group().lower()]), text)


def spelling_forms(text: str) -> set[str]:
    """The text in both spellings of the field's variant words, so a lexicon written with one finds the other."""
    pattern, variants = _spelling_pattern()
    canonical = canonical_spelling(text)
    forms = {text, canonical}
    for variant, standard in variants.items():
        if re.search(standard, canonical, re.IGNORECASE):
            forms.add(re.sub(standard, lambda m: _same_case(m.group(), variant), canonical, flags=re.IGNORECASE))
    return forms


def _same_case(written: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if written[:1].isupper() else replacement
