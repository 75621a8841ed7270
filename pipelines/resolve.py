"""Entity resolution within a document: mentions → one Entity per key, with every alias and why it merged.

Across documents the key is the merge: the same key from two documents is one node. Keys come from the alias
table (gazetteer), folded legal names, reduced formulas and in-document abbreviations, and each alias record
keeps that reason, so a wrong merge can be traced and undone by removing the alias's document or entry.
"""
from __future__ import annotations

from kg.model import AliasRecord, Document, Entity, Mention
from pipelines.entities.places import short_place_name

_REASON = {"gazetteer": "alias-table", "formula": "formula", "document-lexicon": "document-definition",
           "org-detector": "legal-name", "person-detector": "new", "product-detector": "new",
           "patent-number": "patent-number", "place-detector": "new", "site-detector": "new"}


def merge_short_forms(mentions: list[Mention], generic_words: frozenset[str]) -> None:
    """"WeLion" and "WeLion New Energy" in one document are one organisation when the longer name only adds
    generic words: the short form takes the longer name's key (a gazetteer name, if either is one, wins)."""
    orgs = {m.key: m for m in mentions if m.label == "Organization" and m.key}
    # every longer name under each of its prefixes that only generic words follow, in document order
    longer: dict[tuple[str, ...], list[Mention]] = {}
    for long in orgs.values():
        words = (long.name or "").split()
        k = len(words)
        while k > 0 and words[k - 1] in generic_words:
            k -= 1
            longer.setdefault(tuple(words[:k]), []).append(long)
    target: dict[str, Mention] = {}
    for short in orgs.values():
        for long in longer.get(tuple((short.name or "").split()), ()):
            if long.key != short.key:
                keep, drop = (short, long) if short.method == "gazetteer" else (long, short)
                target[drop.key] = keep
    for m in mentions:
        if m.key in target:
            m.key, m.name, m.attrs = target[m.key].key, target[m.key].name, dict(target[m.key].attrs)


def bind_aliases_to_named(mentions: list[Mention]) -> None:
    """"Samsung said …" in a text about the Samsung Advanced Institute of Technology: a lexicon alias is a short
    form of the organisation the document names in full with it, not of the lexicon's entry ("Samsung SDI"),
    unless the document also names that entry in full."""
    orgs = [m for m in mentions if m.label == "Organization" and m.key]
    in_full = [m for m in orgs if " ".join(m.text.split()) == m.name]
    named_in_full = {m.key for m in in_full}
    for m in orgs:
        surface = " ".join(m.text.split())
        if m.method != "gazetteer" or surface == m.name or m.key in named_in_full or " " in surface:
            continue
        longer = next((o for o in in_full if o.key != m.key and o.name.startswith(surface + " ")), None)
        if longer is not None:
            m.key, m.name, m.attrs = longer.key, longer.name, dict(longer.attrs)


def merge_place_forms(mentions: list[Mention]) -> None:
    """"Sakura" and "Sakura City", "Suwon" and "Suwon-si" in one document are one place, named in full (a town
    and the plant named after it are not: "Ochang" and "the Ochang Energy Plant" stay two places)."""
    places = {m.name: m for m in mentions if m.label == "Location" and m.key and m.name}
    full = {short: m for name, m in places.items() if (short := short_place_name(name)) in places}
    for m in mentions:
        if m.label == "Location" and m.name in full:
            target = full[m.name]
            m.key, m.name, m.attrs = target.key, target.name, dict(target.attrs)


def resolve_entities(document: Document, mentions: list[tuple[str, Mention]]
                     ) -> tuple[list[Entity], list[AliasRecord], list[tuple[str, Mention]]]:
    entities: dict[str, Entity] = {}
    aliases: dict[tuple[str, str], AliasRecord] = {}
    named_by_lexicon: set[str] = set()
    for _, mention in mentions:
        key = mention.key
        if not key:
            continue
        entity = entities.get(key)
        if entity is None:
            attrs = {k: v for k, v in mention.attrs.items() if k not in ("detector",) and v is not None}
            entity = entities[key] = Entity(key=key, type=mention.label, name=mention.name or mention.text,
                                            attrs=attrs)
        if mention.method == "gazetteer" and key not in named_by_lexicon:
            entity.name = mention.name or entity.name  # the lexicon's canonical name wins over a first surface form
            named_by_lexicon.add(key)
        surface = " ".join(mention.text.split())
        for alias in {surface, entity.name}:
            reason = "exact" if alias == entity.name else _REASON.get(mention.method, "new")
            aliases.setdefault((key, alias), AliasRecord(entity_key=key, alias=alias, reason=reason))
    by_entity: dict[str, set[str]] = {}
    for entity_key, alias in aliases:
        by_entity.setdefault(entity_key, set()).add(alias)
    for entity in entities.values():
        entity.aliases = sorted(by_entity.get(entity.key, set()) - {entity.name})
    return list(entities.values()), list(aliases.values()), mentions
