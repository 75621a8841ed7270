"""Production-line facts: who runs a line or plant, at what stage, for which chemistry, with what capacity.

A line is recognised by a line noun with a stage cue ("pilot line", "demonstration line", "lithium-sulfide
plant"), by a production capacity (GWh/year, cells/month, t/year), or by an item listed under a heading about
lines ("Pilot Lines (2026)"). Materials plants count as lines. Stage, chemistry and location are read from the
passage, then from the heading.
"""
from __future__ import annotations

from kg.model import Fact
from pipelines.extractors.base import PassageContext, Span
from pipelines.extractors.cues import cues, find, first_label, nearest_label

_CAPACITY_UNITS = {"cells/month", "cells/week", "MWh/year", "GWh/year", "GWh", "t/year"}


def chemistry_of(text: str) -> str | None:
    return first_label(text, cues("chemistry"))


def _location(ctx: PassageContext, org: Span) -> str | None:
    places = [s for s in ctx.of_type("Location") if s.start >= org.start - 2]
    if not places:
        return None
    near = [p for p in places if p.start - org.end <= 3]
    chosen = near or places
    names = []
    for p in chosen:
        if p.name not in names:
            names.append(p.name)
    return ", ".join(sorted(names, key=lambda n: chosen[[c.name for c in chosen].index(n)].start))


def _cell(ctx: PassageContext, position: int) -> tuple[int, int]:
    start = ctx.text.rfind("|", 0, position) + 1
    end = ctx.text.find("|", position)
    return start, end if end >= 0 else len(ctx.text)


def _table_lines(ctx: PassageContext) -> list[Fact]:
    """A table cell such as "Pilot line (Samsung, Toyota)": those organisations run lines of the row's chemistry."""
    facts = []
    stages = cues("production_line", "stages")
    for start, end, _ in find(ctx.text, cues("production_line", "line_nouns")):
        cell_start, cell_end = _cell(ctx, start)
        cell = ctx.text[cell_start:cell_end]
        stage = first_label(cell, stages)
        orgs = [o for o in ctx.of_type("Organization") if cell_start <= o.start < cell_end]
        if not stage or not orgs:
            continue
        chemistry = chemistry_of(ctx.text.strip("| ").split("|")[0]) or "unknown"
        for org in orgs:
            slots = {"org": org.name, "stage": stage, "chemistry": chemistry, "capacity": None, "location": None}
            facts.append(ctx.fact("production_line", slots, "production-line-table", 0.7, [("org", org)]))
    return facts


def extract(ctx: PassageContext) -> list[Fact]:
    if ctx.passage.block_kind == "table_row":
        return _table_lines(ctx)
    text = ctx.text
    stages = cues("production_line", "stages")
    line_hits = find(text, cues("production_line", "line_nouns"))
    capacities = [q for q in ctx.quantities if q.unit in _CAPACITY_UNITS]
    heading = ctx.heading or ""
    heading_is_lines = bool(find(heading, cues("production_line", "line_nouns")))
    if not line_hits and not capacities and not heading_is_lines:
        return []
    orgs = ctx.of_type("Organization")
    anchor = line_hits[0][0] if line_hits else (capacities[0].start if capacities else 0)
    lead = [o for o in orgs if o.start <= anchor]
    org = (lead[0] if lead else None) or ctx.topic_org
    if org is None:
        return []
    stage = nearest_label(text, stages, anchor)
    if stage is None and heading_is_lines:
        stage = first_label(heading, stages)
    if stage is None and capacities:
        stage = "commercial"
    if stage is None or (not line_hits and not capacities and not (heading_is_lines and ctx.topic_org)):
        return []
    if not line_hits and not capacities and org is not ctx.topic_org:
        return []
    chemistry = chemistry_of(text) or (chemistry_of(heading) if heading_is_lines else None) or "unknown"
    capacity = None
    if capacities:
        capacity = {"value": capacities[0].value, "unit": capacities[0].unit}
    slots = {"org": org.name, "stage": stage, "chemistry": chemistry, "capacity": capacity,
             "location": _location(ctx, org)}
    confidence = 0.8 if line_hits and lead else 0.6
    return [ctx.fact("production_line", slots, "production-line-rules", confidence, [("org", org)])]

