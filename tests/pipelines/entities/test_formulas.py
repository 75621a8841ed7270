import pytest

from pipelines.entities.formulas import find_formulas, is_formula, reduced_formula, parse_formula


@pytest.mark.parametrize("token", ["Li7La3Zr2O12", "Li6PS5Cl", "LiNbO3", "Al2O3", "Li1.3Al0.3Ti1.7(PO4)3",
                                   "LiNi0.8Mn0.1Co0.1O2", "H2S", "Li2CO3"])
def test_valid_formulas(token):
    assert is_formula(token)


@pytest.mark.parametrize("token", ["NCM811", "CN118748295A", "MG4", "V21L", "QSE5", "NIO", "Li", "D2O"])
def test_not_formulas(token):
    assert not is_formula(token)


def test_glued_tokens_are_not_split_into_elements():
    assert find_formulas("composite NCO@CNTs electrode") == []


def test_identity_is_reduced_composition():
    assert reduced_formula(parse_formula("Li14La6Zr4O24")) == reduced_formula(parse_formula("Li7La3Zr2O12"))
