"""Production-line facts: who runs a line or plant, at what stage, for which chemistry, with what capacity.

A line is recognised by a line noun with a stage cue ("pilot line", "demonstration line", "lithium-sulfide
plant"), by a production capacity (GWh/year, cells/month, t/year), or by an item listed under a heading about
lines ("Pilot Lines (2026)"). Materials plants count as lines. Stage, chemistry and location are read from the
passage, then from the heading.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.model import Fact
from pipelines.extractors.base import PassageContext, Span
from pipelines.extractors.cues import (clauses, cues, find, first_label, is_agent, is_modifier, nearest_label,
                                       preceded_by, segments)
from pipelines.quantities import annual_energy

_CAPACITY_UNITS = {"cells/month", "cells/week", "MWh/year", "GWh/year", "GWh", "t/year"}


@lru_cache(maxsize=65536)
def chemistry_of(text: str) -> str | None:
    return first_label(text, cues("chemistry"))


_SITED = re.compile(r"\s+(?:\w+\s+){0,3}?(?:in|at|near|outside|located in|based in)\s+(?:the\s+)?$")


@lru_cache(maxsize=1)
def _qualifies_other_noun() -> re.Pattern:
    nouns = "|".join(cues("production_line", "not_sited_nouns"))
    lines = "|".join(cues("production_line", "line_nouns"))
    return re.compile(rf"\s+(?:{nouns})\b(?!(?:\s+[\w\-]+){{0,2}}?\s+(?:{lines})\b)")


def _location(ctx: PassageContext, org: Span, anchor: int | None = None) -> str | None:
    places = [s for s in ctx.of_type("Location") if s.start >= org.start - 2
              and not _qualifies_other_noun().match(ctx.text, s.end)]
    if not places:
        return None
    # "a Yokohama pilot line": a place that qualifies the line is its site
    qualifier = next((p for p in places if anchor is not None and p.end <= anchor and p.start > org.end
                      and re.fullmatch(r"\s+(?:[a-z][\w\-]*\s+){0,2}", ctx.text[p.end:anchor])), None)
    if qualifier is not None:
        return qualifier.name
    # "a mass production line in Salzgitter": the line's own site, before the organisation's home
    first = next((p for p in places if anchor is not None and p.start > anchor
                  and _SITED.search(ctx.text, max(anchor, p.start - 40), p.start)), None)
    if first is not None:
        sited = [first]
        for p in places:
            if p.start > sited[-1].start and re.fullmatch(r",\s*|\s+and\s+", ctx.text[sited[-1].end:p.start]):
                sited.append(p)
        places = sited
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
    """A table cell such as "Pilot line (Samsung, Toyota)": those organisations run lines of the row's chemistry.
    A row whose cell names a line ("S-Line pilot line, Suwon") without organisations is the line of the row's
    organisation (its label column); chemistry and place come from the row."""
    facts = []
    stages = cues("production_line", "stages")
    label = ctx.text.strip("| ").split("|")[0]
    for start, end, _ in find(ctx.text, cues("production_line", "line_nouns")):
        cell_start, cell_end = _cell(ctx, start)
        cell = ctx.text[cell_start:cell_end]
        stage = first_label(cell, stages)
        orgs = [o for o in ctx.of_type("Organization") if cell_start <= o.start < cell_end]
        row_org = False
        if not orgs:
            orgs = [o for o in ctx.of_type("Organization") if o.end <= cell_start][:1]
            row_org = True
        if not stage or not orgs:
            continue
        chemistry = chemistry_of(label) or (chemistry_of(ctx.text) if row_org else None) or "unknown"
        places = [p.name for p in ctx.of_type("Location") if cell_start <= p.start < cell_end] if row_org else []
        for org in orgs:
            slots = {"org": org.name, "stage": stage, "chemistry": chemistry, "capacity": None,
                     "location": places[0] if places else None}
            facts.append(ctx.fact("production_line", slots, "production-line-table", 0.7, [("org", org)]))
    return facts


def _stage_from_heading(heading: str) -> str | None:
    """A heading about lines gives their stage only when it names exactly one ("Pilot Lines (2026)")."""
    found = [label for label, phrases in cues("production_line", "stages").items() if find(heading, phrases)]
    return found[0] if len(found) == 1 else None


def _capacity(quantity) -> dict | None:
    if quantity is None:
        return None
    quantity = annual_energy(quantity)
    return {"value": quantity.value, "unit": quantity.unit}


def _line(ctx: PassageContext, org: Span, anchor: int, heading_stage: str | None, capacity,
          confidence: float, clause: tuple[int, int] | None = None) -> Fact | None:
    start, end = clause or (0, len(ctx.text))
    stage = nearest_label(ctx.text[start:end], cues("production_line", "stages"), anchor - start) or heading_stage
    if stage is None and capacity is not None:
        stage = "commercial"
    if stage is None:
        return None
    chemistry = chemistry_of(ctx.text) or chemistry_of(ctx.heading or "") or "unknown"
    slots = {"org": org.name, "stage": stage, "chemistry": chemistry,
             "capacity": _capacity(capacity),
             "location": _location(ctx, org, anchor)}
    return ctx.fact("production_line", slots, "production-line-rules", confidence, [("org", org)])


def _each_line(ctx: PassageContext, actors: list[Span], anchors: list[int], clause_start: int,
               end: int) -> list[Fact]:
    """Several lines in one clause: each takes the stage and place written around it."""
    owners = [o for o in actors if clause_start <= o.start < anchors[0]]
    if not owners:
        return []
    facts = []
    bounds = anchors[1:] + [end]
    for i, (anchor, limit) in enumerate(zip(anchors, bounds)):
        window_start = anchors[i - 1] if i else clause_start
        stage = nearest_label(ctx.text[window_start:limit], cues("production_line", "stages"), anchor - window_start)
        if stage is None:
            continue
        places = [s.name for s in ctx.of_type("Location") if anchor <= s.start < limit]
        slots = {"org": owners[-1].name, "stage": stage,
                 "chemistry": chemistry_of(ctx.text) or chemistry_of(ctx.heading or "") or "unknown",
                 "capacity": None, "location": places[0] if places else None}
        facts.append(ctx.fact("production_line", slots, "production-line-rules", 0.7, [("org", owners[-1])]))
    return facts


def _agent(ctx: PassageContext, orgs: list[Span], anchor: int, end: int) -> Span | None:
    """The passive voice's agent after the line: "a pilot line was commissioned by ORG", "… operated by ORG"."""
    return next((o for o in orgs if anchor < o.start < end and is_agent(ctx.text, o)), None)


