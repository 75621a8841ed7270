"""PDF papers: text in reading order (two columns), formulas with their subscripts, tables as rows.

pdfplumber's `extract_text()` interleaves the two columns of a journal page and puts subscripts on a line of
their own ("Li La Zr O" / "7 3 2 12"). This reader works on the characters instead:

1. characters → rows by baseline; a smaller glyph whose centre lies in the body of a larger row next to it
   (sub/superscript) joins that row, which keeps "Li7La3Zr2O12" whole;
2. rows → line segments, cut at column gutters (a gap that the nearby rows leave empty too);
3. tables under a "Table N" caption (ruled grids found by `page.find_tables()`, or booktabs tables bounded by
   horizontal rules) become one item whose rows are emitted as `table_row` blocks;
4. lines repeated at the page edges (journal name, DOI) and page numbers are dropped;
5. segments → reading order by a recursive XY cut: columns left to right, full-width parts cut into bands;
6. lines → paragraphs (spacing, indentation, font changes), joined with spaces and de-hyphenated; a column
   that opens mid-sentence continues the paragraph left open at the foot of the previous one.

pdfminer's page interpretation is most of the cost (~3–6 pages/s on these papers); it runs once per page.
"""
from __future__ import annotations

import logging
import math
import re
import statistics
import unicodedata
import zlib
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.layout import LTChar, LTContainer, LTItem
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer import pdftypes
from pdfminer.pdftypes import PDFStream, stream_value
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent
from pdfplumber.table import Table
from pdfplumber.utils.exceptions import PdfminerException

from pipelines.readers.base import Block, LibraryLog, ReadError, SourceDocument

Char = dict[str, Any]

#: page content larger than this is read without its vector paths (a plotted figure can hold 80k curves and take
#: a minute to tokenise, for no text)
LEAN_CONTENT_BYTES = 300_000
#: fewer visible characters than this per page means there is no usable text layer
MIN_CHARS_PER_PAGE = 5
#: XY cuts deeper than this (a chart with thousands of labels) just read the rest top to bottom
MAX_CUTS = 200

_NUM = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_PATH_OPERATORS = re.compile(rb"(?<![^\s\])>])(?:" + _NUM + rb"\s+){2,6}(?:m|l|c|v|y|re)(?=\s)")
_EMPTY_PAINT_GROUPS = re.compile(
    rb"(?<!\S)q\s+(?:" + _NUM + rb"\s+){6}cm\s+(?:(?:[fFsSbBn]\*?|h|W\*?)\s+)*Q(?=\s)")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|\.B\b|,B\b", re.I)
_CID = re.compile(r"^\(cid:\d+\)$")
_CAPTION = re.compile(r"^(?:Fig\.|Figure|FIGURE|Table|TABLE|Scheme|Extended Data Fig\.)\s*S?\d+[a-z]?(?:\s*[.:|]|\s*$)")
_TABLE_CAPTION = re.compile(r"^(?:Table|TABLE)\s*S?\d+\b")
_ITEM = re.compile(r"^(?:[-•–·▪◦\ufffd]|\(?\d{1,3}[.)])(?:\s|$)")  # bullets, numbered references
_SENTENCE_END = re.compile(r"[.!?:;]['\")\]]?$")
_PAGE_NUMBER = re.compile(r"(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|x{0,3}(?:ix|iv|v?i{1,3}|v)", re.I)
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_HYPHENS = ("-", "\u2010", "\u00ad")
_LIGATURES = {chr(c) for c in range(0xFB00, 0xFB07)}


@dataclass
class _Line:
    """A line segment of one column, or (with `rows`) a whole table standing in the reading order."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float  # bottom of the body glyphs: line spacing is measured on it
    size: float
    bold: bool
    page: int
    rows: list[str] | None = None


# ---------------------------------------------------------------------------------------------------- entry point


def read_pdf(path: str | Path) -> SourceDocument:
    """Read a text PDF; empty, corrupt, encrypted or scanned files raise `ReadError`, never a pdfminer traceback."""
    path = Path(path)
    _check_header(path)
    with LibraryLog("pdfminer") as damage:
        try:
            with pdfplumber.open(path) as pdf:
                info = {str(k): v for k, v in pdf.metadata.items()}
                pages = [_read_page(pdf, page) for page in pdf.pages]
        except ReadError:
            raise
        except Exception as exc:  # pdfminer raises many unrelated types for broken files
            raise ReadError(path, _describe(exc)) from None
    source = build_document(path, pages, info)
    if damage.messages:
        from pipelines.faults import notice

        worked_round = f"{len(damage.messages)} problems worked round, first: {damage.messages[0][:120]}"
        source.incidents.append(notice("readers.pdf", 0, len(source.text),
                                       f"damaged PDF, read as far as it goes ({worked_round})"))
    return source


def _check_header(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise ReadError(path, f"cannot read ({exc.strerror})") from None
    if size == 0:
        raise ReadError(path, "empty file")
    if b"%PDF-" not in head:
        raise ReadError(path, "not a PDF (no %PDF header)")


def _describe(exc: BaseException) -> str:
    """One line a user can act on; pdfplumber wraps pdfminer's exception, so look inside."""
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    name = type(inner).__name__ if isinstance(inner, BaseException) else type(exc).__name__
    detail = str(inner).strip().splitlines()[0][:120] if str(inner).strip() else name
    if name == "PDFPasswordIncorrect":
        return "encrypted PDF (password required)"
    if name in {"PDFEncryptionError", "PDFEncryptionWarning", "PDFEncryptionV4Error"}:
        return f"encrypted PDF with an unsupported scheme ({detail})"
    if name in {"PDFSyntaxError", "PSEOF", "PSSyntaxError", "PDFNoValidXRef", "PDFTypeError", "PDFValueError",
                "PDFNoPageLabels", "PDFObjectNotFound", "PDFNotImplementedError", "PDFException"}:
        return f"corrupt or truncated PDF ({name}: {detail})"
    return f"unreadable PDF ({name}: {detail})"


