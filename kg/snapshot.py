"""Graph snapshots: a zip or folder of sorted JSONL that archives, shares and diffs the graph, and loads it back.

Layout (every line one JSON object with sorted keys, so equal graphs give equal bytes)::

    nodes.jsonl          Entity lines sorted by key, then per document (sorted by id) its Document line and
                         its Passage lines in text order
    relationships.jsonl  per document: REFERS_TO (document -> entity, with the aliases it used), MENTIONS
                         (passage -> entity), FACT (kind, slots, entity links), in that order
    evidence.jsonl       one line per FACT line, same order: document, passage, offsets, quote, method, confidence
    manifest.json        format, schema version, created_at, counts, documents with content hashes, sha256 per file

Writing and reading both stream one document at a time; the only graph-sized structures live in a temporary
SQLite file (entities sorted by key when writing; the entity and passage index when validating), never in memory.
Everything goes through the `GraphStore` protocol, so it works for every backend.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import IO, Any

from kg.model import AliasRecord, Document, Entity, Evidence, ExtractedDocument, Fact, Mention, Passage
from kg.store.protocol import GraphStore

FORMAT = "ssb-kg-snapshot"
SCHEMA_VERSION = 1
NODES, RELATIONSHIPS, EVIDENCE, MANIFEST = "nodes.jsonl", "relationships.jsonl", "evidence.jsonl", "manifest.json"
DATA_FILES = (NODES, RELATIONSHIPS, EVIDENCE)
IMPORTED_ALIAS_REASON = "snapshot"
"""Alias reason for imported aliases other than the name: the protocol does not expose the original reason."""

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_REL_ORDER = {"REFERS_TO": 0, "MENTIONS": 1, "FACT": 2}


class SnapshotError(Exception):
    """A snapshot that cannot be read or trusted; the message is one line naming the file and the problem."""

    def __init__(self, message: str):
        super().__init__(" ".join(message.splitlines()))


# -- records (pure) --------------------------------------------------------------------------------------------
def dumps_line(record: dict) -> bytes:
    """Canonical JSON line: sorted keys and fixed separators make equal records equal bytes."""
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def entity_record(e: Entity) -> dict:
    return {"label": "Entity", "key": e.key, "type": e.type, "name": e.name, "aliases": sorted(e.aliases),
            "attrs": e.attrs}


def document_record(d: Document) -> dict:
    return {"label": "Document", "id": d.id, "name": d.name, "path": d.path, "content_hash": d.content_hash,
            "title": d.title, "kind": d.kind, "published": d.published, "source": d.source, "metadata": d.metadata}


def passage_record(p: Passage) -> dict:
    return {"label": "Passage", "id": p.id, "document_id": p.document_id, "index": p.index, "start": p.start,
            "end": p.end, "text": p.text, "page": p.page, "section": p.section, "block_kind": p.block_kind,
            "topic": p.topic}


def refers_record(document_id: str, e: Entity) -> dict:
    return {"type": "REFERS_TO", "document_id": document_id, "from": document_id, "to": e.key,
            "aliases": sorted(e.aliases)}


def mention_record(document_id: str, passage_id: str, key: str) -> dict:
    return {"type": "MENTIONS", "document_id": document_id, "from": passage_id, "to": key}


def fact_record(f: Fact) -> dict:
    return {"type": "FACT", "id": f.id, "kind": f.kind, "document_id": f.evidence.document_id,
            "passage_id": f.evidence.passage_id, "slots": f.slots, "entities": [list(x) for x in f.entities]}


def evidence_record(f: Fact) -> dict:
    ev = f.evidence
    return {"fact_id": f.id, "document_id": ev.document_id, "passage_id": ev.passage_id, "start": ev.start,
            "end": ev.end, "quote": ev.quote, "method": ev.method, "confidence": ev.confidence}


def to_entity(r: dict) -> Entity:
    return Entity(key=r["key"], type=r["type"], name=r["name"], aliases=list(r["aliases"]), attrs=dict(r["attrs"]))


def to_document(r: dict) -> Document:
    return Document(id=r["id"], name=r["name"], path=r["path"], content_hash=r["content_hash"], title=r["title"],
                    kind=r["kind"], published=r["published"], source=r["source"], metadata=dict(r["metadata"]))


def to_passage(r: dict) -> Passage:
    return Passage(id=r["id"], document_id=r["document_id"], index=r["index"], start=r["start"], end=r["end"],
                   text=r["text"], page=r["page"], section=r["section"], block_kind=r["block_kind"],
                   topic=r["topic"])


def to_fact(r: dict, ev: dict) -> Fact:
    evidence = Evidence(document_id=ev["document_id"], passage_id=ev["passage_id"], start=ev["start"],
                        end=ev["end"], quote=ev["quote"], method=ev["method"], confidence=ev["confidence"])
    return Fact(kind=r["kind"], slots=r["slots"], evidence=evidence,
                entities=[(role, key) for role, key in r["entities"]], id=r["id"])


def locate_mention(passage: Passage, surfaces: Iterable[str]) -> tuple[int, int, str] | None:
    """Document offsets and text of the longest surface found in the passage (case-insensitive), or None.

    The protocol reports which entities a passage mentions but not where, so imports and CSV exports place a
    mention at the first occurrence of one of its names; the entity link, which is what the graph uses, is exact.
    """
    text = passage.text
    folds = len(text.lower()) == len(text)
    haystack = text.lower() if folds else text
    for surface in sorted({s for s in surfaces if s}, key=lambda s: (-len(s), s)):
        needle = surface.lower() if folds and len(surface.lower()) == len(surface) else surface
        at = haystack.find(needle)
        if at >= 0:
            return passage.start + at, passage.start + at + len(surface), text[at:at + len(surface)]
    return None


# -- reading one document from a store -------------------------------------------------------------------------
@dataclass
class DocumentGroup:
    """Everything one document contributes, read through the protocol and sorted for stable output."""

    document: Document
    passages: list[Passage]
    refers: list[Entity]  # entities the document names, with the aliases it used
    mentions: list[tuple[str, str]]  # (passage id, entity key)
    facts: list[Fact]

    def node_records(self) -> Iterator[dict]:
        yield document_record(self.document)
        yield from (passage_record(p) for p in self.passages)

    def relationship_records(self) -> Iterator[dict]:
        doc_id = self.document.id
        yield from (refers_record(doc_id, e) for e in self.refers)
        yield from (mention_record(doc_id, pid, key) for pid, key in self.mentions)
        yield from (fact_record(f) for f in self.facts)


def read_group(store: GraphStore, doc: Document) -> DocumentGroup:
    passages = sorted(store.passages(doc.id), key=lambda p: (p.index, p.start, p.id))
    order = {p.id: i for i, p in enumerate(passages)}
    by_passage = store.passage_entities([p.id for p in passages]) if passages else {}
    mentions = sorted({(pid, key) for pid, keys in by_passage.items() for key in keys if key},
                      key=lambda m: (order.get(m[0], len(order)), m[0], m[1]))
    refers = sorted(store.document_entities(doc.id), key=lambda e: e.key)
    facts = sorted(store.facts(document_id=doc.id), key=lambda f: (f.evidence.start, f.id))
    return DocumentGroup(doc, passages, refers, mentions, facts)


def iter_groups(store: GraphStore) -> Iterator[DocumentGroup]:
    for doc in sorted(store.documents(), key=lambda d: d.id):
        yield read_group(store, doc)


@contextmanager
def sorted_spool(workdir: Path) -> Iterator[tuple[Any, Any]]:
    """(add(key, line), drain() -> lines sorted by key): an on-disk sort, so memory stays flat."""
    conn = sqlite3.connect(workdir / "spool.sqlite")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("CREATE TABLE spool (key TEXT PRIMARY KEY, line BLOB)")
    batch: list[tuple[str, bytes]] = []

    def add(key: str, line: bytes) -> None:
        batch.append((key, line))
        if len(batch) >= 5000:
            conn.executemany("INSERT OR REPLACE INTO spool VALUES (?, ?)", batch)
            batch.clear()

    def drain() -> Iterator[bytes]:
        conn.executemany("INSERT OR REPLACE INTO spool VALUES (?, ?)", batch)
        batch.clear()
        for (line,) in conn.execute("SELECT line FROM spool ORDER BY key"):
            yield line

    try:
        yield add, drain
    finally:
        conn.close()


def sorted_entities(store: GraphStore, workdir: Path) -> Iterator[Entity]:
    """Every entity of the store in key order, sorted on disk."""
    with sorted_spool(workdir) as (add, drain):
        for e in store.entities():
            add(e.key, dumps_line(entity_record(e)))
        for line in drain():
            yield to_entity(json.loads(line))


# -- writing ---------------------------------------------------------------------------------------------------
class _HashingFile:
    """A binary file that keeps the sha256, byte and line counts of what was written."""

    def __init__(self, path: Path):
        self.handle = open(path, "wb")
        self.sha = hashlib.sha256()
        self.bytes = 0
        self.lines = 0

    def write(self, line: bytes) -> None:
        self.handle.write(line)
        self.sha.update(line)
        self.bytes += len(line)
        self.lines += 1

    def info(self) -> dict:
        return {"sha256": self.sha.hexdigest(), "bytes": self.bytes, "lines": self.lines}


def _write_data(store: GraphStore, work: Path) -> tuple[dict, dict, list[dict]]:
    """Write the three data files into `work`; returns (files info, counts, manifest documents)."""
    outs = {name: _HashingFile(work / name) for name in DATA_FILES}
    counts: dict[str, Any] = {"documents": 0, "passages": 0, "entities": 0, "mentions": 0, "references": 0,
                              "facts": 0, "entities_by_type": {}, "facts_by_kind": {}}
    documents: list[dict] = []
    try:
        for e in sorted_entities(store, work):
            outs[NODES].write(dumps_line(entity_record(e)))
            counts["entities"] += 1
            counts["entities_by_type"][e.type] = counts["entities_by_type"].get(e.type, 0) + 1
        for group in iter_groups(store):
            for record in group.node_records():
                outs[NODES].write(dumps_line(record))
            for record in group.relationship_records():
                outs[RELATIONSHIPS].write(dumps_line(record))
            for f in group.facts:
                outs[EVIDENCE].write(dumps_line(evidence_record(f)))
                counts["facts_by_kind"][f.kind] = counts["facts_by_kind"].get(f.kind, 0) + 1
            d = group.document
            documents.append({"id": d.id, "name": d.name, "path": d.path, "content_hash": d.content_hash})
            counts["documents"] += 1
            counts["passages"] += len(group.passages)
            counts["mentions"] += len(group.mentions)
            counts["references"] += len(group.refers)
            counts["facts"] += len(group.facts)
    finally:
        for out in outs.values():
            out.handle.close()
    counts["entities_by_type"] = dict(sorted(counts["entities_by_type"].items()))
    counts["facts_by_kind"] = dict(sorted(counts["facts_by_kind"].items()))
    return {name: out.info() for name, out in outs.items()}, counts, documents


def manifest_bytes(files: dict, counts: dict, documents: list[dict], created_at: str) -> bytes:
    manifest = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "created_at": created_at, "counts": counts,
                "documents": documents, "files": files}
    return (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _zip_member(zf: zipfile.ZipFile, name: str, source: Path) -> None:
    """Add a file with fixed time, mode and OS fields, so the same bytes give the same member."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    info.file_size = source.stat().st_size
    with open(source, "rb") as src, zf.open(info, "w") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def write_snapshot(store: GraphStore, target: str | Path, created_at: str | None = None) -> dict:
    """Write the graph to `target` (a `.zip` file, otherwise a folder); returns the manifest.

    Data files are written to a temporary folder beside the target and moved into place at the end, so an
    interrupted snapshot never leaves a half-written archive under the final name.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kg-snapshot-", dir=target.parent) as tmp:
        work = Path(tmp)
        files, counts, documents = _write_data(store, work)
        (work / "spool.sqlite").unlink(missing_ok=True)
        data = manifest_bytes(files, counts, documents, created_at or _now())
        (work / MANIFEST).write_bytes(data)
        if target.suffix.lower() == ".zip":
            partial = work / "snapshot.zip"
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                for name in (*DATA_FILES, MANIFEST):
                    _zip_member(zf, name, work / name)
            os.replace(partial, target)
        else:
            target.mkdir(parents=True, exist_ok=True)
            (target / MANIFEST).unlink(missing_ok=True)
            for name in (*DATA_FILES, MANIFEST):
                os.replace(work / name, target / name)
    return json.loads(data)


# -- reading and validating ------------------------------------------------------------------------------------
def _escapes(name: str) -> bool:
    """True when an archive member name could land outside the folder it is extracted into (zip-slip)."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return True
    parts = PurePosixPath(name).parts
    return ".." in parts or bool(parts and len(parts[0]) >= 2 and parts[0][1] == ":")


