"""Connectors: one module per API behind one small protocol, all on one polite HTTP client.

A connector turns API payloads into FetchedRecords with pure parsers; the network lives in `Fetcher`, which names
the tool in User-Agent, spaces requests per host, retries 429/5xx with backoff (honouring Retry-After), stores every
raw payload in the cache before anything parses it, and turns HTTP trouble into one-line ConnectorErrors.
"""
from __future__ import annotations

import email.utils
import hashlib
import html
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any, ClassVar, Protocol, TypeVar
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import httpx

from pipelines.connectors.cache import Cache, request_key
from pipelines.readers.base import ReadError, SourceDocument, assemble

USER_AGENT = "ssb-kg/0.1"
CONTACT_ENV = "KG_CONTACT_EMAIL"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: search and feed pages are re-fetched after this long; lookups by identifier stay cached until --refresh
LISTING_MAX_AGE = 3600.0


class ConnectorError(Exception):
    """One line the user can act on: which source, what went wrong."""

    def __init__(self, source: str, problem: str, *, status: int | None = None):
        self.source = source
        self.problem = problem
        self.status = status
        super().__init__(f"{source}: {problem}")


@dataclass
class CursorPage:
    """One page of a cursor-paged JSON API (Crossref, OpenAlex): its records, the total, the next cursor."""

    records: list[FetchedRecord]
    total: int
    next_cursor: str | None


def cursor_paged(get_page: Callable[[str, int], CursorPage], limit: int, page_size: int) -> Iterator[FetchedRecord]:
    """Records of a cursor-paged API up to `limit`, asking `get_page(cursor, size)` from cursor "*" on; stops at
    an empty page, a missing cursor, or a cursor that does not move (a server quirk that would loop forever)."""
    cursor, given = "*", 0
    while given < limit:
        page = get_page(cursor, min(page_size, limit - given))
        for record in page.records[:limit - given]:
            given += 1
            yield record
        if not page.records or not page.next_cursor or page.next_cursor == cursor:
            return
        cursor = page.next_cursor


@dataclass(frozen=True)
class Query:
    """What to fetch: a search (`text`) or identifiers (`ids`), optionally only what was published since a date."""

    text: str | None = None
    ids: tuple[str, ...] = ()
    since: date | None = None
    limit: int = 100


@dataclass
class FetchedRecord:
    """One paper, patent or news item as an API described it, with the hash of its raw payload."""

    source: str  # connector name: arxiv | crossref | openalex | epo | rss
    id: str
    title: str | None
    url: str | None = None
    text: str = ""  # abstract or summary; paragraphs separated by blank lines
    published: str | None = None  # ISO date YYYY[-MM[-DD]]
    authors: list[str] = field(default_factory=list)
    doi: str | None = None
    assignee: list[str] = field(default_factory=list)
    cpc: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    family: list[str] = field(default_factory=list)
    kind: str = "paper"  # paper | patent | news
    raw_hash: str = ""
    publisher: str | None = None  # shown as the document source: journal, feed or office
    metadata: dict = field(default_factory=dict)
    #: a reader's own output when the payload is a format a reader already parses (EPO exchange XML)
    document: SourceDocument | None = None

    @property
    def path(self) -> str:
        """The document's key in the store: the article URL for news, `source:id` otherwise."""
        return self.id if re.match(r"https?://", self.id) else f"{self.source}:{self.id}"


class Connector(Protocol):
    source: ClassVar[str]
    min_interval: ClassVar[float]  # seconds between requests to one host
    fetcher: Fetcher

    def __init__(self, fetcher: Fetcher, **options: Any) -> None: ...

    def fetch(self, query: Query) -> Iterator[FetchedRecord]: ...


# ── HTTP ───────────────────────────────────────────────────────────────────────────────────────────────────────────

def contact() -> str | None:
    return os.environ.get(CONTACT_ENV, "").strip() or None


def user_agent(email_address: str | None = None) -> str:
    return f"{USER_AGENT} (+mailto:{email_address})" if email_address else USER_AGENT


def polite_client(transport: httpx.BaseTransport | None = None, *,
                  timeout: httpx.Timeout = TIMEOUT) -> httpx.Client:
    """An httpx.Client that names the tool and a contact (KG_CONTACT_EMAIL), with time-outs and redirects."""
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=True,
                        headers={"User-Agent": user_agent(contact())})


class Throttle:
    """Minimum spacing between requests with the same key (a host, or one OPS service)."""

    def __init__(self, default: float, sleep: Callable[[float], None], clock: Callable[[], float]):
        self.default = default
        self.sleep = sleep
        self.clock = clock
        self.intervals: dict[str, float] = {}
        self._last: dict[str, float] = {}

    def wait(self, key: str) -> None:
        interval = self.intervals.get(key, self.default)
        last = self._last.get(key)
        if last is not None and interval > 0:
            delay = last + interval - self.clock()
            if delay > 0:
                self.sleep(delay)
        self._last[key] = self.clock()


ResponseHook = Callable[[httpx.Response], "float | None"]


