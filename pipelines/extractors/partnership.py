"""Partnership facts: two organisations and the nature of their link (supply, investment, jv, mou, testing).

Within a clause segment, the organisation nearest before a partnering cue (else the section's topic) pairs
with each organisation named after it; "X–Y partnership" pairs the two names it joins. Research teams of
several institutes that jointly propose or develop something are split into pairs; institutes merely listed
("papers from teams such as …") are not. Links inside one group (a parent and its brand) are not partnerships.
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations

from kg.model import Fact
from pipelines.extractors.base import PassageContext, Span, maker_span
from pipelines.extractors.cues import (POSSESSIVE, clauses, conjoined_run, cues, find, is_backer, nearest_label,
                                       preceded_by, same_group, segments)
from pipelines.entities.coreference import is_subject
from pipelines.entities.organizations import heads_a_title
from pipelines.schemas import load_schema


def _unique(spans: list[Span]) -> list[Span]:
    seen: dict[str, Span] = {}
    for s in spans:
        seen.setdefault(s.key, s)
    return list(seen.values())


# "Umicore, the investment arm of Renault": a unit and its parent are one group
_GROUP_LINK = re.compile(r",?\s+(?:the|a|an|its)\s+(?:[\w\-]+\s+){0,3}(?:arm|unit|subsidiary|division|affiliate|"
                         r"parent|parent company|brand)\s+of\s+(?:the\s+)?")


def _pair(ctx: PassageContext, a: Span, b: Span, nature: str, confidence: float) -> Fact | None:
    if a.key == b.key or same_group(a.name, b.name):
        return None
    left, right = sorted((a, b), key=lambda s: s.start)
    if _GROUP_LINK.fullmatch(ctx.text, left.end, right.start):
        return None
    first, second = sorted((a, b), key=lambda s: s.name)
    return ctx.fact("partnership", {"orgs": [first.name, second.name], "nature": nature},
                    "partnership-rules", confidence, [("org", first), ("org", second)])


def _actors(ctx: PassageContext) -> list[Span]:
    """Organisations, plus the makers of products named without them ("BMW i7 tests …" → BMW); an organisation
    that only names a person's employer ("ARPA-E Director Evelyn Wang") acts for no one."""
    orgs = [o for o in ctx.of_type("Organization") if not heads_a_title(ctx.text, o.end)]
    makers = [m for p in ctx.of_type("Product") if (m := maker_span(p)) is not None
              and not any(o.start <= p.end and p.start <= o.end for o in orgs)]
    return sorted(orgs + makers, key=lambda s: s.start)


def _research_pairs(ctx: PassageContext, orgs: list[Span]) -> list[Fact]:
    academic = [o for o in orgs if o.attrs.get("type") in ("institute", "university")
                or o.attrs.get("detector") == "academic"]
    if len(_unique(academic)) < 2 or not find(ctx.text, cues("partnership", "team_cues")):
        return []
    if not find(ctx.text, cues("partnership", "joint_work_verbs")) or find(ctx.text, cues("partnership",
                                                                                          "listing_cues")):
        return []
    return [f for a, b in combinations(_unique(academic), 2) if (f := _pair(ctx, a, b, "other", 0.6))]


def _joined_pair(ctx: PassageContext, before: list[Span], cue_start: int) -> list[Span]:
    """"Factorial–Philenergy partnership": two names joined by a dash, slash or "and" right before the cue."""
    if len(before) < 2:
        return []
    a, b = before[-2], before[-1]
    joint = ctx.text[a.end:b.start]
    if re.fullmatch(r"\s*(?:[–\-/&x×]|and)\s*", joint) and cue_start - b.end <= 3:
        return [a, b]
    return []


def _conjoined_pairs(ctx: PassageContext, before: list[Span], after: list[Span], cue_start: int,
                     segment_start: int) -> list[tuple[Span, Span]]:
    """"A and B signed a memorandum …", "A, B and C have worked together …", "a joint venture between A and B":
    organisations joined by commas and "and" are partners of each other when the cue names no one else (an
    n-way collaboration is every pair)."""
    text = ctx.text
    groups = []
    if len(before) >= 2 and before[-1].end <= cue_start and len(text[before[-1].end:cue_start]) <= 60:
        members = conjoined_run(ctx, before, before[-1])
        if not (members[0].start < segment_start and segment_start > 0):
            groups.append(members)
    if len(after) >= 2 and re.search(r"\b(?:between|of|among)\s+(?:the\s+)?$",
                                     text[max(0, after[0].start - 12):after[0].start]):
        groups.append(conjoined_run(ctx, after, after[0], forward=True))
    groups = [_unique(g) for g in groups if len(_unique(g)) >= 2]
    return [pair for g in groups[:1] for pair in combinations(g, 2)]


@lru_cache(maxsize=1)
def _plural_anaphor() -> re.Pattern:
    phrases = sorted(load_schema("detectors")["anaphora"]["plural"], key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.I)


