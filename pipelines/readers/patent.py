"""Patents: publication numbers in any common spelling, patent structure in read text, and EPO OPS XML.

Patents reach the pipeline as text or PDF (already read into a SourceDocument) or as EPO OPS exchange XML.
Either way the result is a SourceDocument with kind="patent", blocks labelled front/abstract/claims/description
and the claims parsed with their dependencies, so extractors can weigh independent claims and cite exact offsets.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from pipelines.readers.base import Block, ReadError, SourceDocument, assemble

JURISDICTIONS = ("CN", "US", "EP", "WO", "JP", "KR", "DE", "FR", "GB")
_OFFICES = frozenset(JURISDICTIONS) | {
    "AP", "AT", "AU", "BE", "BR", "CA", "CH", "CZ", "DK", "EA", "ES", "FI", "HK", "HR", "HU", "IL", "IN", "IT",
    "MX", "NL", "NO", "NZ", "OA", "PL", "PT", "RU", "SE", "SG", "TR", "TW", "UA", "ZA",
}
SECTIONS = ("front", "abstract", "claims", "description")

_RAW_NUMBER = re.compile(
    r"(?P<cc>[A-Z]{2})[\s.:-]*(?P<body>\d(?:[\d\s.,/-]*\d)?)(?:[\s.-]*(?P<kind>[A-Z]\d?))?\.?")
_CC = "|".join(JURISDICTIONS)
_FINDER = re.compile(rf"""
    (?<![A-Za-z0-9/])
    (?:{_CC})
    (?:
        [ .]?(?:19|20)?\d{{2}}/\d{{5,7}}(?:[ .]?[A-Z]\d?)?
      | [ .]?(?:\d{{6,13}}
               |\d{{1,3}}(?:[ ,.]\d{{3}}){{2,4}}
               |\d{{2}}[ ]\d{{4}}[ ]\d{{3}}[ ]\d{{3}}
               |10-\d{{4}}-\d{{7}}
               |\d{{2,4}}-\d{{4,7}})
        [ .]?[A-Z]\d?
    )
    (?![A-Za-z0-9/])
