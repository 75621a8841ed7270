"""Where a view's row comes from: the quote and the document behind each fact, in one shape for every view.

Analysts judge a claim by its source, so every view row carries `Source`s rather than bare values.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from kg.model import Document, Fact
from kg.store.protocol import GraphStore


@dataclass(frozen=True)
class Source:
    document: str
    document_id: str
    kind: str
    published: str | None
    quote: str
    start: int
    end: int
    fact_id: str

    def to_dict(self) -> dict:
        return asdict(self)


def documents_by_id(store: GraphStore) -> dict[str, Document]:
    return {d.id: d for d in store.documents()}


def source_of(fact: Fact, documents: dict[str, Document]) -> Source:
    ev = fact.evidence
    doc = documents.get(ev.document_id)
    return Source(document=doc.name if doc else ev.document_id, document_id=ev.document_id,
                  kind=doc.kind if doc else "unknown", published=doc.published if doc else None,
                  quote=ev.quote, start=ev.start, end=ev.end, fact_id=fact.id)


def role_key(fact: Fact, role: str) -> str | None:
    """The entity key filling `role` in the fact, if the extractor linked one."""
    return next((key for r, key in fact.entities if r == role and key), None)


def resolve_names(store: GraphStore, names: list[str], type: str | None = None) -> set[str]:
    """Entity keys for user-typed names: names and aliases in the graph, then legal names the gazetteer knows."""
    from pipelines.entities.gazetteer import domain_gazetteer

    keys: set[str] = set()
    for name in names:
        found = store.find_entities(name, type=type, limit=5)
        if not found:
            text = name.strip()
            canonical = [h.entry.name for h in domain_gazetteer().find(text)
                         if h.start == 0 and h.end == len(text) and (type is None or h.entry.type == type)]
            found = [e for c in canonical for e in store.find_entities(c, type=type, limit=1)]
        keys.update(e.key for e in found)
    return keys
