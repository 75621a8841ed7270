"""Isolation of component failures: the passage a component raises on is blamed, the others keep their output."""
from __future__ import annotations

import pytest

from pipelines.faults import Isolation, component_name

SPANS = [(0, 10), (11, 25), (26, 40)]


def shout(texts: list[str]) -> list[str]:
    """A document-level stage with one output per passage that cannot read one kind of passage."""
    if any("\u2603" in t for t in texts):
        raise IndexError("list index out of range")
    return [t.upper() for t in texts]


def pairs_only(texts: list[str]) -> list[str]:
    """A stage that fails on a combination of passages (more than two at once), never on one alone."""
    if len(texts) > 2:
        raise ValueError("too many")
    return [t[::-1] for t in texts]


def count_words(texts: list[str]) -> int:
    if any("\u2603" in t for t in texts):
        raise KeyError("snowman")
    return sum(len(t.split()) for t in texts)


def test_call_returns_the_fallback_and_names_component_and_span() -> None:
    guard = Isolation((0, 40))
    assert guard.call((11, 25), [], shout, ["ok", "\u2603"]) == []
    assert guard.call((0, 10), [], shout, ["ok"]) == ["OK"]
    [incident] = guard.incidents
    assert incident.component.endswith("test_faults.shout") and (incident.start, incident.end) == (11, 25)
    assert incident.error == "IndexError: list index out of range"
    assert "in shout" in incident.where and "Traceback" in incident.traceback
    assert "chars 11-25" in incident.line("page.txt") and incident.line("page.txt").startswith("page.txt: ")


@pytest.mark.parametrize(("texts", "expected", "blamed"), [
    (["alpha", "be\u2603ta", "gamma"], ["ALPHA", [], "GAMMA"], [(11, 25)]),
    (["\u2603", "beta", "\u2603"], [[], "BETA", []], [(0, 10), (26, 40)]),
    (["alpha", "beta", "gamma"], ["ALPHA", "BETA", "GAMMA"], []),
])
def test_per_passage_blames_only_the_passages_it_fails_on(texts, expected, blamed) -> None:
    guard = Isolation((0, 40))
    assert guard.per_passage(SPANS, shout, texts) == expected
    assert [(i.start, i.end) for i in guard.incidents] == blamed


def test_per_passage_failing_on_a_combination_runs_each_passage_alone() -> None:
    guard = Isolation((0, 40))
    assert guard.per_passage(SPANS, pairs_only, ["ab", "cd", "ef"]) == ["ba", "dc", "fe"]
    [incident] = guard.incidents
    assert (incident.start, incident.end) == (0, 40) and "too many" in incident.error


@pytest.mark.parametrize(("texts", "expected", "blamed"), [
    (["one two", "thr\u2603ee", "four"], 3, [(11, 25)]),
    (["one two", "three", "four"], 4, []),
])
def test_aggregate_runs_again_without_the_culprits(texts, expected, blamed) -> None:
    guard = Isolation((0, 40))
    assert guard.aggregate(SPANS, -1, count_words, texts) == expected
    assert [(i.start, i.end) for i in guard.incidents] == blamed


def test_memory_errors_are_not_isolated() -> None:
    """A document too large for memory is the whole file's problem, reported by ingest as such."""
    def exhausted(_):
        raise MemoryError

    with pytest.raises(MemoryError):
        Isolation().call((0, 1), None, exhausted, "x")


def test_component_names_are_short_and_stable() -> None:
    from functools import partial

    from pipelines.extractors import spec

    assert component_name(spec.extract) == "extractors.spec.extract"
    assert component_name(partial(spec.extract)) == "extractors.spec.extract"