""", re.X)


def _words(pattern: str) -> str:
    """Let a space in a phrase pattern match any run of spaces or tabs (PDF text spaces words unevenly)."""
    return re.sub(r"\[[^\]]*\]| ", lambda m: r"[ \t]+" if m.group(0) == " " else m.group(0), pattern)


_INID = re.compile(r"\((1[0-2]|19|2[1-2]|30|4[3-8]|5[1-8]|6[0-9]|7[1-6]|8[4-7])\)[ \t]*\S")
_CLAIMED_IS = _words(r"what is claimed is|what we claim is|we claim|i claim|the invention claimed is")
_FIRST_CLAIM = re.compile(r"(?m)^[ \t]*1[ \t]*[.)][ \t]*(?:A|An|The|One)\b")
_CLAIM_REFERENCE = re.compile(_words(
    r"\b(?:of|according to|as claimed in|as defined in|as recited in|as set forth in|as in|in)\s+"
    r"(?:any(?: one)? of\s+)?claims?\s+\d"), re.I)
_DEPENDS = re.compile(r"\bclaims?\s+(\d{1,3})\b", re.I)
_PRECEDING = re.compile(r"\b(?:preceding|previous|foregoing|above|aforementioned)\s+claims?\b", re.I)

_LEAD = r"(?im)^[ \t]*(?:\#{1,6}[ \t]*)?(?:\*\*)?"
_TAIL = r"[ \t]*:?(?:\*\*)?"
_ABSTRACT = re.compile(_LEAD + _words(
    r"(?:\(57\)(?:[ \t]*abstract(?: of the disclosure)?)?"
    r"|abstract(?: of the disclosure)?(?=[ \t]*(?::|\*\*|$))|说明书摘要|摘要)") + _TAIL)
_CLAIMS = re.compile(_LEAD + _words(
    rf"(?:{_CLAIMED_IS}|(?:patent )?claims|patentansprüche|revendications|权利要求书)")
    + _TAIL + r"[ \t]*(?=$|1[ \t]*[.)])")
_DESCRIPTION = re.compile(_LEAD + _words(
    r"(?:(?:[IVX]+|\d{1,2})[.)][ \t]*)?"
    r"(?:description(?: of (?:the )?(?:invention|embodiments?))?"
    r"|technical field|field(?: of the (?:invention|disclosure))?"
    r"|background(?: (?:art|technology|of the (?:invention|disclosure)))?"
    r"|summary(?: of the (?:invention|disclosure))?"
    r"|(?:brief )?description of (?:the )?(?:drawings|figures)"
    r"|detailed description(?: of (?:the )?(?:invention|(?:preferred )?embodiments?))?"
    r"|cross[- ]reference to related applications?|(?:specific )?embodiments?|examples?"
    r"|说明书|技术领域|背景技术|发明内容|具体实施方式)") + _TAIL + r"[ \t]*$"
    r"|^[ \t]*[\[【]0001[\]】]")
_BACK_MATTER = re.compile(_LEAD + _words(
    r"(?:european search report|annex to the european search report|international search report)\b"))
_CLAIM_START = re.compile(r"(?<![\w.,/(-])(\d{1,3})[ \t]*[.)][ \t]*\n?[ \t]*(?=[^\s\d.,;:)])")
_TITLE_INID = re.compile(_words(r"\(54\)[ \t]*(?:title(?: of (?:the )?invention)?[ \t]*:?[ \t]*)?")
                         + r"(.+?)(?=\n[ \t]*\n|\(\d{2}\)|\Z)", re.I | re.S)
_NUMBER_INID = re.compile(r"\((?:10|11)\)[^\n]{0,80}")
_APPLICANT_INID = re.compile(
    r"\((?:71|73)\)[ \t]*(?:(?:applicants?|assignees?|proprietors?|patentees?)(?:[ \t]*/[ \t]*\w+)?[ \t]*:?[ \t]*)?"
    r"(.+?)(?=\n[ \t]*\n|\(\d{2}\)|\Z)", re.I | re.S)
_APPLICANT_LINE = re.compile(
    r"(?im)^[ \t]*(?:\*\*)?(?:applicants?|applicant\(s\)|(?:current |original )?assignees?|assignee\(s\)|patentees?|"
    r"申请人|专利权人)(?:[ \t]*/[ \t]*(?:applicants?|assignees?|owners?|patentees?))?(?:\*\*)?"
    r"[ \t]*[:：][ \t]*(?:\*\*)?(.+)$")
_DATE_INID = re.compile(r"\((?:43|45)\)[^\n]{0,100}")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), 1)}
_DATES = (
    (re.compile(r"\b(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), ("d", "m", "y")),
    (re.compile(r"\b([A-Z][a-z]{2})[a-z]*\.?[ \t]+(\d{1,2}),?[ \t]+(\d{4})\b"), ("m", "d", "y")),
)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


# ── publication numbers ────────────────────────────────────────────────────────────────────────────────────────────

def normalise_patent_number(raw: str) -> str | None:
    """Canonical docdb-style number without separators ("US 2023/0102360 A1" → "US20230102360A1"), or None."""
    match = _RAW_NUMBER.fullmatch(raw.strip().upper())
    if not match or match["cc"] not in _OFFICES:
        return None
    body = match["body"]
    if body.count("/") > 1 or (body.count("/") == 1 and len(re.sub(r"\D", "", body.split("/")[0])) not in (2, 4)):
        return None
    digits = re.sub(r"\D", "", body)
    if not 6 <= len(digits) <= 13:
        return None
    if match["cc"] == "US" and len(digits) == 10 and re.match(r"(?:19|20)\d\d", digits) and "/" not in body:
        digits = digits[:4] + "0" + digits[4:]  # a pre-grant publication written without its serial's zero
    return f"{match['cc']}{digits}{match['kind'] or ''}"


def find_patent_numbers(text: str) -> list[tuple[int, int, str]]:
    """Publication numbers in running text as (start, end, normalised).

    A jurisdiction prefix plus a kind code (or the slash publication form) is required, so counts, years and
    prices ("2,000 cells", "US$ 2,000") are never taken for patents.
    """
    found = []
    for match in _FINDER.finditer(text):
        number = normalise_patent_number(match.group(0))
        if number:
            found.append((match.start(), match.end(), number))
    return found


# ── patents given as text ──────────────────────────────────────────────────────────────────────────────────────────

def looks_like_patent(doc: SourceDocument) -> bool:
    """Front-page INID codes, claim language and a publication number at the top; news about patents scores low."""
    if doc.kind == "patent":
        return True
    text = doc.text
    head = text[:4000]
    score = 0
    if len({m.group(1) for m in _INID.finditer(head)}) >= 3:
        score += 2
    if _ABSTRACT.search(head) and "(57)" in head:
        score += 1
    if re.search(rf"(?im)^[ \t]*(?:{_CLAIMED_IS})\b", text):
        score += 2
    elif _CLAIMS.search(text):
        score += 1
    if _FIRST_CLAIM.search(text) and _CLAIM_REFERENCE.search(text):
        score += 2
    if find_patent_numbers(text[:600]):
        score += 1
    if len({m.group(0).strip().lower() for m in _DESCRIPTION.finditer(text)}) >= 2:
        score += 1
    return score >= 3


@dataclass(frozen=True)
class _Marker:
    start: int
    label_end: int
    section: str


def as_patent(doc: SourceDocument) -> SourceDocument:
    """The same text and offsets, with patent sections on the blocks and number/title/abstract/claims in metadata."""
    text = doc.text
    markers = _markers(text)
    spans = _section_spans(text, markers)
    claims = _claims_in(text, markers)
    cuts = sorted({m.start for m in markers} | {m.label_end for m in markers if _ends_line(text, m.label_end)}
                  | {c["block_start"] for c in claims})
    labels = {m.start: m.label_end for m in markers}
    pieces = [piece for block in doc.blocks for piece in _split_block(text, block, cuts, labels, spans)]
    blocks = _merge_claims(pieces, claims)
    abstract = _abstract(text, markers, spans)
    number = doc.metadata.get("number") or _number(text, doc.path)
    title = _inid_title(text) or doc.title
    metadata = {**doc.metadata, "number": number, "title": title, "abstract": abstract,
                "applicants": doc.metadata.get("applicants") or _applicants(text),
                "claims": [_public(c) for c in claims],
                "independent_claims": [c["number"] for c in claims if c["depends_on"] is None]}
    return replace(doc, blocks=blocks, title=title, published=doc.published or _inid_date(text), kind="patent",
                   metadata=metadata)


def _markers(text: str) -> list[_Marker]:
    markers: list[_Marker] = []
    for pattern, section in ((_ABSTRACT, "abstract"), (_CLAIMS, "claims"), (_DESCRIPTION, "description"),
                             (_BACK_MATTER, "front")):
        for match in pattern.finditer(text):
            start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            markers.append(_Marker(start, match.end(), section))
    if not any(m.section == "claims" for m in markers):
        implicit = _implicit_claims(text)
        if implicit is not None:
            markers.append(_Marker(implicit, implicit, "claims"))
    markers.sort(key=lambda m: (m.start, -m.label_end))
    unique: list[_Marker] = []
    for marker in markers:
        if unique and marker.start < unique[-1].label_end:
            continue
        unique.append(marker)
    return unique


def _implicit_claims(text: str) -> int | None:
    """Claims without a heading (common in PDF text): "1. A …" followed by a "2. … claim 1" claim."""
    for first in _FIRST_CLAIM.finditer(text):
        rest = text[first.end():first.end() + 20000]
        if re.search(r"(?m)^[ \t]*2[ \t]*[.)][^\n]{0,200}?\bclaim[ \t]+1\b", rest):
            return first.start() + len(first.group(0)) - len(first.group(0).lstrip())
    return None


def _section_spans(text: str, markers: list[_Marker]) -> list[tuple[int, int, str]]:
    """(start, end, section) covering the whole text; text before the first marker is the front page."""
    spans: list[tuple[int, int, str]] = []
    position, section = 0, "front"
    for marker in markers:
        if marker.start > position:
            spans.append((position, marker.start, section))
        position, section = marker.start, marker.section
    spans.append((position, len(text), section))
    return spans


def _section_at(spans: list[tuple[int, int, str]], offset: int) -> str:
    for start, end, section in spans:
        if start <= offset < end:
            return section
    return spans[-1][2] if spans else "front"


def _claims_in(text: str, markers: list[_Marker]) -> list[dict]:
    """Claims of the first claims section only (EP documents repeat them in German and French)."""
    for index, marker in enumerate(markers):
        if marker.section == "claims":
            end = markers[index + 1].start if index + 1 < len(markers) else len(text)
            return [_claim(text, *span) for span in split_claims(text, marker.label_end, end)]
    return []


def split_claims(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int, int]]:
    """(number, block_start, text_start, text_end) of claims numbered 1, 2, 3 … in text[start:end].

    A number only starts a claim when it is the next one expected and the text before it closes a sentence,
    so "claim 2" or "at least 2. layers" inside a claim never cut it.
    """
    end = len(text) if end is None else end
    found: list[list[int]] = []
    expected = 1
    for match in _CLAIM_START.finditer(text, start, end):
        if int(match.group(1)) != expected:
            continue
        if expected > 1 and not _closes_claim(text[found[-1][2]:match.start()]):
            continue
        if found:
            found[-1][3] = match.start()
        found.append([expected, match.start(), match.end(), end])
        expected += 1
    claims = []
    for number, block_start, body_start, body_end in found:
        while body_end > body_start and text[body_end - 1].isspace():
            body_end -= 1
        claims.append((number, block_start, body_start, body_end))
    return claims


def _closes_claim(before: str) -> bool:
    stripped = before.rstrip()
    last_line = stripped.rsplit("\n", 1)[-1].strip()
    return stripped.endswith((".", ";", ":")) or (last_line.isdigit() and "\n" in stripped)


def _claim(text: str, number: int, block_start: int, start: int, end: int) -> dict:
    body = text[start:end]
    return {"number": number, "text": body, "depends_on": depends_on(number, body), "start": start, "end": end,
            "block_start": block_start}


def depends_on(number: int, claim_text: str) -> int | None:
    """The first earlier claim referred to: "according to claim 2", "of claims 1 to 3", "any preceding claim" → 1."""
    for match in _DEPENDS.finditer(claim_text):
        referenced = int(match.group(1))
        if 0 < referenced < number:
            return referenced
    if number > 1 and _PRECEDING.search(claim_text):
        return 1
    return None


def _public(claim: dict) -> dict:
    return {key: claim[key] for key in ("number", "text", "depends_on", "start", "end")}


def _split_block(text: str, block: Block, cuts: list[int], labels: dict[int, int],
                 spans: list[tuple[int, int, str]]) -> Iterator[Block]:
    bounds = [block.start, *(c for c in cuts if block.start < c < block.end), block.end]
    for start, end in zip(bounds, bounds[1:]):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        kind = "heading" if start in labels and end <= labels[start] else block.kind
        yield replace(block, start=start, end=end, kind=kind, section=_section_at(spans, start))


def _ends_line(text: str, offset: int) -> bool:
    rest = text[offset:offset + 200]
    return not rest.split("\n", 1)[0].strip()


def _merge_claims(pieces: list[Block], claims: list[dict]) -> list[Block]:
    """One block per claim, so a claim wrapped over lines or pages is never cut into separate sentences."""
    spans = [(c["block_start"], c["end"]) for c in claims]
    merged: list[Block] = []
    current: tuple[int, int] | None = None
    for piece in pieces:
        span = next(((s, e) for s, e in spans if s <= piece.start < e), None) if piece.section == "claims" else None
        if span is not None and span == current and merged:
            merged[-1] = replace(merged[-1], end=max(merged[-1].end, piece.end))
        else:
            merged.append(replace(piece, kind="list_item") if span is not None else piece)
        current = span
    return merged


def _abstract(text: str, markers: list[_Marker], spans: list[tuple[int, int, str]]) -> str | None:
    for marker in markers:
        if marker.section == "abstract":
            end = next((s_end for s_start, s_end, _ in spans if s_start == marker.start), len(text))
            body = text[marker.label_end:end].strip()
            return body or None
    return None


def _number(text: str, path: str) -> str | None:
    for match in _NUMBER_INID.finditer(text[:4000]):
        numbers = find_patent_numbers(match.group(0))
        if numbers:
            return numbers[0][2]
    numbers = find_patent_numbers(text[:1500])
    if numbers:
        return numbers[0][2]
    return normalise_patent_number(Path(path).stem.replace("_", " ").split(" ")[0])


_ADDRESS = re.compile(r"\d{4,}|\(\s*[A-Z]{2}\s*\)\s*$")
"""An address line under an applicant's name: a postcode or a closing country code."""
_NAME_END = re.compile(r",(?!\s*(?:ltd|limited|inc|llc|co|corp|corporation|gmbh|ag|s\.?a|plc|k\.?k|kabushiki)\b)"
                       r"|\(\s*[A-Z]{2}\s*\)", re.I)


