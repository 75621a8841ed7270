"""One document from reader output to graph records: passages → mentions → facts → resolved entities."""
from __future__ import annotations

import bisect
import hashlib
import re
from functools import partial
from pathlib import Path

from kg.model import Document, ExtractedDocument, Passage, stable_id
from pipelines.entities.coreference import after_preposition, anaphor_mention, find_anaphors, is_subject
from pipelines.entities.mentions import (DocumentLexicon, as_sites, build_document_lexicon, find_candidates,
                                        listed_organisations, organisation_names, propagate_names, resolve_overlaps,
                                        site_names, statistical_candidates, surnames_as_persons, to_mention)
from pipelines.extractors import EXTRACTORS, patent
from pipelines.extractors.base import PassageContext, Span, maker_span
from pipelines.faults import Isolation, incident
from pipelines.normalize import NormalizedText, normalize
from pipelines.readers.base import SourceDocument
from pipelines.entities.statistical import generic_org_words
from pipelines.resolve import bind_aliases_to_named, merge_place_forms, merge_short_forms, resolve_entities
from pipelines.sentences import block_passages, passages as split_passages

_TABLE_CELLS = re.compile(r"\s*\|\s*")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_document(source: SourceDocument, digest: str | None = None) -> Document:
    digest = digest or content_hash(source.text)
    is_key = re.match(r"^[a-z][a-z0-9+.\-]{1,}:", source.path) is not None
    path = source.path if is_key else str(Path(source.path).resolve())
    return Document(id=stable_id("doc", Path(source.path).name, digest), name=source.name, path=path,
                    content_hash=digest, title=source.title, kind=source.kind, published=source.published,
                    source=source.source, metadata=source.metadata)


def table_cells(row: str) -> list[str]:
    return [c for c in _TABLE_CELLS.split(row.strip().strip("|"))]


