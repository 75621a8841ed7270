"""The production-line register: one row per line, merged over every document that mentions it.

A line is identified by its company and site. Mentions without a site join the company's single line of the same
chemistry and stage, or stay a row of their own; two different sites are never merged, because analysts count
lines and a wrongly merged plant hides one. Start date and status come from a dated pilot-line or
mass-production milestone of the same company when there is one, else from the wording of the reporting sentence.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from kg.ask import format_quantity
from kg.model import Entity, Fact
from kg.provenance import Source, documents_by_id, resolve_names, role_key, source_of
from kg.store.cached import entity_of, facts_of_kind
from kg.store.protocol import GraphStore
from pipelines.dates import date_sort_key
from pipelines.extractors.cues import first_label
from pipelines.schemas import load_schema

_STAGE_CATEGORY = {"pilot": "pilot_line", "demo": "pilot_line", "lab": "pilot_line", "mass": "mass_production",
                   "commercial": "mass_production"}
CSV_COLUMNS = ("company", "site", "country", "chemistry", "stage", "capacity", "capacity_unit", "start_date",
               "status", "sources", "quotes")


@dataclass
class Mention:
    """One production-line fact with the site and country read for it."""

    org: str
    org_key: str | None
    site: str | None
    country: str | None
    chemistry: str
    stage: str
    capacity: dict | None
    source: Source


@dataclass
class Line:
    company: str
    org_key: str | None
    site: str | None
    country: str | None
    chemistry: str
    stage: str
    capacity: dict | None
    capacities: list[dict]
    start_date: str | None
    status: str
    status_source: Source | None
    sources: list[Source] = field(default_factory=list)

    @property
    def capacity_text(self) -> str:
        return format_quantity(self.capacity["value"], self.capacity["unit"]) if self.capacity else ""

    def to_dict(self) -> dict:
        return {"company": self.company, "org_key": self.org_key, "site": self.site, "country": self.country,
                "chemistry": self.chemistry, "stage": self.stage, "capacity": self.capacity,
                "capacities": self.capacities, "start_date": self.start_date, "status": self.status,
                "status_source": self.status_source.to_dict() if self.status_source else None,
                "source_count": len({s.document_id for s in self.sources}),
                "sources": [s.to_dict() for s in self.sources]}

    def csv_row(self) -> dict:
        return {"company": self.company, "site": self.site or "", "country": self.country or "",
                "chemistry": self.chemistry, "stage": self.stage,
                "capacity": f"{self.capacity['value']:g}" if self.capacity else "",
                "capacity_unit": self.capacity["unit"] if self.capacity else "", "start_date": self.start_date or "",
                "status": self.status, "sources": len({s.document_id for s in self.sources}),
                "quotes": " | ".join(f"{s.quote} ({s.document})" for s in self.sources)}


# -- reading one mention --------------------------------------------------------------------------------------
class _Places:
    """Location entities by name and key, looked up once per register."""

    def __init__(self, store: GraphStore):
        self.store = store
        self.by_key: dict[str, Entity | None] = {}
        self.by_name: dict[str, Entity | None] = {}

    def key(self, key: str) -> Entity | None:
        if key not in self.by_key:
            entity = entity_of(self.store, key)
            self.by_key[key] = entity if entity is not None and entity.type == "Location" else None
        return self.by_key[key]

    def name(self, name: str) -> Entity | None:
        if name not in self.by_name:
            found = self.store.find_entities(name, type="Location", limit=1)
            self.by_name[name] = found[0] if found and name.lower() in _names(found[0]) else None
        return self.by_name[name]


def _names(entity: Entity) -> set[str]:
    return {n.lower() for n in (entity.name, *entity.aliases)}


def _is_site(entity: Entity | None) -> bool:
    return entity is not None and entity.attrs.get("kind") not in (None, "country", "region")


def _position(text: str, entity: Entity) -> int | None:
    found = [m.start() for n in _names(entity) for m in re.finditer(re.escape(n), text, re.I)]
    return min(found) if found else None


def _site_and_country(store: GraphStore, fact: Fact, places: _Places) -> tuple[str | None, str | None]:
    """The place named in the location slot, else the place in the sentence nearest after the company name."""
    named = [places.name(n.strip()) for n in str(fact.slots.get("location") or "").split(",") if n.strip()]
    named = [e for e in named if e is not None]
    sites = [e for e in named if _is_site(e)]
    if not sites:
        keys = store.passage_entities([fact.evidence.passage_id]).get(fact.evidence.passage_id, [])
        sites = [e for e in (places.key(k) for k in keys) if _is_site(e)]
        if len(sites) > 1:
            quote = fact.evidence.quote
            anchor = quote.lower().find(str(fact.slots.get("org") or "").lower())
            sites.sort(key=lambda e: abs((_position(quote, e) or 0) - max(anchor, 0)))
    site = sites[0] if sites else None
    country = site.attrs.get("country") if site is not None else None
    if country is None:
        country = next((e.attrs.get("country") or e.name for e in named if not _is_site(e)), None)
    return (site.name if site is not None else None), country


def mentions(store: GraphStore) -> list[Mention]:
    documents = documents_by_id(store)
    places = _Places(store)
    found = []
    for fact in facts_of_kind(store, "production_line"):
        s = fact.slots
        site, country = _site_and_country(store, fact, places)
        capacity = s.get("capacity") if isinstance(s.get("capacity"), dict) else None
        found.append(Mention(org=str(s.get("org") or "?"), org_key=role_key(fact, "org"), site=site, country=country,
                             chemistry=str(s.get("chemistry") or "unknown"), stage=str(s.get("stage") or "unknown"),
                             capacity=capacity, source=source_of(fact, documents)))
    return found


# -- merging --------------------------------------------------------------------------------------------------
def _company(m: Mention) -> str:
    return m.org_key or m.org.lower()


def _compatible(a: str, b: str) -> bool:
    return a == b or "unknown" in (a, b)


def group_mentions(found: list[Mention]) -> list[list[Mention]]:
    """Same company and site; site-less mentions join the one line they can only be (same chemistry and stage)."""
    groups: dict[tuple, list[Mention]] = {}
    for m in found:
        if m.site:
            groups.setdefault((_company(m), m.site.lower()), []).append(m)
    siteless = [m for m in found if not m.site]
    for known_first in (True, False):
        for m in list(siteless):
            if (m.chemistry == "unknown") == known_first:
                continue
            fits = [key for key, members in groups.items() if key[0] == _company(m)
                    and any(x.stage == m.stage and _compatible(x.chemistry, m.chemistry) for x in members)]
            exact = [key for key in fits if len(key) == 3 and key[1:] == (m.chemistry, m.stage)]
            if exact:
                groups[exact[0]].append(m)
            elif len(fits) == 1:
                groups[fits[0]].append(m)
            else:
                groups.setdefault((_company(m), m.chemistry, m.stage), []).append(m)
            siteless.remove(m)
    return list(groups.values())


def _latest(members: list[Mention]) -> list[Mention]:
    return sorted(members, key=lambda m: (m.source.published or "", m.source.document, m.source.start), reverse=True)


def _status_from_words(sources: list[Source], org: str) -> tuple[str, Source | None]:
    table = load_schema("line_status")
    for source in sources:
        quote = source.quote
        at = quote.lower().find(org.lower())
        clause = re.split(r"[;|\n]", quote[max(at, 0):])[0][:200] if at >= 0 else quote
        label = first_label(clause, table)
        if label:
            return label.replace("_", " "), source
    return "reported", None


def _start(line_members: list[Mention], milestones: list[tuple[Fact, Source]], other_sites: set[str]
           ) -> tuple[str | None, str | None, Source | None]:
    """(start date, status, source) from the company's pilot-line or mass-production milestone for this stage."""
    stage = Counter(m.stage for m in line_members).most_common(1)[0][0]
    category = _STAGE_CATEGORY.get(stage)
    fitting = [(f, s) for f, s in milestones if f.slots.get("category") == category
               and not any(site in s.quote.lower() for site in other_sites)]
    achieved = [x for x in fitting if x[0].slots.get("status") == "achieved"]
    if achieved:
        fact, source = min(achieved, key=lambda x: date_sort_key(x[0].slots["date"]))
        return fact.slots["date"], "operating", source
    planned = sorted((x for x in fitting if x[0].slots.get("status") == "planned"),
                     key=lambda x: (x[1].published or "", x[1].document), reverse=True)
    if planned:
        fact, source = planned[0]
        return fact.slots["date"], "planned", source
    return None, None, None