def _plural_pair(ctx: PassageContext, start: int, end: int, cue: int, actors: list[Span]) -> list[Span]:
    """"The two companies set up a joint lab", "they formed a joint venture, X", "a joint lab was set up by the
    two companies": with no partner named before the cue or the plural, it stands for the first two organisations
    the previous sentence named."""
    plural = _plural_anaphor().search(ctx.text, start, end)
    if plural is None or any(start <= o.start < min(cue, plural.start()) and o.mention.method != "coreference"
                             for o in actors):
        return []
    named = _unique(ctx.previous_orgs)
    return named[:2] if len(named) >= 2 else []


_PERSON_AFTER = re.compile(r"\s+[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+\b")


def _job_title(ctx: PassageContext, start: int, end: int) -> bool:
    """"Toyota Ventures partner Lisa Coca": a cue word between an organisation and a person's name is the
    person's job, not a tie between organisations."""
    person = _PERSON_AFTER.match(ctx.text, end)
    if person is None or any(o.start <= end + 1 < o.end for o in ctx.of_type("Organization")):
        return False
    return any(0 <= start - o.end <= 1 for o in ctx.of_type("Organization")) or \
        any(p.start == person.start() + 1 for p in ctx.of_type("Person"))


@lru_cache(maxsize=1)
def _nature_phrases() -> list[str]:
    """Every partnering cue in one list, so a clause with none is passed over in one search."""
    return [p for phrases in cues("partnership", "natures").values() for p in phrases]


def extract(ctx: PassageContext) -> list[Fact]:
    actors = _actors(ctx)
    research = _research_pairs(ctx, actors)
    if research:
        return research
    natures = cues("partnership", "natures")
    facts = []
    for clause_start, clause_end in clauses(ctx.text):
        if not find(ctx.text[clause_start:clause_end], _nature_phrases()):
            continue
        for start, end in segments(ctx, clause_start, clause_end):
            piece = ctx.text[start:end]
            hits = sorted(hit for phrases in natures.values() for hit in find(piece, phrases)
                          if not _job_title(ctx, start + hit[0], start + hit[1]))
            if not hits:
                continue
            plural = _plural_pair(ctx, clause_start, clause_end, start + hits[0][0], actors)
            if plural:
                nature = nearest_label(ctx.text, natures, start + hits[0][0]) or "other"
                facts.extend(f for f in [_pair(ctx, *plural, nature, 0.6)] if f)
                continue
            cue_start = start + hits[0][0]
            before = [o for o in actors if clause_start <= o.start and o.end <= cue_start
                      and not _RELATIONAL.match(ctx.text, o.end)
                      and not _SET_ASIDE.search(ctx.text, max(0, o.start - 24), o.start)]
            after = [o for o in actors if cue_start <= o.start < end]
            joined = _joined_pair(ctx, [o for o in before if o.start >= start], cue_start)
            if joined:
                anchor, partners = joined[0], joined[1:]
            else:
                local = [o for o in before if o.start >= start]
                anchor = (local or before or [None])[-1] or ctx.topic_org or ctx.antecedent
                partners = after
                if anchor is None and after and re.match(r"\s*(?:of|for)\s+$", ctx.text[cue_start:after[0].start]
                                                          [len(hits[0][2]):]):
                    anchor, partners = after[0], after[1:]
            if anchor is not None and not partners and _ROLE_OF.search(ctx.text, max(0, cue_start - 60), cue_start):
                # "SES added Honda as a JDA partner", "Factorial counts A and B among its partners", "the developer
                # that SK On chose as its partner": the clause's subject has the others in that role
                anchor, partners = _role_holders(ctx, before)
            if anchor is not None and not partners and _OWNED.fullmatch(ctx.text, anchor.end, cue_start):
                # "BMW and Stellantis are among Samsung SDI's customers": the owner's partners are the others named
                partners = [o for o in actors if clause_start <= o.start < clause_end and o.key != anchor.key]
            anchors = conjoined_run(ctx, before, anchor) + _alongside(ctx, actors, partners, clause_end) \
                if anchor is not None else []
            pairs = [(a, p) for a in anchors for p in _unique(partners)] if anchor is not None and partners else \
                _conjoined_pairs(ctx, before, after, cue_start, start)
            for first, partner in pairs:
                nature = nearest_label(ctx.text, natures, partner.start) or "other"
                fact = _pair(ctx, first, partner, nature, 0.7 if before else 0.6)
                if fact:
                    facts.append(fact)
    return facts + _backed(ctx, actors) + _funded(ctx, actors) + _round_investors(ctx, actors)


# "SK Innovation, SK On's parent, signed …": a name that only qualifies a relation noun is not the actor
_RELATIONAL = re.compile(r"['’]s\s+(?:[\w\-]+\s+)?(?:parent|subsidiary|unit|affiliate|owner|rival|sister company|"
                         r"spin-off|division)\b")
_OWNED = re.compile(r"['’]s\s+(?:[\w\-]+\s+){0,3}")
# "Besides BMW, Solid Power works with Ford": a name set aside, the subject's own unit ("its Future Technology
# Institute") or a person's employer ("head of the institute") is not the one that partners
_SET_ASIDE = re.compile(r"\b(?:[Bb]esides|[Uu]nlike|[Ll]ike|than|beyond|[Ee]xcept|[Aa]part from|its|their|our|"
                        r"(?:head|chief|director|president|chairman|member) of)\s+(?:the\s+)?$")
