"""One document from reader output to graph records: passages → mentions → facts → resolved entities."""
from __future__ import annotations

import bisect
import hashlib
import re
from pathlib import Path

from kg.model import Document, ExtractedDocument, Passage, stable_id
from pipelines.entities.mentions import build_document_lexicon, find_candidates, resolve_overlaps, to_mention
from pipelines.extractors import EXTRACTORS
from pipelines.extractors.base import PassageContext, Span, maker_span
from pipelines.normalize import normalize
from pipelines.readers.base import SourceDocument
from pipelines.resolve import resolve_entities
from pipelines.sentences import passages as split_passages

_TABLE_CELLS = re.compile(r"\s*\|\s*")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_document(source: SourceDocument, digest: str | None = None) -> Document:
    digest = digest or content_hash(source.text)
    is_key = re.match(r"^[a-z][a-z0-9+.\-]{1,}:", source.path) is not None
    path = source.path if is_key else str(Path(source.path).resolve())
    return Document(id=stable_id("doc", Path(source.path).name, digest), name=source.name, path=path,
                    content_hash=digest, title=source.title, kind=source.kind, published=source.published,
                    source=source.source, metadata=source.metadata)


def table_cells(row: str) -> list[str]:
    return [c for c in _TABLE_CELLS.split(row.strip().strip("|"))]


def extract_document(source: SourceDocument, digest: str | None = None) -> ExtractedDocument:
    document = make_document(source, digest)
    passages = split_passages(document.id, source)
    norms = [normalize(p.text) for p in passages]
    lexicon = build_document_lexicon([n.text for n in norms])
    block_starts = [b.start for b in source.blocks]

    all_mentions = []
    facts = []
    heading: str | None = None
    heading_org: Span | None = None
    heading_thing: Span | None = None
    block_org: Span | None = None
    current_block = -1
    table_header: list[str] | None = None
    previous_orgs: list[Span] = []
    for passage, norm in zip(passages, norms):
        cands = resolve_overlaps(find_candidates(norm.text, lexicon))
        spans = [Span(to_mention(c, norm, passage.start, passage.text), c.start, c.end) for c in cands]
        all_mentions.extend((passage.id, s.mention) for s in spans)
        orgs = [s for s in spans if s.type == "Organization"]
        block = bisect.bisect_right(block_starts, passage.start) - 1
        if block != current_block:
            current_block = block
            block_org = orgs[0] if orgs and not re.search(r"\w", norm.text[:orgs[0].start]) else None
            if passage.block_kind == "table_row":
                if table_header is None or _is_first_row(source, block):
                    table_header = table_cells(norm.text)
            else:
                table_header = None
        if _is_heading(passage, norm.text):
            heading = norm.text.strip("#* ")
            is_markdown = passage.block_kind == "heading"
            things = [s for s in spans if s.type in ("Product", "Material")]
            heading_thing = things[0] if things and is_markdown else None
            makers = [maker_span(heading_thing)] if heading_thing and heading_thing.attrs.get("org") else []
            candidates = sorted(orgs[:1] + makers, key=lambda s: s.start)
            heading_org = candidates[0] if candidates and is_markdown else None
            if any(s.type == "Patent" for s in spans):
                from pipelines.extractors import patent

                facts.extend(patent.extract(PassageContext(document=document, passage=passage, norm=norm, spans=spans,
                                                           previous_orgs=previous_orgs)))
            previous_orgs = orgs
            continue
        topic = block_org or heading_org
        if passage.section is None and heading:
            passage.section = heading[:200]
        passage.topic = topic.key if topic is not None else None
        ctx = PassageContext(document=document, passage=passage, norm=norm, spans=spans, heading=heading,
                             table_header=table_header if passage.block_kind == "table_row" else None,
                             topic_org=topic, previous_orgs=previous_orgs,
                             topic_thing=heading_thing)
        for extractor in EXTRACTORS:
            facts.extend(extractor(ctx))
        previous_orgs = orgs or previous_orgs
    unique: dict[tuple, object] = {}
    for fact in sorted(facts, key=_directness):
        unique.setdefault(_identity(fact), fact)
    facts = _drop_superseded(list(unique.values()))
    entities, aliases, resolved = resolve_entities(document, all_mentions)
    known = {e.key for e in entities}
    for fact in facts:
        fact.entities = [(role, key) for role, key in fact.entities if key in known]
    return ExtractedDocument(document=document, passages=passages, entities=entities, mentions=resolved,
                             facts=facts, aliases=aliases)


