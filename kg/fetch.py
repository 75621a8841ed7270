"""Fetched records into a store through the same extraction path as files, idempotent per record.

A record's key (`arxiv:1605.08386`, `epo:EP2400812A1`, an article URL) plays the part of a file path and the hash
of its raw payload the part of the file hash: an unchanged record is skipped, a changed one replaced, and a
record that fails is reported without touching what the store already holds.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from kg.ingest import FileResult, IngestReport
from kg.store.protocol import GraphStore
from pipelines.connectors.base import FetchedRecord, to_source
from pipelines.readers.base import ReadError


def ingest_records(store: GraphStore, records: Iterable[FetchedRecord],
                   progress: Callable[[FileResult], None] | None = None, *, force: bool = False) -> IngestReport:
    """Ingest records as they arrive, so an interrupted fetch keeps what it stored; `force` re-extracts all."""
    report = IngestReport()
    for record in records:
        result = ingest_record(store, record, force=force)
        report.results.append(result)
        if progress:
            progress(result)
    return report


def ingest_record(store: GraphStore, record: FetchedRecord, *, force: bool = False) -> FileResult:
    from pipelines.extract import extract_document

    path = record.path
    previous = store.document_hash(path)
    if previous == record.raw_hash and not force:
        return FileResult(path, "unchanged")
    try:
        extracted = extract_document(to_source(record), record.raw_hash)
    except ReadError as exc:
        return FileResult(path, "skipped" if exc.skip else "failed", exc.problem)
    except Exception as exc:  # an extractor bug must not lose the batch; the message still names the record
        return FileResult(path, "failed", f"internal error while extracting ({type(exc).__name__}: {exc})")
    extracted.document.path = path  # make_document resolves anything but a URL as a file path
    extracted.document.name = path
    try:
        store.replace_document(extracted)
    except Exception as exc:
        return FileResult(path, "failed", f"could not store ({type(exc).__name__}: {exc})")
    return FileResult(path, "updated" if previous else "added", facts=len(extracted.facts),
                      entities=len(extracted.entities))
