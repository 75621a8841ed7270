"""Resolution within a document: short and long forms of one organisation, aliases per entity."""
from __future__ import annotations

import pytest

from kg.model import Document, Mention
from pipelines.resolve import merge_short_forms, resolve_entities

GENERIC = frozenset({"Energy", "Group", "Battery", "Technology"})


def org(name: str, method: str = "org-detector") -> Mention:
    return Mention(label="Organization", text=name, start=0, end=len(name), key=f"org:{name.lower()}", name=name,
                   method=method)


@pytest.mark.parametrize(("names", "merged"), [
    (["Varnholt", "Varnholt Energy"], {"Varnholt": "Varnholt Energy"}),
    (["Varnholt", "Varnholt Battery Group"], {"Varnholt": "Varnholt Battery Group"}),
    (["Varnholt", "Varnholt Mobility"], {}),                       # a word that is not generic: two companies
    (["Varnholt Energy", "Varnholt Battery"], {}),                 # neither is the other's short form
    (["Lund Cells", "Lund Cells Technology", "Lund"], {"Lund Cells": "Lund Cells Technology"}),
])
def test_short_form_takes_the_longer_name(names: list[str], merged: dict[str, str]) -> None:
    mentions = [org(n) for n in names]
    merge_short_forms(mentions, GENERIC)
    assert {n: m.name for n, m in zip(names, mentions) if m.name != n} == merged


def test_a_lexicon_name_wins_over_the_longer_form() -> None:
    mentions = [org("Varnholt", method="gazetteer"), org("Varnholt Energy")]
    merge_short_forms(mentions, GENERIC)
    assert [m.name for m in mentions] == ["Varnholt", "Varnholt"]


def test_many_organisations_resolve_each_with_its_own_aliases() -> None:
    """A directory page naming thousands of companies: each keeps its own aliases (and resolution stays linear)."""
    mentions = [(f"p{i}", org(f"Firm{i} Energy")) for i in range(3000)]
    mentions += [(f"q{i}", Mention(label="Organization", text=f"FIRM{i}  ENERGY", start=0, end=13,
                                   key=f"org:firm{i} energy", name=f"Firm{i} Energy")) for i in range(3000)]
    merge_short_forms([m for _, m in mentions], GENERIC)
    entities, _, _ = resolve_entities(Document(id="doc:x", name="x", path="x", content_hash="h"), mentions)
    assert len(entities) == 3000
    assert all(e.aliases == [f"FIRM{i} ENERGY"] for i, e in enumerate(entities))
