"""Read-side views over the store protocol, shared by the CLI and the explorer."""
from __future__ import annotations

from kg.store.protocol import GraphStore


def entity_card(store: GraphStore, text: str) -> dict | None:
    """An entity with aliases and facts (quote and source each); None when nothing matches `text`."""
    matches = store.find_entities(text)
    if not matches:
        return None
    entity = matches[0]
    names = {d.id: d.name for d in store.documents()}
    facts = [{"id": f.id, "kind": f.kind, "slots": f.slots, "quote": f.evidence.quote,
              "document": names.get(f.evidence.document_id, f.evidence.document_id), "start": f.evidence.start,
              "end": f.evidence.end, "method": f.evidence.method, "confidence": f.evidence.confidence}
             for f in store.facts(entity_key=entity.key)]
    return {"key": entity.key, "name": entity.name, "type": entity.type, "aliases": entity.aliases,
            "attrs": entity.attrs, "facts": facts,
            "other_matches": [{"key": e.key, "name": e.name, "type": e.type} for e in matches[1:10]]}
