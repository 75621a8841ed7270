"""Products and processes named in the text without a lexicon entry."""
import pytest

from pipelines.entities.products import find_named_processes, find_named_products, find_product_synonyms


@pytest.mark.parametrize("text, expected", [
    ("prototypes built on the Ultium Max platform", ["Ultium Max"]),
    ("a fleet of Polestar 3 cars", ["Polestar 3"]),
    ("new EV models and Solid-state cells", []),           # technical words are not names
    ("production of 2,000 cells per month", []),          # a number is not a name
    ("Murata ships PowerChip, a solid-state chip for wearables.", ["PowerChip"]),  # a name glossed as a product
    ("Ampcera, a Tucson battery maker, grew.", []),        # glossed as a maker: an organisation
    ("Two Swiss cell makers are hiring.", []),             # the product noun qualifies its makers
    ("a fleet of Kestrel Aurora EVs", ["Kestrel Aurora"]),
    ("Its Zephyr miniature cells power hearing aids.", ["Zephyr"]),  # a format word between name and noun
    ("True all-solid-state cells are rare.", []),          # a sentence's first word is no name
    ("Orion, the cell platform for testing, grew.", ["Orion"]),
    # one plain word after its owner or a count
    ("Kestrel tests its sulfide-based Halcyon cells.", ["Halcyon"]),
    ("enough for 5,000 Aurora cars a year", ["Aurora"]),
    ("first 60 Ah cells and 2 Ah Q1 cells", ["Q1"]),  # a unit is no name
    ("Kestrel sells Tesla cars.", []),
])
def test_named_products(text, expected):
    assert [name for _, _, name, _ in find_named_products(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("separators made with the Falcon process", ["Falcon"]),
    ("films prepared by spin coating and densified via hot pressing", ["spin coating", "hot pressing"]),
    ("costs fell by using existing lines", []),           # not a making verb
])
def test_named_processes(text, expected):
    assert [name for _, _, name in find_named_processes(text)] == expected


@pytest.mark.parametrize("text, pairs", [
    ('the company\'s Halcyon cells (Chinese name "Jinxing"), which', [("Halcyon", "Jinxing")]),
    ("Kestrel ships its Aurora packs (Borealis) to Europe.", [("Aurora", "Borealis")]),
    ("Kestrel ships its Aurora packs (see below).", []),
])
def test_a_product_and_its_other_name(text, pairs):
    assert find_product_synonyms(text) == pairs


def test_a_products_other_name_is_the_same_product():
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    doc = extract_document(parse_text("t.txt", 'Kestrel makes its Halcyon cells (Chinese name "Jinxing"). '
                                               "Jinxing cells reach 400 Wh/kg."))
    products = [e for e in doc.entities if e.type == "Product"]
    assert [(p.name, p.aliases) for p in products] == [("Halcyon", ["Jinxing"])]


@pytest.mark.parametrize("text, expected", [
    ('cells with a "foam copper" anode', [("foam copper anode", "anode")]),  # quoted words name the part's kind
    ('the "father of the garnet" cathode', []),                             # an epithet is no name
])
def test_quoted_kind_of_part(text, expected):
    from pipelines.entities.products import find_coined_materials

    assert [(name, role) for _, _, name, role in find_coined_materials(text)] == expected
