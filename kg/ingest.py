"""Ingest files into a store: idempotent per file (content hash), one transaction per document.

Bad input is reported per file and never stops the batch; what the store already holds is never touched by a
file that fails. An interrupted run resumes: committed documents are skipped, the rest are read again.
"""
from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kg.model import ExtractedDocument
from kg.store.protocol import GraphStore
from pipelines.readers import SUPPORTED, ReadError

IN_FLIGHT_PER_WORKER = 4
"""Files extracted ahead of the writer per worker: enough to keep workers busy, few enough to keep memory flat."""


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | failed | skipped
    problem: str | None = None
    facts: int = 0
    entities: int = 0
    incidents: list = field(default_factory=list)  # pipelines.faults.Incident: the file was ingested without them


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def incidents(self) -> int:
        return sum(len(r.incidents) for r in self.results)


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """Files under the given paths, sorted for a deterministic order; missing paths are reported."""
    files: list[Path] = []
    problems: list[FileResult] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts):
                    if f.suffix.lower() in SUPPORTED:
                        files.append(f)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(FileResult(str(path), "failed", "no such file or folder"))
    return files, problems


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def extract_file(path: str, digest: str) -> ExtractedDocument | FileResult:
    """Read and extract one file; user-facing problems come back as a failed/skipped FileResult, a component's bug
    on a passage as an incident of the extracted document."""
    from pipelines.extract import extract_document
    from pipelines.readers import read_document

    try:
        source = read_document(path)
    except ReadError as exc:
        return FileResult(path, "skipped" if exc.skip else "failed", exc.problem)
    except MemoryError:
        return FileResult(path, "failed", "too large to process in memory")
    except Exception as exc:  # a reader bug must not lose the batch; the message still names the file
        return FileResult(path, "failed", f"internal error while reading ({type(exc).__name__}: {exc})")
    try:
        return extract_document(source, digest)
    except MemoryError:
        return FileResult(path, "failed", "too large to process in memory")
    except Exception as exc:
        return FileResult(path, "failed", f"internal error while extracting ({type(exc).__name__}: {exc})")


def ingest(store: GraphStore, paths: Iterable[str | Path], workers: int = 1,
           progress: Callable[[FileResult], None] | None = None) -> IngestReport:
    files, problems = collect_files(paths)
    report = IngestReport(results=list(problems))
    todo: list[tuple[str, str, str]] = []
    for f in files:
        resolved = str(f.resolve())
        try:
            digest = file_hash(f)
        except OSError as exc:
            report.results.append(FileResult(str(f), "failed", f"cannot read ({exc.strerror})"))
            continue
        previous = store.document_hash(resolved)
        if previous == digest:
            result = FileResult(str(f), "unchanged")
            report.results.append(result)
            if progress:
                progress(result)
            continue
        todo.append((str(f), digest, "updated" if previous else "added"))

    def finish(item: tuple[str, str, str], outcome: ExtractedDocument | FileResult) -> None:
        path, _, status = item
        if isinstance(outcome, FileResult):
            result = outcome
        else:
            try:
                store.replace_document(outcome)
                result = FileResult(path, status, facts=len(outcome.facts), entities=len(outcome.entities),
                                    incidents=outcome.incidents)
            except Exception as exc:
                result = FileResult(path, "failed", f"could not store ({type(exc).__name__}: {exc})")
        report.results.append(result)
        if progress:
            progress(result)

    if workers > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # A bounded window of files in flight: results wait for the single writer in order, so submitting
            # everything at once would hold every extracted document in memory when the workers outpace it.
            pending: deque[tuple[tuple[str, str, str], Future]] = deque()
            queue = iter(todo)
            while True:
                while len(pending) < workers * IN_FLIGHT_PER_WORKER and (item := next(queue, None)) is not None:
                    pending.append((item, pool.submit(extract_file, item[0], item[1])))
                if not pending:
                    break
                item, future = pending.popleft()
                try:
                    outcome = future.result()
                except Exception as exc:
                    outcome = FileResult(item[0], "failed", f"worker failed ({type(exc).__name__}: {exc})")
                finish(item, outcome)
    else:
        for item in todo:
            finish(item, extract_file(item[0], item[1]))
    return report
