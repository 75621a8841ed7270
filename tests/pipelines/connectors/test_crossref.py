from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from kg.fetch import ingest_records
from pipelines.connectors.base import ConnectorError, Query
from pipelines.connectors.crossref import Crossref, parse_works

WORKS = "/works"


def work(doi: str, title: str = "Garnet electrolytes for lithium metal anodes", **extra) -> dict:
    return {"DOI": doi, "title": [title], "type": "journal-article", "container-title": ["J. Power Sources"],
            "author": [{"given": "Ada", "family": "Lovelace"}, {"name": "SSB Consortium"}],
            "published": {"date-parts": [[2024, 3]]}, "URL": f"https://doi.org/{doi}",
            "abstract": "<jats:title>Abstract</jats:title><jats:p>LLZO reaches 1 mS/cm &amp; more.</jats:p>"
                        "<jats:p>Toyota plans production in 2027.</jats:p>",
            "indexed": {"date-time": "2026-01-01T00:00:00Z"}, "score": 12.5, **extra}


def work_list(*items: dict, cursor: str | None = None, total: int = 3) -> bytes:
    message = {"total-results": total, "items-per-page": len(items), "items": list(items)}
    if cursor:
        message["next-cursor"] = cursor
    return json.dumps({"status": "ok", "message-type": "work-list", "message": message}).encode()


def single(item: dict) -> bytes:
    return json.dumps({"status": "ok", "message-type": "work", "message": item}).encode()


def test_recorded_work_list(fixtures_dir):
    page = parse_works((fixtures_dir / "crossref" / "works_query-ecology_rows-2.json").read_bytes())
    assert page.total == 586628 and len(page.records) == 2
    first = page.records[0]
    assert first.id == "10.1093/obo/9780199830060-0238" and first.title == "Communicating Ecology"
    assert first.text.startswith("Communication is perhaps the most important")
    assert "<" not in first.text


def test_recorded_single_work_by_doi(make, fixtures_dir):
    data = (fixtures_dir / "crossref" / "works_10.1371_journal.pone.0033693.json").read_bytes()
    crossref, _server = make(Crossref, {f"{WORKS}/10.1371/journal.pone.0033693": httpx.Response(200, content=data)})
    [record] = list(crossref.fetch(Query(ids=("10.1371/journal.pone.0033693",))))
    assert record.path == "crossref:10.1371/journal.pone.0033693"
    assert record.published == "2012-03-21" and record.authors[:2] == ["Shankar Sadasivan", "Brooks B. Pond"]
    assert record.publisher == "PLoS ONE"


def test_jats_abstract_becomes_paragraphs_without_the_heading():
    [record] = parse_works(single(work("10.1/a"))).records
    assert record.text == "LLZO reaches 1 mS/cm & more.\n\nToyota plans production in 2027."
    assert record.authors == ["Ada Lovelace", "SSB Consortium"] and record.published == "2024-03"


def test_volatile_fields_do_not_change_the_hash():
    first = parse_works(single(work("10.1/a"))).records[0]
    later = parse_works(single(work("10.1/a", indexed={"date-time": "2026-05-01"}, score=3.0,
                                    **{"is-referenced-by-count": 9}))).records[0]
    edited = parse_works(single(work("10.1/a", title="Garnet electrolytes, corrected"))).records[0]
    assert first.raw_hash == later.raw_hash != edited.raw_hash


def test_cursor_paging_with_contact_and_since(make, monkeypatch):
    monkeypatch.setenv("KG_CONTACT_EMAIL", "analyst@example.org")
    pages = [work_list(work("10.1/a"), work("10.1/b"), cursor="c2"), work_list(work("10.1/c"), cursor="c3"),
             work_list(cursor="c4")]
    crossref, server = make(Crossref, {WORKS: [httpx.Response(200, content=p) for p in pages]}, page_size=2)
    records = list(crossref.fetch(Query(text="garnet electrolyte", since=dt.date(2024, 1, 1))))
    assert [r.id for r in records] == ["10.1/a", "10.1/b", "10.1/c"]
    params = server.params()
    assert [p["cursor"] for p in params] == ["*", "c2", "c3"]
    assert params[0]["filter"] == "from-pub-date:2024-01-01" and params[0]["mailto"] == "analyst@example.org"
    assert server.requests[0].headers["User-Agent"] == "ssb-kg/0.1 (+mailto:analyst@example.org)"


def test_429_retry_after_and_500_then_success(make, clock):
    answers = [httpx.Response(429, headers={"Retry-After": "12"}), httpx.Response(503),
               httpx.Response(200, content=work_list(work("10.1/a")))]
    crossref, server = make(Crossref, {WORKS: answers})
    assert len(list(crossref.fetch(Query(text="garnet", limit=1)))) == 1
    assert clock.sleeps == [12.0, 2.0] and len(server.requests) == 3


@pytest.mark.parametrize("body, problem", [
    (b"<html>gateway</html>", "malformed payload (not JSON"),
    (b'{"status": "ok", "message": "nope"}', "malformed payload (no message object)"),
    (b'{"status": "ok", "message-type": "work-list", "message": {"items": 3}}', "items is not a list"),
])
def test_malformed_body(make, body, problem):
    crossref, _ = make(Crossref, {WORKS: httpx.Response(200, content=body)})
    with pytest.raises(ConnectorError, match="^crossref: ") as caught:
        list(crossref.fetch(Query(text="garnet")))
    assert problem in str(caught.value)


def test_validation_failure_is_reported_in_crossrefs_words(make):
    body = {"status": "failed", "message-type": "validation-failure",
            "message": [{"type": "parameter-not-allowed", "message": "This route does not support field foo"}]}
    crossref, _ = make(Crossref, {WORKS: httpx.Response(400, json=body)})
    with pytest.raises(ConnectorError, match=r"^crossref: HTTP 400: This route does not support field foo"):
        list(crossref.fetch(Query(text="garnet")))


def test_unknown_doi(make):
    crossref, _ = make(Crossref, {})
    with pytest.raises(ConnectorError, match="crossref: no work with DOI 10.9/none"):
        list(crossref.fetch(Query(ids=("https://doi.org/10.9/none",))))


def test_cache_serves_the_second_fetch(make, cache):
    first, server = make(Crossref, {WORKS: httpx.Response(200, content=work_list(work("10.1/a")))}, cache=cache)
    list(first.fetch(Query(text="garnet")))
    second, again = make(Crossref, {}, cache=cache)
    assert [r.id for r in second.fetch(Query(text="garnet"))] == ["10.1/a"]
    assert len(server.requests) == 1 and again.requests == []


def test_ingest_keeps_doi_authors_and_venue(make, store):
    crossref, _ = make(Crossref, {WORKS: httpx.Response(200, content=work_list(work("10.1/a")))})
    report = ingest_records(store, crossref.fetch(Query(text="garnet")))
    assert report.count("added") == 1
    [doc] = store.documents()
    assert doc.path == "crossref:10.1/a" and doc.source == "J. Power Sources"
    assert doc.metadata["doi"] == "10.1/a" and doc.metadata["venue"] == "J. Power Sources"
    assert [p.section for p in store.passages(doc.id)][-1] == "abstract"