def extract_document(source: SourceDocument, digest: str | None = None) -> ExtractedDocument:
    """Every stage isolated per passage (see `pipelines.faults`): a component that raises on a passage costs that
    passage's output from it, recorded as an incident, never the document."""
    document = make_document(source, digest)
    guard = Isolation((0, len(source.text)))
    passages = guard.call(guard.span, None, split_passages, document.id, source)
    if passages is None:
        passages = block_passages(document.id, source)
    spans_of = [(p.start, p.end) for p in passages]
    norms = [guard.call(span, NormalizedText.unchanged(p.text), normalize, p.text)
             for p, span in zip(passages, spans_of)]
    texts = [n.text for n in norms]
    lexicon = guard.aggregate(spans_of, DocumentLexicon(), build_document_lexicon, texts)
    block_starts = [b.start for b in source.blocks]

    all_mentions = []
    facts = []
    heading: str | None = None
    heading_org: Span | None = None
    heading_thing: Span | None = None
    block_org: Span | None = None
    current_block = -1
    table_header: list[str] | None = None
    previous_orgs: list[Span] = []
    antecedent: tuple | None = None  # (organisation, passage index, block index, named at the sentence start)
    lead: Span | None = None
    section_org: Span | None = None
    passage_spans = []
    found = [guard.call(span, [], find_candidates, text, lexicon) for text, span in zip(texts, spans_of)]
    headings = [guard.call(span, False, _is_heading, p, text) for p, text, span in zip(passages, texts, spans_of)]
    statistical = guard.per_passage(spans_of, statistical_candidates, texts, found, headings)
    statistical = guard.per_passage(spans_of, propagate_names, texts, found, statistical)
    found = [rules + model + guard.call(span, [], listed_organisations, text, rules + model)
             for text, rules, model, span in zip(texts, found, statistical, spans_of)]
    found = guard.per_passage(spans_of, surnames_as_persons, found)
    # a site once is a site wherever the document names it
    owners = guard.aggregate(spans_of, set(), organisation_names, texts, found)
    sites = {name for text, cands, span in zip(texts, found, spans_of)
             for name in guard.call(span, set(), site_names, text, cands, owners)}
    for passage, norm, cands, span in zip(passages, norms, found, spans_of):
        spans = guard.call(span, [], passage_mentions, passage, norm, cands, sites)
        all_mentions.extend((passage.id, s.mention) for s in spans)
        passage_spans.append(spans)
    named = [s.mention for spans in passage_spans for s in spans]
    guard.call(guard.span, None, merge_short_forms, named, generic_org_words())
    guard.call(guard.span, None, bind_aliases_to_named, named)
    guard.call(guard.span, None, merge_place_forms, named)
    own = guard.call(guard.span, None, applicant, norms, passage_spans) if document.kind == "patent" else None
    main_org = own or guard.call(guard.span, None, document_subject, passage_spans)
    authors = guard.call(guard.span, None, research_group, passage_spans) if document.kind == "paper" else None
    # a paper or patent is about the material or product its title names
    # ("A lithium superionic conductor (Li10GeP2S12)": the formula is the more specific name)
    things = [s for s in passage_spans[0] if s.type in ("Material", "Product")] \
        if passage_spans and document.kind in ("paper", "patent") else []
    title_thing = next((s for s in things if s.attrs.get("formula")), things[0] if things else None)
    for passage, norm, spans, is_heading, span in zip(passages, norms, passage_spans, headings, spans_of):
        try:
            block = bisect.bisect_right(block_starts, passage.start) - 1
            # an implicit subject ("The start of production is scheduled for 2028") reaches back within its paragraph
            # or to the sentence just before it; a list item or table row is about its own organisations
            near = antecedent is not None and passage.block_kind not in ("list_item", "table_row") and (
                antecedent[2] == block or antecedent[1] == passage.index - 1)
            implicit = (antecedent[0] if near else lead if passage.block_kind == "list_item" else None) or (
                section_org or main_org if passage.block_kind != "table_row" else None)
            if authors is not None:
                spans = guard.call(span, spans, _authors_we, norm, passage, spans, authors)
            spans, antecedent = guard.call(span, (spans, antecedent), _resolve_anaphora, norm, passage, spans,
                                           antecedent, passage.index, block)
            if passage.block_kind != "list_item":
                # "The test car's key figures:" introduces the list below it; its organisation is the items' subject
                lead = antecedent[0] if antecedent and antecedent[1] == passage.index and norm.text.rstrip(
                    " *").endswith(":") else None
            orgs = [s for s in spans if s.type == "Organization"]
            if block != current_block:
                current_block = block
                block_org = _leading(orgs, norm.text)
                if passage.block_kind == "table_row":
                    if table_header is None or _is_first_row(source, block):
                        table_header = table_cells(norm.text)
                else:
                    table_header = None
            if is_heading:
                heading = norm.text.strip("#* ")
                is_markdown = passage.block_kind == "heading"
                things = [s for s in spans if s.type in ("Product", "Material")]
                heading_thing = things[0] if things and is_markdown else None
                makers = [maker_span(heading_thing)] if heading_thing and heading_thing.attrs.get("org") else []
                candidates = sorted(orgs[:1] + makers, key=lambda s: s.start)
                heading_org = candidates[0] if candidates and is_markdown else None
                # "Samsung SDI: the S-Line in Suwon": a plain-text sub-head led by a name is about that organisation
                section_org = _leading(orgs, norm.text)
                if any(s.type == "Patent" for s in spans):
                    facts.extend(guard.call(span, [], patent.extract, PassageContext(
                        document=document, passage=passage, norm=norm, spans=spans, previous_orgs=previous_orgs,
                        main_org=main_org)))
                previous_orgs = orgs
                continue
            topic = block_org or heading_org
            if passage.section is None and heading:
                passage.section = heading[:200]
            passage.topic = topic.key if topic is not None else None
            ctx = PassageContext(document=document, passage=passage, norm=norm, spans=spans, heading=heading,
                                 table_header=table_header if passage.block_kind == "table_row" else None,
                                 topic_org=topic, previous_orgs=previous_orgs,
                                 topic_thing=heading_thing or title_thing, antecedent=implicit,
                                 main_org=authors or main_org)
            for extractor in EXTRACTORS:
                facts.extend(guard.call(span, [], extractor, ctx))
            previous_orgs = orgs or previous_orgs
        except MemoryError:
            raise
        except Exception as exc:  # the passage's discourse context: its own facts are lost, the next passage goes on
            guard.incidents.append(incident("extract.context", *span, exc))
    facts.extend(guard.call(guard.span, [], _patent_developments, document, passages, norms, passage_spans, facts))
    facts = _with_true_evidence(source.text, facts, guard)  # before deduplication: a true duplicate may survive
    facts = guard.call(guard.span, facts, _one_per_statement, facts)
    facts = guard.call(guard.span, facts, _with_organisation_chemistry, facts,
                       guard.call(guard.span, {}, organisation_chemistries, norms, passage_spans))
    facts = guard.call(guard.span, facts, _drop_superseded, facts)
    facts = guard.call(guard.span, facts, _drop_restated_lines, facts, passages[0].id if passages else None)
    entities, aliases, resolved = guard.aggregate(spans_of, ([], [], []), partial(_resolve_passages, document),
                                                  _by_passage(passages, all_mentions))
    known = {e.key for e in entities}
    for fact in facts:
        fact.entities = [(role, key) for role, key in fact.entities if key in known]
    return ExtractedDocument(document=document, passages=passages, entities=entities, mentions=resolved,
                             facts=facts, aliases=aliases,
                             incidents=[*source.incidents, *guard.incidents])


