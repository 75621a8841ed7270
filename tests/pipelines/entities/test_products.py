"""Products and processes named in the text without a lexicon entry."""
import pytest

from pipelines.entities.products import find_named_processes, find_named_products


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
