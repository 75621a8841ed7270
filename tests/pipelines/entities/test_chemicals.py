"""Materials named by nomenclature, found without a lexicon entry."""
import pytest

from pipelines.entities.chemicals import find_chemical_names, find_elemental_materials


@pytest.mark.parametrize("text, expected", [
    ("a solvent blend of propylene carbonate and diethyl carbonate",
     [("propylene carbonate", "carbonate"), ("diethyl carbonate", "carbonate")]),
    ("salts such as lithium bis(oxalato)borate", [("lithium bis(oxalato)borate", "oxide")]),
    ("a coating of lithium tantalate or zirconium oxide", [("zirconium oxide", "oxide")]),
    ("adiponitrile as additive", [("adiponitrile", "other")]),
    ("NaFSI in diglyme", [("NaFSI", "other")]),
    ("the oxide layer grew", []),
    ("a 1,2-dimethoxyethane and 1,4-dioxane mix with 2-methyltetrahydrofuran", [("2-methyltetrahydrofuran", "other")]),
    ("dissolved polysulfides", [("polysulfides", "other")]),
    ("a methyl cellulose binder", [("methyl cellulose", "polymer")]),
    ("separators made of polymer-ceramic oxide composites", [("polymer-ceramic oxide composite", "composite")]),
])
def test_chemical_names(text, expected):
    assert [(name, cls) for _, _, name, cls in find_chemical_names(text)] == expected


def test_a_defined_abbreviation_of_a_chemical_name_is_that_material():
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    doc = extract_document(parse_text("t.md", "The electrolyte uses vinylene carbonate (VC) as additive. VC helps."))
    (material,) = [e for e in doc.entities if e.type == "Material"]
    assert material.name == "vinylene carbonate" and "VC" in material.aliases


@pytest.mark.parametrize("text, expected", [
    ("cells pair a silicon-carbon composite anode with a nickel-rich cathode",
     [("silicon-carbon composite anode", "anode"), ("nickel-rich cathode", "cathode")]),
    ("it enables graphite anodes", [("graphite anodes", "anode")]),   # the verb is not part of the name
    # a property is no part of the composition
    ("high-capacity silicon-carbon composite anodes", [("silicon-carbon composite anodes", "anode")]),
    ("a high-nickel cathode", [("high-nickel cathode", "cathode")]),  # unless it is the composition
])
def test_electrodes_named_by_composition(text, expected):
    from pipelines.entities.chemicals import find_composed_materials

    assert [(name, role) for _, _, name, role in find_composed_materials(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("a test cell with a gallium foil anode", [("gallium", "metal", "anode")]),
    ("an aluminium dopant and phosphorus precursor", [("aluminium", "metal", "other"), ("phosphorus", "other", "precursor")]),
    ("the copper foil current collector", []),     # a foil alone is a component
])
def test_elements_named_with_their_part(text, expected):
    assert [(name, cls, role) for _, _, name, cls, role in find_elemental_materials(text)] == expected
