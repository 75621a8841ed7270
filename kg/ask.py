"""Evidence-backed answers: a parsed question runs one graph query for its intent; every answer carries quotes.

An answer must satisfy every constraint the question states (stage, chemistry, year, organisation, quantity);
answers are ranked by support, the number of independent documents behind them. When no intent fits, hybrid
search finds the best passages and their facts name the answers.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from kg.model import Entity, Fact
from kg.questions import Question, parse_question
from kg.store.cached import document_names, entity_of, facts_of_kind, pinned
from kg.store.protocol import GraphStore
from pipelines.extractors.cues import cues, find
from pipelines.extractors.production_line import chemistry_of


@dataclass
class Evidence:
    document: str
    quote: str
    start: int
    end: int


@dataclass
class Answer:
    answer: str
    kind: str
    evidence: list[Evidence] = field(default_factory=list)
    score: float = 0.0
    documents: set[str] = field(default_factory=set, repr=False)
    quoted: set[tuple[str, int]] = field(default_factory=set, repr=False)


@dataclass
class Result:
    question: str
    intent: str
    answers: list[Answer]
    slots: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"question": self.question, "intent": self.intent, "slots": self.slots,
                "answers": [{"answer": a.answer, "kind": a.kind, "score": round(a.score, 3),
                             "evidence": [asdict(e) for e in a.evidence]} for a in self.answers]}


class Answers:
    """Collects answers with their supporting facts; support = distinct documents, then number of quotes."""

    def __init__(self, store: GraphStore):
        self.store = store
        self.items: dict[str, Answer] = {}

    def document_name(self, document_id: str) -> str:
        return document_names(self.store).get(document_id, document_id)

    def add(self, answer: str | None, kind: str, fact: Fact | None = None, *, passage=None,
            weight: float = 1.0) -> None:
        if not answer:
            return
        item = self.items.setdefault(answer.lower(), Answer(answer=answer, kind=kind))
        if fact is not None:
            ev = fact.evidence
            document, quote, start, end = ev.document_id, ev.quote, ev.start, ev.end
        elif passage is not None:
            document, quote, start, end = passage.document_id, passage.text, passage.start, passage.end
        else:
            return
        if (document, start) not in item.quoted:
            item.quoted.add((document, start))
            item.evidence.append(Evidence(self.document_name(document), quote, start, end))
        item.documents.add(document)
        item.score = len(item.documents) + 0.1 * (len(item.evidence) - 1) + 0.01 * weight

    def ranked(self, limit: int | None = None) -> list[Answer]:
        out = sorted(self.items.values(), key=lambda a: (-a.score, a.answer.lower()))
        return out[:limit] if limit else out


def _fact_entities(fact: Fact, role: str | None = None) -> set[str]:
    return {k for r, k in fact.entities if role is None or r == role}


def _org_names(store: GraphStore, keys: Iterable[str]) -> list[str]:
    names = []
    for key in keys:
        entity = entity_of(store, key)
        if entity is not None and entity.type == "Organization":
            names.append(entity.name)
    return names


def format_quantity(value: float, unit: str, value_max: float | None = None) -> str:
    def number(x: float) -> str:
        if abs(x) >= 1000 and float(x).is_integer():
            return f"{int(x):,}"
        return f"{x:g}"

    glue = "" if unit in ("°C", "%", "×", "C") else " "
    if 0 < abs(value) < 1e-3:  # "2–3 × 10⁻⁴ S/cm", as papers write small conductivities
        exponent = math.floor(math.log10(abs(value)))
        power = "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        mantissa = f"{value / 10 ** exponent:.3g}"
        if value_max is not None and value_max != value:
            mantissa += f"–{value_max / 10 ** exponent:.3g}"
        return f"{mantissa} × {power} {unit}"
    text = f"{number(value)}{glue}{unit}"
    if value_max is not None and value_max != value:
        text += f" to {number(value_max)}{glue}{unit}"
    return text


def _matches_chemistry(fact: Fact, chemistry: str | None, field_names: tuple[str, ...]) -> bool:
    if not chemistry:
        return True
    return any((fact.slots.get(name) or "") == chemistry or chemistry_of(str(fact.slots.get(name) or "")) == chemistry
               for name in field_names)


# -- handlers -------------------------------------------------------------------------------------------------
def _in_places(store: GraphStore, fact: Fact, places: list[Entity]) -> bool:
    """"lines … in Japan": the line's site names the place or a place in that country, or its organisation is
    from that country; a region ("in Europe") stands for its countries."""
    if not places:
        return True
    if _site_in(fact.slots.get("location") or "", places):
        return True
    names = _place_names(places)
    countries = {str((entity_of(store, key) or Entity(key, "", "")).attrs.get("country") or "").lower()
                 for role, key in fact.entities if role == "org"}
    return bool(countries & names)


def _place_names(places: list[Entity]) -> set[str]:
    """The places' names and aliases, and the countries of the regions among them, lower-cased."""
    from pipelines.entities.gazetteer import region_countries

    names = {n.lower() for p in places for n in [p.name, *p.aliases]}
    return names | {c.lower() for p in places for c in region_countries().get(p.name, ())}


