"""News pages: trafilatura keeps the article body (no nav, ads, scripts or styles) and reads title and date.

The text is rebuilt from trafilatura's XML tree, one block per heading, paragraph, list item and table row,
joined by blank lines, so every block has exact offsets and sentences never run across two of them.
Nothing is fetched: trafilatura only sees the bytes of the file.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from pipelines.readers.base import Block, LibraryLog, ReadError, SourceDocument, assemble

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")
_MARKUP = re.compile(r"<\s*[A-Za-z!/?]")
_SEPARATOR = "\n\n"
_BLOCK_TAGS = {"head": "heading", "p": "paragraph", "item": "list_item", "row": "table_row",
               "quote": "paragraph", "code": "paragraph"}
_SKIPPED_TAGS = {"graphic", "ref-image", "note"}


def read_html(path: str | Path) -> SourceDocument:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"cannot read ({exc.strerror})") from None
    return parse_html(path, decode_html(path, data))


def decode_html(path: str | Path, data: bytes) -> str:
    """BOM, then the charset the page declares, then UTF-8; a guess would corrupt quotes silently."""
    if not data.strip():
        raise ReadError(path, "empty file")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and len(_CONTROL_BYTES.findall(data[:4096])) > 8:  # a stray NUL is noise, many are binary
        raise ReadError(path, "binary content, not HTML")
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif utf16:
        encoding = "utf-16"
    else:
        declared = _CHARSET.search(data[:4096])
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = "utf-8"
        if encoding.replace("-", "").replace("_", "") in {"utf16", "utf32"}:
            encoding = "utf-8"  # a page declaring UTF-16 without a BOM is almost always UTF-8 in practice
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        problem = f"not decodable as {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        raise ReadError(path, problem) from None
    if not _MARKUP.search(text[:65536]):
        raise ReadError(path, "no HTML markup")
    return text


def parse_html(path: str | Path, html: str) -> SourceDocument:
    """Main text and metadata of one page. A saved fragment trafilatura will not load (no `<html>` head) is given
    to it as lxml's tree; a page where it finds no article body is read as its visible text blocks, with a warning;
    a page with no visible text is a ReadError."""
    try:
        import trafilatura
    except ImportError as exc:
        raise ReadError(path, f"HTML reading needs a module that is not installed ({exc.name or exc}); "
                              "reinstall with `pip install -e .`") from None
    try:
        with LibraryLog("trafilatura"):  # its complaints about a fragment are what the fallbacks handle
            extracted, pieces, visible_only = _extract(trafilatura, html)
    except RecursionError:
        raise ReadError(path, "unparsable HTML (nested too deeply)") from None
    except Exception as exc:  # lxml and trafilatura raise many unrelated types for broken pages
        raise ReadError(path, f"unparsable HTML ({type(exc).__name__}: {exc})") from None
    if not pieces:
        raise ReadError(path, "no main text found in the page")
    text, blocks = assemble(((None, kind, line) for kind, line in pieces), _SEPARATOR)
    url = _clean(getattr(extracted, "url", None))
    sitename = _clean(getattr(extracted, "sitename", None))
    source = sitename or (urlparse(url).hostname if url else None)
    metadata = {key: value for key, value in {
        "url": url,
        "author": _clean(getattr(extracted, "author", None)),
        "sitename": sitename,
        "description": _clean(getattr(extracted, "description", None)),
        "language": _clean(getattr(extracted, "language", None)),
    }.items() if value}
    title = _clean(getattr(extracted, "title", None)) or _first_heading(text, blocks)
    from pipelines.faults import notice

    incidents = [notice("readers.html", 0, len(text), "no article body found; read the page's visible text, menus "
                                                       "and captions included")] if visible_only else []
    return SourceDocument(path=str(path), text=text, blocks=blocks, title=title,
                          published=_clean(getattr(extracted, "date", None)), kind="news", source=source,
                          metadata=metadata, incidents=incidents)


_PROSE_WORDS = 8
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses a str that declares its encoding
_TRAFILATURA = {"with_metadata": True, "include_tables": True, "include_comments": False, "include_images": False,
                "include_formatting": False, "include_links": False, "output_format": "python"}
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "button", "select")
_VISIBLE_BLOCKS = {"p": "paragraph", "li": "list_item", "dt": "paragraph", "dd": "paragraph", "tr": "table_row",
                   "blockquote": "paragraph", "pre": "paragraph", "figcaption": "caption", "caption": "caption",
                   "div": "paragraph", "section": "paragraph", "article": "paragraph", "main": "paragraph",
                   "td": "paragraph", "th": "paragraph", "body": "paragraph",
                   **{f"h{i}": "heading" for i in range(1, 7)}}


def _extract(trafilatura, html: str) -> tuple[object, list[tuple[str, str]], bool]:
    """(trafilatura's result, (kind, text) blocks, whether they are the page's visible text rather than its body)."""
    extracted = trafilatura.bare_extraction(html, **_TRAFILATURA)
    pieces = _body_pieces(extracted)
    if not pieces and (tree := _tree(html)) is not None:
        extracted = trafilatura.bare_extraction(tree, **_TRAFILATURA) or extracted
        pieces = _body_pieces(extracted)
    if pieces or (tree := _tree(html)) is None:  # a fresh tree: trafilatura prunes the one it is given
        return extracted, pieces, False
    visible = list(_visible_pieces(tree))
    # menus and buttons alone are no text; a sentence of prose is
    return extracted, visible if any(len(line.split()) >= _PROSE_WORDS for _, line in visible) else [], True


def _tree(html: str):
    """lxml's tree of a page or fragment (a page saved from its middle has no head for trafilatura to find); None
    when there is no element at all."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ParserError, ValueError):
        return None


