"""`kg.fetch.ingest_records` and the `kg fetch` commands, replayed through MockTransport."""
from __future__ import annotations

import httpx
import pytest
from typer.testing import CliRunner

import kg.commands.fetch as fetch_command
from kg.cli import UserError, app
from kg.fetch import ingest_records
from pipelines.connectors.base import FetchedRecord, connect
from pipelines.connectors.cache import Cache

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Battery Wire</title>
<item><title>Toyota plans solid-state production</title><link>https://news.example.org/toyota</link>
<description>Toyota announced commercial production starting 2027.</description>
<pubDate>Tue, 24 Mar 2026 13:13:54 +0000</pubDate></item></channel></rss>"""


def record(raw_hash: str = "h1", text: str = "Solid Power supplies sulfide electrolytes to BMW.") -> FetchedRecord:
    return FetchedRecord(source="demo", id="1", title="Sulfide supply", text=text, raw_hash=raw_hash, kind="news",
                         url="https://example.org/1")


def test_ingest_is_idempotent_per_record_hash(store):
    assert [r.status for r in ingest_records(store, [record()]).results] == ["added"]
    assert [r.status for r in ingest_records(store, [record()]).results] == ["unchanged"]
    assert [r.status for r in ingest_records(store, [record()], force=True).results] == ["updated"]
    assert [r.status for r in ingest_records(store, [record("h2", "Now QuantumScape too.")]).results] == ["updated"]
    [doc] = store.documents()
    assert doc.content_hash == "h2" and store.document_hash("demo:1") == "h2"


def test_a_bad_record_fails_alone(store):
    empty = FetchedRecord(source="demo", id="2", title=None, raw_hash="h")
    seen = []
    report = ingest_records(store, [empty, record()], progress=seen.append)
    assert [(r.path, r.status) for r in report.results] == [("demo:2", "failed"), ("demo:1", "added")]
    assert "no title or text" in report.results[0].problem and seen == report.results


@pytest.fixture
def replay(monkeypatch, clock):
    """Point `kg fetch` at a MockTransport answering from `routes` (path → response)."""
    routes: dict[str, httpx.Response] = {}
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return routes.get(request.url.path, httpx.Response(404))

    def fake_connect(cls, **kwargs):
        return connect(cls, transport=httpx.MockTransport(handler), sleep=clock.sleep, clock=clock.now, **kwargs)

    monkeypatch.setattr(fetch_command, "_connect", fake_connect)
    return routes, requests


def test_kg_fetch_rss_ingests_then_skips_from_the_cache(replay, tmp_path):
    routes, requests = replay
    routes["/feed.xml"] = httpx.Response(200, content=FEED)
    store = str(tmp_path / "kg")
    runner = CliRunner()
    first = runner.invoke(app, ["fetch", "rss", "https://news.example.org/feed.xml", "--store", store, "--no-embed"])
    assert first.exit_code == 0, first.output
    assert "rss: 1 added" in first.output
    second = runner.invoke(app, ["fetch", "rss", "https://news.example.org/feed.xml", "--store", store, "--offline"])
    assert second.exit_code == 0 and "1 unchanged" in second.output
    assert len(requests) == 1
    assert any((tmp_path / "kg" / "cache" / "objects").rglob("*"))


def test_kg_fetch_errors_are_one_line_user_errors(replay, tmp_path):
    runner = CliRunner()
    run = runner.invoke(app, ["fetch", "epo", "--number", "CN118748295A", "--store", str(tmp_path / "kg")])
    assert isinstance(run.exception, UserError)
    assert str(run.exception) == ("epo: set EPO_OPS_KEY and EPO_OPS_SECRET "
                                  "(OPS client credentials from developers.epo.org)")


@pytest.mark.parametrize("args, problem", [
    (["arxiv"], "give --query or identifiers (not both)"),
    (["arxiv", "--query", "x", "--id", "1"], "give --query or identifiers (not both)"),
    (["crossref", "--query", "x", "--since", "last week"], "--since expects a date"),
])
def test_kg_fetch_argument_errors(replay, tmp_path, args, problem):
    run = CliRunner().invoke(app, ["fetch", *args, "--store", str(tmp_path / "kg")])
    assert isinstance(run.exception, UserError) and problem in str(run.exception)


def test_cache_lives_in_the_store_folder(replay, tmp_path, monkeypatch):
    routes, _ = replay
    routes["/feed.xml"] = httpx.Response(200, content=FEED)
    monkeypatch.setenv("KG_CACHE", str(tmp_path / "shared-cache"))
    run = CliRunner().invoke(app, ["fetch", "rss", "https://news.example.org/feed.xml", "--store",
                                   str(tmp_path / "kg"), "--no-embed"])
    assert run.exit_code == 0
    assert Cache(tmp_path / "shared-cache").entries() and not (tmp_path / "kg" / "cache").exists()