def _site_in(site: str, places: list[Entity]) -> bool:
    """The site names one of the places, or a place in one of their countries or regions."""
    from pipelines.entities.gazetteer import countries_in

    names = _place_names(places)
    return any(re.search(rf"\b{re.escape(n)}\b", site.lower()) for n in names) or \
        bool({c.lower() for c in countries_in(site)} & names)


def line_operators(store: GraphStore, q: Question, out: Answers) -> None:
    orgs = {e.key for e in q.of_type("Organization")}
    places = q.of_type("Location")
    for fact in facts_of_kind(store, "production_line"):
        s = fact.slots
        if not _in_places(store, fact, places):
            continue
        if q.stages and s.get("stage") not in q.stages:
            continue
        if q.chemistry and s.get("chemistry") != q.chemistry:
            continue
        if orgs and not orgs & _fact_entities(fact):
            continue
        out.add(s.get("org"), "Organization", fact)


def line_capacity(store: GraphStore, q: Question, out: Answers) -> None:
    orgs = {e.key for e in q.of_type("Organization")}
    candidates = []
    for fact in facts_of_kind(store, "production_line"):
        s = fact.slots
        if not s.get("capacity") or (orgs and not orgs & _fact_entities(fact)):
            continue
        fit = (not q.stage or s.get("stage") == q.stage) + (not q.chemistry or s.get("chemistry") == q.chemistry)
        candidates.append((fit, fact, format_quantity(s["capacity"]["value"], s["capacity"]["unit"])))
    for fact in facts_of_kind(store, "spec"):
        s = fact.slots
        if s.get("quantity") == "production_capacity" and (not orgs or orgs & _fact_entities(fact)):
            candidates.append((0, fact, format_quantity(s["value"], s["unit"], s.get("value_max"))))
    if candidates:
        best = max(c[0] for c in candidates)
        for fit, fact, text in candidates:
            if fit == best:
                out.add(text, "Value", fact)


def _year_fits(fact: Fact, years: list[int]) -> bool:
    date, end = str(fact.slots.get("date") or ""), str(fact.slots.get("date_end") or "")
    if not date[:4].isdigit():
        return False
    first, last = int(date[:4]), int(end[:4]) if end[:4].isdigit() else int(date[:4])
    return any(first <= y <= last for y in years)


def target_year(store: GraphStore, q: Question, out: Answers) -> None:
    for fact in facts_of_kind(store, "milestone"):
        s = fact.slots
        if s.get("status") != "planned" or not _year_fits(fact, q.years):
            continue
        if q.categories and not _in_categories(fact, q.categories):
            continue
        out.add(s.get("subject"), "Organization", fact)


def _in_categories(fact: Fact, categories: list[str]) -> bool:
    """The milestone's category, or a cue of one of the categories in its event text ("mass-produced lines")."""
    if fact.slots.get("category") in categories:
        return True
    return bool(_event_categories(str(fact.slots.get("event") or "")) & set(categories))


@lru_cache(maxsize=65536)
def _event_categories(event: str) -> frozenset[str]:
    """Every milestone category with a cue in the event text (events repeat across documents, hence the cache)."""
    return frozenset(c for c, words in cues("milestone", "categories").items() if find(event, words))


def _milestones_of(store: GraphStore, q: Question) -> list[Fact]:
    subjects = q.of_type("Organization") or q.of_type("Product")
    facts: list[Fact] = []
    for entity in subjects:
        facts.extend(store.facts(kind="milestone", entity_key=entity.key))
    return facts


def when(store: GraphStore, q: Question, out: Answers) -> None:
    facts = _milestones_of(store, q)
    planned = [f for f in facts if f.slots.get("status") == "planned"] or facts
    chosen = [f for f in planned if f.slots.get("category") in q.categories] if q.categories else planned
    for fact in chosen or planned:
        out.add(str(fact.slots.get("date")), "Value", fact)


def timeline(store: GraphStore, q: Question, out: Answers) -> None:
    for fact in _milestones_of(store, q):
        s = fact.slots
        out.add(f"{s.get('date')} {s.get('status')}: {s.get('event')}", "Value", fact)


def _subject_score(fact: Fact, q: Question, entities: list[Entity]) -> int:
    s = fact.slots
    linked = _fact_entities(fact)
    text = " ".join(str(s.get(k) or "") for k in ("subject", "subject_org", "parameter")).lower()
    score = 0
    for entity in entities:
        names = [entity.name.lower(), *(a.lower() for a in entity.aliases)]
        if entity.key in linked or any(n and n in text for n in names):
            score += 3
    score += sum(1 for word in q.keywords if len(word) > 3 and word in text)
    if q.chemistry and q.chemistry in text:
        score += 2
    return score


def _clause_of_value(fact: Fact) -> str:
    """The comma-delimited piece of the quote that states the value, lower-cased."""
    quote, raw = fact.evidence.quote, str(fact.slots.get("raw_value") or "")
    at = quote.find(raw) if raw else -1
    if at < 0:
        return quote.lower()
    start = max(quote.rfind(c, 0, at) for c in ",;") + 1
    ends = [i for i in (quote.find(c, at + len(raw)) for c in ",;") if i >= 0]
    return quote[start:min(ends) if ends else len(quote)].lower()


def spec_of(store: GraphStore, q: Question, out: Answers) -> None:
    entities = [e for e in q.entities if e.type in ("Organization", "Product", "Material", "Process")]
    # a value stated in a passage or document about the asked-for thing ("It shows 12 mS/cm", under its title)
    stated = [p for e in entities for p in store.entity_passages(e.key)]
    passages, documents = {p.id for p in stated}, {p.document_id for p in stated}
    scored = []
    for fact in facts_of_kind(store, "spec"):
        if q.quantity and fact.slots.get("quantity") != q.quantity:
            continue
        if q.measure and not (fact.slots.get("unit") == q.measure["unit"] and
                              any(w in _clause_of_value(fact) for w in q.measure["quote"])):
            continue
        score = _subject_score(fact, q, entities) + 2 * (fact.evidence.passage_id in passages) + (
            fact.evidence.document_id in documents)
        if score > 0:
            scored.append((score, fact))
    if not scored:
        return
    best = max(score for score, _ in scored)
    for score, fact in scored:
        if score == best:
            s = fact.slots
            out.add(format_quantity(s["value"], s["unit"], s.get("value_max")), "Value", fact)


def spec_threshold(store: GraphStore, q: Question, out: Answers) -> None:
    from pipelines.quantities import convert

    if q.threshold is None:
        return
    limit, unit = q.threshold
    for fact in facts_of_kind(store, "spec"):
        s = fact.slots
        if q.quantity and s.get("quantity") != q.quantity:
            continue
        try:
            value = convert(max(s["value"], s.get("value_max") or s["value"]), s["unit"], unit)
        except (ValueError, KeyError, TypeError):
            continue
        org = s.get("subject_org")
        if org and value >= limit:
            out.add(org, "Organization", fact)


def partners_of(store: GraphStore, q: Question, out: Answers) -> None:
    """Partners of the first organisation named; of the nature asked about ("invested in") when any has it."""
    for entity in q.of_type("Organization")[:1]:
        facts = list(store.facts(kind="partnership", entity_key=entity.key))
        if q.nature:
            facts = [f for f in facts if f.slots.get("nature") == q.nature] or facts
        types = _org_types(q.text)
        for fact in facts:
            for key in _fact_entities(fact) - {entity.key}:
                partner = entity_of(store, key)
                if types and (partner is None or _org_type(partner) not in types):
                    continue  # "Which automaker is … working with?": partners of that kind only
                for name in _org_names(store, [key]):
                    out.add(name, "Organization", fact)


