"""`kg`: a thin command line over the library. User errors become one clean line here and nowhere else.

Heavy libraries (spaCy, torch, sentence-transformers) are imported inside the commands that need them, so
`kg --help`, `kg stats` and `kg show` answer at once.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Solid-state battery knowledge graph: ingest papers, patents and news; query with evidence.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

StoreOption = Annotated[Optional[str], typer.Option(
    "--store", help="Store folder or neo4j:// URI (default: $KG_STORE, $NEO4J_URI, or ./.kg).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


class UserError(Exception):
    """A problem the user can fix; shown as one line without a traceback."""


def _open(store: str | None):
    from kg.store import open_store

    try:
        return open_store(store)
    except Exception as exc:
        raise UserError(f"cannot open store {store or ''}: {exc}".replace("  ", " ")) from None


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="Files and folders to ingest.")],
           store: StoreOption = None,
           workers: Annotated[int, typer.Option("--workers", min=1, help="Parallel reader processes.")] = 1,
           no_embed: Annotated[bool, typer.Option(
               "--no-embed", help="Skip passage embeddings (kg search computes missing ones first).")] = False,
           strict: Annotated[bool, typer.Option(
               "--strict", help="Exit 1 when a component failed on a passage (the file is still ingested).")] = False,
           debug: Annotated[bool, typer.Option(
               "--debug", help="Print the traceback of each component failure (also KG_DEBUG=1).")] = False) -> None:
    """Read, extract and store documents; unchanged files are skipped, changed ones replaced.

    Passage embeddings for semantic search are computed at the end, once per distinct passage text. A component
    that fails on one passage costs that passage's output from it: one warning line, the file is still ingested.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.ingest import collect_files, ingest as run_ingest

    graph = _open(store)
    files, _ = collect_files(paths)
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def tick(result) -> None:
            progress.update(task, advance=1, description=f"ingesting {Path(result.path).name[:40]}")

        report = run_ingest(graph, paths, workers=workers, progress=tick)
    if not no_embed:
        from kg.embeddings import EmbeddingsUnavailable

        try:
            _embed_missing(graph)
        except EmbeddingsUnavailable as exc:
            err.print(f"warning: passages not embedded, kg search will use keywords only ({exc})", markup=False)
    debug = debug or os.environ.get("KG_DEBUG", "") not in ("", "0")
    for result in report.results:
        if result.status in ("failed", "skipped"):
            err.print(f"{result.status}: {result.path}: {result.problem}", markup=False)
        for incident in result.incidents:
            err.print(f"warning: {incident.line(result.path)}", markup=False)
            if debug:
                err.print(incident.traceback.rstrip(), markup=False)
    table = Table(title="ingest summary")
    for column in ("added", "updated", "unchanged", "skipped", "failed", "warnings", "facts"):
        table.add_column(column, justify="right")
    table.add_row(*(str(report.count(s)) for s in ("added", "updated", "unchanged", "skipped", "failed")),
                  str(report.incidents), str(sum(r.facts for r in report.results)))
    out.print(table)
    graph.close()
    if report.failed or (strict and report.incidents):
        raise typer.Exit(1)


def _embed_missing(graph) -> int:
    """Embed passages that have no vector yet, with a progress bar shown only when there is work."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.search import ensure_embeddings

    progress = Progress(TextColumn("embedding passages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True)
    tasks: list = []

    def tick(done: int, total: int) -> None:
        if not tasks:
            progress.start()
            tasks.append(progress.add_task("embedding", total=total))
        progress.update(tasks[0], completed=done)

    try:
        return ensure_embeddings(graph, progress=tick)
    finally:
        if tasks:
            progress.stop()


@app.command()
def stats(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Counts of documents, passages, entities per type and facts per kind."""
    graph = _open(store)
    data = graph.stats()
    graph.close()
    if as_json:
        _print_json(data)
        return
    out.print(f"documents: {data['documents']}   passages: {data['passages']}")
    for title, counts in (("entities", data["entities"]), ("facts", data["facts"])):
        table = Table(title=title)
        table.add_column("type" if title == "entities" else "kind")
        table.add_column("count", justify="right")
        for name, count in counts.items():
            table.add_row(name, str(count))
        out.print(table)