def passage_mentions(passage: Passage, norm: NormalizedText, cands: list, sites: set[str]) -> list[Span]:
    """The passage's candidates, overlaps resolved, as mentions with document offsets."""
    cands = resolve_overlaps(cands + as_sites(cands, sites))
    return [Span(to_mention(c, norm, passage.start, passage.text), c.start, c.end) for c in cands]


def _by_passage(passages: list[Passage], mentions: list[tuple[str, object]]) -> list[list[tuple[str, object]]]:
    index = {p.id: i for i, p in enumerate(passages)}
    out: list[list] = [[] for _ in passages]
    for pair in mentions:
        out[index[pair[0]]].append(pair)
    return out


def _resolve_passages(document: Document, grouped: list[list[tuple[str, object]]]):
    return resolve_entities(document, [pair for group in grouped for pair in group])


def _one_per_statement(facts: list) -> list:
    unique: dict[tuple, object] = {}
    for fact in sorted(facts, key=_directness):
        unique.setdefault(_identity(fact), fact)
    return list(unique.values())


def _with_true_evidence(text: str, facts: list, guard: Isolation) -> list:
    """A fact is kept only if its quote is the document's text at its offsets: a component that built evidence
    wrongly on a passage costs that fact, reported as an incident."""
    kept = []
    for fact in facts:
        ev = fact.evidence
        if 0 <= ev.start <= ev.end <= len(text) and text[ev.start:ev.end] == ev.quote:
            kept.append(fact)
        else:
            guard.incidents.append(incident(f"extractors.{fact.kind}", ev.start, ev.end, ValueError(
                f"evidence quote is not the text at its offsets ({ev.method})")))
    return kept


def _leading(orgs: list[Span], text: str) -> Span | None:
    """The organisation a passage starts with ("Samsung SDI: the S-Line …", "- **CATL**: …"), if any."""
    return orgs[0] if orgs and not re.search(r"\w", text[:orgs[0].start]) else None


