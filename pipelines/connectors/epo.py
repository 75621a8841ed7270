"""EPO Open Patent Services: CQL search and publications by number, read by the existing exchange-XML reader.

OPS needs OAuth2 client credentials (EPO_OPS_KEY / EPO_OPS_SECRET) and enforces fair use: every response says in
X-Throttling-Control how many requests per minute each service (search, retrieval, inpadoc …) accepts and how
loaded it is, so requests are spaced per service from that header; "black" means blocked until Retry-After, and a
403 with X-Rejection-Reason means a quota is used up.
"""
from __future__ import annotations

import base64
import json
import os
import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import httpx

from pipelines.connectors.base import (
    ConnectorError,
    FetchedRecord,
    Fetcher,
    Query,
    child,
    children,
    digest,
    local,
    retry_after,
    text_of,
    xml_root,
)
from pipelines.readers.base import ReadError
from pipelines.readers.patent import normalise_patent_number, patent_from_xml

SOURCE = "epo"
OPS = "https://ops.epo.org/3.2"
KEY_ENV = "EPO_OPS_KEY"
SECRET_ENV = "EPO_OPS_SECRET"
PAGE_SIZE = 25
MAX_RANGE = 2000  # OPS serves search results 1-2000 only
CONSTITUENTS = ("biblio", "claims", "description")
_SLOWER = {"green": 1.0, "yellow": 2.0, "red": 4.0}
_EXPIRED = re.compile(r"access.?token", re.IGNORECASE)
_NUMBER = re.compile(r"(?P<cc>[A-Z]{2})(?P<number>\d+)(?P<kind>[A-Z]\d?)?")


# ── fair use ───────────────────────────────────────────────────────────────────────────────────────────────────────

def parse_throttling(header: str) -> tuple[str, dict[str, tuple[str, int]]]:
    """'busy (images=green:200, search=yellow:10, …)' → ("busy", {"search": ("yellow", 10), …})."""
    status = header.split("(", 1)[0].strip().lower()
    services = {name.lower(): (colour.lower(), int(limit))
                for name, colour, limit in re.findall(r"(\w+)=(\w+):(\d+)", header)}
    return status, services


def service_of(url: str) -> str:
    """The OPS throttling service a URL counts against."""
    if "/published-data/search" in url:
        return "search"
    if "/published-data/images" in url:
        return "images"
    if "/family/" in url or "/legal/" in url:
        return "inpadoc"
    if "/published-data/" in url:
        return "retrieval"
    return "other"


class OpsAuth(httpx.Auth):
    """OAuth2 client credentials: a bearer token fetched on first use and again when OPS says it expired."""

    requires_response_body = True

    def __init__(self, key: str | None, secret: str | None, token_url: str = f"{OPS}/auth/accesstoken",
                 clock: Callable[[], float] = time.monotonic):
        self.key = key
        self.secret = secret
        self.token_url = token_url
        self.clock = clock
        self.token: str | None = None
        self.expires = 0.0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.token is None or self.clock() >= self.expires:
            yield from self._renew()
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code in (400, 401) and _EXPIRED.search(response.text):
            yield from self._renew()
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request

    def _renew(self) -> Generator[httpx.Request, httpx.Response, None]:
        if not (self.key and self.secret):
            raise ConnectorError(SOURCE, f"set {KEY_ENV} and {SECRET_ENV} (OPS client credentials from "
                                         "developers.epo.org)")
        basic = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        response = yield httpx.Request("POST", self.token_url, content=b"grant_type=client_credentials",
                                       headers={"Authorization": f"Basic {basic}",
                                                "Content-Type": "application/x-www-form-urlencoded"})
        if response.status_code in (400, 401, 403):
            raise ConnectorError(SOURCE, f"authentication failed (HTTP {response.status_code}); check {KEY_ENV} "
                                         f"and {SECRET_ENV}", status=response.status_code)
        if response.status_code != 200:
            raise ConnectorError(SOURCE, f"token request failed (HTTP {response.status_code}); try again later",
                                 status=response.status_code)
        try:
            body = json.loads(response.content)
            self.token = str(body["access_token"])
            lifetime = float(body.get("expires_in") or 1200)
        except (ValueError, KeyError, TypeError):
            raise ConnectorError(SOURCE, "malformed payload (token response without access_token)") from None
        self.expires = self.clock() + max(lifetime - 60, 30)


