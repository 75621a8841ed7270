"""Exports of the graph; `gold_json` writes the shape of the evaluation gold (GOLD-FORMAT.md)."""
from __future__ import annotations

from kg.store.protocol import GraphStore


def gold_json(store: GraphStore) -> dict:
    """{"documents": [{"file", "kind", "title", "published", "entities", "facts"}]}, one entry per document."""
    documents = []
    for doc in store.documents():
        entities = []
        for e in store.document_entities(doc.id):
            item = {"type": e.type, "name": e.name, "aliases": e.aliases}
            if e.type == "Material":
                item["class"] = e.attrs.get("class", "other")
                item["role"] = e.attrs.get("role", "other")
            entities.append(item)
        facts = [{"kind": f.kind, **f.slots, "evidence": f.evidence.quote, "confidence": f.evidence.confidence,
                  "method": f.evidence.method} for f in store.facts(document_id=doc.id)]
        documents.append({"file": doc.name, "kind": doc.kind, "title": doc.title, "published": doc.published,
                          "entities": entities, "facts": facts})
    return {"documents": documents}
