"""Spec facts: a measured or claimed value with its unit, for a subject (product, material, process …).

The quantity kind comes from the unit, refined by the words around the value ("dew point", "thick",
"charge"); a value whose unit does not fit its kind is dropped. The subject is, in order: the column header of
a table whose row names the quantity, a material/product/process named in the row or clause before the value,
the clause's own noun phrase; the organisation is the one named in the sentence, else the section's topic.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kg.model import Fact
from pipelines.extractors.base import PassageContext, Span, maker_span
from pipelines.extractors.cues import clauses, comma_cuts, cues, find, preceded_by
from pipelines.normalize import singular
from pipelines.quantities import annual_energy, fits, is_currency

_SUBJECT_TYPES = ("Product", "Material", "Process")
_NEGATION = re.compile(r"\b(?:not|never|no longer|fails? to|failed to|cannot|can't|won't)\b", re.I)
_CONTEXT_KIND = (
    ("dew_point", re.compile(r"dew[ -]?point", re.I), {"°C"}),
    ("thickness", re.compile(r"\bthick|thickness|\bthin\b|foil", re.I), {"μm", "nm"}),
    ("charge_time", re.compile(r"charg", re.I), {"min", "h"}),
    ("cost", re.compile(r"\bcost|price|expens|cheaper", re.I), {"×", "USD", "CNY", "USD/kWh", "%"}),
    # energy installed, shipped or sold is an amount, not a plant's yearly output
    ("other", re.compile(r"\binstall|\bshipped|\bshipments?\b|\bsold\b|\bsales\b|\btotall?ed\b|\bdeliveries", re.I),
     {"GWh", "MWh"}),
)
_DEFAULT_KIND = {
    "Wh/kg": "energy_density", "Wh/L": "energy_density", "km": "range", "Ah": "capacity", "kWh": "capacity",
    "mAh/g": "capacity", "S/cm": "ionic_conductivity", "mS/cm": "ionic_conductivity", "cycles": "cycle_life",
    "°C": "temperature", "MPa": "pressure", "kPa": "pressure", "GPa": "pressure", "μm": "other", "nm": "other",
    "V": "voltage", "kW": "power", "C": "power", "cells/month": "production_capacity",
    "cells/week": "production_capacity", "MWh/year": "production_capacity", "GWh/year": "production_capacity",
    "GWh": "production_capacity", "t/year": "production_capacity", "min": "other", "h": "other",
}
_LEAD = re.compile(r"^(?:\*\*[^*]{0,40}\*\*:?|[-•\s]+|\*(?=\s)|[A-Z][\w ]{0,30}:|(?:therefore|thus|however|moreover|"
                   r"furthermore|additionally|also|hence|in addition|in contrast|these|this|that|such),)+", re.I)
_ARTICLE = re.compile(r"^(?:the|a|an|this|that|these|its|their|our)\s+", re.I)
_TAIL = re.compile(r"(?:\s+(?:alone|itself|only|also|too|here|now|currently|already|today))+$|[\s(<>~≈±+*:,-]+$", re.I)
_VERB = re.compile(r"\s+(?:is|are|was|were|has|have|had|reaches?|reached|achieves?|achieved|of|at|with|to|"
                   r"exceeds?|exceeded|can|could|will|would|may|must|should|of up to|up to|offers?|shows?|showed|"
                   r"needs?|requires?|exhibits?|delivers?|provides?|gives?|boasts?|claims?|claimed|runs?|"
                   r"operates?|conducts?|demonstrates?|demonstrated|retains?|retained|enables?|boosts?)\b.*$", re.I)


def quantity_kind(ctx: PassageContext, quantity, clause: str) -> str | None:
    unit = quantity.unit
    for kind, pattern, units in _CONTEXT_KIND:
        if unit in units and (pattern.search(clause) or (ctx.table_header and pattern.search(ctx.text[:40]))):
            return kind
    if unit in ("μm", "nm") and re.search(r"\blayer|film|separator|coating", clause, re.I) and \
            re.search(r"\bthick", ctx.text, re.I):
        return "thickness"
    if is_currency(unit) and _spending(clause):
        return "cost"
    kinds = getattr(quantity, "quantity_kinds", ()) or ()
    return _DEFAULT_KIND.get(unit) or (kinds[0] if kinds else "other")


def _spending(clause: str) -> bool:
    """Money the subject spends: a cost, or an investment in its own plant or line rather than in a stake."""
    if find(clause, cues("spec", "spending")):
        return True
    return bool(find(clause, cues("spec", "investment")) and find(clause, cues("spec", "facilities"))
                and not find(clause, cues("spec", "equity")))


def _window_percent(quantities, q) -> bool:
    """"15–90% in 18 min": the percentages describe the charge window of the time value, not a spec."""
    if q.unit != "%":
        return False
    return any(o is not q and o.unit in ("min", "h") and 0 <= o.start - q.end <= 25 for o in quantities)


_COMPLEMENT = re.compile(r"^.*\b(?:that|whereby|wherein|where)\s+", re.I | re.S)
_COORDINATED = re.compile(r",\s+(?:(?:and|while|whereas|but)\s+)?(?=(?:the|its|their|a|an)\s)", re.I)


def _own_clause_start(text: str, clause_start: int, value_start: int) -> int:
    """"X is between 3% and 9%, and the average pore diameter is between 0.2 and 15 nm": the second value's
    clause starts after the comma when the part before it holds a value of its own and the part after has its
    own subject and verb (an apposition, "X, the leader, reaches …", has no value before the comma)."""
    for m in reversed(list(_COORDINATED.finditer(text, clause_start, value_start))):
        if re.search(r"\d", text[clause_start:m.start()]) and _VERB.search(" " + text[m.end():value_start]):
            return m.end()
    return clause_start


def _phrase_subject(text: str) -> str | None:
    """The clause's own noun phrase before the value: "The solid electrolyte separator layer is 10 μm"."""
    phrase = _COMPLEMENT.sub("", _LEAD.sub("", text)).strip(" ,:;-(")
    phrase = _VERB.sub("", phrase)
    phrase = _ARTICLE.sub("", phrase).strip(" ,:;-()")
    phrase = _TAIL.sub("", phrase.split("(")[0]).strip()
    words = phrase.split()
    if not words or len(words) > 6 or any(ch.isdigit() for ch in phrase) or not words[0][0].isalpha() \
            or words[0].lower().endswith("ing") or "*" in phrase or (len(words) == 1 and len(words[0]) < 6):
        return None
    return singular(" ".join(words))