def _patent_developments(document, passages, norms, passage_spans, facts) -> list:
    """The applicant of the document's own patent develops what the patent's title names."""
    from pipelines.extractors.develops import assignee_developments

    number = (document.metadata or {}).get("number")
    own = [f for f in facts if f.kind == "patent" and f.slots.get("number") == number and f.slots.get("assignee")]
    title = (document.metadata or {}).get("title") or document.title
    if not own or not title or not passages:
        return []
    folded = " ".join(title.split()).lower()
    index = next((i for i, n in enumerate(norms) if folded[:60] in " ".join(n.text.split()).lower()), 0)
    assignee_key = next((key for role, key in own[0].entities if role == "assignee"), None)
    if assignee_key is None:
        return []
    ctx = PassageContext(document=document, passage=passages[index], norm=norms[index], spans=passage_spans[index])
    return assignee_developments(ctx, own[0].slots["assignee"], assignee_key)


def research_group(passage_spans: list[list[Span]]) -> Span | None:
    """A paper's authors are its first institute or university (their affiliation), else its first organisation."""
    orgs = [s for spans in passage_spans for s in spans if s.type == "Organization"]
    academic = [o for o in orgs if o.attrs.get("type") in ("institute", "university")
                or o.attrs.get("detector") == "academic"]
    return (academic or orgs or [None])[0]


_WE = re.compile(r"\b[Ww]e\s+(?:\w+\s+)?(?:report|describe|present|demonstrate|develop|propose|show|synthesi[sz]e|"
                 r"prepare|fabricate|design|introduce|investigate|achieve|obtain|build|built|developed|prepared|"
                 r"synthesi[sz]ed|fabricated|designed|proposed|reported|demonstrated)\b")


def _authors_we(norm, passage: Passage, spans: list[Span], authors: Span) -> list[Span]:
    """"We report a lithium superionic conductor": in a paper, "we" are the authors' institution."""
    out = list(spans)
    for m in _WE.finditer(norm.text):
        start, end = m.start(), m.start() + 2
        if not any(s.start < end and start < s.end for s in spans):
            mention = anaphor_mention(authors.mention, passage.text, *norm.span(start, end), passage.start)
            out.append(Span(mention, start, end))
    return sorted(out, key=lambda s: s.start)


_APPLICANT_FIELD = re.compile(r"^\W*(?:applicants?|assignees?|applicant\s*/\s*assignee|patentee|owner)\s*:", re.I)


def applicant(norms, passage_spans: list[list[Span]]) -> Span | None:
    """A patent's own organisation: the first one on its "Applicant:" or "Assignee:" line."""
    for norm, spans in zip(norms, passage_spans):
        if _APPLICANT_FIELD.match(norm.text):
            return next((s for s in spans if s.type == "Organization"), None)
    return None


def document_subject(passage_spans: list[list[Span]]) -> Span | None:
    """The organisation a document is about, when it is about one: named in its first sentence (the title) and
    the most mentioned, or mentioned at least twice as often as any other."""
    counts: dict[str, int] = {}
    first: dict[str, Span] = {}
    for spans in passage_spans:
        for s in spans:
            if s.type == "Organization":
                counts[s.key] = counts.get(s.key, 0) + 1
                first.setdefault(s.key, s)
    if not counts:
        return None
    ranked = sorted(counts, key=lambda k: -counts[k])
    top = ranked[0]
    runner_up = counts[ranked[1]] if len(ranked) > 1 else 0
    in_title = any(s.key == top for s in passage_spans[0] if s.type == "Organization")
    if counts[top] >= 3 and (counts[top] >= 2 * runner_up or (in_title and counts[top] > runner_up)):
        return first[top]
    # "Mercedes-Benz puts Factorial's cells on the road": a headline is about the organisation that opens it
    opener = next((s for s in passage_spans[0] if s.type == "Organization"), None) if passage_spans else None
    if opener is not None and opener.start <= 4 and counts[opener.key] >= 3 and counts[opener.key] >= runner_up:
        return opener
    return None


