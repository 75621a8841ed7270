"""Diffs between snapshots and the live store: counts first, changed values keep both quotes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.diff import diff_graphs, fact_identity, snapshot_view, store_view, to_json, to_markdown
from kg.ingest import ingest
from kg.model import Evidence, Fact
from kg.snapshot import write_snapshot
from kg.store.embedded import EmbeddedStore

@pytest.fixture
def graph(tmp_path: Path, corpus: Path):
    store = EmbeddedStore(tmp_path / "store")
    ingest(store, [corpus])
    yield store
    store.close()


def diff_snapshots(a: Path, b: Path) -> dict:
    with snapshot_view(a) as old, snapshot_view(b) as new:
        return diff_graphs(old, new)


def test_changed_value_and_date_keep_old_and_new_quotes(tmp_path, graph, corpus):
    before = tmp_path / "before.zip"
    write_snapshot(graph, before)
    alpha = corpus / "alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("375 Wh/kg", "400 Wh/kg").replace("starting 2027", "starting 2028"),
                     encoding="utf-8")
    ingest(graph, [corpus])
    after = tmp_path / "after.zip"
    write_snapshot(graph, after)

    diff = diff_snapshots(before, after)
    assert list(diff)[:3] == ["old", "new", "counts"]
    assert diff["counts"]["facts"]["total"] == {"added": 0, "removed": 0, "changed": 2}
    assert diff["counts"]["facts"]["spec"] == {"added": 0, "removed": 0, "changed": 1}
    assert diff["counts"]["entities"]["total"] == {"added": 0, "removed": 0, "changed": 0}

    spec = diff["facts"]["spec"]["changed"][0]
    assert spec["identity"] == {"subject": ["prod:fest"], "subject_org": ["org:philenergy"],
                                "quantity": "energy_density"}
    assert [v["value"]["value"] for v in spec["old"]] == [375.0]
    assert [v["value"]["value"] for v in spec["new"]] == [400.0]
    assert "375 Wh/kg" in spec["old"][0]["evidence"][0]["quote"]
    assert "400 Wh/kg" in spec["new"][0]["evidence"][0]["quote"]
    assert spec["old"][0]["evidence"][0]["document"] == "alpha.md"

    milestone = diff["facts"]["milestone"]["changed"][0]
    assert (milestone["old"][0]["value"]["date"], milestone["new"][0]["value"]["date"]) == ("2027", "2028")
    assert "starting 2027" in milestone["old"][0]["evidence"][0]["quote"]
    assert "starting 2028" in milestone["new"][0]["evidence"][0]["quote"]

    md = to_markdown(diff)
    assert md.index("## Facts: 0 added, 0 removed, 2 changed") < md.index("## spec")
    assert "375 Wh/kg → 400 Wh/kg" in md and "2027 (planned) → 2028 (planned)" in md
    assert "old: “Factorial Energy signed an MOU with Philenergy; its FEST cells reach 375 Wh/kg" in md
    assert "new: “Factorial Energy signed an MOU with Philenergy; its FEST cells reach 400 Wh/kg" in md
    assert json.loads(to_json(diff)) == diff

    with snapshot_view(before) as old:
        live = diff_graphs(old, store_view(graph))
    assert live["counts"] == diff["counts"] and live["facts"] == diff["facts"]


def test_identical_graphs_have_an_empty_diff(tmp_path, graph):
    snap = tmp_path / "snap.zip"
    write_snapshot(graph, snap)
    with snapshot_view(snap) as view:
        diff = diff_graphs(view, store_view(graph))
    assert diff["counts"]["facts"]["total"] == {"added": 0, "removed": 0, "changed": 0}
    assert diff["facts"] == {} and diff["entities"] == {}
    assert "0 added, 0 removed, 0 changed" in to_markdown(diff)


def test_added_and_removed_documents_show_as_added_and_removed_facts_and_entities(tmp_path, graph, corpus):
    before = tmp_path / "before.zip"
    write_snapshot(graph, before)
    graph.remove_document(str((corpus / "beta.md").resolve()))
    extra = corpus / "gamma.md"
    extra.write_text("# Gamma\n\nHonda began a demonstration line in January 2025.\n", encoding="utf-8")
    ingest(graph, [extra])
    with snapshot_view(before) as old:
        diff = diff_graphs(old, store_view(graph))
    counts = diff["counts"]["facts"]
    assert counts["total"]["added"] >= 1 and counts["total"]["removed"] >= 4
    assert counts["production_line"]["added"] == 1 and counts["production_line"]["removed"] == 1
    removed = diff["facts"]["production_line"]["removed"][0]
    assert removed["label"] == "Samsung SDI" and "Samsung SDI" in removed["values"][0]["evidence"][0]["quote"]
    entities = diff["entities"]
    assert any(e["key"] == "org:honda" for e in entities["Organization"]["added"])
    assert any(e["key"] == "org:samsung-sdi" for e in entities["Organization"]["removed"])
    md = to_markdown(diff)
    assert "- removed **Samsung SDI**" in md and "- added **Honda**" in md


def _fact(kind: str, slots: dict, entities: list, quote: str = "q") -> Fact:
    return Fact(kind=kind, slots=slots, entities=entities,
                evidence=Evidence("doc:1", "passage:1", 0, len(quote), quote, "test", 1.0))


def test_identity_is_kind_subject_keys_and_quantity_or_category():
    a = _fact("partnership", {"orgs": ["A", "B"], "nature": "mou"}, [("org", "org:a"), ("org", "org:b")])
    b = _fact("partnership", {"orgs": ["B", "A"], "nature": "jv"}, [("org", "org:b"), ("org", "org:a")])
    assert fact_identity(a) == fact_identity(b)
    energy = _fact("spec", {"subject": "X", "quantity": "energy_density", "value": 1}, [("subject", "prod:x")])
    cycles = _fact("spec", {"subject": "X", "quantity": "cycle_life", "value": 1}, [("subject", "prod:x")])
    assert fact_identity(energy) != fact_identity(cycles)
    unlinked = _fact("spec", {"subject": "  Samsung  SDI", "quantity": "power"}, [])
    assert fact_identity(unlinked)["subject"] == "samsung sdi"
    early = _fact("milestone", {"subject": "T", "category": "launch", "date": "2027"}, [("subject", "org:t")])
    late = _fact("milestone", {"subject": "T", "category": "launch", "date": "2028"}, [("subject", "org:t")])
    assert fact_identity(early) == fact_identity(late)


def test_a_new_value_beside_an_unchanged_one_is_added_not_changed():
    from kg.diff import GraphView

    pilot = _fact("production_line", {"org": "A", "stage": "pilot"}, [("org", "org:a")], "pilot line")
    mass = _fact("production_line", {"org": "A", "stage": "mass"}, [("org", "org:a")], "mass line")
    old = GraphView("old", {}, lambda: [pilot], lambda: [])
    new = GraphView("new", {}, lambda: [pilot, mass], lambda: [])
    diff = diff_graphs(old, new)
    assert diff["counts"]["facts"]["production_line"] == {"added": 1, "removed": 0, "changed": 0}
    assert diff["facts"]["production_line"]["added"][0]["values"][0]["evidence"][0]["quote"] == "mass line"
