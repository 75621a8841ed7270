"""Timelines: planned vs achieved per organisation, slipped targets between documents, overdue targets."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.ingest import ingest
from kg.timeline import check_date, plot_timeline, shift_months, timeline, window

EARLY = """---
published: 2024-03-01
---
# Solid-state roadmap

Toyota targets mass production of sulfide solid-state batteries in 2027.

Nissan plans to start a pilot line in 2024.

Samsung SDI plans to begin sampling in 2024.
"""

LATE = """---
published: 2025-06-01
---
# Solid-state update

Toyota now targets mass production of solid-state batteries in 2027-2028.

Samsung SDI began sampling in March 2025.

Honda began a demonstration line in January 2025.
"""


@pytest.fixture
def graph(store, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "early.md").write_text(EARLY, encoding="utf-8")
    (docs / "late.md").write_text(LATE, encoding="utf-8")
    assert not ingest(store, [docs]).failed
    return store


def _items(result, lane: str) -> list:
    return result.lanes.get(lane, [])


@pytest.mark.parametrize("before, after, expected", [
    (("2027", None), ("2027", "2028"), (0, 12)),
    (("2025", None), ("2026", None), (12, 12)),
    (("2026", None), ("2026-Q3", None), (0, 0)),
    (("2026-03", None), ("2026-09", None), (6, 6)),
    (("2026-Q1", None), ("2026-Q2", None), (3, 3)),
])
def test_shift_is_measured_at_the_coarser_precision(before, after, expected):
    assert shift_months(window(*before), window(*after)) == expected


@pytest.mark.parametrize("value, ok", [("2026", True), ("2026-Q3", True), ("2026-06-01", True),
                                       ("2026-13", False), ("2026-02-30", False), ("June 2026", False)])
def test_check_date(value, ok):
    if ok:
        assert check_date(value) == value
    else:
        with pytest.raises(ValueError):
            check_date(value)


def test_planned_and_achieved_are_kept_apart_with_quotes_and_dates(graph):
    result = timeline(graph, as_of="2025-07-01")
    samsung = {(m.status, m.category, m.date) for m in _items(result, "Samsung SDI")}
    assert samsung == {("planned", "sampling", "2024"), ("achieved", "sampling", "2025-03")}
    honda = _items(result, "Honda")[0]
    assert honda.status == "achieved" and honda.sources[0].published == "2025-06-01"
    assert "Honda began a demonstration line" in honda.sources[0].quote


def test_a_later_document_moving_the_target_is_a_slip_with_both_quotes(graph):
    result = timeline(graph, as_of="2025-07-01")
    (slip,) = result.slips
    assert (slip.subject, slip.category) == ("Toyota", "mass_production")
    assert (slip.before.date, slip.before.date_end) == ("2027", None)
    assert (slip.after.date, slip.after.date_end) == ("2027", "2028")
    assert slip.shift_months == 12 and slip.shift == "+1 year"
    assert "in 2027." in slip.before_source.quote and "2027-2028" in slip.after_source.quote
    assert slip.before_source.published < slip.after_source.published
    assert slip.before.superseded and not slip.before.overdue


@pytest.mark.parametrize("as_of, overdue", [
    ("2025-07-01", {("Nissan", "pilot_line", "2024")}),
    ("2024-06-01", set()),
])
def test_overdue_targets_relative_to_the_as_of_date(graph, as_of, overdue):
    result = timeline(graph, as_of=as_of)
    assert {(m.subject, m.category, m.date) for m in result.overdue} == overdue


def test_a_target_met_late_is_not_overdue(graph):
    result = timeline(graph, as_of="2026-01-01")
    planned = [m for m in _items(result, "Samsung SDI") if m.status == "planned"]
    assert planned and not any(m.overdue for m in planned)


@pytest.mark.parametrize("orgs, start, end, lanes", [
    (["Toyota"], None, None, {"Toyota"}),
    (["Toyota Motor Corporation", "honda"], None, None, {"Toyota", "Honda"}),
    (None, 2027, None, {"Toyota"}),
    (None, None, 2024, {"Nissan", "Samsung SDI"}),
])
def test_filters_by_organisation_and_years(graph, orgs, start, end, lanes):
    assert set(timeline(graph, orgs, start, end, as_of="2025-07-01").lanes) == lanes


@pytest.mark.parametrize("name, magic", [("chart.png", b"\x89PNG"), ("chart.html", b"<!doctype html>")])
def test_plot_writes_a_chart(graph, tmp_path, name, magic):
    path = plot_timeline(timeline(graph, as_of="2025-07-01"), tmp_path / name)
    data = path.read_bytes()
    assert data.startswith(magic)
    if name.endswith(".html"):
        text = data.decode("utf-8")
        assert "<svg" in text and "Toyota now targets mass production" in text


def test_cli_timeline_json_and_plot(graph, tmp_path):
    from kg.cli import app
    from kg.commands import load_all

    load_all()
    graph.close()
    png = tmp_path / "t.png"
    run = CliRunner().invoke(app, ["timeline", "Toyota", "--store", str(tmp_path / "store"), "--as-of", "2025-07-01",
                                   "--plot", str(png), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert list(data["lanes"]) == ["Toyota"] and data["slips"][0]["shift"] == "+1 year"
    assert png.read_bytes().startswith(b"\x89PNG")
