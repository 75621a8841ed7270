"""What every fact extractor sees: one passage, its normalised text and mentions, and document context.

Extractors are pure functions `extract(ctx) -> list[Fact]`; they never read files or the store.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from kg.model import Document, Evidence, Fact, Mention, Passage
from pipelines.normalize import NormalizedText


@dataclass(frozen=True)
class Span:
    """A mention seen through the passage's normalised text (start/end index `ctx.text`)."""

    mention: Mention
    start: int
    end: int

    @property
    def type(self) -> str:
        return self.mention.label

    @property
    def key(self) -> str:
        return self.mention.key or ""

    @property
    def name(self) -> str:
        return self.mention.name or self.mention.text

    @property
    def attrs(self) -> dict:
        return self.mention.attrs


def maker_span(thing: Span) -> Span | None:
    """The organisation that makes a product, as a span at the product's position (lexicon `org` attribute)."""
    maker = thing.attrs.get("org")
    if not maker:
        return None
    from pipelines.entities.mentions import entity_key

    mention = Mention(label="Organization", text=thing.mention.text, start=thing.mention.start,
                      end=thing.mention.end, key=entity_key("Organization", maker), name=maker,
                      method="product-maker", confidence=thing.mention.confidence)
    return Span(mention, thing.start, thing.end)


@dataclass
class PassageContext:
    document: Document
    passage: Passage
    norm: NormalizedText
    spans: list[Span]
    heading: str | None = None  # nearest heading above the passage, normalised
    table_header: list[str] | None = None  # header cells of the table this row belongs to
    topic_org: Span | None = None  # the organisation the enclosing section or list item is about
    previous_orgs: list[Span] = field(default_factory=list)  # organisations of the previous passage
    topic_thing: Span | None = None  # the product/material the enclosing section is about
    antecedent: Span | None = None  # the organisation last named as a subject before this passage
    main_org: Span | None = None  # the document's own organisation: a paper's authors, else its main subject
    memo: dict = field(default_factory=dict)  # results shared between extractors of this passage

    @property
    def text(self) -> str:
        return self.norm.text

    def of_type(self, *types: str) -> list[Span]:
        return [s for s in self.spans if s.type in types]

    @cached_property
    def quantities(self):
        from pipelines.quantities import find_quantities

        return find_quantities(self.text)

    @cached_property
    def dates(self):
        from pipelines.dates import find_dates

        return find_dates(self.text, self.document.published)

    def fact(self, kind: str, slots: dict, method: str, confidence: float,
             entities: list[tuple[str, Span | str]] = ()) -> Fact:
        """A fact whose evidence is this passage, quoted exactly as in the document."""
        passage = self.passage
        evidence = Evidence(document_id=passage.document_id, passage_id=passage.id, start=passage.start,
                            end=passage.end, quote=passage.text, method=method, confidence=round(confidence, 3))
        links = [(role, s.key if isinstance(s, Span) else s) for role, s in entities if s]
        return Fact(kind=kind, slots=slots, evidence=evidence, entities=links)
