"""All entity mentions of a document: lexicon, formulas, abbreviations and detectors, overlaps resolved.

Two passes: the first reads every passage for names that define themselves (a legal suffix, an apposition,
"X (SF)"), so that later plain mentions of the same name in the document are recognised too; the second finds
and resolves mentions passage by passage. Longer spans win; at equal length the more trusted recogniser wins.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from kg.model import Mention
from pipelines.entities.abbreviations import find_definitions, find_reversed_definitions
from pipelines.entities.chemicals import find_chemical_names, find_composed_materials, find_elemental_materials
from pipelines.entities.formulas import find_formulas, parse_formula
from pipelines.entities.gazetteer import Entry, Gazetteer, domain_gazetteer, organisation_by_casefold
from pipelines.entities.organizations import (find_organizations, fold_legal_name, is_organisation_name,
                                              stop_capitalised)
from pipelines.entities.persons import find_persons
from pipelines.entities.places import find_admin_places, find_owned_sites, is_site_name, short_place_name
from pipelines.entities.products import (find_coined_materials, find_named_processes, find_named_products,
                                         find_product_synonyms, find_products)
from pipelines.schemas import load_schema
from pipelines.normalize import NormalizedText, singular

_TRUST = {"site-detector": 4, "place-detector": 4, "list-member": 1, "material-detector": 2, "coordination": 1, "gazetteer": 5,
          "formula": 4, "patent-number": 6, "document-lexicon": 3, "abbreviation": 3, "org-detector": 2,
          "person-detector": 2, "product-detector": 2, "statistical-ner": 0, "chemical-name": 3, "process-detector": 1}


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-")


def entity_key(type_: str, name: str, attrs: dict | None = None) -> str:
    """Stable identity: a material with a formula is its reduced composition; others their canonical name."""
    attrs = attrs or {}
    prefix = {"Organization": "org", "Material": "mat", "Process": "proc", "Product": "prod",
              "Location": "loc", "Person": "person", "Patent": "patent"}[type_]
    if type_ == "Material" and attrs.get("reduced_formula"):
        return f"mat:{attrs['reduced_formula']}"
    if type_ == "Patent":
        return f"patent:{name}"
    return f"{prefix}:{slug(name)}"


def material_class(atoms: dict[str, float]) -> str:
    """Class of a compound from its elements, for formulas that are in no lexicon."""
    els = set(atoms)
    if "S" in els and "O" not in els:
        return "sulfide"
    if els & {"Cl", "Br", "I", "F"} and not els & {"O", "S"}:
        return "halide"
    if {"P", "O"} <= els:
        return "phosphate"
    if {"C", "O"} <= els and atoms.get("O", 0) >= 3 * atoms.get("C", 1):
        return "carbonate"
    if "O" in els:
        return "oxide"
    if "N" in els:
        return "nitride"
    return "other"


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    type: str
    name: str
    method: str
    confidence: float
    attrs: tuple = ()

    @property
    def rank(self) -> tuple:
        return (self.end - self.start, _TRUST.get(self.method, 1), self.confidence)


@dataclass
class DocumentLexicon:
    """Names a document defines for itself, recognised wherever they recur in that document."""

    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    entries: dict[str, Entry] = field(default_factory=dict)

    def add(self, surface: str, entry: Entry) -> None:
        if surface not in self.entries and len(surface) >= 2:
            self.entries[surface] = entry
            self.gazetteer.add(surface, entry)


@lru_cache(maxsize=65536)
def _lexicon_entry(name: str) -> Entry | None:
    """The domain entry whose surface form is exactly `name`, if any."""
    for hit in domain_gazetteer().find(name):
        if hit.start == 0 and hit.end == len(name):
            return hit.entry
    return None


@lru_cache(maxsize=1)
def _vehicle_heads() -> frozenset[str]:
    return frozenset(h.lower() for h in load_schema("detectors")["vehicle_heads"])


def _product_attrs(name: str, head: str | None) -> tuple:
    """A vehicle when its noun is a vehicle's ("Kestrel Aurora EVs"); made by the known maker its name starts
    with ("Dodge …")."""
    attrs = []
    if head and head.lower() in _vehicle_heads():
        attrs.append(("kind", "vehicle"))
    for hit in domain_gazetteer().find(name):
        if hit.start == 0 and hit.entry.type == "Organization" and hit.end < len(name):
            attrs.append(("org", hit.entry.name))
            break
    return tuple(attrs)


def _known_organisation(name: str) -> Entry | None:
    """"QuantumScape Battery", "QingTao (KunShan) Energy Development", "Beijing WeLion New Energy Technology": a
    known organisation's name with generic words, its seat before it or in parentheses is that organisation."""
    from pipelines.entities.statistical import generic_org_words

    words = re.sub(r"\s*\([^)]*\)", "", name).split()
    while len(words) > 1 and (entry := _lexicon_entry(words[0])) is not None and entry.type == "Location":
        words.pop(0)  # "Beijing WeLion New Energy Technology": a seat before the name
    if (entry := organisation_by_casefold().get(" ".join(words).casefold())) is not None:
        return entry  # "Gotion High-tech" is "Gotion High-Tech"
    generic = generic_org_words() | {"Development", "Holding", "Holdings", "New"}
    while len(words) > 1 and words[-1] in generic:
        words.pop()
        entry = _lexicon_entry(" ".join(words)) or organisation_by_casefold().get(" ".join(words).casefold())
        if entry is not None and entry.type == "Organization":
            return entry
    return None