# ── payloads ───────────────────────────────────────────────────────────────────────────────────────────────────────

@dataclass
class SearchPage:
    numbers: list[str]  # docdb "EP.2400812.A1"
    total: int


def parse_search(data: bytes) -> SearchPage:
    root = _ops_root(data)
    search = next((el for el in root.iter() if local(el.tag) == "biblio-search"), None)
    if search is None:
        raise ConnectorError(SOURCE, "malformed payload (no biblio-search in the search response)")
    numbers = []
    for reference in (el for el in search.iter() if local(el.tag) == "publication-reference"):
        document_id = next((el for el in reference.iter() if local(el.tag) == "document-id"), None)
        parts = [text_of(child(document_id, name)) for name in ("country", "doc-number", "kind")]
        if parts[0] and parts[1]:
            numbers.append(".".join(p for p in parts if p))
    total = int(search.get("total-result-count") or len(numbers))
    return SearchPage(numbers=numbers, total=total)


def parse_family(data: bytes) -> list[str]:
    """Publication numbers of the INPADOC family members, in OPS order."""
    root = _ops_root(data)
    members = []
    for member in (el for el in root.iter() if local(el.tag) == "family-member"):
        reference = child(member, "publication-reference")
        for document_id in children(reference, "document-id"):
            if (document_id.get("document-id-type") or "docdb") == "docdb":
                number = "".join(text_of(child(document_id, n)) for n in ("country", "doc-number", "kind"))
                if number and number not in members:
                    members.append(number)
    return members


def patent_record(number: str, parts: list[tuple[str, bytes]], family: bytes | None = None) -> FetchedRecord:
    """One publication from its biblio/claims/description payloads, through the patent XML reader."""
    try:
        document = patent_from_xml([(f"{SOURCE}:{number}/{name}", data) for name, data in parts])
    except ReadError as exc:
        raise ConnectorError(SOURCE, f"malformed payload for {number} ({exc.problem})") from None
    meta = document.metadata
    applicants = meta.get("applicants") or {}
    assignee = applicants.get("original") or applicants.get("epodoc") or next(iter(applicants.values()), [])
    members = parse_family(family) if family else []
    publication = meta.get("number") or number
    return FetchedRecord(
        source=SOURCE, id=publication, title=document.title, text=meta.get("abstract") or "",
        url=f"https://worldwide.espacenet.com/patent/search?q=pn%3D{publication}", published=document.published,
        assignee=list(assignee), cpc=list(meta.get("cpc") or []),
        claims=[c["text"] for c in meta.get("claims") or []], family=members, kind="patent",
        raw_hash=digest(b"\n".join(data for _, data in parts) + (b"\n" + family if family else b"")),
        publisher="EPO OPS", metadata={"family_id": meta.get("family_id")} if meta.get("family_id") else {},
        document=document)


def docdb(number: str) -> str:
    """"CN118748295A" (any common spelling) → "CN.118748295.A"; without a kind code the epodoc "CN118748295"."""
    normalised = normalise_patent_number(number) or number.replace(" ", "").upper()
    match = _NUMBER.fullmatch(normalised)
    if not match:
        raise ConnectorError(SOURCE, f"not a publication number: {number!r}")
    return f"{match['cc']}.{match['number']}.{match['kind']}" if match["kind"] else f"{match['cc']}{match['number']}"


def _ops_root(data: bytes) -> Element:
    root = xml_root(SOURCE, data)
    if local(root.tag) == "fault":
        message = next((text_of(el) for el in root.iter() if local(el.tag) == "message"), "no message")
        raise ConnectorError(SOURCE, f"OPS error ({message})")
    return root


# ── connector ──────────────────────────────────────────────────────────────────────────────────────────────────────

