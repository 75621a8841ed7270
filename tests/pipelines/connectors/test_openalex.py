from __future__ import annotations

import json

import httpx
import pytest

from kg.fetch import ingest_records
from pipelines.connectors.base import ConnectorError, Query
from pipelines.connectors.openalex import OpenAlex, abstract, parse_works

WORKS = "/works"


def work(wid: str, title: str = "Sulfide electrolytes at scale", **extra) -> dict:
    return {"id": f"https://openalex.org/{wid}", "doi": f"https://doi.org/10.5555/{wid.lower()}", "title": title,
            "publication_date": "2025-06-01", "publication_year": 2025, "type": "article",
            "abstract_inverted_index": {"Samsung": [0], "SDI": [1], "reports": [2], "900": [3], "Wh/L.": [4]},
            "authorships": [{"author": {"display_name": "Grace Hopper"},
                             "institutions": [{"display_name": "Samsung SDI"}]}],
            "primary_location": {"landing_page_url": f"https://example.org/{wid}",
                                 "source": {"display_name": "Nature Energy"}},
            "cited_by_count": 3, "updated_date": "2026-01-01", **extra}


def listing(*works: dict, cursor: str | None = None) -> bytes:
    return json.dumps({"meta": {"count": 3, "per_page": len(works), "next_cursor": cursor},
                       "results": list(works)}).encode()


@pytest.mark.parametrize("inverted, text", [
    ({"b": [1], "a": [0, 2]}, "a b a"),
    ({}, ""),
    (None, ""),
])
def test_abstract_from_inverted_index(inverted, text):
    assert abstract(inverted) == text


def test_recorded_work(make, fixtures_dir):
    data = (fixtures_dir / "openalex" / "works_W2741809807.json").read_bytes()
    openalex, _server = make(OpenAlex, {f"{WORKS}/W2741809807": httpx.Response(200, content=data)})
    [record] = list(openalex.fetch(Query(ids=("https://openalex.org/W2741809807",))))
    assert record.path == "openalex:W2741809807" and record.doi == "10.7717/peerj.4375"
    assert record.published == "2018-02-13" and record.authors[0] == "Heather Piwowar"
    assert record.text.startswith("Despite growing interest in Open Access")
    assert record.publisher == "PeerJ"


def test_cursor_paging_sends_the_key_and_mailto(make, monkeypatch):
    monkeypatch.setenv("OPENALEX_API_KEY", "secret-key")
    monkeypatch.setenv("KG_CONTACT_EMAIL", "analyst@example.org")
    pages = [listing(work("W1"), work("W2"), cursor="n2"), listing(work("W3"))]
    openalex, server = make(OpenAlex, {WORKS: [httpx.Response(200, content=p) for p in pages]}, page_size=2)
    assert [r.id for r in openalex.fetch(Query(text="sulfide electrolyte"))] == ["W1", "W2", "W3"]
    params = server.params()
    assert [p["cursor"] for p in params] == ["*", "n2"]
    assert params[0]["api_key"] == "secret-key" and params[0]["mailto"] == "analyst@example.org"


def test_the_key_stays_out_of_the_cache_index(make, cache):
    openalex, _ = make(OpenAlex, {WORKS: httpx.Response(200, content=listing(work("W1")))}, cache=cache,
                       api_key="secret-key")
    list(openalex.fetch(Query(text="sulfide")))
    assert "secret-key" not in cache.index_path.read_text()
    second, again = make(OpenAlex, {}, cache=cache, api_key="another-key")
    assert [r.id for r in second.fetch(Query(text="sulfide"))] == ["W1"] and again.requests == []


def test_doi_lookup_uses_the_doi_route(make):
    openalex, _server = make(OpenAlex, {f"{WORKS}/doi:10.5555/w1": httpx.Response(200, json=work("W1"))})
    assert [r.id for r in openalex.fetch(Query(ids=("10.5555/w1",)))] == ["W1"]


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key_is_one_line_naming_the_variable(make, status):
    openalex, _ = make(OpenAlex, {WORKS: httpx.Response(status, json={"error": "Invalid API key"})},
                       api_key="bad")
    with pytest.raises(ConnectorError) as caught:
        list(openalex.fetch(Query(text="sulfide")))
    assert str(caught.value) == f"openalex: access refused (HTTP {status}: Invalid API key): check OPENALEX_API_KEY"


def test_429_then_500_then_success(make, clock):
    openalex, _ = make(OpenAlex, {WORKS: [httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(500),
                                         httpx.Response(200, content=listing(work("W1")))]})
    assert len(list(openalex.fetch(Query(text="sulfide")))) == 1
    assert clock.sleeps == [2.0, 2.0]


def test_quota_exhausted_when_retry_after_is_hours(make):
    openalex, _ = make(OpenAlex, {WORKS: httpx.Response(429, headers={"Retry-After": "86400"})})
    with pytest.raises(ConnectorError, match=r"^openalex: rate limit or quota exhausted \(HTTP 429"):
        list(openalex.fetch(Query(text="sulfide")))


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"meta": {}}', b"<html></html>"])
def test_malformed_body(body):
    with pytest.raises(ConnectorError, match="^openalex: malformed payload"):
        parse_works(body)


def test_ingest_carries_metadata(make, store):
    openalex, _ = make(OpenAlex, {WORKS: httpx.Response(200, content=listing(work("W1")))})
    assert ingest_records(store, openalex.fetch(Query(text="sulfide"))).count("added") == 1
    [doc] = store.documents()
    assert doc.metadata["doi"] == "10.5555/w1" and doc.metadata["institutions"] == ["Samsung SDI"]
    assert doc.title == "Sulfide electrolytes at scale" and doc.published == "2025-06-01"