def _chemical_entry(name: str) -> Entry | None:
    """A long form that is wholly a formula ("Li7La3Zr1.75Nb0.25Al0.1O12 (LLZNbO)") or a chemical name
    ("ethylene carbonate (EC)") as a Material entry, so that its abbreviation is that material."""
    formulas = [f for f in find_formulas(name) if f[0] == 0 and f[1] == len(name)]
    if formulas:
        surface = formulas[0][2]
        return Entry("Material", surface, (("formula", surface), ("reduced_formula", formulas[0][3]),
                                           ("class", material_class(parse_formula(surface) or {}))))

    hits = [h for h in find_chemical_names(name) if h[0] == 0 and h[1] == len(name)]
    if not hits:
        return None
    return Entry("Material", _lower_first(name), (("class", hits[0][3]), ("role", "other")))


def _lower_first(name: str) -> str:
    """"Ethylene carbonate" at a sentence start is the material "ethylene carbonate"; "LiTFSI" stays."""
    return name[0].lower() + name[1:] if name[:1].isupper() and name[1:2].islower() else name


def build_document_lexicon(texts: list[str]) -> DocumentLexicon:
    lexicon = DocumentLexicon()
    for text in texts:
        for start, end, name, detector, conf in find_organizations(text):
            if detector in ("legal", "legal-cjk", "academic", "apposition", "listing"):
                folded = fold_legal_name(name)
                entry = _lexicon_entry(folded) or _known_organisation(folded) or Entry(
                    "Organization", folded, (("detector", detector),))
                lexicon.add(name, entry)
                lexicon.add(folded, entry)
        for _, _, name in find_persons(text):
            if _lexicon_entry(name) is None:
                lexicon.add(name, Entry("Person", name))
        for name, other in find_product_synonyms(text):
            entry = _lexicon_entry(name) or _lexicon_entry(other) or Entry("Product", name)
            if entry.type == "Product":
                lexicon.add(name, entry)
                lexicon.add(other, entry)
        for _, _, name in find_admin_places(text):
            # "Hokuto City" once, "Hokuto" later: the town without its unit
            short = short_place_name(name)
            if _lexicon_entry(name) is None and short and _lexicon_entry(short) is None:
                lexicon.add(short, Entry("Location", name))
        for definition in find_definitions(text) + find_reversed_definitions(text):
            _, _, long_form, _, _, short = definition
            entry = _lexicon_entry(long_form) or _lexicon_entry(short)
            if entry is None:
                entry = lexicon.entries.get(long_form) or _chemical_entry(long_form)
            if entry is None and is_organisation_name(long_form):
                entry = Entry("Organization", long_form, (("detector", "abbreviation"),))
            if entry is not None:
                lexicon.add(short, entry)
                lexicon.add(long_form, entry)
    lexicon.gazetteer.freeze()
    return lexicon


