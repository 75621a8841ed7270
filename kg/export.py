"""Exports of the graph; `gold_json` writes the shape of the evaluation gold (GOLD-FORMAT.md)."""
from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.model import stable_id
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


# -- graph exports: JSONL, neo4j-admin CSV, GraphML ------------------------------------------------------------
# They stream one document at a time through the protocol (GraphML excepted: networkx builds the graph in
# memory before writing it), and share the sorted record order of `kg.snapshot`, so equal graphs give equal files.

def export_jsonl(store: GraphStore, path: str | Path) -> dict:
    """One JSONL file: Entity lines by key, then per document its Document, Passage and relationship lines, each
    FACT line with its evidence inline. Returns line counts per record label/type."""
    from kg.snapshot import dumps_line, entity_record, evidence_record, iter_groups, sorted_entities

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix=".kg-export-", dir=path.parent) as tmp, open(path, "wb") as out:
        for e in sorted_entities(store, Path(tmp)):
            out.write(dumps_line(entity_record(e)))
            counts["Entity"] = counts.get("Entity", 0) + 1
        for group in iter_groups(store):
            evidence = {f.id: evidence_record(f) for f in group.facts}
            for record in (*group.node_records(), *group.relationship_records()):
                name = record.get("label") or record["type"]
                if name == "FACT":
                    record["evidence"] = evidence[record["id"]]
                out.write(dumps_line(record))
                counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


NODE_HEADER = (
    "id:ID", ":LABEL", "key", "type", "name", "aliases:string[]", "attrs_json", "path", "content_hash", "title",
    "kind", "published", "source", "metadata_json", "document_id", "index:int", "start:int", "end:int", "page:int",
    "section", "block_kind", "text", "topic", "passage_id", "quote", "method", "confidence:float", "slots_json",
    "entity_key", "alias", "alias_lower", "reason",
)
RELATIONSHIP_HEADER = (
    ":START_ID", ":END_ID", ":TYPE", "role", "position:int", "start:int", "end:int", "surface", "method",
    "confidence:float",
)
ARRAY_DELIMITER = ";"


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_row(header: tuple[str, ...], values: dict) -> list[str]:
    """Cells in header order; a missing or None value is an empty cell, which neo4j-admin stores as no property."""
    row = []
    for column in header:
        name = column.split(":")[0] if not column.startswith(":") else column
        value = values.get(name)
        if value is None:
            row.append("")
        elif isinstance(value, list):
            row.append(ARRAY_DELIMITER.join(str(v) for v in value))
        else:
            row.append(str(value))
    return row


def _node_rows(ex) -> Iterator[dict]:
    """neo4j-admin node rows of one rebuilt document, in the property names `kg.store.neo4j_store` uses."""
    d = ex.document
    yield {"id": d.id, ":LABEL": "Document", "path": d.path, "name": d.name, "content_hash": d.content_hash,
           "title": d.title, "kind": d.kind, "published": d.published, "source": d.source,
           "metadata_json": _json(d.metadata)}
    for p in ex.passages:
        yield {"id": p.id, ":LABEL": "Passage", "document_id": p.document_id, "index": p.index, "start": p.start,
               "end": p.end, "page": p.page, "section": p.section, "block_kind": p.block_kind, "text": p.text,
               "topic": p.topic}
    for f in ex.facts:
        ev = f.evidence
        yield {"id": f.id, ":LABEL": "Fact", "kind": f.kind, "document_id": ev.document_id,
               "passage_id": ev.passage_id, "start": ev.start, "end": ev.end, "quote": ev.quote, "method": ev.method,
               "confidence": float(ev.confidence), "slots_json": _json(f.slots)}
    for a in ex.aliases:
        yield {"id": stable_id("alias", a.entity_key, a.alias, d.id), ":LABEL": "Alias", "entity_key": a.entity_key,
               "alias": a.alias, "alias_lower": a.alias.lower(), "document_id": d.id, "reason": a.reason}


def _relationship_rows(ex) -> Iterator[dict]:
    for p in ex.passages:
        yield {":START_ID": ex.document.id, ":END_ID": p.id, ":TYPE": "HAS_PASSAGE"}
    for pid, m in ex.mentions:
        yield {":START_ID": pid, ":END_ID": m.key, ":TYPE": "MENTIONS", "start": m.start, "end": m.end,
               "surface": m.text, "method": m.method, "confidence": float(m.confidence)}
    for f in ex.facts:
        yield {":START_ID": f.evidence.passage_id, ":END_ID": f.id, ":TYPE": "STATES"}
        for position, (role, key) in enumerate(f.entities):
            yield {":START_ID": f.id, ":END_ID": key, ":TYPE": "ABOUT", "role": role, "position": position}


