"""`kg fetch …`: pull papers, patents and news from public APIs into the graph.

Each subcommand builds one connector, streams its records into `kg.fetch.ingest_records` (so what was stored
survives an interruption) and prints the same summary as `kg ingest`. Raw payloads go to the cache first, so
`--offline` re-parses the last fetch and `--offline --force` re-extracts it after a parser change.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Optional

import typer

from kg.cli import StoreOption, UserError, _open, app, err, out

fetch_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                        help="Fetch papers (arXiv, Crossref, OpenAlex), patents (EPO OPS) and news (RSS).")
app.add_typer(fetch_app, name="fetch")

QueryOption = Annotated[Optional[str], typer.Option("--query", metavar="TEXT", help="Search query.")]
MaxOption = Annotated[int, typer.Option("--max", min=1, metavar="N", help="Most records to fetch.")]
SinceOption = Annotated[Optional[str], typer.Option(
    "--since", metavar="DATE", help="Only items published on or after DATE (YYYY-MM-DD).")]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Use cached payloads only; never touch the network.")]
RefreshOption = Annotated[bool, typer.Option("--refresh", help="Ignore cached payloads and ask the API again.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Re-extract records even when the payload is unchanged.")]
NoEmbedOption = Annotated[bool, typer.Option("--no-embed", help="Skip passage embeddings.")]


def _connect(cls: type, **kwargs: Any):
    """The connector for a run; tests replace this to inject a MockTransport and a fake sleep."""
    from pipelines.connectors.base import connect

    return connect(cls, **kwargs)


def _since(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--since expects a date such as 2025-01-31 (got {value!r})") from None


def _run(name: str, *, text: str | None, ids: list[str] | None, since: str | None, limit: int, store: str | None,
         offline: bool, refresh: bool, force: bool, no_embed: bool, **options: Any) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.cli import _embed_missing
    from kg.fetch import ingest_records
    from kg.ingest import IngestReport
    from kg.store import store_location
    from pipelines.connectors import Query, connector_class
    from pipelines.connectors.base import ConnectorError
    from pipelines.connectors.cache import Cache, default_cache_dir

    if bool(text) == bool(ids):
        raise UserError("give --query or identifiers (not both)")
    query = Query(text=text or None, ids=tuple(ids or ()), since=_since(since), limit=limit)
    location = store_location(store)
    graph = _open(store)
    connector = _connect(connector_class(name), cache=Cache(default_cache_dir(location)), offline=offline,
                         refresh=refresh, **options)
    report = IngestReport()
    problem: str | None = None
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True) as progress:
        task = progress.add_task(f"fetching from {name}")

        def tick(result) -> None:
            report.results.append(result)
            progress.update(task, description=f"{name}: {len(report.results)} records, last {result.path[:60]}")

        try:
            ingest_records(graph, connector.fetch(query), progress=tick, force=force)
        except ConnectorError as exc:
            problem = str(exc)
        finally:
            connector.fetcher.close()
    changed = report.count("added") + report.count("updated")
    if changed and not no_embed:
        from kg.embeddings import EmbeddingsUnavailable

        try:
            _embed_missing(graph)
        except EmbeddingsUnavailable as exc:
            err.print(f"warning: passages not embedded, kg search will use keywords only ({exc})", markup=False)
    graph.close()
    for result in report.results:
        if result.status in ("failed", "skipped"):
            err.print(f"{result.status}: {result.path}: {result.problem}", markup=False)
    if problem and not report.results:
        raise UserError(problem)
    out.print(f"{name}: " + ", ".join(f"{report.count(s)} {s}" for s in ("added", "updated", "unchanged", "skipped",
                                                                          "failed"))
              + f", {sum(r.facts for r in report.results)} facts", markup=False)
    if problem:
        raise UserError(problem)
    if report.failed:
        raise typer.Exit(1)


@fetch_app.command("arxiv")
def arxiv(query: Annotated[Optional[str], typer.Option(
              "--query", metavar="TEXT", help='arXiv search syntax, e.g. \'all:"solid electrolyte"\'.')] = None,
          ids: Annotated[Optional[list[str]], typer.Option("--id", metavar="ID", help="arXiv id (repeatable).")] = None,
          since: SinceOption = None, limit: MaxOption = 100, store: StoreOption = None, offline: OfflineOption = False,
          refresh: RefreshOption = False, force: ForceOption = False, no_embed: NoEmbedOption = False) -> None:
    """Papers from the arXiv API, newest first (one request per 3 s, as arXiv asks)."""
    _run("arxiv", text=query, ids=ids, since=since, limit=limit, store=store, offline=offline, refresh=refresh,
         force=force, no_embed=no_embed)


@fetch_app.command("crossref")
def crossref(query: QueryOption = None,
             dois: Annotated[Optional[list[str]], typer.Option(
                 "--doi", metavar="DOI", help="DOI (repeatable).")] = None,
             since: SinceOption = None, limit: MaxOption = 100, store: StoreOption = None,
             offline: OfflineOption = False, refresh: RefreshOption = False, force: ForceOption = False,
             no_embed: NoEmbedOption = False) -> None:
    """Works from Crossref (polite pool when KG_CONTACT_EMAIL is set); abstracts where publishers deposit them."""
    _run("crossref", text=query, ids=dois, since=since, limit=limit, store=store, offline=offline, refresh=refresh,
         force=force, no_embed=no_embed)


@fetch_app.command("openalex")
def openalex(query: QueryOption = None,
             ids: Annotated[Optional[list[str]], typer.Option(
                 "--id", metavar="ID", help="Work id (W…) or DOI (repeatable).")] = None,
             since: SinceOption = None, limit: MaxOption = 100, store: StoreOption = None,
             offline: OfflineOption = False, refresh: RefreshOption = False, force: ForceOption = False,
             no_embed: NoEmbedOption = False) -> None:
    """Works from OpenAlex (API key from OPENALEX_API_KEY when set)."""
    _run("openalex", text=query, ids=ids, since=since, limit=limit, store=store, offline=offline, refresh=refresh,
         force=force, no_embed=no_embed)


@fetch_app.command("epo")
def epo(query: Annotated[Optional[str], typer.Option(
            "--query", metavar="CQL", help='OPS CQL, e.g. "cpc=H01M10/0562 and pa=catl".')] = None,
        numbers: Annotated[Optional[list[str]], typer.Option(
            "--number", metavar="NUMBER", help="Publication number, e.g. CN118748295A (repeatable).")] = None,
        family: Annotated[bool, typer.Option("--family", help="Also fetch the INPADOC family members.")] = False,
        since: SinceOption = None, limit: MaxOption = 25, store: StoreOption = None, offline: OfflineOption = False,
        refresh: RefreshOption = False, force: ForceOption = False, no_embed: NoEmbedOption = False) -> None:
    """Patents from EPO OPS (EPO_OPS_KEY / EPO_OPS_SECRET): biblio, claims and description per publication."""
    _run("epo", text=query, ids=numbers, since=since, limit=limit, store=store, offline=offline, refresh=refresh,
         force=force, no_embed=no_embed, family=family)


@fetch_app.command("rss")
def rss(urls: Annotated[list[str], typer.Argument(metavar="URL", help="Feed URLs (RSS or Atom).")],
        since: SinceOption = None, limit: MaxOption = 200, store: StoreOption = None, offline: OfflineOption = False,
        refresh: RefreshOption = False, force: ForceOption = False, no_embed: NoEmbedOption = False) -> None:
    """News items from RSS/Atom feeds: title, link, date and summary (article pages are not fetched)."""
    _run("rss", text=None, ids=urls, since=since, limit=limit, store=store, offline=offline, refresh=refresh,
         force=force, no_embed=no_embed)