@lru_cache(maxsize=1)
def _motif_after() -> re.Pattern:
    """What follows a formula that is a crystal's building block: a motif noun, maybe after more formulas."""
    nouns = "|".join(load_schema("detectors")["formula_motif_nouns"])
    return re.compile(rf"(?:\s*(?:,|and|or)\s*[\w()\.\-]+){{0,3}}\s*(?:\d?[+\-−–]\s*)?\s+(?:{nouns})\b")


def find_candidates(text: str, lexicon: DocumentLexicon) -> list[Candidate]:
    cands: list[Candidate] = []
    for source, method in ((domain_gazetteer(), "gazetteer"), (lexicon.gazetteer, "document-lexicon")):
        for hit in source.find(text):
            cands.append(Candidate(hit.start, hit.end, hit.entry.type, hit.entry.name, method,
                                   1.0 if method == "gazetteer" else 0.8, hit.entry.attrs))
    stoplist = set(load_schema("detectors")["formula_stoplist"])
    for start, end, surface, reduced in find_formulas(text):
        if surface in stoplist or _motif_after().match(text, end):
            continue
        cands.append(Candidate(start, end, "Material", surface, "formula", 0.9, (("reduced_formula", reduced),)))
    for start, end, name, material_class in find_chemical_names(text):
        cands.append(Candidate(start, end, "Material", singular(_lower_first(name)), "chemical-name", 0.75,
                               (("class", material_class), ("role", "other"))))
    from pipelines.extractors.production_line import chemistry_of  # the extractors import this module

    for start, end, name, role in find_composed_materials(text):
        if _lexicon_entry(name) is None:
            cands.append(Candidate(start, end, "Material", singular(_lower_first(name)), "chemical-name", 0.65,
                                   (("class", chemistry_of(name) or "other"), ("role", role))))
    for start, end, name, material_class, role in find_elemental_materials(text):
        cands.append(Candidate(start, end, "Material", name, "chemical-name", 0.6,
                               (("class", material_class), ("role", role))))
    for start, end, name, role in find_coined_materials(text):
        if _lexicon_entry(name) is not None:
            continue
        cands.append(Candidate(start, end, "Material", singular(name), "material-detector", 0.7,
                               (("class", "other"), ("role", role))))
    cands.extend(_coordinated(text, cands))
    for start, end, name, detector, conf in find_organizations(text):
        folded = fold_legal_name(name)
        known = next((e for e in (lexicon.entries.get(name), lexicon.entries.get(folded))
                      if e is not None and e.type == "Organization" and e.name != folded), None) \
            or _known_organisation(folded)
        cands.append(Candidate(start, end, "Organization", known.name if known else folded, "org-detector", conf,
                               known.attrs if known else (("detector", detector),)))
    for start, end, name in find_persons(text):
        cands.append(Candidate(start, end, "Person", name, "person-detector", 0.75))
    for start, end, name in find_admin_places(text):
        cands.append(Candidate(start, end, "Location", name, "place-detector", 0.8))
    for start, end, name in find_owned_sites(text):
        cands.append(Candidate(start, end, "Location", name, "site-detector", 0.7, (("kind", "site"),)))
    orgs = [(c.start, c.end, c.name) for c in cands if c.type == "Organization" and c.method == "gazetteer"]
    for start, end, name, head in find_named_products(text):
        if _lexicon_entry(name) is None:
            cands.append(Candidate(start, end, "Product", singular(name), "product-detector", 0.6,
                                   _product_attrs(name, head)))
    for start, end, name in find_named_processes(text):
        if _lexicon_entry(name) is None:
            cands.append(Candidate(start, end, "Process", singular(name), "process-detector", 0.6))
    for start, end, name, maker in find_products(text, orgs):
        attrs = (("org", maker),) if maker else ()
        cands.append(Candidate(start, end, "Product", name, "product-detector", 0.7, attrs))
    from pipelines.readers.patent import find_patent_numbers

    for start, end, number in find_patent_numbers(text):
        cands.append(Candidate(start, end, "Patent", number, "patent-number", 1.0))
    return cands


