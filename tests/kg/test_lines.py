"""The production-line register: one row per line across documents, never merging two sites."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.ingest import ingest
from kg.lines import CSV_COLUMNS, Mention, group_mentions, register, to_csv
from kg.provenance import Source

DOCS = {
    "first.md": """---
published: 2024-05-01
---
# Lines

QuantumScape operates a lithium-metal pilot line in San Jose producing 1,000 cells/week.

Toyota runs a sulfide pilot line at the Teiho plant.

Samsung SDI began operating its sulfide pilot line in Ulsan in March 2024.
""",
    "second.md": """---
published: 2025-09-01
---
# More lines

QuantumScape is building a second lithium-metal pilot line in Colorado.

Toyota expanded its sulfide pilot line.
""",
    "third.md": """---
published: 2025-10-01
---
# Capacity

QuantumScape expanded its San Jose pilot line to 2,000 cells/week.
""",
}


@pytest.fixture
def graph(store, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    assert not ingest(store, [docs]).failed
    return store


def _row(lines, company: str, site: str | None):
    return next(line for line in lines if line.company == company and line.site == site)


def _mention(site: str | None, chemistry: str = "sulfide", stage: str = "pilot", n: int = 0) -> Mention:
    source = Source("d.md", f"doc:{n}", "news", "2025-01-01", "quote", n, n + 5, f"fact:{n}")
    return Mention("Acme", "org:acme", site, None, chemistry, stage, None, source)


@pytest.mark.parametrize("mentions, groups", [
    ([_mention("Ulsan", n=1), _mention("Cheonan", n=2)], 2),
    ([_mention("Ulsan", n=1), _mention(None, n=2)], 1),
    ([_mention("Ulsan", n=1), _mention("Cheonan", n=2), _mention(None, n=3)], 3),
    ([_mention("Ulsan", n=1), _mention(None, chemistry="oxide", n=2)], 2),
    ([_mention("Ulsan", n=1), _mention(None, chemistry="unknown", n=2)], 1),
    ([_mention(None, n=1), _mention(None, n=2), _mention(None, stage="mass", n=3)], 2),
    ([_mention("Ulsan", n=1), _mention("ulsan", chemistry="unknown", n=2)], 1),
])
def test_grouping_never_merges_two_sites(mentions, groups):
    found = group_mentions(mentions)
    assert len(found) == groups
    assert all(len({m.site.lower() for m in g if m.site}) <= 1 for g in found)
    assert sorted(m.source.fact_id for g in found for m in g) == sorted(m.source.fact_id for m in mentions)


def test_two_sites_of_one_company_stay_two_lines(graph):
    lines = [line for line in register(graph) if line.company == "QuantumScape"]
    assert {line.site for line in lines} == {"San Jose", "Colorado"}
    assert all(line.country == "USA" for line in lines)


def test_mentions_of_one_site_merge_with_the_latest_capacity(graph):
    san_jose = _row(register(graph), "QuantumScape", "San Jose")
    assert {s.document for s in san_jose.sources} == {"first.md", "third.md"}
    assert san_jose.capacity == {"value": 2000.0, "unit": "cells/week"}
    assert {"value": 1000.0, "unit": "cells/week"} in san_jose.capacities
    assert san_jose.chemistry == "lithium-metal"


def test_a_siteless_mention_joins_the_companys_only_matching_line(graph):
    toyota = [line for line in register(graph) if line.company == "Toyota"]
    assert len(toyota) == 1
    assert toyota[0].site == "Teiho plant" and toyota[0].country == "Japan"
    assert len({s.document_id for s in toyota[0].sources}) == 2


@pytest.mark.parametrize("company, site, start, status", [
    ("Samsung SDI", "Ulsan", "2024-03", "operating"),
    ("QuantumScape", "Colorado", None, "under construction"),
])
def test_start_date_and_status(graph, company, site, start, status):
    line = _row(register(graph), company, site)
    assert (line.start_date, line.status) == (start, status)
    assert line.status_source is not None


@pytest.mark.parametrize("filters, companies", [
    ({"chemistry": "sulfide"}, {"Toyota", "Samsung SDI"}),
    ({"stage": "pilot", "org": "QuantumScape"}, {"QuantumScape"}),
    ({"org": "Samsung"}, {"Samsung SDI"}),
    ({"stage": "mass"}, set()),
])
def test_filters(graph, filters, companies):
    assert {line.company for line in register(graph, **filters)} == companies


def test_csv_has_one_row_per_line_with_quotes(graph):
    lines = register(graph)
    rows = list(csv.DictReader(io.StringIO(to_csv(lines))))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == len(lines)
    san_jose = next(r for r in rows if r["site"] == "San Jose")
    assert (san_jose["capacity"], san_jose["capacity_unit"], san_jose["sources"]) == ("2000", "cells/week", "2")
    assert "1,000 cells/week" in san_jose["quotes"] and "third.md" in san_jose["quotes"]


@pytest.mark.parametrize("flag", ["--json", "--csv"])
def test_cli_lines(graph, tmp_path, flag):
    from kg.cli import app
    from kg.commands import load_all

    load_all()
    graph.close()
    run = CliRunner().invoke(app, ["lines", "--chemistry", "sulfide", "--store", str(tmp_path / "store"), flag])
    assert run.exit_code == 0, run.output
    if flag == "--json":
        assert {row["company"] for row in json.loads(run.stdout)} == {"Toyota", "Samsung SDI"}
    else:
        assert run.stdout.splitlines()[0] == ",".join(CSV_COLUMNS)