def _table_subject(ctx: PassageContext, q) -> str | None:
    header = ctx.table_header
    if not header:
        return None
    cells, starts, pos = [], [], 0
    for cell in ctx.text.strip().strip("|").split("|"):
        cells.append(cell.strip())
        starts.append(pos)
        pos += len(cell) + 1
    offset = ctx.text.index(ctx.text.strip().strip("|")[:1]) if ctx.text.strip() else 0
    column = max(i for i, s in enumerate(starts) if s + offset <= q.start) if starts else 0
    row_label = cells[0] if cells else ""
    row_entities = [s for s in ctx.spans if s.type in _SUBJECT_TYPES and s.start < offset + len(cells[0]) + 2]
    label_is_quantity = not row_entities and not ctx.of_type("Organization")
    if label_is_quantity and column < len(header) and column > 0:
        return header[column].strip()
    materials = [s for s in ctx.spans if s.type == "Material"]
    if materials:
        return materials[0].name
    return row_label or None


# units whose quantity is a property of a material or product, not a parameter of a process
_PROPERTIES = {unit for unit, kind in _DEFAULT_KIND.items()
               if kind in ("energy_density", "ionic_conductivity", "capacity", "cycle_life", "range")}


_FOR_THING = re.compile(r"\s+(?:for|of|in)\s+(?:the\s+|a\s+|an\s+)?(?:[\w\-]+\s+){0,2}?", re.I)


def _subject(ctx: PassageContext, q, clause_start: int) -> tuple[str | None, Span | None]:
    table = _table_subject(ctx, q) if ctx.passage.block_kind == "table_row" else None
    if table:
        return table, None
    in_clause = [s for s in ctx.spans if s.type in _SUBJECT_TYPES and clause_start <= s.start and s.end <= q.start
                 and not re.search(r"\b(?:no|without|not|instead of)\s+$", ctx.text[max(0, s.start - 12):s.start])]
    if in_clause and in_clause[-1].type == "Process" and q.unit in _PROPERTIES:
        # "sintered at 1000 °C gives 2 × 10−4 S/cm": a property belongs to the material, a process has parameters
        materials = [s for s in in_clause if s.type != "Process"] or [
            s for s in ctx.spans if s.type in ("Material", "Product") and s.start < q.start]
        if materials:
            return materials[-1].name, materials[-1]
    if in_clause:
        return in_clause[-1].name, in_clause[-1]
    # "stability windows of 1.7–2.1 V for LGPS and LSPS": the thing named right after the value
    named_after = next((s for s in ctx.spans if s.type in ("Material", "Product") and q.end <= s.start
                        and _FOR_THING.fullmatch(ctx.text, q.end, s.start)), None)
    if named_after is not None:
        return named_after.name, named_after
    clause_orgs = [s for s in ctx.of_type("Organization") if clause_start <= s.start and s.end <= q.start]
    if clause_orgs:
        return clause_orgs[-1].name, None
    phrase = _phrase_subject(ctx.text[clause_start:q.start])
    if phrase:
        return phrase, None
    if ctx.topic_thing is not None:
        return ctx.topic_thing.name, ctx.topic_thing
    products = ctx.of_type("Product")
    if products:
        return products[0].name, products[0]
    if ctx.topic_org is not None:
        return ctx.topic_org.name, None
    return None, None


