"""Every entry of the domain data in schemas/ parses: formulas are valid, units are known, cues compile."""
import re

import pytest

from pipelines.entities.formulas import parse_formula
from pipelines.schemas import SCHEMA_DIR, load_schema

ALL = sorted(p.stem for p in SCHEMA_DIR.glob("*.yaml"))


@pytest.mark.parametrize("name", ALL)
def test_every_schema_file_loads(name):
    assert load_schema(name)


def _word_lists(data, path=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _word_lists(value, f"{path}/{key}")
    elif isinstance(data, list) and data and all(not isinstance(v, (dict, list)) for v in data):
        yield path, data


@pytest.mark.parametrize("name", ALL)
def test_word_lists_hold_only_words(name):
    """YAML reads a bare on/off/yes/no as a boolean: "on" in a word list would silently never match."""
    bad = [(path, v) for path, words in _word_lists(load_schema(name)) for v in words
           if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
    assert not bad


@pytest.mark.parametrize("entry", load_schema("materials"), ids=lambda e: e["name"])
def test_material_entries(entry):
    assert entry["class"] in {"sulfide", "oxide", "halide", "polymer", "composite", "metal", "carbon", "ceramic",
                              "glass", "nitride", "phosphate", "carbonate", "other"}
    assert entry["role"] in {"electrolyte", "anode", "cathode", "coating", "precursor", "other"}
    if entry.get("formula"):
        assert parse_formula(entry["formula"]), f"invalid formula {entry['formula']}"


@pytest.mark.parametrize("entry", load_schema("organizations"), ids=lambda e: e["name"])
def test_organisation_entries(entry):
    names = {o["name"] for o in load_schema("organizations")}
    assert entry["type"] in {"company", "oem", "institute", "university", "agency"}
    assert entry.get("parent") is None or entry["parent"] in names
    assert all(isinstance(a, str) and a.strip() for a in entry.get("aliases", []))
    # an unquoted "X Co., Ltd." in a YAML flow list splits into "X Co." and a bare "Ltd."
    legal_words = {s.rstrip(".").lower() for s in load_schema("detectors")["legal_suffixes"]}
    assert not [a for a in entry.get("aliases", []) if a.rstrip(".").lower() in legal_words]


def test_no_alias_points_to_two_organisations():
    owner: dict[str, str] = {}
    for org in load_schema("organizations"):
        for alias in [org["name"], *org.get("aliases", [])]:
            assert owner.setdefault(alias, org["name"]) == org["name"], alias


@pytest.mark.parametrize("region", load_schema("locations")["regions"], ids=lambda r: r["name"])
def test_regions_cover_listed_countries(region):
    countries = {c["name"] for c in load_schema("locations")["countries"]}
    assert region["countries"] and set(region["countries"]) <= countries


def test_every_place_is_in_a_listed_country():
    countries = {c["name"] for c in load_schema("locations")["countries"]}
    assert {p["country"] for p in load_schema("locations")["places"]} <= countries


@pytest.mark.parametrize("entry", load_schema("products"), ids=lambda e: e["name"])
def test_product_makers_are_known(entry):
    assert entry["org"] in {o["name"] for o in load_schema("organizations")}


def test_cue_lists_compile():
    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            yield from node
    for phrase in walk(load_schema("cues")):
        if isinstance(phrase, str):
            re.compile(re.escape(phrase))


def test_intent_patterns_compile_and_name_known_answer_types():
    table = load_schema("intents")
    for intent in table["intents"]:
        assert intent["answer"] in {"Organization", "Product", "Material", "Process", "Patent", "Location", "Value"}, intent
        for pattern in intent["patterns"]:
            re.compile(pattern)
    for pattern in table["maker_questions"]:
        re.compile(pattern)


@pytest.mark.parametrize("intent", load_schema("intents")["intents"], ids=lambda i: i["name"])
def test_each_intent_example_is_classified_as_its_intent(intent):
    from kg.questions import classify

    for example in intent["examples"]:
        assert classify(example)[0]["name"] == intent["name"], example


@pytest.mark.parametrize("measure", load_schema("intents")["measures"], ids=lambda m: m["name"])
def test_measures_name_a_known_unit_and_their_words(measure):
    from pipelines.quantities import is_unit

    assert is_unit(measure["unit"]) and measure["phrases"] and measure["quote"]
