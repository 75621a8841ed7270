"""PDF reader: reading order, formulas, hyphenation, running heads, tables, metadata and bad input.

Small PDFs are written here byte by byte (Courier, so glyph positions are known exactly); the real papers in
../shared/corpus/pdf are used when present.
"""
from __future__ import annotations

import hashlib
import re
import struct
import time
import zlib
from functools import cache
from pathlib import Path

import pytest

from pipelines.readers.base import ReadError, SourceDocument
from pipelines.readers.pdf import read_pdf

FAMPRIKIS = "famprikis2019_natmater_review_inorganic_solid_electrolytes.pdf"
CANEPA2018 = "canepa2018_chemmater_llzo_garnet_surfaces.pdf"
CANEPA2017 = "canepa2017_natcommun_mg_spinel_solid_electrolyte_ccby.pdf"
GUIN = "guin2015_jpowsour_nasicon_conductivity_survey_tables.pdf"
HONG = "hong1976_matresbull_nasicon_scanned_ocr.pdf"
SCANNED = "cn110888712a_patent_application_scanned_no_text_layer.pdf"
TEXT_PDFS = [FAMPRIKIS, CANEPA2018, CANEPA2017, GUIN, HONG, "metzger_battery_patenting_patterns_preprint.pdf"]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# ------------------------------------------------------------------------------------------ a tiny PDF writer

PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
FILE_ID = b"0123456789abcdef"
PERMISSIONS = -44


def rc4(key: bytes, data: bytes) -> bytes:
    box = list(range(256))
    j = 0
    for i in range(256):
        j = (j + box[i] + key[i % len(key)]) % 256
        box[i], box[j] = box[j], box[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + box[i]) % 256
        box[i], box[j] = box[j], box[i]
        out.append(byte ^ box[(box[i] + box[j]) % 256])
    return bytes(out)


def standard_security(user_password: str) -> tuple[bytes, bytes, bytes]:
    """(file key, /O, /U) of the PDF standard security handler, revision 2 (40-bit RC4)."""
    def pad(password: str) -> bytes:
        return (password.encode("latin-1") + PAD)[:32]
    owner = rc4(hashlib.md5(pad("owner")).digest()[:5], pad(user_password))
    key = hashlib.md5(pad(user_password) + owner + struct.pack("<i", PERMISSIONS) + FILE_ID).digest()[:5]
    return key, owner, rc4(key, PAD)


def content(ops: list[tuple]) -> bytes:
    lines = []
    for op in ops:
        if op[0] == "text":
            _, x, y, size, text = op
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            lines.append(f"BT /F1 {size} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm ({escaped}) Tj ET")
        else:  # ("line", x0, y0, x1, y1)
            _, x0, y0, x1, y1 = op
            lines.append(f"0.5 w {x0} {y0} m {x1} {y1} l S")
    return "\n".join(lines).encode("latin-1")


def build_pdf(pages: list[list[tuple]], user_password: str | None = None, broken_checksum: bool = False) -> bytes:
    """A PDF with one Courier font; with a password its streams are RC4-encrypted as a real reader expects; with
    `broken_checksum` its streams are Flate-compressed with a damaged Adler-32 checksum, as saved files often are."""
    security = standard_security(user_password) if user_password is not None else None
    n = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"]
    for i, ops in enumerate(pages):
        number = 5 + 2 * i
        stream = content(ops)
        if security:
            object_key = hashlib.md5(security[0] + number.to_bytes(3, "little") + b"\0\0").digest()[:10]
            stream = rc4(object_key, stream)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> "
                       f">> /Contents {number} 0 R >>".encode())
        flate = b""
        if broken_checksum:
            stream, flate = zlib.compress(stream)[:-4] + b"\x00\x00\x00\x00", b" /Filter /FlateDecode"
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(stream), flate) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R /ID [<{FILE_ID.hex()}> <{FILE_ID.hex()}>]"
    if security:
        trailer += (f" /Encrypt << /Filter /Standard /V 1 /R 2 /O <{security[1].hex()}> /U <{security[2].hex()}>"
                    f" /P {PERMISSIONS} >>")
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


LEFT, RIGHT, TOP, LEADING = 50, 282, 680, 12  # 36 Courier characters of 6 pt: a 16 pt gutter, as in journals


def column(x: float, lines: list[str | list[tuple[str, int]]], top: float = TOP) -> list[tuple]:
    """Text lines; a line given as [(text, size), …] sets 7 pt runs as subscripts."""
    ops = []
    for i, line in enumerate(lines):
        y = top - i * LEADING
        cursor = x
        for text, size in ([(line, 10)] if isinstance(line, str) else line):
            ops.append(("text", cursor, y if size == 10 else y - 2.5, size, text))
            cursor += 0.6 * size * len(text)
    return ops


