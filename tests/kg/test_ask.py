"""Questions answered from a small corpus written for the test: each answer satisfies every constraint."""
import json
import subprocess
import sys

import pytest

from kg.ask import ask, format_quantity
from kg.ingest import ingest

DOCS = {
    "lines.md": """# Where the lines are

Pilot Lines (2026)
- Samsung SDI (South Korea): Sulfide-based, pilot line capable of ~2,000 cells/month. Targeting 2027 commercial production.
- ProLogium (Taiwan): Oxide-based, ~2 GWh/year pilot.
- Acme Cells (Germany): Sulfide-based, mass production line of 8 GWh/year since 2025.
- Brightvolt (Taiwan): Oxide-based, mass production line in Salzgitter.
""",
    "news.md": """---
published: 2026-03-01
---
# Partners and targets

Factorial Energy signed an MOU with Philenergy. Stellantis partnered with Factorial Energy on test vehicles.
Nissan targets commercialization in FY 2028–2029, while Honda plans mass production in 2027.
Factorial's FEST cells reach 375 Wh/kg and 600+ cycles.
Ampcera's pouch cell retains 88% of its capacity after 800 cycles, with a yield of 97%.
Idemitsu Kosan supplies lithium sulfide to Toyota from its 1,000 t/yr plant.
BYD disclosed the patent CN118748295A on a ceramic layer that evens stress during isostatic pressing.
Mercedes-Benz invested in Factorial Energy and holds a 12% stake in it.
The MG4 Anxin Edition with semi-solid cells was delivered to customers in 2025.
""",
}


def _ingested(tmp_path_factory, folder: str, docs: dict[str, str]):
    from kg.store.embedded import EmbeddedStore

    root = tmp_path_factory.mktemp(folder)
    for name, text in docs.items():
        (root / name).write_text(text, encoding="utf-8")
    store = EmbeddedStore(root / "store")
    ingest(store, [root / name for name in docs])
    return store


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    store = _ingested(tmp_path_factory, "ask", DOCS)
    yield store
    store.close()


def _answers(graph, question: str) -> list[str]:
    return [a.answer for a in ask(graph, question).answers]


@pytest.mark.parametrize("question, expected", [
    ("Who makes sulfide pilot lines?", ["Samsung SDI"]),
    ("Which companies operate oxide pilot lines?", ["ProLogium"]),
    ("Who runs sulfide mass production lines?", ["Acme Cells"]),
    # a region stands for its countries, and a site for its country
    ("Who runs mass production lines in Europe?", ["Acme Cells", "Brightvolt"]),
    ("Who runs mass production lines in Asia?", []),
    # a place named by its adjective
    ("Which European companies run mass production lines?", ["Acme Cells", "Brightvolt"]),
    ("Where are the European mass production lines?", ["Germany", "Salzgitter"]),
    ("Who partners with Factorial Energy?", ["Philenergy", "Stellantis", "Mercedes-Benz"]),
    ("Who invested in Factorial Energy?", ["Mercedes-Benz"]),
    ("Who has partnered with or invested in Factorial Energy?", ["Philenergy", "Stellantis", "Mercedes-Benz"]),
    ("What is Samsung SDI's pilot line capacity?", ["2,000 cells/month"]),
    ("Who supplies Toyota?", ["Idemitsu Kosan"]),
    ("Who is working on oxide electrolytes?", ["Brightvolt", "ProLogium"]),
    ("Which automakers have delivered cars with semi-solid batteries?", ["SAIC Motor"]),
    ("Which vehicles have been delivered with semi-solid batteries?", ["MG4 Anxin Edition"]),
    ("What is the energy density of Factorial's FEST cells?", ["375 Wh/kg"]),
    ("What is the capacity of Samsung SDI's pilot line?", ["2,000 cells/month"]),
    ("When does Nissan target commercialization?", ["2028"]),
    ("Which companies target 2027 for mass production?", ["Honda", "Samsung SDI"]),
    ("Who supplies lithium sulfide for Toyota?", ["Idemitsu Kosan"]),
    ("Which BYD patent addresses isostatic pressing?", ["CN118748295A"]),
    ("Which CN patent publications did BYD disclose?", ["CN118748295A"]),
    ("Which US patent publications did BYD disclose?", []),
    ("What energy density does Factorial claim for its FEST cells?", ["375 Wh/kg"]),
    # a measure with no spec kind of its own is found by its unit and its words
    ("What capacity retention does Ampcera's pouch cell achieve?", ["88%"]),
    ("What yield does Ampcera reach?", ["97%"]),
    ("What stake does Mercedes-Benz hold in Factorial Energy?", ["12%"]),
    # the kind of organisation asked for is a constraint on every answer
    ("Which carmakers invested in Factorial Energy?", ["Mercedes-Benz"]),
    ("Which battery makers partner with Factorial Energy?", ["Philenergy"]),
])
def test_answers_satisfy_the_question(graph, question, expected):
    assert sorted(_answers(graph, question)) == sorted(expected)


