"""Analyst views on the command line: timeline, lines, patents, watch-lists and conflicts.

Each command is a thin shell over a library function (kg.timeline, kg.lines, kg.patents, kg.conflicts); every
row printed carries the quote and document behind it.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from kg.cli import JsonOption, StoreOption, UserError, _open, _print_json, app, out

watch_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                        help="Saved patent searches that report what is new since they last ran.")
app.add_typer(watch_app, name="watch")


def _quote(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _print_source(source, indent: str = "    ") -> None:
    dated = f", {source.published}" if source.published else ""
    out.print(f"{indent}\u201c{_quote(source.quote)}\u201d \u2014 {source.document} ({source.kind}{dated})",
              markup=False, style="dim")


def _check_date(value: str | None, option: str) -> None:
    from kg.timeline import check_date

    if value is None:
        return
    try:
        check_date(value)
    except ValueError:
        raise UserError(f"{option}: expected YYYY, YYYY-MM, YYYY-Qn or YYYY-MM-DD, got {value!r}") from None


@app.command()
def timeline(orgs: Annotated[Optional[list[str]], typer.Argument(help="Organisations (default: all).")] = None,
             start: Annotated[Optional[int], typer.Option("--from", help="First year shown.")] = None,
             end: Annotated[Optional[int], typer.Option("--to", help="Last year shown.")] = None,
             as_of: Annotated[Optional[str], typer.Option(
                 "--as-of", help="Date that decides what is overdue (default: today).")] = None,
             plot: Annotated[Optional[Path], typer.Option("--plot", help="Write a chart: FILE.png or .html.")] = None,
             store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Milestones per organisation, planned vs achieved, with slipped and overdue targets."""
    from kg.timeline import plot_timeline, timeline as build

    _check_date(as_of, "--as-of")
    if plot is not None and plot.suffix.lower() not in (".png", ".html", ".htm"):
        raise UserError(f"--plot: use a .png or .html file name, not {plot.name!r}")
    graph = _open(store)
    result = build(graph, orgs or None, start, end, as_of)
    graph.close()
    if plot is not None and result.lanes:
        try:
            plot_timeline(result, plot)
        except ImportError as exc:
            raise UserError(f"--plot needs matplotlib ({exc})") from None
        except OSError as exc:
            raise UserError(f"{plot}: cannot write ({exc.strerror})") from None
    if as_json:
        _print_json(result.to_dict())
        return
    if not result.lanes:
        out.print("no dated milestones" + (f" for {', '.join(orgs)}" if orgs else ""))
        return
    for lane, items in result.lanes.items():
        out.print(Text(lane, style="bold"))
        for item in items:
            flags = "".join(f"  [{f}]" for f, on in (("OVERDUE", item.overdue), ("moved later", item.superseded))
                            if on)
            mark = "\u25cf" if item.status == "achieved" else "\u25cb"
            out.print(Text(f"  {mark} {item.label:<12} {item.status:<8} {item.category:<15} {item.event}{flags}"))
            for source in item.sources:
                _print_source(source, "      ")
    if result.slips:
        out.print(Text("\nSlipped targets", style="bold"))
        for slip in result.slips:
            out.print(Text(f"  {slip.subject} {slip.category}: {slip.before.label} \u2192 {slip.after.label} "
                           f"({slip.shift})"))
            _print_source(slip.before_source)
            _print_source(slip.after_source)
    overdue = result.overdue
    out.print(Text(f"\n{len(overdue)} overdue as of {result.as_of}, {len(result.slips)} slipped"))
    if plot is not None:
        out.print(Text(f"wrote {plot}"))


