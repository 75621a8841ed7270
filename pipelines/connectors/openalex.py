"""OpenAlex: works by search (cursor paging) or by id/DOI, with the API key from OPENALEX_API_KEY when set.

OpenAlex meters usage per key (and per `mailto` without one); abstracts come as an inverted index and are
rebuilt into text.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from pipelines.connectors.base import (ConnectorError, CursorPage as Page, FetchedRecord, Fetcher, Query, contact,
                                      cursor_paged, json_body, json_digest)

SOURCE = "openalex"
API = "https://api.openalex.org/works"
KEY_ENV = "OPENALEX_API_KEY"
PAGE_SIZE = 100
VOLATILE = ("updated_date", "cited_by_count", "counts_by_year", "cited_by_percentile_year",
            "citation_normalized_percentile", "fwci", "relevance_score", "cited_by_api_url")


def parse_works(data: bytes) -> Page:
    """A list (`meta` + `results`) or a single work object."""
    body = json_body(SOURCE, data)
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        meta = body.get("meta") or {}
        return Page(records=[r for r in map(work_record, body["results"]) if r is not None],
                    total=int(meta.get("count") or 0), next_cursor=meta.get("next_cursor"))
    if isinstance(body, dict) and str(body.get("id", "")).startswith("https://openalex.org/W"):
        record = work_record(body)
        return Page(records=[record] if record else [], total=1, next_cursor=None)
    if isinstance(body, dict) and body.get("error"):
        raise ConnectorError(SOURCE, f"request failed ({body.get('error')}: {body.get('message', '')})".strip())
    raise ConnectorError(SOURCE, "malformed payload (neither a work nor a list of works)")


def work_record(work: Mapping[str, Any]) -> FetchedRecord | None:
    if not isinstance(work, Mapping) or not work.get("id"):
        return None
    openalex_id = str(work["id"]).rsplit("/", 1)[-1]
    doi = str(work.get("doi") or "").removeprefix("https://doi.org/").lower() or None
    location = work.get("primary_location") or {}
    venue = (location.get("source") or {}).get("display_name")
    authorships = work.get("authorships") or []
    institutions = list(dict.fromkeys(i.get("display_name") for a in authorships for i in a.get("institutions") or []
                                      if i.get("display_name")))
    metadata = {
        "openalex_id": openalex_id, "venue": venue, "type": work.get("type"), "language": work.get("language"),
        "institutions": institutions, "cited_by_count": work.get("cited_by_count"),
        "topics": [t.get("display_name") for t in work.get("topics") or [] if t.get("display_name")],
        "keywords": [k.get("display_name") for k in work.get("keywords") or [] if k.get("display_name")],
        "pdf_url": location.get("pdf_url"),
    }
    title = work.get("title") or work.get("display_name")
    return FetchedRecord(
        source=SOURCE, id=openalex_id, title=" ".join(str(title).split()) if title else None,
        url=location.get("landing_page_url") or (f"https://doi.org/{doi}" if doi else str(work["id"])),
        text=abstract(work.get("abstract_inverted_index")),
        published=work.get("publication_date") or (str(work["publication_year"])
                                                    if work.get("publication_year") else None),
        authors=[a["author"]["display_name"] for a in authorships
                 if (a.get("author") or {}).get("display_name")],
        doi=doi, kind="paper", raw_hash=json_digest(work, VOLATILE), publisher=venue,
        metadata={k: v for k, v in metadata.items() if v not in (None, "", [])})


def abstract(inverted: Mapping[str, list[int]] | None) -> str:
    """Text from OpenAlex's inverted index ({"word": [positions]})."""
    if not isinstance(inverted, Mapping):
        return ""
    positions = {position: word for word, where in inverted.items() for position in where or []}
    return " ".join(positions[i] for i in sorted(positions))


class OpenAlex:
    """`search` over titles, abstracts and full text, or work ids (W…) and DOIs; `since` is a publication date."""

    source = SOURCE
    min_interval = 0.1

    def __init__(self, fetcher: Fetcher, *, api: str = API, page_size: int = PAGE_SIZE,
                 api_key: str | None = None, mailto: str | None = None):
        self.fetcher = fetcher
        self.fetcher.auth_hint = f"check {KEY_ENV}"
        self.api = api
        self.page_size = page_size
        self.identity = {"api_key": api_key or os.environ.get(KEY_ENV) or None, "mailto": mailto or contact()}

    def fetch(self, query: Query) -> Iterator[FetchedRecord]:
        since = query.since.isoformat() if query.since else None
        if query.ids:
            for identifier in query.ids[:query.limit]:
                path = identifier.strip().removeprefix("https://openalex.org/")
                if path.startswith("10."):
                    path = f"doi:{path}"
                data = self.fetcher.get(f"{self.api}/{quote(path, safe=':/')}", self.identity, stable=True,
                                        missing_ok=True)
                if data is None:
                    raise ConnectorError(SOURCE, f"no work {identifier}")
                yield from (r for r in parse_works(data).records if not since or (r.published or "") >= since)
            return
        if not query.text:
            raise ConnectorError(SOURCE, "give a search query or work ids")
        params: dict[str, object] = {"search": query.text, **self.identity}
        if since:
            params["filter"] = f"from_publication_date:{since}"
        yield from cursor_paged(
            lambda cursor, size: parse_works(self.fetcher.get(self.api, {**params, "per-page": size, "cursor": cursor})
                                             or b""), query.limit, self.page_size)