def _resolve_anaphora(norm, passage: Passage, spans: list[Span], antecedent: tuple | None,
                      index: int, block: int) -> tuple[list[Span], tuple | None]:
    """Anaphors ("the company", "It") become spans of the organisation last named as a subject; returns the
    passage's spans with them, and the antecedent (with its passage and block index) for the passages after it. A pronoun
    reaches back one sentence only; "the company" reaches back to the last subject in the document."""
    text = norm.text
    out = list(spans)
    for start, end in find_anaphors(text):
        if any(s.start < end and start < s.end for s in spans):
            continue
        before = [s for s in spans if s.type == "Organization" and s.end <= start and is_subject(text, s.start)]
        pronoun = text[start:end].lower() in ("it", "its")
        # a pronoun stands for the previous sentence's subject, and only when that subject was an organisation
        # named at its start ("We report X. It shows …" is about X, not the authors)
        # a pronoun that opens a clause is the sentence's subject ("X backs Y, alongside Z, and it has …")
        target = (before[0] if pronoun else before[-1]) if before else antecedent[0] if antecedent and (
            not pronoun or (antecedent[1] == index - 1 and antecedent[3])) else None
        if before and not pronoun and antecedent and after_preposition(text, start) \
                and antecedent[0].key != before[-1].key:
            # "Stellantis invested $75 million in the company": the object is not its own clause's subject
            target = antecedent[0]
        if target is None:
            continue
        mention = anaphor_mention(target.mention, passage.text, *norm.span(start, end), passage.start)
        out.append(Span(mention, start, end))
    out.sort(key=lambda s: s.start)
    subjects = [s for s in out if s.type == "Organization" and is_subject(text, s.start)]
    if not subjects:
        return out, antecedent
    first = subjects[0]
    leads = not re.search(r"[^\W_]", re.sub(r"\b[Tt]he\s+", "", text[:first.start])) and first.mention.text.lower() != "we"
    return out, (first, index, block, leads)


def organisation_chemistries(norms, passage_spans: list[list[Span]]) -> dict[str, set[str]]:
    """Every chemistry the document names in sentences led by an organisation, per organisation name."""
    from pipelines.extractors.cues import chemistry_phrases, find

    label_of, phrases = chemistry_phrases()
    stated: dict[str, set[str]] = {}
    for norm, spans in zip(norms, passage_spans):
        orgs = [s for s in spans if s.type == "Organization"]
        if not orgs:
            continue
        labels = {label_of[hit[2]] for hit in find(norm.text, phrases) if hit[2] in label_of}
        stated.setdefault(orgs[0].name, set()).update(labels)
    return stated


def _with_organisation_chemistry(facts: list, stated: dict[str, set[str]]) -> list:
    """A line of unstated chemistry makes the one chemistry the document names for its organisation ("QuantumScape,
    the developer of lithium-metal batteries, … its pilot line"); with two or more it stays unknown."""
    for f in facts:
        if f.kind == "production_line" and f.slots["chemistry"] == "unknown" and len(stated.get(f.slots["org"], ())) == 1:
            f.slots["chemistry"] = next(iter(stated[f.slots["org"]]))
    return facts


def _drop_superseded(facts: list) -> list:
    from pipelines.extractors.develops import is_generic

    specific = {f.slots["org"] for f in facts if f.kind == "develops" and not is_generic(f.slots["what"])}
    broadest: dict[str, object] = {}
    for f in facts:
        if f.kind == "develops" and is_generic(f.slots["what"]):
            kept = broadest.get(f.slots["org"])
            if kept is None or len(f.slots["what"]) > len(kept.slots["what"]):
                broadest[f.slots["org"]] = f
    facts = [f for f in facts if not (f.kind == "develops" and is_generic(f.slots["what"]))
             or broadest.get(f.slots["org"]) is f]
    known_lines = {(f.slots["org"], f.slots["stage"]) for f in facts
                   if f.kind == "production_line" and f.slots["chemistry"] != "unknown"}
    sited = {(f.slots["org"], f.slots["stage"], f.slots["chemistry"]) for f in facts
             if f.kind == "production_line" and f.slots.get("location")}
    facts = [f for f in facts if not (f.kind == "production_line" and not f.slots.get("location") and
                                      (f.slots["org"], f.slots["stage"], f.slots["chemistry"]) in sited)]
    return [f for f in facts
            if not (f.kind == "develops" and is_generic(f.slots["what"]) and f.slots["org"] in specific)
            and not (f.kind == "production_line" and f.slots["chemistry"] == "unknown"
                     and (f.slots["org"], f.slots["stage"]) in known_lines)]


