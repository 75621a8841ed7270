import pytest

from pipelines.entities.abbreviations import find_definitions, find_reversed_definitions
from pipelines.entities.gazetteer import domain_gazetteer
from pipelines.entities.mentions import build_document_lexicon, find_candidates, resolve_overlaps
from pipelines.entities.organizations import find_organizations, fold_legal_name
from pipelines.entities.persons import find_persons
from pipelines.normalize import normalize


def _extracted(text: str):
    """The whole pipeline on one text, as a user's document would go through it."""
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    return extract_document(parse_text("t.txt", text))


def _mentions(*sentences: str) -> list[list[tuple[str, str]]]:
    texts = [normalize(s).text for s in sentences]
    lexicon = build_document_lexicon(texts)
    return [[(c.type, c.name) for c in resolve_overlaps(find_candidates(t, lexicon))] for t in texts]


@pytest.mark.parametrize("sentence, expected", [
    ("宁德时代 and Toyota Motor Corporation signed.", [("Organization", "CATL"), ("Organization", "Toyota")]),
    ("Samsung SDI Co., Ltd. ships cells.", [("Organization", "Samsung SDI")]),
    ("The argyrodite Li₆PS₅Cl and LLZO garnet electrolytes.", [("Material", "Li6PS5Cl")] * 2 + [("Material", "Li7La3Zr2O12")]),
    ("Tape casting (doctor blade) and cold isostatic pressing.", [("Process", "tape casting"), ("Process", "tape casting"),
                                                                   ("Process", "cold isostatic pressing")]),
])
def test_lexicon_mentions(sentence, expected):
    assert _mentions(sentence)[0] == expected


def test_formula_written_differently_is_one_material():
    (first,), (second,) = _mentions("Li7La3Zr2O12 is stable.", "Li14La6Zr4O24 again.")
    assert first[0] == second[0] == "Material"


def test_new_organisation_defined_once_is_found_again():
    found = _mentions("Acme Volt GmbH, a solid-state battery startup, opened a plant.", "Acme Volt expands.")
    assert ("Organization", "Acme Volt") in found[0]
    assert ("Organization", "Acme Volt") in found[1]


def test_in_document_abbreviation_becomes_alias():
    found = _mentions("Atomic layer deposition (ALD) coats particles.", "ALD is slow.")
    assert found[1] == [("Process", "atomic layer deposition")]


@pytest.mark.parametrize("text, expected", [
    ("a Tianjin University team", ["Tianjin University"]),
    ("from Huazhong University of Science and Technology and Tianjin University.",
     ["Huazhong University of Science and Technology", "Tianjin University"]),
    ("MOU with Philenergy (Korea)", ["Philenergy"]),
    ("Brightvolt Holdings Corp. Ltd. opened a plant.", ["Brightvolt Holdings Corp. Ltd"]),   # a chain of legal forms
    ("the Faculty of Chemistry, Northgate University of Science", ["Northgate University of Science"]),  # a sub-unit
    ("Department of Civil and Marine Engineering, Northgate University, Leeds", ["Northgate University"]),
    ("Brightvolt (Suzhou) Energy Development Co., Ltd. opened a plant.",  # a seat in parentheses
     ["Brightvolt (Suzhou) Energy Development Co., Ltd"]),
    ("investors included utility company Norvalt and Thai conglomerate Siam Kestrel", ["Norvalt", "Siam Kestrel"]),
    ("made under licence by medical device maker Orthex", ["Orthex"]),
    ("the company CEO Jane Doe said", []),  # a person's title is no name
    ("the space group P42/nmc", []),
    ("at its plant in Quimper, Cornwall, the company unveiled a cell", []),  # a region after its town
])
def test_unknown_organisations(text, expected):
    assert [name for _, _, name, _, _ in find_organizations(text)] == expected


def test_legal_suffix_folding():
    assert fold_legal_name("Idemitsu Kosan Co., Ltd.") == "Idemitsu Kosan"


def test_persons_by_role():
    names = [n for _, _, n in find_persons("Sun Huajun, the CTO of BYD, and the Kang Feiyu and He Yanbing teams")]
    assert sorted(names) == ["He Yanbing", "Kang Feiyu", "Sun Huajun"]


def test_abbreviation_definitions_both_orders():
    assert find_definitions("lithium-ion batteries (LIB) are")[0][2:] == ("lithium-ion batteries", 23, 26, "LIB")
    assert find_reversed_definitions("ALD (atomic layer deposition) of layers")[0][2] == "atomic layer deposition"


