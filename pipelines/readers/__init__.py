"""Readers, one per source format; `read_document` picks one by file extension."""
from __future__ import annotations

from pathlib import Path

from pipelines.readers.base import Block, ReadError, SourceDocument

SUPPORTED = {".txt": "text", ".md": "text", ".markdown": "text", ".pdf": "pdf", ".html": "html", ".htm": "html",
             ".xml": "patent-xml"}


def read_document(path: str | Path) -> SourceDocument:
    """Read any supported file; patents given as text or PDF are recognised and get their sections."""
    path = Path(path)
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise ReadError(path, f"unsupported file type {path.suffix or '(no extension)'!r}")
    if kind == "text":
        from pipelines.readers.text import read_text

        source = read_text(path)
    elif kind == "pdf":
        from pipelines.readers.pdf import read_pdf

        source = read_pdf(path)
    elif kind == "html":
        from pipelines.readers.html import read_html

        source = read_html(path)
    else:
        from pipelines.readers.patent import read_patent_xml

        return read_patent_xml(path)
    from pipelines.faults import Isolation
    from pipelines.readers.patent import as_patent, looks_like_patent

    # a patent page is read as plain text when its sections cannot be found
    guard = Isolation((0, len(source.text)))
    patent = guard.call(guard.span, None, as_patent, source) if guard.call(guard.span, False, looks_like_patent,
                                                                            source) else None
    source.incidents.extend(guard.incidents)
    return patent or source


__all__ = ["Block", "ReadError", "SourceDocument", "SUPPORTED", "read_document"]