_ROLE_OF = re.compile(r"\b(?:as|among)\s+(?:(?:a|an|the|its|their)\s+)?(?:[\w\-]+\s+){0,5}$"
                      r"|\b(?:its|their)\s+(?:[\w\-]+\s+)?$")


_ALONGSIDE = re.compile(r",?\s*(?:alongside|along with|as well as)\s+(?:(?:the|fellow|other)\s+)?", re.I)


def _alongside(ctx: PassageContext, actors: list[Span], partners: list[Span], end: int) -> list[Span]:
    """"Hyundai backs Factorial, alongside Mercedes-Benz and Stellantis": the names listed right after the
    partner share the subject's role."""
    m = _ALONGSIDE.match(ctx.text, partners[-1].end) if partners else None
    first = next((o for o in actors if m and o.start == m.end() and o.start < end), None)
    return conjoined_run(ctx, actors, first, forward=True) if first is not None else []


def _role_holders(ctx: PassageContext, before: list[Span]) -> tuple[Span | None, list[Span]]:
    """The clause's subject and the organisations it names in a role ("… as its partner"); with none named, the
    one the passage is about holds the role ("The DOD was lined up as the first customer")."""
    from pipelines.entities.coreference import is_subject

    named = [o for o in before if o.mention.method != "coreference"]
    owner = next((o for o in named if is_subject(ctx.text, o.start)), None) or (before[0] if before else None)
    if owner is None:
        return None, []
    others = _unique([o for o in named if o.key != owner.key])
    if others:
        return owner, others
    about = ctx.antecedent or ctx.main_org
    return owner, [about] if about is not None and about.key != owner.key else []


_FROM = re.compile(r"\s+(?:[\w\-]+\s+){0,4}?from\s+(?:the\s+)?")


def _recipient(ctx: PassageContext, actors: list[Span], start: int, end: int, besides: Span | None = None
               ) -> Span | None:
    """Who receives money or a stake: the subject named in text[start:end], else the one the passage is about."""
    return next((o for o in actors if start <= o.start and o.end <= end and is_subject(ctx.text, o.start)
                 and (besides is None or o.key != besides.key)), None) or ctx.antecedent or ctx.main_org


def _funded(ctx: PassageContext, actors: list[Span]) -> list[Fact]:
    """"received a $20 million award from ARPA-E", "a $1 million state grant from the Department of Commerce": money
    from an organisation is its investment in the one the sentence is about (its subject, else the passage's)."""
    facts = []
    for money in (q for q in ctx.quantities if "cost" in q.quantity_kinds):
        m = _FROM.match(ctx.text, money.end)
        funder = next((o for o in actors if m and o.start == m.end()), None)
        if funder is None:
            continue
        owned = POSSESSIVE.match(ctx.text, funder.end)  # "the Department of Energy's ARPA-E": the agency pays
        funder = next((o for o in actors if owned and o.start == owned.end()), funder)
        subject = _recipient(ctx, actors, 0, money.start, funder)
        if subject is not None:
            facts += [f for f in [_pair(ctx, funder, subject, "investment", 0.6)] if f]
    return facts


def _round_investors(ctx: PassageContext, actors: list[Span]) -> list[Fact]:
    """"ION raised a Series A round in which Toyota Ventures, the venture arm of Toyota, energy company Tenaska and
    Bangchak took part": every organisation named after the round's investor phrase invests in the one that raised
    it (a name that only qualifies another, "arm of Toyota", does not)."""
    facts = []
    for clause_start, clause_end in clauses(ctx.text):
        clause = ctx.text[clause_start:clause_end]
        rounds = find(clause, cues("partnership", "rounds"))
        if not rounds:
            continue
        cue_end = clause_start + rounds[0][1]
        phrase = next((clause_start + p[1] for p in find(clause, cues("partnership", "round_investors"))
                       if clause_start + p[0] >= cue_end - 1), None)
        if phrase is None:
            continue
        recipient = _recipient(ctx, actors, clause_start, cue_end)
        investors = [o for o in actors if phrase <= o.start < clause_end and not preceded_by(ctx.text, o, ("of",))]
        if recipient is not None:
            facts += [f for o in _unique(investors) if (f := _pair(ctx, o, recipient, "investment", 0.6))]
    return facts


def _backed(ctx: PassageContext, actors: list[Span]) -> list[Fact]:
    """"QuantumScape, the Volkswagen-backed developer": the backer invests in the organisation the phrase is
    about (the nearest one named before it in the clause, else after it)."""
    facts = []
    for clause_start, clause_end in clauses(ctx.text):
        inside = [o for o in actors if clause_start <= o.start < clause_end]
        for backer in inside:
            if not is_backer(ctx.text, backer):
                continue
            others = [o for o in inside if o.key != backer.key]
            described = [o for o in others if o.end <= backer.start][-1:] or others[:1]
            facts += [f for o in described if (f := _pair(ctx, backer, o, "investment", 0.6))]
    return facts
