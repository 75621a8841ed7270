"""Patent records (numbers, assignees, dates, classes, claims, links) and watch-lists that report only new patents."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.ingest import ingest
from kg.patents import (WatchError, add_watch, list_watches, org_fold, patent_records, patents, remove_watch,
                        run_watch, split_number)
from kg.store.embedded import EmbeddedStore

TEXT_PATENT = """---
published: 2025-06-10
---
(11) CN 119000001 A
(43) 2025.06.10
(71) Applicant: Contemporary Amperex Technology Co., Limited
(54) Sulfide solid electrolyte membrane and preparation method thereof

(57) Abstract
A sulfide solid electrolyte membrane comprising Li6PS5Cl and a binder, with ionic conductivity of 3 mS/cm.

What is claimed is:

1. A sulfide solid electrolyte membrane comprising Li6PS5Cl particles and a polymer binder.

2. The membrane according to claim 1, wherein the thickness is 20 μm.

3. The membrane according to claim 1, wherein the binder is PTFE.
"""

NEWS = """---
published: 2025-03-01
---
# Patent watch

BYD disclosed the patent CN118748295A, which places a ceramic layer on the negative electrode sheet.
"""

EXCHANGE = "http://www.epo.org/exchange"
BIBLIO_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<ops:world-patent-data xmlns="{EXCHANGE}" xmlns:ops="http://ops.epo.org">
<exchange-documents><exchange-document system="ops.epo.org" family-id="90000002" country="CN" doc-number="121000002"
 kind="A"><bibliographic-data>
<publication-reference><document-id document-id-type="docdb"><country>CN</country><doc-number>121000002</doc-number>
<kind>A</kind><date>20251120</date></document-id></publication-reference>
<classifications-ipcr><classification-ipcr sequence="1"><text>H01M  10/   0562          A I</text>
</classification-ipcr></classifications-ipcr>
<patent-classifications><patent-classification sequence="1"><classification-scheme office="" scheme="CPCI"/>
<section>H</section><class>01</class><subclass>M</subclass><main-group>10</main-group><subgroup>0562</subgroup>
</patent-classification></patent-classifications>
<priority-claims><priority-claim sequence="1" kind="national"><document-id document-id-type="epodoc">
<doc-number>CN202510000002</doc-number><date>20250115</date></document-id></priority-claim></priority-claims>
<parties><applicants>
<applicant sequence="1" data-format="epodoc"><applicant-name><name>CONTEMPORARY AMPEREX TECHNOLOGY CO LTD [CN]</name>
</applicant-name></applicant></applicants></parties>
<invention-title lang="en">Halide solid electrolyte with a graphene-like functional layer</invention-title>
</bibliographic-data>
<abstract lang="en"><p>A functional layer of porous graphene-like material protects the negative electrode.</p>
</abstract></exchange-document></exchange-documents></ops:world-patent-data>"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def graph(store, tmp_path: Path):
    docs = tmp_path / "docs"
    _write(docs, "cn119000001a.md", TEXT_PATENT)
    _write(docs, "news.md", NEWS)
    assert not ingest(store, [docs]).failed
    return store


def _record(store, number: str):
    return next(r for r in patent_records(store) if r.number == number)


@pytest.mark.parametrize("number, jurisdiction, kind", [
    ("CN118748295A", "CN", "A"), ("US20230102360A1", "US", "A1"), ("EP2400812", "EP", None),
    ("US11233456B2", "US", "B2"),
])
def test_split_number(number, jurisdiction, kind):
    assert split_number(number) == (jurisdiction, kind)


@pytest.mark.parametrize("raw, folded", [
    ("CONTEMPORARY AMPEREX TECHNOLOGY CO LTD [CN]", "contemporary amperex technology"),
    ("Contemporary Amperex Technology Co., Limited", "contemporary amperex technology"),
    ("Samsung SDI Co., Ltd.", "samsung sdi"),
    ("Limited", "limited"),
])
def test_org_fold(raw, folded):
    assert org_fold(raw) == folded


def test_patent_document_gives_a_full_record_with_claim_1_apart(graph):
    record = _record(graph, "CN119000001A")
    assert (record.jurisdiction, record.kind_code, record.published) == ("CN", "A", "2025-06-10")
    assert record.title == "Sulfide solid electrolyte membrane and preparation method thereof"
    assert [(a.raw, a.name, a.key) for a in record.assignees] == [
        ("Contemporary Amperex Technology Co., Limited", "CATL", "org:catl")]
    assert record.claim_1.startswith("A sulfide solid electrolyte membrane comprising Li6PS5Cl")
    assert [c["number"] for c in record.independent_claims] == [1] and record.dependent_claims == 2
    assert "Li6PS5Cl" in {m["name"] for m in record.materials}
    assert any(s["quantity"] == "ionic_conductivity" and s["value"] == 3.0 for s in record.specs)
    assert record.sources and record.sources[0].kind == "patent"


def test_patent_named_in_news_is_linked_to_its_assignee_and_quote(graph):
    record = _record(graph, "CN118748295A")
    assert [a.key for a in record.assignees] == ["org:byd"]
    assert record.published is None and record.date == "2025-03-01"
    assert "BYD disclosed the patent CN118748295A" in record.sources[0].quote


def test_biblio_xml_gives_dates_classes_family_and_a_legal_name_mapped_to_the_company(graph, tmp_path):
    ingest(graph, [_write(tmp_path / "xml", "CN121000002A_biblio.xml", BIBLIO_XML)])
    record = _record(graph, "CN121000002A")
    assert (record.published, record.priority_dates, record.family_id) == ("2025-11-20", ["2025-01-15"], "90000002")
    assert record.cpc == ["H01M 10/0562"] and record.ipc == ["H01M 10/0562"]
    assert [(a.raw, a.name) for a in record.assignees] == [("CONTEMPORARY AMPEREX TECHNOLOGY CO LTD [CN]", "CATL")]
    assert record.assignees[0].key == "org:catl"


@pytest.mark.parametrize("filters, numbers", [
    ({"assignee": "CATL"}, {"CN119000001A"}),
    ({"assignee": "Contemporary Amperex Technology"}, {"CN119000001A"}),
    ({"assignee": "BYD"}, {"CN118748295A"}),
    ({"topic": "sulfide electrolyte"}, {"CN119000001A"}),
    ({"topic": "ceramic layer"}, {"CN118748295A"}),
    ({"since": "2025-04"}, {"CN119000001A"}),
    ({"since": "2026"}, set()),
    ({"cpc": "H01M10"}, set()),
])
def test_filters(graph, filters, numbers):
    assert {r.number for r in patents(graph, **filters)} == numbers


def test_watch_list_reports_only_new_patents_on_later_runs(graph, tmp_path):
    add_watch(graph, "catl", assignee="CATL")
    first = run_watch(graph, "catl", now="2025-07-01T00:00:00+00:00")
    assert [r.number for r in first.new] == ["CN119000001A"] and first.previous_run is None
    second = run_watch(graph, "catl", now="2025-08-01T00:00:00+00:00")
    assert second.new == [] and second.known == 1 and second.previous_run == "2025-07-01T00:00:00+00:00"
    ingest(graph, [_write(tmp_path / "xml", "CN121000002A_biblio.xml", BIBLIO_XML)])
    third = run_watch(graph, "catl")
    assert [r.number for r in third.new] == ["CN121000002A"] and third.known == 1
    assert third.new[0].sources[0].quote


def test_watch_state_persists_in_the_store(graph, tmp_path):
    add_watch(graph, "sulfide", topic="sulfide electrolyte", cpc="H01M")
    graph.close()
    reopened = EmbeddedStore(tmp_path / "store")
    try:
        assert [(w["name"], w["topic"], w["cpc"], w["seen"]) for w in list_watches(reopened)] == [
            ("sulfide", "sulfide electrolyte", "H01M", 0)]
        remove_watch(reopened, "sulfide")
        assert list_watches(reopened) == []
    finally:
        reopened.close()


@pytest.mark.parametrize("call", [
    lambda g: run_watch(g, "missing"),
    lambda g: add_watch(g, "empty"),
    lambda g: (add_watch(g, "twice", assignee="BYD"), add_watch(g, "twice", assignee="BYD")),
    lambda g: remove_watch(g, "missing"),
])
def test_watch_errors(graph, call):
    with pytest.raises(WatchError):
        call(graph)


@pytest.mark.parametrize("value", [{"a": 1}, {"lists": {"x": {"seen": ["CN1A"]}}}, {}])
def test_state_round_trip(store, value):
    assert store.get_state("thing") is None
    store.put_state("thing", value)
    assert store.get_state("thing") == value


def test_cli_patents_and_watch(graph, tmp_path):
    from kg.cli import app
    from kg.commands import load_all

    load_all()
    graph.close()
    where = ["--store", str(tmp_path / "store")]
    runner = CliRunner()
    run = runner.invoke(app, ["patents", "--assignee", "CATL", "--json", *where])
    assert run.exit_code == 0, run.output
    assert [r["number"] for r in json.loads(run.stdout)] == ["CN119000001A"]
    assert runner.invoke(app, ["watch", "add", "catl", "--assignee", "CATL", *where]).exit_code == 0
    first = runner.invoke(app, ["watch", "run", "catl", *where])
    assert first.exit_code == 0 and "1 new" in first.stdout and "CN119000001A" in first.stdout
    second = runner.invoke(app, ["watch", "run", "catl", "--json", *where])
    assert json.loads(second.stdout)["new"] == []
    listed = runner.invoke(app, ["watch", "list", "--json", *where])
    assert [w["name"] for w in json.loads(listed.stdout)] == ["catl"]


def test_a_number_named_without_kind_code_joins_its_publication(graph, tmp_path):
    folder = tmp_path / "more"
    pct = TEXT_PATENT.replace("(11) CN 119000001 A", "(11) WO 2025/123456 A1")
    ingest(graph, [_write(folder, "wo2025123456a1.md", pct),
                   _write(folder, "pct.md", "---\npublished: 2025-08-01\n---\n# PCT\n\n"
                                            "CATL filed the PCT application WO 2025/123456 on sulfide membranes.\n")])
    numbers = [r.number for r in patent_records(graph)]
    assert "WO2025123456" not in numbers and "WO2025123456A1" in numbers
    record = _record(graph, "WO2025123456A1")
    assert {s.document for s in record.sources} == {"wo2025123456a1.md", "pct.md"}
