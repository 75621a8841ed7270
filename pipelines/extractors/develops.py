"""Develops facts: an organisation develops, makes or supplies a thing (material, product, process, technology).

Evidence is one of: a development verb with the organisation as subject and the thing after it; a production
line the organisation runs (running a line for X is developing X); a table row whose players column names the
organisation; an item "ORG: …" listed under a heading about players, developers or makers. Mere use or
mention is not development. What is developed is named as the text names it, completed to a technology
("Sulfide-based" → "Sulfide-based solid-state batteries").
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.model import Fact
from pipelines.extractors.base import PassageContext, Span
from pipelines.extractors.cues import clauses, cues, find, preceded_by, segments
from pipelines.normalize import canonical_spelling

_THING_TYPES = ("Material", "Product", "Process")
_ADJECTIVE = re.compile(r"\b((?:all-|semi-)?solid-state|semi-solid|quasi-solid)\b(?!\s+(?:batter|cell))", re.I)
_BATTERY_WORD = re.compile(r"\b(?:batter(?:y|ies)|cells?|packs?)\b", re.I)
_SEGMENT_CUT = re.compile(r"\s+(?:with|at|for|and|in)\s+|\s*[(,;~]|\s+\d")


def default_technology() -> str:
    return cues("develops", "default_technology")


_DETERMINER = re.compile(r"(?:(?:a|an|the|its|their|his|her|our|this|these|those|that|both|some|several|new|"
                         r"one|two|three|four|five|different|various|other|further)\s+)+", re.I)
_PHRASE_WORD = re.compile(r'"[^"\n]{1,80}"|“[^”\n]{1,80}”|\([^()\n]{1,40}\)|[\w][\w\-/.+’\']*')


@lru_cache(maxsize=1)
def _phrase_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    table = cues("develops")
    return (frozenset(table["object_heads"]), frozenset(table["object_stops"]),
            frozenset(table["object_quantifiers"]))


def object_phrase(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The noun phrase that starts at `start`, as written, ending on a head word ("next-generation solid-state
    lithium-metal batteries", "Conformal Wearable Battery (CWB)"): determiners, "two types of" and a verb noun's
    "of" are left out; a preposition, relative or verb ends it; modifiers joined by "and" stay ("sulfide and
    lithium-metal batteries"), two heads joined by "and" do not."""
    heads, stops, quantifiers = _phrase_words()
    at = start
    while True:
        lead = re.match(r"\s*(?:of\s+)?", text[at:end])
        at += lead.end()
        determiner = _DETERMINER.match(text, at, end)
        if determiner:
            at = determiner.end()
        quantity = re.match(r"([\w\-]+)\s+of\s+", text[at:end])
        if quantity and quantity.group(1).lower() in quantifiers:
            at += quantity.end()
            continue
        amount = re.match(r"[\d.,]+\s*[A-Za-z/]+\s+of\s+", text[at:end])  # "0.1 GWh of solid-state batteries"
        if amount:
            at += amount.end()
            continue
        if not lead.end() and not determiner:
            break
    last_head: int | None = None
    phrase_end, words = at, 0
    for m in _PHRASE_WORD.finditer(text, at, end):
        gap = text[phrase_end:m.start()]
        if words and gap.strip():
            break
        word = m.group().rstrip(".")
        lowered = word.lower()
        if word.startswith("("):
            if last_head is None or m.start() != phrase_end + 1:
                break
            last_head = m.end()
            phrase_end = m.end()
            continue
        if lowered in ("and", "or", "&"):
            if last_head is not None:
                break
            phrase_end = m.end()
            continue
        if lowered in stops or words >= 9 or (last_head == phrase_end and lowered not in heads):
            break  # after its head a phrase goes on only with another head ("battery cells", "cell design")
        words += 1
        phrase_end = m.start() + len(word)
        if lowered in heads or word[0] in "\"“":
            last_head = phrase_end
        if word != m.group() or word.endswith(","):
            break
    if last_head is None or " " not in text[at:last_head].strip():
        return None  # a bare head ("the technology") names nothing
    return at, last_head


