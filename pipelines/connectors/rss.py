"""News feeds: RSS 2.0, RSS 1.0 (RDF) and Atom, parsed with defusedxml; one record per item, keyed by its link.

Feeds carry a title, link, date and a summary (sometimes the full article as `content:encoded`); the richest
text available is kept. Article pages themselves are not fetched.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, tostring

from pipelines.connectors.base import (
    ConnectorError,
    FetchedRecord,
    Fetcher,
    Query,
    child,
    children,
    digest,
    iso_date,
    local,
    markup_paragraphs,
    text_of,
    xml_root,
)

SOURCE = "rss"


@dataclass
class Feed:
    title: str | None
    records: list[FetchedRecord]


def parse_feed(data: bytes, url: str) -> Feed:
    root = xml_root(SOURCE, data)
    kind = local(root.tag)
    if kind == "rss":
        channel = child(root, "channel")
        items, feed_title = children(channel, "item"), text_of(child(channel, "title"))
    elif kind == "RDF":
        items, feed_title = children(root, "item"), text_of(child(child(root, "channel"), "title"))
    elif kind == "feed":
        items, feed_title = children(root, "entry"), text_of(child(root, "title"))
    else:
        raise ConnectorError(SOURCE, f"malformed payload ({url} is not an RSS or Atom feed: root <{kind}>)")
    title = feed_title or urlsplit(url).netloc or None
    records = [r for r in (item_record(item, url, title) for item in items) if r is not None]
    return Feed(title=title, records=records)


def item_record(item: Element, feed_url: str, feed_title: str | None) -> FetchedRecord | None:
    """One item or entry; None when it has neither a link nor an id to key it by."""
    link = _link(item, feed_url)
    guid = text_of(child(item, "guid")) or text_of(child(item, "id"))
    key = link or guid
    if not key:
        return None
    body = next((_markup(child(item, name)) for name in ("encoded", "content", "description", "summary")
                 if _markup(child(item, name)).strip()), "")
    published = next((iso_date(text_of(child(item, name)))
                      for name in ("pubDate", "date", "published", "updated", "issued")
                      if iso_date(text_of(child(item, name)))), None)
    authors = [text_of(child(a, "name")) or text_of(a) for a in children(item, "author") + children(item, "creator")]
    categories = [c.get("term") or text_of(c) for c in children(item, "category")]
    metadata = {"feed": feed_url, "feed_title": feed_title, "guid": guid or None,
                "categories": [c for c in categories if c]}
    return FetchedRecord(
        source=SOURCE, id=key, title=text_of(child(item, "title")) or None, url=link,
        text="\n\n".join(markup_paragraphs(body)), published=published, authors=[a for a in authors if a],
        kind="news", raw_hash=digest(tostring(item)), publisher=feed_title,
        metadata={k: v for k, v in metadata.items() if v})


def _link(item: Element, feed_url: str) -> str | None:
    for link in children(item, "link"):
        href = link.get("href")
        if href and link.get("rel", "alternate") == "alternate":
            return urljoin(feed_url, href.strip())
        if not href and text_of(link):
            return urljoin(feed_url, text_of(link))
    guid = child(item, "guid")
    if guid is not None and guid.get("isPermaLink", "true") == "true" and text_of(guid).startswith("http"):
        return text_of(guid)
    return None


def _markup(element: Element | None) -> str:
    """An element's content as markup: escaped HTML stays text, inline XHTML (Atom type="xhtml") is serialised."""
    if element is None:
        return ""
    if len(element):
        return "".join(tostring(c, encoding="unicode") for c in element)
    return element.text or ""


class Rss:
    """Feed URLs as ids; `since` drops older items, `limit` counts items over all feeds."""

    source = SOURCE
    min_interval = 1.0

    def __init__(self, fetcher: Fetcher):
        self.fetcher = fetcher

    def fetch(self, query: Query) -> Iterator[FetchedRecord]:
        urls = query.ids or ((query.text,) if query.text else ())
        if not urls:
            raise ConnectorError(SOURCE, "give one or more feed URLs")
        given = 0
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ConnectorError(SOURCE, f"not an http(s) feed URL: {url!r}")
            for record in parse_feed(self.fetcher.get(url) or b"", url).records:
                if given >= query.limit:
                    return
                if query.since and (record.published or "") < query.since.isoformat():
                    continue
                given += 1
                yield record
