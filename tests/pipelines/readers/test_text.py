import pytest

from pipelines.readers.base import ReadError
from pipelines.readers.text import parse_text, read_text


def test_front_matter_sets_metadata_and_keeps_offsets():
    text = "---\ntitle: Pilot lines\nkind: report\npublished: 2026-01-05\nsource: example\n---\nToyota builds a line.\n"
    doc = parse_text("a.md", text)
    assert (doc.title, doc.kind, doc.published, doc.source) == ("Pilot lines", "report", "2026-01-05", "example")
    assert [text[b.start:b.end] for b in doc.blocks] == ["Toyota builds a line."]


@pytest.mark.parametrize("header, date", [
    ("**Date:** February 3, 2026", "2026-02-03"),
    ("**UTC:** 2026-02-27 10:08", "2026-02-27"),
])
def test_date_inferred_from_header(header, date):
    doc = parse_text("a.md", f"# Title here\n\n{header}\n\nBody text of the report.\n")
    assert doc.title == "Title here"
    assert doc.published == date


def test_wrapped_paragraph_lines_are_one_block():
    text = ("Challenges and requirements for the large-scale production of all-solid-state lithium metal\n"
            "batteries are herein evaluated via workshops with experts from research institutes and\n"
            "suppliers.\nShort heading\nAnother paragraph.")
    blocks = [text[b.start:b.end] for b in parse_text("p.txt", text).blocks]
    assert blocks[0].endswith("suppliers.") and blocks[1] == "Short heading"


def test_byline_lines_of_equal_length_stay_separate_blocks():
    text = ("A. Writer, B. Author, C. Contributor, D. Reviewer, E. Editor, F. Fellow, Grace Hopper\n"
            "Department of Chemical Engineering, Northgate University of Science, Springfield, USA\n"
            "Journal of Imaginary Batteries, Energy Storage section, published 3 March 2022\n")
    blocks = [text[b.start:b.end] for b in parse_text("p.txt", text).blocks]
    assert len(blocks) == 3 and blocks[1].startswith("Department")


@pytest.mark.parametrize("data, problem", [
    (b"", "empty file"),
    (b"   \n", "empty file"),
    (b"caf\xe9 latin-1 text", "not UTF-8"),
    (bytes(range(0, 32)) * 20, "binary"),
])
def test_bad_text_is_reported(tmp_path, data, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        read_text(path)
    assert problem in info.value.problem and info.value.path.endswith("bad.txt")


@pytest.mark.parametrize("text, kind", [
    ("A fast halide conductor\n\nAbstract\n\nWe report Li3InCl6.\n\n1. Introduction\n\nHalides are stable.\n", "paper"),
    ("Maker opens plant\n\nThe plant opened today in Ohio.\n", "news"),
])
def test_papers_are_recognised_by_their_sections(tmp_path, text, kind):
    from pipelines.readers.text import read_text

    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    assert read_text(path).kind == kind


@pytest.mark.parametrize("text, kind", [
    ("Sulfide sheets\n\nPublication number: CN1A\nApplicant: Acme Co., Ltd.\n\nAbstract\n\nA sheet.\n", "patent"),
    ("Sulfide sheets\n\nApplicant interest grew: buyers came.\n\nThe market grew.\n", "news"),
])
def test_patent_front_pages_are_recognised_by_their_fields(text, kind):
    assert parse_text("p.txt", text).kind == kind


@pytest.mark.parametrize("header", [
    "title: Ostrava Cells: a second line\npublished: 2026-04-09\nsource: Kraj Energy Wire",   # a colon in a value
    "title: Ostrava Cells: a second line\npublished: 2026-04-09\nsource: [Kraj Energy Wire",  # an open bracket
])
def test_front_matter_that_is_not_yaml_is_read_line_by_line(header):
    """A page is not lost to a typo in its metadata: its key: value lines are read, and one warning says so."""
    text = f"---\n{header}\n---\nOstrava Cells opened its second line in March.\n"
    doc = parse_text("ostrava.md", text)
    assert doc.title == "Ostrava Cells: a second line" and doc.published == "2026-04-09"
    assert text[doc.blocks[0].start:doc.blocks[0].end].startswith("Ostrava Cells opened")
    [warning] = doc.incidents
    assert "not valid YAML" in warning.line("ostrava.md") and "failed" not in warning.line("ostrava.md")


def test_front_matter_with_a_date_that_is_no_date_is_read_line_by_line():
    doc = parse_text("p.md", "---\ntitle: Tallis Cells\ndate: 2026-13-45\n---\nTallis Cells opened a line.\n")
    assert doc.title == "Tallis Cells" and doc.incidents and "not valid YAML" in doc.incidents[0].line("p.md")
