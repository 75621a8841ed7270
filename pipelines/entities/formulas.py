"""Chemical formulas in running text, validated against the element table (periodictable).

Identity is the reduced composition in Hill order, so Li₇La₃Zr₂O₁₂ written any way is one material; the
author's form is kept for display and as an alias. Tokens glued to other symbols ("NCO@CNTs") are rejected
whole rather than read as several elements.
"""
from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from math import gcd

# a token followed by "/" and a digit is a serial number ("US16/766,393"), not a formula
_TOKEN = re.compile(r"(?<![\w@/+\-])((?:[A-Z][a-z]?(?:\d+(?:\.\d+)?|[xyzδ](?:[+\-]\d*[xyzδ]?)?)?|\((?:[A-Z][a-z]?\d*(?:\.\d+)?)+\)\d*)+)(?![\w@])(?!/\d)")
_ELEMENT = re.compile(r"([A-Z][a-z]?)")
_ISOTOPE_LIKE = {"D", "T"}


@lru_cache(maxsize=20000)
def parse_formula(token: str) -> dict[str, float] | None:
    """Element → amount for a valid formula token; None when any symbol is not an element."""
    import periodictable

    concrete = re.sub(r"[xyzδ]", "", re.sub(r"([+\-])\d*[xyzδ]", "", token))
    if not concrete or any(sym in _ISOTOPE_LIKE for sym in _ELEMENT.findall(concrete)):
        return None
    try:
        formula = periodictable.formula(concrete)
    except Exception:
        return None
    atoms = {str(el): float(n) for el, n in formula.atoms.items()}
    return atoms or None


def is_formula(token: str) -> bool:
    """A plausible compound: two or more elements, explicit stoichiometry, sane amounts."""
    if not any(c.isdigit() for c in token) or len(token) < 3:
        return False
    atoms = parse_formula(token)
    if not atoms or len(atoms) < 2:
        return False
    return all(0 < n <= 100 for n in atoms.values())


def reduced_formula(atoms: dict[str, float]) -> str:
    """Hill-ordered formula divided by the greatest common divisor of integer amounts."""
    amounts = {el: Fraction(n).limit_denominator(1000) for el, n in atoms.items()}
    if all(a.denominator == 1 for a in amounts.values()):
        divisor = 0
        for a in amounts.values():
            divisor = gcd(divisor, int(a))
        amounts = {el: a / divisor for el, a in amounts.items()} if divisor > 1 else amounts
    order = sorted(amounts, key=lambda el: (el != "C", el != "H" if "C" in amounts else False, el))
    return "".join(el + ("" if amounts[el] == 1 else _num(amounts[el])) for el in order)


def _num(value: Fraction) -> str:
    return str(int(value)) if value.denominator == 1 else f"{float(value):g}"


def find_formulas(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, surface, reduced formula) for every valid formula token."""
    out = []
    for m in _TOKEN.finditer(text):
        token, start, end = m.group(1), m.start(1), m.end(1)
        if token.startswith("(") and token.endswith(")") and token.count("(") == 1:
            token, start, end = token[1:-1], start + 1, end - 1  # "(Li10GeP2S12)": a formula in parentheses
        if is_formula(token):
            out.append((start, end, token, reduced_formula(parse_formula(token))))
    return out