def _drop_restated_lines(facts: list, title_passage: str | None) -> list:
    """One line written twice is stored once: a place that is part of the other's ("Sakura" of "Sakura City,
    Tochigi"). The body's line with the fullest place is kept, before the headline's."""
    def place(fact) -> list[str]:
        return [p.strip() for p in (fact.slots.get("location") or "").split(",") if p.strip()]

    def preference(fact) -> tuple:
        return (fact.evidence.passage_id == title_passage, -len(place(fact)), fact.evidence.start)

    def restates(kept, fact) -> bool:
        if any(kept.slots[k] != fact.slots[k] for k in ("org", "stage", "chemistry")):
            return False
        return bool(place(fact)) and all(any(p in q for q in place(kept)) for p in place(fact))

    kept: list = []
    for fact in sorted((f for f in facts if f.kind == "production_line"), key=preference):
        if not any(restates(k, fact) for k in kept):
            kept.append(fact)
    survivors = {id(f) for f in kept}
    return [f for f in facts if f.kind != "production_line" or id(f) in survivors]


_METHOD_RANK = {"develops-verb": 0, "develops-line": 1, "develops-maker": 2, "develops-table": 3, "develops-list": 4}


def _directness(fact) -> tuple:
    """Direct statements ("ORG develops X", then "ORG runs a sulfide line") before membership in a table or list;
    then text order."""
    if fact.kind == "patent":
        return (0 if fact.slots.get("assignee") else 1, fact.evidence.start)
    if fact.kind == "production_line":
        filled = sum(fact.slots.get(k) not in (None, "unknown") for k in ("capacity", "location", "chemistry"))
        return (-filled, fact.evidence.start)
    return (_METHOD_RANK.get(fact.evidence.method, 0), fact.evidence.start)


def _identity(fact) -> tuple:
    """Facts that say the same thing within one document are stored once (the first quote wins)."""
    slots = fact.slots
    if fact.kind == "partnership":
        return (fact.kind, tuple(sorted(slots["orgs"])), slots.get("nature"))
    if fact.kind == "develops":
        from pipelines.extractors.production_line import chemistry_of

        return (fact.kind, slots["org"], chemistry_of(slots["what"]) or " ".join(slots["what"].lower().split()))
    if fact.kind == "spec":
        subject = slots.get("subject_org") or slots.get("subject")
        return (fact.kind, subject, slots["quantity"], slots["value"], slots["unit"])
    if fact.kind == "milestone":
        return (fact.kind, slots["subject"], slots["category"], slots["date"])
    if fact.kind == "patent":
        return (fact.kind, slots["number"])
    if fact.kind == "production_line":
        return (fact.kind, slots["org"], slots["stage"], slots["chemistry"], slots.get("location"))
    return (fact.id,)


def _is_first_row(source: SourceDocument, block: int) -> bool:
    return block == 0 or source.blocks[block - 1].kind != "table_row"


def _is_heading(passage: Passage, text: str) -> bool:
    """Markdown headings, and short title-case lines without final punctuation (news sub-heads, "3. Methods")."""
    if passage.block_kind == "heading":
        return True
    if passage.block_kind == "list_item" and not re.match(r"\d{1,2}\.\s", text):
        return False
    if passage.block_kind not in ("paragraph", "list_item") or len(text) > 80 or text.endswith((".", ":", "!", "?", ";")):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'\-]*", text)]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
