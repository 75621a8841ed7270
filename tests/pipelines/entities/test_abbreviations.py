"""Abbreviation definitions ("long form (SF)") on text the rules were not written for."""
from __future__ import annotations

import pytest

from pipelines.entities.abbreviations import find_definitions


@pytest.mark.parametrize(("text", "long_form", "short"), [
    ("The Baltic Electrode Consortium (BEC) opened a lab.", "Baltic Electrode Consortium", "BEC"),
    ("It uses polymer-in-salt electrolyte (PISE) layers.", "polymer-in-salt electrolyte", "PISE"),
])
def test_long_form_spelled_by_initials(text: str, long_form: str, short: str) -> None:
    assert [(d[2], d[5]) for d in find_definitions(text)] == [(long_form, short)]


@pytest.mark.parametrize("text", [
    "Anode -- (AX) tests continue.",            # a bare dash before the short form spells nothing
    "Coated grains / (GX) were sintered.",      # so does a slash
    "Results ( ) and (  ) were blank.",          # parentheses holding only spaces
])
def test_debris_before_parentheses_defines_nothing(text: str) -> None:
    assert find_definitions(text) == []
