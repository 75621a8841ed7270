import pytest


def _values(facts):
    return sorted((f["subject"], f["quantity"], f["value"], f["value_max"], f["unit"]) for f in facts)


@pytest.mark.parametrize("sentence, expected", [
    ("Factorial's FEST cells reach 375 Wh/kg.", [("FEST", "energy_density", 375, None, "Wh/kg")]),
    ("High-pressure calendering: 100-500 MPa during assembly.", [("calendering", "pressure", 100, 500, "MPa")]),
    ("The sulfide dry room needs a dew point of -60°C to -70°C.", [("sulfide dry room", "dew_point", -70, -60, "°C")]),
    ("The Li6PS5Cl film reaches 1.2 × 10−3 S cm−1.", [("Li6PS5Cl", "ionic_conductivity", 0.0012, None, "S/cm")]),
    ("The lithium foil is 1 mm thick.", [("lithium metal", "thickness", 1000, None, "μm")]),
    ("The FEST cell weighs 0.98 kilograms.", [("FEST", "other", 0.98, None, "kg")]),  # a weight
])
def test_values_units_and_ranges(extract_facts, sentence, expected):
    assert _values(extract_facts(sentence, "spec")) == expected


def test_respectively_lists_pair_subjects_and_values(extract_facts):
    facts = extract_facts("Li6PS5Cl and Li10GeP2S12 reach 3.2 and 12 mS/cm, respectively.", "spec")
    assert _values(facts) == [("Li10GeP2S12", "ionic_conductivity", 12, None, "mS/cm"),
                              ("Li6PS5Cl", "ionic_conductivity", 3.2, None, "mS/cm")]


def test_negated_claim_is_not_a_spec(extract_facts):
    assert extract_facts("The FEST cell does not reach 500 Wh/kg yet.", "spec") == []


def test_unit_that_does_not_fit_is_dropped(extract_facts):
    facts = extract_facts("The pack's energy density is 530 km according to the brochure.", "spec")
    assert all(f["quantity"] != "energy_density" for f in facts)


def test_raw_value_and_unit_kept_beside_canonical(extract_facts):
    (fact,) = extract_facts("The LGPS pellet conducts 12 mS cm−1 at room temperature.", "spec")
    assert (fact["unit"], fact["raw_unit"]) == ("mS/cm", "mS cm-1") or fact["raw_unit"].startswith("mS")


@pytest.mark.parametrize("sentence, subjects", [
    ("The patent stipulates that the porosity of the coating is between 3% and 9%, and the average pore diameter "
     "is between 0.2nm and 15nm.", {3.0: "porosity", 0.2: "average pore diameter"}),
    ("The binder share is kept between 0.3% and 2%, while the mean flake diameter is between 30μm and 220μm.",
     {0.3: "binder share", 30.0: "mean flake diameter"}),
])
def test_each_coordinated_clause_keeps_its_own_subject(extract_facts, sentence, subjects):
    found = {f["value"]: f["subject"] for f in extract_facts(sentence, "spec")}
    assert found == subjects


@pytest.mark.parametrize("sentence, value, unit", [
    ("The plant has a designed annual capacity of 0.5 GWh.", 0.5, "GWh/year"),
    ("The company runs a 300 MWh production line.", 300, "MWh/year"),
])
def test_line_capacity_in_energy_is_per_year(extract_facts, sentence, value, unit):
    facts = [f for f in extract_facts("Maxell said: " + sentence, "spec") if f["quantity"] == "production_capacity"]
    assert [(round(f["value"], 6), f["unit"]) for f in facts] == [(value, unit)]


def test_a_range_shares_its_power_of_ten(extract_facts):
    (fact,) = extract_facts("The sheets of Li3InCl6 reach 4–6 × 10−4 S cm−1.", "spec")
    assert (fact["value"], fact["value_max"], fact["unit"]) == (0.0004, 0.0006, "S/cm")


@pytest.mark.parametrize("sentence, expected", [
    # money spent on a company's own plant or line is a cost, whatever the currency
    ("Panasonic said its investment in the new cathode plant totals about 30 billion yen.", ("cost", 3e10, "JPY")),
    ("Blue Solutions spent €40 million on the construction of its Brittany line.", ("cost", 4e7, "EUR")),
    # money paid for a stake in another company is not
    ("Hyundai invested $100 million for a stake in SES AI.", ("other", 1e8, "USD")),
])
def test_spending_on_plants_is_a_cost_and_stakes_are_not(extract_facts, sentence, expected):
    facts = [f for f in extract_facts(sentence, "spec") if f["unit"] == expected[2]]
    assert [(f["quantity"], f["value"], f["unit"]) for f in facts] == [expected]