class _Source:
    """Member access for a snapshot zip or folder; member names are checked before anything is opened."""

    def __init__(self, path: Path):
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        if not path.exists():
            raise SnapshotError(f"{path}: no such snapshot file or folder")
        if path.is_dir():
            return
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise SnapshotError(f"{path}: truncated or not a zip file ({exc})") from None
        names = self.zip.namelist()
        for name in names:
            if _escapes(name):
                self.close()
                raise SnapshotError(f"{path}: member {name!r} escapes the target folder")
        nested = [n for n in names if n.count("/") == 1 and n.endswith("/" + MANIFEST)]
        if MANIFEST not in names and len(nested) == 1:
            self.prefix = nested[0][: -len(MANIFEST)]

    def fail(self, message: str) -> SnapshotError:
        return SnapshotError(f"{self.path}: {message}")

    def has(self, name: str) -> bool:
        if self.zip is not None:
            return self.prefix + name in self.zip.NameToInfo
        return (self.path / name).is_file()

    def open(self, name: str) -> IO[bytes]:
        if _escapes(name):
            raise self.fail(f"member {name!r} escapes the target folder")
        if self.zip is not None:
            try:
                return self.zip.open(self.prefix + name)
            except KeyError:
                raise self.fail(f"{name} is missing") from None
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
                raise self.fail(f"{name}: corrupt or truncated member ({exc})") from None
        root = self.path.resolve()
        member = (self.path / name).resolve()
        if not member.is_relative_to(root):
            raise self.fail(f"{name} escapes the target folder (links to {member})")
        try:
            return open(member, "rb")
        except FileNotFoundError:
            raise self.fail(f"{name} is missing") from None
        except OSError as exc:
            raise self.fail(f"{name}: cannot read ({exc.strerror})") from None

    def lines(self, name: str) -> Iterator[bytes]:
        """Raw lines of a member, with read errors of a damaged archive turned into SnapshotError."""
        with self.open(name) as handle:
            while True:
                try:
                    line = handle.readline()
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
                    raise self.fail(f"{name}: corrupt or truncated member ({exc})") from None
                if not line:
                    return
                yield line

    def records(self, name: str) -> Iterator[dict]:
        for line in self.lines(name):
            yield json.loads(line)

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _read_manifest(src: _Source) -> dict:
    if not src.has(MANIFEST):
        raise src.fail(f"{MANIFEST} is missing (not a kg snapshot)")
    try:
        with src.open(MANIFEST) as handle:
            manifest = json.loads(handle.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise src.fail(f"{MANIFEST}: not valid JSON ({exc})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise src.fail(f"{MANIFEST}: corrupt or truncated member ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise src.fail(f"{MANIFEST}: not a kg snapshot manifest (format {manifest.get('format')!r})"
                       if isinstance(manifest, dict) else f"{MANIFEST}: not a kg snapshot manifest")
    version = manifest.get("schema_version")
    if not isinstance(version, int):
        raise src.fail(f"{MANIFEST}: schema_version is missing or not an integer")
    if version > SCHEMA_VERSION:
        raise src.fail(f"{MANIFEST}: schema version {version} is newer than this kg supports ({SCHEMA_VERSION}); "
                       "upgrade kg to import it")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise src.fail(f"{MANIFEST}: no 'files' table")
    for name in files:
        if _escapes(name):
            raise src.fail(f"{MANIFEST}: file {name!r} escapes the target folder")
    for name in DATA_FILES:
        if not isinstance(files.get(name), dict) or not isinstance(files[name].get("sha256"), str):
            raise src.fail(f"{MANIFEST}: no sha256 for {name}")
    if not isinstance(manifest.get("documents"), list):
        raise src.fail(f"{MANIFEST}: no 'documents' list")
    return manifest


class _Index:
    """Entity records and passage owners of the snapshot being read, on disk, for lookups during import."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("CREATE TABLE entities (key TEXT PRIMARY KEY, record TEXT, written INTEGER DEFAULT 0)")
        self.conn.execute("CREATE TABLE passages (id TEXT PRIMARY KEY, document_id TEXT)")
        self._pending: dict[str, list[tuple]] = {"entities": [], "passages": []}

    def add(self, table: str, row: tuple) -> None:
        self._pending[table].append(row)
        if len(self._pending[table]) >= 5000:
            self.flush()

    def flush(self) -> None:
        for table, rows in self._pending.items():
            if rows:
                self.conn.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * len(rows[0]))})",
                                      rows)
                rows.clear()

    def entity(self, key: str) -> Entity | None:
        row = self.conn.execute("SELECT record FROM entities WHERE key = ?", (key,)).fetchone()
        return to_entity(json.loads(row[0])) if row else None

    def has_entity(self, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM entities WHERE key = ?", (key,)).fetchone() is not None

    def passage_document(self, passage_id: str) -> str | None:
        row = self.conn.execute("SELECT document_id FROM passages WHERE id = ?", (passage_id,)).fetchone()
        return row[0] if row else None

    def mark(self, keys: Iterable[str]) -> None:
        self.conn.executemany("UPDATE entities SET written = 1 WHERE key = ?", [(k,) for k in keys])

    def unmarked(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT key FROM entities WHERE written = 0 ORDER BY key")]

    def close(self) -> None:
        self.conn.close()


class _Problem(Exception):
    """A structural problem of one line; becomes a SnapshotError once the file's checksum is known to match."""


def _require(record: Any, keys: Iterable[str]) -> dict:
    if not isinstance(record, dict):
        raise _Problem("not a JSON object")
    missing = [k for k in keys if k not in record]
    if missing:
        raise _Problem(f"missing {', '.join(missing)}")
    return record


_ENTITY_KEYS = ("key", "type", "name", "aliases", "attrs")
_DOCUMENT_KEYS = ("id", "name", "path", "content_hash", "title", "kind", "published", "source", "metadata")
_PASSAGE_KEYS = ("id", "document_id", "index", "start", "end", "text", "page", "section", "block_kind", "topic")
_FACT_KEYS = ("id", "kind", "document_id", "passage_id", "slots", "entities")
_EVIDENCE_KEYS = ("fact_id", "document_id", "passage_id", "start", "end", "quote", "method", "confidence")


class _Checker:
    """Line-by-line structure checks of the three data files, remembering only what later lines refer to."""

    def __init__(self, manifest: dict, index: _Index):
        self.index = index
        self.documents = [d.get("id") for d in manifest["documents"] if isinstance(d, dict)]
        self.document_set = set(self.documents)
        self.fact_ids = hashlib.sha256()
        self.evidence_ids = hashlib.sha256()
        self.facts = 0
        self.evidence = 0
        self.last_entity = ""
        self.last_document = ""
        self.seen_documents: list[str] = []
        self.rel_position: tuple = ("", -1)

    def node(self, r: dict) -> None:
        label = r.get("label") if isinstance(r, dict) else None
        if label == "Entity":
            _require(r, _ENTITY_KEYS)
            if self.seen_documents:
                raise _Problem("Entity line after the first Document line")
            if r["key"] <= self.last_entity:
                raise _Problem(f"entity {r['key']!r} out of key order")
            self.last_entity = r["key"]
            self.index.add("entities", (r["key"], json.dumps(r, ensure_ascii=False), 0))
        elif label == "Document":
            _require(r, _DOCUMENT_KEYS)
            if r["id"] <= self.last_document:
                raise _Problem(f"document {r['id']!r} out of id order")
            if r["id"] not in self.document_set:
                raise _Problem(f"document {r['id']!r} is not listed in {MANIFEST}")
            self.last_document = r["id"]
            self.seen_documents.append(r["id"])
        elif label == "Passage":
            _require(r, _PASSAGE_KEYS)
            if r["document_id"] != self.last_document:
                raise _Problem(f"passage {r['id']!r} is not under its document {r['document_id']!r}")
            self.index.add("passages", (r["id"], r["document_id"]))
        else:
            raise _Problem(f"unknown node label {label!r}")

    def nodes_done(self) -> None:
        self.index.flush()
        if self.seen_documents != sorted(self.document_set):
            missing = sorted(self.document_set - set(self.seen_documents))
            raise _Problem(f"documents listed in {MANIFEST} are missing: {', '.join(missing[:3])}")

    def _entity_known(self, key: Any) -> None:
        if not isinstance(key, str) or not self.index.has_entity(key):
            raise _Problem(f"unknown entity {key!r}")

    def _passage_of(self, passage_id: Any, document_id: str) -> None:
        if self.index.passage_document(passage_id) != document_id:
            raise _Problem(f"passage {passage_id!r} is not a passage of document {document_id!r}")

    def relationship(self, r: dict) -> None:
        kind = r.get("type") if isinstance(r, dict) else None
        if kind not in _REL_ORDER:
            raise _Problem(f"unknown relationship type {kind!r}")
        doc = _require(r, ("document_id",))["document_id"]
        if doc not in self.document_set:
            raise _Problem(f"document {doc!r} is not in the snapshot")
        position = (doc, _REL_ORDER[kind])
        if position < self.rel_position:
            raise _Problem(f"{kind} line out of document order")
        self.rel_position = position
        if kind == "REFERS_TO":
            _require(r, ("to", "aliases"))
            self._entity_known(r["to"])
        elif kind == "MENTIONS":
            _require(r, ("from", "to"))
            self._passage_of(r["from"], doc)
            self._entity_known(r["to"])
        else:
            _require(r, _FACT_KEYS)
            self._passage_of(r["passage_id"], doc)
            for link in r["entities"]:
                if not (isinstance(link, list) and len(link) == 2):
                    raise _Problem(f"fact {r['id']!r}: entity link {link!r} is not [role, key]")
                self._entity_known(link[1])
            self.fact_ids.update(dumps_line([r["id"], doc, r["passage_id"]]))
            self.facts += 1

    def evidence_line(self, r: dict) -> None:
        _require(r, _EVIDENCE_KEYS)
        self.evidence_ids.update(dumps_line([r["fact_id"], r["document_id"], r["passage_id"]]))
        self.evidence += 1

    def done(self) -> str | None:
        if self.facts != self.evidence or self.fact_ids.digest() != self.evidence_ids.digest():
            return (f"{EVIDENCE} does not line up with the FACT lines of {RELATIONSHIPS} "
                    f"({self.evidence} evidence lines, {self.facts} facts)")
        return None


def _check_file(src: _Source, name: str, expected: dict, check) -> None:
    """Hash and parse one member; a checksum mismatch wins over the structural problem it probably caused."""
    sha = hashlib.sha256()
    problem: str | None = None
    for number, line in enumerate(src.lines(name), 1):
        sha.update(line)
        if problem is not None:
            continue
        try:
            check(json.loads(line))
        except _Problem as exc:
            problem = f"line {number}: {exc}"
        except (ValueError, UnicodeDecodeError) as exc:
            problem = f"line {number}: not valid JSON ({exc})"
        except (KeyError, TypeError, AttributeError, sqlite3.Error) as exc:
            problem = f"line {number}: malformed record ({type(exc).__name__}: {exc})"
    actual = sha.hexdigest()
    if actual != expected["sha256"]:
        raise src.fail(f"{name}: checksum mismatch (manifest sha256 {expected['sha256'][:12]}…, "
                       f"file {actual[:12]}…)")
    if problem is not None:
        raise src.fail(f"{name}: {problem}")


# -- public reading API ----------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    documents: int = 0
    passages: int = 0
    facts: int = 0
    entities: int = 0
    unreferenced_entities: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"documents": self.documents, "passages": self.passages, "facts": self.facts,
                "entities": self.entities, "unreferenced_entities": len(self.unreferenced_entities)}


class Snapshot:
    """A validated snapshot: its manifest, and streams of its documents, entities and facts."""

    def __init__(self, src: _Source, manifest: dict, index: _Index):
        self.path = src.path
        self.manifest = manifest
        self._src = src
        self._index = index

    def documents(self) -> Iterator[Document]:
        for r in self._src.records(NODES):
            if r["label"] == "Document":
                yield to_document(r)

    def entities(self) -> Iterator[Entity]:
        for r in self._src.records(NODES):
            if r["label"] != "Entity":
                return
            yield to_entity(r)

    def facts(self) -> Iterator[Fact]:
        evidence = self._src.records(EVIDENCE)
        for r in self._src.records(RELATIONSHIPS):
            if r["type"] == "FACT":
                yield to_fact(r, next(evidence))

    def groups(self) -> Iterator[tuple[Document, list[Passage], list[dict]]]:
        """(document, passages, its relationship records with evidence joined into FACT lines), one at a time."""
        relationships = _Peekable(self._src.records(RELATIONSHIPS))
        evidence = self._src.records(EVIDENCE)
        document: Document | None = None
        passages: list[Passage] = []

        def close_group(doc: Document) -> tuple[Document, list[Passage], list[dict]]:
            rels = []
            while relationships.peek() is not None and relationships.peek()["document_id"] == doc.id:
                r = next(relationships)
                if r["type"] == "FACT":
                    r["evidence"] = next(evidence)
                rels.append(r)
            return doc, passages, rels

        for r in self._src.records(NODES):
            if r["label"] == "Document":
                if document is not None:
                    yield close_group(document)
                document, passages = to_document(r), []
            elif r["label"] == "Passage":
                passages.append(to_passage(r))
        if document is not None:
            yield close_group(document)

    def extracted_documents(self) -> Iterator[ExtractedDocument]:
        """One ExtractedDocument per document; entities it carries are marked so orphans can be reported."""
        for document, passages, rels in self.groups():
            extracted = build_extracted(document, passages, rels, self._index.entity)
            self._index.mark(e.key for e in extracted.entities)
            yield extracted

    def unwritten_entities(self) -> list[str]:
        """Entities no document of the snapshot refers to (orphans: `replace_document` has no place for them)."""
        return self._index.unmarked()


class _Peekable:
    def __init__(self, items: Iterator[dict]):
        self._items = items
        self._next: dict | None = None
        self._done = False

    def peek(self) -> dict | None:
        if self._next is None and not self._done:
            self._next = next(self._items, None)
            self._done = self._next is None
        return self._next

    def __next__(self) -> dict:
        item = self.peek()
        if item is None:
            raise StopIteration
        self._next = None
        return item


def build_extracted(document: Document, passages: list[Passage], rels: list[dict], entity_of) -> ExtractedDocument:
    """The ExtractedDocument that, written with `replace_document`, reproduces what the snapshot holds.

    Aliases come back with reason "exact" for the name and IMPORTED_ALIAS_REASON for the others, and mentions are
    placed by `locate_mention`, because the protocol exposes neither the alias reasons nor mention offsets.
    """
    by_id = {p.id: p for p in passages}
    used: dict[str, list[str]] = {}
    keys: set[str] = set()
    mention_rows: list[tuple[str, str]] = []
    facts: list[Fact] = []
    for r in rels:
        if r["type"] == "REFERS_TO":
            used[r["to"]] = list(r["aliases"])
            keys.add(r["to"])
        elif r["type"] == "MENTIONS":
            mention_rows.append((r["from"], r["to"]))
            keys.add(r["to"])
        else:
            fact = to_fact(r, r["evidence"])
            facts.append(fact)
            keys.update(key for _, key in fact.entities)
    entities = {key: e for key in sorted(keys) if (e := entity_of(key)) is not None}
    aliases: list[AliasRecord] = []
    for key in sorted(used):
        if key in entities:
            aliases.append(AliasRecord(key, entities[key].name, "exact"))
            aliases.extend(AliasRecord(key, a, IMPORTED_ALIAS_REASON) for a in used[key] if a != entities[key].name)
    mentions: list[tuple[str, Mention]] = []
    for pid, key in mention_rows:
        entity, passage = entities.get(key), by_id.get(pid)
        if entity is None or passage is None:
            continue
        found = locate_mention(passage, [*used.get(key, []), entity.name, *entity.aliases])
        start, end, text = found or (passage.start, passage.end, entity.name)
        mentions.append((pid, Mention(label=entity.type, text=text, start=start, end=end, key=key, name=entity.name,
                                      method=IMPORTED_ALIAS_REASON, confidence=1.0 if found else 0.5)))
    return ExtractedDocument(document=document, passages=passages, entities=list(entities.values()),
                             mentions=mentions, facts=facts, aliases=aliases)


@contextmanager
def open_snapshot(path: str | Path) -> Iterator[Snapshot]:
    """Open and fully validate a snapshot (checksums, structure, references) before anything reads it."""
    src = _Source(Path(path))
    try:
        with tempfile.TemporaryDirectory(prefix="kg-snapshot-index-") as tmp:
            index = _Index(Path(tmp) / "index.sqlite")
            try:
                manifest = _read_manifest(src)
                files = manifest["files"]
                checker = _Checker(manifest, index)
                _check_file(src, NODES, files[NODES], checker.node)
                try:
                    checker.nodes_done()
                except _Problem as exc:
                    raise src.fail(f"{NODES}: {exc}") from None
                _check_file(src, RELATIONSHIPS, files[RELATIONSHIPS], checker.relationship)
                _check_file(src, EVIDENCE, files[EVIDENCE], checker.evidence_line)
                if (problem := checker.done()) is not None:
                    raise src.fail(problem)
                yield Snapshot(src, manifest, index)
            finally:
                index.close()
    finally:
        src.close()


def import_snapshot(path: str | Path, store: GraphStore) -> ImportReport:
    """Validate the whole snapshot, then write it document by document with `replace_document` (idempotent merge).

    Any SnapshotError is raised before the first write, so bad input leaves the store as it was.
    """
    report = ImportReport()
    with open_snapshot(path) as snapshot:
        for extracted in snapshot.extracted_documents():
            store.replace_document(extracted)
            report.documents += 1
            report.passages += len(extracted.passages)
            report.facts += len(extracted.facts)
        report.unreferenced_entities = snapshot.unwritten_entities()
        report.entities = snapshot.manifest["counts"].get("entities", 0) - len(report.unreferenced_entities)
    return report


def read_manifest(path: str | Path) -> dict:
    """The manifest alone (no checksum pass), for listing what a snapshot holds."""
    src = _Source(Path(path))
    try:
        return _read_manifest(src)
    finally:
        src.close()


def group_extracted(store: GraphStore, group: DocumentGroup) -> ExtractedDocument:
    """A document read from the store, rebuilt as `import_snapshot` would rebuild it (for exports that need
    alias records and mention offsets)."""
    rels = list(group.relationship_records())
    evidence = iter([evidence_record(f) for f in group.facts])
    for r in rels:
        if r["type"] == "FACT":
            r["evidence"] = next(evidence)
    return build_extracted(group.document, group.passages, rels, store.entity)


__all__ = ["SnapshotError", "Snapshot", "ImportReport", "write_snapshot", "import_snapshot", "open_snapshot",
           "read_manifest", "locate_mention", "iter_groups", "sorted_entities", "DocumentGroup", "SCHEMA_VERSION",
           "FORMAT", "dumps_line", "group_extracted", "build_extracted"]
