"""Patent facts: a patent number with its assignee and topic.

The assignee of the document's own number is its applicant from the front page; of any other number, the
organisation named in the sentence (else the section's topic); the topic is the clause that follows the number, or the patent's title when known.
"""
from __future__ import annotations

import re

from kg.model import Fact
from pipelines.entities.gazetteer import domain_gazetteer
from pipelines.entities.mentions import entity_key
from pipelines.entities.organizations import fold_legal_name
from pipelines.extractors.base import PassageContext
from pipelines.extractors.cues import cues, find
from pipelines.readers.patent import applicant_names


def applicant_organisation(raw: str) -> tuple[str, str]:
    """(name, entity key) of an applicant as written on a front page: the lexicon's company when it names one
    ("Contemporary Amperex Technology Co., Limited" → CATL), else the name without its legal suffix."""
    hits = [h for h in domain_gazetteer().find(raw) if h.entry.type == "Organization"]
    name = max(hits, key=lambda h: h.end - h.start).entry.name if hits else fold_legal_name(raw)
    return name, entity_key("Organization", name)


def extract(ctx: PassageContext) -> list[Fact]:
    facts = []
    patents = ctx.of_type("Patent")
    if not patents:
        return []
    orgs = ctx.of_type("Organization")
    meta = ctx.document.metadata or {}
    for patent in patents:
        before = [o for o in orgs if o.end <= patent.start]
        assignee = before[-1] if before else (orgs[0] if orgs else None)
        if assignee is None:
            assignee = ctx.previous_orgs[-1] if ctx.previous_orgs else ctx.topic_org
        assignee_name = assignee.name if assignee else meta.get("assignee")
        applicants = applicant_names(meta) if meta.get("number") == patent.name else []
        if applicants:
            assignee_name, assignee = applicant_organisation(applicants[0])
        family = _front_page_number(ctx, patent)
        if family and ctx.main_org is not None and not applicants:
            # "Pre-grant publication: US20200350618A1" on a patent's front page: the same invention, same owner
            assignee_name, assignee = ctx.main_org.name, ctx.main_org
        topic = meta.get("title") if meta.get("number") == patent.name else ctx.document.title if family else None
        if not topic:
            topic = " ".join(ctx.text[patent.end:].strip(" ,.;:").split()[:30]) or None
        slots = {"number": patent.name, "assignee": assignee_name, "topic": topic}
        facts.append(ctx.fact("patent", slots, "patent-rules", 0.8 if assignee else 0.5,
                              [("patent", patent), ("assignee", assignee)]))
        date = _publication_date(ctx, patent, own=meta.get("number") == patent.name)
        if date is not None and assignee_name:
            event = f"publication of {patent.name}"
            slots = {"subject": assignee_name, "event": event, "category": "other", "date": date,
                     "date_end": None, "status": "achieved", "raw_date": date}
            facts.append(ctx.fact("milestone", slots, "patent-publication", 0.7, [("subject", assignee)]))
    return facts


_FRONT_FIELD = re.compile(r"^\W*[A-Za-z][\w /()\-]{0,40}:\s*$")


def _front_page_number(ctx: PassageContext, patent) -> bool:
    """A number in a labelled field of a patent document's front page ("International publication: WO…")."""
    return ctx.document.kind == "patent" and bool(_FRONT_FIELD.match(ctx.text[:patent.start]))


def _publication_date(ctx: PassageContext, patent, own: bool) -> str | None:
    """When the patent was published or granted: the first date after the number in a sentence that says so
    ("granted as US11916200B2 on 27 February 2024"), else, for the document's own number, its publication date."""
    if find(ctx.text, cues("patent", "publication_verbs")):
        after = [d for d in ctx.dates if d.date and d.start >= patent.end and d.start - patent.end <= 80]
        if after:
            return after[0].date
    published = ctx.document.published
    return published if own and published and ctx.document.kind == "patent" else None
