"""Develops facts: an organisation develops, makes or supplies a thing (material, product, process, technology).

Evidence is a development verb linking the organisation to the thing in one clause, a list item "ORG: …
technology", a table row whose players column names the organisation, or a list under a heading about
developers. Mere use or mention is not development.
"""
from __future__ import annotations

import re

from kg.model import Fact
from pipelines.extractors.base import PassageContext, Span
from pipelines.extractors.cues import clauses, cues, find

_THING_TYPES = ("Material", "Product", "Process")


def _technology(text: str) -> str | None:
    hits = find(text, cues("develops", "technology_phrases"))
    if not hits:
        return None
    start, end, _ = hits[0]
    qualifier = re.search(r"([\w\-]+(?:-based)?)\s*$", text[max(0, start - 20):start])
    phrase = text[start:end]
    if qualifier and qualifier.group(1).lower().endswith(("-based", "sulfide", "oxide", "polymer", "halide")):
        phrase = f"{qualifier.group(1)} {phrase}"
    return phrase


def _fact(ctx: PassageContext, org: Span, what: str, thing: Span | None, confidence: float) -> Fact:
    return ctx.fact("develops", {"org": org.name, "what": what}, "develops-rules", confidence,
                    [("org", org), ("what", thing)])


def _table_players(ctx: PassageContext) -> list[Fact]:
    header = [h.lower() for h in ctx.table_header or []]
    column = next((i for i, h in enumerate(header) if find(h, cues("develops", "list_headings"))), None)
    if column is None:
        return []
    cells = ctx.text.strip().strip("|").split("|")
    if column >= len(cells):
        return []
    offset = ctx.text.index(cells[0]) if cells[0] else 0
    start = offset + sum(len(c) + 1 for c in cells[:column])
    end = start + len(cells[column])
    label = cells[0].strip()
    materials = [s for s in ctx.of_type("Material") if s.start < start]
    what = label + (f" ({materials[0].name})" if materials else "")
    return [_fact(ctx, o, what, materials[0] if materials else None, 0.6)
            for o in ctx.of_type("Organization") if start <= o.start < end]


def extract(ctx: PassageContext) -> list[Fact]:
    if ctx.passage.block_kind == "table_row":
        return _table_players(ctx)
    facts: list[Fact] = []
    verbs = cues("develops", "verbs")
    seen: set[tuple[str, str]] = set()
    for start, end in clauses(ctx.text):
        clause = ctx.text[start:end]
        orgs = [o for o in ctx.of_type("Organization") if start <= o.start < end]
        verb_hits = find(clause, verbs)
        things = [s for s in ctx.spans if s.type in _THING_TYPES and start <= s.start < end]
        technology = _technology(clause)
        if not verb_hits and not (orgs and technology and ctx.passage.block_kind == "list_item"):
            continue
        subjects = [o for o in orgs if not verb_hits or o.start - start <= verb_hits[0][0] + 60] or (
            [ctx.topic_org] if ctx.topic_org and verb_hits else [])
        targets: list[tuple[str, Span | None]] = [(t.name, t) for t in things if t.type != "Process" or verb_hits]
        if technology:
            targets.append((technology, None))
        for org in subjects[:3]:
            for what, thing in targets[:2]:
                if thing is not None and thing.type == "Product" and thing.attrs.get("org") not in (None, org.name):
                    continue
                if (org.key, what) not in seen:
                    seen.add((org.key, what))
                    facts.append(_fact(ctx, org, what, thing, 0.6 if verb_hits else 0.5))
    return facts
