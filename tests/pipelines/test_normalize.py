import pytest

from pipelines.normalize import canonical_spelling, normalize, singular


@pytest.mark.parametrize("raw, expected", [
    ("Li₆PS₅Cl", "Li6PS5Cl"),
    ("10⁻³ S cm⁻¹", "10-3 S cm-1"),
    ("−70 °C", "-70 °C"),
    ("“Golden Bell”", '"Golden Bell"'),
    ("Mercedes\u2011Benz", "Mercedes-Benz"),
    ("mass pro-\nduction", "mass production"),
    ("all-solid-\nstate", "all-solid-state"),
    ("10 µm", "10 μm"),
    ("two\nlines", "two lines"),
])
def test_normalize_folds_domain_text(raw, expected):
    assert normalize(raw).text == expected


def test_offsets_map_back_to_the_original():
    raw = "The Li₇La₃Zr₂O₁₂ pro-\nduction line"
    norm = normalize(raw)
    for word in ("Li7La3Zr2O12", "production", "line"):
        i = norm.text.index(word)
        start, end = norm.span(i, i + len(word))
        assert normalize(raw[start:end]).text == word


@pytest.mark.parametrize("phrase, expected", [
    ("nickel-rich layered cathodes", "nickel-rich layered cathode"),
    ("prototype pouch batteries", "prototype pouch battery"),
    ("fluorinated interlayer coatings", "fluorinated interlayer coating"),
    ("roll-to-roll processes", "roll-to-roll process"),
    ("glass-ceramic electrolyte", "glass-ceramic electrolyte"),   # already singular
    ("electrode analysis", "electrode analysis"),                 # singular in -is
    ("Gen4 Series", "Gen4 Series"),                               # a capitalised head is a name
    ("dry-room series", "dry-room series"),                       # invariant plural
])
def test_descriptive_names_take_a_singular_head(phrase, expected):
    assert singular(phrase) == expected


@pytest.mark.parametrize("text, expected", [
    ("sulphide-based all-solid-state batteries", "sulfide-based all-solid-state batteries"),
    ("Sulphur cathodes and polysulphides", "Sulfur cathodes and polysulfides"),
    ("sulfide electrolyte", "sulfide electrolyte"),
])
def test_one_spelling_for_words_written_two_ways(text, expected):
    assert canonical_spelling(text) == expected