def decompress_corrupted(data: bytes) -> bytes:
    """pdfminer's recovery of a Flate stream whose checksum is broken, in linear time.

    pdfminer feeds such a stream to zlib one byte at a time and concatenates bytes objects (quadratic: one damaged
    2 MB stream took 12 minutes; pdfminer.six issue #1163). Same result: the body at once (an error there is
    raised, as pdfminer does), then the last three bytes one by one, stopping at the first error."""
    decoder = zlib.decompressobj()
    body, tail = data[:-3], data[-3:]
    out = [decoder.decompress(body)]
    try:
        for i in range(len(tail)):
            out.append(decoder.decompress(tail[i:i + 1]))
    except zlib.error:
        logging.getLogger("pdfminer.pdftypes").warning("Data-loss while decompressing corrupted data")
    return b"".join(out)


pdftypes.decompress_corrupted = decompress_corrupted


class _LeanInterpreter(PDFPageInterpreter):
    """Drops path operators from huge content streams before tokenising; text operators are kept untouched."""

    def pop(self, n: int) -> list:
        """pdfminer's `pop` copies the whole operand stack; a damaged stream whose operators were garbled leaves
        hundreds of thousands of operands on it, and every later operator copied them all (one 2 MB paper with a
        few flipped bytes: minutes). Same operands, in time proportional to `n`."""
        if n <= 0:
            return []
        taken = self.argstack[-n:]
        del self.argstack[-n:]
        return taken

    def execute(self, streams: Sequence[object]) -> None:
        parts = [stream_value(s) for s in streams]
        data = b"\n".join(part.get_data() or b"" for part in parts)
        if len(data) <= LEAN_CONTENT_BYTES or not parts:
            return super().execute(streams)
        lean = PDFStream({}, _EMPTY_PAINT_GROUPS.sub(b"", _PATH_OPERATORS.sub(b"", data)))
        lean.objid, lean.genno = parts[0].objid, parts[0].genno
        return super().execute([lean])


def _load_layout(pdf: pdfplumber.PDF, page: Page) -> None:
    """What `page.layout` does, with the lean interpreter (pdfplumber caches the result in `_layout`)."""
    device = PDFPageAggregatorWithMarkedContent(pdf.rsrcmgr, pageno=page.page_number, laparams=pdf.laparams)
    _LeanInterpreter(pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()


@dataclass
class _Page:
    number: int
    height: float
    items: list[_Line]
    n_chars: int


def _walk(items: Iterable[LTItem]) -> Iterable[LTChar]:
    for item in items:
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTContainer):
            yield from _walk(item)


def _page_chars(page: Page) -> list[Char]:
    """Horizontal glyphs (spaces flagged) in pdfplumber's coordinates, read straight off the layout:
    pdfplumber's own char dicts carry ~20 resolved attributes each and cost more than the parsing itself."""
    mb_x0, mb_top = page.mediabox[:2]
    height = page.height
    x0, top, x1, bottom = page.bbox
    chars = []
    for obj in _walk(page.layout):
        text = obj.get_text()
        a, b, c, d = obj.matrix[:4]
        if not text or a <= 0 or d <= 0 or abs(b) > 0.05 * a or abs(c) > 0.05 * d:
            continue  # rotated or mirrored: figure labels and margin stamps
        fontname = obj.fontname
        char = {"text": text, "space": text.isspace(), "x0": obj.x0 + mb_x0, "x1": obj.x1 + mb_x0,
                "top": height - obj.y1 + mb_top, "bottom": height - obj.y0 + mb_top, "size": obj.size,
                "matrix": obj.matrix,
                "fontname": fontname.decode("latin-1") if isinstance(fontname, bytes) else str(fontname)}
        if char["x0"] >= x0 - 1 and char["x1"] <= x1 + 1 and char["top"] >= top - 1 and char["bottom"] <= bottom + 1:
            chars.append(char)
    return chars


def _read_page(pdf: pdfplumber.PDF, page: Page) -> _Page:
    _load_layout(pdf, page)
    chars = _page_chars(page)
    visible = sum(not c["space"] for c in chars)
    if not visible:
        return _Page(page.page_number, page.height, [], 0)
    body = _mode_size(chars)
    chars, drop_caps = _split_drop_caps(chars, body)
    spaced = sum(c["space"] for c in chars) >= 0.03 * visible
    lines = _lines(chars, page.page_number, spaced)
    tables = _tables(page, chars, lines, spaced)
    if tables:
        lines = [ln for ln in lines if not any(_inside(ln, t) for t in tables)]
    lines = _drop_line_numbers([ln for ln in _attach_drop_caps(lines, drop_caps, body)
                                if any(ch.isalnum() for ch in ln.text)])
    return _Page(page.page_number, page.height, lines + tables, visible)


# ---------------------------------------------------------------------------------------------- characters → lines


def _mode_size(chars: Iterable[Char]) -> float:
    counts = Counter(round(c["size"], 1) for c in chars)
    return counts.most_common(1)[0][0] if counts else 10.0


def _glyph(text: str) -> str:
    if _CID.match(text):
        return "\ufffd"
    if text in _LIGATURES:
        return unicodedata.normalize("NFKC", text)
    return text


def _is_bold(char: Char) -> bool:
    return bool(_BOLD_FONT.search(char.get("fontname") or ""))


def _baseline(char: Char) -> float:
    matrix = char.get("matrix")
    return -matrix[5] if matrix else char["bottom"]


