"""Partnerships, production lines, develops and patents on sentences written for the test."""
import pytest


@pytest.mark.parametrize("sentence, pairs", [
    ("Factorial Energy signed an MOU with Philenergy.", {("Factorial Energy", "Philenergy")}),
    ("Partners of Factorial Energy: Mercedes-Benz, Stellantis and Kia.", {("Factorial Energy", "Mercedes-Benz"),
                                                                          ("Factorial Energy", "Stellantis"),
                                                                          ("Factorial Energy", "Kia")}),
    ("Volkswagen invested in QuantumScape and tests prototypes with Ducati.", {("QuantumScape", "Volkswagen")}),
    ("The Huang team from Tsinghua University and the Li team from Peking University jointly proposed a coating.",
     {("Peking University", "Tsinghua University")}),
    ("Papers from teams such as Tsinghua University and Peking University were reviewed.", set()),
    # an owner's customers or investors, named before or after the owner
    ("Hyundai and Kia are among LG Energy Solution's largest customers.", {("Hyundai", "LG Energy Solution"),
                                                                          ("Kia", "LG Energy Solution")}),
    # "X-backed" describes the organisation the phrase is about
    ("Solid Power, the Ford-backed developer of sulfide electrolytes, expanded its plant.", {("Ford", "Solid Power")}),
    ("Panasonic has begun testing prototype cells from Ampcera in its lab.", {("Ampcera", "Panasonic")}),
    # a name that only qualifies a relation noun ("Audi's parent") is not the actor
    ("In 2021 Volkswagen, Audi's parent, signed a memorandum of understanding with QuantumScape.",
     {("QuantumScape", "Volkswagen")}),
    ("Toyota opened a line. A joint laboratory with Kyoto University studies sulfide stability.",
     {("Kyoto University", "Toyota")}),
    # a name set aside ("Besides X,") or a person's employer is not the partner; "its partner" is the one chosen
    ("Besides Hyundai, Factorial Energy also works with Stellantis.", {("Factorial Energy", "Stellantis")}),
    ("The line was built with help from Ampcera, the start-up that Panasonic picked in 2023 as its partner.",
     {("Ampcera", "Panasonic")}),
    ("Guests included Kim Min-ho, head of the Toyota Research Institute, and staff of partner Ampcera.", set()),
    # the clause's subject holds the others in the role ("as a partner", "among its partners")
    ("In 2023 Panasonic added Nissan as a second JDA partner.", {("Nissan", "Panasonic")}),
    ("Ampcera, based in Tucson, also counts Kia and Ford among its automotive partners.",
     {("Ampcera", "Kia"), ("Ampcera", "Ford")}),
    ("Ampcera builds cells. Hyundai was lined up as the first customer.", {("Ampcera", "Hyundai")}),
    # a list after the predicate, with names no lexicon lists, is every partner
    ("Ampcera builds cells. Its investors include Kia, Norvento, Ford and Halvard Capital.",
     {("Ampcera", "Kia"), ("Ampcera", "Norvento"), ("Ampcera", "Ford"), ("Ampcera", "Halvard Capital")}),
    # a glossed last name and a relative clause after the list
    ("Ampcera's backers include Norvento, Kia and the venture firm Halvard Capital, which invested $20 million.",
     {("Ampcera", "Kia"), ("Ampcera", "Norvento"), ("Ampcera", "Halvard Capital")}),
])
def test_partnerships_are_pairs_without_group_links(extract_facts, sentence, pairs):
    got = {tuple(sorted(f["orgs"])) for f in extract_facts(sentence, "partnership")}
    assert got == {tuple(sorted(p)) for p in pairs}


def test_numbers_on_a_patent_front_page_are_one_family_of_its_applicant():
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    text = ("Halide electrolytes for lithium batteries\n\nPublication number: US11900001B2\n"
            "Pre-grant publication: US20210000001A1\nApplicant: Panasonic Holdings Corporation\n"
            "Inventors: Mei Chen, Paul Ortiz\n\nAbstract\n\nA halide electrolyte with a high conductivity.\n")
    doc = extract_document(parse_text("p.txt", text))
    assert doc.document.kind == "patent"
    patents = {f.slots["number"]: f.slots for f in doc.facts if f.kind == "patent"}
    assert {n: s["assignee"] for n, s in patents.items()} == {"US11900001B2": "Panasonic",
                                                              "US20210000001A1": "Panasonic"}
    assert patents["US20210000001A1"]["topic"] == "Halide electrolytes for lithium batteries"


