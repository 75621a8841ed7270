"""Conflicting claims and corroboration: where sources disagree, and how many independent ones agree.

Two documents that give the same subject and quantity values further apart than the unit's tolerance
(schemas/tolerances.yaml) disagree; so do two documents that date the same subject's event of the same category
and status in windows that do not overlap. Each side keeps its quotes, because the analyst decides which source to
believe. Corroboration counts, per fact, the distinct documents (by content) stating the same thing and their
kinds: a value in a paper and a patent weighs more than one press release copied twice.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from kg.model import Document, Fact
from kg.provenance import Source, documents_by_id, role_key, source_of
from kg.store.cached import facts_of_kind
from kg.store.protocol import GraphStore
from kg.timeline import Window, overlaps, window
from pipelines.dates import date_sort_key
from pipelines.quantities import convert
from pipelines.schemas import load_schema

_LOWER_BOUNDS = (">", "≥", ">=", "+")
_UPPER_BOUNDS = ("<", "≤", "<=")


# -- values and tolerances ------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def tolerance(unit: str) -> tuple[float, float]:
    """(relative, absolute) allowance for values in `unit`."""
    table = load_schema("tolerances")
    entry = (table.get("units") or {}).get(unit) or table.get("default") or {}
    return float(entry.get("relative", 0.0)), float(entry.get("absolute", 0.0))


@dataclass(frozen=True)
class Interval:
    """What a reported value allows, in one unit: "600+ cycles" is [600, inf), "~400" is approximate."""

    low: float
    high: float
    approximate: bool = False


def interval(slots: dict, unit: str) -> Interval:
    """The value of a spec as an interval in `unit`; ValueError when the units do not convert."""
    value = convert(float(slots["value"]), slots["unit"], unit)
    top = convert(float(slots["value_max"]), slots["unit"], unit) if slots.get("value_max") is not None else value
    low, high = min(value, top), max(value, top)
    comparator = slots.get("comparator") or ""
    if comparator in _LOWER_BOUNDS:
        high = math.inf
    elif comparator in _UPPER_BOUNDS:
        low = -math.inf
    return Interval(low, high, comparator == "~")


def gap(a: Interval, b: Interval) -> float:
    return max(a.low - b.high, b.low - a.high, 0.0)


def disagree(a: Interval, b: Interval, unit: str) -> bool:
    """True when the intervals lie further apart than the unit's tolerance allows."""
    relative, absolute = tolerance(unit)
    finite = [abs(x) for x in (a.low, a.high, b.low, b.high) if math.isfinite(x)]
    allowed = max(relative * max(finite, default=0.0), absolute)
    if a.approximate or b.approximate:
        allowed *= 2
    return gap(a, b) > allowed + 1e-12


# -- statement keys -------------------------------------------------------------------------------------------
def spec_subject(fact: Fact) -> tuple:
    """What a spec is about: the linked subject node, else the company when the subject is the company."""
    s = fact.slots
    subject = role_key(fact, "subject")
    org = role_key(fact, "subject_org")
    if subject is None and org is not None and str(s.get("subject") or "").lower() == str(s.get("subject_org")
                                                                                       or "").lower():
        subject = org
    parameter = str(s.get("parameter") or "").lower() or None
    return (subject or str(s.get("subject") or "").lower(), s.get("quantity"), parameter)


def comparable(fact: Fact) -> bool:
    """Specs whose quantity says what was measured; "other" only with a named parameter."""
    s = fact.slots
    return s.get("value") is not None and bool(s.get("unit")) and (s.get("quantity") != "other"
                                                                   or bool(s.get("parameter")))


def _milestone_key(fact: Fact) -> tuple:
    s = fact.slots
    return (role_key(fact, "subject") or str(s.get("subject") or "").lower(), s.get("category"), s.get("status"))


def _milestone_window(fact: Fact) -> Window | None:
    try:
        return window(str(fact.slots.get("date")), fact.slots.get("date_end") or None)
    except ValueError:
        return None


# -- conflicts ------------------------------------------------------------------------------------------------
@dataclass
class Side:
    """One position in a disagreement, with every source that takes it."""

    value: str
    sources: list[Source] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"value": self.value, "sources": [s.to_dict() for s in self.sources]}


@dataclass
class Conflict:
    kind: str  # spec | milestone
    subject: str
    subject_key: str | None
    what: str  # the quantity (and parameter) or the event category and status
    sides: list[Side]
    difference: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "subject": self.subject, "subject_key": self.subject_key, "what": self.what,
                "difference": self.difference, "sides": [s.to_dict() for s in self.sides]}


