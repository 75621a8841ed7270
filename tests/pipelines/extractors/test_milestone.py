import pytest


def _short(facts):
    return sorted((f["subject"], f["date"], f["status"], f["category"]) for f in facts)


@pytest.mark.parametrize("sentence, expected", [
    ("Toyota targets mass production in 2027.", [("Toyota", "2027", "planned", "mass_production")]),
    ("Honda began operating its demonstration line in January 2025.",
     [("Honda", "2025-01", "achieved", "pilot_line")]),
    ("Dongfeng aims for a rollout in Q3 2026.", [("Dongfeng", "2026-Q3", "planned", "launch")]),
    ("Nissan plans commercialization in FY 2028–2029.", [("Nissan", "2028", "planned", "launch")]),
    ("SAIC Motor delivered the first cars in Dec 2025.", [("SAIC Motor", "2025-12", "achieved", "deliveries")]),
])
def test_dated_events_with_status(extract_facts, sentence, expected):
    assert _short(extract_facts(sentence, "milestone")) == expected


@pytest.mark.parametrize("sentence, expected", [
    # building, founding a venture, partnering, supplying and testing are dated events too
    ("In August 2019 Panasonic built a 100 MWh demonstration production line.", [("Panasonic", "2019-08", "achieved")]),
    ("A joint laboratory was set up by Nissan and Panasonic on July 6, 2022.",
     [("Nissan", "2022-07-06", "achieved"), ("Panasonic", "2022-07-06", "achieved")]),
    ("Samsung SDI first partnered with Hyundai in 2021.", [("Samsung SDI", "2021", "achieved")]),
    ("Toyota has supplied 20 Ah prototype cells to partners in 2025.", [("Toyota", "2025", "achieved")]),
    ("Nissan said prototype vehicles will be driven on public roads from FY2028.", [("Nissan", "2028", "planned")]),
    ("Honda opened a line. Cells are to be produced on the line starting in January 2025.",
     [("Honda", "2025-01", "planned")]),
])
def test_events_of_building_partnering_supplying_and_testing(extract_facts, sentence, expected):
    facts = extract_facts(sentence, "milestone", published=None)
    assert sorted((f["subject"], f["date"], f["status"]) for f in facts) == expected


def test_each_clause_gets_its_own_subject_and_date(extract_facts):
    facts = extract_facts("In 2026, Toyota announced commercial production starting 2027, Samsung SDI began "
                          "pilot-line sampling, and QuantumScape shipped B-samples to Volkswagen.", "milestone")
    got = {(f["subject"], f["date"], f["category"]) for f in facts}
    assert ("Toyota", "2027", "mass_production") in got
    assert ("Samsung SDI", "2026", "sampling") in got
    assert ("QuantumScape", "2026", "sampling") in got
    assert not any(subject == "Volkswagen" for subject, _, _ in got)


def test_a_future_date_is_planned_whatever_the_verb(extract_facts):
    (fact,) = extract_facts("Chery started mass production in 2028.", "milestone", published="2026-01-01")
    assert fact["status"] == "planned"


@pytest.mark.parametrize("sentence, subjects", [
    ("Scale-up is the focus: a Factorial–Mercedes partnership, Honda demo line (since Jan 2025).", {"Honda"}),
    ("BYD, Chery, and legacy OEMs (VW, BMW) are pursuing similar timelines (2027–2030 for mass production).",
     {"BYD", "Chery", "Volkswagen", "BMW"}),
])
def test_a_date_in_a_listed_item_belongs_to_that_item(extract_facts, sentence, subjects):
    assert {f["subject"] for f in extract_facts(sentence, "milestone")} == subjects


@pytest.mark.parametrize("sentence, subjects", [
    ("In 2024 Maxell added Umicore as a partner and set up a subsidiary.", {"Maxell"}),  # the object is no subject
    ("Nissan and Honda set up a joint laboratory in 2023.", {"Nissan", "Honda"}),
    ("In 2025 Toyota's supplier Idemitsu Kosan opened a plant.", {"Idemitsu Kosan"}),    # nor is an owner
])
def test_the_event_belongs_to_the_organisations_that_open_the_clause(extract_facts, sentence, subjects):
    assert {f["subject"] for f in extract_facts(sentence, "milestone")} == subjects


def test_an_event_reported_as_just_done_is_dated_by_publication(extract_facts):
    facts = extract_facts("Maxell has begun shipping samples of its oxide cells.", "milestone", published="2025-05-21")
    assert ("Maxell", "2025-05", "achieved") in {(f["subject"], f["date"], f["status"]) for f in facts}


@pytest.mark.parametrize("sentence, expected", [
    # the date of the saying is not the event's
    ("Panasonic said in May 2025 that it aims to start sample production in 2027.",
     [("Panasonic", "2027", "planned", "sampling")]),
    ("Farasis Energy aimed to mass-produce the cell by 2029.", [("Farasis Energy", "2029", "planned",
                                                                "mass_production")]),
])
def test_the_date_of_what_was_said(extract_facts, sentence, expected):
    assert _short(extract_facts(sentence, "milestone")) == expected


@pytest.mark.parametrize("text, expected", [
    ("Solid Power's patent family was granted as US11735812B2 on 22 August 2023.", ("Solid Power", "2023-08-22")),
    ("Sulfide electrolyte powder\n\nPublication number: US11735812B2\nPublication year: 2023\n"
     "Applicant: Solid Power Operating, Inc.\n\nAbstract\n\nA sulfide electrolyte powder is disclosed.\n\n"
     "Claims\n\n1. A sulfide electrolyte powder comprising lithium, phosphorus and sulfur.\n"
     "2. The powder of claim 1, wherein the particles are below 5 μm.\n",
     ("Solid Power", "2023")),
])
def test_a_patent_publication_is_a_dated_event_of_its_applicant(text, expected):
    from pipelines.extract import extract_document
    from pipelines.readers.patent import as_patent, looks_like_patent
    from pipelines.readers.text import parse_text

    source = parse_text("patent.txt", text)
    document = extract_document(as_patent(source) if looks_like_patent(source) else source)
    events = [f.slots for f in document.facts if f.kind == "milestone"]
    assert [(f["subject"], f["date"], f["status"]) for f in events] == [(*expected, "achieved")]
