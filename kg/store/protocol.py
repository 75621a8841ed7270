"""The one interface the CLI, the views and the UI use; every backend implements it."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from kg.model import Document, Entity, ExtractedDocument, Fact, Passage


@runtime_checkable
class GraphStore(Protocol):
    """A provenance graph of documents, passages, entities and facts.

    Writes are per document and atomic: `replace_document` removes whatever an earlier version of the same
    document path contributed and writes the new version in one transaction, so an interrupted ingest never
    leaves half a document and re-ingesting unchanged input changes nothing.
    """

    def document_hash(self, path: str) -> str | None:
        """Content hash of the stored version of the document at `path`, or None."""

    def replace_document(self, extracted: ExtractedDocument) -> None:
        """Write a document with its passages, entities, mentions and facts, replacing an older version."""

    def remove_document(self, path: str) -> bool:
        """Remove one document and everything only it supported; entities others mention stay."""

    def documents(self) -> list[Document]: ...

    def passages(self, document_id: str) -> list[Passage]: ...

    def passage(self, passage_id: str) -> Passage | None: ...

    def entity(self, key: str) -> Entity | None: ...

    def document_entities(self, document_id: str) -> list[Entity]:
        """Entities one document mentions, with the aliases that document used."""

    def find_entities(self, text: str, type: str | None = None, limit: int = 20) -> list[Entity]:
        """Entities whose name or alias matches `text` (exact, case-insensitive first, then substring)."""

    def entities(self, type: str | None = None) -> Iterator[Entity]: ...

    def facts(self, kind: str | None = None, entity_key: str | None = None,
              document_id: str | None = None) -> Iterator[Fact]:
        """Facts filtered by kind, by an entity in any role, and/or by document."""

    def entity_passages(self, key: str, limit: int = 200) -> list[Passage]:
        """Passages that mention the entity, in document order."""

    def passage_entities(self, passage_ids: list[str]) -> dict[str, list[str]]:
        """Entity keys mentioned in each of the given passages."""

    def neighbours(self, key: str) -> list[tuple[str, str, str]]:
        """(fact id, role, other entity key) triples: entities sharing a fact with `key`."""

    def search_text(self, query: str, limit: int = 10) -> list[tuple[Passage, float]]:
        """Keyword (BM25-like) search over passages; higher score is better."""

    def stats(self) -> dict:
        """{"documents": n, "passages": n, "entities": {type: n}, "facts": {kind: n}}."""

    def close(self) -> None: ...

    def get_state(self, name: str) -> dict | None:
        """A small JSON object stored under `name` (watch-lists, view settings), or None."""

    def put_state(self, name: str, value: dict) -> None:
        """Store or replace the JSON object under `name`; it persists with the graph."""


@runtime_checkable
class EmbeddingStore(Protocol):
    """What a store adds to hold passage vectors, keyed by the hash of the passage text.

    Keying by text means a passage is embedded once however many documents repeat it, and a re-ingested
    document finds the vectors of its unchanged sentences. A store ranks by vectors either itself
    (`search_vectors`) or by handing `kg.search` its matrix of distinct texts (`vector_index`, `text_passages`).
    """

    def use_embedding_model(self, model_id: str) -> bool:
        """Record which model made the stored vectors; a different one drops them all. True when dropped."""

    def missing_embeddings(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(text hash, text) of each distinct passage text without a stored vector."""

    def put_embeddings(self, rows: list[tuple[str, bytes]]) -> None:
        """Store (text hash, float32 vector bytes) pairs; known hashes keep their vector."""


def text_hash(text: str) -> str:
    """Key of a passage text's embedding, the same in every backend."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def iter_batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