def _referent(ctx: PassageContext, anchor: int) -> Span | None:
    """"The pilot line is designed to …": a definite line with no organisation in its sentence is the line of
    the organisation the previous sentences are about."""
    if ctx.of_type("Organization") or ctx.antecedent is None:
        return None
    if re.search(r"\b(?:the|this|that|its|their)\s+(?:[\w\-]+\s+){0,3}$", ctx.text[max(0, anchor - 60):anchor], re.I):
        return ctx.antecedent
    return None


def extract(ctx: PassageContext) -> list[Fact]:
    if "production_line" not in ctx.memo:
        ctx.memo["production_line"] = _extract(ctx)
    return ctx.memo["production_line"]


def _extract(ctx: PassageContext) -> list[Fact]:
    if ctx.passage.block_kind == "table_row":
        return _table_lines(ctx)
    text = ctx.text
    heading = ctx.heading or ""
    heading_is_lines = bool(find(heading, cues("production_line", "line_nouns")))
    heading_stage = _stage_from_heading(heading) if heading_is_lines else None
    capacities = [q for q in ctx.quantities if q.unit in _CAPACITY_UNITS]
    orgs = ctx.of_type("Organization")
    facts = []
    for clause_start, clause_end in clauses(text):
        if not find(text[clause_start:clause_end], cues("production_line", "line_nouns")) and \
                not any(clause_start <= q.start < clause_end for q in capacities):
            continue
        for start, end in segments(ctx, clause_start, clause_end):
            lines = find(text[start:end], cues("production_line", "line_nouns"))
            caps = [q for q in capacities if start <= q.start < end]
            if not lines and not caps:
                continue
            anchors = [start + lines[0][0]] if lines else [caps[0].start]
            # "activated a pilot line in 2017 and has operated a gigafactory in Taiwan since 2024": two lines
            anchors += [start + a for a, _, _ in lines[1:] if re.search(
                r"\band\s+(?:\w+\s+){0,3}$|;\s*$", text[start + lines[0][1]:start + a])]
            skip = cues("milestone", "non_subject_prepositions")
            actors = [o for o in orgs if not preceded_by(text, o, skip) and not is_modifier(text, o)]
            if len(anchors) > 1:
                facts.extend(_each_line(ctx, actors, anchors, clause_start, end))
                continue
            anchor = anchors[0]
            local = [o for o in actors if start <= o.start < anchor] or [o for o in actors
                                                                        if clause_start <= o.start < anchor]
            org = (local[-1] if local else None) or (orgs[0] if orgs and orgs[0].start < anchor else None) \
                or _agent(ctx, orgs, anchor, clause_end) or ctx.topic_org or _referent(ctx, anchor) \
                or (ctx.antecedent if not orgs else None)
            if org is None:
                continue
            fact = _line(ctx, org, anchor, heading_stage, caps[0] if caps else (capacities[0] if capacities else None),
                         0.8 if local else 0.6, (start, end))
            if fact:
                facts.append(fact)
    labelled = ctx.passage.block_kind == "list_item" and orgs and re.match(
        r"[\s\-*•]*\**[^:]{0,60}\**\s*:", text) and orgs[0].start <= 6
    if not facts and heading_is_lines and heading_stage and labelled:
        fact = _line(ctx, orgs[0], orgs[0].end, heading_stage, capacities[0] if capacities else None, 0.6)
        if fact:
            facts.append(fact)
    return facts