@app.command()
def lines(chemistry: Annotated[Optional[str], typer.Option("--chemistry", help="sulfide, oxide, polymer")] = None,
          stage: Annotated[Optional[str], typer.Option("--stage", help="lab, pilot, demo, commercial, mass")] = None,
          org: Annotated[Optional[str], typer.Option("--org", help="Company name or alias.")] = None,
          as_csv: Annotated[bool, typer.Option("--csv", help="CSV output, one row per line.")] = False,
          store: StoreOption = None, as_json: JsonOption = False) -> None:
    """The production-line register: one row per line, merged across documents, with its sources."""
    from kg.lines import register, to_csv

    if as_csv and as_json:
        raise UserError("choose --json or --csv")
    graph = _open(store)
    rows = register(graph, chemistry=chemistry, stage=stage, org=org)
    graph.close()
    if as_json:
        _print_json([line.to_dict() for line in rows])
        return
    if as_csv:
        sys.stdout.write(to_csv(rows))
        return
    if not rows:
        out.print("no production line matches")
        return
    table = Table(title="production lines", title_justify="left")
    for column in ("company", "site", "country", "chemistry", "stage", "capacity", "start", "status", "sources"):
        table.add_column(column, justify="right" if column == "sources" else "left")
    for line in rows:
        table.add_row(*(Text(x) for x in (line.company, line.site or "", line.country or "", line.chemistry,
                                          line.stage, line.capacity_text, line.start_date or "", line.status,
                                          str(len({s.document_id for s in line.sources})))))
    out.print(table)
    for line in rows:
        out.print(Text(f"{line.company}{' @ ' + line.site if line.site else ''} ({line.stage}, {line.chemistry})",
                       style="bold"))
        for source in line.sources:
            _print_source(source)


def _print_patent(record) -> None:
    assignees = ", ".join(f"{a.name} ({a.raw})" if a.name and a.raw != a.name else (a.name or a.raw)
                          for a in record.assignees) or "assignee unknown"
    out.print(Text(f"{record.number}  [{record.jurisdiction}{', kind ' + record.kind_code if record.kind_code else ''}]"
                   f"  {assignees}", style="bold"))
    details = [("title", record.title), ("topic", None if record.title else (record.topics or [None])[0]),
               ("published", record.published), ("first reported", None if record.published else record.first_seen),
               ("priority", ", ".join(record.priority_dates)), ("CPC", ", ".join(record.cpc)),
               ("IPC", ", ".join(record.ipc)), ("family", record.family_id),
               ("materials", ", ".join(m["name"] for m in record.materials)),
               ("processes", ", ".join(p["name"] for p in record.processes))]
    for label, value in details:
        if value:
            out.print(Text(f"  {label}: {value}"))
    if record.context and not record.claim_1:
        out.print(Text(f"  context: {_quote(record.context[0], 300)}"))
    if record.claim_1:
        out.print(Text(f"  claim 1: {_quote(record.claim_1, 400)}"))
        if record.dependent_claims or len(record.independent_claims) > 1:
            out.print(Text(f"  + {len(record.independent_claims) - 1} other independent, "
                           f"{record.dependent_claims} dependent claims"))
    for source in record.sources:
        _print_source(source)