def _value_text(slots: dict) -> str:
    from kg.ask import format_quantity

    text = format_quantity(float(slots["value"]), str(slots["unit"]), slots.get("value_max"))
    comparator = slots.get("comparator")
    if comparator == "+":
        return text + "+"
    return f"{comparator}{text}" if comparator else text


def _relative_gap(a: Interval, b: Interval) -> str:
    finite = [abs(x) for x in (a.low, a.high, b.low, b.high) if math.isfinite(x)]
    top = max(finite, default=0.0)
    return f"{100 * gap(a, b) / top:.0f}% apart" if top else "apart"


def spec_conflicts(store: GraphStore, documents: dict[str, Document] | None = None) -> list[Conflict]:
    """Same subject and quantity, different documents, values apart by more than the unit's tolerance."""
    documents = documents if documents is not None else documents_by_id(store)
    groups: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in facts_of_kind(store, "spec"):
        if comparable(fact):
            groups[spec_subject(fact)].append(fact)
    found = []
    for (subject_key, quantity, parameter), facts in groups.items():
        if len({f.evidence.document_id for f in facts}) < 2:
            continue
        unit = facts[0].slots["unit"]
        positions: dict[tuple, list[Fact]] = defaultdict(list)
        intervals: dict[tuple, Interval] = {}
        for fact in facts:
            try:
                iv = interval(fact.slots, unit)
            except (ValueError, KeyError, TypeError):
                continue
            key = (iv.low, iv.high, fact.slots.get("comparator") or "")
            positions[key].append(fact)
            intervals[key] = iv
        keys = sorted(positions, key=lambda k: (k[0], k[1]))
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                docs_a = {f.evidence.document_id for f in positions[a]}
                docs_b = {f.evidence.document_id for f in positions[b]}
                if docs_a == docs_b and len(docs_a) == 1 or not disagree(intervals[a], intervals[b], unit):
                    continue
                sides = [Side(_value_text(positions[k][0].slots),
                              [source_of(f, documents) for f in positions[k]]) for k in (a, b)]
                what = str(quantity) + (f" ({parameter})" if parameter else "")
                found.append(Conflict("spec", str(positions[a][0].slots.get("subject")),
                                      subject_key if ":" in str(subject_key) else None, what, sides,
                                      _relative_gap(intervals[a], intervals[b])))
    return found


def milestone_conflicts(store: GraphStore, documents: dict[str, Document] | None = None) -> list[Conflict]:
    """Same subject, event category and status, dated in windows that do not overlap by different documents."""
    from kg.timeline import describe_shift, shift_months

    documents = documents if documents is not None else documents_by_id(store)
    groups: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in facts_of_kind(store, "milestone"):
        if fact.slots.get("category") not in (None, "other") and _milestone_window(fact) is not None:
            groups[_milestone_key(fact)].append(fact)
    found = []
    for (subject_key, category, status), facts in groups.items():
        by_date: dict[tuple, list[Fact]] = defaultdict(list)
        for fact in facts:
            by_date[(fact.slots["date"], fact.slots.get("date_end") or None)].append(fact)
        dates = sorted(by_date, key=lambda d: (date_sort_key(d[0]), d[1] or ""))
        for i, a in enumerate(dates):
            for b in dates[i + 1:]:
                wa, wb = window(*a), window(*b)
                docs_a = {f.evidence.document_id for f in by_date[a]}
                docs_b = {f.evidence.document_id for f in by_date[b]}
                if overlaps(wa, wb) or (docs_a == docs_b and len(docs_a) == 1):
                    continue
                start, end = shift_months(wa, wb)
                sides = [Side(_date_text(*d), [source_of(f, documents) for f in by_date[d]]) for d in (a, b)]
                found.append(Conflict("milestone", str(by_date[a][0].slots.get("subject")),
                                      subject_key if ":" in str(subject_key) else None, f"{category} ({status})",
                                      sides, describe_shift(start or end)))
    return found


def _date_text(date: str, date_end: str | None) -> str:
    return f"{date}\u2013{date_end}" if date_end and date_end != date else date


def conflicts(store: GraphStore) -> list[Conflict]:
    documents = documents_by_id(store)
    return spec_conflicts(store, documents) + milestone_conflicts(store, documents)