def page(number: int, left: list, right: list, extra: list[tuple] = ()) -> list[tuple]:
    running = [("text", LEFT, 760, 8, "Synthetic Journal of Tests, vol. 1"), ("text", 300, 30, 8, str(number))]
    return running + column(LEFT, left) + column(RIGHT, right) + list(extra)


FORMULA = [("The garnet Li", 10), ("7", 7), ("La", 10), ("3", 7), ("Zr", 10), ("2", 7), ("O", 10), ("12", 7),
           (" is", 10)]
PAPER = [
    page(1, ["Solid electrolytes are studied here", "because the left column continues",
             "on this line without interruption.", FORMULA, "a fast conductor. Its pro-",
             "duction is cheap and scalable."],
         ["The right column is read only after", "the whole left column has ended.",
          "It holds a second paragraph of text", "that belongs after the first one.",
          "Nothing here interleaves with it.", "This column ends the first page."],
         [("text", LEFT, 720, 18, "Synthetic Solid Electrolyte Paper"),
          ("text", LEFT, 100, 8, "doi:10.1234/synthetic.5678")]),
    page(2, ["Sulfide electrolytes are soft and", "easy to press into dense pellets."],
         ["Oxide electrolytes need sintering", "at high temperature to densify."]),
    page(3, ["Halide electrolytes are stable at", "high voltage against cathodes."],
         ["Polymer electrolytes are flexible", "but conduct poorly when cold."],
         [("text", LEFT, 430, 10, "Table 1. Conductivity at 25 C"),
          *[("line", 50, y, 450, y) for y in (420, 400, 380, 360)],
          *[("line", x, 360, x, 420) for x in (50, 250, 450)],
          ("text", 56, 406, 10, "Material"), ("text", 256, 406, 10, "Conductivity"),
          ("text", 56, 386, 10, "Li6PS5Cl"), ("text", 256, 386, 10, "1.0E-03"),
          ("text", 56, 366, 10, "Li7La3Zr2O12"), ("text", 256, 366, 10, "3.0E-04")]),
]


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> SourceDocument:
    path = tmp_path_factory.mktemp("pdf") / "synthetic.pdf"
    path.write_bytes(build_pdf(PAPER))
    return read_pdf(path)


def block_texts(doc: SourceDocument, kind: str | None = None) -> list[str]:
    return [doc.text[b.start:b.end] for b in doc.blocks if kind is None or b.kind == kind]


# --------------------------------------------------------------------------------------------- synthetic paper


def test_left_column_is_read_whole_before_the_right(paper: SourceDocument) -> None:
    text = flat(paper.text)
    left = "Solid electrolytes are studied here because the left column continues on this line without interruption."
    right = "The right column is read only after the whole left column has ended."
    assert left in text and right in text
    assert text.index(left) < text.index("a fast conductor") < text.index(right)


def test_subscripts_stay_with_their_formula(paper: SourceDocument) -> None:
    assert "The garnet Li7La3Zr2O12 is a fast conductor." in flat(paper.text)


def test_line_end_hyphenation_is_undone(paper: SourceDocument) -> None:
    assert "Its production is cheap and scalable." in flat(paper.text)


def test_running_head_and_page_numbers_are_dropped(paper: SourceDocument) -> None:
    assert "Synthetic Journal" not in paper.text
    assert not [t for t in block_texts(paper) if t.isdigit()]


def test_ruled_table_becomes_rows(paper: SourceDocument) -> None:
    assert block_texts(paper, "table_row") == ["Material | Conductivity", "Li6PS5Cl | 1.0E-03",
                                               "Li7La3Zr2O12 | 3.0E-04"]
    assert paper.text.count("Li6PS5Cl") == 1
    assert "Table 1. Conductivity at 25 C" in block_texts(paper, "caption")


def test_title_doi_and_page_count(paper: SourceDocument) -> None:
    assert paper.title == "Synthetic Solid Electrolyte Paper"
    assert paper.kind == "paper"
    assert paper.metadata == {"pages": 3, "doi": "10.1234/synthetic.5678"}
    assert [b.page for b in paper.blocks if "Polymer electrolytes" in paper.text[b.start:b.end]] == [3]


