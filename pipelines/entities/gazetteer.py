"""Longest-match lookup of known surface forms (schemas/*.yaml) in normalised text.

Candidates are found from a first-word index, so the cost grows with the number of words, not with the size
of the lexicon. Proper names and acronyms match case-sensitively; common nouns (materials, processes) match in
any case and in the plural.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from pipelines.normalize import spelling_forms
from pipelines.schemas import load_schema

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MODIFIER = re.compile(r"(?:based|type|like|rich|doped|coated|derived|containing|free|class|grade|backed|funded|owned|led|"
                       r"made|built|designed|developed|supplied|sponsored|powered|equipped)\b")
_PART = re.compile(r"\s+(?:anode|cathode|electrolyte|separator|coating)s?\b(?!-)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class Entry:
    type: str
    name: str
    attrs: tuple = ()

    @property
    def attr(self) -> dict:
        return dict(self.attrs)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    surface: str
    entry: Entry


@dataclass
class Gazetteer:
    by_first: dict[str, list[tuple[str, bool, bool, Entry]]] = field(default_factory=lambda: defaultdict(list))
    cjk: list[tuple[str, Entry]] = field(default_factory=list)

    def add(self, surface: str, entry: Entry, *, common_noun: bool = False) -> None:
        surface = surface.strip()
        if not surface:
            return
        if _CJK.search(surface):
            self.cjk.append((surface, entry))
            return
        first = _WORD.search(surface)
        if not first:
            return
        acronym = surface.isupper() or any(c.isdigit() for c in surface) or len(surface) <= 3
        fold = common_noun and not acronym
        self.by_first[first.group().lower()].append((surface, fold, common_noun and not acronym, entry))

    def freeze(self) -> "Gazetteer":
        for key, items in self.by_first.items():
            items.sort(key=lambda item: -len(item[0]))
        self.cjk.sort(key=lambda item: -len(item[0]))
        return self

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping hits, longest first at each start; a hit never starts or ends inside a word."""
        hits: list[Hit] = []
        lowered = text.lower()
        pos = 0
        by_first = self.by_first
        aligned = len(lowered) == len(text)  # lower() may lengthen a few characters ("İ")
        for word in _WORD.finditer(lowered if aligned else text):
            key = word.group() if aligned else word.group().lower()
            if key not in by_first and not (len(key) > 4 and key[-1] == "s"):
                continue  # most words start no surface: skip them before any other test
            start = word.start()
            if start < pos or (start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_@")):
                continue
            for surface, fold, plural, entry in self._candidates(key):
                end = start + len(surface)
                candidate = lowered[start:end] if fold else text[start:end]
                if candidate != (surface.lower() if fold else surface):
                    continue
                if plural and end < len(text) and text[end] == "s":
                    end += 1
                elif plural and text[end:end + 2] == "es":
                    end += 2
                if end < len(text) and (text[end].isalnum() or text[end] in "_@"):
                    continue
                if entry.type == "Location" and text[end:end + 1] == "$":
                    continue  # "US$75/kWh" is a currency
                if end < len(text) - 1 and text[end] == "-" and text[end + 1].isalnum() and not fold \
                        and not _MODIFIER.match(text, end + 1):
                    continue
                if entry.type == "Material" and fold:
                    # "the graphite anode": a material named with the part it plays is that material
                    part = _PART.match(text, end)
                    end = part.end() if part else end
                hits.append(Hit(start, end, text[start:end], entry))
                pos = end
                break
        if self.cjk and _CJK.search(text):
            entries = dict(self.cjk)
            for m in self._cjk_pattern().finditer(text):
                if not any(h.start < m.end() and m.start() < h.end for h in hits):
                    hits.append(Hit(m.start(), m.end(), m.group(), entries[m.group()]))
        return sorted(hits, key=lambda h: h.start)

    def _candidates(self, word: str) -> list[tuple[str, bool, bool, Entry]]:
        """Surfaces that start with `word`, and common nouns whose one-word plural it is ("argyrodites")."""
        found = self.by_first.get(word, [])
        if len(word) > 4 and word.endswith("s"):
            stems = [word[:-1]] + ([word[:-2]] if word.endswith("es") else [])
            plurals = [c for stem in stems for c in self.by_first.get(stem, ()) if c[2] and " " not in c[0]]
            if plurals:
                return sorted(found + plurals, key=lambda c: -len(c[0]))
        return found

    def _cjk_pattern(self) -> re.Pattern:
        if getattr(self, "_cjk_compiled", None) is None:
            self._cjk_compiled = re.compile("|".join(re.escape(s) for s, _ in self.cjk))
        return self._cjk_compiled


def _plain(entry: dict, *keys: str) -> tuple:
    return tuple(sorted((k, entry[k]) for k in keys if entry.get(k) is not None))


@lru_cache(maxsize=1)
def organisation_by_casefold() -> dict[str, Entry]:
    """Known organisations by their names written in any case ("Gotion High-tech" for "Gotion High-Tech"); a
    folded form two organisations share is left out."""
    seen: dict[str, Entry | None] = {}
    for org in load_schema("organizations"):
        entry = Entry("Organization", org["name"], _plain(org, "type", "country"))
        for surface in [org["name"], *org.get("aliases", [])]:
            key = surface.casefold()
            seen[key] = entry if seen.get(key, entry) == entry else None
    return {k: e for k, e in seen.items() if e is not None and len(k) > 3}


@lru_cache(maxsize=1)
def domain_gazetteer() -> Gazetteer:
    """Organisations, materials, processes, products and locations from schemas/, in one index."""
    gaz = Gazetteer()
    for org in load_schema("organizations"):
        entry = Entry("Organization", org["name"], _plain(org, "type", "country"))
        for surface in [org["name"], *org.get("aliases", [])]:
            gaz.add(surface, entry)
    for mat in load_schema("materials"):
        entry = Entry("Material", mat["name"], _plain(mat, "formula", "class", "role"))
        for surface in [mat["name"], *mat.get("aliases", [])]:
            for form in spelling_forms(surface):
                gaz.add(form, entry, common_noun=True)
    for proc in load_schema("processes"):
        entry = Entry("Process", proc["name"])
        for surface in [proc["name"], *proc.get("aliases", [])]:
            for form in spelling_forms(surface):
                gaz.add(form, entry, common_noun=True)
    for prod in load_schema("products"):
        entry = Entry("Product", prod["name"], _plain(prod, "org", "kind"))
        for surface in [prod["name"], *prod.get("aliases", [])]:
            gaz.add(surface, entry)
    locations = load_schema("locations")
    for loc in locations["countries"]:
        entry = Entry("Location", loc["name"], (("country", loc["name"]), ("kind", "country")))
        for surface in [loc["name"], *loc.get("aliases", [])]:
            gaz.add(surface, entry)
    for loc in locations["places"]:
        entry = Entry("Location", loc["name"], (("country", loc["country"]), ("kind", "place")))
        for surface in [loc["name"], *loc.get("aliases", [])]:
            gaz.add(surface, entry)
    for loc in locations["regions"]:
        entry = Entry("Location", loc["name"], (("kind", "region"),))
        for surface in [loc["name"], *loc.get("aliases", [])]:
            gaz.add(surface, entry)
    return gaz.freeze()


@lru_cache(maxsize=1)
def region_countries() -> dict[str, frozenset[str]]:
    """Region name → the countries it covers (schemas/locations.yaml)."""
    return {r["name"]: frozenset(r["countries"]) for r in load_schema("locations")["regions"]}


@lru_cache(maxsize=1)
def demonym_places() -> dict[str, str]:
    """"Japanese" → Japan, "European" → Europe: how a question names a place by its adjective."""
    table = load_schema("locations")
    return {d: place["name"] for place in [*table["countries"], *table["regions"]]
            for d in place.get("demonyms", [])}


def countries_in(text: str) -> set[str]:
    """The countries of the known places and countries a text names ("Dunkirk, northern France" → France)."""
    return {h.entry.attr["country"] for h in domain_gazetteer().find(text)
            if h.entry.type == "Location" and h.entry.attr.get("country")}