def names_technology(phrase: str) -> bool:
    """A phrase that says which technology it is: a chemistry, "solid-state", or a name ("Conformal Wearable
    Battery"); "next-generation cells" or "electric vehicles" say nothing an analyst could track."""
    return bool(_ADJECTIVE.search(phrase) or technology_phrase(phrase)
                or any(find(phrase, phrases) for phrases in cues("chemistry").values())
                or re.search(r"(?<![\w\-])[A-Z][\w\-]*[a-z]", phrase[1:]) or phrase[0] in "\"“")


def technology_phrase(text: str) -> str | None:
    """"all-solid-state batteries" as written, or an adjective completed to one ("All-solid-state line")."""
    hits = find(text, cues("develops", "technology_phrases"))
    if hits:
        start, end, _ = hits[0]
        before = re.search(r"([\w\-]+-based|sulfide|oxide|polymer|halide)\s+$", text[max(0, start - 25):start], re.I)
        return (before.group(1) + " " if before else "") + text[start:end]
    adjective = _ADJECTIVE.search(text)
    if adjective:
        return f"{adjective.group(1)} batteries"
    return None


def describe(descriptor: str) -> str:
    """A chemistry descriptor from the text completed to the technology it qualifies."""
    descriptor = descriptor.strip(" .:;*")
    if _BATTERY_WORD.search(descriptor):
        return descriptor
    if re.search(r"(?:semi-solid|solid-state)$", descriptor, re.I):
        return f"{descriptor} batteries"
    return f"{descriptor} {default_technology()}"


def line_technology(ctx: PassageContext, org: Span) -> tuple[str, Span | None]:
    """What a production line of `org` in this passage makes: a product, a chemistry descriptor, a phrase."""
    after = ctx.text[org.end:]
    products = [s for s in ctx.of_type("Product") if s.start >= org.end]
    if products:
        return products[0].name, products[0]
    materials = [s for s in ctx.of_type("Material") if s.start >= org.end
                 and s.attrs.get("role") in ("precursor", "electrolyte") and s.start - org.end < 60]
    if materials:
        return materials[0].name, materials[0]
    chemistry = cues("chemistry")
    for segment in re.split(r"[,;:.]\s+", after.strip(" ():")):
        head = _SEGMENT_CUT.split(segment, maxsplit=1)[0]
        if head and any(find(head, phrases) for phrases in chemistry.values()):
            return describe(head), None
    return technology_phrase(ctx.text) or default_technology(), None


def _fact(ctx: PassageContext, org: Span, what: str, thing: Span | None, confidence: float, method: str) -> Fact:
    if thing is not None and thing.type == "Material" and what == thing.name and not thing.attrs.get("formula"):
        # a class as the text names it ("sulfide-based", "garnet"), with the technology it qualifies when one
        # follows ("sulphide-based all-solid-state batteries")
        qualified = technology_phrase(ctx.text[thing.start:thing.end + 40])
        what = qualified if qualified and ctx.text[thing.start:].startswith(qualified.split()[0]) else \
            " ".join(thing.mention.text.split())
    return ctx.fact("develops", {"org": org.name, "what": canonical_spelling(what)}, method, confidence,
                    [("org", org), ("what", thing)])


def _table_players(ctx: PassageContext) -> list[Fact]:
    header = ctx.table_header or []
    column = next((i for i, h in enumerate(header) if find(h, cues("develops", "list_headings"))), None)
    cells = ctx.text.strip().strip("|").split("|")
    if column is None or column >= len(cells):
        return []
    offset = ctx.text.index(cells[0]) if cells[0] else 0
    start = offset + sum(len(c) + 1 for c in cells[:column])
    end = start + len(cells[column])
    what = describe(cells[0])
    return [_fact(ctx, o, what, None, 0.6, "develops-table") for o in ctx.of_type("Organization")
            if start <= o.start < end]