def export_csv(store: GraphStore, folder: str | Path) -> dict:
    """`nodes.csv` and `relationships.csv` in the header format `neo4j-admin database import full` reads.

    Labels, relationship types and property names are those of `kg.store.neo4j_store`, so a bulk-loaded database
    opens with `--store neo4j://...`. Text may span lines: import with `--multiline-fields=true`.
    """
    from kg.snapshot import group_extracted, iter_groups, sorted_entities

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"nodes": 0, "relationships": 0}
    with tempfile.TemporaryDirectory(prefix=".kg-export-", dir=folder) as tmp, \
            open(folder / "nodes.csv", "w", encoding="utf-8", newline="") as nodes_file, \
            open(folder / "relationships.csv", "w", encoding="utf-8", newline="") as rels_file:
        nodes, rels = csv.writer(nodes_file), csv.writer(rels_file)
        nodes.writerow(NODE_HEADER)
        rels.writerow(RELATIONSHIP_HEADER)
        for e in sorted_entities(store, Path(tmp)):
            nodes.writerow(_csv_row(NODE_HEADER, {"id": e.key, ":LABEL": "Entity", "key": e.key, "type": e.type,
                                                  "name": e.name, "aliases": sorted(e.aliases),
                                                  "attrs_json": _json(e.attrs)}))
            counts["nodes"] += 1
        for group in iter_groups(store):
            ex = group_extracted(store, group)
            for row in _node_rows(ex):
                nodes.writerow(_csv_row(NODE_HEADER, row))
                counts["nodes"] += 1
            for row in _relationship_rows(ex):
                rels.writerow(_csv_row(RELATIONSHIP_HEADER, row))
                counts["relationships"] += 1
    return counts


def neo4j_admin_command(folder: str | Path, database: str = "neo4j") -> str:
    """The command line that bulk-loads an `export_csv` folder into an empty database."""
    folder = Path(folder)
    return (f"neo4j-admin database import full {database} --nodes={folder / 'nodes.csv'} "
            f"--relationships={folder / 'relationships.csv'} --multiline-fields=true "
            f"--array-delimiter='{ARRAY_DELIMITER}' --overwrite-destination")


def _graphml_attrs(values: dict) -> dict:
    """GraphML holds strings and numbers only: None is dropped, dicts and lists become JSON strings."""
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, (dict, list, tuple)):
            value = _json(value)
        elif isinstance(value, bool):
            value = str(value).lower()
        out[key] = value
    return out


def build_graph(store: GraphStore, passages: bool = True):
    """A networkx MultiDiGraph of documents, passages (optional), facts and entities.

    Facts are nodes linked to their entities by ABOUT edges (role, position), because a fact may involve several
    entities or one entity in two roles. Each node has `node_type` and a display `label` (what Gephi shows).
    """
    import networkx as nx

    from kg.snapshot import iter_groups

    graph = nx.MultiDiGraph()
    for e in store.entities():
        graph.add_node(e.key, **_graphml_attrs({"node_type": "Entity", "label": e.name, "key": e.key, "type": e.type,
                                                "name": e.name, "aliases": sorted(e.aliases), "attrs": e.attrs}))
    for group in iter_groups(store):
        d = group.document
        graph.add_node(d.id, **_graphml_attrs({"node_type": "Document", "label": d.title or d.name, "name": d.name,
                                               "path": d.path, "content_hash": d.content_hash, "title": d.title,
                                               "kind": d.kind, "published": d.published, "source": d.source,
                                               "metadata": d.metadata or None}))
        if passages:
            for p in group.passages:
                graph.add_node(p.id, **_graphml_attrs({"node_type": "Passage", "label": f"{d.name} #{p.index}",
                                                       "document_id": p.document_id, "index": p.index,
                                                       "start": p.start, "end": p.end, "text": p.text, "page": p.page,
                                                       "section": p.section, "block_kind": p.block_kind,
                                                       "topic": p.topic}))
                graph.add_edge(d.id, p.id, key="HAS_PASSAGE", type="HAS_PASSAGE", label="HAS_PASSAGE")
            for pid, key in group.mentions:
                graph.add_edge(pid, key, key="MENTIONS", type="MENTIONS", label="MENTIONS")
        else:
            for key in sorted({key for _, key in group.mentions}):
                graph.add_edge(d.id, key, key="MENTIONS", type="MENTIONS", label="MENTIONS")
        for f in group.facts:
            ev = f.evidence
            graph.add_node(f.id, **_graphml_attrs({"node_type": "Fact", "label": f.kind, "kind": f.kind,
                                                   "slots": f.slots, "document_id": ev.document_id,
                                                   "passage_id": ev.passage_id, "start": ev.start, "end": ev.end,
                                                   "quote": ev.quote, "method": ev.method,
                                                   "confidence": float(ev.confidence)}))
            source = ev.passage_id if passages else d.id
            graph.add_edge(source, f.id, key="STATES", type="STATES", label="STATES")
            for position, (role, key) in enumerate(f.entities):
                graph.add_edge(f.id, key, key=f"ABOUT:{position}", type="ABOUT", label=role, role=role,
                               position=position)
    return graph


def export_graphml(store: GraphStore, path: str | Path, passages: bool = True) -> dict:
    """GraphML that Gephi and `networkx.read_graphml` open; returns node and edge counts."""
    import networkx as nx

    graph = build_graph(store, passages=passages)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(graph, path, infer_numeric_types=True)
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
