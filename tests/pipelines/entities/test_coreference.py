"""Anaphors stand for the organisation last named as a subject, so facts split over two sentences are kept."""
import pytest

from pipelines.entities.coreference import find_anaphors


@pytest.mark.parametrize("text, found", [
    ("The company said it will expand.", ["The company"]),
    ("The Japanese battery maker plans a second line.", ["The Japanese battery maker"]),
    ("The company's new plant opens in May.", ["The company"]),
    ("It is building a plant in Ohio.", ["It"]),
    ("It's building a plant in Ohio.", ["It"]),
    ("The startup Blue Current raised funds.", []),      # an apposition names the company itself
    ("Engineers found it hard to scale.", []),           # "it" as an object is not a subject
    ("It is expected that costs fall.", []),             # expletive "it"
])
def test_anaphors(text, found):
    assert [text[a:b] for a, b in find_anaphors(text)] == found


@pytest.mark.parametrize("text, kind, expected", [
    ("Maxell Ltd. opened a new factory in Kyoto.\n\nThe company plans mass production of sulfide cells in 2027.",
     "milestone", ("Maxell", "2027")),
    ("TDK unveiled a small oxide cell.\n\nIt reaches 100 Wh/L.", "spec", ("TDK", 100.0)),
])
def test_facts_split_over_two_sentences(extract_facts, text, kind, expected):
    facts = extract_facts(text, kind)
    if kind == "milestone":
        assert expected in {(f["subject"], f["date"]) for f in facts}
    else:
        assert expected in {(f["subject_org"], f["value"]) for f in facts}


def test_a_definite_line_takes_the_chemistry_of_the_next_sentence(extract_facts):
    text = ("Umicore commissioned a pilot production line near Antwerp.\n\n"
            "The pilot line is designed to make sulfide-based electrolyte powders.")
    lines = extract_facts(text, "production_line")
    assert ("Umicore", "pilot", "sulfide") in {(f["org"], f["stage"], f["chemistry"]) for f in lines}


def test_a_pronoun_reaches_back_one_sentence_only(extract_facts):
    text = ("Murata showed a cell.\n\nThe market grew fast in Europe.\n\nCosts fell sharply.\n\n"
            "It reaches 200 Wh/kg, analysts say.")
    assert not [f for f in extract_facts(text, "spec") if f["subject_org"] == "Murata" and f["value"] == 200]


def test_statements_about_the_industry_have_no_implicit_subject(extract_facts):
    text = ("Maxell Ltd. opened a factory for oxide cells.\n\n"
            "Overall, the whole industry will enter a period of vehicle verification around 2026.")
    assert not [f for f in extract_facts(text, "milestone") if f["date"] == "2026"]


def test_partners_of_the_organisation_a_paragraph_is_about(extract_facts):
    text = ("Umicore opened a cathode plant in Poland. The plant ships samples to partners including Ford and Kia.")
    got = {tuple(sorted(f["orgs"])) for f in extract_facts(text, "partnership")}
    assert {("Ford", "Umicore"), ("Kia", "Umicore")} <= got
