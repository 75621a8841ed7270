"""Plain text and Markdown, with optional YAML front matter (`title`, `source`, `kind`, `published`)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from pipelines.readers.base import Block, ReadError, SourceDocument
from pipelines.schemas import parse_yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•+]\s+|\d{1,2}[.)]\s+|\*\*)")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_SENTENCE_END = re.compile(r"[.!?:;|)\]]\s*$")
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f]")
_FIELD_LINE = re.compile(r"(?m)^([A-Za-z_][\w\-]*)[ \t]*:[ \t]*(\S.*?)[ \t]*$")


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM); anything else is reported rather than guessed."""
    if not data.strip():
        raise ReadError(path, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(path, f"invalid UTF-16 text ({exc.reason})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    if len(_BINARY.findall(text[:4096])) > 8:
        raise ReadError(path, "binary content, not text")
    return text


def max_bytes() -> int:
    """Largest text file read whole (KG_MAX_TEXT_MB, default 20): bigger ones are reported, not half-read."""
    return int(float(os.environ.get("KG_MAX_TEXT_MB", "20")) * 2**20)


def read_text(path: str | Path) -> SourceDocument:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes():
            raise ReadError(path, f"too large ({size / 2**20:.0f} MB > {max_bytes() / 2**20:.0f} MB); split it or "
                                  "raise KG_MAX_TEXT_MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"cannot read ({exc.strerror})") from None
    return parse_text(path, decode(path, data))


def parse_text(path: str | Path, text: str) -> SourceDocument:
    """Split into blocks; text stays byte-identical to the file so quotes are exact substrings."""
    meta: dict = {}
    body_start = 0
    match = _FRONT_MATTER.match(text)
    incidents = []
    if match:
        try:
            loaded = parse_yaml(match.group(1))
        except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date that is no date ("2026-13-45")
            # "title: CATL: new cells" is not YAML; the page is still read, its fields line by line
            from pipelines.faults import notice

            loaded = dict(_FIELD_LINE.findall(match.group(1)))
            incidents.append(notice("readers.text.front_matter", 0, match.end(), "front matter is not valid YAML "
                                    f"({str(exc).splitlines()[0]}); read as key: value lines"))
        if isinstance(loaded, dict):
            meta = {str(k): v for k, v in loaded.items() if v is not None}
            body_start = match.end()
    blocks = list(split_blocks(text, body_start))
    if not blocks:
        raise ReadError(path, "no text content")
    from pipelines.dates import document_date

    title = str(meta["title"]) if meta.get("title") else infer_title(text, blocks)
    published = meta.get("published") or meta.get("date")
    published = str(published) if published else document_date(text[body_start:])
    extra = {k: v for k, v in meta.items() if k not in {"title", "published", "date", "kind", "source"}}
    return SourceDocument(path=str(path), text=text, blocks=blocks, title=title, published=published,
                          kind=str(meta.get("kind") or ("patent" if looks_like_patent(text) else
                                                        "paper" if looks_like_paper(text) else "news")),
                          source=str(meta["source"]) if meta.get("source") else None,
                          metadata={k: str(v) for k, v in extra.items()}, incidents=incidents)


_SECTION = re.compile(r"(?im)^[ \t#*]*(?:\d{1,2}\.?[ \t]+)?(abstract|introduction|references|experimental|methods|"
                      r"results and discussion|conclusions?|acknowledg(?:e)?ments)\b[ \t*:]*$|^[ \t]*(?:keywords|key words)[ \t]*:"
                      r"|\bdoi:|\bet al\.")


_PATENT_FIELD = re.compile(r"(?im)^[ \t*]*(publication number|application number|applicants?|assignees?|"
                           r"applicant\s*/\s*assignee|inventors?|priority date|filing date|ipc|cpc)\b[ \t*]*:")


def looks_like_patent(text: str) -> bool:
    """A patent's front page: two or more of its labelled fields (publication number, applicant, inventors …)."""
    return len({m.group(1).lower() for m in _PATENT_FIELD.finditer(text[:3000])}) >= 2


def looks_like_paper(text: str) -> bool:
    """A research paper: an abstract and at least one more of the sections and marks a paper has."""
    found = {m.group(1).lower() if m.group(1) else m.group(0).lower() for m in _SECTION.finditer(text)}
    return "abstract" in found and len(found) >= 2


def infer_title(text: str, blocks: list[Block]) -> str | None:
    for block in blocks[:5]:
        if block.kind == "heading":
            return _clean_line(text[block.start:block.end])
    return _clean_line(text[blocks[0].start:blocks[0].end])[:200] if blocks else None


def _clean_line(line: str) -> str:
    return re.sub(r"^\s*#+\s*|\*\*|__", "", line).strip()


def _line_kind(line: str) -> str:
    if _HEADING.match(line):
        return "heading"
    if line.lstrip().startswith("|"):
        return "table_row"
    if _LIST_ITEM.match(line):
        return "list_item"
    return "paragraph"


def split_blocks(text: str, offset: int = 0):
    """Yield blocks: one per heading, list item and table row; wrapped lines of a paragraph are joined.

    A line continues the previous one when that line ends in a hyphen, or the new line starts in lower case,
    or the previous line is as long as the wrapped lines around it and does not end a sentence (in a chunk where
    some line opens in lower case: prose).
    """
    spans: list[tuple[int, int]] = []
    pos = offset
    for line in text[offset:].split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    chunk: list[tuple[int, int, str]] = []
    for start, end in spans:
        line = text[start:end].rstrip("\r")
        end = start + len(line)
        if not line.strip() or _RULE.match(line) or _TABLE_SEPARATOR.match(line):
            yield from _flush(text, chunk)
            chunk = []
            continue
        chunk.append((start, end, line))
    yield from _flush(text, chunk)


def _flush(text: str, chunk: list[tuple[int, int, str]]):
    if not chunk:
        return
    width = max(len(line) for _, _, line in chunk)
    # wrapped prose has continuation lines that open in lower case; three or more lines that all open with a
    # capital are a byline, an address or a list of lines, each its own block
    wrapped = len(chunk) < 3 or any(line.lstrip()[:1].islower() or line.endswith("-") for _, _, line in chunk)
    current: list[int] | None = None
    kind = "paragraph"
    for start, end, line in chunk:
        line_kind = _line_kind(line)
        if current is not None and line_kind == "paragraph" and kind in ("paragraph", "list_item"):
            prev = text[current[0]:current[1]]
            stripped = line.lstrip()
            continues = (prev.endswith("-") or (stripped[:1].islower())
                         or (wrapped and width >= 50 and len(prev) >= 0.75 * width and not _SENTENCE_END.search(prev)))
            if continues:
                current[1] = end
                continue
        if current is not None:
            yield _block(text, current, kind)
        lead = len(line) - len(line.lstrip())
        current = [start + lead, end]
        kind = line_kind
    if current is not None:
        yield _block(text, current, kind)


def _block(text: str, span: list[int], kind: str) -> Block:
    start, end = span
    while end > start and text[end - 1].isspace():
        end -= 1
    return Block(start=start, end=end, kind=kind)