@app.command()
def patents(assignee: Annotated[Optional[str], typer.Option("--assignee", help="Company, alias or legal name.")] = None,
            topic: Annotated[Optional[str], typer.Option("--topic", help="Words that must all occur.")] = None,
            since: Annotated[Optional[str], typer.Option("--since", help="Published (or first reported) on or after.")
                             ] = None,
            cpc: Annotated[Optional[str], typer.Option("--cpc", help="CPC/IPC code prefix, e.g. H01M10/0562.")] = None,
            store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Patent records with normalised numbers and assignees, dates, classes, claims and the quotes behind them."""
    from kg.patents import patents as find

    _check_date(since, "--since")
    graph = _open(store)
    records = find(graph, assignee=assignee, topic=topic, since=since, cpc=cpc)
    graph.close()
    if as_json:
        _print_json([r.to_dict() for r in records])
        return
    if not records:
        out.print("no patent matches")
        return
    for record in records:
        _print_patent(record)
    out.print(Text(f"{len(records)} patent(s)"))


@watch_app.command("add")
def watch_add(name: Annotated[str, typer.Argument(help="Watch-list name.")],
              assignee: Annotated[Optional[str], typer.Option("--assignee")] = None,
              topic: Annotated[Optional[str], typer.Option("--topic")] = None,
              cpc: Annotated[Optional[str], typer.Option("--cpc")] = None,
              replace: Annotated[bool, typer.Option("--replace", help="Overwrite a watch-list of that name.")] = False,
              store: StoreOption = None) -> None:
    """Save a patent search; `kg watch run NAME` then reports what is new each time."""
    from kg.patents import WatchError, add_watch

    graph = _open(store)
    try:
        add_watch(graph, name, assignee=assignee, topic=topic, cpc=cpc, replace=replace)
    except WatchError as exc:
        raise UserError(str(exc)) from None
    finally:
        graph.close()
    out.print(Text(f"watch-list {name} saved"))


@watch_app.command("list")
def watch_list(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Saved watch-lists with their filters and when they last ran."""
    from kg.patents import list_watches

    graph = _open(store)
    watches = list_watches(graph)
    graph.close()
    if as_json:
        _print_json(watches)
        return
    if not watches:
        out.print("no watch-lists (add one with kg watch add NAME --assignee \u2026)")
        return
    table = Table(title="watch-lists", title_justify="left")
    for column in ("name", "assignee", "topic", "cpc", "last run", "reported"):
        table.add_column(column)
    for w in watches:
        table.add_row(*(Text(str(x or "")) for x in (w["name"], w["assignee"], w["topic"], w["cpc"], w["last_run"],
                                                     w["seen"])))
    out.print(table)


@watch_app.command("run")
def watch_run(name: Annotated[str, typer.Argument(help="Watch-list name.")],
              store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Patents matching the watch-list that it has not reported before, with their quotes."""
    from kg.patents import WatchError, run_watch

    graph = _open(store)
    try:
        result = run_watch(graph, name)
    except WatchError as exc:
        raise UserError(str(exc)) from None
    finally:
        graph.close()
    if as_json:
        _print_json(result.to_dict())
        return
    since = f"since {result.previous_run}" if result.previous_run else "(first run)"
    out.print(Text(f"{name}: {len(result.new)} new {since}, {result.known} already reported", style="bold"))
    for record in result.new:
        _print_patent(record)


@watch_app.command("remove")
def watch_remove(name: Annotated[str, typer.Argument(help="Watch-list name.")], store: StoreOption = None) -> None:
    """Delete a watch-list and what it remembered."""
    from kg.patents import WatchError, remove_watch

    graph = _open(store)
    try:
        remove_watch(graph, name)
    except WatchError as exc:
        raise UserError(str(exc)) from None
    finally:
        graph.close()
    out.print(Text(f"watch-list {name} removed"))


@app.command()
def conflicts(min_support: Annotated[int, typer.Option(
                  "--min-support", min=2, help="List statements backed by at least this many documents.")] = 2,
              store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Claims that disagree across sources (values beyond tolerance, dates), and the best-corroborated ones."""
    from kg.conflicts import conflicts as find, corroborated

    graph = _open(store)
    found = find(graph)
    supported = corroborated(graph, min_support)
    graph.close()
    if as_json:
        _print_json({"conflicts": [c.to_dict() for c in found], "corroborated": [s.to_dict() for s in supported]})
        return
    out.print(Text(f"{len(found)} conflicting claim(s)", style="bold"))
    for conflict in found:
        out.print(Text(f"\n{conflict.subject} \u2014 {conflict.what}: "
                       + " vs ".join(side.value for side in conflict.sides) + f" ({conflict.difference})"))
        for side in conflict.sides:
            out.print(Text(f"  {side.value}:"))
            for source in side.sources:
                _print_source(source)
    out.print(Text(f"\n{len(supported)} statement(s) backed by {min_support}+ independent documents", style="bold"))
    for support in supported:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(support.kinds.items()))
        out.print(Text(f"  {support.statement}  ({support.documents} documents: {kinds})"))
        for source in support.sources:
            _print_source(source, "      ")