@pytest.mark.parametrize("sentence, expected", [
    ("Samsung SDI runs a sulfide-based pilot line of 2,000 cells/month in South Korea.",
     ("Samsung SDI", "pilot", "sulfide", 2000, "cells/month")),
    ("Idemitsu Kosan supplies lithium sulfide to Toyota from its 1,000 t/yr plant.",
     ("Idemitsu Kosan", "commercial", "sulfide", 1000, "t/year")),
    ("Honda opened an all-solid-state demonstration line.", ("Honda", "demo", "unknown", None, None)),
    ("Ampcera runs a small test line for its lithium ceramic battery.", ("Ampcera", "pilot", "oxide", None, None)),
    ("Two verification facilities are operated by Ampcera.", ("Ampcera", "pilot", "unknown", None,
                                                                    None)),
    # a line's energy capacity is per year, in the scale it was written in
    ("Ampcera is commissioning a manufacturing line with an annual capacity of 10 MWh.",
     ("Ampcera", "commercial", "unknown", 10, "MWh/year")),
    ("Ampcera will build a pre-production facility in Tucson.", ("Ampcera", "pilot", "unknown", None, None)),
    # volume production is mass production; series production is commercial
    ("Maxell planned initial volume production at 40,000 units per month.",
     ("Maxell", "mass", "unknown", 40000, "cells/month")),
    ("Maxell's oxide cells are already in series production on a 1 GWh line.",
     ("Maxell", "commercial", "oxide", 1, "GWh/year")),
])
def test_production_lines(extract_facts, sentence, expected):
    (fact,) = extract_facts(sentence, "production_line")
    capacity = fact["capacity"] or {}
    assert (fact["org"], fact["stage"], fact["chemistry"], capacity.get("value"), capacity.get("unit")) == expected


@pytest.mark.parametrize("sentence, org, what", [
    ("Solid Power is focusing on sulfide-based electrolytes.", "Solid Power", "sulfide-based electrolytes"),
    ("Changan's \u201cGolden Bell\u201d pack reaches 400 Wh/kg.", "Changan", "Golden Bell"),
    ("The ductile interphase proposed by a team from Tsinghua University was tested.", "Tsinghua University", None),
])
def test_develops(extract_facts, sentence, org, what):
    facts = extract_facts(sentence, "develops")
    assert any(f["org"] == org and (what is None or f["what"] == what) for f in facts)


@pytest.mark.parametrize("sentence, org, what", [
    ("Ampcera is building a Flexible Ceramic Membrane (FCM) for drones.", "Ampcera", "Flexible Ceramic Membrane (FCM)"),
    ("Blue Current, a developer of silicon-elastic composite batteries, opened a plant.", "Blue Current",
     "silicon-elastic composite batteries"),
    ("Ampcera is developing three different kinds of halide electrolyte.", "Ampcera", "halide electrolyte"),
    ("Blue Current produces oxide and polymer hybrid cells at scale.", "Blue Current", "oxide and polymer hybrid cells"),
    ("The grant will help Ampcera manufacture halide solid-state cells.", "Ampcera", "halide solid-state cells"),
    ("Ampcera plans to produce 0.2 GWh of sulfide-based cells a year.", "Ampcera", "sulfide-based cells"),
])
def test_what_is_developed_is_the_object_phrase_as_written(extract_facts, sentence, org, what):
    assert {"org": org, "what": what} in extract_facts(sentence, "develops")


def test_the_developer_is_the_subject_of_the_verbs_own_clause(extract_facts):
    sentence = "Umicore was named the first customer, with samples due in 2026, and Ampcera is building halide cells."
    assert [f["org"] for f in extract_facts(sentence, "develops")] == ["Ampcera"]


@pytest.mark.parametrize("sentence", [
    "Ampcera is developing next-generation cells for customers.",
    "Blue Current makes electric vehicles more affordable.",
    "The solution proposed by Ampcera addresses this problem.",
])
def test_an_object_phrase_that_names_no_technology_is_not_a_development(extract_facts, sentence):
    assert extract_facts(sentence, "develops") == []


def test_mere_use_is_not_development(extract_facts):
    assert extract_facts("The report cites BMW and a graphite anode.", "develops") == []


