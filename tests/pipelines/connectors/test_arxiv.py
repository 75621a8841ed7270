from __future__ import annotations

import datetime as dt

import httpx
import pytest

from kg.fetch import ingest_records
from pipelines.connectors.arxiv import Arxiv, parse_feed
from pipelines.connectors.base import ConnectorError, Query

PATH = "/api/query"


def feed(*entries: tuple[str, str, str], total: int | None = None, start: int = 0) -> bytes:
    """A small Atom result page: entries as (id, published date, title)."""
    body = "".join(f"""
  <entry>
    <id>http://arxiv.org/abs/{eid}v2</id>
    <title>{title}</title>
    <updated>{published}T10:00:00Z</updated>
    <published>{published}T10:00:00Z</published>
    <summary>  Li6PS5Cl reaches 12 mS/cm at room temperature.
  QuantumScape uses a ceramic separator.</summary>
    <link href="https://arxiv.org/abs/{eid}v2" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/{eid}v2" rel="related" type="application/pdf" title="pdf"/>
    <author><name>Ada Lovelace</name></author>
    <arxiv:doi>10.1000/{eid}</arxiv:doi>
    <category term="cond-mat.mtrl-sci" scheme="http://arxiv.org/schemas/atom"/>
  </entry>""" for eid, published, title in entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
  <opensearch:totalResults>{len(entries) if total is None else total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>{body}
</feed>""".encode()


ONE = feed(("2401.00001", "2024-01-05", "Sulfide solid electrolytes"))


def test_recorded_search_page(fixtures_dir):
    page = parse_feed((fixtures_dir / "arxiv" / "query_search-testing_start-0_max-10.xml").read_bytes())
    assert (len(page.records), page.total, page.start) == (10, 214881, 0)
    first = page.records[0]
    assert first.id == "2202.12139" and first.published == "2022-02-24"
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.authors[:2] == ["Mohit Kumar Ahuja", "Arnaud Gotlieb"]
    assert first.metadata["categories"] == ["cs.SE", "cs.LG"]


def test_recorded_id_lookup(make, fixtures_dir):
    data = (fixtures_dir / "arxiv" / "query_id-list-1605.08386.xml").read_bytes()
    arxiv, server = make(Arxiv, {PATH: httpx.Response(200, content=data)})
    [record] = list(arxiv.fetch(Query(ids=("1605.08386",))))
    assert record.path == "arxiv:1605.08386"
    assert record.title == "Heat-bath random walks with Markov bases"
    assert record.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert record.metadata["version"] == "v1" and record.url == "https://arxiv.org/abs/1605.08386v1"
    assert server.params()[0]["id_list"] == "1605.08386"


def test_recorded_empty_result(make, fixtures_dir):
    data = (fixtures_dir / "arxiv" / "query_id-list-0000.0000_empty.xml").read_bytes()
    arxiv, _ = make(Arxiv, {PATH: httpx.Response(200, content=data)})
    assert list(arxiv.fetch(Query(ids=("0000.0000",)))) == []


def test_recorded_http_400_names_the_problem(make, fixtures_dir):
    data = (fixtures_dir / "arxiv" / "query_id-list-abc_error-400.xml").read_bytes()
    arxiv, _ = make(Arxiv, {PATH: httpx.Response(400, content=data)})
    with pytest.raises(ConnectorError) as caught:
        list(arxiv.fetch(Query(ids=("abc",))))
    assert str(caught.value).startswith("arxiv: HTTP 400: incorrect id format for abc")
    assert "\n" not in str(caught.value)


def test_error_entry_in_a_200_feed_is_an_error():
    data = feed(("x", "2024-01-01", "t")).replace(b"http://arxiv.org/abs/xv2", b"https://arxiv.org/api/errors#bad")
    with pytest.raises(ConnectorError, match="query rejected"):
        parse_feed(data)


def test_pages_with_start_and_max_results_three_seconds_apart(make, clock):
    pages = [feed(("2401.00001", "2024-01-05", "A"), ("2401.00002", "2024-01-04", "B"), total=3),
             feed(("2401.00003", "2024-01-03", "C"), total=3, start=2)]
    arxiv, server = make(Arxiv, {PATH: [httpx.Response(200, content=p) for p in pages]}, page_size=2)
    records = list(arxiv.fetch(Query(text='all:"solid electrolyte"', limit=10)))
    assert [r.id for r in records] == ["2401.00001", "2401.00002", "2401.00003"]
    assert [(p["start"], p["max_results"]) for p in server.params()] == [("0", "2"), ("2", "2")]
    assert server.params()[0]["sortBy"] == "submittedDate"
    assert clock.sleeps == [3.0]


def test_since_stops_paging_at_a_page_of_older_items(make):
    pages = [feed(("2401.00001", "2024-01-05", "A"), ("2312.00002", "2023-12-30", "B"), total=6),
             feed(("2312.00003", "2023-12-20", "C"), ("2312.00004", "2023-12-19", "D"), total=6, start=2)]
    arxiv, server = make(Arxiv, {PATH: [httpx.Response(200, content=p) for p in pages]}, page_size=2)
    records = list(arxiv.fetch(Query(text="all:electrolyte", since=dt.date(2024, 1, 1))))
    assert [r.id for r in records] == ["2401.00001"]
    assert len(server.requests) == 2


def test_max_limits_records_and_page_size(make):
    arxiv, server = make(Arxiv, {PATH: httpx.Response(200, content=feed(("2401.00001", "2024-01-05", "A"),
                                                                        total=50))})
    assert len(list(arxiv.fetch(Query(text="all:electrolyte", limit=1)))) == 1
    assert server.params()[0]["max_results"] == "1"


def test_429_waits_as_long_as_retry_after_says(make, clock):
    arxiv, server = make(Arxiv, {PATH: [httpx.Response(429, headers={"Retry-After": "7"}),
                                        httpx.Response(200, content=ONE)]})
    assert len(list(arxiv.fetch(Query(ids=("2401.00001",))))) == 1
    assert clock.sleeps == [7.0] and len(server.requests) == 2


def test_500_then_success_backs_off(make, clock):
    arxiv, _ = make(Arxiv, {PATH: [httpx.Response(500), httpx.Response(200, content=ONE)]})
    assert [r.id for r in arxiv.fetch(Query(ids=("2401.00001",)))] == ["2401.00001"]
    assert clock.sleeps == [1.0, 2.0]  # 1 s backoff, then the rest of arXiv's 3 s spacing


@pytest.mark.parametrize("body", [b"<html><body>Service Unavailable</body></html>", b"not xml at all", b"",
                                  b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'])
def test_malformed_body_is_a_one_line_error_naming_arxiv(make, body):
    arxiv, _ = make(Arxiv, {PATH: httpx.Response(200, content=body)})
    with pytest.raises(ConnectorError) as caught:
        list(arxiv.fetch(Query(ids=("2401.00001",))))
    assert str(caught.value).startswith("arxiv: malformed payload") and "\n" not in str(caught.value)


def test_cache_serves_the_second_fetch_without_the_network(make, cache):
    first, server = make(Arxiv, {PATH: httpx.Response(200, content=ONE)}, cache=cache)
    list(first.fetch(Query(ids=("2401.00001",))))
    second, again = make(Arxiv, {PATH: httpx.Response(500)}, cache=cache)
    assert [r.id for r in second.fetch(Query(ids=("2401.00001",)))] == ["2401.00001"]
    assert len(server.requests) == 1 and again.requests == []


def test_records_ingest_with_metadata_and_skip_when_unchanged(make, store):
    arxiv, _ = make(Arxiv, {PATH: httpx.Response(200, content=ONE)})
    report = ingest_records(store, arxiv.fetch(Query(ids=("2401.00001",))))
    assert [r.status for r in report.results] == ["added"]
    [doc] = store.documents()
    assert (doc.path, doc.name, doc.kind, doc.published) == ("arxiv:2401.00001", "arxiv:2401.00001", "paper",
                                                            "2024-01-05")
    assert doc.metadata["doi"] == "10.1000/2401.00001" and doc.metadata["authors"] == ["Ada Lovelace"]
    assert any("12 mS/cm" in p.text for p in store.passages(doc.id))
    again = ingest_records(store, arxiv.fetch(Query(ids=("2401.00001",))))
    assert [r.status for r in again.results] == ["unchanged"]
