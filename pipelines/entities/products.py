"""Products that are in no gazetteer: quoted names before a product noun, and OEM model designations."""
from __future__ import annotations

import re
from functools import lru_cache

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
def _material_patterns() -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    heads = load_schema("detectors")["material_heads"]
    alternatives = "|".join(sorted(heads, key=len, reverse=True))
    quoted = re.compile(rf"\"([a-z][a-z\- ]{{2,50}}\s(?:{alternatives}))\"")
    function_words = r"(?:the|a|an|of|and|or|in|is|are|was|were|to|with|for|as|by|on|at|its|their|this|that)\b"
    acronym = re.compile(rf"\b([A-Z][A-Z0-9]{{2,}}(?:-[A-Z0-9]+)?)((?:\s+(?!{function_words})[a-z][\w\-]*){{0,4}}"
                         rf"\s+(?:{alternatives}))\b")
    return quoted, acronym, heads


def find_coined_materials(text: str) -> list[tuple[int, int, str, str]]:
    """Materials named by their authors: "dynamic adaptive interface", "VIGLAS … glass electrolyte"."""
    quoted, acronym, heads = _material_patterns()
    out = []
    for m in quoted.finditer(text):
        out.append((m.start(1), m.end(1), m.group(1), heads.get(m.group(1).split()[-1], "other")))
    for m in acronym.finditer(text):
        out.append((m.start(1), m.end(2), m.group(1), heads.get(m.group(2).split()[-1], "other")))
    return out