# ------------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("data, problem", [
    (b"", "empty file"),
    (b"\x00garbage" * 20, "not a PDF"),
    (b"%PDF-1.4\n" + b"\x00\xff" * 200, "corrupt or truncated PDF"),
    (build_pdf(PAPER)[:900], "corrupt or truncated PDF"),
    (build_pdf(PAPER)[: len(build_pdf(PAPER)) // 2], "corrupt or truncated PDF"),
    (build_pdf([[("text", 50, 700, 10, "Secret results")]], user_password="secret"), "encrypted PDF"),
])
def test_bad_pdf_is_a_read_error(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(ReadError) as caught:
        read_pdf(path)
    assert caught.value.problem.startswith(problem)
    assert not caught.value.skip
    assert caught.value.path == str(path) and "\n" not in caught.value.problem


def test_encrypted_fixture_opens_with_its_password(tmp_path: Path) -> None:
    """The encrypted case above fails for the password, not because the file is malformed."""
    import pdfplumber

    path = tmp_path / "locked.pdf"
    path.write_bytes(build_pdf([[("text", 50, 700, 10, "Secret results")]], user_password="secret"))
    with pdfplumber.open(path, password="secret") as pdf:
        assert pdf.pages[0].extract_text() == "Secret results"


def test_pages_without_text_are_skipped_not_failed(tmp_path: Path) -> None:
    path = tmp_path / "image_only.pdf"
    path.write_bytes(build_pdf([[("line", 50, 50, 500, 700)], [("line", 60, 60, 400, 600)]]))
    with pytest.raises(ReadError) as caught:
        read_pdf(path)
    assert caught.value.skip and "no text layer" in caught.value.problem


def test_a_stream_with_a_broken_checksum_is_read(tmp_path: Path) -> None:
    """The text of a damaged Flate stream is recovered (pdfminer's recovery, made linear in the stream's size)."""
    path = tmp_path / "damaged.pdf"
    lines = [f"Row {i} of the Halvard cell test log" for i in range(40)]
    path.write_bytes(build_pdf([column(LEFT, lines)], broken_checksum=True))
    doc = read_pdf(path)
    text = flat(doc.text)
    assert "Row 0 of the Halvard cell test log" in text and "Row 39 of the Halvard" in text
    [warning] = doc.incidents  # pdfminer's own log lines become one warning that names the file
    assert not warning.is_bug and warning.line("damaged.pdf").startswith("damaged.pdf: chars 0-")
    assert "damaged PDF" in warning.line("damaged.pdf")


@pytest.mark.parametrize(("data", "expected"), [
    (zlib.compress(b"BT (Kestrel cells) Tj ET" * 50)[:-4] + b"\xff\xff\xff\xff", b"BT (Kestrel cells) Tj ET" * 50),
    (zlib.compress(b"BT (Kestrel cells) Tj ET" * 50)[:-9], None),  # truncated: a prefix of the text
    (b"\x78\x9c", b""),
])
def test_corrupted_flate_recovery_keeps_what_pdfminer_keeps(data: bytes, expected: bytes | None) -> None:
    from pdfminer import pdftypes

    from pipelines.readers.pdf import decompress_corrupted

    assert pdftypes.decompress_corrupted is decompress_corrupted
    out = decompress_corrupted(data)
    if expected is None:
        assert out and (b"BT (Kestrel cells) Tj ET" * 50).startswith(out)
    else:
        assert out == expected


def test_operands_left_by_garbled_operators_do_not_hide_the_text(tmp_path: Path) -> None:
    """A damaged content stream leaves many operands on the interpreter's stack; the text after them is read,
    and each operator takes just its own operands from the top."""
    from pdfminer.pdfdevice import PDFDevice
    from pdfminer.pdfinterp import PDFResourceManager

    from pipelines.readers.pdf import _LeanInterpreter

    interpreter = _LeanInterpreter(PDFResourceManager(), PDFDevice(PDFResourceManager()))
    interpreter.argstack = list(range(10))
    assert interpreter.pop(3) == [7, 8, 9] and interpreter.pop(0) == [] and interpreter.argstack == list(range(7))
    stray = [("text", LEFT, 700, 10, "Torvik pilot results")]
    pdf = build_pdf([stray]).replace(b"BT /F1", b" ".join(b"%d" % i for i in range(20000)) + b" BT /F1", 1)
    pdf = pdf.replace(b"/Length %d" % len(content(stray)), b"/Length %d" % (len(content(stray)) + pdf.index(
        b" BT /F1") - pdf.index(b"stream\n") - len(b"stream\n") + 1), 1)
    path = tmp_path / "garbled.pdf"
    path.write_bytes(pdf)
    assert "Torvik pilot results" in read_pdf(path).text


def test_corrupted_flate_body_is_an_error() -> None:
    from pipelines.readers.pdf import decompress_corrupted

    data = bytearray(zlib.compress(bytes(range(256)) * 40))
    data[10:30] = b"\xff" * 20
    with pytest.raises(zlib.error):
        decompress_corrupted(bytes(data))


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="cannot read"):
        read_pdf(tmp_path / "absent.pdf")


# -------------------------------------------------------------------------------------------- the real papers


@pytest.fixture(scope="module")
def read(pdf_dir: Path):
    @cache
    def read_one(name: str) -> SourceDocument:
        return read_pdf(pdf_dir / name)
    return read_one


