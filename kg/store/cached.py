"""Process-wide caches of whole-store reads, valid while the store's version stays the same.

Queries in a long-lived process (the explorer, `kg bench`, a batch of `kg ask --from`) re-read the same things:
the vector matrix, document names, all facts of a kind, entities by key. A store that can tell cheaply whether
anything changed (`version()`, whichever process wrote) gets them computed once per version; a store that
cannot (Neo4j, where the server caches) is read every time.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from kg.model import Entity, Fact
from kg.store.protocol import GraphStore

T = TypeVar("T")

_entries: dict[tuple[str, str], tuple[tuple, object]] = {}
_lock = threading.Lock()
_pins = threading.local()


@contextmanager
def pinned(store: GraphStore) -> Iterator[None]:
    """Within the block, the store's version is read once: one query's many cached lookups cost one check."""
    version_of = getattr(store, "version", None)
    pins = _pins.__dict__.setdefault("versions", {})
    if version_of is None or id(store) in pins:
        yield
        return
    pins[id(store)] = version_of()
    try:
        yield
    finally:
        del pins[id(store)]


def _version(store: GraphStore) -> tuple | None:
    pinned_version = _pins.__dict__.get("versions", {}).get(id(store))
    if pinned_version is not None:
        return pinned_version
    version_of = getattr(store, "version", None)
    return version_of() if version_of is not None else None


def cached(store: GraphStore, name: str, build: Callable[[], T]) -> T:
    """`build()` once per store version; the previous version's value is dropped before the new one is built."""
    version = _version(store)
    if version is None:
        return build()
    key = (str(version[0]), name)
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]  # type: ignore[return-value]
        _entries.pop(key, None)
        value = build()
        _entries[key] = (version, value)
        return value


def facts_of_kind(store: GraphStore, kind: str) -> list[Fact]:
    """All facts of one kind, in the store's order; the list is shared, so callers must not mutate it."""
    return cached(store, f"facts:{kind}", lambda: list(store.facts(kind=kind)))


def entity_of(store: GraphStore, key: str) -> Entity | None:
    """The entity under `key`, from a per-version table filled as keys are asked for."""
    table: dict[str, Entity | None] = cached(store, "entities", dict)
    if key not in table:
        table[key] = store.entity(key)
    return table[key]


def document_names(store: GraphStore) -> dict[str, str]:
    """Document id → name (listing 10k documents per query would dominate its latency)."""
    return cached(store, "document-names", lambda: {d.id: d.name for d in store.documents()})
