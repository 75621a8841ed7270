"""What every reader returns: the document text and its layout blocks, with offsets into that text."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class ReadError(Exception):
    """A user-facing problem with one input file (empty, corrupt, encrypted, no text layer …)."""

    def __init__(self, path: str | Path, problem: str, *, skip: bool = False):
        self.path = str(path)
        self.problem = problem
        #: a clear skip rather than a failure (e.g. a scanned PDF with no text layer)
        self.skip = skip
        super().__init__(f"{Path(path).name}: {problem}")


@dataclass(frozen=True)
class Block:
    """A layout unit of the document text: a paragraph, heading, list item or table row.

    Sentences never cross block boundaries. `start`/`end` are offsets into `SourceDocument.text`.
    """

    start: int
    end: int
    kind: str = "paragraph"  # paragraph | heading | list_item | table_row | caption
    page: int | None = None
    section: str | None = None  # e.g. abstract, claims, description (patents)


@dataclass
class SourceDocument:
    """A reader's output: text as it will be quoted, plus metadata."""

    path: str
    text: str
    blocks: list[Block]
    title: str | None = None
    published: str | None = None  # ISO date YYYY[-MM[-DD]]
    kind: str = "news"  # news | report | paper | patent | blog
    source: str | None = None
    metadata: dict = field(default_factory=dict)  # patent number, claims, DOI, authors …
    incidents: list = field(default_factory=list)  # pipelines.faults.Incident: reader steps that failed

    @property
    def name(self) -> str:
        return Path(self.path).name


def assemble(pieces: Iterable[tuple[str | None, str, str]], separator: str = "\n\n") -> tuple[str, list[Block]]:
    """Text built from (section, block kind, text) pieces, with the blocks' offsets into it.

    Readers that rebuild text (HTML, patent XML, fetched records) share this, so every block points at
    exactly the characters it was made from.
    """
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for section, kind, piece in pieces:
        if parts:
            parts.append(separator)
            offset += len(separator)
        parts.append(piece)
        blocks.append(Block(start=offset, end=offset + len(piece), kind=kind, section=section))
        offset += len(piece)
    return "".join(parts), blocks


class LibraryLog(logging.Handler):
    """A library's warnings while it reads one file, kept instead of printed: bare lines on the terminal name no
    file, so a reader turns what matters into one warning that does."""

    def __init__(self, name: str) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self._logger = logging.getLogger(name)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> LibraryLog:
        self._propagate = self._logger.propagate
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate
