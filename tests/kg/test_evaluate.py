"""`kg eval` must print the reference scorer's figures on the same export."""
import json
import re
import subprocess
import sys

import pytest

from kg.evaluate import AliasGroups, fold, max_matching, mismatches, score_answers, score_extraction

GOLD = {"documents": [{
    "file": "a.txt",
    "entities": [{"type": "Organization", "name": "Samsung SDI", "aliases": ["Samsung"]},
                 {"type": "Material", "name": "Li6PS5Cl", "aliases": ["LPSCl"]}],
    "facts": [
        {"kind": "spec", "subject": "FEST cell", "subject_org": "Factorial Energy", "quantity": "energy_density",
         "value": 375, "unit": "Wh/kg"},
        {"kind": "milestone", "subject": "Toyota", "date": "2026-Q3"},
        {"kind": "partnership", "orgs": ["BMW", "Solid Power"]},
        {"kind": "patent", "number": "CN118748295A"},
    ]}],
    "questions": [{"q": "Who?", "type": "Organization", "must": ["Samsung SDI", "Toyota"], "may": ["Honda"]}]}


@pytest.mark.parametrize("raw, folded", [("Samsung SDI Co.", "samsung sdi"), ("Li₆PS₅Cl", "li6ps5cl"),
                                         ("2,000 cells/month", "2000 cells/month"), ("Volkswagen Group", "volkswagen")])
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_alias_groups_merge_transitively():
    book = AliasGroups()
    book.add({"a", "b"})
    book.add({"c"})
    book.add({"b", "c"})
    assert book.same("A", "c") and not book.same("a", "d")


def test_matching_is_one_to_one_and_maximal():
    assert max_matching([1, 2], [1, 1, 2], lambda g, p: g == p) == (2, 1, 0)
    assert max_matching(["x", "y"], ["xy"], lambda g, p: g in p) == (1, 0, 1)


PRED = {"documents": [{"file": "a.txt",
                       "entities": [{"type": "Organization", "name": "Samsung"}],
                       "facts": [{"kind": "spec", "subject": "FEST", "subject_org": "Factorial", "quantity":
                                  "energy_density", "value": 376, "unit": "Wh/kg"},
                                 {"kind": "milestone", "subject": "Toyota", "date": "2026"},
                                 {"kind": "partnership", "orgs": ["Solid Power", "BMW"]},
                                 {"kind": "patent", "number": "CN 118748295 A"}]}]}


def test_extraction_scores_by_kind():
    scores = {(r.label, r.name): (r.tp, r.fp, r.fn) for r in score_extraction(GOLD, PRED).rows}
    assert scores[("entity", "Organization")] == (1, 0, 0)
    assert scores[("entity", "Material")] == (0, 0, 1)
    assert scores[("fact", "spec")] == (1, 0, 0)
    assert scores[("fact", "milestone")] == (0, 1, 1)
    assert scores[("fact", "partnership")] == (1, 0, 0) and scores[("fact", "patent")] == (1, 0, 0)


def test_mismatches_name_what_was_missed_and_what_is_spurious():
    found = {(m.label, m.name, m.side, m.item.get("subject") or m.item.get("name")) for m in mismatches(GOLD, PRED)}
    assert found == {("entity", "Material", "missed", "Li6PS5Cl"), ("fact", "milestone", "missed", "Toyota"),
                     ("fact", "milestone", "spurious", "Toyota")}
    scores = score_extraction(GOLD, PRED)
    assert len(mismatches(GOLD, PRED)) == sum(r.fp + r.fn for r in scores.rows if r.name != "ALL")


def test_answers_scored_by_must_and_may():
    result = score_answers(GOLD, {"Who?": ["Samsung", "Honda", "Nissan"]})
    assert result.recall == 0.5 and abs(result.precision - 2 / 3) < 1e-9


def _figures(text: str) -> list[str]:
    return re.findall(r"P=\d\.\d\d R=\d\.\d\d F1=\d\.\d\d\s+\(tp=\d+ fp=\d+ fn=\d+\)|F1=\d\.\d\d \(P=\d\.\d\d R=\d\.\d\d\)",
                      text)


@pytest.mark.slow
def test_kg_eval_agrees_with_reference_scorer(shared_dir, tmp_path):
    gold = shared_dir / "eval" / "gold.json"
    corpus = shared_dir / "corpus"
    store = tmp_path / "store"
    files = [str(corpus / d["file"]) for d in json.loads(gold.read_text())["documents"]]
    kg = [sys.executable, "-m", "kg.cli"]
    subprocess.run(kg + ["ingest", *files, "--store", str(store)], check=True, capture_output=True)
    export = tmp_path / "pred.json"
    subprocess.run(kg + ["export", "--format", "gold-json", "-o", str(export), "--store", str(store)], check=True,
                   capture_output=True)
    reference = subprocess.run([sys.executable, str(shared_dir / "eval" / "score.py"), "extraction", str(gold),
                                str(export)], check=True, capture_output=True, text=True).stdout
    ours = subprocess.run(kg + ["eval", str(gold), str(corpus)], check=True, capture_output=True, text=True).stdout
    assert _figures(ours) == _figures(reference) and len(_figures(ours)) >= 16


@pytest.mark.slow
def test_extraction_meets_the_quality_floor(shared_dir, tmp_path):
    """Targets of the extraction issue, as a floor: entity F1 ≥ 0.85, fact F1 ≥ 0.70, each kind P ≥ 0.75."""
    from kg.export import gold_json
    from kg.ingest import ingest
    from kg.store.embedded import EmbeddedStore

    gold = json.loads((shared_dir / "eval" / "gold.json").read_text())
    store = EmbeddedStore(tmp_path / "store")
    ingest(store, [shared_dir / "corpus" / d["file"] for d in gold["documents"]])
    scores = score_extraction(gold, gold_json(store))
    assert scores.total("entity").prf[2] >= 0.85
    assert scores.total("fact").prf[2] >= 0.70
    weak = {r.name: round(r.prf[0], 2) for r in scores.rows if r.label == "fact" and r.name != "ALL" and r.prf[0] < 0.75}
    assert not weak, f"fact kinds under precision 0.75: {weak}"