def test_every_answer_carries_a_quote_from_its_document(graph, tmp_path):
    result = ask(graph, "Who makes sulfide pilot lines?")
    evidence = result.answers[0].evidence[0]
    assert evidence.document == "lines.md"
    assert DOCS["lines.md"][evidence.start:evidence.end] == evidence.quote


@pytest.mark.parametrize("value, unit, value_max, text", [
    (2000, "cells/month", None, "2,000 cells/month"), (-70, "°C", -60, "-70°C to -60°C"), (375, "Wh/kg", None, "375 Wh/kg"),
    (0.0002, "S/cm", 0.0003, "2–3 × 10⁻⁴ S/cm"), (0.00025, "S/cm", None, "2.5 × 10⁻⁴ S/cm")])
def test_format_quantity(value, unit, value_max, text):
    assert format_quantity(value, unit, value_max) == text


def test_cli_ask_from_file_writes_one_json_object_per_line(graph, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("Who makes sulfide pilot lines?\nWho partners with Factorial Energy?\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kg.cli", "ask", "--from", str(questions), "--json", "--store",
                          str(graph.root)], capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions.read_text().split("\n")[:2]
    assert lines[0]["answers"][0]["evidence"][0]["quote"]


@pytest.mark.slow
def test_gold_questions_meet_targets(shared_dir, tmp_path):
    from kg.evaluate import score_answers
    from kg.store.embedded import EmbeddedStore

    gold = json.loads((shared_dir / "eval" / "gold.json").read_text())
    store = EmbeddedStore(tmp_path / "store")
    ingest(store, [shared_dir / "corpus" / d["file"] for d in gold["documents"]])
    answers = {q["q"]: [a.answer for a in ask(store, q["q"]).answers] for q in gold["questions"]}
    scores = score_answers(gold, answers)
    assert scores.recall >= 0.85 and scores.precision >= 0.80


OPEN_DOCS = {
    "sites.md": """---
published: 2025-06-01
---
# Nordic Cells opens a pilot line

Nordic Cells AB opened a pilot line for sulfide cells in Västerås, Sweden, in May 2025.
Maxell runs a demonstration line for oxide cells in Kyoto.
Umicore operates a pilot line for halide electrolytes in Olen.
""",
    "paper.md": """# A fast halide conductor (Li3YBr6)

Department of Physics, Kyoto University, Japan

Abstract

We report a halide electrolyte, Li3YBr6, with a new structure. It shows a conductivity of 3 mS/cm at 25 °C.

1. Introduction

Halides are stable against high-voltage cathodes; oxide garnets reach 0.5 mS/cm.
""",
}


@pytest.fixture(scope="module")
def open_graph(tmp_path_factory):
    store = _ingested(tmp_path_factory, "ask-open", OPEN_DOCS)
    yield store
    store.close()


@pytest.mark.parametrize("question, expected", [
    ("Where is Nordic Cells running its pilot line?", {"Västerås", "Sweden"}),
    ("Name the companies with pilot or demonstration lines in Japan.", {"Maxell"}),
    ("What conductivity does Li3YBr6 reach?", {"3 mS/cm"}),
])
def test_questions_phrased_beyond_the_intent_examples(open_graph, question, expected):
    assert set(_answers(open_graph, question)) == expected


PROCESS_DOCS = {
    "ampcera.md": """# Ampcera opens a pilot plant

Ampcera has opened a pilot plant for sulfide cells in Tucson.
In addition, warm isostatic pressing is applied to every stack, and the cathodes are made by tape casting.
Ampcera said the plant will ship samples in 2027.
""",
    "panasonic.md": """# Panasonic densifies its layers

Panasonic uses hot pressing for its oxide layers.
""",
}


@pytest.mark.parametrize("question, expected", [
    # a process named in a document about the organisation, in a sentence that names no organisation
    ("Which processes does Ampcera use?", ["tape casting", "warm isostatic pressing"]),
    # the kind of process asked about narrows the answer
    ("Which pressing processes are Ampcera and Panasonic using?", ["hot pressing", "warm isostatic pressing"]),
])
def test_processes_an_organisation_uses(tmp_path_factory, question, expected):
    store = _ingested(tmp_path_factory, "processes", PROCESS_DOCS)
    try:
        assert sorted(_answers(store, question)) == expected
    finally:
        store.close()


MATERIAL_DOCS = {
    "maxell.md": """# Maxell ships ceramic chip cells

Maxell chose a garnet oxide electrolyte for its chip cells. The cathode is lithium cobalt oxide.
""",
    "panasonic.md": """# Panasonic sulfide cells

Panasonic uses an argyrodite sulfide electrolyte in its prototype cells.
""",
}


@pytest.mark.parametrize("question, expected", [
    ("What electrolyte does Maxell's all-solid-state chip cell use?", {"garnet", "oxide"}),
    ("Which electrolyte does Panasonic use?", {"argyrodite"}),
])
def test_materials_an_organisation_uses_in_the_role_asked(tmp_path_factory, question, expected):
    store = _ingested(tmp_path_factory, "materials", MATERIAL_DOCS)
    try:
        answers = _answers(store, question)
        assert answers and all(any(word in a.lower() for word in expected) for a in answers)
    finally:
        store.close()
