"""Numbers with units in one normalised sentence: values, ranges, comparators and canonical units.

The surface grammar (numbers, ranges, multipliers, currency marks) lives here; the unit vocabulary, its
canonical forms per quantity kind and the rewrites into pint expressions live in `schemas/units.yaml`.
pint does the conversions, once per distinct surface unit string (cached), so the hot path is regex only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import pint

from pipelines.schemas import parse_yaml

UNITS_PATH = Path(__file__).resolve().parents[1] / "schemas" / "units.yaml"

Comparator = str  # "<" | ">" | "~" | "≤" | "≥" | "+"


@dataclass(frozen=True)
class Quantity:
    """A value with its unit as found in a sentence; `value` is the lower bound of a range."""

    start: int
    end: int
    value: float
    value_max: float | None = None
    raw_value: str = ""
    raw_unit: str = ""
    unit: str = ""
    quantity_kinds: tuple[str, ...] = ()
    comparator: Comparator | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def kind(self) -> str | None:
        return self.quantity_kinds[0] if self.quantity_kinds else None


@dataclass(frozen=True)
class UnitEntry:
    canonical: str
    kinds: tuple[str, ...]
    aliases: tuple[str, ...]
    scalable: bool = False


@dataclass(frozen=True)
class UnitSchema:
    kinds: Mapping[str, tuple[str, ...]]
    units: Mapping[str, UnitEntry]
    currency_prefixes: Mapping[str, str]
    multipliers: Mapping[str, float]
    rewrites: tuple[tuple[re.Pattern[str], str], ...]
    pint_definitions: tuple[str, ...]


def load_schema(path: Path = UNITS_PATH) -> UnitSchema:
    """Read the unit vocabulary; the canonical form of each unit is also one of its aliases."""
    data = parse_yaml(path.read_text(encoding="utf-8"))
    units = {
        str(name): UnitEntry(
            canonical=str(name),
            kinds=tuple(spec.get("kinds") or ("other",)),
            aliases=tuple(dict.fromkeys([str(name), *(str(a) for a in spec.get("aliases") or ())])),
            scalable=bool(spec.get("scalable", False)),
        )
        for name, spec in data["units"].items()
    }
    return UnitSchema(
        kinds={k: tuple(str(u) for u in v or ()) for k, v in data["kinds"].items()},
        units=units,
        currency_prefixes={str(k): str(v) for k, v in data["currency_prefixes"].items()},
        multipliers={str(k): float(v) for k, v in data["multipliers"].items()},
        rewrites=tuple((re.compile(p), r) for p, r in data["rewrites"]),
        pint_definitions=tuple(data.get("pint_definitions") or ()),
    )


SCHEMA = load_schema()


def _registry(schema: UnitSchema) -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for definition in schema.pint_definitions:
        ureg.define(definition)
    return ureg


UREG = _registry(SCHEMA)

# ---------------------------------------------------------------------------------------------- surface → pint

_FOLD = str.maketrans({"µ": "μ", "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "·": " ", "⋅": " ", "∙": " ",
                       "²": "2", "³": "3", "⁻": "-", "¹": "1"})
_EXPONENT_SIGNED = re.compile(r"([A-Za-zμ])\s*\^?\s*-\s*(\d)(?!\d)")
_EXPONENT_PLAIN = re.compile(r"([A-Za-zμ])\^?(\d)(?!\d)")
_IMPLICIT_PRODUCT = re.compile(r"(?<=[\w)%°])\s+(?=[A-Za-zμΩ°(])")


def fold_unit(surface: str) -> str:
    """One spelling per unit variant (micro sign, minus and hyphen variants, middle dots)."""
    return " ".join(surface.translate(_FOLD).split())


@lru_cache(maxsize=4096)
def to_pint_expression(surface: str) -> str:
    """Rewrite a unit as written in text ("mS cm−1", "Wh kg-1", "cells/month", "°C") into a pint expression."""
    expr = fold_unit(surface)
    for pattern, replacement in SCHEMA.rewrites:
        expr = pattern.sub(replacement, expr)
    expr = _EXPONENT_SIGNED.sub(r"\1**-\2", expr)
    expr = _EXPONENT_PLAIN.sub(r"\1**\2", expr)
    expr = _IMPLICIT_PRODUCT.sub(" * ", expr)
    return expr.strip()


@lru_cache(maxsize=4096)
def parse_unit(surface: str) -> pint.Unit:
    """The pint unit of a surface form; raises ValueError when pint cannot read it."""
    try:
        return UREG.parse_units(to_pint_expression(surface))
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError, AssertionError) as exc:
        raise ValueError(f"unknown unit {surface!r}") from exc


def dimensionality(surface: str) -> str:
    return str(parse_unit(surface).dimensionality)


def _pow10(exp: int) -> float:
    """10 to a written power, bounded: "5e400 MWh" is a typo, not an overflow that costs the passage its facts."""
    return 10.0 ** max(-300, min(exp, 300))


def _sig(x: float) -> float:
    """Round away binary noise from conversions (1 mm → 1000 μm, not 999.9999999999999)."""
    return float(f"{x:.12g}") if x else 0.0


@lru_cache(maxsize=4096)
def _affine(from_unit: str, to_unit: str) -> tuple[float, float]:
    """Slope and offset of the conversion, so repeated conversions never touch pint (°F → °C needs the offset)."""
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    try:
        zero = UREG.Quantity(0.0, src).to(dst).magnitude
        one = UREG.Quantity(1.0, src).to(dst).magnitude
    except pint.errors.PintError as exc:
        raise ValueError(f"cannot convert {from_unit!r} to {to_unit!r}") from exc
    return float(one - zero), float(zero)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """`value` in `from_unit` expressed in `to_unit` (surface or canonical forms); ValueError when incompatible."""
    slope, offset = _affine(from_unit, to_unit)
    return _sig(slope * value + offset)


# ---------------------------------------------------------------------------------------------- unit lookup

_CANONICAL_BY_FOLDED: dict[str, str] = {}
for _entry in SCHEMA.units.values():
    for _alias in _entry.aliases:
        _CANONICAL_BY_FOLDED.setdefault(fold_unit(_alias), _entry.canonical)


def canonical_unit(unit: str) -> str | None:
    """The canonical unit a surface form belongs to, when it is a known alias."""
    return _CANONICAL_BY_FOLDED.get(fold_unit(unit))


def canonical_units(kind: str) -> tuple[str, ...]:
    return SCHEMA.kinds.get(kind, ())


def kinds_of(unit: str) -> tuple[str, ...]:
    canon = canonical_unit(unit)
    return SCHEMA.units[canon].kinds if canon else ()


def fits(quantity: Quantity | str, kind: str) -> bool:
    """Whether a value (or a unit) can be a fact of this quantity kind; "other" takes any unit."""
    unit = quantity.unit if isinstance(quantity, Quantity) else quantity
    if kind == "other":
        return True
    allowed = SCHEMA.kinds.get(kind)
    if not allowed or not unit:
        return False
    canon = canonical_unit(unit)
    if canon is not None:
        return canon in allowed
    try:
        dims = parse_unit(unit).dimensionality
        return any(parse_unit(u).dimensionality == dims for u in allowed)
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------- unit regex


def _alias_regex(alias: str) -> str:
    """The pattern language of units.yaml: flexible separators, exponents, "/" or "per", micro sign variants."""
    out: list[str] = []
    i, n = 0, len(alias)
    while i < n:
        ch = alias[i]
        nxt = alias[i + 1] if i + 1 < n else ""
        if ch == " ":
            out.append(r"[\s·⋅∙*\-‐‑]*")
        elif ch == "/":
            out.append(r"(?:\s*/\s*|\s+per\s+)")
        elif ch == "-" and nxt.isdigit() and i > 0 and alias[i - 1].isalpha():
            out.append(r"\s*\^?\s*[-−–]\s*")
        elif ch == "-":
            out.append(r"[-‐‑\s]?")
        elif ch.isdigit() and i > 0 and alias[i - 1].isalpha():
            out.append(r"\^?")
            out.append(ch)
        elif ch in "μµ":
            out.append("[μµu]" if alias[i:].startswith(("μm", "µm")) else "[μµ]")
        else:
            out.append(re.escape(ch))
        i += 1
    pattern = "".join(out)
    return f"(?i:{pattern})" if re.search(r"[a-z]{4,}", alias) else pattern


_ALIAS_OF_GROUP: dict[str, tuple[str, UnitEntry]] = {}


def _unit_regex(schema: UnitSchema) -> re.Pattern[str]:
    aliases = sorted(
        ((alias, entry) for entry in schema.units.values() for alias in entry.aliases),
        key=lambda pair: (-len(pair[0]), pair[0]),
    )
    branches = []
    for index, (alias, entry) in enumerate(aliases):
        name = f"u{index}"
        _ALIAS_OF_GROUP[name] = (alias, entry)
        branches.append(f"(?P<{name}>{_alias_regex(alias)})")
    return re.compile(
        r"(?P<gap>[ \t]{0,2}|[-‐‑])(?:" + "|".join(branches) + r")"
        r"(?![A-Za-z0-9μµ_])(?!\s?\^|\s?[-−]\d(?![\d.,]))(?!\s*/\s*(?!cell\b)[A-Za-zμµ°$])"
    )


_UNIT_RE = _unit_regex(SCHEMA)


@dataclass(frozen=True)
class _Unit:
    gap: str
    surface: str  # as written
    alias: str  # the units.yaml spelling it matched; conversions are keyed on it
    start: int
    end: int
    entry: UnitEntry


def _first_chars(schema: UnitSchema) -> frozenset[str]:
    chars: set[str] = set()
    for entry in schema.units.values():
        for alias in entry.aliases:
            head = alias[0]
            chars.update({head, head.lower(), head.upper()})
    return frozenset(chars | {"μ", "µ", "u"})


_UNIT_FIRST = _first_chars(SCHEMA)


def _unit_at(text: str, pos: int) -> _Unit | None:
    probe = pos
    while probe < len(text) and probe - pos < 2 and text[probe] in " \t-‐‑":
        probe += 1
    if probe >= len(text) or text[probe] not in _UNIT_FIRST:
        return None
    m = _UNIT_RE.match(text, pos)
    if not m:
        return None
    group = m.lastgroup or ""
    alias, entry = _ALIAS_OF_GROUP[group]
    return _Unit(m.group("gap"), m.group(group), alias, m.start(group), m.end(), entry)


def is_unit(word: str) -> bool:
    """True when the whole word is a unit the schema knows ("MPa", "GWh"), so it is no candidate name."""
    unit = _unit_at(word, 0)
    return unit is not None and unit.end == len(word) and not unit.gap


@lru_cache(maxsize=8192)
def _to_canonical(surface: str, canonical: str) -> tuple[float, float]:
    if fold_unit(surface) == fold_unit(canonical):
        return 1.0, 0.0
    return _affine(surface, canonical)


# ---------------------------------------------------------------------------------------------- number grammar

_NUM = r"(?:\d{1,3}(?:,\d{3}(?!\d))+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_TOKEN = re.compile(
    r"(?P<sign>±\s?|[-−–+])?"
    r"(?:(?P<pow>10(?:\s*\^\s*(?P<psign>[-−–+]?)|(?P<umin>[−-]))(?P<pexp>\d{1,2})(?![\d.]))"
    r"|(?P<num>" + _NUM + r")"
    r"(?:(?P<x10>\s?[×xX*·]\s?10(?:\s*\^\s*(?P<xs1>[-−–+]?)\s*(?P<xe1>\d{1,2})|(?P<xs2>[-−–])(?P<xe2>\d{1,2})"
    r"|(?P<xe3>[1-9]\d?))(?![\d.]))|(?P<e>[eE](?P<es>[-−+]?)(?P<ee>\d{1,3})(?![\w.])))?)"
)
_MINUS = frozenset("-−–")
_CURRENCIES = frozenset(SCHEMA.currency_prefixes.values())


def annual_energy(q: "Quantity") -> "Quantity":
    """A plant's or line's capacity in energy is per year ("a 0.2 GWh pilot line"), in the scale it was written in
    ("10 MWh" → 10 MWh/year)."""
    if q.unit != "GWh":
        return q
    if q.raw_unit.strip().startswith("MWh"):
        return replace(q, unit="MWh/year", value=q.value * 1000,
                       value_max=q.value_max * 1000 if q.value_max is not None else None)
    return replace(q, unit="GWh/year")


def is_currency(unit: str) -> bool:
    """A canonical currency unit ("USD", "JPY"): an amount of money."""
    return unit in _CURRENCIES
_MULT = re.compile(r"(?:(?P<word>\s?(?:thousand|million|billion|trillion))|(?P<abbr>bn|mn|mln|tn|[kKMBm]))(?![A-Za-z])")
_PLUS = re.compile(r"\+(?!\d)")
_SEP = re.compile(
    r"\.?\s*(?:(?P<dash>[-–—−~‐])|(?P<word>to|and|through))\s*"
    r"(?:(?:about|approximately|around|roughly|ca\.)\s+|[~≈∼]\s*)?",
    re.I,
)
_BETWEEN = re.compile(r"(?i)\bbetween\s+(?:about\s+|approximately\s+|around\s+|[~≈∼]\s*)?$")
_GLUED_OK = frozenset(" \t\n([{|:;,=<>~≤≥≈\"'“‘/")
_REFERENCE = re.compile(
    r"(?i)(?:\b(?:figs?|tabs?|eqs?|refs?|nos?|pp?|sec|vol)\.|\b(?:fig|figures?|tables?|eq|equations?|ref|"
    r"schemes?|sections?|chapters?|pages?)\b|#|§)\s*\(?$"
)
_COMPARATORS: tuple[tuple[str, str], ...] = (
    ("≤", r"≤|<=|=<|\bless than or equal to|\bno more than|\bnot more than|\bat most|\bup to|\bmaximum of|\bmax\."
          r"|\bnot exceeding|\bno greater than|\bwithin|\bas (?:little|few) as"),
    ("≥", r"≥|>=|=>|\bgreater than or equal to|\bmore than or equal to|\bno less than|\bnot less than|\bat least"
          r"|\bminimum of|\bmin\.|\bas (?:much|many|high|long) as"),
    ("<", r"<|\bless than|\bfewer than|\blower than|\bsmaller than|\bshorter than|\bbelow|\bunder"),
    (">", r">|\bmore than|\bgreater than|\bhigher than|\blonger than|\bover|\babove|\bexceed(?:s|ed|ing)?"
          r"|\bin excess of|\bbeyond|\bsurpass(?:es|ed|ing)?|\btop(?:s|ped|ping)"),
    ("~", r"~|∼|≈|≃|\babout|\baround|\bapproximately|\bapprox\.?|\broughly|\bnearly|\balmost|\bcirca|\bca\."
          r"|\bsome|\bclose to|\ban estimated|\bestimated"),
)
_COMPARATOR_RE = re.compile(
    "(?i)(?:" + "|".join(f"(?P<c{i}>{p})" for i, (_, p) in enumerate(_COMPARATORS)) + r")\s*$"
)
_CURRENCY_RE = re.compile(
    "(?:" + "|".join(
        (r"(?<![A-Za-z])" if p[0].isalpha() else "") + re.escape(p)
        for p in sorted(SCHEMA.currency_prefixes, key=len, reverse=True)
    ) + r")\s?$"
)
_PER_ENERGY = re.compile(r"\s?(?:/|per\s+)(?P<e>kWh|Wh|MWh)(?![A-Za-z])")
_CONDUCTIVITY_AHEAD = re.compile(r"[^;,()]{0,30}?(?<![A-Za-z])[mμµ]?S\s*(?:/\s*c?m|[·⋅ ]?\s*c?m\s*\^?[-−]\s*1)")
_C_FRACTION = re.compile(r"(?<![\w/°])C\s?/\s?(?P<d>\d{1,3}(?:\.\d+)?)(?![\d.]?\d)")
_WINDOW_GAP = re.compile(r"(?i)\b(?:in|within|takes?|taking|under)\b")
_WINDOW_AFTER = re.compile(r"(?i)\s*(?:\(\s*|(?:of\s+)?(?:charg(?:e|ing)\s+)?(?:from|to)\s+)")
_TIMES_AFTER = re.compile(
    r"(?i)\s*(?:$|[.,;:!?]|(?:more|higher|faster|greater|larger|lower|less|longer|shorter|better|cheaper|smaller|"
    r"denser|improvement|increase|reduction|boost|gain|the|as|that|than|over|compared|vs)\b)"
)
_DATE_PREPOSITION = re.compile(r"(?i)\b(?:in|by|since|until|till|from|before|after|during|of|early|late|mid)[\s-]*$")
_SIGNED_UNITS = frozenset({"°C", "V", "%", "eV"})
_DEW = re.compile(r"(?i)\bdew\b")
_DIGIT = re.compile(r"\d")
_LOOKBACK = 48


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    sign: str
    value: float  # unsigned
    raw: str
    integer: bool
    power_of_ten: int | None = None  # a bare "10−3" or "10-3": a superscript minus lost by NFKC and folding
    scale: int | None = None  # the exponent of "3 × 10−4" or "3e-4", shared by a range's first bound


def _token(m: re.Match[str]) -> _Tok:
    sign = (m.group("sign") or "").strip()
    if m.group("pow"):
        negative = (m.group("psign") or m.group("umin") or "") in _MINUS
        exp = int(m.group("pexp")) * (-1 if negative else 1)
        return _Tok(m.start(), m.end(), sign, _sig(_pow10(exp)), m.group(0), False,
                    exp if m.group("umin") else None)
    num = m.group("num")
    value = float(num.replace(",", ""))
    exp = None
    if m.group("x10"):
        digits = m.group("xe1") or m.group("xe2") or m.group("xe3")
        exp = int(digits) * (-1 if (m.group("xs1") or m.group("xs2") or "") in _MINUS else 1)
    elif m.group("e"):
        exp = int(m.group("ee")) * (-1 if m.group("es") in ("-", "−") else 1)
    if exp is not None:
        value = _sig(value * _pow10(exp))
    return _Tok(m.start(), m.end(), sign, value, m.group(0), exp is None and "." not in num, scale=exp)


def _split_power(tok: _Tok) -> list[_Tok]:
    """"10−20 nm" is a range written with a minus sign, not 10⁻²⁰: undo the power-of-ten reading."""
    cut = next(i for i, ch in enumerate(tok.raw) if i >= 2 and ch in "−-")
    head = _Tok(tok.start, tok.start + cut, tok.sign, 10.0, tok.raw[:cut], True)
    exp = tok.raw[cut + 1:]
    return [head, _Tok(tok.start + cut, tok.end, "−", float(exp), tok.raw[cut:], True)]


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        tok = _token(m)
        if tok.power_of_ten is not None and not _CONDUCTIVITY_AHEAD.match(text, tok.end):
            toks.extend(_split_power(tok))
        else:
            toks.append(tok)
    return toks


def _valid_start(text: str, start: int) -> bool:
    """Reject digits that belong to formulas (Li6PS5Cl), model names (MG4), versions and references (Fig. 3)."""
    if start == 0:
        return True
    before = text[start - 1]
    if before.isalnum() or before in "_/#\\":
        return False
    if before == "." and start >= 2 and text[start - 2].isdigit():
        return False
    if before in "-‐‑" and start >= 2 and text[start - 2].isalpha():
        return text[max(0, start - 4):start - 1].lower() == "sub"
    return not _REFERENCE.search(text, max(0, start - 16), start)


def _year_like(tok: _Tok) -> bool:
    return tok.integer and len(tok.raw) - len(tok.sign) == 4 and not tok.sign and 1900 <= tok.value <= 2100


def _dated(text: str, tok: _Tok) -> bool:
    """"in 2024 GWh output rose": a year after a preposition is a date even when a unit follows."""
    return _year_like(tok) and bool(_DATE_PREPOSITION.search(text, max(0, tok.start - 12), tok.start))


def _comparator(text: str, start: int) -> str | None:
    m = _COMPARATOR_RE.search(text, max(0, start - _LOOKBACK), start)
    if not m:
        if text[max(0, start - 4):start].lower() == "sub-":
            return "<"
        return None
    return _COMPARATORS[int((m.lastgroup or "c0")[1:])][0]


@dataclass(frozen=True)
class _Currency:
    code: str
    start: int
    surface: str


def _currency_before(text: str, start: int) -> _Currency | None:
    m = _CURRENCY_RE.search(text, max(0, start - 6), start)
    if not m:
        return None
    surface = m.group(0).rstrip()
    return _Currency(SCHEMA.currency_prefixes[surface], m.start(), surface)


@dataclass(frozen=True)
class _Tail:
    """What follows a number: multiplier, "+", unit, and where the quantity ends."""

    end: int
    factor: float = 1.0
    plus: bool = False
    unit: _Unit | None = None


def _tail(text: str, pos: int, currency: bool) -> _Tail:
    mult = _MULT.match(text, pos)
    if mult:
        word = (mult.group("word") or mult.group("abbr")).strip()
        after = mult.end()
        plus = _PLUS.match(text, after)
        after = plus.end() if plus else after
        unit = _unit_at(text, after)
        if currency:
            unit = unit if unit and unit.entry.canonical in _CURRENCIES else None
            return _Tail(unit.end if unit else after, SCHEMA.multipliers[word], bool(plus), unit)
        if word != "m" and unit and unit.entry.scalable and unit.gap != "-":
            return _Tail(unit.end, SCHEMA.multipliers[word], bool(plus), unit)
    plus = _PLUS.match(text, pos)
    after = plus.end() if plus else pos
    unit = _unit_at(text, after)
    if currency and unit and unit.entry.canonical not in _CURRENCIES:
        unit = None
    return _Tail(unit.end if unit else after, 1.0, bool(plus), unit)


def _unit_ok(tok: _Tok, value: float, unit: _Unit, text: str) -> bool:
    """Plausibility of the short, ambiguous unit symbols (C-rate, kelvin, "x", single letters after years)."""
    canon, surface = unit.entry.canonical, unit.surface
    if _year_like(tok) and unit.gap and (len(surface) == 1 or canon in _CURRENCIES or _dated(text, tok)):
        return False
    if canon == "C":
        limit = 100 if not unit.gap else 20
        return 0 < value <= limit and unit.gap != "-" and not text.startswith("/", unit.end)
    if surface == "K":
        if not 20 <= value <= 3000:
            return False
        return bool(unit.gap) or not re.match(r"\s+[a-z]", text[unit.end:unit.end + 3])
    if surface in ("x", "X"):
        return unit.gap == "" and text[unit.start - 1].isdigit() and bool(_TIMES_AFTER.match(text, unit.end))
    if canon == "×":
        return not re.match(r"\s*\d", text[unit.end:unit.end + 4])
    return True


def _kinds(entry: UnitEntry, text: str) -> tuple[str, ...]:
    if "dew_point" in entry.kinds and _DEW.search(text):
        return ("dew_point",) + tuple(k for k in entry.kinds if k != "dew_point")
    return entry.kinds


def _in_canonical(unit: _Unit, value: float) -> float:
    slope, offset = _to_canonical(unit.alias, unit.entry.canonical)
    return _sig(slope * value + offset)


@dataclass
class _Draft:
    """A quantity being assembled, before it is frozen into a Quantity."""

    start: int
    num_start: int
    value: float
    value_max: float | None = None
    currency: _Currency | None = None
    plus: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _assemble(text: str, toks: list[_Tok], i: int) -> tuple[Quantity | None, int]:
    """One quantity starting at token i (a value, a range or a value ± tolerance), and the tokens consumed."""
    t1 = toks[i]
    negative = t1.sign in _MINUS
    num_start = t1.start
    if negative and t1.start > 0 and text[t1.start - 1] not in _GLUED_OK:
        if text[max(0, t1.start - 3):t1.start].lower() != "sub":
            return None, 1
        negative, num_start = False, t1.start + 1
    currency = _currency_before(text, t1.start) if not t1.sign else None
    start = currency.start if currency else num_start
    if not _valid_start(text, start):
        return None, 1
    v1 = -t1.value if negative else t1.value
    draft = _Draft(start, num_start, v1, currency=currency)
    if t1.sign == "±":
        draft.extra["plus_minus"] = True
    tail1 = _tail(text, t1.end, currency is not None)

    t2 = toks[i + 1] if i + 1 < len(toks) else None
    if t2 is not None and not (tail1.unit and tail1.unit.entry.canonical == "×"):
        gap = text[tail1.end:t2.start]
        if currency:
            again = _CURRENCY_RE.search(gap)
            gap = gap[:again.start()] if again else gap
        if t2.sign == "±" and not gap.strip() and tail1.unit is None and tail1.factor == 1.0:
            made = _with_tolerance(text, draft, t1, t2)
            if made:
                return made, 2
        elif not gap and t2.sign in _MINUS | {"~"}:
            made = _range(text, draft, t1, tail1, t2, t2.value)
            if made:
                return made, 2
        else:
            sep = _SEP.fullmatch(gap)
            between = _BETWEEN.search(text, max(0, start - 24), start)
            if sep and t2.sign not in ("+", "±") and ((sep.group("word") or "").lower() != "and" or between):
                v2 = -t2.value if t2.sign in _MINUS else t2.value
                made = _range(text, draft, t1, tail1, t2, v2)
                if made:
                    return made, 2
    return _single(text, draft, t1, tail1), 1


def _with_tolerance(text: str, draft: _Draft, t1: _Tok, t2: _Tok) -> Quantity | None:
    tail = _tail(text, t2.end, draft.currency is not None)
    unit = tail.unit
    if unit is None or not _unit_ok(t1, draft.value, unit, text):
        return None
    draft.extra["tolerance"] = abs(_in_canonical(unit, t2.value) - _in_canonical(unit, 0.0))
    draft.value = _in_canonical(unit, draft.value)
    return _freeze(text, draft, tail.end, unit)


def _range(text: str, draft: _Draft, t1: _Tok, tail1: _Tail, t2: _Tok, v2: float) -> Quantity | None:
    tail2 = _tail(text, t2.end, draft.currency is not None)
    unit = tail2.unit
    if unit is None and draft.currency is None:
        return None
    if tail1.unit is not None and (unit is None or tail1.unit.entry.canonical != unit.entry.canonical):
        return None
    if _year_like(t1) != _year_like(t2) or (unit is not None and not _unit_ok(t2, v2, unit, text)):
        return None
    if unit is not None and "ionic_conductivity" in unit.entry.kinds and tail1.unit is None and t1.raw == "10" \
            and t2.start == tail1.end and t2.integer and t2.value < 10 and t2.sign in _MINUS:
        draft.value = _in_canonical(unit, 10.0 ** -t2.value)
        return _freeze(text, draft, tail2.end, unit)
    if t2.scale is not None and t1.scale is None and tail1.unit is None:
        draft.value = _sig(draft.value * 10.0 ** t2.scale)  # "2–3 × 10−4 S/cm": both bounds carry the power
    factor1 = tail1.factor if tail1.factor != 1.0 else tail2.factor
    low, high = draft.value * factor1, v2 * tail2.factor
    if unit is not None:
        low = _in_canonical(tail1.unit or unit, low)
        high = _in_canonical(unit, high)
    draft.value, draft.value_max = min(low, high), max(low, high)
    draft.plus = tail2.plus
    return _freeze(text, draft, tail2.end, unit)


def _single(text: str, draft: _Draft, t1: _Tok, tail1: _Tail) -> Quantity | None:
    unit = tail1.unit
    if unit is None and draft.currency is None:
        return None
    if unit is not None and not _unit_ok(t1, draft.value, unit, text):
        return None
    draft.plus = tail1.plus
    value = draft.value * tail1.factor
    value = _in_canonical(unit, value) if unit is not None else value
    draft.value = abs(value) if t1.sign == "±" else value
    return _freeze(text, draft, tail1.end, unit)


def _freeze(text: str, draft: _Draft, end: int, unit: _Unit | None) -> Quantity:
    value, value_max, extra = draft.value, draft.value_max, draft.extra
    if draft.currency is not None:
        code, surface = draft.currency.code, draft.currency.surface
        canonical, raw_unit, num_end = code, surface, end
        per = _PER_ENERGY.match(text, end) if unit is None else None
        per_canonical = canonical_unit(f"{code}/{per.group('e')}") if per else None
        if per and per_canonical:
            slope, _ = _to_canonical(f"{code}/{per.group('e')}", per_canonical)
            value = value * slope
            value_max = value_max * slope if value_max is not None else None
            canonical, raw_unit, end = per_canonical, surface + per.group(0).strip(), per.end()
        elif unit is not None:
            canonical, raw_unit, num_end = unit.entry.canonical, f"{surface} {unit.surface}", unit.start
        entry = SCHEMA.units[canonical]
        raw_value = text[draft.num_start:num_end].strip()
    else:
        assert unit is not None
        entry, raw_unit = unit.entry, unit.surface
        raw_value = text[draft.num_start:unit.start].rstrip(" \t-‐‑")
        if _to_canonical(unit.alias, entry.canonical) != (1.0, 0.0):
            extra = {**extra, "converted_from": unit.alias}
    return Quantity(start=draft.start, end=end, value=_sig(value),
                    value_max=_sig(value_max) if value_max is not None else None, raw_value=raw_value,
                    raw_unit=raw_unit, unit=entry.canonical, quantity_kinds=_kinds(entry, text),
                    comparator=_comparator(text, draft.start) or ("+" if draft.plus else None), extra=extra)


def _c_fractions(text: str, taken: list[Quantity]) -> list[Quantity]:
    """"C/3" is a C-rate of one third."""
    found = []
    for m in _C_FRACTION.finditer(text):
        denominator = float(m.group("d"))
        if denominator <= 0 or any(q.start < m.end() and m.start() < q.end for q in taken):
            continue
        found.append(Quantity(m.start(), m.end(), _sig(1.0 / denominator), None, m.group(0), "C", "C",
                              SCHEMA.units["C"].kinds, _comparator(text, m.start()), {}))
    return found


def _charge_windows(text: str, found: list[Quantity]) -> list[Quantity]:
    """"15–90% in 18 min", "10 minutes (10-80%)": the time is a charge time over that state-of-charge window."""
    out = list(found)
    for k in range(len(out) - 1):
        first, second = out[k], out[k + 1]
        gap = text[first.end:second.start]
        if len(gap) > 40 or _DIGIT.search(gap) or any(c in gap for c in ";|"):
            continue
        if first.unit == "%" and second.unit in ("min", "h") and _WINDOW_GAP.search(gap):
            window, time = k, k + 1
        elif first.unit in ("min", "h") and second.unit == "%" and _WINDOW_AFTER.fullmatch(gap) and (
                second.value_max is not None or re.search(r"\bto\s*$", gap)):
            window, time = k + 1, k
        else:
            continue
        q, r = out[window], out[time]
        low = q.value if q.value_max is not None else None
        high = q.value_max if q.value_max is not None else q.value
        out[window] = replace(q, extra={**q.extra, "role": "charge_window"})
        kinds = ("charge_time",) + tuple(x for x in r.quantity_kinds if x != "charge_time")
        out[time] = replace(r, quantity_kinds=kinds, extra={**r.extra, "window": (low, high)})
    return out


def _drop_restatements(found: list[Quantity]) -> list[Quantity]:
    """"1,205 km (750 mi)": a value converted from another scale restates one given alongside."""
    def close(a: Quantity, b: Quantity) -> bool:
        tolerance = 2.5 if a.unit == "°C" else 0.1 * max(abs(a.value), abs(b.value))
        return abs(a.value - b.value) <= tolerance

    return [
        q for q in found
        if "converted_from" not in q.extra
        or not any(p is not q and p.unit == q.unit and "converted_from" not in p.extra and close(p, q) for p in found)
    ]


_RESTATED = re.compile(r"\s*[(\[]\s*(?:about|approx(?:imately|\.)?|around|roughly|some|ca\.|~)?\s*$", re.I)


def _drop_currency_restatements(text: str, found: list[Quantity]) -> list[Quantity]:
    """"21.3 billion yen ($143 million)": one amount given in two currencies; the US dollar figure is kept (it is
    the canonical currency), else the one written first."""
    drop: set[int] = set()
    for a, b in zip(found, found[1:]):
        if a.unit != b.unit and is_currency(a.unit) and is_currency(b.unit) \
                and _RESTATED.fullmatch(text[a.end:b.start]):
            drop.add(id(a) if b.unit == "USD" else id(b))
    return [q for q in found if id(q) not in drop]


_OF_SOMETHING_A_YEAR = re.compile(r"\s+of\s+(?:[\w\-()]+\s+){1,5}?(?:(?:a|per|each|every)\s+year|annually|yearly|"
                                  r"per\s+annum)\b", re.I)


def _per_year(text: str, found: list[Quantity]) -> list[Quantity]:
    """"1,000 metric tons of lithium sulphide a year": a mass whose period follows what is produced is per year."""
    return [replace(q, unit="t/year", quantity_kinds=kinds_of("t/year")) if q.unit == "t"
            and _OF_SOMETHING_A_YEAR.match(text, q.end) else q for q in found]


def find_quantities(text: str) -> list[Quantity]:
    """All values with a recognised unit (or currency) in one normalised sentence, in text order."""
    if not _DIGIT.search(text):
        return []
    toks = _tokens(text)
    found: list[Quantity] = []
    i = 0
    while i < len(toks):
        try:
            quantity, used = _assemble(text, toks, i)
        except ValueError:
            quantity, used = None, 1
        if quantity is not None and (quantity.value >= 0 or quantity.unit in _SIGNED_UNITS):
            found.append(quantity)
        i += used
    if "C/" in text or "C /" in text:
        found = sorted(found + _c_fractions(text, found), key=lambda q: q.start)
    found = _per_year(text, found)
    if len(found) > 1:
        found = _drop_currency_restatements(text, _drop_restatements(_charge_windows(text, found)))
    return found


__all__ = [
    "Quantity", "UnitEntry", "UnitSchema", "SCHEMA", "UREG", "UNITS_PATH", "load_schema", "find_quantities",
    "fits", "convert", "canonical_unit", "canonical_units", "kinds_of", "to_pint_expression", "parse_unit",
    "dimensionality", "fold_unit",
]
