"""Conflicting claims across documents, and corroboration counted over independent documents."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.conflicts import Interval, conflicts, corroborated, corroboration, disagree, interval, tolerance
from kg.ingest import ingest

FIRST = """---
published: 2025-01-10
kind: news
---
# Claims

Toyota claims a range of 1,200 km for its solid-state EV.

Factorial Energy says its FEST cells reach 375 Wh/kg.

Samsung SDI plans mass production in 2027.
"""

SECOND = """---
published: 2025-03-01
kind: paper
---
# Other claims

Toyota promises a range of 1,000 km for its solid-state EV.

Factorial Energy says its FEST cells reach 370 Wh/kg.

Samsung SDI plans mass production in 2029.
"""

SELF_CONSISTENT = """---
published: 2025-04-01
---
# One source, two conditions

Toyota claims a range of 1,200 km for its solid-state EV. Toyota expects a range of 800 km in winter.
"""


@pytest.fixture
def graph(store, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "first.md").write_text(FIRST, encoding="utf-8")
    (docs / "second.md").write_text(SECOND, encoding="utf-8")
    assert not ingest(store, [docs]).failed
    return store


@pytest.mark.parametrize("a, b, unit, expected", [
    ({"value": 400, "unit": "Wh/kg"}, {"value": 350, "unit": "Wh/kg"}, "Wh/kg", True),
    ({"value": 375, "unit": "Wh/kg"}, {"value": 370, "unit": "Wh/kg"}, "Wh/kg", False),
    ({"value": 400, "unit": "Wh/kg", "comparator": ">"}, {"value": 450, "unit": "Wh/kg"}, "Wh/kg", False),
    ({"value": 600, "unit": "cycles", "comparator": "+"}, {"value": 400, "unit": "cycles"}, "cycles", True),
    ({"value": 100, "unit": "cells/month", "comparator": "~"}, {"value": 118, "unit": "cells/month"},
     "cells/month", False),
    ({"value": 25, "unit": "°C"}, {"value": 28, "unit": "°C"}, "°C", False),
    ({"value": 25, "unit": "°C"}, {"value": 40, "unit": "°C"}, "°C", True),
    ({"value": 0.012, "unit": "S/cm"}, {"value": 12, "unit": "mS/cm"}, "mS/cm", False),
    ({"value": 10, "value_max": 12, "unit": "mS/cm"}, {"value": 12.5, "unit": "mS/cm"}, "mS/cm", False),
])
def test_disagreement_beyond_the_units_tolerance(a, b, unit, expected):
    assert disagree(interval(a, unit), interval(b, unit), unit) is expected


def test_comparators_open_the_interval():
    assert interval({"value": 600, "unit": "cycles", "comparator": "+"}, "cycles") == Interval(600, math.inf)
    assert interval({"value": 10, "unit": "ppm", "comparator": "<"}, "ppm").low == -math.inf


def test_tolerances_come_from_the_schema():
    assert tolerance("Wh/kg") == (0.05, 0.0) and tolerance("°C")[1] == 5.0
    assert tolerance("no-such-unit") == tolerance("")


def test_two_documents_that_disagree_are_a_conflict_with_both_quotes(graph):
    (conflict,) = [c for c in conflicts(graph) if c.kind == "spec"]
    assert (conflict.subject, conflict.what, conflict.subject_key) == ("Toyota", "range", "org:toyota")
    assert sorted(side.value for side in conflict.sides) == ["1,000 km", "1,200 km"]
    quotes = {side.value: side.sources[0] for side in conflict.sides}
    assert "1,200 km" in quotes["1,200 km"].quote and quotes["1,200 km"].document == "first.md"
    assert quotes["1,000 km"].document == "second.md" and quotes["1,000 km"].kind == "paper"


def test_values_within_tolerance_are_not_a_conflict(graph):
    assert not [c for c in conflicts(graph) if c.what == "energy_density"]


def test_milestones_of_one_event_dated_apart_are_a_conflict(graph):
    (conflict,) = [c for c in conflicts(graph) if c.kind == "milestone"]
    assert (conflict.subject, conflict.what) == ("Samsung SDI", "mass_production (planned)")
    assert [side.value for side in conflict.sides] == ["2027", "2029"]
    assert conflict.difference == "+2 years"


def test_different_values_in_one_document_are_not_a_conflict(store, tmp_path):
    path = tmp_path / "one.md"
    path.write_text(SELF_CONSISTENT, encoding="utf-8")
    ingest(store, [path])
    assert conflicts(store) == []


def test_corroboration_counts_independent_documents_and_their_kinds(graph, tmp_path):
    copy = tmp_path / "copy" / "first-again.md"
    copy.parent.mkdir()
    copy.write_text(FIRST, encoding="utf-8")
    ingest(graph, [copy])
    assert len(graph.documents()) == 3
    support = corroboration(graph)
    fest = [s for s in support.values() if s.kind == "spec" and "FEST" in s.statement]
    assert fest and all(s.documents == 2 and s.kinds == {"news": 1, "paper": 1} for s in fest)
    toyota = [s for s in support.values() if s.kind == "spec" and s.statement.startswith("Toyota")]
    assert toyota and all(s.documents == 1 for s in toyota)
    best = corroborated(graph)
    assert any("FEST" in s.statement for s in best)
    assert all(s.documents >= 2 for s in best)


def test_cli_conflicts_json(graph, tmp_path):
    from kg.cli import app
    from kg.commands import load_all

    load_all()
    graph.close()
    run = CliRunner().invoke(app, ["conflicts", "--json", "--store", str(tmp_path / "store")])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert {c["kind"] for c in data["conflicts"]} == {"spec", "milestone"}
    assert all(side["sources"][0]["quote"] for c in data["conflicts"] for side in c["sides"])
    assert any("FEST" in s["statement"] for s in data["corroborated"])
