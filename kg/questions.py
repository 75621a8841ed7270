"""Questions → intents with slots, deterministically (no LLM).

Slots are read with the same normalisation and lexicons as documents: entities the question names (linked to
graph entities through names and aliases, formulas included), chemistry class, line stage, years, quantity
kind, event category, organisation type and a numeric threshold. The intent comes from patterns in
schemas/intents.yaml; when none fits, from embedding similarity to the intents' example questions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.model import Entity
from kg.store.cached import entity_of
from kg.store.protocol import GraphStore
from pipelines.normalize import normalize
from pipelines.schemas import load_schema

_YEAR = re.compile(r"\b(19[89]\d|20[0-6]\d)\b")


@dataclass
class Question:
    text: str
    intent: str
    answer_type: str
    entities: list[Entity] = field(default_factory=list)
    chemistry: str | None = None
    stages: list[str] = field(default_factory=list)  # every stage named ("pilot or demonstration lines")
    years: list[int] = field(default_factory=list)
    quantity: str | None = None
    measure: dict | None = None  # a measure with no spec kind of its own ("capacity retention": % and its words)
    categories: list[str] = field(default_factory=list)
    org_type: str | None = None
    nature: str | None = None  # partnership nature the question asks about ("invested in" → investment)
    threshold: tuple[float, str] | None = None  # (value, unit) for "… 400 Wh/kg or more"
    keywords: list[str] = field(default_factory=list)
    matched_by: str = "pattern"

    @property
    def stage(self) -> str | None:
        """The first stage the question names."""
        return self.stages[0] if self.stages else None

    def of_type(self, *types: str) -> list[Entity]:
        return [e for e in self.entities if e.type in types]


@lru_cache(maxsize=1)
def _intents() -> list[dict]:
    return load_schema("intents")["intents"]


@lru_cache(maxsize=64)
def _pattern(expression: str) -> re.Pattern:
    return re.compile(expression, re.IGNORECASE)


def _cue_table(*path: str) -> dict:
    data = load_schema("cues")
    for key in path:
        data = data[key]
    return data


def _find_all(text: str, phrases) -> list[str]:
    from pipelines.extractors.cues import find

    return [hit[2] for hit in find(text, phrases)]


_ANY_PARTNER = re.compile(r"\b(?:partner(?:s|ed|ing|ship|ships)?|collaborat\w*|work(?:s|ed|ing)? with)\b", re.I)


def _nature(text: str) -> str | None:
    """The kind of partnership asked about ("invested in" → investment); none when the question also asks about
    partners in general ("partnered with or invested in")."""
    if _ANY_PARTNER.search(text):
        return None
    return next((n for n in _labels(text, _cue_table("partnership", "natures")) if n != "other"), None)


def _labels(text: str, table: dict[str, list[str]]) -> list[str]:
    return [label for label, phrases in table.items() if _find_all(text, phrases)]


def link_entities(store: GraphStore, text: str) -> list[Entity]:
    """Entities the question names: lexicon and formula mentions first, then store names and aliases."""
    from pipelines.entities.mentions import DocumentLexicon, find_candidates, resolve_overlaps, entity_key

    found: dict[str, Entity] = {}
    for cand in resolve_overlaps(find_candidates(text, DocumentLexicon())):
        attrs = dict(cand.attrs)
        if cand.type == "Material" and attrs.get("formula") and not attrs.get("reduced_formula"):
            from pipelines.entities.formulas import parse_formula, reduced_formula

            atoms = parse_formula(attrs["formula"])
            attrs["reduced_formula"] = reduced_formula(atoms) if atoms else None
        key = entity_key(cand.type, cand.name, attrs)
        entity = entity_of(store, key)
        if entity is None:
            matches = store.find_entities(text[cand.start:cand.end], type=cand.type, limit=1)
            entity = matches[0] if matches else Entity(key=key, type=cand.type, name=cand.name, attrs=attrs)
        found.setdefault(entity.key, entity)
    from pipelines.entities.gazetteer import demonym_places

    for demonym, place in demonym_places().items():
        if re.search(rf"(?<![\w\-]){re.escape(demonym)}(?![\w\-])", text):
            key = entity_key("Location", place, {})
            found.setdefault(key, entity_of(store, key) or Entity(key=key, type="Location", name=place))
    for word in re.findall(r"[A-Z][\w&\-]+(?:\s+[A-Z][\w&\-]+)*", text):
        if word.split()[0] in {"Which", "What", "Who", "When", "How", "Where"} or word.lower() in found:
            continue
        for entity in store.find_entities(word, limit=1):
            if entity.name.lower() == word.lower() or word.lower() in (a.lower() for a in entity.aliases):
                found.setdefault(entity.key, entity)
    return list(found.values())


def _threshold(text: str) -> tuple[float, str] | None:
    from pipelines.quantities import find_quantities

    if not re.search(r"\b(or more|or higher|or above|and above|or greater|at least|above|over|more than|exceeding|"
                     r"greater than|beyond)\b|\+", text, re.I):
        return None
    quantities = [q for q in find_quantities(text) if q.unit]
    return (quantities[0].value, quantities[0].unit) if quantities else None


def _keywords(text: str) -> list[str]:
    stop = set(load_schema("intents")["stopwords"])
    return [w for w in re.findall(r"[a-z0-9][a-z0-9\-]+", text.lower()) if w not in stop and not _YEAR.fullmatch(w)]


def classify(text: str) -> tuple[dict, str]:
    for intent in _intents():
        if any(_pattern(p).search(text) for p in intent["patterns"]):
            return intent, "pattern"
    return _nearest_intent(text), "embedding"


def _nearest_intent(text: str) -> dict:
    """The intent whose example questions are closest in MiniLM embedding space."""
    try:
        from kg.embeddings import embed
    except ImportError:
        return {"name": "search", "answer": "Organization"}
    examples = [(intent, ex) for intent in _intents() for ex in intent.get("examples", [])]
    vectors = embed([text] + [ex for _, ex in examples])
    scores = vectors[1:] @ vectors[0]
    best = int(scores.argmax())
    if float(scores[best]) < 0.45:
        return {"name": "search", "answer": "Organization"}
    return examples[best][0]


def parse_question(store: GraphStore, question: str) -> Question:
    text = normalize(question.strip()).text
    intent, how = classify(text)
    answer_type = intent["answer"]
    if re.search(r"\bwhich (vehicles?|cars?|models?)\b", text, re.I):
        answer_type = "Product"
    elif intent["name"] == "vehicles" and any(_pattern(p).search(text)
                                              for p in load_schema("intents")["maker_questions"]):
        answer_type = "Organization"
    org_types = _labels(text, load_schema("intents")["org_types"])
    measure = next((m for m in load_schema("intents")["measures"] if _find_all(text, m["phrases"])), None)
    return Question(
        text=text, intent=intent["name"], answer_type=answer_type, entities=link_entities(store, text),
        chemistry=(_labels(text, _cue_table("chemistry")) or [None])[0],
        stages=_labels(text, _cue_table("production_line", "stages")),
        years=[int(y) for y in _YEAR.findall(text)],
        quantity=None if measure else (_labels(text, load_schema("intents")["quantities"]) or [None])[0],
        measure=measure,
        categories=_labels(text, _cue_table("milestone", "categories")),
        org_type=org_types[0] if org_types else None,
        nature=_nature(text),
        threshold=_threshold(text), keywords=_keywords(text), matched_by=how)
