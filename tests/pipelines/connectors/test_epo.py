from __future__ import annotations

import base64

import httpx
import pytest

from kg.fetch import ingest_records
from pipelines.connectors.base import ConnectorError, Query
from pipelines.connectors.epo import Epo, docdb, parse_family, parse_search, parse_throttling, service_of

TOKEN = "/3.2/auth/accesstoken"
API = "/3.2/rest-services"
PUB = f"{API}/published-data/publication/docdb"
SEARCH = f"{API}/published-data/search"
CREDENTIALS = {"key": "my-key", "secret": "my-secret"}

BIBLIO = b"""<?xml version="1.0" encoding="UTF-8"?>
<ops:world-patent-data xmlns="http://www.epo.org/exchange" xmlns:ops="http://ops.epo.org">
 <exchange-documents>
  <exchange-document system="ops.epo.org" family-id="90000001" country="CN" doc-number="118748295" kind="A">
   <bibliographic-data>
    <publication-reference><document-id document-id-type="docdb"><country>CN</country>
     <doc-number>118748295</doc-number><kind>A</kind><date>20241008</date></document-id></publication-reference>
    <patent-classifications><patent-classification><classification-scheme office="EP" scheme="CPCI"/>
     <section>H</section><class>01</class><subclass>M</subclass><main-group>10</main-group>
     <subgroup>0562</subgroup></patent-classification></patent-classifications>
    <parties><applicants><applicant sequence="1" data-format="original"><applicant-name><name>BYD CO LTD</name>
     </applicant-name></applicant></applicants></parties>
    <invention-title lang="en">Negative electrode sheet with a ceramic layer</invention-title>
   </bibliographic-data>
   <abstract lang="en"><p>The negative electrode sheet carries a Li6PS5Cl layer reaching 12 mS/cm.</p></abstract>
  </exchange-document>
 </exchange-documents>
</ops:world-patent-data>"""

CLAIMS = b"""<?xml version="1.0" encoding="UTF-8"?>
<ops:world-patent-data xmlns="http://www.epo.org/exchange" xmlns:ops="http://ops.epo.org">
 <ftxt:fulltext-documents xmlns="http://www.epo.org/fulltext" xmlns:ftxt="http://www.epo.org/fulltext">
 <ftxt:fulltext-document><bibliographic-data>
 <publication-reference data-format="docdb"><document-id><country>CN</country><doc-number>118748295</doc-number>
 <kind>A</kind></document-id></publication-reference></bibliographic-data><claims lang="EN"><claim>
 <claim-text>1. A negative electrode sheet comprising a ceramic layer.</claim-text>
 <claim-text>2. The negative electrode sheet of claim 1, wherein the ceramic layer is Li6PS5Cl.</claim-text>
 </claim></claims></ftxt:fulltext-document></ftxt:fulltext-documents></ops:world-patent-data>"""

NOT_FOUND = (b'<?xml version="1.0"?><fault xmlns="http://ops.epo.org"><code>SERVER.EntityNotFound</code>'
             b"<message>No results found</message></fault>")


def search_page(*numbers: tuple[str, str, str], total: int) -> bytes:
    refs = "".join(f'<ops:publication-reference><document-id document-id-type="docdb"><country>{cc}</country>'
                   f"<doc-number>{number}</doc-number><kind>{kind}</kind></document-id>"
                   f"</ops:publication-reference>" for cc, number, kind in numbers)
    return (f'<ops:world-patent-data xmlns="http://www.epo.org/exchange" xmlns:ops="http://ops.epo.org">'
            f'<ops:biblio-search total-result-count="{total}"><ops:search-result>{refs}</ops:search-result>'
            f"</ops:biblio-search></ops:world-patent-data>").encode()