def _body_pieces(extracted) -> list[tuple[str, str]]:
    body = getattr(extracted, "body", None) if extracted is not None else None
    return list(_pieces(body)) if body is not None else []


def _visible_pieces(tree) -> Iterator[tuple[str, str]]:
    """The visible text of a page by blocks: what is left when no article body can be told apart. Each block gives
    its own text (inline children and tails included, blocks inside it left to themselves); a table row its cells."""
    for element in list(tree.iter(*_INVISIBLE)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in tree.iter(*_VISIBLE_BLOCKS):
        if element.tag in ("td", "th"):
            continue  # read with its row
        if element.tag == "tr":
            cells = [_own_text(cell) for cell in element if cell.tag in ("td", "th")]
            line = " | ".join(cell for cell in cells if cell)
        else:
            line = _own_text(element)
        if line:
            yield _VISIBLE_BLOCKS[element.tag], line


def _own_text(element) -> str:
    """The text of an element without the blocks inside it."""
    def parts(node) -> Iterator[str]:
        yield node.text or "" if isinstance(node.tag, str) else ""
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _VISIBLE_BLOCKS:
                yield from parts(child)
            elif isinstance(child.tag, str):
                yield " "
            yield child.tail or ""
    return " ".join("".join(parts(element)).split())


def _pieces(body) -> Iterator[tuple[str, str]]:
    """(kind, text) for every block-level element of trafilatura's tree, in document order."""
    for element in body:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIPPED_TAGS:
            continue
        if tag == "list":
            yield from _list_items(element)
        elif tag == "table":
            for row in element.iter("row"):
                cells = [_flatten(cell) for cell in row.iter("cell")]
                line = " | ".join(cell for cell in cells if cell)
                if line:
                    yield "table_row", line
        elif tag in ("div", "section", "article"):
            yield from _pieces(element)
        else:
            line = _flatten(element)
            if line:
                yield _BLOCK_TAGS.get(tag, "paragraph"), line


def _list_items(element) -> Iterator[tuple[str, str]]:
    for item in element:
        if item.tag != "item":
            continue
        line = _flatten(item, skip=("list",))
        if line:
            yield "list_item", line
        for child in item:
            if child.tag == "list":
                yield from _list_items(child)


def _flatten(element, skip: tuple[str, ...] = ()) -> str:
    lines = [_SPACE.sub(" ", line).strip() for line in "".join(_text_of(element, skip)).split("\n")]
    return "\n".join(line for line in lines if line)


def _text_of(element, skip: tuple[str, ...]) -> Iterator[str]:
    """Like itertext, but a line break stays a line break and nested lists are left to their own blocks."""
    if element.text:
        yield element.text
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "lb":
            yield "\n"
        elif tag and tag not in skip:
            yield from _text_of(child, ())
        if child.tail:
            yield child.tail


def _first_heading(text: str, blocks: list[Block]) -> str | None:
    for block in blocks[:5]:
        if block.kind == "heading":
            return text[block.start:block.end]
    return None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = _SPACE.sub(" ", value).strip()
    return value or None
