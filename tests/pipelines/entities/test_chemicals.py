"""Materials named by nomenclature, found without a lexicon entry."""
import pytest

from pipelines.entities.chemicals import find_chemical_names


@pytest.mark.parametrize("text, expected", [
    ("a solvent blend of propylene carbonate and diethyl carbonate",
     [("propylene carbonate", "carbonate"), ("diethyl carbonate", "carbonate")]),
    ("salts such as lithium bis(oxalato)borate", [("lithium bis(oxalato)borate", "oxide")]),
    ("a coating of lithium tantalate or zirconium oxide", [("zirconium oxide", "oxide")]),
    ("adiponitrile as additive", [("adiponitrile", "other")]),
    ("NaFSI in diglyme", [("NaFSI", "other")]),
    ("the oxide layer grew", []),
])
def test_chemical_names(text, expected):
    assert [(name, cls) for _, _, name, cls in find_chemical_names(text)] == expected


def test_a_defined_abbreviation_of_a_chemical_name_is_that_material():
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    doc = extract_document(parse_text("t.md", "The electrolyte uses vinylene carbonate (VC) as additive. VC helps."))
    (material,) = [e for e in doc.entities if e.type == "Material"]
    assert material.name == "vinylene carbonate" and "VC" in material.aliases
