"""Quantity extraction: numbers, ranges, comparators and canonical units in normalised sentences."""
from __future__ import annotations

import time
import unicodedata

import pytest
import yaml

from pipelines.quantities import (
    SCHEMA,
    UNITS_PATH,
    Quantity,
    canonical_unit,
    convert,
    dimensionality,
    find_quantities,
    fits,
    to_pint_expression,
)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def summary(q: Quantity) -> tuple:
    return (q.value, q.value_max, q.unit, q.comparator)


# (sentence, expected (value, value_max, unit, comparator) in text order)
CASES: list[tuple[str, list[tuple]]] = [
    # energy density, range, capacity
    ("The pack reaches 420 Wh/kg at cell level.", [(420.0, None, "Wh/kg", None)]),
    ("Its anode-free cell exceeded 450Wh/kg in validation.", [(450.0, None, "Wh/kg", ">")]),
    ("Prototype cells delivered 510 Wh kg−1 and 1,150 Wh L−1.",
     [(510.0, None, "Wh/kg", None), (1150.0, None, "Wh/L", None)]),
    ("The sedan is rated for 1,050 km (652 mi) on CLTC.", [(1050.0, None, "km", None)]),
    ("The SUV covers 500 miles on one charge.", [(804.672, None, "km", None)]),
    ("A 1,000-km range is promised.", [(1000.0, None, "km", None)]),
    ("The module holds 90.5 kWh and uses 60 Ah cells.", [(90.5, None, "kWh", None), (60.0, None, "Ah", None)]),
    ("Each pouch is a 24 amp-hour cell.", [(24.0, None, "Ah", None)]),
    ("The NCM cathode delivers 205 mAh g−1 at 0.1 C.", [(205.0, None, "mAh/g", None), (0.1, None, "C", None)]),
    # ionic conductivity: scientific notation and scales
    ("The argyrodite shows 1.2 × 10−3 S cm−1 at 25 °C.",
     [(0.0012, None, "S/cm", None), (25.0, None, "°C", None)]),
    ("LLZTO conducts about 10−3 S cm−1 at room temperature.", [(0.001, None, "S/cm", "~")]),
    ("The halide reached 10-3 S cm-1 without sintering.", [(0.001, None, "S/cm", None)]),
    ("A film with 4.1x10^-4 S/cm was obtained.", [(0.00041, None, "S/cm", None)]),
    ("Values from 10−5 to 10−3 S/cm were reported.", [(1e-05, 0.001, "S/cm", None)]),
    ("Doping raised it to 12 mS·cm−1 and then 25 mS cm-1.",
     [(12.0, None, "mS/cm", None), (25.0, None, "mS/cm", None)]),
    ("Bulk conductivity is 3.2e-4 S cm-1.", [(0.00032, None, "S/cm", None)]),
    # cycles and charge time with state-of-charge windows
    ("The cell kept 90% capacity after 1,200+ cycles.", [(90.0, None, "%", None), (1200.0, None, "cycles", "+")]),
    ("It survived more than 2,000 charge cycles.", [(2000.0, None, "cycles", ">")]),
    ("It charges 10–80% in 12 min at 4C.",
     [(10.0, 80.0, "%", None), (12.0, None, "min", None), (4.0, None, "C", None)]),
    ("Charging from 20% to 80% takes under 15 minutes.",
     [(20.0, 80.0, "%", None), (15.0, None, "min", "<")]),
    ("Full charge needs 1.5 hours.", [(1.5, None, "h", None)]),
    # temperature and dew point, negatives and ranges in either order
    ("The polymer cell operates at 60-80°C.", [(60.0, 80.0, "°C", None)]),
    ("The dry room is kept at −55°C to −65°C dew point.", [(-65.0, -55.0, "°C", None)]),
    ("Sintering at 1,000–1,200 ℃ densifies the garnet.", [(1000.0, 1200.0, "°C", None)]),
    ("Operation was verified from -30 to 60 °C.", [(-30.0, 60.0, "°C", None)]),
    ("The sample was heated at a temperature of 250° C. to 450° C.", [(250.0, 450.0, "°C", None)]),
    ("Measurements at 298 K agree with the model.", [(24.85, None, "°C", None)]),
    # pressure, thickness, moisture, percent
    ("Warm isostatic pressing at 300–450 MPa closes the pores.", [(300.0, 450.0, "MPa", None)]),
    ("Stack pressure stays below 2 MPa, far from the 0.5 GPa used in pressing.",
     [(2.0, None, "MPa", "<"), (500.0, None, "MPa", None)]),
    ("The module needs only 300 kPa of clamping.", [(300.0, None, "kPa", None)]),
    ("The separator is 15-30 μm thick.", [(15.0, 30.0, "μm", None)]),
    ("Pellets up to 1.5mm thick were pressed.", [(1500.0, None, "μm", "≤")]),
    ("Lithium foil of 20 um is laminated with a <5 nm LiPON coating.",
     [(20.0, None, "μm", None), (5.0, None, "nm", "<")]),
    ("Flatness within ±3 μm is required.", [(3.0, None, "μm", "≤")]),
    ("The coating is 8 ± 0.4 µm thick.", [(8.0, None, "μm", None)]),
    ("Moisture must stay at 5 ppm H2O or lower.", [(5.0, None, "ppm", None)]),
    ("Nitrogen of 99.999% purity is fed in.", [(99.999, None, "%", None)]),
    ("The mass fraction is between 0.5% and 3%.", [(0.5, 3.0, "%", None)]),
    ("The particle size is between 2μm and 40μm.", [(2.0, 40.0, "μm", None)]),
    ("The thickness is from about 5 μm to about 30 μm.", [(5.0, 30.0, "μm", "~")]),
    ("The binder content is less than or equal to 3 wt%.", [(3.0, None, "%", "≤")]),
    # voltage, power, production capacity
    ("The cathode is cycled up to 4.4 V at 150 kW peak.", [(4.4, None, "V", "≤"), (150.0, None, "kW", None)]),
    ("The pilot line makes ~3,000 cells/month.", [(3000.0, None, "cells/month", "~")]),
    ("Output will reach 500 cells per week in 2026.", [(500.0, None, "cells/week", None)]),
    ("The site adds 8 GWh/yr, then 20 GWh per year, and 40 GWh annually.",
     [(8.0, None, "GWh/year", None), (20.0, None, "GWh/year", None), (40.0, None, "GWh/year", None)]),
    ("The polymer line runs at ~250 MWh/year.", [(250.0, None, "MWh/year", "~")]),
    ("A sulfide plant (2,500 t/yr) and 10,000 tonnes per year of precursor.",
     [(2500.0, None, "t/year", None), (10000.0, None, "t/year", None)]),
    ("The deposit holds 3M+ tons of lithium.", [(3e6, None, "t", "+")]),
    ("The jet hits at 400-600 m/s and grows 2 μm/min.", [(400.0, 600.0, "m/s", None), (2.0, None, "μm/min", None)]),
    # money and multiples
    ("The company raised $250M and is valued at $2.4B.", [(2.5e8, None, "USD", None), (2.4e9, None, "USD", None)]),
    ("It secured US$ 1.5 billion in loans.", [(1.5e9, None, "USD", None)]),
    ("The maker will invest RMB 3 billion, about 420 million yuan this year.",
     [(3e9, None, "CNY", None), (4.2e8, None, "CNY", "~")]),
    ("Cell cost should fall to $75/kWh.", [(75.0, None, "USD/kWh", None)]),
    ("Tooling costs 2-4× more than for liquid cells.", [(2.0, 4.0, "×", None)]),
]