def _split_drop_caps(chars: list[Char], body: float) -> tuple[list[Char], list[Char]]:
    """A drop cap spans several lines and would swallow them as 'subscripts'; set it aside and prefix it later."""
    big = [c for c in chars if c["size"] >= 2.2 * body and c["text"].isalpha() and len(c["text"]) == 1]
    caps = [c for c in big if not any(o is not c and abs(o["size"] - c["size"]) < 0.25 * c["size"]
                                      and abs(o["top"] - c["top"]) < c["size"]
                                      and min(abs(o["x0"] - c["x1"]), abs(c["x0"] - o["x1"])) < 2 * c["size"]
                                      for o in big)]
    if not caps:
        return chars, []
    ids = {id(c) for c in caps}
    return [c for c in chars if id(c) not in ids], caps


def _attach_drop_caps(lines: list[_Line], caps: list[Char], body: float) -> list[_Line]:
    for cap in caps:
        right = [ln for ln in lines if ln.rows is None and cap["x1"] - 2 <= ln.x0 <= cap["x1"] + 2.5 * body
                 and cap["top"] - body <= ln.top <= cap["top"] + 1.5 * body]
        if right:
            first = min(right, key=lambda ln: ln.top)
            first.text = cap["text"] + first.text
    return lines


def _rows(chars: list[Char]) -> list[list[Char]]:
    """Characters on one baseline; then each smaller glyph inside a larger row's body (sub/superscript) joins it."""
    rows: list[list[Char]] = []
    anchor = None
    for c in sorted(chars, key=lambda c: (_baseline(c), c["x0"])):
        base = _baseline(c)
        if anchor is None or base - anchor > max(0.5, 0.06 * c["size"]):
            rows.append([])
            anchor = base
        rows[-1].append(c)
    return _attach_scripts(rows)


@dataclass
class _RowInfo:
    size: float
    top: float
    bottom: float
    xs: list[float]  # of the body glyphs
    body: list[Char]  # glyphs of the whole row at the text size: what a script has to sit next to
    chars: list[Char]


def _row_info(chars: list[Char], row: list[Char]) -> _RowInfo:
    """A piece of a row; scripts may sit next to any body-size glyph of the whole row (a piece can end where a
    superscript was lifted out of the row)."""
    glyphs = [c for c in chars if not c["space"]] or chars
    size = Counter(round(c["size"], 1) for c in glyphs).most_common(1)[0][0]  # the text size, not a symbol's
    own = [c for c in chars if c["size"] >= 0.9 * size]
    body = sorted((c for c in row if c["size"] >= 0.9 * size), key=lambda c: c["x0"])
    return _RowInfo(size, min(c["top"] for c in own), max(c["bottom"] for c in own),
                    [c["x0"] for c in body], body, sorted(chars, key=lambda c: c["x0"]))


def _near(info: _RowInfo, x0: float, x1: float) -> bool:
    """Does some glyph of the row come within 0.6 em of the span [x0, x1]?"""
    i = bisect_left(info.xs, x0)
    reach = 0.6 * info.size
    if i < len(info.body) and info.body[i]["x0"] <= x1 + reach:
        return True
    return any(info.body[j]["x1"] >= x0 - reach for j in range(max(0, i - 3), i))


def _runs(chars: list[Char], size: float) -> list[list[Char]]:
    """Pieces of a row separated by more than a third of an em: "1−5" in a citation moves as one."""
    runs: list[list[Char]] = []
    right = -math.inf
    for c in chars:
        if c["x0"] - right > 0.33 * size:
            runs.append([])
        runs[-1].append(c)
        right = max(right, c["x1"])
    return runs


def _pieces(chars: list[Char]) -> list[list[Char]]:
    """A row cut at gaps over 1.2 em: the two columns, or text and an equation, each judged on its own size."""
    pieces: list[list[Char]] = []
    right, size = -math.inf, 0.0
    for c in sorted(chars, key=lambda c: c["x0"]):
        if c["x0"] - right > 1.2 * max(size, c["size"]):
            pieces.append([])
            right, size = -math.inf, 0.0
        pieces[-1].append(c)
        right, size = max(right, c["x1"]), max(size, c["size"])
    return pieces