def _listed_player(ctx: PassageContext) -> list[Fact]:
    """Items of a list under a heading about players/developers: each organisation of the item's label."""
    if ctx.passage.block_kind != "list_item" or not find(ctx.heading or "", cues("develops", "list_headings")):
        return []
    label_end = ctx.text.find(":")
    if label_end < 0 or label_end > 80:
        return []
    label_orgs = [o for o in ctx.of_type("Organization") if o.start < label_end]
    body_orgs = [o for o in ctx.of_type("Organization") if o.start > label_end]
    orgs = label_orgs if label_orgs and not label_orgs[0].start > 6 else body_orgs if not label_orgs else []
    if not orgs and label_orgs:
        orgs = label_orgs
    phrases = find(ctx.text[label_end:], cues("develops", "technology_phrases"))
    what = ctx.text[label_end:][phrases[0][0]:phrases[0][1]] if phrases else default_technology()
    return [_fact(ctx, o, what, None, 0.55, "develops-list") for o in orgs]


# a finite verb before the verb's segment: that segment is a clause of its own with its own subject
_PREDICATE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can)\b"
                        r"|\b\w{3,}ed\s+(?:by|as|to|with|the|a|an|its)\b")
_AUXILIARY = re.compile(r"\s+(?:(?:was|were|is|are|has|have|had|will|would|being|been|be|also|first|jointly)\s*)+$",
                        re.I)
_QUOTED = re.compile(r'"([A-Za-z][\w\- ]{2,60})"')


@lru_cache(maxsize=1)
def _passive_pattern() -> re.Pattern:
    verbs = "|".join(re.escape(v.split()[0]) for v in cues("develops", "passive_verbs"))
    return re.compile(rf"\b(?:{verbs})(?:\s+and\s+\w+)?(?:\s+[\w\-]+ly|\s+in-house|\s+jointly)?\s+by\b")


def _passive(clause: str) -> list[tuple[int, int, str]]:
    """"developed by", "was designed and developed jointly by", "made in-house by": a development verb in the
    passive voice (the verbs of `passive_verbs`)."""
    if " by" not in clause:
        return []
    m = _passive_pattern().search(clause)
    return [(m.start(), m.end(), m.group())] if m else []


def _verb_facts(ctx: PassageContext) -> list[Fact]:
    facts = []
    skip = cues("develops", "non_actor_prepositions")
    for start, end in clauses(ctx.text):
        clause = ctx.text[start:end]
        passive = _passive(clause)
        verbs = passive or find(clause, cues("develops", "verbs"))
        if not verbs:
            continue
        verb_at, verb_end = start + verbs[0][0], start + verbs[0][1]
        orgs = [o for o in ctx.of_type("Organization") if start <= o.start < end]
        if passive:
            subjects = [o for o in orgs if o.start >= verb_end]
            region = (start, verb_at)
        else:
            subjects = [o for o in orgs if o.start < verb_at and not preceded_by(ctx.text, o, skip)]
            # "DOD was lined up as the first customer, …, and ION is building a CWB": the verb's own segment
            own = next(((a, b) for a, b in segments(ctx, start, end) if a <= verb_at < b), None)
            if own and _PREDICATE.search(ctx.text, start, own[0]):
                subjects = [o for o in subjects if own[0] <= o.start] or subjects
            region = (verb_at, end)
        if not subjects and ctx.topic_org and not orgs:
            subjects = [ctx.topic_org]
        things = [s for s in ctx.spans if s.type in _THING_TYPES and region[0] <= s.start < region[1]]
        targets: list[tuple[str, Span | None]] = [(t.name, t) for t in things[:2]]
        phrase = None if passive else object_phrase(ctx.text, verb_end, end)
        inside = [t for t in things if phrase[0] <= t.start < phrase[1]] if phrase else []
        if phrase and (inside or names_technology(ctx.text[phrase[0]:phrase[1]])):
            outside = [(t.name, t) for t in things if not phrase[0] <= t.start < phrase[1]]
            targets = [(ctx.text[phrase[0]:phrase[1]], inside[0] if inside else None), *outside][:2]
        if not targets and passive:
            noun = _AUXILIARY.sub("", ctx.text[start:verb_at].strip(" ,;:*-"))
            noun = re.sub(r"^(?:the|a|an|this|these|its|their)\s+", "", noun.strip(" ,;:*-"), flags=re.I)
            # "The battery system was designed by …", not "The solution proposed by …"
            named = names_technology(noun) or (" " in noun and noun.split()[-1].lower() in _phrase_words()[0])
            if noun and len(noun.split()) <= 6 and not any(c.isdigit() for c in noun) and named:
                targets = [(noun, None)]
        if not targets:
            quoted = _QUOTED.search(ctx.text, region[0], region[1])
            phrase = quoted.group(1) if quoted and quoted.group(1)[0].islower() else \
                technology_phrase(ctx.text[region[0]:region[1]])
            if phrase:
                targets = [(phrase, None)]
        for org in _distinct(subjects)[:3]:
            for what, thing in targets:
                if thing is not None and thing.type == "Product" and thing.attrs.get("org") not in (None, org.name):
                    continue
                facts.append(_fact(ctx, org, what, thing, 0.6, "develops-verb"))
    return facts


