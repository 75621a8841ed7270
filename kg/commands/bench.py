"""`kg bench`: speed and scale figures in one run (see kg.bench)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from kg.cli import _print_json, app, err, out


@app.command()
def bench(docs: Annotated[str, typer.Option("--docs", help="Corpus sizes, e.g. 100 or 100,1000,10000.")] = "100",
          source: Annotated[Optional[Path], typer.Option("--source", help="Folder of texts to recombine.")] = None,
          workers: Annotated[int, typer.Option("--workers", min=1)] = 1,
          embed: Annotated[bool, typer.Option("--embed/--no-embed", help="Include the embedding stage.")] = True,
          plot_path: Annotated[Optional[Path], typer.Option("--plot", help="Write a PNG of cost vs N.")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Throughput per stage, end-to-end vs the embedding ceiling, ask/search latency, memory and disk."""
    from kg.bench import plot, run_bench

    try:
        sizes = [int(x) for x in docs.split(",") if x.strip()]
    except ValueError:
        from kg.cli import UserError

        raise UserError(f"--docs expects numbers such as 100,1000 (got {docs!r})") from None
    default_source = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    results = []
    for n in sizes:
        results.append(run_bench(n, source or (default_source if default_source.exists() else None), workers,
                                 embed, progress=lambda message, n=n: err.print(f"[dim]N={n}: {message}[/dim]")))
    if as_json:
        _print_json([r.to_dict() for r in results])
    else:
        for result in results:
            table = Table(title=f"{result.documents} documents, {result.words:,} words, {result.passages:,} passages")
            for column in ("stage", "seconds", "words/s", "docs/s"):
                table.add_column(column, justify="right" if column != "stage" else "left")
            for stage in result.stages:
                table.add_row(stage.name, f"{stage.seconds:.2f}", f"{stage.words_per_second:,.0f}",
                              f"{stage.documents_per_second:,.1f}")
            out.print(table)
            ratio = result.to_dict().get("end_to_end_vs_embedding")
            if ratio is not None:
                out.print(f"end-to-end speed as a share of the embedding stage alone: {ratio:.0%}")
            out.print("latency (ms): " + ", ".join(f"{k} p50 {v['p50']} / p95 {v['p95']}"
                                                   for k, v in result.latency_ms.items()))
            out.print(f"peak memory: end-to-end ingest {result.ingest_memory_mb} MB (its own process), whole bench "
                      f"{result.peak_memory_mb} MB; store {result.store_mb} MB on disk")
    if plot_path:
        plot(results, plot_path)
        err.print(f"wrote {plot_path}")
