"""Crossref: works by query (deep paging with cursors) or by DOI, in the polite pool when a contact is set.

Crossref routes requests that carry a `mailto` (and a User-Agent naming the tool) to its "polite" servers;
abstracts arrive as JATS markup and are turned into plain paragraphs.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from pipelines.connectors.base import (
    ConnectorError,
    CursorPage as Page,
    cursor_paged,
    FetchedRecord,
    Fetcher,
    Query,
    contact,
    date_parts,
    json_body,
    json_digest,
    markup_paragraphs,
)

SOURCE = "crossref"
API = "https://api.crossref.org/works"
PAGE_SIZE = 100
#: fields that change without the work changing (index time, relevance, citation counts)
VOLATILE = ("indexed", "score", "is-referenced-by-count")
SELECT = ("DOI,title,subtitle,abstract,author,published,published-print,published-online,issued,created,"
          "container-title,publisher,type,URL,subject,ISSN,language")


def parse_works(data: bytes) -> Page:
    """A `work` or `work-list` envelope; anything else is a malformed payload."""
    body = json_body(SOURCE, data)
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise ConnectorError(SOURCE, "malformed payload (no message object)")
    if body.get("status") not in (None, "ok"):
        raise ConnectorError(SOURCE, f"request failed ({body.get('status')}: {body.get('message-type')})")
    message = body["message"]
    if body.get("message-type") == "work" or "items" not in message:
        items = [message]
    elif isinstance(message.get("items"), list):
        items = message["items"]
    else:
        raise ConnectorError(SOURCE, "malformed payload (items is not a list)")
    records = [r for r in map(work_record, items) if r is not None]
    return Page(records=records, total=int(message.get("total-results") or len(items)),
                next_cursor=message.get("next-cursor"))


def work_record(item: Mapping[str, Any]) -> FetchedRecord | None:
    """One work; None without a DOI (nothing to key it by)."""
    if not isinstance(item, Mapping) or not item.get("DOI"):
        return None
    doi = str(item["DOI"]).lower()
    paragraphs = markup_paragraphs(item.get("abstract"))
    if paragraphs and paragraphs[0].rstrip(":").lower() == "abstract":
        paragraphs = paragraphs[1:]
    title = " ".join(_first(item.get("title")).split()) or None
    subtitle = _first(item.get("subtitle"))
    if title and subtitle:
        title = f"{title}: {subtitle}"
    published = next((date_parts((item.get(k) or {}).get("date-parts"))
                      for k in ("published", "published-print", "published-online", "issued", "created")
                      if date_parts((item.get(k) or {}).get("date-parts"))), None)
    venue = _first(item.get("container-title")) or None
    metadata = {"venue": venue, "publisher_name": item.get("publisher"), "type": item.get("type"),
                "subjects": item.get("subject") or None, "issn": item.get("ISSN") or None,
                "language": item.get("language")}
    return FetchedRecord(
        source=SOURCE, id=doi, title=title, url=item.get("URL") or f"https://doi.org/{doi}",
        text="\n\n".join(paragraphs), published=published, authors=[_person(a) for a in item.get("author") or []
                                                                     if _person(a)],
        doi=doi, kind="paper", raw_hash=json_digest(item, VOLATILE), publisher=venue or item.get("publisher"),
        metadata={k: v for k, v in metadata.items() if v})


def _first(value: object) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _person(author: Mapping[str, Any]) -> str:
    if not isinstance(author, Mapping):
        return ""
    name = " ".join(str(author[k]) for k in ("given", "family") if author.get(k))
    return name or str(author.get("name") or "")


class Crossref:
    """Free-text `query` (bibliographic search), or DOIs; `since` filters on the publication date."""

    source = SOURCE
    min_interval = 0.2

    def __init__(self, fetcher: Fetcher, *, api: str = API, page_size: int = PAGE_SIZE, mailto: str | None = None):
        self.fetcher = fetcher
        self.api = api
        self.page_size = page_size
        self.mailto = mailto or contact()

    def fetch(self, query: Query) -> Iterator[FetchedRecord]:
        if query.ids:
            yield from self._by_doi(query)
            return
        if not query.text:
            raise ConnectorError(SOURCE, "give a search query or DOIs")
        params: dict[str, object] = {"query": query.text, "select": SELECT, "mailto": self.mailto}
        if query.since:
            params["filter"] = f"from-pub-date:{query.since.isoformat()}"
        yield from cursor_paged(
            lambda cursor, rows: parse_works(self.fetcher.get(self.api, {**params, "rows": rows, "cursor": cursor})
                                             or b""), query.limit, self.page_size)

    def _by_doi(self, query: Query) -> Iterator[FetchedRecord]:
        for doi in query.ids[:query.limit]:
            doi = doi.strip().removeprefix("https://doi.org/").removeprefix("doi:")
            data = self.fetcher.get(f"{self.api}/{quote(doi, safe='/')}", {"mailto": self.mailto}, stable=True,
                                    missing_ok=True)
            if data is None:
                raise ConnectorError(SOURCE, f"no work with DOI {doi}")
            yield from (r for r in parse_works(data).records
                        if not query.since or (r.published or "") >= query.since.isoformat())