def test_an_amount_restated_in_dollars_is_one_fact(extract_facts):
    facts = extract_facts("Umicore put the plant's cost at €2.8 billion ($3.0 billion).", "spec")
    assert [(f["value"], f["unit"]) for f in facts] == [(3e9, "USD")]


@pytest.mark.parametrize("sentence, expected", [
    ("The Toyama plant will make 2,500 tonnes of lithium sulfide a year.", ("production_capacity", 2500, "t/year")),
    ("The new line occupies a 12,000-square-metre building.", ("other", 12000, "m2")),
])
def test_plant_output_and_floor_area(extract_facts, sentence, expected):
    assert [(f["quantity"], f["value"], f["unit"]) for f in extract_facts(sentence, "spec")] == [expected]


def test_an_organisation_in_a_later_clause_does_not_own_the_value(extract_facts):
    text = ("Solid Power reported its quarterly results on Tuesday. Cash used in the quarter amounted to $80 million, "
            "and analysts will watch the progress of the SK On agreement.")
    facts = [f for f in extract_facts(text, "spec") if f["unit"] == "USD"]
    assert [(f["subject_org"], f["quantity"]) for f in facts] == [("Solid Power", "cost")]


def test_money_received_from_sources_belongs_to_the_recipient(extract_facts):
    text = ("Ampcera makes cells. The company received a $20 million award from Panasonic, a $1 million grant "
            "from Toyota and $200,000 from Kyocera.")
    owners = {f["value"]: f["subject_org"] for f in extract_facts(text, "spec")}
    assert owners == {20_000_000: "Ampcera", 1_000_000: "Ampcera", 200_000: "Ampcera"}


@pytest.mark.parametrize("sentence, value, unit", [
    ("Ampcera plans to ramp up to 50,000 batteries a month.", 50_000, "cells/month"),
    ("Ampcera began volume production at 30,000 units per month.", 30_000, "cells/month"),
])
def test_batteries_and_units_per_period_are_production_rates(extract_facts, sentence, value, unit):
    assert (value, unit) in {(f["value"], f["unit"]) for f in extract_facts(sentence, "spec")}


@pytest.mark.parametrize("sentence, subject", [
    # the thing named right after the value, when the clause names none before it
    ("Several groups have measured windows of only 1.5–2.0 V for Li3YCl6.", "Li3YCl6"),
    # a subject taken from the text is named in the singular, as entities are
    ("Halide glasses conduct lithium ions at 0.5 mS/cm.", "Halide glass"),
])
def test_the_subject_of_a_value(extract_facts, sentence, subject):
    assert [f["subject"] for f in extract_facts(sentence, "spec")] == [subject]


def test_a_value_stated_of_the_paper_itself_belongs_to_the_formula_its_title_names(extract_facts):
    text = ("---\nkind: paper\n---\nA garnet electrolyte (Li6.4La3Zr1.4Ta0.6O12)\n\n"
            "It shows a conductivity of 1 mS/cm at room temperature.\n")
    assert [f["subject"] for f in extract_facts(text, "spec", published=None)
            if f["quantity"] == "ionic_conductivity"] == ["Li6.4La3Zr1.4Ta0.6O12"]


@pytest.mark.parametrize("sentence, kind", [
    ("Ampcera installed 0.4 GWh of cells in May.", "other"),      # an amount installed is not a plant's output
    ("Ampcera's plant will have 8 GWh of capacity.", "production_capacity"),
])
def test_energy_installed_is_an_amount_and_plant_energy_a_capacity(extract_facts, sentence, kind):
    assert [f["quantity"] for f in extract_facts(sentence, "spec")] == [kind]


def test_values_listed_under_a_lead_with_no_organisation_belong_to_the_headlines_opener(extract_facts):
    text = ("Maxell puts Ampcera's halide cells into a test drone\n\n"
            "Maxell has flown the drone; Ampcera supplied the cells. Maxell said the drone flew 40 km. "
            "Ampcera said more cells follow.\n\nKey figures quoted for the drone:\n\n"
            "- Pack energy of 2 kWh\n")
    facts = [f for f in extract_facts(text, "spec") if f["unit"] == "kWh"]
    assert [f["subject_org"] for f in facts] == ["Maxell"]
