"""Products that are in no gazetteer: quoted names before a product noun, and OEM model designations."""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.entities.organizations import stop_capitalised
from pipelines.entities.statistical import is_technical
from pipelines.quantities import is_unit
from pipelines.schemas import load_schema


@lru_cache(maxsize=1)
def _quoted() -> re.Pattern:
    heads = "|".join(load_schema("detectors")["product_heads"])
    return re.compile(
        rf"\"([A-Z0-9][\w\-]*(?:\s[A-Z0-9][\w\-]*){{0,3}})\"\s+(?:[\w\-]+\s+){{0,2}}(?:{heads})\b")


_MODEL = re.compile(r"\s((?:[A-Z]{1,3}\d{1,3}[A-Za-z]{0,2}|[a-z]\d{1,2}))\b")


def find_products(text: str, oem_spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str, str | None]]:
    """(start, end, name, maker) candidates; `oem_spans` are organisation mentions that may precede a model."""
    out: list[tuple[int, int, str, str | None]] = []
    for m in _quoted().finditer(text):
        out.append((m.start(1), m.end(1), m.group(1), None))
    for start, end, org in oem_spans:
        m = _MODEL.match(text, end)
        if m:
            out.append((start, m.end(1), f"{text[start:end]} {m.group(1)}", org))
    return out


@lru_cache(maxsize=1)
def _material_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, dict[str, str]]:
    heads = load_schema("detectors")["material_heads"]
    alternatives = "|".join(sorted(heads, key=len, reverse=True))
    # a coined name has no function words: "father of the solid polymer electrolyte" is an epithet
    quoted = re.compile(rf"\"((?![^\"]*\b(?:of|the|a|an|is|for)\s)[a-z][a-z\- ]{{2,50}}\s(?:{alternatives}))\"")
    # 'a "sponge silicon" anode': the quoted words name the kind of part after them
    before = re.compile(rf"\"((?![^\"]*\b(?:of|the|a|an|is|for)\s)[a-z][a-z\- ]{{2,40}})\"\s+({alternatives})\b")
    function_words = r"(?:the|a|an|of|and|or|in|is|are|was|were|to|with|for|as|by|on|at|its|their|this|that)\b"
    acronym = re.compile(rf"\b([A-Z][A-Z0-9]{{2,}}(?:-[A-Z0-9]+)?)((?:\s+(?!{function_words})[a-z][\w\-]*){{0,4}}"
                         rf"\s+(?:{alternatives}))\b")
    return quoted, before, acronym, heads


def find_coined_materials(text: str) -> list[tuple[int, int, str, str]]:
    """Materials named by their authors: "dynamic adaptive interface", "VIGLAS … glass electrolyte", 'a "sponge
    silicon" anode'."""
    quoted, before, acronym, heads = _material_patterns()
    out = []
    for m in quoted.finditer(text):
        out.append((m.start(1), m.end(1), m.group(1), heads.get(m.group(1).split()[-1], "other")))
    for m in before.finditer(text):
        out.append((m.start(), m.end(2), f"{m.group(1)} {m.group(2)}", heads[m.group(2)]))
    for m in acronym.finditer(text):
        out.append((m.start(1), m.end(2), m.group(1), heads.get(m.group(2).split()[-1], "other")))
    return out


@lru_cache(maxsize=1)
def _named_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, frozenset[str]]:
    table = load_schema("detectors")
    word = r"(?:[A-Z][\w+\-]*|\d[\w+]*)"
    heads = "|".join(sorted(table["named_product_heads"], key=len, reverse=True))
    makers = "|".join(table["product_gloss_stops"])
    # "Three Korean cell makers": a product noun that qualifies its maker names no product
    # "Stereax miniature cells", "Kestrel large-format cells": a format word may stand between name and noun
    formats = "|".join(re.escape(m) for m in table["product_format_words"])
    product = re.compile(rf"(?<![\w\-])({word}(?:\s+{word}){{0,3}})(\s+(?:{formats}))?\s+({heads})\b"
                         rf"(?!\s+(?:{makers})\b)")
    process_heads = "|".join(table["named_process_heads"])
    parts = r"(?:separator|electrode|coating|film|cathode|anode|electrolyte|cell|sintering|casting)\s+"
    process = re.compile(rf"(?<![\w\-])([A-Z][\w\-]+)\s+(?:{parts})?(?:{process_heads})\b")
    means = "|".join(table["process_means"])
    determiners = r"(?!(?:the|a|an|this|that|these|those|its|their|his|her|our|each|any|some)\b)"
    gerund = re.compile(rf"\b(?:{means})\s+(?:by|via|using|through|with)\s+((?:{determiners}[a-z][\w\-]*\s+){{0,2}}?"
                        rf"[a-z][a-z\-]*ing)\b(?!\s+(?:the|a|an|its|their)\b)")
    return product, process, gerund, frozenset(table["non_process_gerunds"])


