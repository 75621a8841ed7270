import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.embeddings import EmbeddingsUnavailable, load_model
from kg.ingest import ingest
from kg.search import (ensure_embeddings, hybrid_search, keyword_query, keyword_search, reciprocal_rank_fusion,
                       vector_search)
from kg.store.embedded import EmbeddedStore

DOCS = {
    "charging.md": "# Acme X1\n\nThe Acme X1 cell charges from 10 to 80% in 12 minutes.\n\n"
                   "Acme unveiled the X1 at a trade show in Munich.\n",
    "sulfide.md": "# Solid Power\n\nSolid Power is focusing on sulfide-based electrolytes such as Li₆PS₅Cl, "
                  "which reaches 12 mS/cm.\n",
    "lines.md": "# Samsung SDI\n\nSamsung SDI (South Korea): Sulfide-based, pilot line capable of ~2,000 cells/month. "
                "Targeting 2027 commercial production.\n",
    "dry.md": "# Factory notes\n\nMoisture turns the electrolyte into hydrogen sulfide, so the assembly hall is kept "
              "at a dew point of -60 °C.\n",
}


@pytest.fixture(scope="module", autouse=True)
def model():
    try:
        load_model()
    except EmbeddingsUnavailable as exc:
        pytest.skip(f"the bundled all-MiniLM-L6-v2 model cannot be loaded ({exc})")


def _write_docs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    store = EmbeddedStore(root / "store")
    report = ingest(store, [_write_docs(root / "docs")])
    assert report.count("added") == len(DOCS) and not report.failed
    ensure_embeddings(store)
    yield store
    store.close()


def test_semantic_query_finds_a_passage_sharing_no_keyword(graph):
    query = "fast charging time"
    assert not any("12 minutes" in hit.quote for hit in keyword_search(graph, query))
    for search in (vector_search, hybrid_search):
        hits = search(graph, query, k=3)
        assert "charges from 10 to 80% in 12 minutes" in hits[0].quote
        assert hits[0].document == "charging.md"


def test_formula_typed_in_ascii_finds_the_subscript_spelling(graph):
    assert keyword_query("Li6PS5Cl") == "Li6PS5Cl Li₆PS₅Cl"
    for search in (keyword_search, hybrid_search):
        hit = search(graph, "Li6PS5Cl", k=3)[0]
        assert "Li₆PS₅Cl" in hit.quote and hit.document == "sulfide.md"


def test_hits_quote_the_document_and_carry_the_facts_of_their_passage(graph):
    hit = hybrid_search(graph, "Samsung SDI pilot line capacity", k=3)[0]
    text = DOCS["lines.md"]
    assert hit.document == "lines.md" and text[hit.start:hit.end] == hit.quote
    assert hit.facts and all(f.evidence.passage_id == hit.passage_id for f in hit.facts)
    assert "production_line" in {f.kind for f in hit.facts}
    assert hit.to_dict()["facts"][0].keys() == {"kind", "slots"}


def test_embeddings_are_computed_once(graph):
    assert graph.missing_embeddings() == []
    assert ensure_embeddings(graph) == 0


def test_changed_and_copied_documents_embed_only_new_texts(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    docs = _write_docs(tmp_path / "docs")
    ingest(store, [docs])
    first = ensure_embeddings(store)
    assert first > 0 and store.missing_embeddings() == []
    rows = store.conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]

    (docs / "copy.md").write_text(DOCS["sulfide.md"], encoding="utf-8")
    ingest(store, [docs])
    assert ensure_embeddings(store) == 0

    (docs / "charging.md").write_text(DOCS["charging.md"] + "\nAcme will build a second factory in Ohio.\n",
                                      encoding="utf-8")
    assert ingest(store, [docs]).count("updated") == 1
    assert ensure_embeddings(store) == 1
    assert store.conn.execute("SELECT count(*) FROM embeddings").fetchone()[0] == rows + 1
    assert "Ohio" in vector_search(store, "second factory in Ohio", k=1)[0].quote
    store.close()


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]])
    assert [item for item, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_cli_search_embeds_what_ingest_skipped(tmp_path):
    from kg.cli import app

    store = str(tmp_path / "store")
    runner = CliRunner()
    run = runner.invoke(app, ["ingest", str(_write_docs(tmp_path / "docs")), "--no-embed", "--store", store])
    assert run.exit_code == 0, run.output
    graph = EmbeddedStore(store)
    assert graph.missing_embeddings()
    graph.close()
    run = runner.invoke(app, ["search", "fast charging time", "--k", "2", "--json", "--store", store])
    assert run.exit_code == 0, run.output
    hits = json.loads(run.stdout)
    assert len(hits) == 2 and "12 minutes" in hits[0]["quote"]
    assert set(hits[0]) >= {"document", "quote", "start", "end", "score", "facts"}


def test_ubiquitous_words_are_left_out_of_the_keyword_query():
    from kg.search import keyword_ranking

    class Store:
        seen: list[str] = []

        def term_document_counts(self, terms):
            return 100_000, {t: {"solid": 40_000, "state": 30_000}.get(t, 50) for t in terms}

        def search_text(self, query, limit=10):
            self.seen.append(query)
            return []

    store = Store()
    keyword_ranking(store, "the solid state Li6PS5Cl cells", 5)
    keyword_ranking(store, "solid state", 5)
    assert store.seen == ["Li6PS5Cl cells Li₆PS₅Cl", "solid state"]
