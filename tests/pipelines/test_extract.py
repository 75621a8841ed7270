"""The extraction of one document survives a component that fails on one of its passages."""
from __future__ import annotations

import pytest

import pipelines.extract as extract
from pipelines.extract import extract_document
from pipelines.readers.text import parse_text

PAGE = """---
published: 2026-02-10
---
# Brisa Cells starts its pilot line

Brisa Cells opened a sulfide pilot line in Tarragona with an annual capacity of 40 MWh.

Its prototype cell reaches 410 Wh/kg, the company said.

Corvid Motors signed a joint development agreement with Brisa Cells in January 2026.

Brisa Cells targets mass production in 2029.
"""


def _broken_on(word: str, component):
    """`component`, raising on every passage whose text contains `word`."""
    def broken(*args, **kwargs):
        texts = [a.text if hasattr(a, "text") else a for a in args]
        if any(isinstance(t, str) and word in t for t in texts) or any(
                hasattr(a, "passage") and word in a.passage.text for a in args):
            raise IndexError("list index out of range")
        return component(*args, **kwargs)
    broken.__module__, broken.__qualname__ = component.__module__, component.__qualname__
    return broken


def _extract():
    return extract_document(parse_text("brisa.md", PAGE))


def _facts(doc) -> set[tuple[str, str]]:
    return {(f.kind, f.evidence.quote) for f in doc.facts}


def test_an_extractor_failing_on_one_passage_costs_only_that_passage(monkeypatch) -> None:
    clean = _extract()
    lost = {(kind, quote) for kind, quote in _facts(clean) if kind == "partnership" and "Corvid" in quote}
    assert lost and len(_facts(clean) - lost) >= 3
    broken = tuple(_broken_on("Corvid", e) if e.__module__.endswith("partnership") else e
                   for e in extract.EXTRACTORS)
    monkeypatch.setattr(extract, "EXTRACTORS", broken)
    doc = _extract()
    assert _facts(doc) == _facts(clean) - lost
    [incident] = doc.incidents
    passage = next(p for p in doc.passages if "Corvid" in p.text)
    assert (incident.component, incident.start, incident.end) == (
        "extractors.partnership.extract", passage.start, passage.end)
    assert incident.error == "IndexError: list index out of range"


def test_a_recogniser_failing_on_one_passage_costs_only_its_mentions(monkeypatch) -> None:
    clean = _extract()
    monkeypatch.setattr(extract, "find_candidates", _broken_on("410 Wh/kg", extract.find_candidates))
    doc = _extract()
    passage = next(p for p in doc.passages if "410 Wh/kg" in p.text)
    assert [(i.component, i.start, i.end) for i in doc.incidents] == [
        ("entities.mentions.find_candidates", passage.start, passage.end)]

    def outside(d):
        return [(m.label, m.text, m.start) for _, m in d.mentions if not passage.start <= m.start < passage.end]

    assert outside(doc) == outside(clean) and any(m.text == "Tarragona" for _, m in doc.mentions)
    assert {q for _, q in _facts(doc)} >= {q for _, q in _facts(clean)} - {passage.text}


def test_a_document_stage_failing_on_one_passage_blames_that_passage(monkeypatch) -> None:
    def broken(texts, found, headings):
        if any("Corvid" in t for t in texts):
            raise ValueError("substring not found")
        return original(texts, found, headings)

    original = extract.statistical_candidates
    broken.__module__, broken.__qualname__ = original.__module__, original.__qualname__
    monkeypatch.setattr(extract, "statistical_candidates", broken)
    doc = _extract()
    passage = next(p for p in doc.passages if "Corvid" in p.text)
    assert [(i.start, i.end, i.error) for i in doc.incidents] == [
        (passage.start, passage.end, "ValueError: substring not found")]
    assert any(m.text == "Tarragona" for _, m in doc.mentions)


def test_incidents_repeat_identically(monkeypatch) -> None:
    monkeypatch.setattr(extract, "find_candidates", _broken_on("Brisa", extract.find_candidates))
    first, second = _extract(), _extract()
    assert first.incidents and [(i.component, i.start, i.end, i.error) for i in first.incidents] == [
        (i.component, i.start, i.end, i.error) for i in second.incidents]
    assert [f.to_dict() for f in first.facts] == [f.to_dict() for f in second.facts]


def test_a_fact_whose_quote_is_not_the_text_is_dropped(monkeypatch) -> None:
    def misquoting(ctx):
        fact = ctx.fact("spec", {"subject": "x", "quantity": "energy_density", "value": 1.0, "unit": "Wh/kg"},
                        "spec-misquote", 0.5)
        fact.evidence.quote = fact.evidence.quote.upper()
        return [fact]

    monkeypatch.setattr(extract, "EXTRACTORS", (*extract.EXTRACTORS, misquoting))
    doc = _extract()
    assert all(f.evidence.method != "spec-misquote" for f in doc.facts)
    assert doc.incidents and all("not the text at its offsets" in i.error for i in doc.incidents)


@pytest.mark.parametrize("stage", ["split_passages", "normalize"])
def test_a_failing_text_stage_falls_back_to_the_text_as_it_is(monkeypatch, stage: str) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(extract, stage, broken)
    doc = _extract()
    assert doc.incidents and doc.facts
    assert all(PAGE[f.evidence.start:f.evidence.end] == f.evidence.quote for f in doc.facts)


def test_a_misquoted_fact_does_not_take_its_true_duplicate_with_it(monkeypatch) -> None:
    """Evidence is checked before facts are deduplicated: the same statement quoted truly elsewhere survives."""
    page = "# Notes\n\nVarn Cells says its cell reaches 390 Wh/kg.\n\nVarn Cells says its cell reaches 390 Wh/kg.\n"
    clean = extract_document(parse_text("varn.md", page))
    assert [f for f in clean.facts if f.kind == "spec"]

    def first_misquoted(extractor):
        def extract_specs(ctx):
            facts = extractor(ctx)
            if ctx.passage.index == 1:
                for fact in facts:
                    fact.evidence.quote = fact.evidence.quote.upper()
            return facts
        extract_specs.__module__, extract_specs.__qualname__ = extractor.__module__, extractor.__qualname__
        return extract_specs

    monkeypatch.setattr(extract, "EXTRACTORS", tuple(first_misquoted(e) if e.__module__.endswith(".spec") else e
                                                     for e in extract.EXTRACTORS))
    doc = extract_document(parse_text("varn.md", page))
    specs = [f for f in doc.facts if f.kind == "spec"]
    assert specs and all(page[f.evidence.start:f.evidence.end] == f.evidence.quote for f in specs)
    assert doc.incidents and all(i.is_bug and i.component == "extractors.spec" for i in doc.incidents)
