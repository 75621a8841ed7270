"""Materials named by chemical nomenclature rather than by formula or lexicon entry.

"ethylene carbonate", "lithium bis(fluorosulfonyl)imide", "adiponitrile", "LiTFSI": a name ends in a class
word (carbonate, oxide, imide …) with element names or organic stems before it, or is one word with an organic
ending, or a salt written as cation + anion acronym. The vocabulary is in `schemas/detectors.yaml`; element
names come from the element table, so every element is covered without listing it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.schemas import load_schema


@lru_cache(maxsize=1)
def _element_names() -> frozenset[str]:
    """Every element's English name, from the element table, with the British spellings."""
    import periodictable

    return frozenset({el.name for el in periodictable.elements if el.number > 0} | {"aluminium", "sulphur", "caesium"})


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, dict[str, str]]:
    table = load_schema("detectors")
    chem = table["chemical_names"]
    elements = sorted(_element_names(), key=len, reverse=True)
    stems = sorted(chem["stems"], key=len, reverse=True)
    prefix = "|".join(re.escape(w) for w in elements + stems)
    piece = rf"(?:\(?(?:{prefix})[\w()\-,']*\)?)"
    classes = "|".join(sorted(chem["class_words"], key=len, reverse=True))
    named = re.compile(rf"(?<![\w\-])((?:{piece}(?:[\s\-]+|(?<=\)))){{1,3}}(?:{classes}))(?![\w\-])", re.I)
    endings = "|".join(chem["word_endings"])
    single = re.compile(rf"(?<![\w\-,])((?:\d+(?:,\d+)*-)?(?:[a-z]+-)?[a-z]{{3,}}(?:{endings}))(?![\w\-])")
    anions = "|".join(table["salt_anions"])
    salt = re.compile(rf"(?<![\w\-])((?:Li|Na|K|Mg|Zn)(?:{anions}))(?![\w\-])")
    return named, single, salt, chem["class_words"]


@lru_cache(maxsize=1)
def _hint_words() -> tuple[tuple[str, ...], frozenset[str]]:
    """The words every chemical name ends with, to find candidate names cheaply (a suffix test per token)."""
    table = load_schema("detectors")
    chem = table["chemical_names"]
    return tuple(w.lower() for w in [*chem["class_words"], *chem["word_endings"]]), frozenset(table["salt_anions"])


_TOKEN = re.compile(r"[\w()\-,']+")


def _hints(text: str) -> list[tuple[int, int]]:
    """(start, end) of tokens that end in a class word or organic ending, or are a salt acronym."""
    endings, anions = _hint_words()
    out = []
    for m in _TOKEN.finditer(text):
        token = m.group().rstrip(",'")
        if token.lower().endswith(endings) or token[2:] in anions or token[1:] in anions:
            out.append((m.start(), m.start() + len(token)))
    return out


_WORD_START = re.compile(r"(?<![\w\-(])[\w(]")  # where a name can begin


def _named_near(named: re.Pattern, text: str, hints: list[tuple[int, int]]) -> list[re.Match]:
    """Matches of the (large) name pattern, searched only in the stretch before each class word."""
    found: dict[int, re.Match] = {}
    for hint_start, hint_end in hints:
        starts = [w.start() for w in _WORD_START.finditer(text, max(0, hint_start - 120), hint_end)][-5:]
        for start in starts:  # farthest first: the longest name
            m = named.match(text, start, hint_end)
            if m and m.end(1) == hint_end:
                found.setdefault(m.start(1), m)
                break
    return [found[k] for k in sorted(found)]


_COMPOSITE = re.compile(r"\s+composites?\b(?![\w\-])")


