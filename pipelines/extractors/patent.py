"""Patent facts: a patent number with its assignee and topic.

The assignee is the organisation named in the sentence (or the document's patent applicant, or the
section's topic); the topic is the clause that follows the number, or the patent's title when known.
"""
from __future__ import annotations

from kg.model import Fact
from pipelines.extractors.base import PassageContext


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
        if not assignee_name and meta.get("number") == patent.name:
            assignee_name = (meta.get("applicants") or [None])[0]
        topic = meta.get("title") if meta.get("number") == patent.name else None
        if not topic:
            topic = " ".join(ctx.text[patent.end:].strip(" ,.;:").split()[:30]) or None
        slots = {"number": patent.name, "assignee": assignee_name, "topic": topic}
        facts.append(ctx.fact("patent", slots, "patent-rules", 0.8 if assignee else 0.5,
                              [("patent", patent), ("assignee", assignee)]))
    return facts
