"""GraphStore on a Neo4j 5 server, for teams that want a shared graph and Neo4j Browser / Bloom on top.

Behaviour follows `kg.store.embedded` (the reference): one write transaction per document, content-derived keys,
entities kept while any alias, mention or fact of a remaining document supports them. All Cypher lives in
`kg.store.cypher`; this module only moves typed records in and out of it.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import neo4j
import numpy as np
from neo4j import GraphDatabase, ManagedTransaction

from kg.model import Document, Entity, Evidence, ExtractedDocument, Fact, Passage, stable_id
from kg.store import cypher
from kg.store.protocol import iter_batches, text_hash

log = logging.getLogger(__name__)

BATCH_SIZE = 500
EMBEDDING_MODEL_STATE = "embedding_model"
INDEX_TIMEOUT_SECONDS = 300

T = TypeVar("T")

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def escape_lucene(text: str) -> str:
    """Backslash-escape Lucene query syntax so user input is searched as words, never parsed as operators."""
    return _LUCENE_SPECIAL.sub(r"\\\1", text)


def fulltext_query(text: str) -> str:
    """Any-word Lucene query for `text`; lower-cased so AND/OR/NOT typed by a user are words, not operators."""
    if not re.search(r"\w", text):
        return ""
    return " ".join(escape_lucene(token) for token in text.lower().split())


def merge_attrs(old: dict, new: dict) -> dict:
    """Attribute merge of the embedded store: values already known win, new ones only fill gaps."""
    return {**new, **{k: v for k, v in old.items() if v not in (None, "")}}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _document(d: dict) -> Document:
    return Document(id=d["id"], name=d["name"], path=d["path"], content_hash=d["content_hash"], title=d["title"],
                    kind=d["kind"], published=d["published"], source=d["source"],
                    metadata=json.loads(d["metadata_json"] or "{}"))


def _passage(p: dict) -> Passage:
    return Passage(id=p["id"], document_id=p["document_id"], index=p["index"], start=p["start"], end=p["end"],
                   text=p["text"], page=p["page"], section=p["section"], block_kind=p["block_kind"],
                   topic=p["topic"])


def _entity(e: dict, aliases: list[str]) -> Entity:
    return Entity(key=e["key"], type=e["type"], name=e["name"],
                  aliases=sorted({a for a in aliases if a is not None and a != e["name"]}),
                  attrs=json.loads(e["attrs_json"] or "{}"))


def _fact(f: dict, about: list[list]) -> Fact:
    ev = Evidence(document_id=f["document_id"], passage_id=f["passage_id"], start=f["start"], end=f["end"],
                  quote=f["quote"], method=f["method"], confidence=f["confidence"])
    entities = [(role, key) for _, role, key in sorted(about, key=lambda a: a[0])]
    return Fact(kind=f["kind"], slots=json.loads(f["slots_json"]), evidence=ev, entities=entities, id=f["id"])


class Neo4jStore:
    """GraphStore over the official `neo4j` driver; constraints and indexes are created on first use."""

    def __init__(self, uri: str, user: str = "neo4j", password: str = "", database: str | None = None):
        self.uri = uri
        self.database = database
        self._driver = GraphDatabase.driver(uri, auth=(user, password) if password else None)
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Neo4jStore({self.uri!r}, database={self.database!r})"

    # -- plumbing -----------------------------------------------------------------------------------------
    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self.database)

    def _ensure_schema(self) -> None:
        """Schema statements need their own auto-commit transactions, so they run once before any other work."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            with self._session() as session:
                for statement in cypher.SCHEMA:
                    session.run(statement).consume()
                try:
                    session.run(cypher.VECTOR_PASSAGE_EMBEDDING).consume()
                except neo4j.exceptions.Neo4jError as err:
                    log.warning("vector index not created (needs Neo4j >= 5.11): %s", err)
                session.run(cypher.AWAIT_INDEXES, {"timeout_seconds": INDEX_TIMEOUT_SECONDS}).consume()
            self._schema_ready = True

    def _read(self, work: Callable[[ManagedTransaction], T]) -> T:
        self._ensure_schema()
        with self._session() as session:
            return session.execute_read(work)

    def _write(self, work: Callable[[ManagedTransaction], T]) -> T:
        self._ensure_schema()
        with self._session() as session:
            return session.execute_write(work)

    def _records(self, query: str, parameters: dict[str, Any] | None = None) -> list[dict]:
        return self._read(lambda tx: tx.run(query, parameters or {}).data())

    @staticmethod
    def _run_batches(tx: ManagedTransaction, query: str, rows: list[dict]) -> None:
        for batch in iter_batches(rows, BATCH_SIZE):
            tx.run(query, {"rows": batch}).consume()

    # -- writes -------------------------------------------------------------------------------------------
    def document_hash(self, path: str) -> str | None:
        rows = self._records(cypher.DOCUMENT_HASH, {"path": path})
        return rows[0]["content_hash"] if rows else None

    def replace_document(self, extracted: ExtractedDocument) -> None:
        self._write(lambda tx: self._replace(tx, extracted))

    def _replace(self, tx: ManagedTransaction, ex: ExtractedDocument) -> None:
        """The whole document in one transaction; safe to retry because it re-reads what it replaces."""
        doc = ex.document
        old_ids = [r["id"] for r in tx.run(cypher.DOCUMENT_IDS, {"path": doc.path, "id": doc.id})]
        if old_ids:
            self._delete(tx, old_ids)
        self._run_batches(tx, cypher.MERGE_DOCUMENT, [{
            "id": doc.id, "path": doc.path, "name": doc.name, "content_hash": doc.content_hash,
            "title": doc.title, "kind": doc.kind, "published": doc.published, "source": doc.source,
            "metadata_json": _json(doc.metadata)}])
        self._run_batches(tx, cypher.MERGE_PASSAGES, [{
            "id": p.id, "document_id": p.document_id, "index": p.index, "start": p.start, "end": p.end,
            "page": p.page, "section": p.section, "block_kind": p.block_kind, "text": p.text, "topic": p.topic,
            "text_hash": text_hash(p.text)} for p in ex.passages])
        self._run_batches(tx, cypher.MERGE_ENTITIES, self._entity_rows(tx, ex.entities))
        self._run_batches(tx, cypher.MERGE_ALIASES, [{
            "id": stable_id("alias", a.entity_key, a.alias, doc.id), "entity_key": a.entity_key, "alias": a.alias,
            "alias_lower": a.alias.lower(), "document_id": doc.id, "reason": a.reason} for a in ex.aliases])
        self._run_batches(tx, cypher.MERGE_MENTIONS, [{
            "passage_id": pid, "entity_key": m.key, "start": m.start, "end": m.end, "surface": m.text,
            "method": m.method, "confidence": m.confidence} for pid, m in ex.mentions if m.key])
        facts = list({f.id: f for f in ex.facts}.values())
        self._run_batches(tx, cypher.MERGE_FACTS, [{
            "id": f.id, "kind": f.kind, "document_id": f.evidence.document_id, "passage_id": f.evidence.passage_id,
            "start": f.evidence.start, "end": f.evidence.end, "quote": f.evidence.quote,
            "method": f.evidence.method, "confidence": f.evidence.confidence, "slots_json": _json(f.slots)}
            for f in facts])
        self._run_batches(tx, cypher.MERGE_FACT_ENTITIES, [
            {"fact_id": f.id, "role": role, "entity_key": key, "position": i}
            for f in facts for i, (role, key) in enumerate(f.entities)])

    @staticmethod
    def _entity_rows(tx: ManagedTransaction, entities: list[Entity]) -> list[dict]:
        """Attributes merge in Python (JSON strings cannot merge in Cypher), inside the same transaction."""
        keys = list(dict.fromkeys(e.key for e in entities))
        attrs: dict[str, dict] = {}
        for batch in iter_batches(keys, BATCH_SIZE):
            for r in tx.run(cypher.ENTITY_ATTRS, {"keys": batch}):
                attrs[r["key"]] = json.loads(r["attrs_json"] or "{}")
        rows: dict[str, dict] = {}
        for e in entities:
            attrs[e.key] = merge_attrs(attrs[e.key], e.attrs) if e.key in attrs else dict(e.attrs)
            row = rows.setdefault(e.key, {"key": e.key, "type": e.type, "name": e.name})
            row["attrs_json"] = _json(attrs[e.key])
        return list(rows.values())

    @staticmethod
    def _delete(tx: ManagedTransaction, ids: list[str]) -> None:
        for query in (cypher.DELETE_FACTS, cypher.DELETE_PASSAGES, cypher.DELETE_ALIASES, cypher.DELETE_DOCUMENTS):
            tx.run(query, {"ids": ids}).consume()
        tx.run(cypher.DELETE_UNSUPPORTED_ENTITIES).consume()

    def remove_document(self, path: str) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            ids = [r["id"] for r in tx.run(cypher.DOCUMENT_IDS, {"path": path, "id": None})]
            if ids:
                self._delete(tx, ids)
            return bool(ids)

        return self._write(work)

    def clear(self) -> None:
        """Delete every node of this project's labels (other data in the database is left alone)."""
        self._write(lambda tx: tx.run(cypher.DELETE_ALL).consume())

    # -- reads --------------------------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        return [_document(r["document"]) for r in self._records(cypher.DOCUMENTS)]

    def passages(self, document_id: str) -> list[Passage]:
        return [_passage(r["passage"]) for r in self._records(cypher.PASSAGES, {"document_id": document_id})]

    def passage(self, passage_id: str) -> Passage | None:
        rows = self._records(cypher.PASSAGE, {"id": passage_id})
        return _passage(rows[0]["passage"]) if rows else None

    def entity(self, key: str) -> Entity | None:
        rows = self._records(cypher.ENTITY, {"key": key})
        return _entity(rows[0]["entity"], rows[0]["aliases"]) if rows else None

    def entities(self, type: str | None = None) -> Iterator[Entity]:
        for r in self._records(cypher.ENTITIES, {"type": type or None}):
            yield _entity(r["entity"], r["aliases"])

    def document_entities(self, document_id: str) -> list[Entity]:
        rows = self._records(cypher.DOCUMENT_ENTITIES, {"document_id": document_id})
        return [_entity(r["entity"], r["aliases"]) for r in rows]

    def find_entities(self, text: str, type: str | None = None, limit: int = 20) -> list[Entity]:
        needle = text.strip().lower()
        rows = self._records(cypher.FIND_ENTITIES_EXACT,
                             {"needle": needle, "text": text, "type": type or None, "limit": limit})
        if not rows:
            rows = self._records(cypher.FIND_ENTITIES_CONTAINING,
                                 {"needle": needle, "type": type or None, "limit": limit})
        return [_entity(r["entity"], r["aliases"]) for r in rows]

    def facts(self, kind: str | None = None, entity_key: str | None = None,
              document_id: str | None = None) -> Iterator[Fact]:
        params: dict[str, Any] = {"kind": kind or None, "document_id": document_id or None}
        if entity_key:
            rows = self._records(cypher.FACTS_ABOUT_ENTITY, {**params, "entity_key": entity_key})
        else:
            rows = self._records(cypher.FACTS, params)
        for r in rows:
            yield _fact(r["fact"], r["about"])

    def entity_passages(self, key: str, limit: int = 200) -> list[Passage]:
        return [_passage(r["passage"]) for r in self._records(cypher.ENTITY_PASSAGES, {"key": key, "limit": limit})]

    def passage_entities(self, passage_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {pid: [] for pid in passage_ids}
        for batch in iter_batches(list(dict.fromkeys(passage_ids)), BATCH_SIZE):
            for r in self._records(cypher.PASSAGE_ENTITIES, {"ids": batch}):
                if r["key"] not in out[r["id"]]:
                    out[r["id"]].append(r["key"])
        return out

    def neighbours(self, key: str) -> list[tuple[str, str, str]]:
        return [(r["fact_id"], r["role"], r["key"]) for r in self._records(cypher.NEIGHBOURS, {"key": key})]

    def search_text(self, query: str, limit: int = 10) -> list[tuple[Passage, float]]:
        lucene = fulltext_query(query)
        if not lucene:
            return []
        rows = self._records(cypher.SEARCH_TEXT, {"query": lucene, "limit": limit})
        return [(_passage(r["passage"]), float(r["score"])) for r in rows]

    def stats(self) -> dict:
        def work(tx: ManagedTransaction) -> dict:
            counts = tx.run(cypher.STATS_COUNTS).single(strict=True)
            return {
                "documents": counts["documents"],
                "passages": counts["passages"],
                "entities": {r["type"]: r["n"] for r in tx.run(cypher.STATS_ENTITY_TYPES)},
                "facts": {r["kind"]: r["n"] for r in tx.run(cypher.STATS_FACT_KINDS)},
            }

        return self._read(work)

    # -- embeddings (kg.store.protocol.EmbeddingStore) -----------------------------------------------------
    def use_embedding_model(self, model_id: str) -> bool:
        """Record which model made the stored vectors; a different one drops them all. True when dropped."""
        known = self.get_state(EMBEDDING_MODEL_STATE)
        if known is not None and known.get("model") == model_id:
            return False

        def work(tx: ManagedTransaction) -> None:
            tx.run(cypher.DROP_EMBEDDINGS).consume()
            tx.run(cypher.CLEAR_PASSAGE_EMBEDDINGS).consume()
            tx.run(cypher.PUT_STATE, {"name": EMBEDDING_MODEL_STATE, "value_json": _json({"model": model_id})}).consume()

        self._write(work)
        return known is not None

    def missing_embeddings(self, limit: int | None = None) -> list[tuple[str, str]]:
        rows = self._records(cypher.MISSING_EMBEDDINGS, {"limit": limit if limit is not None else 2**62})
        return [(r["text_hash"], r["text"]) for r in rows]

    def put_embeddings(self, rows: list[tuple[str, bytes]]) -> None:
        """Vectors travel as float lists (the driver's type for a vector property), 500 per statement."""
        self._write(lambda tx: self._run_batches(tx, cypher.PUT_EMBEDDINGS, [
            {"text_hash": key, "vector": np.frombuffer(vector, dtype=np.float32).tolist()} for key, vector in rows]))

    def search_vectors(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first, from the native vector index.

        Neo4j reports cosine similarity rescaled to [0, 1] as (1 + cos) / 2; it is mapped back so scores match
        the embedded store's.
        """
        rows = self._records(cypher.SEARCH_VECTORS, {"k": k, "vector": np.asarray(vector, dtype=np.float32).tolist()})
        return [(r["id"], 2.0 * float(r["score"]) - 1.0) for r in rows]

    def get_state(self, name: str) -> dict | None:
        rows = self._records(cypher.GET_STATE, {"name": name})
        return json.loads(rows[0]["value_json"]) if rows else None

    def put_state(self, name: str, value: dict) -> None:
        self._write(lambda tx: tx.run(cypher.PUT_STATE, {"name": name, "value_json": _json(value)}).consume())

    def close(self) -> None:
        self._driver.close()
