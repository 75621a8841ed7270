"""Materials named by chemical nomenclature rather than by formula or lexicon entry.

"ethylene carbonate", "lithium bis(fluorosulfonyl)imide", "succinonitrile", "LiTFSI": a name ends in a class
word (carbonate, oxide, imide …) with element names or organic stems before it, or is one word with an organic
ending, or a salt written as cation + anion acronym. The vocabulary is in `schemas/detectors.yaml`; element
names come from the element table, so every element is covered without listing it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.schemas import load_schema


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, dict[str, str]]:
    import periodictable

    table = load_schema("detectors")
    chem = table["chemical_names"]
    elements = sorted({el.name for el in periodictable.elements if el.number > 0} | {"aluminium", "sulphur",
                                                                                     "caesium"}, key=len, reverse=True)
    stems = sorted(chem["stems"], key=len, reverse=True)
    prefix = "|".join(re.escape(w) for w in elements + stems)
    piece = rf"(?:\(?(?:{prefix})[\w()\-,']*\)?)"
    classes = "|".join(sorted(chem["class_words"], key=len, reverse=True))
    named = re.compile(rf"(?<![\w\-])((?:{piece}(?:[\s\-]+|(?<=\)))){{1,3}}(?:{classes}))(?![\w\-])", re.I)
    endings = "|".join(chem["word_endings"])
    single = re.compile(rf"(?<![\w\-])((?:[a-z]+-)?[a-z]{{3,}}(?:{endings}))(?![\w\-])")
    anions = "|".join(table["salt_anions"])
    salt = re.compile(rf"(?<![\w\-])((?:Li|Na|K|Mg|Zn)(?:{anions}))(?![\w\-])")
    return named, single, salt, chem["class_words"]


def find_chemical_names(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, name, material class) of chemical names in the text."""
    named, single, salt, classes = _patterns()
    out = []
    for m in named.finditer(text):
        name, start = m.group(1), m.start(1)
        if name.startswith("(") and name.count("(") > name.count(")"):
            name, start = name[1:], start + 1
        if re.match(r"(?:bis|tris|tetra|tri|di|mono|poly)\b", name, re.I) and " " not in name:
            continue
        last = re.split(r"[\s\-)]", name)[-1].lower()
        out.append((start, m.end(1), name, "polymer" if name.lower().startswith("poly") else classes[last]))
    for m in single.finditer(text):
        out.append((m.start(1), m.end(1), m.group(1), "other"))
    for m in salt.finditer(text):
        out.append((m.start(1), m.end(1), m.group(1), "other"))
    return out