_NAME_WORD = r"(?:[A-Z][\w&'.\-]*|[a-z]+[A-Z][\w\-]*)"
# "the private equity firm Shunwei Capital": an item may be glossed by lower-case words before its name
_LIST_ITEM = rf"(?:the\s+(?:[a-z][\w\-]*\s+){{0,3}})?{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|of|&)){{0,4}}"
_NAME_LIST = re.compile(rf"{_LIST_ITEM}(?:\s*,\s*{_LIST_ITEM})+,?\s+(?:and|or)\s+{_LIST_ITEM}")
_ITEM = re.compile(_LIST_ITEM)


def organisation_names(texts: list[str], found: list[list[Candidate]]) -> set[str]:
    """Every way a document writes its organisations: as written, canonical, without generic words ("Zentra" of
    "Zentra Motor")."""
    from pipelines.entities.statistical import generic_org_words

    names = set()
    for text, cands in zip(texts, found):
        for c in cands:
            if c.type == "Organization":
                words = c.name.split()
                while len(words) > 1 and words[-1] in generic_org_words():
                    words.pop()
                names |= {text[c.start:c.end], c.name, " ".join(words)}
    return names


def site_names(text: str, cands: list[Candidate], owners: set[str]) -> set[str]:
    """Organisation candidates that name a site an organisation owns (see `places.is_site_name`)."""
    return {c.name for c in cands if c.type == "Organization" and c.method != "gazetteer"
            and is_site_name(c.name, text, c.start, owners)}


def as_sites(cands: list[Candidate], names: set[str]) -> list[Candidate]:
    """The organisation candidates named as sites, retyped as places (they outrank the organisation reading)."""
    return [Candidate(c.start, c.end, "Location", c.name, "site-detector", c.confidence, (("kind", "site"),))
            for c in cands if c.type == "Organization" and c.name in names]


def listed_organisations(text: str, cands: list[Candidate]) -> list[Candidate]:
    """"investors include GM, Hyundai, SK, Vertex and Temasek": in a list that is mostly organisations, the other
    names are organisations too."""
    out = []
    for m in _NAME_LIST.finditer(text):
        items = [i for i in _ITEM.finditer(text, m.start(), m.end())]
        typed = [[c for c in cands if c.start < i.end() and i.start() < c.end] for i in items]
        # the model's guess of a place may be wrong among companies ("Iberdrola"); a lexicon's place is not
        is_org = [any(c.type == "Organization" and c.method != "statistical-ner" for c in t)
                  or bool(t) and all(c.type == "Organization" for c in t) for t in typed]
        blocked = any(c.type != "Organization" and c.method != "statistical-ner" for t in typed for c in t)
        orgs = sum(is_org)
        if blocked or orgs < 2 or orgs < len(items) / 2:
            continue
        for item, org in zip(items, is_org):
            if org:
                continue
            lead = re.match(r"the\s+(?:[a-z][\w\-]*\s+)*", item.group())
            start = item.start() + (lead.end() if lead else 0)
            name = text[start:item.end()].rstrip(".")
            if name not in stop_capitalised():
                out.append(Candidate(start, start + len(name), "Organization", name, "list-member", 0.55))
    return out


_CONJUNCT = r"[a-z][\w\-]*"
_LIST = rf"{_CONJUNCT}(?:\s*,\s*{_CONJUNCT})*,?\s+(?:or|and|and/or)\s+{_CONJUNCT}"


@lru_cache(maxsize=1)
def _coordination_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    table = load_schema("detectors")
    heads = "|".join(table["coordination_heads"])
    kinds = "|".join(table["class_based_heads"])
    return (re.compile(rf"\b({_LIST})\s+((?:(?:solid|solid-state|solid state|inorganic)\s+)?(?:{heads}))\b"),
            re.compile(rf"\b({heads})\s*\(({_LIST}[^()]{{0,40}})\)"),
            re.compile(rf"\b({_LIST}|{_CONJUNCT})[\s-]based\s+(?:{kinds})\b", re.I))


