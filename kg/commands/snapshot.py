"""`kg snapshot`, `kg import`, and `kg diff`: archive, share, compare and hand the graph on."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import JsonOption, StoreOption, UserError, _open, _print_json, app, err, out

LIVE = "live"


@app.command("snapshot")
def snapshot_command(output: Annotated[Path, typer.Option("-o", "--output", help="FILE.zip, or a folder.")],
                     store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Write the graph as a snapshot: nodes, relationships and evidence as sorted JSONL, plus a manifest."""
    from kg.snapshot import write_snapshot

    graph = _open(store)
    try:
        manifest = write_snapshot(graph, output)
    except OSError as exc:
        raise UserError(f"{output}: cannot write snapshot ({exc.strerror or exc})") from None
    finally:
        graph.close()
    if as_json:
        _print_json({"path": str(output), "counts": manifest["counts"]})
        return
    c = manifest["counts"]
    out.print(f"wrote {output}: {c['documents']} documents, {c['passages']} passages, {c['entities']} entities, "
              f"{c['facts']} facts", markup=False)


@app.command("import")
def import_command(path: Annotated[Path, typer.Argument(help="Snapshot zip or folder written by kg snapshot.")],
                   store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Load a snapshot into the store (empty or not): checked first, then merged document by document."""
    from kg.snapshot import SnapshotError, import_snapshot

    graph = _open(store)
    try:
        report = import_snapshot(path, graph)
    except SnapshotError as exc:
        raise UserError(str(exc)) from None
    finally:
        graph.close()
    if as_json:
        _print_json(report.to_dict())
        return
    out.print(f"imported {path}: {report.documents} documents, {report.passages} passages, {report.entities} "
              f"entities, {report.facts} facts", markup=False)
    if report.unreferenced_entities:
        err.print(f"warning: {len(report.unreferenced_entities)} entities no document refers to were not imported "
                  f"(e.g. {report.unreferenced_entities[0]})", markup=False)


@contextlib.contextmanager
def _side(name: str, store: str | None) -> Iterator:
    from kg.diff import snapshot_view, store_view
    from kg.snapshot import SnapshotError

    if name == LIVE:
        graph = _open(store)
        try:
            yield store_view(graph, LIVE)
        finally:
            graph.close()
        return
    try:
        with snapshot_view(name) as view:
            yield view
    except SnapshotError as exc:
        raise UserError(str(exc)) from None


@app.command("diff")
def diff_command(a: Annotated[str, typer.Argument(help="Old side: a snapshot zip/folder, or 'live'.")],
                 b: Annotated[str, typer.Argument(help="New side: a snapshot zip/folder, or 'live'.")],
                 store: StoreOption = None, as_json: JsonOption = False,
                 as_md: Annotated[bool, typer.Option("--md", help="Markdown output (the default).")] = False) -> None:
    """Facts and entities added, removed and changed from A to B, counts first; changes keep both quotes."""
    from kg.diff import diff_graphs, to_json, to_markdown

    if as_json and as_md:
        raise UserError("give --json or --md, not both")
    with _side(a, store) as old, _side(b, store) as new:
        result = diff_graphs(old, new)
    sys.stdout.write(to_json(result) + "\n" if as_json else to_markdown(result))


