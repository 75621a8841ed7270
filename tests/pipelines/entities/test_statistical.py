"""The statistical recogniser proposes names no gazetteer lists; rules type and filter them."""
import pytest

from pipelines.entities.statistical import needs_model, recognise, typed_names


def _names(text: str) -> set[tuple[str, str]]:
    (entities,) = recognise([text])
    return {(kind, name) for _, _, kind, name in typed_names(text, entities)}


@pytest.mark.parametrize("text, expected", [
    ("The cells were assembled in Gothenburg and shipped to customers.", ("Location", "Gothenburg")),
    ("\u201cWe are on schedule,\u201d said Anna Lindqvist, chief executive of the company.",
     ("Person", "Anna Lindqvist")),
    ("The plant stands 40 km north of Busan.", ("Location", "Busan")),  # a short place ending the sentence
    ("In 2019 Kyocera bought Sony's battery business.", ("Organization", "Sony")),  # one word that owns something
    ("It opened a centre in the Paris-Saclay area.", ("Location", "Paris-Saclay")),  # a hyphenated place
    ("According to Executive Officer Hiroshi Tanaka, output will double.", ("Person", "Hiroshi Tanaka")),
])
def test_names_no_lexicon_lists_are_found(text, expected):
    assert expected in _names(text)


@pytest.mark.parametrize("text, unwanted", [
    ("According to Bloomberg, the plant will open next year.", "Bloomberg"),               # a news outlet
    ("The team of K. Ito, M. Sato, T. Mori, H. Ueda and Y. Abe reported the phase.", "Mori"),  # an author list
    ("Researchers tested Battery Cell designs at scale.", "Battery Cell"),                # a technical term
    ("Output at the Kashima Chemical Complex will double.", "Kashima Chemical Complex"),  # a site, not a company
    ("At the EnerTech show the company outlined a target of 800 Wh/L.", "EnerTech"),       # an event
    ("Frontiers in Chemical Engineering, Catalysis section, published 3 May 2020", "Chemical Engineering"),  # journals
    ("Published in Journal of Membrane Science, 2020.", "Journal of Membrane Science"),
    ("The results appeared in Applied Materials Letters in 2021.", "Applied Materials Letters"),
    ("Work done at the School of Mining Engineering, Kestrel University, Perth.", "School of Mining Engineering"),
    ("It is funded by the Clean Growth Fund of Japan's energy agency.", "Clean Growth Fund of"),  # a dangling "of"
    ("The firm won a grant under its BATTSTART program.", "BATTSTART"),  # a programme
    ("Founder's shares rose sharply in May.", "Founder"),
])
def test_outlets_authors_and_terms_are_not_entities(text, unwanted):
    assert unwanted not in {name for _, name in _names(text)}


@pytest.mark.parametrize("text, claimed, expected", [
    ("Toyota builds cells.", [(0, 6)], False),              # every capital explained
    ("Sales rose in spring.", [], False),                   # only the sentence's first capital
    ("The plant near Västerås opens.", [], True),
    ("Toyota builds cells from January and ships in FY2027.", [(0, 6)], False),  # dates are no names
    ("Credits: Reuters, Autocar, Intelligent Mobility", [], False),   # a credit line names sources
    ("The result appeared in Chemical Communications last year.", [], False),  # a journal by its closing word
    ("The phase was first reported by Okafor et al. in 2019.", [], False),  # a cited author
    ("Harnessing Lyon for electrode production", [(10, 14)], False),  # a known name after the opening capital
    ("Harnessing Valdoria Works for electrode production", [], True),
    ("Engineers at Valdoria Group tested cells.", [(13, 21)], False),  # a generic word after a known name
])
def test_the_model_runs_only_where_rules_leave_a_name_unexplained(text, claimed, expected):
    assert needs_model(text, claimed) is expected


@pytest.mark.parametrize("text, expected", [
    ("Pilot Line Opens in Valdoria", True),           # a heading's place after a preposition
    ("Quarterly Outlook and Competitive Landscape", False),
])
def test_in_a_heading_only_a_word_after_a_place_preposition_needs_the_model(text, expected):
    assert needs_model(text, [], heading=True) is expected


def test_a_known_company_with_generic_words_is_that_company(extract_facts):
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    doc = extract_document(parse_text("t.md", "Engineers at the Toyota Motor Group facility tested cells."))
    assert "Toyota" in {e.name for e in doc.entities if e.type == "Organization"}


def test_a_sentence_with_many_commas_is_not_an_author_list():
    text = "LG Chem Ltd. broke ground on 2 May 2023 for a 12,000-square-metre line in Osong, Cheongju, Chungbuk Province."
    assert {("Location", "Osong"), ("Location", "Chungbuk Province")} <= _names(text)


def test_a_one_word_name_the_document_writes_in_lower_case_is_a_common_word():
    text = "| Toyota | Japan | Pilot plant, Nagoya | Sulfide |"
    (entities,) = recognise([text])
    assert "Pilot" not in {name for *_, name in typed_names(text, entities, frozenset({"pilot"}))}


def test_a_heading_gives_places_but_not_organisations(extract_facts):
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    doc = extract_document(parse_text("t.md", "## Adjacent Adoption & Geopolitical Context\n\nToyota: the pilot line "
                                              "in Nagoya\n\nToyota builds sulfide cells there."))
    names = {(e.type, e.name) for e in doc.entities}
    assert ("Location", "Nagoya") in names and not any("Adoption" in n for _, n in names)
