import pytest

from pipelines.entities.places import find_admin_places, find_owned_sites, is_site_name, short_place_name


def _extracted(text: str):
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    return extract_document(parse_text("t.txt", text))


@pytest.mark.parametrize("text, names", [
    ("The plant stands in Hokuto City, Yamanashi Prefecture.", ["Hokuto City", "Yamanashi Prefecture"]),
    ("It moved to South Jeolla Province last year.", ["South Jeolla Province"]),
    ("The site is in Giheung-gu, Yongin-si, Gyeonggi-do.", ["Giheung-gu", "Yongin-si", "Gyeonggi-do"]),
    ("In Larimer County the firm hired 40 people.", ["Larimer County"]),
    ("The Province said nothing.", []),  # a unit word alone names no place
    ("The City of Lights.", []),
])
def test_administrative_units_are_places(text, names):
    assert [name for _, _, name in find_admin_places(text)] == names


@pytest.mark.parametrize("text, names", [
    ("Output will double at the company's Marlow Complex next year.", ["Marlow Complex"]),
    ("Zentra opened its new Kiel Battery Campus.", ["Kiel Battery Campus"]),
    ("Zentra opened its first plant.", []),  # no name, no site
])
def test_sites_after_their_owner(text, names):
    assert [name for _, _, name in find_owned_sites(text)] == names


@pytest.mark.parametrize("name, owners, expected", [
    ("Zentra Research Center", {"Zentra"}, True),        # opens with its owner's name
    ("Zentra Research Institute", {"Zentra"}, False),    # an institute is an organisation in its own right
    ("Helmholtz Research Center", {"Zentra"}, False),    # a research organisation, no owner named
])
def test_a_site_opening_with_its_owners_name(name, owners, expected):
    text = f"Cells were made at the {name}."
    assert is_site_name(name, text, text.index(name), owners) is expected


@pytest.mark.parametrize("name, short", [
    ("Hokuto City", "Hokuto"), ("Yongin-si", "Yongin"), ("Anhui province", "Anhui"), ("Hokuto", None),
])
def test_short_form_of_a_place(name, short):
    assert short_place_name(name) == short


def test_a_town_and_its_unit_are_one_place():
    doc = _extracted("Kestrel builds cells in Hokuto City, Yamanashi Prefecture. The Hokuto line starts in 2027. "
                     "Hokuto is close to Tokyo.")
    places = {e.name: e.aliases for e in doc.entities if e.type == "Location"}
    assert "Hokuto" not in places
    assert "Hokuto" in places["Hokuto City"]


def test_a_site_of_a_named_organisation_is_a_place():
    doc = _extracted("Zentra Motor Co., Ltd. showed its cells at the Zentra Research Center in Nagano Prefecture.")
    types = {e.name: e.type for e in doc.entities}
    assert types.get("Zentra Research Center") == "Location"
    assert types.get("Nagano Prefecture") == "Location"
