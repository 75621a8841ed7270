from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

pytest.importorskip("trafilatura")

from pipelines.readers.base import ReadError  # noqa: E402
from pipelines.readers.html import read_html  # noqa: E402
from pipelines.readers.patent import find_patent_numbers  # noqa: E402

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>CATL files solid-state battery patent | Battery News</title>
<meta property="og:site_name" content="Battery News">
<meta property="article:published_time" content="2026-05-20T12:29:00+08:00">
<link rel="canonical" href="https://batterynews.example/catl-solid-state-patent">
<script>var tracker = "TRACKING_CODE_SECRET"; function showAds() { return 1; }</script>
<style>.banner { color: red; } body { font-family: STYLE_FONT_NAME; }</style>
</head><body>
<nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/markets">Markets</a></li>
<li><a href="/about">About our newsroom</a></li></ul></nav>
<div class="advert">Buy discount power banks today!</div>
<article>
<h1>CATL files solid-state battery patent</h1>
<p>CATL has published patent CN121238027A, which sets a functional layer on the surface of the negative electrode
of an all-solid-state battery.</p>
<h2>What the patent covers</h2>
<p>The layer combines a polymer electrolyte with 0.3% to 2% of a graphene-like material to improve cycle stability.</p>
<ul><li>Porosity between 3% and 9%</li><li>Average pore diameter 0.2 nm to 15 nm</li></ul>
<table><tr><th>Company</th><th>Patent</th></tr><tr><td>BYD</td><td>CN118748295A</td></tr></table>
<script>document.write("INLINE_SCRIPT_TEXT");</script>
<p>BYD plans a batch demonstration of all-solid-state batteries in vehicles around 2027, starting with 2,000 cells.</p>
</article>
<footer>Copyright 2026 Battery News. Subscribe to our newsletter.</footer>
</body></html>
"""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the HTML reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "catl-patent.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_main_text_without_scripts_styles_or_navigation(page: Path, no_network: None) -> None:
    doc = read_html(page)
    for unwanted in ("TRACKING_CODE_SECRET", "showAds", "INLINE_SCRIPT_TEXT", "STYLE_FONT_NAME", "color: red",
                     "About our newsroom", "Markets"):
        assert unwanted not in doc.text
    assert "CATL has published patent CN121238027A" in doc.text
    assert "starting with 2,000 cells." in doc.text


def test_title_date_and_source(page: Path, no_network: None) -> None:
    doc = read_html(page)
    assert doc.title == "CATL files solid-state battery patent"
    assert doc.published == "2026-05-20"
    assert doc.kind == "news"
    assert doc.source == "Battery News"
    assert doc.metadata["url"] == "https://batterynews.example/catl-solid-state-patent"


def test_blocks_have_exact_offsets_and_kinds(page: Path) -> None:
    doc = read_html(page)
    pieces = [(block.kind, doc.text[block.start:block.end]) for block in doc.blocks]
    assert ("heading", "What the patent covers") in pieces
    assert ("list_item", "Porosity between 3% and 9%") in pieces
    assert ("list_item", "Average pore diameter 0.2 nm to 15 nm") in pieces
    assert ("table_row", "BYD | CN118748295A") in pieces
    assert any(kind == "paragraph" and text.startswith("The layer combines") for kind, text in pieces)
    starts = [block.start for block in doc.blocks]
    assert starts == sorted(starts)
    for block, following in zip(doc.blocks, doc.blocks[1:]):
        assert block.end <= following.start
        assert "\n\n" not in doc.text[block.start:block.end]
    for _, text in pieces:
        assert text == text.strip() and text


def test_patent_numbers_found_in_extracted_text(page: Path) -> None:
    doc = read_html(page)
    found = find_patent_numbers(doc.text)
    assert [number for _, _, number in found] == ["CN121238027A", "CN118748295A"]
    assert all(doc.text[start:end] == number for start, end, number in found)


def test_declared_charset_is_honoured(tmp_path: Path) -> None:
    html = ("<html><head><meta charset='iso-8859-1'><title>Anode</title></head><body><article>"
            "<p>The caf\u00e9 test: a lithium metal anode with a garnet separator reached 1,000 cycles at "
            "25 \u00b0C in the laboratory, according to the researchers who published the study this week.</p>"
            "</article></body></html>")
    path = tmp_path / "latin1.html"
    path.write_bytes(html.encode("iso-8859-1"))
    assert "caf\u00e9" in read_html(path).text


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "empty file"),
    (b"  \n\t ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00", "binary"),
    (b"<html><body><p>caf\xe9 \xff\xfe broken</p></body></html>", "not decodable"),
    (b"Just a plain sentence without any markup at all.", "no HTML markup"),
    (b"<html><head><script>var onlyScript = 1;</script></head><body><nav><a href='/'>Home</a></nav></body></html>",
     "no main text"),
])
def test_bad_input_is_a_read_error(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    with pytest.raises(ReadError) as raised:
        read_html(path)
    assert problem in raised.value.problem
    assert "\n" not in raised.value.problem


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="cannot read"):
        read_html(tmp_path / "absent.html")


def test_news_item_from_shared_feed(fixtures_dir: Path, tmp_path: Path, no_network: None) -> None:
    feed = (fixtures_dir / "news_rss" / "electrek_rss2_prospect-scraped_2026-04-02.xml").read_text(encoding="utf-8")
    item = re.search(r"<item>.*?<title>(.*?)</title>.*?<description>(.*?)</description>", feed, re.S)
    assert item
    title, description = item.group(1), item.group(2)
    path = tmp_path / "electrek.html"
    path.write_text(
        f"<html><head><title>{title} | Electrek</title>"
        "<meta property='article:published_time' content='2026-03-24T13:13:54+00:00'>"
        "<script>window.dataLayer = ['FEED_SCRIPT'];</script></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>{title}</h1><p>{description}</p><p>{description}</p></article></body></html>",
        encoding="utf-8")
    doc = read_html(path)
    assert doc.title == title
    assert doc.published == "2026-03-24"
    assert "FEED_SCRIPT" not in doc.text
    assert description.split(",")[0] in doc.text
    assert find_patent_numbers(doc.text) == []


def test_corpus_news_about_patents(corpus_dir: Path, tmp_path: Path) -> None:
    source = next(corpus_dir.glob("004_*.txt")).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in source.split("\n\n") if p.strip()]
    body = "".join(f"<p>{p.replace('&', '&amp;').replace('<', '&lt;')}</p>" for p in paragraphs[1:])
    path = tmp_path / "zhidx.html"
    path.write_text(f"<html><head><title>{paragraphs[1][:80]}</title></head><body><article>{body}</article>"
                    "</body></html>", encoding="utf-8")
    doc = read_html(path)
    numbers = {number for _, _, number in find_patent_numbers(doc.text)}
    assert numbers == {"CN118748295A", "CN121238027A", "CN121076266A"}


def test_a_missing_html_module_is_one_clear_line(tmp_path, monkeypatch):
    """An install whose pip skipped an extra (lxml.html.clean) reports the missing module for the file, not an
    internal error."""
    import sys

    from pipelines.readers import ReadError, read_document

    page = tmp_path / "release.html"
    page.write_text("<html><body><article><p>Tallis Cells opened a line in Kaunas.</p></article></body></html>",
                    encoding="utf-8")
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    with pytest.raises(ReadError) as caught:
        read_document(page)
    assert "not installed" in caught.value.problem and "trafilatura" in caught.value.problem


def test_a_stray_control_byte_does_not_make_a_page_binary(tmp_path):
    page = tmp_path / "saved.html"
    page.write_bytes(b"<html><body><article><p>Vesna Cells opened a pilot line\x00 in Kaunas in 2025.</p>"
                     b"<p>It makes 40 MWh a year.\x07</p></article></body></html>")
    doc = read_html(page)
    assert "Vesna Cells opened a pilot line in Kaunas" in doc.text and "\x00" not in doc.text


@pytest.mark.parametrize("cut", ["", "<nav", "<div class='col'>", "<h1>", "Cells starts"])
def test_a_page_saved_from_its_middle_is_still_read(tmp_path: Path, cut: str) -> None:
    """A fragment without its head (saved or copied from the middle of the page) is read; where no article body
    can be told apart, its visible text is read, with one warning saying so."""
    page = ("<html><head><title>Skarn Cells news</title><script>var consent = {};</script></head><body>"
            "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav><div class='wrap'><div class='col'>"
            "<h1>Skarn Cells starts a pilot line in Lulea</h1>"
            "<p>Skarn Cells has started a sulfide pilot line in Lulea with an annual capacity of 60 MWh, the "
            "company said on Tuesday.</p><p>The Swedish start-up plans a 4 GWh plant by 2029 and has signed a "
            "supply agreement with the carmaker Volvo.</p></div></div><footer>© Nordic Battery Wire</footer>"
            "</body></html>")
    path = tmp_path / "fragment.html"
    path.write_text(page[page.index(cut):], encoding="utf-8")
    doc = read_html(path)
    assert "sulfide pilot line in Lulea" in doc.text and "supply agreement" in doc.text
    assert "var consent" not in doc.text
    assert all(not i.is_bug for i in doc.incidents) and len(doc.incidents) <= 1


def test_a_fragment_trafilatura_will_not_load_is_given_as_a_tree(tmp_path: Path, monkeypatch) -> None:
    import trafilatura

    real = trafilatura.bare_extraction
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda page, **kw: None if isinstance(page, str) else real(
        page, **kw))
    path = tmp_path / "fragment.html"
    path.write_text("<div><h1>Skarn Cells starts a line</h1><p>Skarn Cells has started a sulfide pilot line in Lulea "
                    "with an annual capacity of 60 MWh, the company said.</p></div>", encoding="utf-8")
    doc = read_html(path)
    assert "sulfide pilot line in Lulea" in doc.text and not doc.incidents


@pytest.mark.parametrize(("body", "expected"), [
    ("<table><tr><td>Home</td><td><table><tr><td>Skarn Cells</td><td>60 MWh pilot line in Lulea since "
     "March</td></tr></table></td></tr></table>", ["Home", "Skarn Cells | 60 MWh pilot line in Lulea since March"]),
    ("<form><div><p>Skarn Cells opened a pilot line in Lulea with 60 MWh a year.</p></div></form>",
     ["Skarn Cells opened a pilot line in Lulea with 60 MWh a year."]),
    ("<ul><li><b>Skarn</b> Cells opened a pilot line in Lulea in March<ul><li>60 MWh</li></ul></li></ul>",
     ["Skarn Cells opened a pilot line in Lulea in March", "60 MWh"]),
])
def test_without_an_article_body_the_visible_text_is_read_once(tmp_path: Path, monkeypatch, body: str,
                                                               expected: list[str]) -> None:
    """Menus and all, each piece of visible text once, in page order, with one warning saying so."""
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda page, **kw: None)
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><script>var x;</script></head><body>{body}</body></html>", encoding="utf-8")
    doc = read_html(path)
    assert [doc.text[b.start:b.end] for b in doc.blocks] == expected
    [warning] = doc.incidents
    assert "visible text" in warning.line("page.html") and not warning.is_bug