def test_patent_numbers_normalised_with_assignee(extract_facts):
    (fact,) = extract_facts("BYD filed the patent CN 118748295 A on ceramic layers.", "patent")
    assert (fact["number"], fact["assignee"]) == ("CN118748295A", "BYD")


def test_patent_document_number_in_its_front_lines_is_a_patent_fact(extract_facts):
    text = ("(19) China National Intellectual Property Administration\n(12) Invention Patent Application\n"
            "(11) CN 118748295 A\n(54) All-solid-state battery with a ceramic layer\n(57) Abstract\n"
            "An all-solid-state battery whose negative electrode sheet carries a ceramic layer, and BYD cites "
            "CN118748295A again here.\n")
    facts = extract_facts(text, "patent", published=None)
    assert [f["number"] for f in facts] == ["CN118748295A"]
    assert facts[0]["assignee"] == "BYD"


@pytest.mark.parametrize("sentence, expected", [
    ("A pilot line for sulfide cells was commissioned by Maxell in Kyoto in 2024.", ("Maxell", "pilot", "sulfide")),
    ("Nordic Cells AB operates a demonstration line for polymer cells.", ("Nordic Cells", "demo", "polymer")),
])
def test_production_lines_in_passive_voice_and_of_unlisted_companies(extract_facts, sentence, expected):
    got = {(f["org"], f["stage"], f["chemistry"]) for f in extract_facts(sentence, "production_line")}
    assert expected in got


def test_an_organisation_named_with_its_home_town_is_the_organisation(extract_facts):
    (fact,) = extract_facts("Boulder-based Ampcera Inc. opened a pilot line for halide electrolytes.",
                            "production_line")
    assert fact["org"] == "Ampcera"


@pytest.mark.parametrize("sentence, pairs", [
    ("Umicore and Maxell Co., Ltd. signed a memorandum of understanding on sulfide electrolytes.",
     {("Maxell", "Umicore")}),
    ("Nissan, Honda and Mazda have worked together on cell standards since 2023.",
     {("Honda", "Nissan"), ("Mazda", "Nissan"), ("Honda", "Mazda")}),
    ("The deal follows the joint venture between Ford and Umicore.", {("Ford", "Umicore")}),
])
def test_partners_joined_by_and(extract_facts, sentence, pairs):
    got = {tuple(sorted(f["orgs"])) for f in extract_facts(sentence, "partnership")}
    assert got == {tuple(sorted(p)) for p in pairs}


@pytest.mark.parametrize("text, pairs", [
    ("Umicore and Maxell met in Osaka.\n\nIn 2024 the two companies set up a joint laboratory.", {("Maxell", "Umicore")}),
    ("Umicore and Maxell met in Osaka.\n\nIn 2024 they formed a joint venture, Maxcore.", {("Maxell", "Umicore")}),
    ("Ampcera opened a plant.\n\nMazda invested $30 million in the company last year.", {("Ampcera", "Mazda")}),
    ("Mazda is an investor in Ampcera, alongside Renault and Umicore, and it has a supply deal with Maxell.",
     {("Ampcera", "Mazda"), ("Ampcera", "Renault"), ("Ampcera", "Umicore"), ("Maxell", "Mazda")}),
    ("Ampcera has received a $5 million grant from the California Energy Commission.",
     {("Ampcera", "California Energy Commission")}),
    ("Ampcera hosted Umicore CEO Jane Doe and signed a supply agreement with Maxell.", {("Ampcera", "Maxell")}),
    ("Ampcera raised a $40 million Series B round in which Umicore, the investment arm of Renault, and utility "
     "company Norvalt took part.", {("Ampcera", "Umicore"), ("Ampcera", "Norvalt")}),
    # a cue word that is a person's job ties no organisations; one before an organisation does
    ("Umicore Ventures partner Jane Doe called Ampcera's design a breakthrough.", set()),
    ("BMW partner Solid Power showed new cells.", {("BMW", "Solid Power")}),
])
def test_partners_named_by_reference_role_or_funding(extract_facts, text, pairs):
    got = {tuple(sorted(f["orgs"])) for f in extract_facts(text, "partnership")}
    assert got == {tuple(sorted(p)) for p in pairs}


def test_two_names_that_start_with_one_known_organisation_are_one_group(extract_facts):
    assert extract_facts("Renault Ampere signed a supply agreement with Renault Group.", "partnership") == []
    assert extract_facts("Renault Ampere signed a supply agreement with Maxell.", "partnership")


