"""Organisation names found by their form, wherever the page's spacing puts their words."""
from __future__ import annotations

import pytest

from pipelines.entities.organizations import find_organizations


@pytest.mark.parametrize("text", [
    "OSLO — Fjordane Cellteknikk AS, the Norwegian start-up, said on Monday",
    "OSLO  —  Fjordane  Cellteknikk  AS,  the  Norwegian  start-up,  said  on  Monday",
    "OSLO —\nFjordane\nCellteknikk AS, the Norwegian start-up, said on Monday",
    "OSLO — Fjordane\u00a0Cellteknikk\tAS, the Norwegian start-up, said on Monday",
])
def test_legal_name_found_whatever_the_spacing(text: str) -> None:
    """A page saved with doubled spaces, line breaks or tabs between words names the same company; its offsets
    are the text as written."""
    found = [(start, end, name) for start, end, name, _, _ in find_organizations(text)]
    assert [name for _, _, name in found] == ["Fjordane Cellteknikk AS"]
    start, end, _ = found[0]
    assert " ".join(text[start:end].split()) == "Fjordane Cellteknikk AS"
