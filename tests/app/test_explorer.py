"""Every explorer page renders on a small ingested corpus; questions, filters and navigation work."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.safe_text import highlighted, literal
from kg.ingest import ingest

APP = str(Path(__file__).resolve().parents[2] / "app" / "explorer.py")
HOSTILE = "Evil <script>alert(1)</script> **bold** [link](http://x.test) `code` | pipe"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, sample_news):
    from kg.store.embedded import EmbeddedStore

    root = tmp_path_factory.mktemp("ui")
    (root / "news.md").write_text(sample_news, encoding="utf-8")
    (root / "hostile.md").write_text(f"# Hostile\n\nToyota targets 2027 for mass production ({HOSTILE}).\n",
                                     encoding="utf-8")
    (root / "lines.md").write_text("# Pilot Lines (2026)\n\n- ProLogium (Taiwan): Oxide-based, ~2 GWh/year pilot.\n",
                                   encoding="utf-8")
    store = EmbeddedStore(root / "store")
    ingest(store, [root / "news.md", root / "hostile.md", root / "lines.md"])
    store.close()
    return root / "store"


def _app(store_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("KG_STORE", str(store_dir))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("text", [HOSTILE, "a_b*c", "x\\y", "1. not a list", "# not a heading"])
def test_literal_escapes_every_markdown_control(text):
    escaped = literal(text)
    unescaped = escaped.replace("\\", "\x00").replace("\x00\x00", "\\").replace("\x00", "")
    assert unescaped == text
    assert "<script>" not in escaped and "**" not in escaped


def test_highlight_marks_the_answer_only():
    out = highlighted("Samsung SDI runs a pilot line.", "samsung sdi")
    assert out.startswith(":orange-background[Samsung SDI]")


def test_ask_page_answers_with_quotes(store_dir, monkeypatch):
    at = _app(store_dir, monkeypatch)
    at.text_input(key="question").input("Who makes sulfide pilot lines?").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Samsung SDI" in text and "pilot line" in text


def test_hostile_document_text_stays_text(store_dir, monkeypatch):
    at = _app(store_dir, monkeypatch)
    at.text_input(key="question").input("Which companies target 2027 for mass production?").run()
    quotes = [m.value for m in at.markdown if "Evil" in m.value]
    assert quotes and all("<script>" not in q and "\\<script\\>" in q for q in quotes)


def test_entity_page_shows_facts_and_aliases(store_dir, monkeypatch):
    at = _app(store_dir, monkeypatch)
    at.sidebar.radio(key="page").set_value("Entity").run()
    at.text_input(key="entity_query").input("Samsung SDI").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("Samsung SDI" in s.value for s in at.subheader)
    assert len(at.expander) >= 2


def test_documents_page_lists_documents(store_dir, monkeypatch):
    at = _app(store_dir, monkeypatch)
    at.sidebar.radio(key="page").set_value("Documents").run()
    assert not at.exception
    assert at.metric[0].value == "3"


def test_lines_page_filters_and_downloads(store_dir, monkeypatch):
    at = _app(store_dir, monkeypatch)
    at.sidebar.radio(key="page").set_value("Production lines").run()
    assert not at.exception
    assert "2 lines" in " ".join(c.value for c in at.caption)
    at.multiselect(key="lines-chemistry").set_value(["oxide"]).run()
    assert "1 lines" in " ".join(c.value for c in at.caption)
    assert at.dataframe[0].value["company"].tolist() == ["ProLogium"]


def test_timelines_page_plots_milestones(store_dir, monkeypatch):
    at = _app(store_dir, monkeypatch)
    at.sidebar.radio(key="page").set_value("Timelines").run()
    assert not at.exception
    assert any("Slips" in s.value for s in at.subheader)


def test_patents_page_lists_and_watches(store_dir, monkeypatch):
    at = _app(store_dir, monkeypatch)
    at.sidebar.radio(key="page").set_value("Patents").run()
    assert not at.exception
    assert "1 patents" in " ".join(c.value for c in at.caption)
    at.text_input(key="patents-assignee").input("CATL").run()
    assert "0 patents" in " ".join(c.value for c in at.caption)


def test_snapshots_page_builds_a_download(store_dir, monkeypatch):
    at = _app(store_dir, monkeypatch)
    at.sidebar.radio(key="page").set_value("Snapshots").run()
    assert not at.exception
    at.button(key="snapshot-build").click().run()
    assert not at.exception
    assert "documents" in " ".join(c.value for c in at.caption)
