"""Milestone facts: an organisation's dated event, planned or achieved.

The sentence is cut into clauses and those into segments (comma-separated pieces, with pieces that only list
organisations joined to their predicate). A segment with an event cue (mass production, sampling, launch …) or
an event verb ("targets", "began") takes its own date or, failing that, a date of the sentence that no other
event claims. Subjects are the segment's organisations that are not objects of a preposition ("program with
Karma"), else the section's topic. Status comes from the modality ("targets", "plans", "will" vs "began",
"delivered"); a date after the document's publication is planned whatever the verb.
"""
from __future__ import annotations

import re

from kg.model import Fact
from pipelines.extractors.base import PassageContext, Span
from pipelines.extractors.cues import (POSSESSIVE, clauses, comma_cuts, conjoined_run, cues, find, is_agent,
                                       nearest_label, preceded_by, segments, words_besides_orgs)


def _status(clause: str, date: str, published: str | None, category: str) -> str:
    planned = find(clause, cues("milestone", "planned"))
    achieved = find(clause, cues("milestone", "achieved"))
    if category != "announcement":
        reporting = set(cues("milestone", "reporting_verbs"))
        achieved = [hit for hit in achieved if hit[2] not in reporting]
    if published and date[:4] > published[:4]:
        return "planned"
    if planned and (not achieved or planned[0][0] < achieved[0][0]):
        return "planned"
    if achieved:
        return "achieved"
    if published and date[:4] < published[:4]:
        return "achieved"
    return "planned"


def _subjects(ctx: PassageContext, start: int, end: int) -> list[Span]:
    """The organisations that open the clause ("A and B signed …"); one named after the verb is its object ("SES
    added Honda as a partner" is SES's event), and an owner ("Nio's supplier WeLion") is not the subject."""
    skip = cues("milestone", "non_subject_prepositions")
    found = [o for o in ctx.of_type("Organization") if start <= o.start < end and not preceded_by(ctx.text, o, skip)]
    owners = [o for o in found if POSSESSIVE.match(ctx.text, o.end)]
    found = [o for o in found if o not in owners] or found
    if found:
        run = [found[0]]
        for o in found[1:]:
            if not _LIST_GAP.fullmatch(ctx.text, run[-1].end, o.start):
                break
            run.append(o)
        found = run
    unique: dict[str, Span] = {}
    for o in found:
        unique.setdefault(o.key, o)
    return list(unique.values())


# what may stand between listed subjects: commas, "and", parentheses, a group noun before its list ("and legacy
# OEMs (VW, BMW)")
_LIST_GAP = re.compile(r"(?:\s|,|&|/|\(|\)|\band\b|\bor\b|(?:[A-Za-z\-]+\s+){1,3}(?=\())*")


_GENERAL_SUBJECT = re.compile(r"\b(?:the|this|whole|entire)\s+(?:\w+\s+)?(?:industry|market|sector|field)\b", re.I)


def _agents(ctx: PassageContext, start: int, end: int) -> list[Span]:
    """The passive voice's agent: "the line was commissioned by ORG in 2023"."""
    orgs = [o for o in ctx.of_type("Organization") if start <= o.start < end]
    first = next((o for o in orgs if is_agent(ctx.text, o)), None)
    return conjoined_run(ctx, orgs, first, forward=True) if first is not None else []


def _fallback_subject(ctx: PassageContext, start: int) -> list[Span]:
    """A dated event with no organisation in its clause ("The start of mass production is scheduled for 2028")
    belongs to the clause's earlier subject, the section's organisation, or the one the previous sentences are
    about."""
    earlier = [o for o in ctx.of_type("Organization") if o.end <= start and not preceded_by(
        ctx.text, o, cues("milestone", "non_subject_prepositions"))]
    if earlier:
        return earlier[:1]
    if ctx.topic_org:
        return [ctx.topic_org]
    if ctx.antecedent is not None and not ctx.of_type("Organization") and not _GENERAL_SUBJECT.search(ctx.text):
        return [ctx.antecedent]
    return []