@pytest.mark.parametrize("sentence,expected", CASES, ids=[c[0][:48] for c in CASES])
def test_find_quantities(sentence: str, expected: list[tuple]) -> None:
    got = [summary(q) for q in find_quantities(nfkc(sentence))]
    assert len(got) == len(expected), got
    for (value, value_max, unit, comparator), want in zip(got, expected):
        assert (unit, comparator) == (want[2], want[3]), got
        assert value == pytest.approx(want[0], rel=1e-6), got
        assert (value_max is None) == (want[1] is None) and (want[1] is None or value_max == pytest.approx(want[1]))


@pytest.mark.parametrize(
    "sentence",
    [
        "Toyota will start production in 2027 and scale up by 2030.",
        "Mass production is planned for 2027-2028, with pilots in mid-2026.",
        "Li6PS5Cl and Li7La3Zr2O12 are compared with NCM811 and LiNi0.8Co0.1Mn0.1O2.",
        "As shown in Fig. 3 and Table 2, the results agree [12, 14].",
        "The method according to claim 3, wherein step 2 is repeated.",
        "QuantumScape ships QSE-5 B-samples to the MG4 and i7 programmes.",
        "The next 2–3 years will decide the winners among 5 companies.",
        "Moisture forms Li2CO3 and H2S when Li2S-P2S5 glass is exposed.",
        "Report ID: 2026-02-27, updated 10:08 UTC.",
    ],
)
def test_non_quantities(sentence: str) -> None:
    assert find_quantities(nfkc(sentence)) == []


def test_offsets_cover_number_through_unit() -> None:
    text = nfkc("Samples held at −60°C to −70°C (<10 ppm H₂O) were cycled at 2C.")
    spans = [text[q.start:q.end] for q in find_quantities(text)]
    assert spans == ["−60°C to −70°C", "10 ppm", "2C"]


def test_raw_value_and_raw_unit_keep_the_text() -> None:
    (q,) = find_quantities(nfkc("It reached 1,150 Wh L⁻¹."))
    assert (q.raw_value, q.raw_unit, q.unit, q.value) == ("1,150", "Wh L−1", "Wh/L", 1150.0)


def test_shared_unit_range_is_one_quantity() -> None:
    (q,) = find_quantities("| Sulfide | 25-60°C | Pilot |")
    assert (q.value, q.value_max, q.unit) == (25.0, 60.0, "°C")
    assert q.quantity_kinds == ("temperature", "dew_point")


def test_dew_point_context_puts_dew_point_first() -> None:
    (q,) = find_quantities("The dew point must reach -45°C in the dry room.")
    assert q.quantity_kinds[0] == "dew_point"


def test_charge_window_is_attached_to_the_time() -> None:
    window, time_ = find_quantities(nfkc("375 Wh/kg cells charge 15–90% in 18 min."))[1:]
    assert window.extra["role"] == "charge_window"
    assert time_.quantity_kinds[0] == "charge_time"
    assert time_.extra["window"] == (15.0, 90.0)


def test_window_written_after_the_time() -> None:
    time_, window = find_quantities("Toyota targets 10 minutes (10-80%) charging.")
    assert time_.extra["window"] == (10.0, 80.0) and window.extra["role"] == "charge_window"


def test_restated_miles_are_not_a_second_fact() -> None:
    found = find_quantities(nfkc("It drove 1,205 km (749 mi) on one charge."))
    assert [(q.value, q.unit) for q in found] == [(1205.0, "km")]


def test_miles_alone_are_converted() -> None:
    (q,) = find_quantities("EPA range is 300 miles.")
    assert q.unit == "km" and q.value == pytest.approx(482.8032)
    assert q.extra["converted_from"] == "miles"


def test_quantity_kinds_and_misfit_rejection() -> None:
    km = Quantity(0, 6, 530.0, unit="km", quantity_kinds=("range",))
    assert not fits(km, "energy_density")
    assert fits(km, "range") and fits(km, "other")
    wh_per_l = Quantity(0, 8, 900.0, unit="Wh/L")
    assert fits(wh_per_l, "energy_density")
    assert not fits(wh_per_l, "pressure")  # same pint dimension as MPa, still not a pressure
    assert fits(Quantity(0, 4, -40.0, unit="°C"), "dew_point")
    assert not fits(Quantity(0, 4, 5.0, unit="%"), "capacity")
    assert fits("bar", "pressure") and not fits("bar", "thickness")
    assert not fits(Quantity(0, 3, 2.0, unit="C"), "temperature")


@pytest.mark.parametrize(
    "value,src,dst,expected",
    [
        (1.0, "mm", "μm", 1000.0),
        (750.0, "mi", "km", 1207.008),
        (-40.0, "°F", "°C", -40.0),
        (1.2, "mS cm−1", "S/cm", 0.0012),
        (2.0, "GWh/yr", "MWh/year", 2000.0),
        (500.0, "mAh", "Ah", 0.5),
        (1.0, "kWh/kg", "Wh/kg", 1000.0),
        (10.0, "bar", "MPa", 1.0),
    ],
)
def test_convert(value: float, src: str, dst: str, expected: float) -> None:
    assert convert(value, src, dst) == pytest.approx(expected)


def test_convert_rejects_incompatible_units() -> None:
    with pytest.raises(ValueError):
        convert(1.0, "km", "Wh/kg")
    with pytest.raises(ValueError):
        convert(1.0, "USD", "CNY")


@pytest.mark.parametrize(
    "surface,canonical",
    [("mS cm−1", "mS/cm"), ("S·cm−1", "S/cm"), ("Wh kg-1", "Wh/kg"), ("cells/month", "cells/month"),
     ("GWh/year", "GWh/year"), ("℃", "°C"), ("µm", "μm"), ("micron", "μm"), ("mAh g−1", "mAh/g"),
     ("mA cm−2", "mA/cm2"), ("tonnes/year", "t/year")],
)
def test_surface_forms_preprocess_into_pint(surface: str, canonical: str) -> None:
    assert canonical_unit(surface) == canonical
    assert dimensionality(surface) == dimensionality(canonical), to_pint_expression(surface)


def test_units_yaml_every_alias_parses_to_its_kind_dimension() -> None:
    data = yaml.safe_load(UNITS_PATH.read_text(encoding="utf-8"))
    assert set(data["kinds"]) >= {"energy_density", "range", "capacity", "cycle_life", "charge_time",
                                  "ionic_conductivity", "thickness", "pressure", "temperature", "dew_point",
                                  "production_capacity", "power", "voltage", "cost", "other"}
    for kind, units in data["kinds"].items():
        for unit in units or ():
            assert unit in data["units"], f"{kind}: {unit} has no units entry"
    for canonical, spec in data["units"].items():
        expected = dimensionality(canonical)
        for kind in spec["kinds"]:
            assert kind in data["kinds"], f"{canonical}: unknown kind {kind}"
            assert kind == "other" or canonical in data["kinds"][kind], f"{canonical} not canonical for {kind}"
        for alias in spec.get("aliases") or ():
            assert dimensionality(str(alias)) == expected, f"{alias!r} → {to_pint_expression(str(alias))!r}"
            assert convert(1.0, str(alias), canonical) is not None


def test_schema_aliases_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for entry in SCHEMA.units.values():
        for alias in entry.aliases:
            assert seen.setdefault(alias, entry.canonical) == entry.canonical, alias


def test_corpus_speed(corpus_dir) -> None:
    sentences = [line for path in sorted(corpus_dir.glob("*.txt"))
                 for line in nfkc(path.read_text(encoding="utf-8")).splitlines() if line.strip()]
    words = sum(len(s.split()) for s in sentences)
    find_quantities(sentences[0])
    started = time.perf_counter()
    for sentence in sentences:
        find_quantities(sentence)
    elapsed = time.perf_counter() - started
    assert words / elapsed > 5_000, f"{words / elapsed:.0f} words/s"


@pytest.mark.parametrize("sentence, expected", [
    ("Conductivities of 10−6–10−3 S cm−1 at room temperature.", (1e-6, 1e-3, "S/cm")),
    ("Glasses reach (10⁻⁶− 10⁻³ S cm⁻¹).", (1e-6, 1e-3, "S/cm")),
    ("LiPON conducts 10⁻⁶ S cm⁻¹.", (1e-6, None, "S/cm")),
    ("The film is 10−20 nm thick.", (10.0, 20.0, "nm")),
])
def test_powers_of_ten_survive_the_pipeline_normalisation(sentence: str, expected: tuple) -> None:
    """The pipeline folds every minus to "-", so a bare 10-3 before a conductivity unit is still 10⁻³."""
    from pipelines.normalize import normalize

    (q,) = find_quantities(normalize(sentence).text)
    value, value_max, unit = expected
    assert q.unit == unit and q.value == pytest.approx(value)
    assert q.value_max == (pytest.approx(value_max) if value_max is not None else None)


@pytest.mark.parametrize("text, expected", [
    ("The plant will make 2,500 tonnes of lithium sulfide a year.", (2500, "t/year")),
    ("The plant will make 800 t of sulfide electrolyte annually.", (800, "t/year")),
    ("The reactor holds 5 tonnes of solvent.", (5, "t")),
])
def test_a_mass_whose_period_follows_the_product_is_per_year(text, expected):
    (q,) = find_quantities(text)
    assert (q.value, q.unit) == expected


@pytest.mark.parametrize("sentence", [
    "Orrin Cells runs a pilot line with a capacity of 5e400 MWh in Ohio.",
    "The film reaches 3 × 10^999 S/cm, the preprint claims.",
    "A typo gave 1.2E-999 mS/cm for the pellet.",
])
def test_absurd_powers_of_ten_do_not_overflow(sentence: str) -> None:
    """A written power far beyond any measure is a typo: found or not, it never costs the passage its facts."""
    for q in find_quantities(sentence):
        assert q.value == q.value  # not NaN