class Token:
    """The OPS token endpoint: checks the client credentials, hands out numbered tokens."""

    def __init__(self, status: int = 200):
        self.status = status
        self.issued = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        expected = base64.b64encode(b"my-key:my-secret").decode()
        if self.status != 200 or request.headers.get("Authorization") != f"Basic {expected}":
            return httpx.Response(self.status if self.status != 200 else 401, json={
                "error": "invalid_client", "error_description": "Client credentials are invalid"})
        assert request.method == "POST" and request.content == b"grant_type=client_credentials"
        self.issued += 1
        return httpx.Response(200, json={"access_token": f"tok{self.issued}", "expires_in": "1199"})


def authed(body: bytes, token: str = "tok1", status: int = 200, headers: dict | None = None):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") != f"Bearer {token}":
            return httpx.Response(400, content=b"<fault><message>invalid access token</message></fault>")
        return httpx.Response(status, content=body, headers=headers)
    return answer


def publication_routes(number: str = "CN.118748295.A", **extra) -> dict:
    return {TOKEN: Token(), f"{PUB}/{number}/biblio": authed(BIBLIO), f"{PUB}/{number}/claims": authed(CLAIMS),
            f"{PUB}/{number}/description": authed(NOT_FOUND, status=404), **extra}


@pytest.mark.parametrize("raw, expected", [
    ("CN118748295A", "CN.118748295.A"),
    ("EP 2400812 A1", "EP.2400812.A1"),
    ("WO2018148832A1", "WO.2018148832.A1"),
    ("CN118748295", "CN118748295"),
])
def test_docdb_numbers(raw, expected):
    assert docdb(raw) == expected


@pytest.mark.parametrize("url, service", [
    ("https://ops.epo.org/3.2/rest-services/published-data/search", "search"),
    ("https://ops.epo.org/3.2/rest-services/published-data/publication/docdb/EP.1.A1/biblio", "retrieval"),
    ("https://ops.epo.org/3.2/rest-services/family/publication/docdb/EP.1.A1", "inpadoc"),
    ("https://ops.epo.org/3.2/rest-services/published-data/images/EP/1/A1/fullimage", "images"),
])
def test_services(url, service):
    assert service_of(url) == service


def test_throttling_header():
    status, services = parse_throttling(
        "busy (images=green:200, inpadoc=red:30, other=green:1000, retrieval=yellow:20, search=black:0)")
    assert status == "busy"
    assert services["retrieval"] == ("yellow", 20) and services["search"] == ("black", 0)


def test_number_fetches_biblio_claims_description_with_a_bearer_token(make):
    epo, server = make(Epo, publication_routes(), **CREDENTIALS)
    [record] = list(epo.fetch(Query(ids=("CN118748295A",))))
    assert record.path == "epo:CN118748295A" and record.kind == "patent"
    assert record.title == "Negative electrode sheet with a ceramic layer" and record.published == "2024-10-08"
    assert record.assignee == ["BYD CO LTD"] and record.cpc == ["H01M 10/0562"]
    assert record.claims[1].startswith("The negative electrode sheet of claim 1, wherein")
    assert record.metadata["family_id"] == "90000001"
    assert [r.url.path for r in server.requests] == [TOKEN, f"{PUB}/CN.118748295.A/biblio",
                                                     f"{PUB}/CN.118748295.A/claims",
                                                     f"{PUB}/CN.118748295.A/description"]


def test_recorded_publication_with_family(make, fixtures_dir):
    folder = fixtures_dir / "epo_ops"
    routes = {TOKEN: Token(), f"{API}/family/publication/docdb/EP.2400812.A1":
              authed((folder / "family_publication_docdb_EP.2906782.A2.xml").read_bytes())}
    for part in ("biblio", "claims", "description"):
        data = (folder / f"published-data_publication_docdb_EP.2400812.A1_{part}.xml").read_bytes()
        routes[f"{PUB}/EP.2400812.A1/{part}"] = authed(data)
    epo, _ = make(Epo, routes, family=True, **CREDENTIALS)
    [record] = list(epo.fetch(Query(ids=("EP2400812A1",))))
    assert record.title == "BLUETOOTH NETWORKING" and len(record.claims) == 15
    assert record.document.metadata["independent_claims"][0] == 1
    assert len(record.family) == 11 and "CN104968889A" in record.family