@app.command()
def show(entity: Annotated[str, typer.Argument(help="Entity name, alias or key.")],
         store: StoreOption = None, as_json: JsonOption = False) -> None:
    """An entity with its aliases and every fact about it, each with its quote and source."""
    from kg.views import entity_card

    graph = _open(store)
    card = entity_card(graph, entity)
    graph.close()
    if card is None:
        raise UserError(f"no entity matches {entity!r}")
    if as_json:
        _print_json(card)
        return
    out.print(f"[bold]{card['name']}[/bold] ({card['type']}, {card['key']})")
    if card["aliases"]:
        out.print("aliases: " + ", ".join(card["aliases"]), markup=False)
    for fact in card["facts"]:
        slots = ", ".join(f"{k}={v}" for k, v in fact["slots"].items() if v not in (None, "", []))
        out.print(f"- {fact['kind']}: {slots}", markup=False)
        out.print(f"    \u201c{fact['quote']}\u201d \u2014 {fact['document']}", markup=False, style="dim")


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", help="gold-json, graphml, csv (neo4j-admin import) or jsonl.")]
           = "gold-json",
           output: Annotated[Optional[Path], typer.Option("-o", "--output",
                                                          help="Output file; a folder for csv; stdout for gold-json.")]
           = None,
           store: StoreOption = None) -> None:
    """Write the graph for other tools: the evaluation gold shape, GraphML, neo4j-admin CSV or JSONL."""
    from kg import export as exports

    if fmt not in ("gold-json", "graphml", "csv", "jsonl"):
        raise UserError(f"unknown export format {fmt!r} (gold-json, graphml, csv or jsonl)")
    if fmt != "gold-json" and output is None:
        raise UserError(f"--format {fmt} needs -o PATH")
    graph = _open(store)
    try:
        if fmt == "gold-json":
            text = json.dumps(exports.gold_json(graph), ensure_ascii=False, indent=1)
            if output is None:
                sys.stdout.write(text + "\n")
            else:
                output.write_text(text + "\n", encoding="utf-8")
                err.print(f"wrote {output}")
            return
        writer = {"graphml": exports.export_graphml, "csv": exports.export_csv, "jsonl": exports.export_jsonl}[fmt]
        counts = writer(graph, output)
    except OSError as exc:
        raise UserError(f"{output}: cannot write ({exc.strerror or exc})") from None
    finally:
        graph.close()
    err.print(f"wrote {output}: " + ", ".join(f"{v} {k}" for k, v in counts.items()), markup=False)
    if fmt == "csv":
        err.print("load into an empty Neo4j with: " + exports.neo4j_admin_command(output), markup=False)