def _attach_scripts(rows: list[list[Char]]) -> list[list[Char]]:
    pieces = [(i, piece) for i, row in enumerate(rows) for piece in _pieces(row)]
    infos = [_row_info(piece, rows[i]) for i, piece in pieces]
    buckets: dict[int, list[int]] = defaultdict(list)
    for k, info in enumerate(infos):
        own = [c for c in info.chars if c["size"] >= 0.9 * info.size]
        if len(own) >= 2 or own[0]["text"].isalnum():
            slack = 0.15 * info.size
            for b in range(int((info.top - slack) // 8), int((info.bottom + slack) // 8) + 1):
                buckets[b].append(k)
    runs = [(k, run) for k, info in enumerate(infos) for run in _runs(info.chars, info.size)]
    runs.sort(key=lambda r: -max(c["size"] for c in r[1]))  # a subscript's subscript follows its host
    home = {id(c): i for i, row in enumerate(rows) for c in row}
    for k, run in runs:
        centre = statistics.median((c["top"] + c["bottom"]) / 2 for c in run)
        x0, x1 = run[0]["x0"], max(c["x1"] for c in run)
        size = max(c["size"] for c in run)
        best, best_dist = None, math.inf
        for j in buckets.get(int(centre // 8), ()):
            host = infos[j]
            slack = 0.15 * host.size
            if (j == k or not 0.4 * host.size <= size <= 0.85 * host.size
                    or not host.top - slack <= centre <= host.bottom + slack or not _near(host, x0, x1)):
                continue
            dist = abs(centre - (host.top + host.bottom) / 2)
            if dist < best_dist:
                best, best_dist = j, dist
        if best is not None:
            anchor = min(infos[best].chars, key=lambda c: max(c["x0"] - x1, x0 - c["x1"], 0.0))
            for c in run:
                home[id(c)] = home[id(anchor)]
    out: list[list[Char]] = [[] for _ in rows]
    for row in rows:
        for c in row:
            out[home[id(c)]].append(c)
    return [r for r in out if r]


def _spans(chars: list[Char], size: float) -> list[tuple[float, float]]:
    spans: list[list[float]] = []
    for c in chars:
        if c["space"]:
            continue
        if spans and c["x0"] - spans[-1][1] <= 0.8 * size:
            spans[-1][1] = max(spans[-1][1], c["x1"])
        else:
            spans.append([c["x0"], c["x1"]])
    return [(a, b) for a, b in spans]


def _lines(chars: list[Char], page: int, spaced: bool) -> list[_Line]:
    """Rows cut into segments at column gutters (a gap that neighbouring rows leave empty too) or gaps over 5 em.

    A justified line can have word gaps of 2 em, so width alone does not make a gutter.
    """
    rows = [sorted(r, key=lambda c: c["x0"]) for r in _rows(chars)]
    rows.sort(key=lambda r: min(c["top"] for c in r))
    sizes = [max(c["size"] for c in r) for r in rows]
    spans = [_spans(r, s) for r, s in zip(rows, sizes)]
    tops = [min(c["top"] for c in r) for r in rows]
    out: list[_Line] = []
    for i, row in enumerate(rows):
        size = sizes[i]
        cuts = []
        for (_, gap_start), (gap_end, _) in zip(spans[i], spans[i][1:]):
            if gap_end - gap_start > 5.0 * size or _is_gutter(i, gap_start, gap_end, spans, tops, size):
                cuts.append((gap_start + gap_end) / 2)
        start = 0
        for cut in cuts + [math.inf]:
            end = start
            while end < len(row) and row[end]["x0"] < cut:
                end += 1
            if end > start:
                segment = row[start:end]
                if any(not c["space"] for c in segment):
                    out.append(_make_line(segment, page, spaced))
            start = end
    return out


def _is_gutter(i: int, start: float, end: float, spans: list[list[tuple[float, float]]], tops: list[float],
               size: float) -> bool:
    """Is there an x in the gap that the two nearest rows above, or the two below, leave empty too (or the only
    row nearby, at the edge of a short column)?

    Only rows with text within 4 em of x count, so the far column says nothing. Any x, not the middle: an
    indented first line moves the right edge of its gap into the next column. A wide justified word gap fails
    because the full lines of its own column cover it."""
    half, reach = 0.2 * size, 4 * size

    def nearest(x: float, step: int) -> list[bool]:
        found: list[bool] = []
        j = i + step
        while 0 <= j < len(spans) and len(found) < 2 and abs(tops[j] - tops[i]) < 6 * size:
            if any(a < x + reach and b > x - reach for a, b in spans[j]):
                found.append(not any(a < x + half and b > x - half for a, b in spans[j]))
            j += step
        return found

    x = start + half
    while x <= end - half:
        above, below = nearest(x, -1), nearest(x, 1)
        if any(len(side) == 2 and all(side) for side in (above, below)) or (
                (above or below) and all(above + below) and not (above and below)):  # a column of two lines
            return True
        x += 1.0
    return False


def _make_line(chars: list[Char], page: int, spaced: bool) -> _Line:
    text = _line_text(chars, spaced)
    chars = [c for c in chars if not c["space"]]
    counts = Counter(round(c["size"], 1) for c in chars)
    # the text size: the largest size of a quarter of the glyphs (a formula can have more subscripts than letters)
    size = max((s for s, n in counts.items() if n >= 0.25 * len(chars)), default=counts.most_common(1)[0][0])
    body = [c for c in chars if abs(c["size"] - size) <= 0.1 * size]
    return _Line(text=text, x0=min(c["x0"] for c in chars), x1=max(c["x1"] for c in chars),
                 top=min(c["top"] for c in chars), bottom=max(c["bottom"] for c in chars),
                 base=max(c["bottom"] for c in body), size=size,
                 bold=all(map(_is_bold, body)), page=page)


def _line_text(chars: list[Char], spaced: bool) -> str:
    """Glyphs left to right with spaces between words.

    Without space glyphs in the page a gap over a tenth of an em is a word space (measured: letters ≤ 0.05 em,
    words ≥ 0.15 em). With them, trust them and only add one at a gap over 0.3 em: OCR layers and letter-spaced
    headings have 0.1 em between letters.
    """
    parts: list[str] = []
    right = None
    prev_size = 0.0
    pending = False
    threshold = 0.3 if spaced else 0.1
    for c in sorted(chars, key=lambda c: c["x0"]):
        if c["space"]:
            pending = right is not None
            continue
        if pending or (right is not None and c["x0"] - right > threshold * max(c["size"], prev_size)):
            parts.append(" ")
        pending = False
        parts.append(_glyph(c["text"]))
        right = c["x1"] if right is None else max(right, c["x1"])
        prev_size = c["size"]
    return "".join(parts)


def _drop_line_numbers(lines: list[_Line]) -> list[_Line]:
    """Bare numbers outside the text block: a manuscript's line numbering in the margin."""
    prose = [ln for ln in lines if len(ln.text) >= 20]
    if not prose:
        return lines
    left, right = min(ln.x0 for ln in prose), max(ln.x1 for ln in prose)
    return [ln for ln in lines if not (ln.text.isdigit() and (ln.x1 <= left + 1 or ln.x0 >= right - 1))]


# --------------------------------------------------------------------------------------------------------- tables


def _inside(line: _Line, table: _Line) -> bool:
    cx, cy = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
    return table.x0 - 1 <= cx <= table.x1 + 1 and table.top - 1 <= cy <= table.bottom + 1


def _chars_in(chars: list[Char], bbox: Sequence[float]) -> list[Char]:
    x0, top, x1, bottom = bbox
    return [c for c in chars if x0 - 0.5 <= (c["x0"] + c["x1"]) / 2 <= x1 + 0.5
            and top - 0.5 <= (c["top"] + c["bottom"]) / 2 <= bottom + 0.5]


def _cell_text(chars: list[Char], spaced: bool) -> str:
    rows = [sorted(r, key=lambda c: c["x0"]) for r in _rows(chars)]
    rows.sort(key=lambda r: min(c["top"] for c in r))
    return " ".join(_line_text(r, spaced) for r in rows).strip()


def _tables(page: Page, chars: list[Char], lines: list[_Line], spaced: bool) -> list[_Line]:
    """Tables under a "Table N" caption only: a ruled figure or a framed box would otherwise pass for one."""
    captions = [ln for ln in lines if _TABLE_CAPTION.match(ln.text)]
    if not captions:
        return []
    found: list[_Line] = []
    if sum(1 for e in page.edges if e["orientation"] == "v") >= 4:
        for table in page.find_tables():
            item = _ruled_table(table, chars, captions, page.page_number, spaced)
            if item:
                found.append(item)
    for caption in captions:
        if not any(t.top - 60 <= caption.top <= t.bottom for t in found):
            item = _rule_bounded_table(page, chars, lines, caption, spaced)
            if item:
                found.append(item)
    return found


def _ruled_table(table: Table, chars: list[Char], captions: list[_Line], page: int, spaced: bool) -> _Line | None:
    x0, top, x1, bottom = table.bbox
    if not any(x0 - 5 <= c.x0 <= x1 and top - 60 <= c.top <= bottom for c in captions):
        return None
    rows = list(table.rows)
    while rows and sum(cell is not None for cell in rows[0].cells) <= 1:  # merged rows: the caption
        rows.pop(0)
    texts = []
    for row in rows:
        cells = [_cell_text(_chars_in(chars, cell), spaced) for cell in row.cells if cell is not None]
        if any(cells):
            texts.append(" | ".join(cells))
    if len(texts) < 2:
        return None
    return _table_item(texts, (x0, rows[0].bbox[1], x1, bottom), page)


def _table_item(rows: list[str], bbox: Sequence[float], page: int) -> _Line:
    x0, top, x1, bottom = bbox
    return _Line(text="", x0=x0, x1=x1, top=top, bottom=bottom, base=bottom, size=0.0, bold=False, page=page,
                 rows=rows)


def _rules(page: Page) -> list[tuple[float, float, float]]:
    """Horizontal rules (x0, x1, y) at least 100 pt long, double strokes merged."""
    rules: list[tuple[float, float, float]] = []
    for e in sorted((e for e in page.edges if e["orientation"] == "h" and e["x1"] - e["x0"] >= 100),
                    key=lambda e: e["top"]):
        if rules and abs(rules[-1][2] - e["top"]) < 2 and abs(rules[-1][0] - e["x0"]) < 3 \
                and abs(rules[-1][1] - e["x1"]) < 3:
            continue
        rules.append((e["x0"], e["x1"], e["top"]))
    return rules


def _rule_bounded_table(page: Page, chars: list[Char], lines: list[_Line], caption: _Line,
                        spaced: bool) -> _Line | None:
    """A booktabs table (top rule, header, bottom rule, no vertical lines): pdfplumber finds no cells in it."""
    rules = _rules(page)
    top = next((r for r in rules if caption.bottom - 1 <= r[2] <= caption.bottom + 40
                and r[0] - 5 <= caption.x0 <= r[1]), None)
    if top is None:
        return None
    same = [r for r in rules if r[2] > top[2] + 2 and abs(r[0] - top[0]) < 5 and abs(r[1] - top[1]) < 5]
    end = None
    previous = top[2]
    for rule in same:
        band = [ln for ln in lines if previous < (ln.top + ln.bottom) / 2 < rule[2]
                and top[0] - 2 <= ln.x0 and ln.x1 <= top[1] + 2]
        if any(_TABLE_CAPTION.match(ln.text) for ln in band) or not _tablelike(band):
            break
        end, previous = rule, rule[2]
    if end is None:
        return None
    bbox = (top[0], top[2], top[1], end[2])
    texts = []
    for row in _rows(_chars_in(chars, bbox)):
        glyphs = sorted((c for c in row if not c["space"]), key=lambda c: c["x0"])
        if glyphs:
            texts.append((min(c["top"] for c in glyphs), " | ".join(_cells(row, glyphs, spaced))))
    texts.sort()
    if len(texts) < 2:
        return None
    return _table_item([t for _, t in texts], bbox, page.page_number)


def _cells(row: list[Char], glyphs: list[Char], spaced: bool) -> list[str]:
    """Cut a table row where the gap between glyphs exceeds an em (words inside a cell are closer)."""
    size = max(c["size"] for c in glyphs)
    cuts = []
    right = glyphs[0]["x1"]
    for a, b in zip(glyphs, glyphs[1:]):
        right = max(right, a["x1"])
        if b["x0"] - right > size:
            cuts.append((right + b["x0"]) / 2)
    cells: list[list[Char]] = [[] for _ in range(len(cuts) + 1)]
    for c in row:
        cells[bisect_left(cuts, c["x0"])].append(c)
    return [_line_text(cell, spaced) for cell in cells if any(not c["space"] for c in cell)]


def _tablelike(band: list[_Line]) -> bool:
    if not band:
        return False
    rows: dict[int, list[_Line]] = defaultdict(list)
    for ln in band:
        rows[round(ln.base)].append(ln)
    multi = sum(len(r) >= 2 for r in rows.values())
    return multi >= 0.5 * len(rows) and statistics.median(len(ln.text) for ln in band) <= 40


# ------------------------------------------------------------------------------------------- headers and footers


def _running_key(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"\d+", "#", text.lower()))


def _edge_lines(page: _Page, margin: float) -> list[_Line]:
    """Lines in the top/bottom margin, or on the first/last two rows of the page (wide LaTeX margins)."""
    texts = [ln for ln in page.items if ln.rows is None]
    rows = sorted({round(ln.top) for ln in texts})
    edge_rows = set(rows[:2] + rows[-2:])
    return [ln for ln in texts if round(ln.top) in edge_rows
            or ln.bottom < margin * page.height or ln.top > (1 - margin) * page.height]


def drop_running_heads(pages: list[_Page], margin: float = 0.09) -> None:
    """Lines at the page edges that repeat across pages (journal name, DOI, page numbers) go."""
    edges = {page.number: _edge_lines(page, margin) for page in pages}
    counts: Counter[str] = Counter()
    for lines in edges.values():
        counts.update({_running_key(ln.text) for ln in lines})
    needed = max(2, math.ceil(0.3 * len(pages))) if len(pages) >= 3 else math.inf
    for page in pages:
        drop = {id(ln) for ln in edges[page.number]
                if counts[_running_key(ln.text)] >= needed or _PAGE_NUMBER.fullmatch(ln.text)}
        page.items = [ln for ln in page.items if id(ln) not in drop]


# -------------------------------------------------------------------------------------------------- reading order


def _position(line: _Line) -> tuple[float, float]:
    return (round(line.base), line.x0)


def _gutter(items: list[_Line]) -> float | None:
    """The x crossed by the fewest lines, if clear text stands on both sides of it."""
    lo, hi = min(i.x0 for i in items), max(i.x1 for i in items)
    width = hi - lo
    if width < 150:
        return None
    best: list[tuple[int, float]] = []
    for x in range(int(lo + 0.2 * width), int(hi - 0.2 * width) + 1):
        crossing = sum(1 for i in items if i.x0 < x < i.x1)
        best.append((crossing, x))
    least = min(c for c, _ in best)
    run: list[float] = []
    longest: list[float] = []
    for crossing, x in best:
        if crossing == least:
            run.append(x)
            if len(run) > len(longest):
                longest = list(run)
        else:
            run = []
    x = (longest[0] + longest[-1]) / 2
    left = sum(1 for i in items if i.x1 <= x)
    right = sum(1 for i in items if i.x0 >= x)
    if min(left, right) >= 3 and least < 0.8 * min(left, right):
        return x
    return None


def _gaps(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(middle, width) of each gap left by the union of the intervals."""
    gaps = []
    intervals = sorted(intervals)
    reach = intervals[0][1]
    for start, end in intervals[1:]:
        if start > reach:
            gaps.append(((start + reach) / 2, start - reach))
        reach = max(reach, end)
    return gaps


def _widest_gap(gaps: list[tuple[float, float]], minimum: float) -> float | None:
    wide = [g for g in gaps if g[1] >= minimum]
    return max(wide, key=lambda g: g[1])[0] if wide else None


def _usual_gap(items: list[_Line]) -> float:
    """Median space between a line and the next one below it in the same column."""
    ordered = sorted(items, key=lambda i: i.top)
    gaps = []
    for k, upper in enumerate(ordered):
        below = next((i for i in ordered[k + 1:] if i.top >= upper.bottom and i.x0 < upper.x1 and upper.x0 < i.x1),
                     None)
        if below is not None:
            gaps.append(below.top - upper.bottom)
    return statistics.median(gaps) if gaps else 0.0


def reading_order(items: list[_Line], usual_gap: float | None = None, depth: int = 0) -> list[list[_Line]]:
    """Groups of lines (a column, a band of full-width lines) in reading order: a recursive XY cut.

    A clean vertical cut (a gutter no line crosses) comes first, so columns are never cut into bands; then a
    horizontal cut at the widest empty band clearly wider than the page's usual line gap (double-spaced
    manuscripts have wide gaps everywhere); a gutter crossed by a few full-width lines (a caption, an abstract)
    cuts the region into bands at those lines.
    """
    if len(items) <= 1 or depth > MAX_CUTS:
        return [sorted(items, key=_position)] if items else []
    if usual_gap is None:
        usual_gap = _usual_gap(items)
    size = statistics.median([i.size for i in items if i.rows is None] or [10.0])
    lo, hi = min(i.x0 for i in items), max(i.x1 for i in items)
    columns = [g for g in _gaps([(i.x0, i.x1) for i in items])  # not a narrow strip of reference numbers
               if g[0] - lo >= 4 * size and hi - g[0] >= 4 * size]
    x = _widest_gap(columns, 0.6 * size)
    if x is not None:
        return (reading_order([i for i in items if i.x1 <= x], usual_gap, depth + 1)
                + reading_order([i for i in items if i.x0 >= x], usual_gap, depth + 1))
    y = _widest_gap(_gaps([(i.top, i.bottom) for i in items]), max(0.6 * size, 1.5 * usual_gap))
    if y is not None:
        return (reading_order([i for i in items if i.bottom <= y], usual_gap, depth + 1)
                + reading_order([i for i in items if i.top >= y], usual_gap, depth + 1))
    x = _gutter(items) if len(items) >= 6 else None
    if x is None:
        return [sorted(items, key=_position)]
    groups: list[list[_Line]] = []
    band: list[_Line] = []
    full: list[_Line] = []
    for item in sorted(items, key=_position):
        if item.x0 < x < item.x1:
            if band:
                groups += _split_columns(band, x, usual_gap, depth)
                band = []
            full.append(item)
        else:
            if full:
                groups.append(full)
                full = []
            band.append(item)
    if full:
        groups.append(full)
    if band:
        groups += _split_columns(band, x, usual_gap, depth)
    return groups


def _split_columns(band: list[_Line], x: float, usual_gap: float, depth: int) -> list[list[_Line]]:
    left = [i for i in band if i.x1 <= x]
    right = [i for i in band if i.x0 >= x]
    return reading_order(left, usual_gap, depth + 1) + reading_order(right, usual_gap, depth + 1)


# ----------------------------------------------------------------------------------------------------- paragraphs


@dataclass(frozen=True)
class _Column:
    """What a paragraph break is judged against: the column's edges, line spacing and indentation style."""

    left: float
    right: float
    leading: float
    hanging: bool  # most lines indented: a bibliography whose entries hang

    @classmethod
    def of(cls, lines: list[_Line]) -> _Column:
        texts = [ln for ln in lines if ln.rows is None]
        if not texts:
            return cls(0.0, 0.0, 0.0, False)
        left = min(ln.x0 for ln in texts)
        steps = [b.base - a.base for a, b in zip(texts, texts[1:]) if b.base - a.base > 0.5 * b.size]
        indented = [ln.x0 - left > 0.6 * ln.size for ln in texts]
        hanging = (len(texts) >= 4 and sum(indented) > 0.35 * len(texts)) or (
            len(texts) >= 2 and not indented[0] and all(indented[1:]))  # one entry set apart by spacing
        return cls(left, max(ln.x1 for ln in texts), statistics.median(steps) if steps else 0.0, hanging)

    def indented(self, line: _Line) -> bool:
        return line.x0 - self.left > 0.6 * line.size


def _continues(opener: _Line, prev: _Line, line: _Line, column: _Column) -> bool:
    """Within one column: does `line` carry on the paragraph that `opener` starts and `prev` ends?"""
    if line.rows is not None or prev.rows is not None:
        return False
    if abs(line.size - prev.size) > 0.6 or _CAPTION.match(line.text) or _ITEM.match(line.text):
        return False
    if line.bold != prev.bold and not _CAPTION.match(opener.text):  # a caption opens in bold
        return False
    if abs(line.base - prev.base) < 0.3 * line.size:
        return line.x0 > prev.x1
    step = line.base - prev.base
    if step <= 0 or step > max(1.75 * max(line.size, prev.size), 1.3 * column.leading):
        return False
    if column.hanging:
        return column.indented(line) or not column.indented(prev)
    if column.indented(line) and not column.indented(prev) and not _ITEM.match(opener.text):
        return False  # a first-line indent (a list item's wrapped lines hang indented instead)
    if prev.x1 < column.right - 3 * prev.size and _SENTENCE_END.search(prev.text):
        return False
    return True


def _resumes(paragraph: list[_Line], line: _Line) -> bool:
    """Does `line`, opening a column, continue `paragraph`, which ended its own column mid-sentence?"""
    last, opener = paragraph[-1], paragraph[0]
    return (last.rows is None and line.rows is None and not opener.bold and not _CAPTION.match(opener.text)
            and not line.bold and abs(line.size - last.size) <= 0.6 and line.text[:1].islower()
            and not _SENTENCE_END.search(last.text) and line.x1 - line.x0 >= 0.5 * (last.x1 - last.x0))


def _paragraphs(pages: list[_Page]) -> list[list[_Line]]:
    """Lines → paragraphs. A column that opens mid-sentence continues the last paragraph left open at the foot
    of a column, even across a page or past a footnote or figure caption printed in between."""
    paragraphs: list[list[_Line]] = []
    open_at_foot: list[int] = []
    for page in pages:
        for group in reading_order(page.items):
            column = _Column.of(group)
            current = next((k for k in reversed(open_at_foot[-12:]) if _resumes(paragraphs[k], group[0])), None)
            if current is None:
                paragraphs.append([group[0]])
                current = len(paragraphs) - 1
            else:
                paragraphs[current].append(group[0])
            for prev, line in zip(group, group[1:]):
                if _continues(paragraphs[current][0], prev, line, column):
                    paragraphs[current].append(line)
                else:
                    paragraphs.append([line])
                    current = len(paragraphs) - 1
            if len(paragraphs[current][-1].text) >= 20:  # figure labels are not prose left open
                open_at_foot.append(current)
    return paragraphs


def _vocabulary(lines: Iterable[_Line]) -> set[str]:
    """Words seen inside lines (not at their ends, where hyphenation fragments sit)."""
    vocab: set[str] = set()
    for line in lines:
        words = _WORD.findall(line.text)[1:-1]
        for word in words:
            word = word.lower()
            vocab.add(word)
            vocab.update(word.split("-"))
    return vocab


def _join(first: str, second: str, vocab: set[str]) -> str:
    """Join two lines of a paragraph, undoing end-of-line hyphenation but keeping real compounds.

    "pro-" + "duction" → "production" when the document uses "production" (or neither form); "solid-" + "state"
    stays hyphenated when "solid-state" occurs elsewhere or both halves are words of the document; so do formulas
    and element symbols ("Li7La3Zr2O12-based", "Mg-battery") and anything before a capital or a digit.
    """
    if not first.endswith(_HYPHENS) or len(first) < 2 or first[-2].isspace():
        return f"{first} {second}"
    if first.endswith("\u00ad"):
        return first[:-1] + second
    if not (first[-2].isalpha() and second[:1].islower()):
        return first + second
    token = re.search(r"\S+$", first[:-1]).group(0)
    head = re.search(r"[^\W\d_]+$", token).group(0)
    tail = re.match(r"[^\W\d_]+", second).group(0)
    if (head + tail).lower() in vocab:
        return first[:-1] + second
    if (f"{head}-{tail}".lower() in vocab or re.search(r"\d|.[A-Z]", token) or re.fullmatch(r"[A-Z][a-z]?", head)
            or (len(head) >= 3 and len(tail) >= 3 and head.lower() in vocab and tail.lower() in vocab)):
        return first + second
    return first[:-1] + second


def _paragraph_kind(lines: list[_Line], text: str, body: float) -> str:
    if _CAPTION.match(text):
        return "caption"
    if len(lines) <= 3 and len(text) <= 200 and (all(ln.bold for ln in lines) or lines[0].size >= 1.15 * body):
        return "heading"
    if _ITEM.match(text):
        return "list_item"
    return "paragraph"


# ------------------------------------------------------------------------------------------------------- document


def build_document(path: Path, pages: list[_Page], info: dict) -> SourceDocument:
    """Pure assembly from per-page items: running heads, order, paragraphs, blocks, title, DOI."""
    if not pages:
        raise ReadError(path, "PDF has no pages")
    if sum(p.n_chars for p in pages) < MIN_CHARS_PER_PAGE * len(pages):
        raise ReadError(path, "no text layer (scanned PDF; needs OCR)", skip=True)
    text_lines = [ln for p in pages for ln in p.items if ln.rows is None]
    weights: Counter[float] = Counter()
    for ln in text_lines:
        weights[round(ln.size, 1)] += len(ln.text)
    body = weights.most_common(1)[0][0] if weights else 10.0
    title = _title(pages[0].items, _text_value(info.get("Title")), body)
    doi = _find_doi(pages[0].items, info)
    drop_running_heads(pages)
    vocab = _vocabulary(ln for p in pages for ln in p.items if ln.rows is None)

    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0

    def emit(chunk: str, kind: str, page: int, separator: str) -> None:
        nonlocal offset
        chunk = chunk.strip()
        if not chunk:
            return
        if parts:
            parts.append(separator)
            offset += len(separator)
        parts.append(chunk)
        blocks.append(Block(start=offset, end=offset + len(chunk), kind=kind, page=page))
        offset += len(chunk)

    for paragraph in _paragraphs(pages):
        first = paragraph[0]
        if first.rows is not None:
            for i, row in enumerate(first.rows):
                emit(row, "table_row", first.page, "\n" if i else "\n\n")
            continue
        joined = paragraph[0].text
        for line in paragraph[1:]:
            joined = _join(joined, line.text, vocab)
        joined = re.sub(r"\s+", " ", joined)
        emit(joined, _paragraph_kind(paragraph, joined, body), first.page, "\n\n")

    text = "".join(parts)
    if not text.strip():
        raise ReadError(path, "no text layer (scanned PDF; needs OCR)", skip=True)
    metadata: dict = {"pages": len(pages)}
    if doi:
        metadata["doi"] = doi
    return SourceDocument(path=str(path), text=text, blocks=blocks, title=title, kind="paper", metadata=metadata)


def _text_value(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "ignore")
    return str(value).strip() if isinstance(value, str) else ""


def _title(items: list[_Line], declared: str, body: float) -> str | None:
    """Largest-font text on page 1. The declared /Title picks among candidates when it matches one (a journal
    masthead can be set larger than the title); a typescript without display type has its title in capitals."""
    lines = [ln for ln in items if ln.rows is None and sum(ch.isalpha() for ch in ln.text) >= 3]
    candidates: list[tuple[float, float, str]] = []
    for size in sorted({round(ln.size, 1) for ln in lines}, reverse=True)[:3]:
        groups: list[list[_Line]] = []
        for ln in sorted((ln for ln in lines if abs(ln.size - size) < 0.3), key=_position):
            if groups and 0 <= ln.top - groups[-1][-1].bottom < 1.5 * size:
                groups[-1].append(ln)
            else:
                groups.append([ln])
        for group in groups:
            text = re.sub(r"\s+", " ", " ".join(ln.text for ln in group)).strip()
            if len(text.split()) >= 2:
                candidates.append((size, group[0].top, text))
    if not candidates:
        return declared or None
    declared_words = set(_WORD.findall(declared.lower()))
    if len(declared_words) >= 3:
        def overlap(text: str) -> float:
            words = set(_WORD.findall(text.lower()))
            return len(words & declared_words) / len(words | declared_words)
        best = max(candidates, key=lambda c: (overlap(c[2]), c[0]))
        if overlap(best[2]) >= 0.5:
            return best[2]
    largest = max(candidates, key=lambda c: (c[0], -c[1]))
    if largest[0] < 1.1 * body:
        capitals = [c for c in candidates if len(c[2].split()) >= 3 and _mostly_capitals(c[2])]
        if capitals:
            return min(capitals, key=lambda c: c[1])[2]
    return largest[2]


def _mostly_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def _find_doi(items: list[_Line], info: dict) -> str | None:
    """The paper's own DOI: printed on page 1 (often in the running foot, so look before those are dropped), else
    declared in the metadata. Later pages cite other papers' DOIs."""
    first_page = " ".join(ln.text for ln in sorted(items, key=_position) if ln.rows is None)
    for source in (first_page, _text_value(info.get("doi")), _text_value(info.get("Subject"))):
        match = _DOI.search(source)
        if match:
            return match.group(0).rstrip(".,;:)]}'\"")
    return None