def applicant_names(metadata: dict) -> list[str]:
    """Applicant names from a patent's metadata, whichever reader filled it (text: a list; EPO XML: lists per
    data format, the original one first; fetched records: an `assignee` string)."""
    applicants = metadata.get("applicants") or metadata.get("assignee") or []
    if isinstance(applicants, dict):
        applicants = applicants.get("original") or next(iter(applicants.values()), [])
    return [applicants] if isinstance(applicants, str) else [str(a) for a in applicants]


def _applicants(text: str) -> list[str]:
    """Applicant or assignee names from the front page: "(71) Applicant: BYD COMPANY LIMITED, Shenzhen (CN)"."""
    head = text[:6000]
    found = [m.group(1) for m in _APPLICANT_INID.finditer(head)] or [m.group(1) for m in _APPLICANT_LINE.finditer(head)]
    names = []
    for block in found:
        for i, line in enumerate(block.split("\n")):
            if i and _ADDRESS.search(line):
                continue
            for part in line.split(";"):
                name = _NAME_END.split(part.strip(" *\t"))[0].strip(" *:,")
                if len(name) > 1 and any(ch.isalpha() for ch in name):
                    names.append(_SPACE.sub(" ", name))
    return _unique(names)


def _inid_title(text: str) -> str | None:
    match = _TITLE_INID.search(text[:6000])
    if not match:
        return None
    title = _SPACE.sub(" ", match.group(1).replace("\n", " ")).strip()
    return title[:300] or None


