from __future__ import annotations

import datetime as dt

import httpx
import pytest

from kg.fetch import ingest_records
from pipelines.connectors.base import ConnectorError, Query
from pipelines.connectors.rss import Rss, parse_feed

FEED = "https://news.example.org/feed.xml"

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
 <channel><title>Battery Wire</title><link>https://news.example.org/</link>
  <item><title>Samsung SDI opens a sulfide pilot line</title>
   <link>https://news.example.org/2026/03/sdi-pilot-line</link>
   <description>Short teaser.</description>
   <content:encoded><![CDATA[<p>Samsung SDI (South Korea) opened a pilot line capable of ~2,000 cells/month.</p>
    <p>Mass production is targeted for 2027 &amp; beyond.</p><script>track()</script>]]></content:encoded>
   <dc:creator>Jane Doe</dc:creator><category>solid-state</category>
   <pubDate>Tue, 24 Mar 2026 13:13:54 +0000</pubDate></item>
  <item><title>Older item</title><link>https://news.example.org/2025/01/old</link>
   <description>Toyota &lt;b&gt;announced&lt;/b&gt; production.</description>
   <pubDate>Mon, 06 Jan 2025 08:00:00 GMT</pubDate></item>
 </channel>
</rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Cell Notes</title>
 <entry><title>QuantumScape ships B-samples</title><id>tag:notes,2026:1</id>
  <link rel="alternate" href="/posts/qs-b-samples"/>
  <updated>2026-02-02T10:00:00Z</updated><published>2026-02-01T09:00:00Z</published>
  <author><name>Sam Lee</name></author>
  <summary type="html">&lt;p&gt;QuantumScape shipped B-samples to Volkswagen.&lt;/p&gt;</summary></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Old Style</title></channel>
 <item><title>Factorial signs an MOU</title><link>https://old.example.org/factorial</link>
  <description>Factorial Energy signed an MOU.</description><dc:date>2026-01-15T00:00:00Z</dc:date></item>
</rdf:RDF>"""


@pytest.mark.parametrize("data, url, expected", [
    (RSS2, FEED, ("https://news.example.org/2026/03/sdi-pilot-line", "Samsung SDI opens a sulfide pilot line",
                  "2026-03-24", "Battery Wire")),
    (ATOM, "https://notes.example.org/atom", ("https://notes.example.org/posts/qs-b-samples",
                                              "QuantumScape ships B-samples", "2026-02-01", "Cell Notes")),
    (RDF, "https://old.example.org/rss", ("https://old.example.org/factorial", "Factorial signs an MOU",
                                          "2026-01-15", "Old Style")),
])
def test_feed_formats(data, url, expected):
    first = parse_feed(data, url).records[0]
    assert (first.path, first.title, first.published, first.publisher) == expected
    assert first.kind == "news" and first.text and "<" not in first.text


def test_full_content_is_preferred_and_markup_removed():
    first, second = parse_feed(RSS2, FEED).records
    assert first.text == ("Samsung SDI (South Korea) opened a pilot line capable of ~2,000 cells/month.\n\n"
                          "Mass production is targeted for 2027 & beyond.")
    assert first.authors == ["Jane Doe"] and first.metadata["categories"] == ["solid-state"]
    assert second.text == "Toyota announced production."


def test_recorded_electrek_feed(fixtures_dir):
    feed = parse_feed((fixtures_dir / "news_rss" / "electrek_rss2_prospect-scraped_2026-04-02.xml").read_bytes(),
                      "https://swelbyboy.github.io/prospect-rss-feeds/electrek.xml")
    assert feed.title == "Electrek - Article Feed" and len(feed.records) == 15
    recall = next(r for r in feed.records if "recalling" in (r.title or ""))
    assert recall.path.startswith("https://electrek.co/2026/03/24/volkswagen-recalling")
    assert recall.published == "2026-03-24" and "battery" in recall.text


def test_since_and_max_over_feeds(make):
    rss, _server = make(Rss, {"/feed.xml": httpx.Response(200, content=RSS2),
                             "/atom": httpx.Response(200, content=ATOM)})
    query = Query(ids=(FEED, "https://news.example.org/atom"), since=dt.date(2026, 1, 1), limit=2)
    assert [r.title for r in rss.fetch(query)] == ["Samsung SDI opens a sulfide pilot line",
                                                   "QuantumScape ships B-samples"]


def test_429_with_retry_after_and_503_then_success(make, clock):
    rss, _ = make(Rss, {"/feed.xml": [httpx.Response(429, headers={"Retry-After": "9"}), httpx.Response(503),
                                      httpx.Response(200, content=RSS2)]})
    assert len(list(rss.fetch(Query(ids=(FEED,))))) == 2
    assert clock.sleeps == [9.0, 2.0]


def test_server_errors_until_retries_run_out(make, clock):
    rss, _server = make(Rss, {"/feed.xml": httpx.Response(502)})
    with pytest.raises(ConnectorError) as caught:
        list(rss.fetch(Query(ids=(FEED,))))
    assert str(caught.value) == f"rss: server error (HTTP 502) after 5 attempts for {FEED}; try again later"
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize("body, problem", [
    (b"<!DOCTYPE html><html><body><p>Not a feed</p></body></html>", "malformed payload"),
    (b"<html><head><title>Moved</title></head></html>", "not an RSS or Atom feed: root <html>"),
    (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>', "unsafe XML"),
])
def test_malformed_or_unsafe_feed(make, body, problem):
    rss, _ = make(Rss, {"/feed.xml": httpx.Response(200, content=body)})
    with pytest.raises(ConnectorError, match="^rss: ") as caught:
        list(rss.fetch(Query(ids=(FEED,))))
    assert problem in str(caught.value)


def test_cache_and_offline(make, cache):
    rss, _server = make(Rss, {"/feed.xml": httpx.Response(200, content=RSS2)}, cache=cache)
    list(rss.fetch(Query(ids=(FEED,))))
    offline, nothing = make(Rss, {}, cache=cache, offline=True)
    assert len(list(offline.fetch(Query(ids=(FEED,))))) == 2 and nothing.requests == []
    with pytest.raises(ConnectorError, match="^rss: not in the cache and offline: https://other.example.org/rss"):
        list(offline.fetch(Query(ids=("https://other.example.org/rss",))))


def test_news_items_ingest_under_their_url(make, store):
    rss, _ = make(Rss, {"/feed.xml": httpx.Response(200, content=RSS2)})
    report = ingest_records(store, rss.fetch(Query(ids=(FEED,))))
    assert report.count("added") == 2
    doc = next(d for d in store.documents() if "sdi" in d.path)
    assert (doc.path, doc.kind, doc.source) == ("https://news.example.org/2026/03/sdi-pilot-line", "news",
                                                "Battery Wire")
    assert doc.metadata["url"] == doc.path and doc.metadata["authors"] == ["Jane Doe"]
    assert store.facts(kind="production_line") or store.facts(kind="milestone")