def test_recorded_search_pages_with_range(make, fixtures_dir):
    folder = fixtures_dir / "epo_ops"
    pages = [(folder / f"published-data_search_applicant-Tesla_range{r}.xml").read_bytes() for r in ("1-1", "2-2")]
    epo, server = make(Epo, {TOKEN: Token(), SEARCH: [authed(p) for p in pages]}, page_size=1, **CREDENTIALS)
    assert list(epo.search('applicant="Tesla"', 2)) == ["US.2024163973.A1", "MX.2023010407.A"]
    assert [p["Range"] for p in server.params(SEARCH)] == ["1-1", "2-2"]


def test_recorded_search_result(fixtures_dir):
    page = parse_search((fixtures_dir / "epo_ops" / "published-data_search_ti-battery_range1-5.xml").read_bytes())
    assert page.total == 10000 and page.numbers[0] == "HR.P20251003.T1" and len(page.numbers) == 5


def test_query_runs_the_search_then_each_publication(make):
    routes = publication_routes(**{SEARCH: authed(search_page(("CN", "118748295", "A"), total=1))})
    epo, server = make(Epo, routes, **CREDENTIALS)
    records = list(epo.fetch(Query(text="cpc=H01M10/0562 and pa=byd", limit=5)))
    assert [r.id for r in records] == ["CN118748295A"]
    assert server.params(SEARCH) == [{"q": "cpc=H01M10/0562 and pa=byd", "Range": "1-5"}]


def test_no_search_results_is_no_records(make):
    epo, _ = make(Epo, {TOKEN: Token(), SEARCH: authed(NOT_FOUND, status=404)}, **CREDENTIALS)
    assert list(epo.fetch(Query(text="pa=nobody"))) == []


def test_family_parser_ignores_duplicates(fixtures_dir):
    members = parse_family((fixtures_dir / "epo_ops" / "family_publication_docdb_EP.2906782.A2.xml").read_bytes())
    assert members[:2] == ["EP2906782A2", "EP2906782A4"] and len(set(members)) == len(members)


@pytest.mark.parametrize("status", [400, 401])
def test_auth_failure_on_the_token_is_one_line(make, status):
    epo, server = make(Epo, {TOKEN: Token(status=status)}, **CREDENTIALS)
    with pytest.raises(ConnectorError) as caught:
        list(epo.fetch(Query(ids=("CN118748295A",))))
    assert str(caught.value) == (f"epo: authentication failed (HTTP {status}); check EPO_OPS_KEY and "
                                 "EPO_OPS_SECRET")
    assert [r.url.path for r in server.requests] == [TOKEN]


def test_missing_credentials(make):
    epo, server = make(Epo, publication_routes())
    with pytest.raises(ConnectorError, match="^epo: set EPO_OPS_KEY and EPO_OPS_SECRET"):
        list(epo.fetch(Query(ids=("CN118748295A",))))
    assert server.requests == []


def test_credentials_come_from_the_environment(make, monkeypatch):
    monkeypatch.setenv("EPO_OPS_KEY", "my-key")
    monkeypatch.setenv("EPO_OPS_SECRET", "my-secret")
    epo, _ = make(Epo, publication_routes())
    assert len(list(epo.fetch(Query(ids=("CN118748295A",))))) == 1


def test_expired_token_is_renewed_once(make):
    token = Token()
    routes = publication_routes(**{TOKEN: token, f"{PUB}/CN.118748295.A/claims": authed(CLAIMS, token="tok2"),
                                   f"{PUB}/CN.118748295.A/description": authed(NOT_FOUND, "tok2", status=404)})
    epo, _ = make(Epo, routes, **CREDENTIALS)
    assert len(list(epo.fetch(Query(ids=("CN118748295A",))))) == 1
    assert token.issued == 2


