"""Cue-phrase lookup for extractors; phrase lists live in schemas/cues.yaml."""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.extractors.base import PassageContext, Span
from pipelines.schemas import load_schema


def cues(*path: str):
    data = load_schema("cues")
    for key in path:
        data = data[key]
    return data


@lru_cache(maxsize=256)
def _compile(phrases: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?:s|es)?(?![\w])", re.IGNORECASE)


_BY_ID: dict[int, tuple[object, re.Pattern]] = {}


def _pattern_for(phrases) -> re.Pattern:
    """Schema lists live for the whole process, so their compiled pattern is looked up by identity."""
    hit = _BY_ID.get(id(phrases))
    if hit is not None and hit[0] is phrases:
        return hit[1]
    pattern = _compile(tuple(phrases))
    if isinstance(phrases, list):
        _BY_ID[id(phrases)] = (phrases, pattern)
    return pattern


@lru_cache(maxsize=1)
def chemistry_phrases() -> tuple[dict[str, str], tuple[str, ...]]:
    """Every chemistry cue with its label (first label wins), to find all chemistries of a text in one pass."""
    label_of: dict[str, str] = {}
    for label, phrases in cues("chemistry").items():
        for phrase in phrases:
            label_of.setdefault(phrase.lower(), label)
            for plural in ("s", "es"):
                label_of.setdefault(phrase.lower() + plural, label)
    return label_of, tuple(p for phrases in cues("chemistry").values() for p in phrases)


_FOUND: dict[tuple[int, str], tuple[tuple[int, int, str], ...]] = {}
_FOUND_LIMIT = 50_000


def find(text: str, phrases) -> tuple[tuple[int, int, str], ...]:
    """(start, end, phrase) of each cue phrase in the text. Extractors ask the same question of the same clause
    several times, so answers for schema lists (which live as long as the process) are kept."""
    key = (id(phrases), text)
    hit = _FOUND.get(key)
    if hit is not None and _BY_ID.get(id(phrases), (None,))[0] is phrases:
        return hit
    found = tuple((m.start(), m.end(), m.group().lower()) for m in _pattern_for(phrases).finditer(text))
    if isinstance(phrases, list):
        if len(_FOUND) >= _FOUND_LIMIT:
            _FOUND.clear()
        _FOUND[key] = found
    return found


def first_label(text: str, table: dict[str, list[str]]) -> str | None:
    """The first label (in the table's order) whose cue occurs in `text`."""
    for label, phrases in table.items():
        if find(text, phrases):
            return label
    return None


def nearest_label(text: str, table: dict[str, list[str]], position: int) -> str | None:
    """The label whose cue occurs closest to `position` (ties go to the table's order)."""
    best: tuple[int, int, str] | None = None
    for order, (label, phrases) in enumerate(table.items()):
        for start, end, _ in find(text, phrases):
            distance = 0 if start <= position < end else min(abs(start - position), abs(end - position))
            if best is None or (distance, order) < best[:2]:
                best = (distance, order, label)
    return best[2] if best else None


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """Words whose full stop does not end a clause: legal forms ("Co., Ltd. signed …") and text abbreviations."""
    words = [*load_schema("detectors")["legal_suffixes"], *load_schema("text")["abbreviations"]]
    return frozenset(w.rstrip(".").split()[-1].split(".")[-1] for w in words if w.strip("."))


_CLAUSE_BREAK = re.compile(r";|\s[—–]\s|\.\s")
_LAST_WORD = re.compile(r"(?:^|[\s.,])(\w+)$")


@lru_cache(maxsize=64)  # every extractor asks it of the same passage
def clauses(text: str) -> tuple[tuple[int, int], ...]:
    """Clause spans split at semicolons, dashes between words and sentence breaks."""
    cuts = [0]
    for m in _CLAUSE_BREAK.finditer(text):
        if m.group()[0] == ".":
            before = _LAST_WORD.search(text[max(0, m.start() - 60):m.start()])
            if before and before.group(1) in _abbreviations():
                continue
        cuts.append(m.end())
    cuts.append(len(text))
    return tuple((a, b) for a, b in zip(cuts, cuts[1:]) if b > a)