@lru_cache(maxsize=1)
def _apposition_pattern() -> re.Pattern:
    """"CeraCharge, a surface-mountable chip": a name glossed as a kind of product."""
    table = load_schema("detectors")
    word = r"(?:[A-Z][\w+\-]*|\d[\w+]*)"
    heads = "|".join(sorted(table["named_product_heads"], key=len, reverse=True))
    makers = "|".join(table["product_gloss_stops"])
    return re.compile(rf"(?<![\w\-])({word}(?:\s+{word}){{0,2}}),\s+(?:a|an|the|its)\s+"
                      rf"(?:[\w\-]+\s+){{0,3}}?(?:{heads})"
                      rf"\b(?!\s+(?:{makers})\b)")


_OWNED_OR_COUNTED = re.compile(r"(?:\b(?:its|their|our)|['’]s|\b\d[\d,.]*)\s+(?:[a-z][\w\-]*\s+){0,3}$")
_CODED = re.compile(r"[A-Za-z].*\d|\d.*[A-Za-z]|[a-z][A-Z]")  # "i7", "QSE-5", "PowerChip": a coined name


def find_named_products(text: str) -> list[tuple[int, int, str, str | None]]:
    """Capitalised names before a product noun, with that noun: "Kestrel Aurora cars" → ("Kestrel Aurora",
    "cars")."""
    product, _, _, _ = _named_patterns()
    stop = stop_capitalised()
    out = []
    for m in product.finditer(text):
        words = m.group(1).split()
        while words and (words[0] in stop or words[0][0].isdigit() or is_unit(words[0])):
            words.pop(0)  # "The Aurora cars", "5,000 Aurora cars", "2 Ah P1 cells"
        name = " ".join(words)
        start = m.end(1) - len(name)
        # one plain word is a name only with a format word after it ("Stereax miniature cells"), or after an
        # owner or a count ("its sulfide-based Gemstone cells", "2,000 Aurora cars"), not "Tesla cars"
        if not words or is_technical(name) or (
                len(words) == 1 and not m.group(2) and not _CODED.search(words[0])
                and not _OWNED_OR_COUNTED.search(text, max(0, start - 60), start)):
            continue
        if len(words) == 1 and m.group(2) and re.search(r"(?:^|[.!?:]\s+)$", text[:start]):
            continue  # "True all-solid-state cells are …": a sentence's first word may be any adjective
        out.append((start, m.end(1), name, m.group(3)))
    for m in _apposition_pattern().finditer(text):
        name = m.group(1)
        if name.split()[0] not in stop and not is_technical(name) and \
                not any(s <= m.start(1) < e for s, e, _, _ in out):
            out.append((m.start(1), m.end(1), name, None))
    return sorted(out)


_SYNONYM = re.compile(r"\s*\((?:[^()\"“”]{0,30}?\s)?[\"“]?([A-Z][\w\-]+)[\"”]?\)")


def find_product_synonyms(text: str) -> list[tuple[str, str]]:
    """"Gemstone cells (Chinese name "Jinshi")", "Aurora packs (Borealis)": a product and its other name."""
    if "(" not in text:
        return []
    out = []
    for start, end, name, head in find_named_products(text):
        m = _SYNONYM.match(text, end + (len(head) + 1 if head and text.startswith(head, end + 1) else 0))
        if m and m.group(1) != name:
            out.append((name, m.group(1)))
    return out


def find_named_processes(text: str) -> list[tuple[int, int, str]]:
    """"the Cobra process" → Cobra; "made by spin coating" → spin coating."""
    _, process, gerund, not_processes = _named_patterns()
    stop = stop_capitalised()
    out = [(m.start(1), m.end(1), m.group(1)) for m in process.finditer(text) if m.group(1) not in stop]
    for m in gerund.finditer(text):
        words = m.group(1).split()
        if words[-1] in not_processes or len(words[-1]) < 6:
            continue
        out.append((m.start(1), m.end(1), m.group(1)))
    return out