def test_fair_use_header_spaces_requests_per_service(make, clock):
    headers = {"X-Throttling-Control": "busy (images=green:200, inpadoc=green:60, other=green:1000, "
                                       "retrieval=yellow:30, search=green:30)"}
    routes = publication_routes(**{f"{PUB}/CN.118748295.A/biblio": authed(BIBLIO, headers=headers)})
    epo, _ = make(Epo, routes, **CREDENTIALS)
    list(epo.fetch(Query(ids=("CN118748295A",))))
    assert clock.sleeps == [4.0, 4.0]  # 60 s / 30 requests, doubled while the service is yellow


def test_black_service_waits_for_retry_after(make, clock):
    black = {"X-Throttling-Control": "overloaded (images=green:200, inpadoc=green:60, other=green:1000, "
                                     "retrieval=black:0, search=green:30)", "Retry-After": "30"}
    routes = publication_routes(**{f"{PUB}/CN.118748295.A/biblio": [authed(b"", status=403, headers=black),
                                                                    authed(BIBLIO)]})
    epo, _ = make(Epo, routes, **CREDENTIALS)
    assert len(list(epo.fetch(Query(ids=("CN118748295A",))))) == 1
    assert clock.sleeps == [30.0]


def test_quota_exhausted(make):
    rejected = {"X-Rejection-Reason": "IndividualQuotaPerHour"}
    routes = publication_routes(**{f"{PUB}/CN.118748295.A/biblio": authed(b"", status=403, headers=rejected)})
    epo, _ = make(Epo, routes, **CREDENTIALS)
    with pytest.raises(ConnectorError, match=r"^epo: fair-use quota exhausted \(IndividualQuotaPerHour\)"):
        list(epo.fetch(Query(ids=("CN118748295A",))))


def test_429_with_retry_after_and_500_then_success(make, clock):
    routes = publication_routes(**{f"{PUB}/CN.118748295.A/biblio": [
        authed(b"", status=429, headers={"Retry-After": "5"}), authed(b"", status=500), authed(BIBLIO)]})
    epo, _ = make(Epo, routes, **CREDENTIALS)
    assert len(list(epo.fetch(Query(ids=("CN118748295A",))))) == 1
    assert clock.sleeps == [5.0, 2.0]


@pytest.mark.parametrize("body, problem", [
    (b"<html><body>Bad gateway</body>", "malformed payload"),
    (b'<fault xmlns="http://ops.epo.org"><message>Bad request</message></fault>', "malformed payload"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "unsafe XML"),
])
def test_malformed_or_unsafe_payload(make, body, problem):
    routes = publication_routes(**{f"{PUB}/CN.118748295.A/biblio": authed(body)})
    epo, _ = make(Epo, routes, **CREDENTIALS)
    with pytest.raises(ConnectorError, match="^epo: ") as caught:
        list(epo.fetch(Query(ids=("CN118748295A",))))
    assert problem in str(caught.value) and "\n" not in str(caught.value)


def test_cache_needs_no_token_the_second_time(make, cache):
    epo, _server = make(Epo, publication_routes(), cache=cache, **CREDENTIALS)
    first = list(epo.fetch(Query(ids=("CN118748295A",))))
    again, nothing = make(Epo, {}, cache=cache)
    second = list(again.fetch(Query(ids=("CN118748295A",))))
    assert nothing.requests == [] and first[0].raw_hash == second[0].raw_hash


def test_ingest_makes_a_patent_document(make, store):
    epo, _ = make(Epo, publication_routes(), family=False, **CREDENTIALS)
    report = ingest_records(store, epo.fetch(Query(ids=("CN118748295A",))))
    assert report.count("added") == 1
    [doc] = store.documents()
    meta = doc.metadata
    assert (doc.path, doc.kind, doc.source, doc.published) == ("epo:CN118748295A", "patent", "EPO OPS", "2024-10-08")
    assert meta["number"] == "CN118748295A" and meta["assignee"] == "BYD CO LTD" and meta["cpc"] == ["H01M 10/0562"]
    assert [c["depends_on"] for c in meta["claims"]] == [None, 1]
    assert {p.section for p in store.passages(doc.id)} >= {"abstract", "claims"}