def _inid_date(text: str) -> str | None:
    for match in _DATE_INID.finditer(text[:6000]):
        found = parse_date(match.group(0))
        if found:
            return found
    return None


def parse_date(value: str) -> str | None:
    """First date in "2024.10.11", "28.12.2011", "Mar. 30, 2023" or "20111228" form, as ISO."""
    compact = re.search(r"\b((?:19|20)\d{2})(\d{2})(\d{2})\b", value)
    if compact:
        return _iso(compact.group(1), compact.group(2), compact.group(3))
    for pattern, order in _DATES:
        match = pattern.search(value)
        if match:
            parts = dict(zip(order, match.groups()))
            month = parts["m"] if parts["m"].isdigit() else str(_MONTHS.get(parts["m"][:3].lower(), 0))
            found = _iso(parts["y"], month, parts["d"])
            if found:
                return found
    return None


def _iso(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if not (1800 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


# ── EPO OPS exchange XML ───────────────────────────────────────────────────────────────────────────────────────────

@dataclass
class _Publication:
    number: str | None = None
    constituents: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    claims: list[str] = field(default_factory=list)
    claims_lang: str | None = None
    description: list[str] = field(default_factory=list)


def read_patent_xml(path: str | Path, *more: str | Path) -> SourceDocument:
    """One publication from EPO OPS XML; pass its biblio, claims and description files together to merge them."""
    parts = []
    for part in (path, *more):
        try:
            parts.append((Path(part), Path(part).read_bytes()))
        except OSError as exc:
            raise ReadError(part, f"cannot read ({exc.strerror})") from None
    return patent_from_xml(parts)


def patent_from_xml(parts: Sequence[tuple[str | Path, bytes]]) -> SourceDocument:
    """Merge the constituents of one publication into a SourceDocument with sections and parsed claims."""
    merged = _Publication()
    for path, data in parts:
        publication = _publication(path, parse_xml(path, data))
        if merged.number and publication.number and publication.number != merged.number:
            raise ReadError(path, f"belongs to {publication.number}, not {merged.number}")
        merged.number = merged.number or publication.number
        merged.constituents += publication.constituents
        for key, value in publication.metadata.items():
            merged.metadata.setdefault(key, value)
        merged.claims = merged.claims or publication.claims
        merged.claims_lang = merged.claims_lang or publication.claims_lang
        merged.description = merged.description or publication.description
    first = parts[0][0]
    return _document(first, merged)


def parse_xml(path: str | Path, data: bytes) -> Element:
    """Parse untrusted XML without expanding entities or fetching anything (defusedxml)."""
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import fromstring

    if not data.strip():
        raise ReadError(path, "empty file")
    try:
        return fromstring(data)
    except EntitiesForbidden:
        raise ReadError(path, "unsafe XML (entity expansion)") from None
    except ExternalReferenceForbidden:
        raise ReadError(path, "unsafe XML (external reference)") from None
    except DTDForbidden:
        raise ReadError(path, "unsafe XML (DTD)") from None
    except ParseError as exc:
        raise ReadError(path, f"malformed XML ({exc})") from None


def _publication(path: str | Path, root: Element) -> _Publication:
    if _local(root.tag) == "fault":
        message = _text(next(_iter(root, "message"), None)) or "no message"
        raise ReadError(path, f"EPO OPS error response ({message})")
    documents = [el for el in root.iter() if _local(el.tag) in ("exchange-document", "fulltext-document")]
    if not documents:
        raise ReadError(path, "no exchange-document or fulltext-document (a search or family listing?)")
    numbers = {_document_number(el) for el in documents}
    if len(numbers) > 1:
        raise ReadError(path, f"{len(numbers)} publications in one file; read one publication per file")
    document = documents[0]
    publication = _Publication(number=_document_number(document))
    if _local(document.tag) == "exchange-document":
        publication.constituents.append("biblio")
        publication.metadata = _biblio(document)
    claims = _by_language(list(_iter(document, "claims")))
    if claims is not None:
        publication.constituents.append("claims")
        texts = list(_iter(claims, "claim-text"))
        nested = {id(inner) for outer in texts for inner in outer.iter() if inner is not outer}
        publication.claims = [_lines(_text_lines(el)) for el in texts if id(el) not in nested] or [
            _lines(_text_lines(claims))]
        publication.claims_lang = (claims.get("lang") or "").lower() or None
    description = _by_language(list(_iter(document, "description")))
    if description is not None:
        publication.constituents.append("description")
        paragraphs = [_lines(_text_lines(p)) for p in _iter(description, "p")] or [_lines(_text_lines(description))]
        publication.description = [p for p in paragraphs if p]
    return publication


def _document_number(document: Element) -> str | None:
    country, number, kind = document.get("country"), document.get("doc-number"), document.get("kind")
    if not (country and number):
        reference = next(_iter(document, "publication-reference"), None)
        docdb = _document_id(reference, "docdb") if reference is not None else None
        if docdb is None:
            return None
        country, number, kind = docdb.get("country"), docdb.get("doc-number"), docdb.get("kind")
    return f"{country}{number}{kind or ''}" if country and number else None


def _biblio(document: Element) -> dict:
    data = next(_iter(document, "bibliographic-data"), document)
    titles = {(el.get("lang") or "").lower(): _text(el) for el in _iter(data, "invention-title") if _text(el)}
    abstracts = list(_iter(document, "abstract"))
    abstract = _by_language(abstracts)
    publication = _document_id(next(_iter(data, "publication-reference"), None), "docdb")
    application_ref = next(_iter(data, "application-reference"), None)
    application = _document_id(application_ref, "docdb") or {}
    application_date = application.get("date") or (_document_id(application_ref, "epodoc") or {}).get("date")
    priorities = []
    for claim in _iter(data, "priority-claim"):
        ids = _document_id(claim, "epodoc") or _document_id(claim, "docdb") or {}
        original = _document_id(claim, "original") or {}
        priorities.append({key: value for key, value in {
            "number": ids.get("doc-number"), "original": original.get("doc-number"),
            "date": parse_date(ids.get("date") or "")}.items() if value})
    metadata = {
        "family_id": document.get("family-id"),
        "country": (publication or {}).get("country") or document.get("country"),
        "doc_number": (publication or {}).get("doc-number") or document.get("doc-number"),
        "kind_code": (publication or {}).get("kind") or document.get("kind"),
        "published": parse_date((publication or {}).get("date") or ""),
        "titles": titles,
        "title": titles.get("en") or next(iter(titles.values()), None),
        "abstract_paragraphs": [_lines(_text_lines(p)) for p in _iter(abstract, "p")] if abstract is not None else [],
        "applicants": _parties(data, "applicant"),
        "inventors": _parties(data, "inventor"),
        "ipc": _unique(_ipc(_text(el)) for el in _iter(data, "classification-ipcr")),
        "cpc": _unique(_cpc(el) for el in _iter(data, "patent-classification")),
        "application": {key: value for key, value in {
            "number": (f"{application.get('country', '')}{application.get('doc-number', '')}"
                       if application.get("doc-number") else None),
            "date": parse_date(application_date or "")}.items() if value},
        "priority_claims": priorities,
        "priority_dates": sorted({p["date"] for p in priorities if p.get("date")}),
    }
    return {key: value for key, value in metadata.items() if value not in (None, "", [], {})}


def _parties(data: Element, role: str) -> dict[str, list[str]]:
    """Names by data format: "original" as filed, "epodoc" as standardised by the EPO ("9SOLUTIONS OY [FI]")."""
    names: dict[str, list[str]] = {}
    for party in _iter(data, role):
        name = _text(next(_iter(party, "name"), None)).strip(" ,;")
        if name:
            names.setdefault(party.get("data-format") or "original", [])
            if name not in names[party.get("data-format") or "original"]:
                names[party.get("data-format") or "original"].append(name)
    return names


def _ipc(raw: str) -> str | None:
    match = re.match(r"\s*([A-H]\d{2}[A-Z])\s*(\d+)\s*/\s*(\d+)", raw)
    return f"{match.group(1)} {match.group(2)}/{match.group(3)}" if match else None


def _cpc(element: Element) -> str | None:
    scheme = next(_iter(element, "classification-scheme"), None)
    if scheme is not None and not (scheme.get("scheme") or "").upper().startswith("CPC"):
        return None
    part = {_local(child.tag): _text(child) for child in element}
    if not all(part.get(key) for key in ("section", "class", "subclass", "main-group", "subgroup")):
        return None
    return f"{part['section']}{part['class']}{part['subclass']} {part['main-group']}/{part['subgroup']}"


def _document(path: str | Path, publication: _Publication) -> SourceDocument:
    meta = publication.metadata
    pieces: list[tuple[str, str, str]] = []
    if meta.get("title"):
        pieces.append(("front", "heading", meta["title"]))
    abstract_paragraphs = meta.pop("abstract_paragraphs", [])
    if abstract_paragraphs:
        pieces.append(("abstract", "heading", "Abstract"))
        pieces += [("abstract", "paragraph", p) for p in abstract_paragraphs if p]
    claim_texts = _claim_texts(publication.claims)
    if claim_texts:
        pieces.append(("claims", "heading", "Claims"))
        pieces += [("claims", "list_item", claim) for claim in claim_texts]
    if publication.description:
        pieces.append(("description", "heading", "Description"))
        pieces += [("description", _paragraph_kind(p), p) for p in publication.description]
    if not pieces:
        raise ReadError(path, "no title, abstract, claims or description in the XML")
    text, blocks = assemble(pieces)
    claims = []
    for block in (b for b in blocks if b.section == "claims" and b.kind == "list_item"):
        prefix = _CLAIM_START.match(text, block.start, block.end)
        if prefix:
            claims.append(_public(_claim(text, int(prefix.group(1)), block.start, prefix.end(), block.end)))
    abstract_blocks = [b for b in blocks if b.section == "abstract" and b.kind == "paragraph"]
    abstract = text[abstract_blocks[0].start:abstract_blocks[-1].end] if abstract_blocks else None
    metadata = {**meta, "number": publication.number, "abstract": abstract, "claims": claims,
                "independent_claims": [c["number"] for c in claims if c["depends_on"] is None],
                "constituents": publication.constituents}
    if publication.claims_lang:
        metadata["claims_language"] = publication.claims_lang
    metadata.setdefault("title", None)
    return SourceDocument(path=str(path), text=text, blocks=blocks, title=meta.get("title"),
                          published=meta.get("published"), kind="patent", source="EPO OPS", metadata=metadata)


def _claim_texts(claim_elements: list[str]) -> list[str]:
    """One string per claim; OPS sometimes puts every claim in a single claim-text (with "CLAIMS" noise first)."""
    joined = "\n".join(c for c in claim_elements if c)
    numbered = split_claims(joined)
    if len(numbered) >= len([c for c in claim_elements if c]) and numbered:
        return [joined[block_start:end] for _, block_start, _, end in numbered]
    return [c if re.match(r"\d{1,3}\s*[.)]", c) else f"{i}. {c}" for i, c in enumerate(claim_elements, 1) if c]


def _paragraph_kind(paragraph: str) -> str:
    short = len(paragraph) <= 80 and "\n" not in paragraph
    heading = short and not paragraph.endswith((".", ":", ";")) and not paragraph.startswith("[")
    return "heading" if heading else "paragraph"


def _by_language(elements: list[Element], preferred: str = "en") -> Element | None:
    for element in elements:
        if (element.get("lang") or "").lower() == preferred:
            return element
    return elements[0] if elements else None


def _document_id(parent: Element | None, id_type: str) -> dict[str, str] | None:
    if parent is None:
        return None
    for document_id in _iter(parent, "document-id"):
        if (document_id.get("document-id-type") or "docdb") == id_type:
            return {_local(child.tag): _text(child) for child in document_id if _text(child)}
    return None


def _iter(element: Element | None, name: str) -> Iterator[Element]:
    if element is None:
        return
    for child in element.iter():
        if _local(child.tag) == name:
            yield child


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: Element | None) -> str:
    return _SPACE.sub(" ", " ".join("".join(element.itertext()).split())).strip() if element is not None else ""


def _text_lines(element: Element) -> str:
    return "".join(element.itertext())


def _lines(raw: str) -> str:
    lines = (_SPACE.sub(" ", line).strip() for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
