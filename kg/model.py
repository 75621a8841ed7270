"""Typed records passed between stages and stored in the graph.

Provenance is structure: a Document has Passages, a Passage states Facts and mentions Entities, and every
Fact carries its Evidence (document, passage, character offsets, quote, extractor, confidence).
IDs are content-derived so the same input always gives the same graph.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

ENTITY_TYPES = ("Organization", "Material", "Process", "Product", "Patent", "Person", "Location")
FACT_KINDS = ("production_line", "spec", "milestone", "partnership", "patent", "develops")


def stable_id(prefix: str, *parts: Any) -> str:
    """A short deterministic key from content, so re-ingesting the same input yields the same IDs."""
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return f"{prefix}:{digest[:16]}"


@dataclass
class Document:
    id: str
    name: str
    path: str
    content_hash: str
    title: str | None = None
    kind: str = "news"
    published: str | None = None
    source: str | None = None
    metadata: dict = field(default_factory=dict)


@dataclass
class Passage:
    """A sentence (or table row) of a document, quoted exactly as in the document text."""

    id: str
    document_id: str
    index: int
    start: int
    end: int
    text: str
    page: int | None = None
    section: str | None = None
    block_kind: str = "paragraph"
    topic: str | None = None  # key of the organisation the enclosing list item or section is about


@dataclass
class Mention:
    """A recognised surface form of an entity (or a value) inside one passage, with document offsets."""

    label: str  # an entity type, or Quantity / Date
    text: str
    start: int
    end: int
    key: str | None = None  # canonical entity key once resolved
    name: str | None = None  # canonical display name
    method: str = "gazetteer"
    confidence: float = 1.0
    attrs: dict = field(default_factory=dict)


@dataclass
class Entity:
    key: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)


@dataclass
class Evidence:
    document_id: str
    passage_id: str
    start: int
    end: int
    quote: str
    method: str
    confidence: float


@dataclass
class Fact:
    """One extracted statement. `slots` follow the gold format of its kind; `entities` link slot roles to keys."""

    kind: str
    slots: dict
    evidence: Evidence
    entities: list[tuple[str, str]] = field(default_factory=list)  # (role, entity key)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = stable_id("fact", self.kind, self.slots, self.evidence.document_id, self.evidence.start)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class AliasRecord:
    """Why a surface form was resolved to an entity: the audit trail that makes every merge undoable."""

    entity_key: str
    alias: str
    reason: str  # exact | alias-table | legal-name | formula | abbreviation | new


@dataclass
class ExtractedDocument:
    """Everything one document contributes to the graph; written to the store in one transaction."""

    document: Document
    passages: list[Passage]
    entities: list[Entity]
    mentions: list[tuple[str, Mention]]  # (passage id, mention)
    facts: list[Fact]
    aliases: list[AliasRecord] = field(default_factory=list)
    incidents: list = field(default_factory=list)  # pipelines.faults.Incident: components that failed on a passage