def _coordinated(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Conjuncts that share a head noun: "sulfide, oxide or halide electrolytes", "electrolyte (sulfide, oxide
    or polymer)", and battery kinds named by their electrolyte class ("sulfide and oxide based cells")."""
    after, before, based = _coordination_patterns()
    found: list[tuple[re.Match, int, str]] = []
    if " and" in text or " or " in text:  # the patterns are costly; most passages list nothing
        found += [(m, 1, m.group(2)) for m in after.finditer(text)]
        found += [(m, 2, m.group(1)) for m in before.finditer(text)]
    if "based" in text.lower():
        found += [(m, 1, "electrolyte") for m in based.finditer(text)]
    out = []
    for m, group, head in found:
        for word in re.finditer(_CONJUNCT, m.group(group), re.I):
            if word.group() in ("and", "or", "and/or"):
                continue
            # "oxide or sulfide solid electrolytes": the conjunct with the whole head, else with its noun
            entry = _lexicon_entry(f"{word.group().lower()} {head}") or \
                _lexicon_entry(f"{word.group().lower()} {head.split()[-1]}")
            start, end = m.start(group) + word.start(), m.start(group) + word.end()
            if entry is not None and entry.type in ("Material", "Process"):
                out.append(Candidate(start, end, entry.type, entry.name, "coordination", 0.7, entry.attrs))
    return out + _listed_processes(text, cands)


@lru_cache(maxsize=1)
def _non_process_gerunds() -> frozenset[str]:
    return frozenset(load_schema("detectors")["non_process_gerunds"])


_GERUND = r"([a-z]{3,}ing)"
_LISTED_AFTER = re.compile(rf"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+){_GERUND}(?=\s*(?:,|and\b|or\b|[.;)]|$))")
_LISTED_BEFORE = re.compile(rf"(?<![\w\-]){_GERUND}\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)$")


def _listed_processes(text: str, cands: list[Candidate]) -> list[Candidate]:
    """"slurry preparation, coating and rolling": a gerund listed with a known process is a process too."""
    out = []
    for c in cands:
        if c.type != "Process" or c.method != "gazetteer":
            continue
        after = _LISTED_AFTER.match(text, c.end)
        before = _LISTED_BEFORE.search(text, max(0, c.start - 30), c.start)
        for m in (after, before):
            if m and m.group(1) not in _non_process_gerunds() and _lexicon_entry(m.group(1)) is None:
                out.append(Candidate(m.start(1), m.end(1), "Process", m.group(1), "coordination", 0.55))
    return out


def statistical_candidates(texts: list[str], found: list[list[Candidate]],
                           headings: list[bool]) -> list[list[Candidate]]:
    """The statistical recogniser's names for the passages where the rules left a capitalised word unexplained
    (in headings only places: capitalised common words fool the model, but "Samsung SDI: the S-Line in Suwon"
    names a place). A name that is a known organisation's plus generic words ("Volkswagen Group", "X Battery, Inc.")
    is that organisation."""
    from pipelines.entities.statistical import (generic_org_words, is_title_case, lowercase_words, needs_model,
                                                recognise, typed_names)

    common = lowercase_words(texts)
    todo = [i for i, (text, cands, heading) in enumerate(zip(texts, found, headings))
            if not (heading and is_title_case(text, common))
            and needs_model(text, [(c.start, c.end) for c in cands], common, heading)]
    out: list[list[Candidate]] = [[] for _ in texts]
    for i, entities in zip(todo, recognise([texts[i] for i in todo])):
        for start, end, kind, name in typed_names(texts[i], entities, common):
            if headings[i] and kind != "Location":
                continue  # a capitalised heading looks like a name to the model; its places are still places
            attrs: tuple = ()
            if kind == "Organization":
                name = fold_legal_name(name)
                known = next((c for c in found[i] if c.type == "Organization" and start <= c.start
                              and c.end <= end), None)
                if known is not None and _is_body_of(name):
                    continue  # "the Board of Management of Mercedes-Benz Group AG" is Mercedes-Benz's
                if known is not None and set(re.findall(r"[\w\-]+", name)) - set(known.name.split()) \
                        <= generic_org_words():
                    name, attrs = known.name, known.attrs
            out[i].append(Candidate(start, end, kind, name, "statistical-ner", 0.6, attrs))
    return out