@app.command()
def ask(question: Annotated[Optional[str], typer.Argument(help="The question.")] = None,
        from_file: Annotated[Optional[Path], typer.Option("--from", help="Questions, one per line.")] = None,
        store: StoreOption = None, as_json: JsonOption = False,
        limit: Annotated[int, typer.Option("--limit", min=1, help="Most answers per question.")] = 20) -> None:
    """Answer questions from the graph, each answer with the quotes that support it."""
    from kg.ask import ask as answer

    if (question is None) == (from_file is None):
        raise UserError("give a QUESTION or --from FILE (not both)")
    if from_file is not None:
        try:
            questions = [line.strip() for line in from_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{from_file}: cannot read questions ({exc})") from None
    else:
        questions = [question]
    graph = _open(store)
    for text in questions:
        result = answer(graph, text, limit=limit)
        if as_json:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            continue
        out.print(f"[bold]{text}[/bold]  [dim]({result.intent})[/dim]")
        if not result.answers:
            out.print("  no supported answer in the graph")
        for item in result.answers:
            out.print(f"  {item.answer}  [dim]score {item.score:.2f}, {len(item.evidence)} quote(s)[/dim]")
            for ev in item.evidence[:3]:
                out.print(f"    \u201c{ev.quote}\u201d \u2014 {ev.document}", markup=False, style="dim")
    graph.close()


@app.command()
def search(query: Annotated[str, typer.Argument(help="Words, a phrase or a question.")],
           k: Annotated[int, typer.Option("--k", min=1, help="Number of passages.")] = 10,
           mode: Annotated[str, typer.Option("--mode", help="hybrid, vector or keyword.")] = "hybrid",
           store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Passages matching QUERY by meaning and by keywords, each with the facts it states."""
    from kg import search as searching
    from kg.embeddings import EmbeddingsUnavailable

    run = {"hybrid": searching.hybrid_search, "vector": searching.vector_search,
           "keyword": searching.keyword_search}.get(mode)
    if run is None:
        raise UserError(f"unknown search mode {mode!r} (hybrid, vector or keyword)")
    if not query.strip():
        raise UserError("empty query")
    graph = _open(store)
    try:
        if mode != "keyword":
            _embed_missing(graph)
        hits = run(graph, query, k=k)
    except EmbeddingsUnavailable as exc:
        err.print(f"warning: keyword search only ({exc})", markup=False)
        hits = searching.keyword_search(graph, query, k=k)
    graph.close()
    if as_json:
        _print_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        out.print("no matching passage")
        return
    table = Table(title=Text(f"{mode} search: {query}"), title_justify="left")
    table.add_column("score", justify="right")
    table.add_column("document", max_width=24, no_wrap=True, overflow="ellipsis")
    table.add_column("quote", ratio=1)
    table.add_column("facts", max_width=18)
    for hit in hits:
        quote = hit.quote if len(hit.quote) <= 200 else hit.quote[:199] + "\u2026"
        table.add_row(f"{hit.score:.4f}", Text(hit.document), Text(quote), ", ".join(f.kind for f in hit.facts))
    out.print(table)


@app.command("eval")
def evaluate(gold: Annotated[Path, typer.Argument(help="Gold annotations (GOLD-FORMAT.md).")],
             corpus: Annotated[Path, typer.Argument(help="The corpus folder the gold annotates.")],
             qa: Annotated[bool, typer.Option("--qa", help="Also answer the gold questions and score them.")] = False,
             errors: Annotated[str | None, typer.Option(
                 "--errors", help="List missed and spurious items of these kinds/types (comma-separated, or all).")
             ] = None,
             as_json: JsonOption = False) -> None:
    """Ingest CORPUS into a temporary store, score it against GOLD, print P/R/F1 per type and kind."""
    import tempfile

    from kg.evaluate import score_extraction
    from kg.export import gold_json
    from kg.ingest import ingest as run_ingest
    from kg.store.embedded import EmbeddedStore

    try:
        gold_data = json.loads(gold.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{gold}: cannot read gold file ({exc})") from None
    if not corpus.is_dir():
        raise UserError(f"{corpus}: not a folder")
    files = {d["file"] for d in gold_data.get("documents", [])}
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        graph = EmbeddedStore(tmp)
        run_ingest(graph, [corpus / name for name in sorted(files) if (corpus / name).exists()])
        predicted = gold_json(graph)
        scores = score_extraction(gold_data, predicted)
        qa_scores = None
        if qa and gold_data.get("questions"):
            from kg.ask import ask as answer
            from kg.evaluate import score_answers

            answers = {q["q"]: [a.answer for a in answer(graph, q["q"]).answers] for q in gold_data["questions"]}
            qa_scores = score_answers(gold_data, answers)
        graph.close()
    if as_json:
        data = scores.as_dict()
        if qa_scores is not None:
            data["qa"] = {"recall": qa_scores.recall, "precision": qa_scores.precision}
        _print_json(data)
        return
    if errors:
        from kg.evaluate import mismatches

        wanted = {w.strip() for w in errors.split(",")}
        for miss in mismatches(gold_data, predicted):
            if "all" in wanted or miss.name in wanted:
                sys.stdout.write(f"{miss.label} {miss.name}: {miss.line()}\n")
    if qa_scores is not None:
        sys.stdout.write(qa_scores.report() + "\n")
    sys.stdout.write(scores.report() + "\n")


def main() -> None:
    from kg.commands import load_all

    load_all()
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except UserError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(2)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", None)
        sys.exit(code if code is not None else getattr(exc, "code", 0))
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:
        # typer ≥ 0.29 vendors click: its usage errors derive from TyperException, not click's classes.
        import click

        if isinstance(exc, (click.ClickException, typer.exceptions.TyperException)) and hasattr(exc, "show"):
            exc.show()
            sys.exit(getattr(exc, "exit_code", 2))
        raise


if __name__ == "__main__":
    from kg.cli import main as registered_main  # the module the command modules register on

    registered_main()