# -- corroboration --------------------------------------------------------------------------------------------
@dataclass
class Support:
    """How many independent documents state what one fact states, and of which kinds."""

    fact_id: str
    kind: str
    statement: str
    documents: int
    kinds: dict[str, int]
    sources: list[Source]
    group: tuple = field(default=(), repr=False)

    def to_dict(self) -> dict:
        return {"fact_id": self.fact_id, "kind": self.kind, "statement": self.statement,
                "documents": self.documents, "kinds": self.kinds, "sources": [s.to_dict() for s in self.sources]}


def statement_key(fact: Fact) -> tuple | None:
    """Facts with equal keys state the same thing (specs additionally need agreeing values)."""
    s = fact.slots
    if fact.kind == "production_line":
        return ("production_line", role_key(fact, "org") or str(s.get("org")).lower(), s.get("stage"),
                s.get("chemistry"))
    if fact.kind == "spec":
        return ("spec", *spec_subject(fact)) if comparable(fact) else None
    if fact.kind == "milestone":
        return ("milestone", *_milestone_key(fact), s.get("date"), s.get("date_end") or None)
    if fact.kind == "partnership":
        orgs = sorted(k for r, k in fact.entities if k.startswith("org:")) or sorted(
            str(o).lower() for o in s.get("orgs") or [])
        return ("partnership", *orgs)
    if fact.kind == "patent":
        return ("patent", s.get("number"))
    if fact.kind == "develops":
        return ("develops", role_key(fact, "org") or str(s.get("org")).lower(),
                role_key(fact, "what") or str(s.get("what")).lower())
    return None


def _statement_text(fact: Fact) -> str:
    s = fact.slots
    if fact.kind == "spec":
        return f"{s.get('subject')} {s.get('quantity')} {_value_text(s)}"
    if fact.kind == "milestone":
        return f"{s.get('subject')} {s.get('category')} {_date_text(s.get('date'), s.get('date_end'))} " \
               f"({s.get('status')})"
    if fact.kind == "production_line":
        return f"{s.get('org')} {s.get('stage')} line ({s.get('chemistry')})"
    if fact.kind == "partnership":
        return " + ".join(str(o) for o in s.get("orgs") or []) + f" ({s.get('nature')})"
    if fact.kind == "patent":
        return f"{s.get('number')} ({s.get('assignee')})"
    return f"{s.get('org')} develops {s.get('what')}"


def corroboration(store: GraphStore) -> dict[str, Support]:
    """Support of every fact: distinct documents (copies with identical content count once) and their kinds."""
    documents = documents_by_id(store)
    facts = list(store.facts())
    groups: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in facts:
        key = statement_key(fact)
        if key is not None:
            groups[key].append(fact)
    out: dict[str, Support] = {}
    for fact in facts:
        key = statement_key(fact)
        peers = groups.get(key, [fact]) if key is not None else [fact]
        if fact.kind == "spec" and key is not None:
            peers = [p for p in peers if _agrees(fact, p)]
        unique: dict[str, Fact] = {}
        for peer in peers:
            doc = documents.get(peer.evidence.document_id)
            unique.setdefault(doc.content_hash if doc else peer.evidence.document_id, peer)
        sources = [source_of(p, documents) for p in unique.values()]
        group = (key, frozenset(unique)) if key is not None else (fact.id,)
        out[fact.id] = Support(fact_id=fact.id, kind=fact.kind, statement=_statement_text(fact),
                               documents=len(unique), kinds=dict(Counter(s.kind for s in sources)), sources=sources,
                               group=group)
    return out


def _agrees(fact: Fact, other: Fact) -> bool:
    unit = fact.slots["unit"]
    try:
        return not disagree(interval(fact.slots, unit), interval(other.slots, unit), unit)
    except (ValueError, KeyError, TypeError):
        return False


def corroborated(store: GraphStore, minimum: int = 2) -> list[Support]:
    """One entry per statement backed by at least `minimum` independent documents, best supported first."""
    best: dict[tuple, Support] = {}
    for support in corroboration(store).values():
        if support.documents >= minimum:
            best.setdefault(support.group, support)
    return sorted(best.values(), key=lambda s: (-s.documents, s.kind, s.statement))


__all__ = ["Conflict", "Interval", "Side", "Support", "conflicts", "corroborated", "corroboration", "disagree",
           "interval", "milestone_conflicts", "spec_conflicts", "statement_key", "tolerance"]