def propagate_names(texts: list[str], found: list[list[Candidate]],
                    model: list[list[Candidate]]) -> list[list[Candidate]]:
    """A place or organisation the model recognised once is that name wherever the document writes it again
    ("… pilot plant in Daejeon" in the headline, "Yuseong-gu, Daejeon" in the body): one sense per document."""
    seen: dict[str, list[Candidate]] = {}
    for cands in model:
        for c in cands:
            if c.type in ("Location", "Organization") and c.name[:1].isupper() and len(c.name) >= 3:
                seen.setdefault(c.name, []).append(c)
    # a name the model typed both ways keeps the type it gave most often, a place on a tie
    names = {name: max(found, key=lambda c: (sum(o.type == c.type for o in found), c.type == "Location"))
             for name, found in seen.items()}
    if not names:
        return model
    alternatives = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w\-])({alternatives})(?![\w\-])")
    out = []
    for text, rules, cands in zip(texts, found, model):
        taken = [(c.start, c.end) for c in rules]
        kept = [c for c in cands if c.name not in names or c.type == names[c.name].type]
        taken += [(c.start, c.end) for c in kept]
        extra = [Candidate(m.start(), m.end(), names[m.group()].type, m.group(), "document-ner", 0.55,
                           names[m.group()].attrs)
                 for m in pattern.finditer(text) if not any(a < m.end() and m.start() < b for a, b in taken)]
        out.append(kept + extra)
    return out


def surnames_as_persons(found: list[list[Candidate]]) -> list[list[Candidate]]:
    """"According to Executive Officer Tetsuji Mishina … Mishina said": a word the document uses as a person's
    surname names that person, whatever type the model gave it."""
    persons = {c.name.split()[-1]: c.name for cands in found for c in cands
               if c.type == "Person" and " " in c.name}
    return [[Candidate(c.start, c.end, "Person", persons[c.name], c.method, c.confidence)
             if c.type != "Person" and c.name in persons and c.method in ("statistical-ner", "document-ner") else c
             for c in cands] for cands in found]


def _is_body_of(name: str) -> bool:
    """"Board of Management of X", "Division of X": a body of an organisation, named by its role."""
    from pipelines.entities.statistical import non_org_heads

    first, _, rest = name.partition(" ")
    return first in non_org_heads() and rest.startswith("of ")


def resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates, the highest ranked first; a lone element symbol inside a person's name ("Li" of
    "Li Hong") is part of the name."""
    persons = [c for c in cands if c.type == "Person"]
    cands = [c for c in cands if not (c.type == "Material" and c.end - c.start <= 2
                                      and any(p.start <= c.start and c.end <= p.end for p in persons))]
    chosen: list[Candidate] = []
    for cand in sorted(cands, key=lambda c: c.rank, reverse=True):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)


def to_mention(cand: Candidate, norm: NormalizedText, offset: int, original: str) -> Mention:
    """A document-level mention: offsets mapped back through the normalisation map."""
    attrs = dict(cand.attrs)
    if cand.type == "Material" and attrs.get("formula") and not attrs.get("reduced_formula"):
        from pipelines.entities.formulas import parse_formula, reduced_formula

        atoms = parse_formula(attrs["formula"])
        if atoms:
            attrs["reduced_formula"] = reduced_formula(atoms)
    if cand.method == "formula":
        from pipelines.entities.formulas import parse_formula

        attrs.setdefault("class", material_class(parse_formula(cand.name) or {}))
        attrs.setdefault("formula", cand.name)
    start, end = norm.span(cand.start, cand.end)
    return Mention(label=cand.type, text=original[start:end], start=offset + start, end=offset + end,
                   key=entity_key(cand.type, cand.name, attrs), name=cand.name, method=cand.method,
                   confidence=cand.confidence, attrs=attrs)