class Fetcher:
    """GET with cache, spacing, retries and one-line errors, for one source.

    `sleep` and `clock` are injectable so tests neither wait nor depend on time.
    """

    def __init__(self, source: str, client: httpx.Client, cache: Cache | None = None, *,
                 min_interval: float = 0.0, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, retries: int = 4, backoff: float = 1.0,
                 max_wait: float = 300.0, offline: bool = False, refresh: bool = False,
                 max_age: float = LISTING_MAX_AGE, auth_hint: str = ""):
        self.source = source
        self.client = client
        self.cache = cache
        self.throttle = Throttle(min_interval, sleep, clock)
        self.sleep = sleep
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.offline = offline
        self.refresh = refresh
        self.max_age = max_age
        self.auth_hint = auth_hint

    def get(self, url: str, params: Mapping[str, object] | None = None, *, stable: bool = False,
            missing_ok: bool = False, auth: httpx.Auth | None = None, throttle_key: str | None = None,
            on_response: ResponseHook | None = None) -> bytes | None:
        """The body of a successful response; None for a 404 when `missing_ok`.

        `stable` marks lookups by identifier, served from the cache whatever their age; searches and feeds
        are re-fetched once older than `max_age`. `on_response` sees every response and may ask for a retry
        after a number of seconds (EPO's fair-use signals).
        """
        params = {k: v for k, v in (params or {}).items() if v is not None}
        key = request_key("GET", url, params)
        if self.cache is not None and not self.refresh:
            entry = self.cache.fresh(key, None if stable or self.offline else self.max_age)
            if entry is not None and entry.status == 404 and missing_ok:
                return None
            cached = self.cache.read(entry.sha256) if entry is not None and entry.status < 400 else None
            if cached is not None:
                return cached
        if self.offline:
            raise ConnectorError(self.source, f"not in the cache and offline: {_shown(key)}")
        throttle_key = throttle_key or urlsplit(url).netloc
        for attempt in range(self.retries + 1):
            self.throttle.wait(throttle_key)
            try:
                response = self.client.get(url, params=params,
                                           auth=httpx.USE_CLIENT_DEFAULT if auth is None else auth)
            except httpx.TransportError as exc:
                if attempt < self.retries:
                    self.sleep(self.backoff * 2 ** attempt)
                    continue
                problem = "timed out" if isinstance(exc, httpx.TimeoutException) else "network error"
                raise ConnectorError(self.source, f"{problem} ({type(exc).__name__}) for {_shown(key)}") from None
            asked = on_response(response) if on_response else None
            status = response.status_code
            if asked is not None or status in RETRY_STATUSES:
                wait = asked if asked is not None else retry_after(response.headers.get("Retry-After"))
                wait = self.backoff * 2 ** attempt if wait is None else wait
                if wait > self.max_wait:
                    raise ConnectorError(self.source, f"rate limit or quota exhausted (HTTP {status}, asked to "
                                                      f"wait {wait:.0f} s); try again later", status=status)
                if attempt < self.retries:
                    self.sleep(wait)
                    continue
                problem = "rate limited" if status == 429 else "server error" if status >= 500 else "throttled"
                raise ConnectorError(self.source, f"{problem} (HTTP {status}) after {attempt + 1} attempts for "
                                                  f"{_shown(key)}; try again later", status=status)
            if status == 404 and missing_ok:
                if self.cache is not None:
                    self.cache.put(key, response.content, source=self.source, status=404)
                return None
            if status in (401, 403):
                hint = f": {self.auth_hint}" if self.auth_hint else ""
                raise ConnectorError(self.source, f"access refused (HTTP {status}{_detail(response)}){hint}",
                                     status=status)
            if status >= 400:
                raise ConnectorError(self.source, f"HTTP {status}{_detail(response)} for {_shown(key)}",
                                     status=status)
            data = response.content
            if self.cache is not None:
                self.cache.put(key, data, source=self.source, content_type=response.headers.get("Content-Type"))
            return data
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.client.close()


C = TypeVar("C", bound=Connector)


def connect(connector: type[C], *, transport: httpx.BaseTransport | None = None, cache: Cache | None = None,
            offline: bool = False, refresh: bool = False, sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic, **options: Any) -> C:
    """A connector on a fresh polite client with that API's spacing; tests pass a MockTransport and a fake sleep."""
    fetcher = Fetcher(connector.source, polite_client(transport), cache, min_interval=connector.min_interval,
                      sleep=sleep, clock=clock, offline=offline, refresh=refresh)
    return connector(fetcher, **options)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date (RFC 9110)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_MESSAGE = re.compile(r"<(?:\w+:)?(?:message|description|summary)>\s*([^<]{1,300}?)\s*</", re.IGNORECASE)