def _distinct(spans: list[Span]) -> list[Span]:
    seen: dict[str, Span] = {}
    for s in spans:
        seen.setdefault(s.key, s)
    return list(seen.values())


def _maker_facts(ctx: PassageContext) -> list[Fact]:
    """"Changan's “Golden Bell” pack", or a product whose maker (from the lexicon) is named in the passage."""
    facts = []
    orgs = ctx.of_type("Organization")
    present = {o.name: o for o in orgs}
    if ctx.topic_org is not None:
        present.setdefault(ctx.topic_org.name, ctx.topic_org)
    for thing in ctx.spans:
        if thing.type not in _THING_TYPES:
            continue
        owner = next((o for o in orgs if 0 <= thing.start - o.end <= 12
                      and re.fullmatch(r"'s?\s*\"?\s*", ctx.text[o.end:thing.start])), None)
        if owner is None and thing.type == "Product" and thing.attrs.get("org") in present:
            owner = present[thing.attrs["org"]]
        if owner is not None:
            facts.append(_fact(ctx, owner, thing.name, thing, 0.65, "develops-maker"))
    return facts


def _authors_facts(ctx: PassageContext) -> list[Fact]:
    """"We report a lithium superionic conductor, Li10GeP2S12": a paper's authors develop what they report."""
    facts = []
    for we in ctx.of_type("Organization"):
        if we.mention.method != "coreference" or we.mention.text.lower() != "we":
            continue
        things = [s for s in ctx.spans if s.type in _THING_TYPES and s.start > we.end][:2]
        facts.extend(_fact(ctx, we, t.name, t, 0.6, "develops-authors") for t in things)
    return facts


def _line_facts(ctx: PassageContext) -> list[Fact]:
    from pipelines.extractors.production_line import extract as lines

    out = []
    for line in lines(ctx):
        org = next((s for s in ctx.of_type("Organization") if s.name == line.slots["org"]), ctx.topic_org)
        if org is None:
            continue
        if line.evidence.method == "production-line-table":
            continue
        what, thing = line_technology(ctx, org)
        out.append(_fact(ctx, org, what, thing, 0.6, "develops-line"))
    return out


def extract(ctx: PassageContext) -> list[Fact]:
    if ctx.passage.block_kind == "table_row":
        return _table_players(ctx)
    specific = _line_facts(ctx) + _maker_facts(ctx) + _verb_facts(ctx) + _authors_facts(ctx)
    covered = {f.slots["org"] for f in specific}
    return specific + [f for f in _listed_player(ctx) if f.slots["org"] not in covered]


def is_generic(what: str) -> bool:
    """The bare technology ("solid-state batteries"), which a more specific fact about the same org supersedes."""
    return " ".join(what.lower().split()) in {p.lower() for p in cues("develops", "technology_phrases")}


def assignee_developments(ctx: PassageContext, assignee: str, assignee_key: str) -> list[Fact]:
    """A patent's applicant develops what its title names: the materials and products in it, else the title."""
    things = [s for s in ctx.spans if s.type in ("Material", "Product")]
    what = [(" ".join(t.mention.text.split()), t) for t in _distinct(things)[:3]] or [(ctx.text.strip(" #*"), None)]
    return [ctx.fact("develops", {"org": assignee, "what": name}, "develops-patent", 0.6,
                     [("org", assignee_key), ("what", thing)]) for name, thing in what]
