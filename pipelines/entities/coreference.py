"""Organisations referred to without their name: "The company said …", "It is building …", "the Korean maker".

Analysts' sources state one fact over two sentences ("Solid Power opened a pilot line. The company expects …"),
so an anaphor becomes a mention of its antecedent: the organisation most recently named as a subject (not as
the object of a preposition) earlier in the document. The span keeps the anaphor's own offsets and quote, so
the fact's evidence is the sentence that states it; the entity is the antecedent.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.model import Mention
from pipelines.schemas import load_schema

_PREPOSITIONS = {"with", "to", "from", "by", "for", "via", "than", "like", "against", "versus", "vs", "including",
                 "of", "and", "or"}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    table = load_schema("detectors")["anaphora"]
    nouns = "|".join(re.escape(n) for n in sorted(table["nouns"], key=len, reverse=True))
    determiners = "|".join(table["determiners"])
    pronouns = "|".join(table["pronouns"])
    modifier = r"(?:[\w\-]+\s+){0,3}?"
    return re.compile(rf"\b(?:(?:{determiners})\s+{modifier}(?:{nouns})|(?:{pronouns}))\b(?!-)(?!\s+[A-Z])(?!')"
                      rf"|\b(?:(?:{determiners})\s+{modifier}(?:{nouns})|(?:{pronouns}))(?='s\b)")


def find_anaphors(text: str) -> list[tuple[int, int]]:
    """Spans of phrases that may refer back to an organisation; "it" only where it can be a subject."""
    out = []
    for m in _pattern().finditer(text):
        word = m.group().lower()
        if word == "it" and not _subject_position(text, m.start(), m.end()):
            continue
        out.append((m.start(), m.end()))
    return out


def _subject_position(text: str, start: int, end: int) -> bool:
    """"It is building …", "…, and it plans …": a pronoun that starts a clause and is followed by a verb phrase."""
    before = text[:start].rstrip()
    if before and before[-1] not in ".;:,\"“(" and not before.endswith((" and", " but")):
        return False
    after = text[end:end + 20]
    return re.match(r"(?:'s\s|\s+(?:is|was|has|had|will|would|plans|expects|aims|also|said|says|began|started|opened|"
                    r"announced|targets|intends|currently|now|already|then|reached|completed|\w+ed\b|\w+s\b))",
                    after) is not None and not re.match(r"\s+(?:is|was)\s+(?:expected|likely|possible|"
                                                       r"important|clear|unclear|hard|difficult|not)\b", after)


_PLACE_PREPOSITIONS = {"in", "into", "on", "at", "about"}


def _word_before(text: str, start: int) -> str | None:
    """The word before `start`, articles skipped."""
    before = re.findall(r"[\w']+", text[max(0, start - 30):start].lower())
    while before and before[-1] in ("the", "a", "an"):
        before.pop()
    return before[-1] if before else None


def is_subject(text: str, start: int) -> bool:
    """Not the object of a preposition ("partnered with X"), nor a parenthesis ("… Industry (METI)")."""
    if text[max(0, start - 3):start].rstrip().endswith("("):
        return False
    return _word_before(text, start) not in _PREPOSITIONS


def after_preposition(text: str, start: int) -> bool:
    """"invested $75 million in the company": the phrase at `start` is a preposition's object."""
    return _word_before(text, start) in (_PREPOSITIONS - {"and", "or"}) | _PLACE_PREPOSITIONS


def anaphor_mention(antecedent: Mention, text: str, start: int, end: int, offset: int) -> Mention:
    """A mention at the anaphor's place that stands for the antecedent organisation."""
    return Mention(label="Organization", text=text[start:end], start=offset + start, end=offset + end,
                   key=antecedent.key, name=antecedent.name, method="coreference",
                   confidence=round(antecedent.confidence * 0.8, 3), attrs=dict(antecedent.attrs))