def _detail(response: httpx.Response) -> str:
    """The API's own words for an error (JSON message, OPS fault, Atom error entry), shortened to one line."""
    text = response.text[:20000] if response.content else ""
    message: object = None
    try:
        body = json.loads(text)
    except ValueError:
        found = _MESSAGE.search(text)
        message = found.group(1) if found else None
    else:
        if isinstance(body, dict):
            message = body.get("message") or body.get("error_description") or body.get("error") or body.get("detail")
            if isinstance(message, list) and message:
                message = message[0].get("message") if isinstance(message[0], dict) else message[0]
    if not isinstance(message, str) or not message.strip():
        return ""
    return f": {' '.join(html.unescape(message).split())[:200]}"


def _shown(key: str) -> str:
    return key.removeprefix("GET ")


# ── pure helpers for parsers ───────────────────────────────────────────────────────────────────────────────────────

def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def json_digest(item: Mapping[str, Any], volatile: Sequence[str] = ()) -> str:
    """Hash of one JSON item without counters that change daily, so a citation count does not re-extract a paper."""
    kept = {k: v for k, v in item.items() if k not in volatile}
    return digest(json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


def json_body(source: str, data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConnectorError(source, f"malformed payload (not JSON: {exc})") from None


def xml_root(source: str, data: bytes) -> Element:
    """Untrusted XML through the readers' defusedxml parser; problems become ConnectorErrors naming the source."""
    from pipelines.readers.patent import parse_xml

    try:
        return parse_xml(source, data)
    except ReadError as exc:
        raise ConnectorError(source, f"malformed payload ({exc.problem})") from None


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((c for c in element if local(c.tag) == name), None)


def children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [c for c in element if local(c.tag) == name]


def text_of(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def iso_date(value: str | None) -> str | None:
    """YYYY-MM-DD from ISO 8601 or RFC 822 ("Tue, 24 Mar 2026 13:13:54 +0000") dates; None when unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    found = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value)
    if found:
        return "-".join(part for part in found.groups() if part)
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def date_parts(parts: object) -> str | None:
    """Crossref's {"date-parts": [[2012, 3, 21]]} (year, month or day may be missing) as an ISO date."""
    try:
        first = [int(p) for p in parts[0] if p is not None]  # type: ignore[index]
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    if not first:
        return None
    return "-".join([f"{first[0]:04d}", *(f"{p:02d}" for p in first[1:3])])


class _Paragraphs(HTMLParser):
    _BREAKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
                         "table", "section", "title", "sec", "figure"})
    _SKIP = frozenset({"script", "style", "figure", "figcaption"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def _flush(self) -> None:
        paragraph = " ".join("".join(self._current).split())
        if paragraph:
            self.paragraphs.append(paragraph)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        name = tag.split(":")[-1]
        if name in self._SKIP:
            self._skipping += 1
        if name in self._BREAKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        name = tag.split(":")[-1]
        if name in self._SKIP and self._skipping:
            self._skipping -= 1
        if name in self._BREAKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current.append(data)


def markup_paragraphs(markup: str | None) -> list[str]:
    """Paragraphs of an HTML or JATS fragment (feed summaries, Crossref abstracts) as plain text."""
    if not markup or not markup.strip():
        return []
    if "<" not in markup:
        return [p for p in (" ".join(html.unescape(block).split()) for block in re.split(r"\n\s*\n", markup)) if p]
    parser = _Paragraphs()
    parser.feed(markup)
    parser.close()
    parser._flush()
    return parser.paragraphs


# ── records → reader output ────────────────────────────────────────────────────────────────────────────────────────

def record_metadata(record: FetchedRecord) -> dict:
    """What the graph keeps about a fetched record besides its text; empty values are left out."""
    metadata = {"fetched_from": record.source, "source_id": record.id, "url": record.url, "doi": record.doi,
                "authors": record.authors, "abstract": record.text or None,
                "assignee": record.assignee[0] if record.assignee else None,
                "assignees": record.assignee, "cpc": record.cpc, "family": record.family,
                "claims": [{"number": i, "text": c} for i, c in enumerate(record.claims, 1)],
                **record.metadata}
    return {k: v for k, v in metadata.items() if v not in (None, "", [], {})}


def to_source(record: FetchedRecord) -> SourceDocument:
    """The SourceDocument the extractors read: title as a heading, then the abstract, summary or claims."""
    metadata = record_metadata(record)
    if record.document is not None:
        doc = record.document
        return replace(doc, path=record.path, source=record.publisher or doc.source,
                       metadata={**metadata, **{k: v for k, v in doc.metadata.items() if v not in (None, "", [])}})
    section = {"paper": "abstract", "patent": "abstract"}.get(record.kind)
    pieces: list[tuple[str | None, str, str]] = []
    if record.title:
        pieces.append((None, "heading", " ".join(record.title.split())))
    pieces += [(section, "paragraph", p) for p in re.split(r"\n\s*\n", record.text) if p.strip()]
    pieces += [("claims", "list_item", claim) for claim in record.claims if claim.strip()]
    if not pieces:
        raise ReadError(record.path, "no title or text in the fetched record")
    text, blocks = assemble((section, kind, piece.strip()) for section, kind, piece in pieces)
    return SourceDocument(path=record.path, text=text, blocks=blocks, title=record.title,
                          published=record.published, kind=record.kind, source=record.publisher or record.source,
                          metadata=metadata)