def _merge(members: list[Mention], milestones: list[tuple[Fact, Source]], other_sites: set[str]) -> Line:
    latest = _latest(members)
    chemistries = [m.chemistry for m in latest if m.chemistry != "unknown"]
    capacities: list[dict] = []
    for m in latest:
        if m.capacity and m.capacity not in capacities:
            capacities.append(m.capacity)
    sources = sorted({m.source.fact_id: m.source for m in members}.values(),
                     key=lambda s: (s.published or "", s.document, s.start))
    start, status, status_source = _start(members, milestones, other_sites)
    if status is None:
        status, status_source = _status_from_words(list(reversed(sources)), latest[0].org)
    return Line(company=latest[0].org, org_key=latest[0].org_key, site=next((m.site for m in latest if m.site), None),
                country=next((m.country for m in latest if m.country), None),
                chemistry=Counter(chemistries).most_common(1)[0][0] if chemistries else "unknown",
                stage=latest[0].stage, capacity=capacities[0] if capacities else None, capacities=capacities,
                start_date=start, status=status, status_source=status_source, sources=sources)


def register(store: GraphStore, chemistry: str | None = None, stage: str | None = None,
             org: str | None = None) -> list[Line]:
    """Every production line, merged across documents, filtered by chemistry, stage and company."""
    documents = documents_by_id(store)
    groups = group_mentions(mentions(store))
    sites_of: dict[str, set[str]] = {}
    for members in groups:
        for m in members:
            if m.site:
                sites_of.setdefault(_company(m), set()).add(m.site.lower())
    by_org: dict[str, list[tuple[Fact, Source]]] = {}
    lines = []
    for members in groups:
        company = _company(members[0])
        if company not in by_org:
            facts = store.facts(kind="milestone", entity_key=company) if members[0].org_key else (
                f for f in facts_of_kind(store, "milestone") if str(f.slots.get("subject")).lower() == company)
            by_org[company] = [(f, source_of(f, documents)) for f in facts if _dated(f)]
        own = {m.site.lower() for m in members if m.site}
        lines.append(_merge(members, by_org[company], sites_of.get(company, set()) - own))
    wanted = resolve_names(store, [org], type="Organization") if org else set()
    return sorted((line for line in lines
                   if (not chemistry or line.chemistry == chemistry.lower())
                   and (not stage or line.stage == stage.lower())
                   and (not org or line.org_key in wanted or org.lower() in line.company.lower())),
                  key=lambda line: (line.company.lower(), line.site or "", line.chemistry, line.stage))


def _dated(fact: Fact) -> bool:
    try:
        date_sort_key(str(fact.slots.get("date") or ""))
    except ValueError:
        return False
    return True


def to_csv(lines: list[Line]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for line in lines:
        writer.writerow(line.csv_row())
    return buffer.getvalue()


__all__ = ["Line", "Mention", "CSV_COLUMNS", "group_mentions", "mentions", "register", "to_csv"]
