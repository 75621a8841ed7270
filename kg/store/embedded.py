"""The default store: one SQLite file in WAL mode.

Why SQLite: ACID per document, readers never block the ingest writer, opens instantly on every laptop OS,
FTS5 gives keyword search, and embeddings live in the same file so a document commits as one unit.
Graph analytics run in networkx over projections read from here (see `kg.graph`).
"""
from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model import Document, Entity, Evidence, ExtractedDocument, Fact, Passage
from kg.store.cached import cached
from kg.store.protocol import text_hash

if TYPE_CHECKING:
    import numpy as np

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, path TEXT UNIQUE NOT NULL, name TEXT, content_hash TEXT, title TEXT, kind TEXT,
    published TEXT, source TEXT, metadata TEXT);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY, document_id TEXT NOT NULL, idx INTEGER, start INTEGER, end INTEGER, page INTEGER,
    section TEXT, block_kind TEXT, text TEXT, topic TEXT);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(text, content='passages', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS passages_ai AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, text) VALUES (new.rowid, new.text); END;
CREATE TRIGGER IF NOT EXISTS passages_ad AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END;
CREATE TABLE IF NOT EXISTS entities (key TEXT PRIMARY KEY, type TEXT, name TEXT, attrs TEXT);
CREATE INDEX IF NOT EXISTS entities_type ON entities(type);
CREATE TABLE IF NOT EXISTS aliases (
    entity_key TEXT, alias TEXT, alias_lower TEXT, document_id TEXT, reason TEXT,
    PRIMARY KEY (entity_key, alias, document_id));
CREATE INDEX IF NOT EXISTS aliases_lower_entity ON aliases(alias_lower, entity_key);
CREATE INDEX IF NOT EXISTS aliases_doc ON aliases(document_id);
CREATE TABLE IF NOT EXISTS mentions (
    passage_id TEXT, document_id TEXT, entity_key TEXT, start INTEGER, end INTEGER, surface TEXT,
    method TEXT, confidence REAL);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_key);
CREATE INDEX IF NOT EXISTS mentions_passage ON mentions(passage_id);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(document_id);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT PRIMARY KEY, kind TEXT, document_id TEXT, passage_id TEXT, start INTEGER, end INTEGER, quote TEXT,
    method TEXT, confidence REAL, slots TEXT);