def _develops_matching(store: GraphStore, materials: list[Entity], chemistry: str | None) -> list[Fact]:
    keys = {m.key for m in materials}
    names = [n.lower() for m in materials for n in [m.name, *m.aliases] if len(n) > 2]
    classes = {m.attrs.get("class") for m in materials if m.attrs.get("class") not in (None, "other")}
    def matches(what: str, linked: frozenset[str]) -> bool:
        material_class = None
        for key in linked:
            entity = entity_of(store, key)
            material_class = entity.attrs.get("class") if entity is not None else None
        return bool(keys & linked or any(n in what.lower() for n in names)
                    or (chemistry and (chemistry_of(what) == chemistry or material_class == chemistry))
                    or (classes and material_class in classes))

    verdicts: dict[tuple[str, frozenset[str]], bool] = {}  # what a company develops repeats across documents
    found = []
    for fact in facts_of_kind(store, "develops"):
        subject = (str(fact.slots.get("what") or ""), frozenset(_fact_entities(fact, "what")))
        if subject not in verdicts:
            verdicts[subject] = matches(*subject)
        if verdicts[subject]:
            found.append(fact)
    return found


def supplier_of(store: GraphStore, q: Question, out: Answers) -> None:
    """Makers of the material asked about; for a named customer, those linked to it (a partnership, or the
    customer named in the same sentence); with no material named, only partners and makers named beside the
    customer in a sentence about supply."""
    materials = q.of_type("Material")
    customers = {e.key for e in q.of_type("Organization")}
    constrained = bool(materials or q.chemistry)
    if not constrained and not customers:
        return
    facts = (_develops_matching(store, materials, None if materials else q.chemistry) if constrained
             else facts_of_kind(store, "develops"))
    facts = [f for f in facts if not customers & _fact_entities(f, "org")]
    if customers:
        deals = [f for c in customers for f in store.facts(kind="partnership", entity_key=c)]
        partners = {k for f in deals for k in _fact_entities(f)}
        passages = {p.id for c in customers for p in store.entity_passages(c)}
        supply = cues("partnership", "natures")["supply"]
        linked = [f for f in facts if _fact_entities(f, "org") & partners
                  or (f.evidence.passage_id in passages and (constrained or find(f.evidence.quote, supply)))]
        facts = linked if linked or not constrained else facts
        if not constrained:
            for fact in deals:
                if fact.slots.get("nature") == "supply":
                    for name in _org_names(store, _fact_entities(fact) - customers):
                        out.add(name, "Organization", fact)
    for fact in facts:
        out.add(fact.slots.get("org"), "Organization", fact)


def developers(store: GraphStore, q: Question, out: Answers) -> None:
    materials = q.of_type("Material")
    types = _org_types(q.text)
    constrained = bool(materials or q.chemistry)
    facts = _develops_matching(store, materials, q.chemistry) if constrained else list(facts_of_kind(store, "develops"))
    if q.chemistry:
        facts += [f for f in facts_of_kind(store, "production_line") if f.slots.get("chemistry") == q.chemistry]
    for fact in facts:
        org_keys = _fact_entities(fact, "org")
        if types:
            entities = [entity_of(store, k) for k in org_keys]
            if not any(e is not None and _org_type(e) in types for e in entities):
                continue
        out.add(fact.slots.get("org"), "Organization", fact)


def _org_types(text: str) -> set[str]:
    from pipelines.schemas import load_schema

    table = load_schema("intents")["org_types"]
    return {label for label, words in table.items() if find(text, words)}


def _org_type(entity: Entity) -> str | None:
    if entity.attrs.get("type"):
        return entity.attrs["type"]
    return "university" if "universit" in entity.name.lower() else (
        "institute" if re.search(r"institut|academy|laborator", entity.name, re.I) else None)


_OFFICE = re.compile(r"\b(CN|US|EP|WO|JP|KR|DE|FR|GB|TW)\b(?=[^?]*\b(?:patents?|publications?|applications?|filings?)\b)")