def test_two_kinds_of_tie_between_one_pair_are_two_partnerships(extract_facts):
    text = ("Umicore and Maxell signed a joint development agreement in 2022.\n\n"
            "Umicore also invested $40 million in Maxell.\n\nUmicore and Maxell later renewed their agreement.")
    natures = sorted(f["nature"] for f in extract_facts(text, "partnership"))
    assert natures == ["investment", "other"]


def test_a_patent_applicant_develops_what_the_title_names():
    from pipelines.extract import extract_document
    from pipelines.readers import read_document
    from pathlib import Path
    import tempfile

    text = ("Halide solid electrolyte and battery\n\nPublication number: US20991234567A1\n"
            "Applicant / assignee: Maxell, Ltd.\n\nAbstract\n\nA halide solid electrolyte contains Li3YCl6.\n\n"
            "Claims\n\n1. A halide solid electrolyte comprising Li3YCl6.\n\n"
            "2. The halide solid electrolyte according to claim 1, wherein the particle size is below 5 μm.\n")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "patent.txt"
        path.write_text(text, encoding="utf-8")
        doc = extract_document(read_document(path))
    develops = {(f.slots["org"], f.slots["what"]) for f in doc.facts if f.kind == "develops"}
    assert ("Maxell", "Halide solid electrolyte") in {(o, w[:1].upper() + w[1:]) for o, w in develops}


def test_a_papers_authors_develop_what_they_report(tmp_path):
    from pipelines.extract import extract_document
    from pipelines.readers import read_document

    path = tmp_path / "paper.txt"
    path.write_text("A fast halide conductor\n\nDepartment of Physics, Kyoto University, Japan\n\nAbstract\n\n"
                    "We report a halide electrolyte, Li3YBr6, with high conductivity.\n\n1. Introduction\n\n"
                    "Halides are stable against high-voltage cathodes.\n", encoding="utf-8")
    doc = extract_document(read_document(path))
    develops = {(f.slots["org"], f.slots["what"]) for f in doc.facts if f.kind == "develops"}
    assert ("Kyoto University", "Li3YBr6") in develops


def test_a_class_that_qualifies_a_technology_is_developed_as_that_technology(extract_facts):
    facts = extract_facts("Ampcera is developing sulphide-based all-solid-state batteries.", "develops")
    assert [(f["org"], f["what"]) for f in facts] == [("Ampcera", "sulfide-based all-solid-state batteries")]


def test_a_line_with_no_organisation_in_its_sentence_is_the_paragraph_subjects(extract_facts):
    text = ("Ampcera makes sulfide electrolyte in Japan. A final decision on a pilot factory for the "
            "electrolyte is expected in 2026.")
    assert [(f["org"], f["stage"]) for f in extract_facts(text, "production_line")] == [("Ampcera", "pilot")]


def test_a_line_written_twice_with_more_of_its_place_is_one_line(extract_facts):
    text = ("Panasonic opens demonstration line in Moriguchi\n\n"
            "Panasonic has opened a demonstration line for all-solid-state cells in Moriguchi, Osaka Prefecture. "
            "The demonstration line in Moriguchi will make prototype cells.")
    lines = extract_facts(text, "production_line")
    assert [(f["org"], f["stage"], f["location"]) for f in lines] == [
        ("Panasonic", "demo", "Moriguchi, Osaka Prefecture")]


def test_lines_in_two_places_stay_two_lines(extract_facts):
    text = ("Ampcera breaks ground on its Salzgitter gigafactory\n\n"
            "Ampcera has operated a gigafactory in Taiwan since 2024.")
    assert {f["location"] for f in extract_facts(text, "production_line")} == {"Salzgitter", "Taiwan"}


def test_a_place_that_qualifies_the_line_is_its_site(extract_facts):
    text = "Ampcera, based in Stuttgart, opened a Salzgitter pilot line for sulfide cells."
    assert [f["location"] for f in extract_facts(text, "production_line")] == ["Salzgitter"]


def test_a_place_that_qualifies_another_noun_is_no_site(extract_facts):
    text = ("Ampcera: Stuttgart prototypes, now a pilot line\n\n"
            "Ampcera first made prototype cells in Stuttgart. A pilot line was then built at its Munich Plant.")
    assert [f["location"] for f in extract_facts(text, "production_line")] == ["Munich Plant"]
    assert [f["location"] for f in extract_facts("Ampcera opens a Munich battery pilot plant.", "production_line")] \
        == ["Munich"]