def segments(ctx: PassageContext, start: int, end: int) -> list[tuple[int, int]]:
    """A clause cut at commas (outside parentheses) and colons; pieces that only list organisations
    ("BYD, Chery, and legacy OEMs (VW, BMW) are pursuing …") join the piece that carries the predicate."""
    key = ("segments", start, end)
    if key not in ctx.memo:
        ctx.memo[key] = _segments(ctx, start, end)
    return ctx.memo[key]


def comma_cuts(text: str, start: int, end: int) -> list[int]:
    """Offsets just after each ", " or ": " in text[start:end] that is outside parentheses and brackets."""
    cuts, depth = [], 0
    for i in range(start, end):
        ch = text[i]
        depth += ch in "(["
        depth -= ch in ")]" and depth > 0
        if depth == 0 and ch in ",:" and i + 1 < end and text[i + 1] == " ":
            cuts.append(i + 1)
    return cuts


def words_besides_orgs(ctx: PassageContext, start: int, end: int) -> list[str]:
    """The words of text[start:end] once the organisations named there are taken out."""
    rest = ctx.text[start:end]
    for o in ctx.of_type("Organization"):
        if start <= o.start and o.end <= end:
            rest = rest.replace(ctx.text[o.start:o.end], " ")
    return re.findall(r"[A-Za-z0-9]+", rest)


_RELATIVE = re.compile(r"\s*(?:which|who|whose)\b")
_GLOSS = re.compile(r"(?:\b(?:and|or)|,)\s+(?:the|a|an)\s+(?:[a-z][\w\-]*\s+){0,3}(?=\x00)")


def _lists_organisations(ctx: PassageContext, start: int, end: int) -> bool:
    """A piece that does little but name organisations: at most two other words, besides the words of a list
    and a gloss before a name ("and the private equity firm Shunwei Capital")."""
    if len(words_besides_orgs(ctx, start, end)) <= 2:
        return True
    rest = ctx.text[start:end]
    for o in ctx.of_type("Organization"):
        if start <= o.start and o.end <= end:
            rest = rest.replace(ctx.text[o.start:o.end], "\x00")
    rest = _GLOSS.sub(" and ", rest)
    return len([w for w in re.findall(r"[A-Za-z0-9]+", rest) if w not in ("and", "or")]) <= 2


def _segments(ctx: PassageContext, start: int, end: int) -> list[tuple[int, int]]:
    text = ctx.text
    inside = [(s.start, s.end) for s in ctx.spans]
    cuts = [start, *(c for c in comma_cuts(text, start, end) if not any(a < c < b for a, b in inside)), end]
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip(" ,:")]
    orgs = ctx.of_type("Organization")
    merged: list[tuple[int, int]] = []
    pending: int | None = None
    for a, b in pieces:
        if pending is not None and _RELATIVE.match(text, a):
            merged.append((pending, a))  # "…, Xiaomi and Shunwei Capital, which invested": the list ends there
            pending = None
        if pending is not None:
            a, pending = pending, None
        if b < end and any(a <= o.start < b for o in orgs) and _lists_organisations(ctx, a, b):
            pending = a
            continue
        merged.append((a, b))
    if pending is not None:
        merged.append((pending, end))
    # "… include GM, Hyundai, SK and Temasek": a list after the predicate belongs to the piece before it
    joined: list[tuple[int, int]] = []
    for a, b in merged:
        if joined and any(a <= o.start < b for o in orgs) and _lists_organisations(ctx, a, b):
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    return joined


# "Nio's", "Factorial’s", "SES'": a name that owns what follows
POSSESSIVE = re.compile(r"['’]s?\s+")
_JOINED = re.compile(r"\s*(?:,?\s*and|,?\s*or|&|,)\s*")


def _is_pronoun(span: Span) -> bool:
    return span.mention.method == "coreference" and " " not in span.mention.text