def find_chemical_names(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, name, material class) of chemical names in the text."""
    hints = _hints(text)
    if not hints:
        return []
    named, single, salt, classes = _patterns()
    out = []
    for m in _named_near(named, text, hints):
        name, start = m.group(1), m.start(1)
        if name.startswith("(") and name.count("(") > name.count(")"):
            name, start = name[1:], start + 1
        if re.match(r"(?:bis|tris|tetra|tri|di|mono|poly)\b", name, re.I) and " " not in name or ", " in name:
            continue  # a locant comma has no space after it ("1,2-dimethoxyethane"); "polymer, oxide" is a list
        last = re.split(r"[\s\-)]", name)[-1].lower()
        composite = _COMPOSITE.match(text, m.end(1))
        if composite:  # "polymer-oxide composites": the composite of the named constituents
            out.append((start, composite.end(), f"{name} composite", "composite"))
            continue
        out.append((start, m.end(1), name, "polymer" if name.lower().startswith("poly") else classes[last]))
    for m in single.finditer(text):
        out.append((m.start(1), m.end(1), m.group(1), "other"))
    for m in salt.finditer(text):
        out.append((m.start(1), m.end(1), m.group(1), "other"))
    return out


@lru_cache(maxsize=1)
def _composition_pattern() -> tuple[re.Pattern, dict[str, str], frozenset[str]]:
    table = load_schema("detectors")
    words = "|".join(re.escape(w) for w in sorted(table["composition_words"], key=len, reverse=True))
    roles = "|".join(sorted(table["role_nouns"], key=len, reverse=True))
    word = r"(?!(?:with|of|and|or|for|the|a|an|to|in|on|by|from|as|at|is|are|was|were|its|their|uses?|using)\b)[a-z0-9][\w\-]*"
    pattern = re.compile(rf"(?<![\w\-])((?:{word}\s+){{0,2}}?(?:{words})(?:\s+{word}){{0,2}}?\s+(?:solid\s+)?"
                         rf"(?:{roles}))(?![\w\-])", re.I)
    return pattern, table["role_nouns"], frozenset(w.lower() for w in table["composition_words"])


_LEADING = re.compile(r"^(?:the|a|an|its|their|this|that|these|of|and|or|with|for|in|on|to|is|are|new|our|"
                      r"conventional|existing|current|other|such)\s+", re.I)


_PROPERTY = re.compile(r"(?:low|high|ultra|super|highly)-[\w\-]+\s", re.I)
_ROLE_HINT = re.compile(r"anode|cathode|electrolyte", re.I)


def _descriptive(word: str, composition: frozenset[str]) -> bool:
    """A word that can describe an electrode or electrolyte: a composition, a compound adjective, an adjective."""
    word = word.lower()
    return (word in composition or "-" in word or any(ch.isdigit() for ch in word)
            or re.search(r"(?:ed|al|ic|ive|ous|ary|ite|ide|ine|ar|ent)$", word) is not None) \
        and word not in {"called", "based", "used", "whose", "among", "below", "key"}


def find_composed_materials(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, name, role) of electrodes and electrolytes named by composition: "silicon composite anode"."""
    if not _ROLE_HINT.search(text):
        return []
    pattern, roles, composition = _composition_pattern()
    out = []
    for m in pattern.finditer(text):
        name, start = m.group(1), m.start(1)
        while (lead := _LEADING.match(name)) or not _descriptive(name.split()[0], composition):
            cut = lead.end() if lead else len(name.split()[0]) + 1
            name, start = name[cut:].lstrip(), start + cut
            if not name:
                break
        # "low-expansion silicon-based anodes": a property is no part of what the electrode is made of
        while len(name.split()) > 2 and _PROPERTY.match(name) and name.split()[0].lower() not in composition:
            name = name.split(maxsplit=1)[1]
        if len(name.split()) < 2:
            continue
        out.append((start, m.end(1), name, roles[name.split()[-1].lower()]))
    return out


@lru_cache(maxsize=1)
def _element_forms() -> tuple[re.Pattern, dict[str, str], frozenset[str], frozenset[str]]:
    table = load_schema("detectors")
    forms = table["element_forms"]
    form = re.compile(rf"(?<![\w\-])(?:{'|'.join(sorted(forms, key=len, reverse=True))})(?![\w\-])", re.I)
    return form, forms, frozenset(table["element_form_fillers"]), frozenset(table["nonmetal_elements"])


_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s+$")


def find_elemental_materials(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, element, class, role) of elements named with the part they play: "an indium foil anode" →
    indium (metal), "a boron dopant" → boron. The part nouns are found first, then the element before them."""
    form, forms, fillers, nonmetals = _element_forms()
    elements = _element_names()
    out = []
    for m in form.finditer(text):
        before = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if before and before.group(1).lower() in fillers:
            before = _WORD_BEFORE.search(text, max(0, before.start() - 20), before.start())
        if not before or before.group(1).lower() not in elements or text[before.start() - 1:before.start()] == "-":
            continue
        element = before.group(1).lower()
        out.append((before.start(1), before.end(1), element, "other" if element in nonmetals else "metal",
                    forms[m.group().lower()]))
    return out