def _offices(q: Question) -> set[str]:
    """"Which CN patent publications …": the patent offices whose numbers the question wants."""
    return set(_OFFICE.findall(q.text))


def patents(store: GraphStore, q: Question, out: Answers) -> None:
    orgs = {e.key for e in q.of_type("Organization")}
    names = {e.name.lower() for e in q.of_type("Organization")}
    offices = _offices(q)
    scored = []
    for fact in facts_of_kind(store, "patent"):
        s = fact.slots
        if offices and str(s.get("number") or "")[:2] not in offices:
            continue
        if orgs and not (orgs & _fact_entities(fact) or str(s.get("assignee") or "").lower() in names):
            continue
        topic = f"{s.get('topic') or ''} {fact.evidence.quote}".lower()
        overlap = sum(1 for word in q.keywords if len(word) > 3 and word.rstrip("s") in topic)
        scored.append((overlap, fact))
    if not scored:
        return
    best = max(score for score, _ in scored)
    for score, fact in scored:
        if score >= max(1, best // 2) or best == 0:
            out.add(fact.slots.get("number"), "Patent", fact)


def _object_words(q: Question) -> list[str]:
    match = re.search(r"\b(?:make|making|produce|producing|fabricate|fabricating|manufacture|manufacturing|form|"
                      r"forming|deposit|depositing|for|of)\s+(?:the\s+|a\s+|an\s+)?([\w\s\-]+?)[?.]?$", q.text, re.I)
    words = re.findall(r"[a-z][a-z\-]+", (match.group(1) if match else q.text).lower())
    return [w for w in words if w in q.keywords]


_PROCESS_KIND = re.compile(r"\b([a-z][a-z\-]{3,})\s+(?:processes|process|techniques|technique|methods|method|steps)\b",
                           re.I)


def _organisation_context(store: GraphStore, org) -> list:
    """Passages about an organisation: those naming it, and, in documents it dominates, those naming no other
    organisation ("… warm isostatic pressing is being applied as a pre-process")."""
    named = store.entity_passages(org.key)
    out = list(named)
    for document_id in {p.document_id for p in named}:
        passages = store.passages(document_id)
        mentioned = store.passage_entities([p.id for p in passages])
        counts: dict[str, int] = {}
        for keys in mentioned.values():
            for key in set(keys):
                if key.startswith("org:"):
                    counts[key] = counts.get(key, 0) + 1
        if counts and max(counts, key=counts.get) == org.key:
            out += [p for p in passages if not any(k.startswith("org:") for k in mentioned.get(p.id, ()))]
    return out


def _entities_in(store: GraphStore, passages: list, entity_type: str):
    """(entity, passage) for each entity of a type that the passages mention."""
    by_id = {p.id: p for p in passages}
    for pid, keys in store.passage_entities(list(by_id)).items():
        for key in keys:
            entity = entity_of(store, key)
            if entity is not None and entity.type == entity_type:
                yield entity, by_id[pid]


def processes_for(store: GraphStore, q: Question, out: Answers) -> None:
    kind = _PROCESS_KIND.search(q.text)
    stem = kind.group(1).lower()[:5] if kind and kind.group(1).lower() not in ("which", "what", "other") else None
    for org in q.of_type("Organization"):
        for entity, passage in _entities_in(store, _organisation_context(store, org), "Process"):
            if not stem or any(stem in n.lower() for n in [entity.name, *entity.aliases]):
                out.add(entity.name, "Process", passage=passage)
    if out.items:
        return
    target = _object_words(q)
    if not target:
        return
    hits = [p for p, _ in store.search_text(" ".join(target), limit=50)
            if all(w.rstrip("s") in p.text.lower() for w in target)]
    sections = {(p.document_id, p.section) for p in hits}
    passages = [p for doc, section in sections for p in store.passages(doc) if p.section == section] + hits
    for entity, passage in _entities_in(store, passages, "Process"):
        out.add(entity.name, "Process", passage=passage)


def materials_by_process(store: GraphStore, q: Question, out: Answers) -> None:
    roles = {r for r in ("coating", "electrolyte", "cathode", "anode", "precursor") if r in q.text.lower()}
    for process in q.of_type("Process"):
        for entity, passage in _entities_in(store, store.entity_passages(process.key), "Material"):
            if not roles or entity.attrs.get("role") in roles:
                out.add(entity.name, "Material", passage=passage)


_ROLES = ("electrolyte", "cathode", "anode", "separator", "coating", "binder")


def materials_of(store: GraphStore, q: Question, out: Answers) -> None:
    """"What electrolyte does Murata's battery use?": materials in the role asked for, in the passages about the
    organisations or products the question names."""
    roles = {r for r in _ROLES if r in q.text.lower()}
    for subject in q.of_type("Organization", "Product"):
        context = _organisation_context(store, subject) if subject.type == "Organization" else \
            store.entity_passages(subject.key)
        for entity, passage in _entities_in(store, context, "Material"):
            if not roles or entity.attrs.get("role") in roles:
                out.add(entity.name, "Material", passage=passage)


def vehicles(store: GraphStore, q: Question, out: Answers) -> None:
    from pipelines.schemas import load_schema

    words = load_schema("intents")["vehicle_cues"] + [c for cat in q.categories
                                                      for c in cues("milestone", "categories")[cat]]
    for product in store.entities("Product"):
        if product.attrs.get("kind") != "vehicle":
            continue
        names = [n.lower() for n in [product.name, *product.aliases]]
        mentioning = store.entity_passages(product.key)
        under_heading = [p for doc in {m.document_id for m in mentioning} for p in store.passages(doc)
                         if p.section and any(n in p.section.lower() for n in names)]
        answer = product.attrs.get("org") if q.answer_type == "Organization" else product.name
        for passage in mentioning + under_heading:
            if answer and find(passage.text, words):
                out.add(answer, q.answer_type, passage=passage)


def event_participants(store: GraphStore, q: Question, out: Answers) -> None:
    table = cues("milestone", "categories")
    words = [w for cat in q.categories for w in table.get(cat, [])]
    for fact in facts_of_kind(store, "milestone"):
        if fact.slots.get("category") in q.categories:
            out.add(fact.slots.get("subject"), "Organization", fact)
    if not words:
        return
    for passage, _ in store.search_text(" ".join(sorted(set(words))), limit=100):
        hits = find(passage.text, words)
        if not hits:
            continue
        keys = store.passage_entities([passage.id])[passage.id]
        orgs = [e for k in keys if (e := entity_of(store, k)) is not None and e.type == "Organization"]
        cue_at = hits[0][0]
        before = [(passage.text.rfind(e.name, 0, cue_at), e.key) for e in orgs]
        before = [b for b in before if b[0] >= 0 and not re.search(r"[;.]", passage.text[b[0]:cue_at])]
        subject = [max(before)[1]] if before else []
        if not subject and not orgs and passage.topic:
            subject = [passage.topic]
        for name in _org_names(store, subject):
            out.add(name, "Organization", passage=passage)


def location_of(store: GraphStore, q: Question, out: Answers) -> None:
    """Where an organisation's line, plant or activity is: the lines' sites first, else the places named in the
    passages that name the organisation with a line or plant."""
    orgs = {e.key for e in q.of_type("Organization")}
    places = q.of_type("Location")  # "its European gigafactory": only sites in that region
    for fact in facts_of_kind(store, "production_line"):
        s = fact.slots
        if not s.get("location") or (orgs and not orgs & _fact_entities(fact)):
            continue
        if (q.stages and s.get("stage") not in q.stages) or (q.chemistry and s.get("chemistry") != q.chemistry):
            continue
        if places and not _site_in(s["location"], places):
            continue
        for place in s["location"].split(", "):
            out.add(place, "Location", fact)
    if out.items or not orgs:
        return
    line_nouns = cues("production_line", "line_nouns")
    for key in orgs:
        passages = [p for p in store.entity_passages(key) if find(p.text, line_nouns)]
        by_id = {p.id: p for p in passages}
        for pid, keys in store.passage_entities(list(by_id)).items():
            for place in keys:
                entity = entity_of(store, place)
                if entity is not None and entity.type == "Location":
                    out.add(entity.name, "Location", passage=by_id[pid])


def _satisfies(q: Question, entity: Entity) -> bool:
    """The constraints a question puts on an answer entity itself: a patent office, a kind of organisation."""
    offices = _offices(q)
    if entity.type == "Patent" and offices and entity.name[:2] not in offices:
        return False
    types = _org_types(q.text)
    known = _org_type(entity) if entity.type == "Organization" else None
    return not (types and known is not None and known not in types)


def _drop_unfit_organisations(store: GraphStore, q: Question, out: Answers) -> None:
    """"Which Japanese carmakers …": an answer whose known kind of organisation is not the one asked for goes."""
    if not _org_types(q.text):
        return
    for key, item in list(out.items.items()):
        if item.kind != "Organization":
            continue
        entity = next((e for e in store.find_entities(item.answer, type="Organization", limit=3)
                       if e.name == item.answer), None)
        if entity is not None and not _satisfies(q, entity):
            del out.items[key]


def entity_fallback(store: GraphStore, q: Question, out: Answers) -> None:
    """The question's intent found nothing in the facts: the best passages by keyword search that also name the
    question's own entities, and the entities of the answer type they mention (best passage first)."""
    if q.answer_type == "Value":
        return
    from kg.search import keyword_ranking

    # keywords only: deterministic and cheap on the question path (no model to load for a question that found nothing)
    hits = [p.id for p, _ in keyword_ranking(store, q.text, 12)]
    named = {e.key for e in q.entities}
    mentioned = store.passage_entities(hits)
    asked = {e.key for e in q.entities if e.type == q.answer_type}
    for rank, pid in enumerate(hits):
        keys = set(mentioned.get(pid, ()))
        if named - asked and not (named - asked) & keys:
            continue
        passage = store.passage(pid)
        for key in sorted(keys - asked):
            entity = entity_of(store, key)
            if entity is not None and entity.type == q.answer_type and passage is not None and _satisfies(q, entity):
                out.add(entity.name, entity.type, passage=passage, weight=1.0 / (rank + 1))


def search_fallback(store: GraphStore, q: Question, out: Answers) -> None:
    """No intent fits: the best passages by hybrid search, and the entities of the answer type they state."""
    try:
        from kg.search import hybrid_search

        hits = [(h.passage_id, h.score) for h in hybrid_search(store, q.text, k=8)]
    except Exception:
        hits = [(p.id, score) for p, score in store.search_text(q.text, limit=8)]
    ids = [pid for pid, _ in hits]
    passages = {pid: store.passage(pid) for pid in ids}
    for pid, keys in store.passage_entities(ids).items():
        for key in keys:
            entity = entity_of(store, key)
            if entity is not None and entity.type == q.answer_type and passages[pid] is not None:
                out.add(entity.name, entity.type, passage=passages[pid])


HANDLERS: dict[str, Callable[[GraphStore, Question, Answers], None]] = {
    "line_operators": line_operators, "line_capacity": line_capacity, "target_year": target_year, "when": when,
    "materials_of": materials_of, "spec_of": spec_of, "spec_threshold": spec_threshold, "partners_of": partners_of, "supplier_of": supplier_of,
    "patents": patents, "processes_for": processes_for, "materials_by_process": materials_by_process,
    "vehicles": vehicles, "event_participants": event_participants, "developers": developers,
    "timeline": timeline, "search": search_fallback, "location_of": location_of,
}
_VALUE_LIMIT = 3


def ask(store: GraphStore, question: str, limit: int = 20) -> Result:
    with pinned(store):
        q = parse_question(store, question)
        out = Answers(store)
        HANDLERS.get(q.intent, search_fallback)(store, q, out)
        if not out.items and q.matched_by == "embedding" and q.intent != "search":
            search_fallback(store, q, out)
        if not out.items:
            entity_fallback(store, q, out)
        _drop_unfit_organisations(store, q, out)
        answers = out.ranked(_VALUE_LIMIT if q.answer_type == "Value" else limit)
    slots = {"entities": [e.name for e in q.entities], "chemistry": q.chemistry, "stage": q.stage, "years": q.years,
             "quantity": q.quantity, "categories": q.categories, "matched_by": q.matched_by}
    return Result(question=question, intent=q.intent, answers=answers, slots=slots)
