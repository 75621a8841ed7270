from __future__ import annotations

import datetime as dt

import httpx
import pytest

from pipelines.connectors.base import (
    ConnectorError,
    FetchedRecord,
    Fetcher,
    date_parts,
    iso_date,
    markup_paragraphs,
    polite_client,
    retry_after,
    to_source,
    user_agent,
)
from pipelines.connectors.cache import Cache, default_cache_dir, request_key
from pipelines.readers.base import ReadError


def test_the_guard_refuses_a_real_transport():
    with polite_client() as client, pytest.raises(AssertionError, match="real network"):
        client.get("https://export.arxiv.org/api/query")


@pytest.mark.parametrize("contact, expected", [(None, "ssb-kg/0.1"),
                                               ("a@b.org", "ssb-kg/0.1 (+mailto:a@b.org)")])
def test_user_agent_names_the_tool_and_contact(contact, expected):
    assert user_agent(contact) == expected


def test_client_sends_user_agent_from_the_environment(monkeypatch):
    monkeypatch.setenv("KG_CONTACT_EMAIL", "kg@example.org")
    seen = []
    client = polite_client(httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200)))
    client.get("https://api.example.org/x")
    assert seen[0].headers["User-Agent"] == "ssb-kg/0.1 (+mailto:kg@example.org)"


@pytest.mark.parametrize("value, seconds", [
    ("7", 7.0), ("1.5", 1.5), (" 120 ", 120.0), ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),
    ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0), ("", None), (None, None), ("soon", None),
])
def test_retry_after(value, seconds):
    now = dt.datetime(2026, 10, 21, 7, 28, 0, tzinfo=dt.UTC)
    assert retry_after(value, now) == seconds


@pytest.mark.parametrize("value, expected", [
    ("2024-01-05T10:00:00Z", "2024-01-05"), ("Tue, 24 Mar 2026 13:13:54 +0000", "2026-03-24"),
    ("2025-06", "2025-06"), ("yesterday", None), ("", None),
])
def test_iso_date(value, expected):
    assert iso_date(value) == expected


@pytest.mark.parametrize("parts, expected", [
    ([[2012, 3, 21]], "2012-03-21"), ([[2024, 3]], "2024-03"), ([[2020]], "2020"), ([[None]], None), (None, None),
])
def test_date_parts(parts, expected):
    assert date_parts(parts) == expected


@pytest.mark.parametrize("markup, paragraphs", [
    ("<p>One &amp; two.</p><p>Three<br/>four</p>", ["One & two.", "Three", "four"]),
    ("<jats:sec><jats:title>Abstract</jats:title><jats:p>LLZO</jats:p></jats:sec>", ["Abstract", "LLZO"]),
    ("plain text\n\nsecond", ["plain text", "second"]),
    ("<div>kept<script>dropped()</script><style>p{}</style></div>", ["kept"]),
    (None, []),
])
def test_markup_paragraphs(markup, paragraphs):
    assert markup_paragraphs(markup) == paragraphs


def fetcher(handler, clock, **options) -> Fetcher:
    return Fetcher("demo", polite_client(httpx.MockTransport(handler)), sleep=clock.sleep, clock=clock.now,
                   **options)


def test_network_errors_are_retried_then_reported_in_one_line(clock):
    def fail(request):
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(ConnectorError) as caught:
        fetcher(fail, clock, retries=2).get("https://api.example.org/x", {"q": "a"})
    assert str(caught.value) == "demo: timed out (ConnectTimeout) for https://api.example.org/x?q=a"
    assert clock.sleeps == [1.0, 2.0]


def test_min_interval_is_per_host(clock):
    http = fetcher(lambda r: httpx.Response(200, content=b"ok"), clock, min_interval=3.0)
    for url in ("https://a.example.org/1", "https://b.example.org/1", "https://a.example.org/2"):
        http.get(url)
    assert clock.sleeps == [3.0]


@pytest.mark.parametrize("status, problem", [
    (401, "demo: access refused (HTTP 401): check DEMO_KEY"),
    (403, "demo: access refused (HTTP 403): check DEMO_KEY"),
    (418, "demo: HTTP 418 for https://api.example.org/x"),
])
def test_client_errors_are_not_retried(clock, status, problem):
    http = fetcher(lambda r: httpx.Response(status), clock, auth_hint="check DEMO_KEY")
    with pytest.raises(ConnectorError) as caught:
        http.get("https://api.example.org/x")
    assert str(caught.value) == problem and clock.sleeps == []


def test_cache_keys_leave_out_credentials_and_contact():
    key = request_key("get", "https://api.example.org/w", {"search": "x", "api_key": "s", "mailto": "m", "n": 2})
    assert key == "GET https://api.example.org/w?n=2&search=x"


def test_cache_round_trip_age_and_damage(tmp_path):
    now = [100.0]
    cache = Cache(tmp_path, now=lambda: now[0])
    digest = cache.put("GET u", b"payload", source="demo")
    assert cache.get("GET u") == b"payload" and cache.object_path(digest).exists()
    now[0] += 10
    assert cache.get("GET u", max_age=5) is None and cache.get("GET u", max_age=60) == b"payload"
    assert Cache(tmp_path).get("GET u") == b"payload"  # the index survives a restart
    cache.object_path(digest).write_bytes(b"tampered")
    assert cache.get("GET u") is None


def test_listings_expire_but_lookups_stay_cached(tmp_path, clock):
    now = [0.0]
    cache = Cache(tmp_path, now=lambda: now[0])
    calls = []
    http = fetcher(lambda r: calls.append(r) or httpx.Response(200, content=b"x"), clock, max_age=60)
    http.cache = cache
    http.get("https://api.example.org/search")
    http.get("https://api.example.org/work/1", stable=True)
    now[0] += 3600
    http.get("https://api.example.org/search")
    http.get("https://api.example.org/work/1", stable=True)
    assert [r.url.path for r in calls] == ["/search", "/work/1", "/search"]
    http.refresh = True
    http.get("https://api.example.org/work/1", stable=True)
    assert len(calls) == 4


@pytest.mark.parametrize("store, expected", [("/data/kg", "/data/kg/cache"), ("neo4j://db:7687", None)])
def test_default_cache_dir(monkeypatch, tmp_path, store, expected):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert str(default_cache_dir(store)) == (expected or str(tmp_path / "ssb-kg"))
    monkeypatch.setenv("KG_CACHE", "/elsewhere")
    assert str(default_cache_dir(store)) == "/elsewhere"


def test_paper_record_becomes_title_and_abstract_blocks():
    record = FetchedRecord(source="demo", id="42", title="A  title", text="First.\n\nSecond.", doi="10.1/x",
                           authors=["A. Author"], publisher="Journal")
    source = to_source(record)
    assert source.path == "demo:42" and source.text == "A title\n\nFirst.\n\nSecond." and source.source == "Journal"
    assert [(b.kind, b.section, source.text[b.start:b.end]) for b in source.blocks] == [
        ("heading", None, "A title"), ("paragraph", "abstract", "First."), ("paragraph", "abstract", "Second.")]
    assert source.metadata["doi"] == "10.1/x" and "claims" not in source.metadata


def test_a_record_without_text_cannot_become_a_document():
    with pytest.raises(ReadError, match="no title or text"):
        to_source(FetchedRecord(source="demo", id="1", title=None))