@pytest.mark.parametrize("text, long_form", [
    # the words whose initials spell the short form, not the shortest run that hides its letters
    ("Kestrel runs a Pouch Manufacturing Competence Campus (PMCC) in Ohio.", "Pouch Manufacturing Competence Campus"),
    ("the Ministry of Trade, Energy and Industry (MTEI) said", "Ministry of Trade, Energy and Industry"),
    ("the Advanced Materials Agency-Energy (AMA-E) grant", "Advanced Materials Agency-Energy"),
    ("lithium phosphorus oxynitride (LiPON) films", "lithium phosphorus oxynitride"),
])
def test_abbreviation_long_forms(text, long_form):
    assert [d[2] for d in find_definitions(text)] == [long_form]


@pytest.mark.parametrize("text, surface, name", [
    ("Cells replace the graphite anodes with lithium metal.", "graphite anodes", "graphite"),  # with its part
    ("Electrolyte classes include argyrodites and garnets.", "argyrodites", "Li6PS5Cl"),      # a one-word plural
])
def test_lexicon_materials_with_their_part_and_in_the_plural(text, surface, name):
    assert (surface, name) in {(h.surface, h.entry.name) for h in domain_gazetteer().find(text)}


def test_either_spelling_finds_a_lexicon_entry():
    found = {h.entry.name for h in domain_gazetteer().find("sulphide solid electrolytes and sulfide electrolytes")}
    assert found == {"sulfide solid electrolyte"}


def test_plurals_and_case_for_common_nouns_only():
    hits = {(h.entry.type, h.surface) for h in domain_gazetteer().find("Sulfide electrolytes differ; toyota is lower case")}
    assert ("Material", "Sulfide electrolytes") in hits
    assert not any(t == "Organization" for t, _ in hits)


@pytest.mark.parametrize("sentence, materials", [
    ("Cells use a sulfide, oxide, or halide electrolyte.",
     {"sulfide solid electrolyte", "oxide solid electrolyte", "halide solid electrolyte"}),
    ("A solid electrolyte (sulfide, oxide, or polymer-ceramic composite) separates them.",
     {"sulfide solid electrolyte", "oxide solid electrolyte"}),
    ("Production chains of sulfide and oxide based all-solid-state batteries differ.",
     {"sulfide solid electrolyte", "oxide solid electrolyte"}),
    ("Polymer-based cells were produced at scale.", {"polymer electrolyte"}),
    ("The cathode (NCM811 and LFP) is coated.", set()),
])
def test_conjuncts_share_their_head_noun(sentence, materials):
    found = {name for kind, name in _mentions(sentence)[0] if kind == "Material"}
    assert materials <= found
    assert not {n for n in found if n.endswith("cathode")}


@pytest.mark.parametrize("sentence, processes", [
    ("The modules passed overcharge and crush tests.", {"overcharge test", "crush test"}),
    ("The plant runs slurry preparation, calendering and stacking.", {"slurry preparation", "calendering", "cell stacking"}),
    ("It merges casting, annealing and lamination in one step.", {"casting", "annealing", "lamination"}),
    # a gerund that starts a clause is no listed process
    ("The powder was made by ball milling, resulting in a glass.", {"ball milling"}),
])
def test_listed_processes(sentence, processes):
    assert {name for kind, name in _mentions(sentence)[0] if kind == "Process"} == processes


def test_a_name_the_model_typed_both_ways_keeps_its_majority_type():
    from pipelines.entities.mentions import Candidate, propagate_names

    texts = ["R&D is in Gascony.", "Plants in Gascony and Lyon.", "The Gascony site grew."]
    model = [[Candidate(10, 17, "Location", "Gascony", "statistical-ner", 0.6)],
             [Candidate(10, 17, "Location", "Gascony", "statistical-ner", 0.6)],
             [Candidate(4, 11, "Organization", "Gascony", "statistical-ner", 0.6)]]
    propagated = propagate_names(texts, [[], [], []], model)
    assert [c.type for c in propagated[2]] == ["Location"]


def test_a_name_the_model_found_once_is_found_wherever_the_document_repeats_it():
    from pipelines.entities.mentions import Candidate, propagate_names

    texts = ["A pilot plant opens in Gwangmyeong.", "The site in Gwangmyeong employs 200 people."]
    model = [[Candidate(23, 34, "Location", "Gwangmyeong", "statistical-ner", 0.6)], []]
    propagated = propagate_names(texts, [[], []], model)
    assert [(c.type, texts[1][c.start:c.end]) for c in propagated[1]] == [("Location", "Gwangmyeong")]


