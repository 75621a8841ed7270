"""Partnership facts: two organisations and the nature of their link (supply, investment, jv, mou, testing).

An anchor organisation (the clause's subject, else the section's topic) pairs with each organisation named
after a partnering cue; research teams of several institutes named together are split into pairs. Links inside
one group (a parent and its brand) are not partnerships.
"""
from __future__ import annotations

from itertools import combinations

from kg.model import Fact
from pipelines.extractors.base import PassageContext, Span
from pipelines.extractors.cues import cues, find, nearest_label, same_group


def _unique(spans: list[Span]) -> list[Span]:
    seen: dict[str, Span] = {}
    for s in spans:
        seen.setdefault(s.key, s)
    return list(seen.values())


def _pair(ctx: PassageContext, a: Span, b: Span, nature: str, confidence: float) -> Fact | None:
    if a.key == b.key or same_group(a.name, b.name):
        return None
    first, second = sorted((a, b), key=lambda s: s.name)
    return ctx.fact("partnership", {"orgs": [first.name, second.name], "nature": nature},
                    "partnership-rules", confidence, [("org", first), ("org", second)])


def _research_pairs(ctx: PassageContext, orgs: list[Span]) -> list[Fact]:
    academic = [o for o in orgs if o.attrs.get("type") in ("institute", "university")
                or o.attrs.get("detector") == "academic"]
    if len(academic) < 2 or not find(ctx.text, cues("partnership", "team_cues")):
        return []
    return [f for a, b in combinations(_unique(academic), 2) if (f := _pair(ctx, a, b, "other", 0.6))]


def extract(ctx: PassageContext) -> list[Fact]:
    orgs = _unique(ctx.of_type("Organization"))
    natures = cues("partnership", "natures")
    cue_hits = [hit for phrases in natures.values() for hit in find(ctx.text, phrases)]
    if not cue_hits:
        return []
    research = _research_pairs(ctx, orgs)
    if research:
        return research
    first_cue = min(start for start, _, _ in cue_hits)
    anchors = [o for o in orgs if o.end <= first_cue]
    partners = [o for o in orgs if o.start >= first_cue]
    anchor = anchors[0] if anchors else ctx.topic_org
    if anchor is None or (not partners and len(anchors) < 2):
        return []
    if not partners:
        partners = anchors[1:]
    facts = []
    for partner in partners:
        nature = nearest_label(ctx.text, natures, partner.start) or "other"
        fact = _pair(ctx, anchor, partner, nature, 0.7 if anchors else 0.6)
        if fact:
            facts.append(fact)
    return facts