class Epo:
    """CQL search (`cpc=H01M10/0562 and pa=catl`) or publication numbers; each hit read as biblio+claims+description.

    Claims and description exist in OPS for EP, WO and some other offices only; where they are missing the
    record carries the bibliographic data and abstract.
    """

    source = SOURCE
    min_interval = 0.0

    def __init__(self, fetcher: Fetcher, *, api: str = f"{OPS}/rest-services", key: str | None = None,
                 secret: str | None = None, family: bool = False, page_size: int = PAGE_SIZE):
        self.fetcher = fetcher
        self.fetcher.auth_hint = f"check {KEY_ENV} and {SECRET_ENV}"
        self.api = api
        self.auth = OpsAuth(key or os.environ.get(KEY_ENV), secret or os.environ.get(SECRET_ENV),
                            token_url=api.rsplit("/rest-services", 1)[0] + "/auth/accesstoken",
                            clock=fetcher.throttle.clock)
        self.family = family
        self.page_size = page_size

    def fetch(self, query: Query) -> Iterator[FetchedRecord]:
        if query.ids:
            numbers: Iterator[str] = (n for raw in query.ids for n in self._resolve(raw))
        elif query.text:
            numbers = self.search(query.text, query.limit)
        else:
            raise ConnectorError(SOURCE, "give a CQL query or publication numbers")
        given = 0
        for number in numbers:
            if given >= query.limit:
                return
            record = self.publication(number)
            if query.since and (record.published or "") < query.since.isoformat():
                continue
            given += 1
            yield record

    def publication(self, number: str) -> FetchedRecord:
        base = f"{self.api}/published-data/publication/docdb/{number}"
        parts = []
        for name in CONSTITUENTS:
            data = self._get(f"{base}/{name}", stable=True, missing_ok=name != "biblio")
            if data is None and name == "biblio":
                raise ConnectorError(SOURCE, f"no publication {number.replace('.', '')} in OPS")
            if data is not None:
                parts.append((name, data))
        family = self._get(f"{self.api}/family/publication/docdb/{number}", stable=True, missing_ok=True) \
            if self.family else None
        return patent_record(number.replace(".", ""), parts, family)

    def _resolve(self, raw: str) -> Iterator[str]:
        number = docdb(raw)
        if "." in number:
            yield number
            return
        found = list(self.search(f"pn={number}", 100))
        if not found:
            raise ConnectorError(SOURCE, f"no publication {number} in OPS")
        yield from found

    def search(self, cql: str, limit: int) -> Iterator[str]:
        """Docdb numbers ("EP.2400812.A1") of a CQL search, paged with Range."""
        begin, given = 1, 0
        while given < limit and begin <= MAX_RANGE:
            end = min(begin + self.page_size - 1, begin + limit - given - 1, MAX_RANGE)
            data = self._get(f"{self.api}/published-data/search", {"q": cql, "Range": f"{begin}-{end}"},
                             missing_ok=True)
            if data is None:
                return
            page = parse_search(data)
            for number in page.numbers[:limit - given]:
                given += 1
                yield number
            if not page.numbers or end >= page.total:
                return
            begin = end + 1

    def _get(self, url: str, params: dict | None = None, *, stable: bool = False,
             missing_ok: bool = False) -> bytes | None:
        service = service_of(url)
        return self.fetcher.get(url, params, stable=stable, missing_ok=missing_ok, auth=self.auth,
                                throttle_key=f"ops.epo.org/{service}",
                                on_response=lambda response: self._fair_use(service, response))

    def _fair_use(self, service: str, response: httpx.Response) -> float | None:
        """Space this service's requests as OPS asks; a quota refusal or a blocked service ends the run."""
        reason = response.headers.get("X-Rejection-Reason")
        if response.status_code == 403 and reason:
            raise ConnectorError(SOURCE, f"fair-use quota exhausted ({reason}); try again when it resets",
                                 status=403)
        header = response.headers.get("X-Throttling-Control")
        if not header:
            return None
        found = parse_throttling(header)[1].get(service)
        if found is None:
            return None
        colour, limit = found
        if colour == "black" or limit == 0:
            interval = retry_after(response.headers.get("Retry-After")) or 60.0
            if not response.is_success:
                return interval
        else:
            interval = 60.0 / limit * _SLOWER.get(colour, 1.0)
        self.fetcher.throttle.intervals[f"ops.epo.org/{service}"] = interval
        return None