CREATE INDEX IF NOT EXISTS facts_kind ON facts(kind);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(document_id);
CREATE TABLE IF NOT EXISTS fact_entities (fact_id TEXT, role TEXT, entity_key TEXT);
CREATE INDEX IF NOT EXISTS fact_entities_fact ON fact_entities(fact_id);
CREATE INDEX IF NOT EXISTS fact_entities_entity ON fact_entities(entity_key);
CREATE INDEX IF NOT EXISTS facts_passage ON facts(passage_id);
CREATE TABLE IF NOT EXISTS embeddings (text_hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS passage_vectors (passage_id TEXT PRIMARY KEY, text_hash TEXT NOT NULL, embedded INTEGER);
CREATE INDEX IF NOT EXISTS passage_vectors_hash ON passage_vectors(text_hash);
CREATE INDEX IF NOT EXISTS passage_vectors_todo ON passage_vectors(passage_id) WHERE embedded IS NULL;
CREATE TRIGGER IF NOT EXISTS passages_vectors_ai AFTER INSERT ON passages BEGIN
    INSERT OR REPLACE INTO passage_vectors VALUES (new.id, '', NULL); END;
CREATE TRIGGER IF NOT EXISTS passages_vectors_ad AFTER DELETE ON passages BEGIN
    DELETE FROM passage_vectors WHERE passage_id = old.id; END;
CREATE VIRTUAL TABLE IF NOT EXISTS passages_vocab USING fts5vocab(passages_fts, 'row');
"""


def _lower(text: str | None) -> str | None:
    """SQLite's lower() folds ASCII only; names like "Älmhult" must match the Python-lowered needle."""
    return text.lower() if text is not None else None


def _fts_term(word: str) -> str:
    """A word as the unicode61 tokenizer (remove_diacritics 2) indexes it."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))


class EmbeddedStore:
    """GraphStore over SQLite; `path` is a folder (created on first use) holding `graph.sqlite`."""

    def __init__(self, path: str | Path):
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "graph.sqlite"
        self.conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.create_function("py_lower", 1, _lower, deterministic=True)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        # checkpoint every ~40 MB of WAL, not SQLite's 4 MB: an ingest rewrites the same FTS and index pages in
        # every document's transaction, and each checkpoint copies them again (−20 % store CPU on `kg bench`)
        self.conn.execute("PRAGMA wal_autocheckpoint=10000")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self._add_missing_columns()
        self.conn.executescript(_SCHEMA)
        self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.root)!r})"

    def _add_missing_columns(self) -> None:
        """A store written by an older version gains the columns this version's schema adds (as NULLs)."""
        for table, body in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\);", _SCHEMA, re.S):
            existing = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            if not existing:
                continue
            for column in re.split(r",\s*(?![^()]*\))", body):
                parts = column.split()
                if parts and parts[0] not in existing and parts[0].upper() not in ("PRIMARY", "UNIQUE", "FOREIGN"):
                    self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {parts[0]} {parts[1] if len(parts) > 1 else ''}")

    # -- writes -------------------------------------------------------------------------------------------
    def document_hash(self, path: str) -> str | None:
        row = self.conn.execute("SELECT content_hash FROM documents WHERE path = ?", (path,)).fetchone()
        return row["content_hash"] if row else None

    def replace_document(self, extracted: ExtractedDocument) -> None:
        c = self.conn
        doc = extracted.document
        c.execute("BEGIN IMMEDIATE")
        try:
            old = c.execute("SELECT id FROM documents WHERE path = ? OR id = ?", (doc.path, doc.id)).fetchall()
            for row in old:
                self._delete_document_rows(row["id"])
            c.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                (doc.id, doc.path, doc.name, doc.content_hash, doc.title, doc.kind, doc.published, doc.source,
                 json.dumps(doc.metadata, ensure_ascii=False, sort_keys=True)),
            )
            c.executemany(
                "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(p.id, p.document_id, p.index, p.start, p.end, p.page, p.section, p.block_kind, p.text, p.topic)
                 for p in extracted.passages],
            )
            for e in extracted.entities:
                self._upsert_entity(e)
            c.executemany(
                "INSERT OR IGNORE INTO aliases VALUES (?,?,?,?,?)",
                [(a.entity_key, a.alias, a.alias.lower(), doc.id, a.reason) for a in extracted.aliases],
            )
            c.executemany(
                "INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?)",
                [(pid, doc.id, m.key, m.start, m.end, m.text, m.method, m.confidence)
                 for pid, m in extracted.mentions if m.key],
            )
            for f in extracted.facts:
                ev = f.evidence
                c.execute(
                    "INSERT OR REPLACE INTO facts VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (f.id, f.kind, ev.document_id, ev.passage_id, ev.start, ev.end, ev.quote, ev.method,
                     ev.confidence, json.dumps(f.slots, ensure_ascii=False, sort_keys=True)),
                )
                c.execute("DELETE FROM fact_entities WHERE fact_id = ?", (f.id,))
                c.executemany("INSERT INTO fact_entities VALUES (?,?,?)", [(f.id, r, k) for r, k in f.entities])
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _upsert_entity(self, e: Entity) -> None:
        row = self.conn.execute("SELECT attrs FROM entities WHERE key = ?", (e.key,)).fetchone()
        if row is None:
            self.conn.execute("INSERT INTO entities VALUES (?,?,?,?)",
                              (e.key, e.type, e.name, json.dumps(e.attrs, ensure_ascii=False, sort_keys=True)))
            return
        attrs = json.loads(row["attrs"])
        merged = {**e.attrs, **{k: v for k, v in attrs.items() if v not in (None, "")}}
        if merged != attrs:
            self.conn.execute("UPDATE entities SET attrs = ? WHERE key = ?",
                              (json.dumps(merged, ensure_ascii=False, sort_keys=True), e.key))

    def _delete_document_rows(self, doc_id: str) -> None:
        c = self.conn
        c.execute("DELETE FROM fact_entities WHERE fact_id IN (SELECT id FROM facts WHERE document_id = ?)",
                  (doc_id,))
        for table in ("facts", "mentions", "aliases", "passages"):
            c.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc_id,))
        c.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        c.execute("DELETE FROM entities WHERE key NOT IN (SELECT entity_key FROM aliases WHERE entity_key NOTNULL) "
                  "AND key NOT IN (SELECT entity_key FROM mentions WHERE entity_key NOTNULL) "
                  "AND key NOT IN (SELECT entity_key FROM fact_entities WHERE entity_key NOTNULL)")

    def remove_document(self, path: str) -> bool:
        row = self.conn.execute("SELECT id FROM documents WHERE path = ?", (path,)).fetchone()
        if not row:
            return False
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._delete_document_rows(row["id"])
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return True

    # -- reads --------------------------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        rows = self.conn.execute("SELECT * FROM documents ORDER BY name, path").fetchall()
        return [Document(id=r["id"], name=r["name"], path=r["path"], content_hash=r["content_hash"],
                         title=r["title"], kind=r["kind"], published=r["published"], source=r["source"],
                         metadata=json.loads(r["metadata"] or "{}")) for r in rows]

    @staticmethod
    def _passage(r: sqlite3.Row) -> Passage:
        return Passage(id=r["id"], document_id=r["document_id"], index=r["idx"], start=r["start"], end=r["end"],
                       text=r["text"], page=r["page"], section=r["section"], block_kind=r["block_kind"],
                       topic=r["topic"])

    def passages(self, document_id: str) -> list[Passage]:
        rows = self.conn.execute("SELECT * FROM passages WHERE document_id = ? ORDER BY idx", (document_id,))
        return [self._passage(r) for r in rows]

    def passage(self, passage_id: str) -> Passage | None:
        r = self.conn.execute("SELECT * FROM passages WHERE id = ?", (passage_id,)).fetchone()
        return self._passage(r) if r else None

    def _entity(self, r: sqlite3.Row) -> Entity:
        aliases = [a["alias"] for a in self.conn.execute(
            "SELECT DISTINCT alias FROM aliases WHERE entity_key = ? ORDER BY alias", (r["key"],))]
        return Entity(key=r["key"], type=r["type"], name=r["name"],
                      aliases=[a for a in aliases if a != r["name"]], attrs=json.loads(r["attrs"] or "{}"))

    def entity(self, key: str) -> Entity | None:
        r = self.conn.execute("SELECT * FROM entities WHERE key = ?", (key,)).fetchone()
        return self._entity(r) if r else None

    def entities(self, type: str | None = None) -> Iterator[Entity]:
        sql, args = "SELECT * FROM entities", ()
        if type:
            sql, args = sql + " WHERE type = ?", (type,)
        for r in self.conn.execute(sql + " ORDER BY type, name", args).fetchall():
            yield self._entity(r)

    def document_entities(self, document_id: str) -> list[Entity]:
        rows = self.conn.execute(
            "SELECT e.* FROM entities e WHERE e.key IN (SELECT entity_key FROM aliases WHERE document_id = ?) "
            "ORDER BY e.type, e.name", (document_id,)).fetchall()
        out = []
        for r in rows:
            aliases = [a["alias"] for a in self.conn.execute(
                "SELECT DISTINCT alias FROM aliases WHERE entity_key = ? AND document_id = ? ORDER BY alias",
                (r["key"], document_id))]
            out.append(Entity(key=r["key"], type=r["type"], name=r["name"],
                              aliases=[a for a in aliases if a != r["name"]], attrs=json.loads(r["attrs"] or "{}")))
        return out

    def find_entities(self, text: str, type: str | None = None, limit: int = 20) -> list[Entity]:
        """Exact name, key or alias first (index lookups); else names and aliases containing `text`."""
        needle = text.strip().lower()
        type_sql = " AND type = ?" if type else ""
        args: tuple = (type,) if type else ()
        exact = self.conn.execute(
            "SELECT * FROM entities WHERE key IN (SELECT key FROM entities WHERE py_lower(name) = ? OR key = ? "
            f"UNION SELECT entity_key FROM aliases WHERE alias_lower = ?){type_sql} ORDER BY name LIMIT ?",
            (needle, text, needle, *args, limit)).fetchall()
        if exact:
            return [self._entity(r) for r in exact]
        like = "%" + re.sub(r"([\\%_])", r"\\\1", needle) + "%"
        rows = self.conn.execute(
            "SELECT * FROM entities WHERE key IN (SELECT key FROM entities WHERE py_lower(name) LIKE ? ESCAPE '\\' "
            f"UNION SELECT entity_key FROM aliases WHERE alias_lower LIKE ? ESCAPE '\\'){type_sql} "
            "ORDER BY length(name), name LIMIT ?", (like, like, *args, limit)).fetchall()
        return [self._entity(r) for r in rows]

    def _fact(self, r: sqlite3.Row, ents: list[tuple[str, str]] | None = None) -> Fact:
        if ents is None:
            ents = [(x["role"], x["entity_key"]) for x in self.conn.execute(
                "SELECT role, entity_key FROM fact_entities WHERE fact_id = ? ORDER BY rowid", (r["id"],))]
        ev = Evidence(document_id=r["document_id"], passage_id=r["passage_id"], start=r["start"], end=r["end"],
                      quote=r["quote"], method=r["method"], confidence=r["confidence"])
        return Fact(kind=r["kind"], slots=json.loads(r["slots"]), evidence=ev, entities=ents, id=r["id"])

    def facts(self, kind: str | None = None, entity_key: str | None = None,
              document_id: str | None = None) -> Iterator[Fact]:
        where, args = [], []
        if kind:
            where.append("f.kind = ?")
            args.append(kind)
        if document_id:
            where.append("f.document_id = ?")
            args.append(document_id)
        if entity_key:
            where.append("f.id IN (SELECT fact_id FROM fact_entities WHERE entity_key = ?)")
            args.append(entity_key)
        sql = "SELECT f.* FROM facts f" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.conn.execute(sql + " ORDER BY f.document_id, f.start, f.id", args).fetchall()
        for start in range(0, len(rows), 500):
            batch = rows[start:start + 500]
            links: dict[str, list[tuple[str, str]]] = {r["id"]: [] for r in batch}
            marks = ",".join("?" * len(batch))
            for x in self.conn.execute(f"SELECT fact_id, role, entity_key FROM fact_entities WHERE fact_id IN "
                                       f"({marks}) ORDER BY rowid", list(links)):
                links[x["fact_id"]].append((x["role"], x["entity_key"]))
            for r in batch:
                yield self._fact(r, links[r["id"]])

    def entity_passages(self, key: str, limit: int = 200) -> list[Passage]:
        rows = self.conn.execute(
            "SELECT DISTINCT p.* FROM mentions m JOIN passages p ON p.id = m.passage_id WHERE m.entity_key = ? "
            "ORDER BY p.document_id, p.idx LIMIT ?", (key, limit)).fetchall()
        return [self._passage(r) for r in rows]

    def passage_entities(self, passage_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {pid: [] for pid in passage_ids}
        for batch in (passage_ids[i:i + 500] for i in range(0, len(passage_ids), 500)):
            marks = ",".join("?" * len(batch))
            for r in self.conn.execute(f"SELECT passage_id, entity_key FROM mentions WHERE passage_id IN ({marks}) "
                                       "ORDER BY passage_id, start", batch):
                if r[1] not in out[r[0]]:
                    out[r[0]].append(r[1])
        return out

    def neighbours(self, key: str) -> list[tuple[str, str, str]]:
        rows = self.conn.execute(
            "SELECT b.fact_id, b.role, b.entity_key FROM fact_entities a JOIN fact_entities b "
            "ON a.fact_id = b.fact_id WHERE a.entity_key = ? AND b.entity_key != ? ORDER BY b.fact_id, b.role",
            (key, key)).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def search_text(self, query: str, limit: int = 10) -> list[tuple[Passage, float]]:
        terms = re.findall(r"\w+", query, flags=re.UNICODE)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        # The top rowids are ranked inside the full-text table first, so only `limit` passage rows are read.
        rows = self.conn.execute(
            "SELECT p.*, f.rank FROM (SELECT rowid, bm25(passages_fts) AS rank FROM passages_fts "
            "WHERE passages_fts MATCH ? ORDER BY rank, rowid LIMIT ?) f JOIN passages p ON p.rowid = f.rowid "
            "ORDER BY f.rank, p.rowid", (match, limit)).fetchall()
        return [(self._passage(r), -float(r["rank"])) for r in rows]

    def stats(self) -> dict:
        c = self.conn
        return {
            "documents": c.execute("SELECT count(*) FROM documents").fetchone()[0],
            "passages": c.execute("SELECT count(*) FROM passages").fetchone()[0],
            "entities": {r[0]: r[1] for r in c.execute("SELECT type, count(*) FROM entities GROUP BY type ORDER BY type")},
            "facts": {r[0]: r[1] for r in c.execute("SELECT kind, count(*) FROM facts GROUP BY kind ORDER BY kind")},
        }

    def close(self) -> None:
        self.conn.close()

    # -- embeddings ---------------------------------------------------------------------------------------
    # A vector is keyed by the sha1 of the passage text, so a text is embedded once however many documents or
    # versions repeat it. `passage_vectors` gives each passage its text hash ('' until computed) and `embedded`
    # (1 once that hash has a vector, else NULL). Triggers add a row per new passage and drop it with the
    # passage; a partial index over the NULL rows keeps "is anything missing?" cheap at any store size (about
    # 10 ms at 300k passages, two counts included).

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def _sync_passage_vectors(self) -> None:
        """Hash the texts of passages added since the last call and mark those whose text already has a vector.

        Also repairs what older stores lack: rows for passages written before the table existed, and the
        `embedded` flag of a table created before that column.
        """
        c = self.conn
        complete = "SELECT (SELECT count(*) FROM passages) = (SELECT count(*) FROM passage_vectors)"
        pending = "SELECT 1 FROM passage_vectors INDEXED BY passage_vectors_todo WHERE embedded IS NULL LIMIT 1"
        if c.execute(complete).fetchone()[0] and c.execute(pending).fetchone() is None:
            return
        with self._write():
            if not c.execute(complete).fetchone()[0]:
                c.execute("INSERT OR IGNORE INTO passage_vectors SELECT id, '', NULL FROM passages")
            rows = c.execute("SELECT p.id, p.text FROM passage_vectors v JOIN passages p ON p.id = v.passage_id "
                             "WHERE v.text_hash = ''").fetchall()
            c.executemany("UPDATE passage_vectors SET text_hash = ? WHERE passage_id = ?",
                          [(text_hash(r[1] or ""), r[0]) for r in rows])
            c.execute("UPDATE passage_vectors INDEXED BY passage_vectors_todo SET embedded = 1 WHERE embedded IS NULL "
                      "AND text_hash IN (SELECT text_hash FROM embeddings)")

    def use_embedding_model(self, model_id: str) -> bool:
        """Record which model made the stored vectors; a different one drops them all. True when dropped."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'embedding_model'").fetchone()
        if row is not None and row[0] == model_id:
            return False
        with self._write() as c:
            dropped = c.execute("DELETE FROM embeddings").rowcount > 0
            c.execute("UPDATE passage_vectors SET embedded = NULL WHERE embedded = 1")
            c.execute("INSERT OR REPLACE INTO meta VALUES ('embedding_model', ?)", (model_id,))
        return dropped

    def missing_embeddings(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(text hash, text) of each distinct passage text that has no stored vector yet."""
        self._sync_passage_vectors()
        rows = self.conn.execute(
            "SELECT v.text_hash, min(p.text) FROM passage_vectors v INDEXED BY passage_vectors_todo "
            "JOIN passages p ON p.id = v.passage_id WHERE v.embedded IS NULL GROUP BY v.text_hash LIMIT ?",
            (-1 if limit is None else limit,)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def put_embeddings(self, rows: list[tuple[str, bytes]]) -> None:
        """Store (text hash, float32 vector bytes) pairs in one transaction; known hashes are kept as they are."""
        if not rows:
            return
        with self._write() as c:
            c.executemany("INSERT OR IGNORE INTO embeddings VALUES (?, ?)", rows)
            c.executemany("UPDATE passage_vectors SET embedded = 1 WHERE text_hash = ? AND embedded IS NULL",
                          [(key,) for key, _ in rows])

    def vector_index(self) -> tuple[list[str], np.ndarray]:
        """(text hashes, float32 matrix with one unit row per hash) for each distinct passage text in the store.

        One row per distinct text, not per passage: a sentence repeated across documents (boilerplate, syndicated
        news) is scored once. Rows stream into one growing buffer, so building needs little more memory than the
        matrix itself. `text_passages` maps the hashes back to passages.
        """
        import numpy as np

        keys: list[str] = []
        buffer = bytearray()
        for key, vector in self.conn.execute(
                "SELECT e.text_hash, e.vector FROM embeddings e WHERE e.text_hash IN "
                "(SELECT text_hash FROM passage_vectors WHERE embedded = 1) ORDER BY e.text_hash"):
            keys.append(key)
            buffer += vector
        if not keys:
            return [], np.zeros((0, 0), dtype=np.float32)
        return keys, np.frombuffer(buffer, dtype=np.float32).reshape(len(keys), -1)

    def text_passages(self, keys: list[str], limit: int | None = None) -> dict[str, list[str]]:
        """Text hash → ids of the passages with that text, oldest first; at most `limit` ids in all, taken in the
        order of `keys` (a boilerplate sentence can sit in thousands of documents; a ranking needs only k)."""
        out: dict[str, list[str]] = {}
        left = -1 if limit is None else limit
        for key in keys:
            if left == 0:
                out[key] = []
                continue
            out[key] = [r[0] for r in self.conn.execute(
                "SELECT passage_id FROM passage_vectors WHERE text_hash = ? ORDER BY rowid LIMIT ?", (key, left))]
            left = left - len(out[key]) if left > 0 else left
        return out

    def version(self) -> tuple:
        """(database path, state): the state changes with every commit, whichever process wrote.

        Any commit touches the file or its WAL (mtime, size); the row counts catch two commits within one mtime
        tick (a replaced document gets new rowids). Costs two stats and three index lookups, so it can run
        before every query.
        """
        stamps = []
        for path in (self.db_path, self.db_path.with_name(self.db_path.name + "-wal")):
            try:
                st = path.stat()
                stamps.append((st.st_mtime_ns, st.st_size))
            except OSError:
                stamps.append(None)
        rows = self.conn.execute("SELECT (SELECT max(rowid) FROM passage_vectors), "
                                 "(SELECT max(rowid) FROM embeddings), (SELECT max(rowid) FROM facts)").fetchone()
        return (str(self.db_path), *rows, *stamps)

    def term_document_counts(self, terms: list[str]) -> tuple[int, dict[str, int]]:
        """(passages, {term: passages containing it}) for full-text terms, so search can skip ubiquitous words."""
        keys = sorted({_fts_term(t) for t in terms})
        # Counting rows scans the table (10 ms at 370k passages), so the count is kept until the store changes.
        total = cached(self, "passage-count", lambda: self.conn.execute("SELECT count(*) FROM passages").fetchone()[0])
        if not keys:
            return total, {}
        rows = self.conn.execute(f"SELECT term, doc FROM passages_vocab WHERE term IN ({','.join('?' * len(keys))})",
                                 keys).fetchall()
        found = {r[0]: r[1] for r in rows}
        return total, {t: found.get(_fts_term(t), 0) for t in terms}

    def facts_for_passages(self, passage_ids: list[str]) -> dict[str, list[Fact]]:
        """Facts each passage states, in text order, read in two queries however many passages."""
        out: dict[str, list[Fact]] = {pid: [] for pid in passage_ids}
        for batch in (passage_ids[i:i + 500] for i in range(0, len(passage_ids), 500)):
            marks = ",".join("?" * len(batch))
            facts = self.conn.execute(f"SELECT * FROM facts WHERE passage_id IN ({marks}) ORDER BY start, id",
                                      batch).fetchall()
            roles: dict[str, list[tuple[str, str]]] = {f["id"]: [] for f in facts}
            for chunk in (list(roles)[i:i + 500] for i in range(0, len(roles), 500)):
                for r in self.conn.execute(
                        f"SELECT fact_id, role, entity_key FROM fact_entities WHERE fact_id IN "
                        f"({','.join('?' * len(chunk))}) ORDER BY rowid", chunk):
                    roles[r[0]].append((r[1], r[2]))
            for r in facts:
                ev = Evidence(document_id=r["document_id"], passage_id=r["passage_id"], start=r["start"],
                              end=r["end"], quote=r["quote"], method=r["method"], confidence=r["confidence"])
                out[r["passage_id"]].append(Fact(kind=r["kind"], slots=json.loads(r["slots"]), evidence=ev,
                                                 entities=roles[r["id"]], id=r["id"]))
        return out

    # -- small named JSON state (watch-lists and other view settings) ------------------------------------------
    def get_state(self, name: str) -> dict | None:
        """The JSON object stored under `name`, or None; lives in the store so it travels with the graph."""
        self.conn.execute("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT)")
        row = self.conn.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_state(self, name: str, value: dict) -> None:
        """Store (or replace) the JSON object under `name` in one transaction."""
        self.conn.execute("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT)")
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?)",
                              (name, json.dumps(value, ensure_ascii=False, sort_keys=True)))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