def conjoined_run(ctx: PassageContext, spans: list[Span], at: Span, forward: bool = False) -> list[Span]:
    """"Ford and BMW are investors in …": the organisations joined by "and" or commas that end with `at` (or,
    forward, that start with it)."""
    if at not in spans or _is_pronoun(at):
        return [at]  # "…, and it has an agreement with X": a pronoun opens a clause, it is never listed
    members = [at]
    i = spans.index(at)
    others = spans[i + 1:] if forward else reversed(spans[:i])
    for span in others:
        gap = ctx.text[members[-1].end:span.start] if forward else ctx.text[span.end:members[0].start]
        if not _JOINED.fullmatch(gap) or _is_pronoun(span):
            break
        members.insert(len(members) if forward else 0, span)
    return members


def preceded_by(text: str, span: Span, words) -> bool:
    """True when the word just before the span (skipping articles) is one of `words`; a name listed after
    others ("from CATL and BYD", "with Kia, Hyundai and Ford") is preceded by what precedes the list."""
    tokens = re.findall(r"[\w'\-]+|,", text[max(0, span.start - 80):span.start])
    words = set(words)
    while tokens:
        while tokens and tokens[-1].lower() in ("the", "a", "an", "its", "their"):
            tokens.pop()
        if not tokens or tokens[-1].lower() in words:
            return bool(tokens)
        if tokens[-1] not in ("and", "or", ","):
            return False
        tokens.pop()
        if tokens and tokens[-1] == ",":
            tokens.pop()
        listed = 0
        while tokens and tokens[-1][:1].isupper() and listed < 4:
            tokens.pop()
            listed += 1
        if not listed:
            return False
    return False


def is_agent(text: str, span: Span) -> bool:
    """The passive voice's agent: "commissioned by ORG", "was designed and developed jointly by ORG"."""
    return re.search(r"\b(?:\w+(?:ed|en|t)|made|run|led|held|set up)\s+(?:\w+ly\s+)?by\s+(?:the\s+)?$",
                     text[max(0, span.start - 60):span.start]) is not None


_BACKING = r"backed|owned|funded|controlled|supported"


def is_modifier(text: str, span: Span) -> bool:
    """"the Volkswagen Group-backed developer", "a Samsung-funded start-up": the name qualifies another noun."""
    return re.match(rf"-(?:{_BACKING}|based|led|affiliated)\b", text[span.end:]) is not None


def is_backer(text: str, span: Span) -> bool:
    """"the Volkswagen-backed developer": the name is of an organisation that invests in the one described."""
    return re.match(rf"-(?:{_BACKING})\b", text[span.end:]) is not None


@lru_cache(maxsize=1)
def _parents() -> dict[str, str]:
    return {org["name"]: org["parent"] for org in load_schema("organizations") if org.get("parent")}


def org_parent(name: str) -> str | None:
    return _parents().get(name)


def same_group(a: str, b: str) -> bool:
    """A parent and its brand or subsidiary (Volkswagen and Ducati) are one group, not partners; so are two names
    that start with the same known organisation's name ("Mercedes-AMG" and "Mercedes-Benz")."""
    return a == b or org_parent(a) == b or org_parent(b) == a or (org_parent(a) is not None
                                                                   and org_parent(a) == org_parent(b)) \
        or _group_word(a) is not None and _group_word(a) == _group_word(b)


@lru_cache(maxsize=4096)
def _group_word(name: str) -> str | None:
    """The known organisation a name starts with: "Mercedes" of "Mercedes-AMG High Performance Powertrains"."""
    from pipelines.entities.gazetteer import domain_gazetteer

    first = re.split(r"[\s\-]", name, maxsplit=1)[0]
    hit = next((h for h in domain_gazetteer().find(first) if h.start == 0 and h.end == len(first)), None)
    return hit.entry.name if hit is not None and hit.entry.type == "Organization" else None


def orgs(ctx: PassageContext) -> list[Span]:
    return ctx.of_type("Organization")