def _subject_org(ctx: PassageContext, q, subject: Span | None, clause: tuple[int, int] | None = None) -> Span | None:
    """The organisation named last before the value; else one named after it before the next comma; else the
    passage's topic, the subject's maker, the antecedent, another organisation of the sentence or the document's
    own organisation (a paper's authors). One in a later clause ("…, and analysts will watch the PowerCo
    agreement") does not own the value."""
    orgs = ctx.of_type("Organization")
    # "received $20 million from ARPA-E, $1 million from the state …": a source does not own the values after it
    before = [o for o in orgs if o.end <= q.start and not preceded_by(ctx.text, o, _SOURCES)]
    if before:
        return before[-1]
    start, end = clause or (0, len(ctx.text))
    end = next((c for c in comma_cuts(ctx.text, q.end, end)), end)
    after = [o for o in orgs if start <= o.start < end]
    if after:
        return after[0]
    if ctx.topic_org is not None:
        return ctx.topic_org
    maker = maker_span(subject) if subject is not None else None
    return maker or ctx.antecedent or (orgs[0] if orgs else None) or ctx.main_org


_SOURCES = ("from", "by", "via", "through")
_NUMBER_LIST = re.compile(r"((?:[-+]?\d+(?:\.\d+)?\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+))+)$")


def respectively(ctx: PassageContext, quantities) -> list[tuple[Span, object]]:
    """"LPSCl and LGPS reach 3 and 12 mS/cm, respectively": one value per subject, in order."""
    if "respectively" not in ctx.text.lower():
        return []
    pairs = []
    for q in quantities:
        listed = _NUMBER_LIST.search(ctx.text[:q.start])
        try:
            scale = q.value / float(q.raw_value)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if not listed:
            continue
        numbers = [float(n) for n in re.findall(r"[-+]?\d+(?:\.\d+)?", listed.group(1))] + [float(q.raw_value)]
        subjects = [s for s in ctx.spans if s.type in _SUBJECT_TYPES and s.end <= listed.start()]
        if len(subjects) < len(numbers):
            continue
        for subject, number in zip(subjects[-len(numbers):], numbers):
            pairs.append((subject, replace(q, value=number * scale, value_max=None, raw_value=f"{number:g}")))
    return pairs


def extract(ctx: PassageContext) -> list[Fact]:
    quantities = [q for q in ctx.quantities if q.unit]
    if not quantities:
        return []
    facts = []
    spans = clauses(ctx.text)
    listed = respectively(ctx, quantities)
    done = {id(q) for q in quantities for _, r in listed if r.start == q.start and r.unit == q.unit}
    for subject, q in listed:
        kind = quantity_kind(ctx, q, ctx.text)
        org = _subject_org(ctx, q, subject)
        slots = {"subject": subject.name, "subject_org": org.name if org else None, "quantity": kind,
                 "value": q.value, "value_max": None, "unit": q.unit, "raw_value": q.raw_value,
                 "raw_unit": q.raw_unit, "comparator": q.comparator}
        facts.append(ctx.fact("spec", slots, "spec-respectively", 0.75, [("subject", subject), ("subject_org", org)]))
    for q in quantities:
        if id(q) in done:
            continue
        if _window_percent(quantities, q):
            continue
        clause_start, clause_end = next(((a, b) for a, b in spans if a <= q.start < b), (0, len(ctx.text)))
        clause_start = _own_clause_start(ctx.text, clause_start, q.start)
        clause = ctx.text[clause_start:clause_end]
        if _NEGATION.search(ctx.text[clause_start:q.start]):
            continue
        kind = quantity_kind(ctx, q, clause)
        if kind is None:
            continue

        if kind != "other" and not fits(q, kind):
            continue
        q = annual_energy(q) if kind == "production_capacity" else q
        subject, subject_span = _subject(ctx, q, clause_start)
        org = _subject_org(ctx, q, subject_span, (clause_start, clause_end))
        if subject is None and org is None:
            continue
        slots = {"subject": subject or (org.name if org else None), "subject_org": org.name if org else None,
                 "quantity": kind, "value": q.value, "value_max": q.value_max, "unit": q.unit,
                 "raw_value": q.raw_value, "raw_unit": q.raw_unit, "comparator": q.comparator}
        if ctx.passage.block_kind == "table_row" and ctx.table_header:
            slots["parameter"] = ctx.text.strip().strip("|").split("|")[0].strip()
        confidence = 0.8 if subject_span is not None or ctx.passage.block_kind == "table_row" else 0.6
        facts.append(ctx.fact("spec", slots, "spec-rules", confidence,
                              [("subject", subject_span), ("subject_org", org)]))
    return facts