def _date_subjects(ctx: PassageContext, start: int, date_start: int, end: int) -> list[Span]:
    """"A–B partnership, Honda demo line (since Jan 2025)": a date inside a comma-listed item belongs to the
    organisations of that item, when it names any. Not when the items before it are only organisations ("BYD,
    Chery, and legacy OEMs (VW, BMW) are pursuing …"): those are all subjects of one predicate."""
    cuts = comma_cuts(ctx.text, start, date_start)
    if not cuts:
        return []
    cut = cuts[-1]
    words = words_besides_orgs(ctx, start, cut)
    listed_only = not any(len(w) >= 3 and w.isalpha() and w.lower() not in ("and", "or") for w in words)
    return [] if listed_only else _subjects(ctx, cut, end)


def _is_event(piece: str, categories: dict) -> bool:
    return any(find(piece, phrases) for phrases in categories.values()) or bool(
        find(piece, cues("milestone", "event_verbs")))


_NOW = re.compile(r"\b(?:has|have)\s+(?:now\s+|just\s+|officially\s+)?(?:begun|started|launched|completed|opened|"
                  r"inaugurated|commissioned|delivered|shipped|unveiled|signed|put\b|entered|achieved)|\btoday\s+"
                  r"(?:inaugurated|opened|announced|unveiled|launched|started|began|signed|delivered|completed)\b", re.I)


def _reported_now(ctx: PassageContext) -> list:
    """"BMW has begun testing …", "X today inaugurated …": an event done as the document was published is dated
    by its publication (relative dates resolve against `published`)."""
    published = ctx.document.published
    match = _NOW.search(ctx.text)
    if not published or not match:
        return []
    from pipelines.dates import DateMention

    return [DateMention(start=match.start(), end=match.end(), raw=match.group(), date=published[:7], relative=True)]


_THAT = re.compile(r"\bthat\b")


def _dates_of_saying(text: str, dates: list) -> set[int]:
    """Dates that only say when something was said: "X said in April 2024 that it aims to … in 2027" (a date
    before "that" after a saying verb, with another date in what was said)."""
    out: set[int] = set()
    for start, end, _ in find(text, cues("milestone", "saying_verbs")):
        that = _THAT.search(text, end)
        if that is None:
            continue
        before = [i for i, d in enumerate(dates) if end <= d.start < that.start() and that.start() - end <= 40]
        if before and any(d.start >= that.end() for d in dates):
            out.update(before)
    return out


def extract(ctx: PassageContext) -> list[Fact]:
    dates = [d for d in ctx.dates if d.date] or _reported_now(ctx)
    if not dates:
        return []
    categories = cues("milestone", "categories")
    text = ctx.text
    pieces = [seg for start, end in clauses(text) for seg in segments(ctx, start, end)]
    claimed: set[int] = set()
    events = []
    for start, end in pieces:
        if not _is_event(text[start:end], categories):
            continue
        own = [i for i, d in enumerate(dates) if start <= d.start < end]
        events.append((start, end, own))
        claimed.update(own)
    said = _dates_of_saying(text, dates)
    events = [(start, end, [i for i in own if i not in said]) for start, end, own in events]
    free = [i for i in range(len(dates)) if i not in claimed]
    facts = []
    for start, end, own in events:
        chosen = own or [i for i in free if dates[i].start < start][-1:]
        subjects = _subjects(ctx, start, end) or _agents(ctx, start, end) or _fallback_subject(ctx, start)
        if not subjects or not chosen:
            continue
        piece = text[start:end]
        for i in chosen:
            d = dates[i]
            nearest = _date_subjects(ctx, start, d.start, end) if start <= d.start < end else []
            category = nearest_label(piece, categories, d.start - start) or "other"
            status = _status(piece, d.date, ctx.document.published, category)
            event = " ".join(piece.strip(" ;,.:*").split())[:160]
            for subject in nearest or subjects:
                slots = {"subject": subject.name, "event": event, "category": category, "date": d.date,
                         "date_end": getattr(d, "date_end", None), "status": status, "raw_date": d.raw}
                facts.append(ctx.fact("milestone", slots, "milestone-rules", 0.7, [("subject", subject)]))
    return facts