@pytest.mark.parametrize("name, sentence", [
    (FAMPRIKIS, "has led to research on battery materials taking centre stage as one of the key enabling "
                "technologies"),
    (FAMPRIKIS, "but preliminary thermal analysis results are promising"),  # foot of one column, top of the next
    (FAMPRIKIS, "The inherent slower reactivity of solids compared with liquids"),
    (CANEPA2018, "The most pressing challenges are finding solid electrolytes that are electrochemically stable "
                 "against electrodes"),
    (CANEPA2017, "Fast Li-ion transport enables intercalation electrodes, in which charge is stored by moving the "
                 "ions in and out of crystal structures"),
    (GUIN, "where sodium and the positive electrodes are molten"),
    # page 4 holds a plot of 83,000 curves, read without its vector paths
    (CANEPA2017, "subsequently reacted at 1,200 °C to form MgSc2Se4 and MgY2Se4. Nevertheless, neither diffraction "
                 "patterns nor structural parameters were reported in the original work"),
])
def test_column_text_is_not_interleaved(read, name: str, sentence: str) -> None:
    """Each sentence spans a line break in its column; pdfplumber's extract_text() splices the other column in."""
    assert sentence in flat(read(name).text)


def test_garnet_formula_keeps_subscripts(read) -> None:
    text = read(CANEPA2018).text
    assert text.count("Li7La3Zr2O12") > 20
    assert "Li La Zr O" not in text and "7 3 2 12" not in text


def test_scanned_patent_is_skipped(pdf_dir: Path) -> None:
    with pytest.raises(ReadError) as caught:
        read_pdf(pdf_dir / SCANNED)
    assert caught.value.skip and caught.value.problem == "no text layer (scanned PDF; needs OCR)"


def test_hidden_ocr_layer_is_read(read) -> None:
    doc = read(HONG)
    assert "CRYSTAL STRUCTURES AND CRYSTAL CHEMISTRY" in doc.text
    assert "skeleton structures for fast alkali-ion transport" in flat(doc.text)


def test_conductivity_tables_come_out_as_rows(read) -> None:
    doc = read(GUIN)
    rows = block_texts(doc, "table_row")
    assert len(rows) > 100
    assert "NaZr2(PO4)3 | 4.50E-06 | 4.89E-05* | 0.47 | 1.18Eþ05* | [9,25,37]" in rows
    assert all("4.50E-06" not in t for t in block_texts(doc, "paragraph"))


@pytest.mark.parametrize("name, running", [
    (FAMPRIKIS, "www.nature.com/naturematerials"),
    (CANEPA2018, "Chemistry of Materials"),
    (CANEPA2017, "NATURE COMMUNICATIONS | DOI: 10.1038/s41467-017-01772-1"),
    (GUIN, "Tietz / Journal of Power Sources"),
])
def test_running_heads_appear_at_most_once(read, name: str, running: str) -> None:
    assert flat(read(name).text).count(running) <= 1


@pytest.mark.parametrize("name, title, doi", [
    (FAMPRIKIS, "Fundamentals of inorganic solid-state electrolytes for batteries", "10.1038/s41563-019-0431-3"),
    (CANEPA2018, "Particle Morphology and Lithium Segregation to Surfaces of the Li7La3Zr2O12 Solid Electrolyte",
     "10.1021/acs.chemmater.8b00649"),
    (GUIN, "Survey of the transport properties of sodium superionic conductor materials for use in sodium batteries",
     "10.1016/j.jpowsour.2014.09.137"),
])
def test_title_and_doi(read, name: str, title: str, doi: str) -> None:
    doc = read(name)
    assert (doc.title, doc.metadata["doi"]) == (title, doi)


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_blocks_are_valid_spans_with_pages(read, name: str) -> None:
    doc = read(name)
    pages = doc.metadata["pages"]
    assert doc.blocks and doc.kind == "paper"
    previous_end = 0
    for block in doc.blocks:
        span = doc.text[block.start:block.end]
        assert span.strip() == span != ""
        assert block.start >= previous_end
        assert 1 <= block.page <= pages
        previous_end = block.end
    assert {b.page for b in doc.blocks} == set(range(1, pages + 1))


@pytest.mark.parametrize("name, pages", [(FAMPRIKIS, 14), (CANEPA2017, 8)])
def test_papers_read_in_under_ten_seconds(pdf_dir: Path, name: str, pages: int) -> None:
    """CPU time, so a busy machine does not fail it; pdfplumber's own page parsing takes a minute on canepa2017."""
    started = time.process_time()
    doc = read_pdf(pdf_dir / name)
    assert doc.metadata["pages"] == pages
    assert time.process_time() - started < 10
