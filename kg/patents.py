"""Competitor patents: one record per publication number, with its assignee mapped to the company node.

A record joins three things the graph holds: patent facts (a number named in a sentence, with assignee and
topic), Patent entities, and the metadata of patent documents (title, dates, CPC/IPC, claims, family). Linking
a patent to the materials, processes and specs it mentions uses the same nodes that paper and news facts use,
so "who patents sulfide electrolytes" and "who makes them" meet in one graph.

Watch-lists are saved filters whose state (the numbers already reported) persists in the store, so `run`
reports only what is new since that watch-list last ran.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.model import Document, Entity, Fact, Passage
from kg.provenance import Source, documents_by_id, resolve_names, role_key, source_of
from kg.store.cached import entity_of, facts_of_kind
from kg.store.protocol import GraphStore
from pipelines.dates import date_sort_key
from pipelines.entities.organizations import fold_legal_name
from pipelines.readers.patent import applicant_names
from pipelines.schemas import load_schema

WATCH_STATE = "watch-lists"
_NUMBER = re.compile(r"(?P<cc>[A-Z]{2})(?P<body>\d+)(?P<kind>[A-Z]\d?)?")
_COUNTRY_TAG = re.compile(r"\s*\[[A-Z]{2}\]\s*$")


@dataclass
class Assignee:
    raw: str
    key: str | None
    name: str | None


@dataclass
class PatentRecord:
    number: str
    jurisdiction: str
    kind_code: str | None
    assignees: list[Assignee] = field(default_factory=list)
    title: str | None = None
    topics: list[str] = field(default_factory=list)
    abstract: str | None = None
    published: str | None = None
    priority_dates: list[str] = field(default_factory=list)
    application: dict | None = None
    cpc: list[str] = field(default_factory=list)
    ipc: list[str] = field(default_factory=list)
    claim_1: str | None = None
    independent_claims: list[dict] = field(default_factory=list)
    dependent_claims: int = 0
    family_id: str | None = None
    family: list[str] = field(default_factory=list)
    materials: list[dict] = field(default_factory=list)
    processes: list[dict] = field(default_factory=list)
    specs: list[dict] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    first_seen: str | None = None

    @property
    def date(self) -> str | None:
        """Publication date when known, else the earliest date a source reported the patent."""
        return self.published or self.first_seen

    @property
    def summary(self) -> str | None:
        return self.title or (self.topics[0] if self.topics else None)

    @property
    def assignee_names(self) -> list[str]:
        return list(dict.fromkeys(a.name or a.raw for a in self.assignees))

    def to_dict(self) -> dict:
        return {"number": self.number, "jurisdiction": self.jurisdiction, "kind_code": self.kind_code,
                "assignees": [{"raw": a.raw, "key": a.key, "name": a.name} for a in self.assignees],
                "title": self.title, "topics": self.topics, "abstract": self.abstract, "published": self.published,
                "priority_dates": self.priority_dates, "application": self.application, "cpc": self.cpc,
                "ipc": self.ipc, "claim_1": self.claim_1, "independent_claims": self.independent_claims,
                "dependent_claims": self.dependent_claims, "family_id": self.family_id, "family": self.family,
                "materials": self.materials, "processes": self.processes, "specs": self.specs,
                "first_seen": self.first_seen, "sources": [s.to_dict() for s in self.sources], "context": self.context}


def split_number(number: str) -> tuple[str, str | None]:
    """(jurisdiction, kind code) of a normalised number such as "CN118748295A"."""
    match = _NUMBER.fullmatch(number.replace(" ", "").upper())
    if not match:
        return number[:2].upper(), None
    return match["cc"], match["kind"]


# -- assignees ------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _legal_suffix_words() -> frozenset[str]:
    return frozenset(w for s in load_schema("detectors")["legal_suffixes"] for w in re.findall(r"\w+", s.lower()))


def org_fold(name: str) -> str:
    """Comparable form of a company name: case, punctuation, country tags and trailing legal words dropped."""
    words = re.findall(r"\w+", _COUNTRY_TAG.sub("", name).lower())
    while len(words) > 1 and words[-1] in _legal_suffix_words():
        words.pop()
    return " ".join(words)


@lru_cache(maxsize=1)
def _known_organisations() -> dict[str, str]:
    """Folded name or alias (legal and Chinese names included) → canonical organisation name."""
    index: dict[str, str] = {}
    for org in load_schema("organizations"):
        for alias in (org["name"], *org.get("aliases", [])):
            index.setdefault(org_fold(alias), org["name"])
    return index


# -- assembling records ---------------------------------------------------------------------------------------
class _Builder:
    def __init__(self, store: GraphStore):
        self.store = store
        self.documents = documents_by_id(store)
        self.records: dict[str, PatentRecord] = {}
        self._orgs: dict[str, Entity | None] = {}
        self._canonical: dict[str, str | None] = {}
        self.numbers = {e.key: e.name for e in store.entities("Patent")}

    def record(self, number: str) -> PatentRecord:
        if number not in self.records:
            jurisdiction, kind = split_number(number)
            self.records[number] = PatentRecord(number=number, jurisdiction=jurisdiction, kind_code=kind)
        return self.records[number]

    def organisation(self, raw: str) -> tuple[Entity | None, str | None]:
        """The company node and canonical name for an applicant as filed ("CONTEMPORARY AMPEREX … [CN]")."""
        if raw not in self._orgs:
            canonical = _known_organisations().get(org_fold(raw))
            found = [e for e in self.store.find_entities(canonical or fold_legal_name(_COUNTRY_TAG.sub("", raw)),
                                                         type="Organization", limit=5)
                     if org_fold(e.name) == org_fold(canonical or raw)
                     or org_fold(raw) in {org_fold(a) for a in e.aliases}]
            self._orgs[raw] = found[0] if found else None
            self._canonical[raw] = found[0].name if found else canonical
        return self._orgs[raw], self._canonical[raw]

    def add_assignee(self, record: PatentRecord, raw: str | None, key: str | None = None) -> None:
        if not raw and not key:
            return
        entity, name = (entity_of(self.store, key), None) if key else self.organisation(raw or "")
        assignee = Assignee(raw=raw or (entity.name if entity else ""), key=entity.key if entity else None,
                            name=entity.name if entity else name)
        same = next((a for a in record.assignees if assignee.key and a.key == assignee.key), None)
        if same is None:
            if all((a.raw, a.key) != (assignee.raw, assignee.key) for a in record.assignees):
                record.assignees.append(assignee)
        elif same.raw == same.name and assignee.raw != assignee.name:
            same.raw = assignee.raw  # the applicant as written beats the company's short name

    def add_source(self, record: PatentRecord, source: Source) -> None:
        if all(s.fact_id != source.fact_id for s in record.sources):
            record.sources.append(source)
        if source.published and (record.first_seen is None or source.published < record.first_seen):
            record.first_seen = source.published

    def from_fact(self, fact: Fact) -> None:
        record = self.record(str(fact.slots.get("number")))
        self.add_assignee(record, fact.slots.get("assignee"), role_key(fact, "assignee"))
        topic = fact.slots.get("topic")
        if topic and topic not in record.topics:
            record.topics.append(str(topic))
        self.add_source(record, source_of(fact, self.documents))
        paragraph = self._paragraph(fact.evidence.passage_id, fact.evidence.document_id, record.number)
        record.context.extend(p.text for p in paragraph[1:] if p.text not in record.context)
        self.link(record, fact.evidence.document_id, paragraph)

    def from_document(self, doc: Document) -> None:
        meta = doc.metadata or {}
        record = self.record(str(meta["number"]))
        record.title = record.title or meta.get("title") or doc.title
        record.abstract = record.abstract or meta.get("abstract")
        record.published = record.published or meta.get("published") or doc.published
        record.priority_dates = sorted(set(record.priority_dates) | set(meta.get("priority_dates") or []))
        record.application = record.application or meta.get("application") or None
        record.cpc = list(dict.fromkeys([*record.cpc, *(meta.get("cpc") or [])]))
        record.ipc = list(dict.fromkeys([*record.ipc, *(meta.get("ipc") or [])]))
        record.family_id = record.family_id or meta.get("family_id")
        record.family = list(dict.fromkeys([*record.family, *(meta.get("family") or meta.get("family_members") or [])]))
        if meta.get("kind_code") and not record.kind_code:
            record.kind_code = meta["kind_code"]
        claims = [c for c in meta.get("claims") or [] if isinstance(c, dict)]
        if claims and not record.independent_claims:
            independent = [c for c in claims if c.get("depends_on") is None]
            record.independent_claims = [{"number": c.get("number"), "text": c.get("text")} for c in independent]
            record.claim_1 = next((c.get("text") for c in claims if c.get("number") == 1), None)
            record.dependent_claims = len(claims) - len(independent)
        for raw in applicant_names(meta):
            self.add_assignee(record, raw)
        passages = self.store.passages(doc.id)
        front = [p for p in passages if p.section == "front"]
        for key in dict.fromkeys(k for keys in self.store.passage_entities([p.id for p in front]).values()
                                 for k in keys):
            entity = entity_of(self.store, key)
            if entity is not None and entity.type == "Organization":
                used = [a for a in self.store.document_entities(doc.id) if a.key == key]
                raw = (used[0].aliases or [entity.name])[0] if used else entity.name
                self.add_assignee(record, raw, key)
        quoted = next((p for p in passages if p.section == "abstract" and p.block_kind != "heading"), None) or next(
            (p for p in front if record.title and record.title[:40] in p.text), None) or (front or passages or [None])[0]
        if quoted is not None:
            self.add_source(record, Source(document=doc.name, document_id=doc.id, kind=doc.kind,
                                           published=doc.published, quote=quoted.text, start=quoted.start,
                                           end=quoted.end, fact_id=f"document:{doc.id}"))
        self.link(record, doc.id, passages)

    def _paragraph(self, passage_id: str, document_id: str, number: str) -> list[Passage]:
        """The sentence naming the patent and the rest of its paragraph, up to a sentence naming another patent."""
        passages = self.store.passages(document_id)
        index = next((i for i, p in enumerate(passages) if p.id == passage_id), None)
        if index is None:
            return []
        chosen = [passages[index]]
        for previous, current in zip(passages[index:], passages[index + 1:]):
            if current.start - previous.end > 1 or current.block_kind == "heading":
                break
            named = self.store.passage_entities([current.id]).get(current.id, [])
            if any(self.numbers.get(k, number) != number for k in named):
                break
            chosen.append(current)
        return chosen

    def link(self, record: PatentRecord, document_id: str, passages: list[Passage]) -> None:
        ids = {p.id for p in passages}
        for keys in self.store.passage_entities(list(ids)).values():
            for key in keys:
                entity = entity_of(self.store, key)
                if entity is None or entity.type not in ("Material", "Process"):
                    continue
                target = record.materials if entity.type == "Material" else record.processes
                if all(x["key"] != key for x in target):
                    target.append({"key": key, "name": entity.name})
        for fact in self.store.facts(kind="spec", document_id=document_id):
            if fact.evidence.passage_id in ids and all(x["fact_id"] != fact.id for x in record.specs):
                s = fact.slots
                record.specs.append({"fact_id": fact.id, "subject": s.get("subject"), "quantity": s.get("quantity"),
                                     "value": s.get("value"), "value_max": s.get("value_max"),
                                     "unit": s.get("unit"), "quote": fact.evidence.quote})


def patent_records(store: GraphStore) -> list[PatentRecord]:
    """Every patent the graph knows, newest first."""
    builder = _Builder(store)
    for number in builder.numbers.values():
        builder.record(number)
    for doc in builder.documents.values():
        if doc.kind == "patent" and (doc.metadata or {}).get("number"):
            builder.from_document(doc)
    for fact in facts_of_kind(store, "patent"):
        if fact.slots.get("number"):
            builder.from_fact(fact)
    records = _fold_kindless(list(builder.records.values()))
    for record in records:
        record.sources.sort(key=lambda s: (s.published or "", s.document, s.start))
    return sorted(records, key=lambda r: (_date_key(r.date), r.number), reverse=True)


def _fold_kindless(records: list[PatentRecord]) -> list[PatentRecord]:
    """"EP2400812" named in news is "EP2400812A1" when that is the only publication of it the graph knows."""
    by_stem: dict[str, list[PatentRecord]] = {}
    for record in records:
        if record.kind_code:
            by_stem.setdefault(record.number[:len(record.number) - len(record.kind_code)], []).append(record)
    kept = []
    for record in records:
        targets = by_stem.get(record.number, []) if not record.kind_code else []
        if len(targets) != 1:
            kept.append(record)
            continue
        target = targets[0]
        for source in record.sources:
            if all(s.fact_id != source.fact_id for s in target.sources):
                target.sources.append(source)
        target.assignees += [a for a in record.assignees if (a.raw, a.key) not in
                             {(b.raw, b.key) for b in target.assignees}]
        target.topics += [x for x in record.topics if x not in target.topics]
        target.context += [x for x in record.context if x not in target.context]
        for name in ("materials", "processes", "specs"):
            have = getattr(target, name)
            have += [x for x in getattr(record, name) if x not in have]
        dates = [d for d in (target.first_seen, record.first_seen) if d]
        target.first_seen = min(dates) if dates else None
    return kept


def _date_key(date: str | None) -> tuple:
    try:
        return date_sort_key(date) if date else (0, 0, 0, 0)
    except ValueError:
        return (0, 0, 0, 0)


# -- filters --------------------------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return [w.rstrip("s") for w in re.findall(r"[\w\-]+", text.lower()) if len(w) > 2]


def _text_of(record: PatentRecord) -> str:
    parts = [record.title or "", record.abstract or "", record.claim_1 or "", *record.topics,
             *(m["name"] for m in record.materials), *(p["name"] for p in record.processes),
             *(s.quote for s in record.sources), *record.context]
    return " ".join(parts).lower()


def matches(record: PatentRecord, assignee_keys: set[str] | None = None, assignee: str | None = None,
            topic: str | None = None, since: str | None = None, cpc: str | None = None) -> bool:
    if assignee:
        names = " ".join(f"{a.raw} {a.name or ''}" for a in record.assignees).lower()
        if not ({a.key for a in record.assignees} & (assignee_keys or set()) or assignee.lower() in names):
            return False
    if topic:
        text = _text_of(record)
        if not all(re.search(rf"(?<!\w){re.escape(word)}", text) for word in _words(topic)):
            return False
    if since and (record.date is None or _date_key(record.date) < _date_key(since)):
        return False
    if cpc:
        wanted = cpc.replace(" ", "").upper()
        if not any(code.replace(" ", "").upper().startswith(wanted) for code in [*record.cpc, *record.ipc]):
            return False
    return True


def patents(store: GraphStore, assignee: str | None = None, topic: str | None = None, since: str | None = None,
            cpc: str | None = None) -> list[PatentRecord]:
    """Patent records filtered by assignee (name, alias or legal name), topic words, date and CPC/IPC prefix."""
    keys = resolve_names(store, [assignee], type="Organization") if assignee else None
    return [r for r in patent_records(store) if matches(r, keys, assignee, topic, since, cpc)]


# -- watch-lists ----------------------------------------------------------------------------------------------
class WatchError(ValueError):
    """An unknown or duplicate watch-list name."""


def _watch_lists(store: GraphStore) -> dict[str, dict]:
    return dict((store.get_state(WATCH_STATE) or {}).get("lists", {}))


def add_watch(store: GraphStore, name: str, assignee: str | None = None, topic: str | None = None,
              cpc: str | None = None, replace: bool = False) -> dict:
    if not any((assignee, topic, cpc)):
        raise WatchError("a watch-list needs at least one of assignee, topic or cpc")
    lists = _watch_lists(store)
    if name in lists and not replace:
        raise WatchError(f"watch-list {name!r} exists")
    lists[name] = {"assignee": assignee, "topic": topic, "cpc": cpc, "seen": [], "last_run": None}
    store.put_state(WATCH_STATE, {"lists": lists})
    return {"name": name, **lists[name]}


def list_watches(store: GraphStore) -> list[dict]:
    return [{"name": name, **{k: v for k, v in spec.items() if k != "seen"}, "seen": len(spec.get("seen", []))}
            for name, spec in sorted(_watch_lists(store).items())]


def remove_watch(store: GraphStore, name: str) -> None:
    lists = _watch_lists(store)
    if lists.pop(name, None) is None:
        raise WatchError(f"no watch-list named {name!r}")
    store.put_state(WATCH_STATE, {"lists": lists})


@dataclass
class WatchRun:
    name: str
    previous_run: str | None
    new: list[PatentRecord]
    known: int

    def to_dict(self) -> dict:
        return {"name": self.name, "previous_run": self.previous_run, "known": self.known,
                "new": [r.to_dict() for r in self.new]}


def run_watch(store: GraphStore, name: str, now: str | None = None) -> WatchRun:
    """Patents matching the watch-list that it has not reported before; remembers them for the next run."""
    lists = _watch_lists(store)
    spec = lists.get(name)
    if spec is None:
        raise WatchError(f"no watch-list named {name!r}")
    found = patents(store, assignee=spec.get("assignee"), topic=spec.get("topic"), cpc=spec.get("cpc"))
    seen = set(spec.get("seen", []))
    new = [r for r in found if r.number not in seen]
    lists[name] = {**spec, "seen": sorted(seen | {r.number for r in found}),
                   "last_run": now or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    store.put_state(WATCH_STATE, {"lists": lists})
    return WatchRun(name=name, previous_run=spec.get("last_run"), new=new, known=len(found) - len(new))


__all__ = ["Assignee", "PatentRecord", "WatchError", "WatchRun", "add_watch", "list_watches", "matches",
           "patent_records", "patents", "remove_watch", "run_watch", "split_number"]