@pytest.mark.parametrize("sentence, expected", [
    # an abbreviation's long form headed by an organisation noun is an organisation
    ("Data from the European Battery Manufacturing Alliance (EBMA) show growth.",
     ("Organization", "European Battery Manufacturing Alliance")),
    ("The plan was approved by the Ministry of Land, Infrastructure and Transport (MOLIT).",
     ("Organization", "Ministry of Land, Infrastructure and Transport")),
    # a known company with generic words or legal forms after its name is that company
    ("The applicant is Factorial Energy Technologies, Inc. of Woburn.", ("Organization", "Factorial Energy")),
    ("Ducati Motor Holding S.p.A. showed a bike.", ("Organization", "Ducati")),
    ("Hefei Gotion New Energy Technology Co., Ltd. opened a plant.", ("Organization", "Guoxuan High-tech")),
    ("The assignee is Quantumscape Battery, Inc.", ("Organization", "QuantumScape")),  # a known name in any case
    # an element symbol that opens a person's name is part of the name
    ("The chief scientist of the start-up is Li Wenbo.", ("Person", "Li Wenbo")),
    # a title before a name makes a person, and ends an organisation's name
    ("Guests included Ohio Governor Anna Berg and Kestrel University President Tomas Lind.", ("Person", "Anna Berg")),
    ("Guests included Ohio Governor Anna Berg and Kestrel University President Tomas Lind.",
     ("Organization", "Kestrel University")),
    ("Inventors: Mei Chen, Paul Ortiz, Sara Holm", ("Person", "Paul Ortiz")),  # a patent's inventors
    ("It met Congressman Paul Ortiz together with Senator Mei Chen.", ("Person", "Mei Chen")),
    ("A grant came from the Advanced Research Projects Agency–Energy (ARPA-E) last year.",
     ("Organization", "Advanced Research Projects Agency–Energy")),
    # a centre an organisation owns is a site
    ("Kia opened a pilot line at its newly built Gwacheon Battery Research Center.",
     ("Location", "Gwacheon Battery Research Center")),
    # a name listed among organisations, the last one glossed
    ("Its backers include Norvento, Kia and the venture firm Halvard Capital.", ("Organization", "Norvento")),
])
def test_names_the_lexicon_does_not_list_verbatim(sentence, expected):
    doc = _extracted(sentence)
    assert expected in {(e.type, e.name) for e in doc.entities}


def test_a_lexicon_alias_names_the_organisation_the_document_writes_in_full():
    text = "The Mercedes Racing Institute built a pack. Mercedes said it lasts 1,000 cycles."
    doc = _extracted(text)
    assert {e.name for e in doc.entities if e.type == "Organization"} == {"Mercedes Racing Institute"}



@pytest.mark.parametrize("sentence, absent", [
    ("Application number: US16/766,393", "US16"),            # a serial number is no formula
    ('He is called the "father of the garnet electrolyte".', "father of the garnet electrolyte"),  # an epithet
    ("Cells use polymer, oxide or halide electrolytes.", "polymer, oxide"),  # a list is no chemical name
    # a crystal's building blocks are no materials
    ("The framework is made of SiS4 and PS4 tetrahedra and NaS6 octahedra.", "SiS4"),
    ("The framework is made of SiS4 and PS4 tetrahedra and NaS6 octahedra.", "NaS6"),
    ("Isolated PS4 3− anions dominate the glass.", "PS4"),
])
def test_what_is_not_a_material(sentence, absent):
    doc = _extracted(sentence)
    assert absent not in {e.name for e in doc.entities}


@pytest.mark.parametrize("text, type_, name", [
    # a person's surname alone is that person
    ("Chief engineer Kenji Arata opened the plant. Arata said it runs in 2027.", "Person", "Kenji Arata"),
    # a title is never part of a name
    ('"We are ready," Chief Executive Officer Dr. Ana Lopes said on stage.', "Person", "Ana Lopes"),
])
def test_people_named_by_surname_or_after_a_chain_of_titles(text, type_, name):
    doc = _extracted(text)
    assert {e.name for e in doc.entities if e.type == type_} == {name}


def test_a_currency_is_no_place():
    doc = _extracted("Maxell expects costs of US$70/kWh by 2030.")
    assert not [e for e in doc.entities if e.type == "Location"]


def test_conjuncts_share_a_head_with_its_modifier():
    doc = _extracted("Cells may use halide, oxide or sulfide solid electrolytes.")
    names = {e.name for e in doc.entities if e.type == "Material"}
    assert {"oxide solid electrolyte", "sulfide solid electrolyte"} <= names


@pytest.mark.parametrize("sentence, name, attrs", [
    ("Peugeot will test a fleet of Peugeot Aurora EVs next year.", "Peugeot Aurora", {"kind": "vehicle", "org": "Peugeot"}),
    ("The Kestrel Falcon pickups use sulfide cells.", "Kestrel Falcon", {"kind": "vehicle"}),
])
def test_a_named_vehicle_is_a_vehicle_made_by_the_brand_it_starts_with(sentence, name, attrs):
    doc = _extracted(sentence)
    product = next(e for e in doc.entities if e.type == "Product" and e.name == name)
    assert attrs.items() <= product.attrs.items()
