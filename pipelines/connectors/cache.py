"""Raw payload cache: each response body stored once under its sha256, plus an index of request → hash.

Payloads are kept before anything parses them, so a re-run (or `--offline`) parses without the network, a parser
fix can re-ingest everything from the same bytes, and an interrupted paging run resumes from the pages it has.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

CACHE_ENV = "KG_CACHE"
#: parameters that identify the caller, not the content: kept out of keys so the cache is shareable
PRIVATE_PARAMS = frozenset({"api_key", "mailto", "email"})


def request_key(method: str, url: str, params: Mapping[str, object] | None = None) -> str:
    """A stable name for a request: method, URL and sorted parameters, without credentials or contact details."""
    items = sorted((str(k), str(v)) for k, v in (params or {}).items()
                   if v is not None and str(k).lower() not in PRIVATE_PARAMS)
    return f"{method.upper()} {url}" + (f"?{urlencode(items)}" if items else "")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_cache_dir(store: str | None) -> Path:
    """`KG_CACHE`, else `cache/` inside a store folder, else a user cache folder (the store is a database URI)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    if store and "://" not in store:
        return Path(store) / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ssb-kg"


@dataclass(frozen=True)
class Entry:
    sha256: str
    fetched: float  # unix time
    source: str
    content_type: str | None = None
    size: int = 0
    status: int = 200  # 404 records that a lookup found nothing, so a re-run need not ask again


class Cache:
    """Objects under `objects/ab/<sha256>`, an append-only `index.jsonl` (the last line for a key wins)."""

    def __init__(self, root: str | Path, *, now: Callable[[], float] = time.time):
        self.root = Path(root)
        self.now = now
        self._index: dict[str, Entry] | None = None

    @property
    def index_path(self) -> Path:
        return self.root / "index.jsonl"

    def object_path(self, digest: str) -> Path:
        return self.root / "objects" / digest[:2] / digest

    def entries(self) -> dict[str, Entry]:
        if self._index is None:
            self._index = {}
            if self.index_path.exists():
                for line in self.index_path.read_text(encoding="utf-8").splitlines():
                    try:
                        row = json.loads(line)
                        key = row.pop("key")
                        self._index[key] = Entry(**row)
                    except (ValueError, TypeError, KeyError):
                        continue  # a line cut short by an interrupted run
        return self._index

    def fresh(self, key: str, max_age: float | None = None) -> Entry | None:
        """The entry last stored for `key`, unless older than `max_age` seconds."""
        entry = self.entries().get(key)
        if entry is None or (max_age is not None and self.now() - entry.fetched > max_age):
            return None
        return entry

    def get(self, key: str, max_age: float | None = None) -> bytes | None:
        """The payload last stored for `key`, unless too old or damaged on disk."""
        entry = self.fresh(key, max_age)
        return self.read(entry.sha256) if entry is not None else None

    def read(self, digest: str) -> bytes | None:
        try:
            data = self.object_path(digest).read_bytes()
        except OSError:
            return None
        return data if sha256(data) == digest else None

    def put(self, key: str, data: bytes, *, source: str, content_type: str | None = None, status: int = 200) -> str:
        digest = sha256(data)
        path = self.object_path(digest)
        if self.read(digest) is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(data)
            os.replace(handle.name, path)
        entry = Entry(sha256=digest, fetched=self.now(), source=source, content_type=content_type, size=len(data),
                      status=status)
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.index_path, "a", encoding="utf-8") as index:
            index.write(json.dumps({"key": key, **asdict(entry)}, ensure_ascii=False) + "\n")
        self.entries()[key] = entry
        return digest
