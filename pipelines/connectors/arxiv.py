"""arXiv: the Atom query API, paged with start/max_results, newest submissions first, one request per 3 s.

arXiv asks API clients for no more than one request every three seconds, on a single connection; searches are
sorted by submission date so `--since` can stop paging once a whole page is older than the date.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, tostring

from pipelines.connectors.base import (
    ConnectorError,
    FetchedRecord,
    Fetcher,
    Query,
    child,
    children,
    digest,
    iso_date,
    local,
    text_of,
    xml_root,
)

SOURCE = "arxiv"
API = "https://export.arxiv.org/api/query"
PAGE_SIZE = 100
_ID = re.compile(r"arxiv\.org/abs/(?P<id>.+?)(?P<version>v\d+)?$")


@dataclass
class Page:
    records: list[FetchedRecord]
    total: int
    start: int


def parse_feed(data: bytes) -> Page:
    """Records of one Atom result page; an error entry (arXiv's way of rejecting a query) raises."""
    root = xml_root(SOURCE, data)
    if local(root.tag) != "feed":
        raise ConnectorError(SOURCE, f"malformed payload (expected an Atom feed, got <{local(root.tag)}>)")
    records = []
    for entry in children(root, "entry"):
        entry_id = text_of(child(entry, "id"))
        if "/api/errors" in entry_id:
            raise ConnectorError(SOURCE, f"query rejected ({text_of(child(entry, 'summary')) or entry_id})")
        records.append(entry_record(entry))
    return Page(records=records, total=_int(child(root, "totalResults")), start=_int(child(root, "startIndex")))


def entry_record(entry: Element) -> FetchedRecord:
    match = _ID.search(text_of(child(entry, "id")))
    if not match:
        raise ConnectorError(SOURCE, f"malformed payload (entry id {text_of(child(entry, 'id'))!r})")
    links = {link.get("title") or link.get("rel"): link.get("href") for link in children(entry, "link")}
    summary = "".join(child(entry, "summary").itertext()) if child(entry, "summary") is not None else ""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", summary.strip()) if p.strip()]
    metadata = {
        "arxiv_id": match["id"], "version": match["version"],
        "categories": [c.get("term") for c in children(entry, "category") if c.get("term")],
        "primary_category": (child(entry, "primary_category").get("term")
                             if child(entry, "primary_category") is not None else None),
        "journal_ref": text_of(child(entry, "journal_ref")) or None,
        "comment": text_of(child(entry, "comment")) or None,
        "pdf_url": links.get("pdf"), "updated": iso_date(text_of(child(entry, "updated"))),
    }
    return FetchedRecord(
        source=SOURCE, id=match["id"], title=text_of(child(entry, "title")) or None,
        url=links.get("alternate") or f"https://arxiv.org/abs/{match['id']}", text="\n\n".join(paragraphs),
        published=iso_date(text_of(child(entry, "published"))),
        authors=[text_of(child(a, "name")) for a in children(entry, "author") if text_of(child(a, "name"))],
        doi=text_of(child(entry, "doi")) or None, kind="paper", raw_hash=digest(tostring(entry)),
        publisher="arXiv", metadata={k: v for k, v in metadata.items() if v})


def _int(element: Element | None) -> int:
    try:
        return int(text_of(element))
    except ValueError:
        return 0


class Arxiv:
    """`search_query` (arXiv syntax, e.g. `all:"solid electrolyte" AND cat:cond-mat.mtrl-sci`) or an id list."""

    source = SOURCE
    min_interval = 3.0

    def __init__(self, fetcher: Fetcher, *, api: str = API, page_size: int = PAGE_SIZE):
        self.fetcher = fetcher
        self.api = api
        self.page_size = page_size

    def fetch(self, query: Query) -> Iterator[FetchedRecord]:
        if not (query.text or query.ids):
            raise ConnectorError(SOURCE, "give a search query or arXiv ids")
        params: dict[str, object] = {"search_query": query.text or "", "id_list": ",".join(query.ids)}
        if query.text:
            params |= {"sortBy": "submittedDate", "sortOrder": "descending"}
        start = given = 0
        while given < query.limit:
            size = min(self.page_size, query.limit - given)
            data = self.fetcher.get(self.api, {**params, "start": start, "max_results": size},
                                    stable=not query.text)
            page = parse_feed(data or b"")
            fresh = [r for r in page.records if not query.since or (r.published or "") >= query.since.isoformat()]
            for record in fresh[:query.limit - given]:
                given += 1
                yield record
            start += len(page.records)
            if not page.records or start >= page.total or (query.since and query.text and not fresh):
                return
