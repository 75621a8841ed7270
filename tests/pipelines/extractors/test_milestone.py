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


def test_an_event_reported_as_just_done_is_dated_by_publication(extract_facts):
    facts = extract_facts("Maxell has begun shipping samples of its oxide cells.", "milestone", published="2025-05-21")
    assert ("Maxell", "2025-05", "achieved") in {(f["subject"], f["date"], f["status"]) for f in facts}