def _drop_superseded(facts: list) -> list:
    from pipelines.extractors.develops import is_generic

    specific = {f.slots["org"] for f in facts if f.kind == "develops" and not is_generic(f.slots["what"])}
    broadest: dict[str, object] = {}
    for f in facts:
        if f.kind == "develops" and is_generic(f.slots["what"]):
            kept = broadest.get(f.slots["org"])
            if kept is None or len(f.slots["what"]) > len(kept.slots["what"]):
                broadest[f.slots["org"]] = f
    facts = [f for f in facts if not (f.kind == "develops" and is_generic(f.slots["what"]))
             or broadest.get(f.slots["org"]) is f]
    known_lines = {(f.slots["org"], f.slots["stage"]) for f in facts
                   if f.kind == "production_line" and f.slots["chemistry"] != "unknown"}
    sited = {(f.slots["org"], f.slots["stage"], f.slots["chemistry"]) for f in facts
             if f.kind == "production_line" and f.slots.get("location")}
    facts = [f for f in facts if not (f.kind == "production_line" and not f.slots.get("location") and
                                      (f.slots["org"], f.slots["stage"], f.slots["chemistry"]) in sited)]
    return [f for f in facts
            if not (f.kind == "develops" and is_generic(f.slots["what"]) and f.slots["org"] in specific)
            and not (f.kind == "production_line" and f.slots["chemistry"] == "unknown"
                     and (f.slots["org"], f.slots["stage"]) in known_lines)]


_METHOD_RANK = {"develops-line": 0, "develops-maker": 1, "develops-verb": 2, "develops-table": 3, "develops-list": 4}


def _directness(fact) -> tuple:
    """Direct statements ("ORG runs a sulfide line") before membership in a table or list; then text order."""
    if fact.kind == "patent":
        return (0 if fact.slots.get("assignee") else 1, fact.evidence.start)
    return (_METHOD_RANK.get(fact.evidence.method, 0), fact.evidence.start)


def _identity(fact) -> tuple:
    """Facts that say the same thing within one document are stored once (the first quote wins)."""
    slots = fact.slots
    if fact.kind == "partnership":
        return (fact.kind, tuple(sorted(slots["orgs"])))
    if fact.kind == "develops":
        from pipelines.extractors.production_line import chemistry_of

        return (fact.kind, slots["org"], chemistry_of(slots["what"]) or " ".join(slots["what"].lower().split()))
    if fact.kind == "spec":
        subject = slots.get("subject_org") or slots.get("subject")
        return (fact.kind, subject, slots["quantity"], slots["value"], slots["unit"])
    if fact.kind == "milestone":
        return (fact.kind, slots["subject"], slots["category"], slots["date"])
    if fact.kind == "patent":
        return (fact.kind, slots["number"])
    if fact.kind == "production_line":
        return (fact.kind, slots["org"], slots["stage"], slots["chemistry"], slots.get("location"))
    return (fact.id,)


def _is_first_row(source: SourceDocument, block: int) -> bool:
    return block == 0 or source.blocks[block - 1].kind != "table_row"


def _is_heading(passage: Passage, text: str) -> bool:
    """Markdown headings, and short title-case lines without final punctuation (news sub-heads, "3. Methods")."""
    if passage.block_kind == "heading":
        return True
    if passage.block_kind == "list_item" and not re.match(r"\d{1,2}\.\s", text):
        return False
    if passage.block_kind not in ("paragraph", "list_item") or len(text) > 80 or text.endswith((".", ":", "!", "?", ";")):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'\-]*", text)]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
