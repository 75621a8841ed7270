"""Date mentions in sentences, and a document's publication date from its header.

Milestones ("mass production in Q3 2026", "2025年底", "late 2024") need a date the graph can sort and compare, so
every mention is normalised to "YYYY", "YYYY-Qn", "YYYY-MM" or "YYYY-MM-DD"; vague wording keeps the year and
records the wording as a qualifier, ranges keep their last value in `date_end`, and relative phrases ("last
weekend") resolve against the publication date. The vocabulary lives in schemas/dates.yaml; this module only
turns it into precompiled patterns once and applies them.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipelines.schemas import parse_yaml

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "dates.yaml"

QUALIFIERS = ("late", "mid", "early", "around", "by", "before", "after", "since")


@dataclass(frozen=True)
class DateMention:
    """A date found in a sentence; `start`/`end` index the sentence, `raw` is the text between them."""

    start: int
    end: int
    raw: str
    date: str
    date_end: str | None = None
    qualifier: str | None = None
    relative: bool = False


@dataclass(frozen=True)
class _Core:
    """What a pattern recognised before qualifier words around it are considered."""

    date: str
    date_end: str | None = None
    qualifier: str | None = None
    relative: bool = False
    numeric: bool = False  # only digits: must pass the checks that tell a year from a quantity or identifier
    decade: int | None = None


_Pub = tuple[int, int | None, int | None]
_Hit = tuple[int, int, _Core]
_Handler = Callable[[re.Match[str], str, "_Pub | None"], "_Hit | None"]  # match on the lowercased text

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen-minus, hyphens, figure/en/em dash, minus
_APOS = "'\u2019\u2018"
_SEP = rf"[\s{_DASHES}]"
_SEP_RUN = re.compile(f"{_SEP}+")
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# Patterns run on an ASCII-lowercased copy of the sentence (same offsets) and each starts with a literal or a
# character class, so the regex engine skips ahead in C instead of trying every position; boundary checks come
# right after the first character for the same reason.
_D = r"[0-9](?<![0-9a-z][0-9])"  # a digit that starts a number not glued to a word
_DZ = r"[0-9](?<![0-9][0-9])"  # the same where CJK text may precede the number
_NO_LETTER_AFTER = r"(?![a-z])"
_NO_ALNUM_AFTER = r"(?![0-9a-z])"


def _tokens(phrase: str) -> list[str]:
    """A vocabulary phrase as trie tokens: characters, " " for a word gap (spaces or dashes), "-" for an optional
    hyphen ("mid-year" also matches "midyear")."""
    out: list[str] = []
    for ch in phrase.strip().translate(_LOWER):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(ch)
    return out


def _is_letter(tok: str | None) -> bool:
    return bool(tok) and tok.isascii() and tok.isalpha()


def _trie(phrases: Iterable[str], *, left_guard: bool = True, right_guard: bool = True) -> str:
    """One regex for many phrases, factored by common prefixes so that matching stays linear and the longest
    phrase wins ("sept" over "sep", "end of" over "end"). Guards keep phrases off the inside of longer words."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for tok in _tokens(phrase):
            node = node.setdefault(tok, {})
        node[""] = {}

    def emit(node: dict[str, dict], prev: str | None) -> str:
        alts = []
        for tok in sorted(k for k in node if k):
            head = {" ": rf"{_SEP}+", "-": rf"{_SEP}*"}.get(tok) or re.escape(tok)
            if prev is None and left_guard and _is_letter(tok):
                head += f"(?<![a-z]{tok})"
            alts.append(head + emit(node[tok], tok))
        if "" in node:
            alts.append(_NO_LETTER_AFTER if right_guard and _is_letter(prev) else "")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root, None)


def _phrase(words: str) -> str:
    """Plain regex for a phrase: escaped, any whitespace between words."""
    return r"\s+".join(re.escape(w) for w in words.split())


def _norm(phrase: str) -> str:
    """Lookup key of a matched phrase: lowercase, separators folded to one space."""
    return _SEP_RUN.sub(" ", phrase.translate(_LOWER)).strip()


def _suffix_alt(entries: list[dict[str, Any]]) -> tuple[str, dict[str, str | None]]:
    """Chinese suffix alternation (with the characters that must not follow) and the text → qualifier map."""
    parts, table = [], {}
    for e in sorted(entries, key=lambda e: -len(e["text"])):
        guard = f"(?![{re.escape(e['not_followed_by'])}])" if e.get("not_followed_by") else ""
        parts.append(re.escape(e["text"]) + guard)
        table[e["text"]] = e.get("qualifier")
    return "|".join(parts), table


class _Vocab:
    """The schema compiled into patterns, built once per process."""

    def __init__(self, data: Mapping[str, Any]):
        years = data["years"]
        self.bare_lo, self.bare_hi = years["bare"]
        self.marked_lo, self.marked_hi = years["marked"]
        self.pivot = int(years["two_digit_pivot"])
        self.max_span = int(years["max_range_span"])

        self.month_of = {_norm(w): int(n) for n, ws in data["months"].items() for w in ws}
        self.case_sensitive_months = {_norm(w) for w in data["case_sensitive_months"]}
        self.month_anchor = {_norm(k): int(v) for k, v in data["month_anchors"].items()}
        self.weekday_of = {_norm(k): int(v) for k, v in data["weekdays"].items()}
        self.weekday_anchor = {_norm(k): int(v) for k, v in data["weekday_anchors"].items()}
        self.quarter_of = {_norm(k): int(v) for k, v in data["quarter_ordinals"].items()}
        self.number_of = {_norm(k): int(v) for k, v in data["number_words"].items()}
        self.short_fiscal = {_norm(k) for k in data["fiscal_short_markers"]}

        rel = data["relative"]
        self.shift_of = {_norm(k): int(v) for k, v in rel["shifts"].items()}
        self.rel_unit = {_norm(k): v for k, v in rel["units"].items()}
        self.rel_phrase = {_norm(k): (v[0], int(v[1])) for k, v in rel["phrases"].items()}
        self.ago_unit = {_norm(k): v for k, v in rel["ago_units"].items()}
        self.ahead_q = {_norm(k): v for k, v in rel["ahead"].items()}

        zh = data["chinese"]
        self.zh_num = {k: int(v) for k, v in zh["numerals"].items()}
        self.zh_rel_year = {k: int(v) for k, v in zh["relative_years"].items()}
        self.zh_rel = {k: (v[0], int(v[1])) for k, v in zh["relative"].items()}
        zh_year_suffix, self.zh_year_q = _suffix_alt(zh["year_suffixes"])
        zh_month_suffix, self.zh_month_q = _suffix_alt(zh["month_suffixes"])

        self.decade_span = {k: (int(v[0]), int(v[1])) for k, v in data["decades"].items()}

        by = data["bare_year"]
        self.count_nouns = {_norm(w) for w in by["count_nouns"]}
        self.temporal_words = {_norm(w) for w in by["temporal_words"]}
        self.prefix_symbols = tuple(by["prefix_symbols"])

        quals = data["qualifiers"]
        self.prefix_q = {_norm(p): q for q, ps in quals["prefix"].items() for p in ps}
        self.prefix_q.update({p: q for q, ps in zh["prefixes"].items() for p in ps})
        self.suffix_q = {_norm(p): q for q, ps in quals["suffix"].items() for p in ps}

        months = _trie(self.month_of)
        full_months = _trie(data["standalone_months"])
        fiscal = _trie(data["fiscal_markers"])
        ordinals = _trie(self.quarter_of)
        numbers = _trie(self.number_of)
        range_words = _trie(data["range_words"])
        range_sym = "".join(re.escape(s) for s in data["range_symbols"])
        rng = rf"(?:\s*[{range_sym}]\s*|\s+{range_words}\s+)"
        dash = rf"\s*[{_DASHES}]\s*"
        yy = rf"[{_APOS}](?P<yy>[0-9]{{2}})"
        fy_year = rf"(?P<fy>{fiscal})\s*[{_DASHES}]?\s*[{_APOS}]?(?P<fyy>[0-9]{{4}}|[0-9]{{2}})"
        year_tok = rf"(?:{fy_year}|(?P<y>[0-9]{{4}})|{yy})"
        estimate = "|".join(re.escape(s.lower()) for s in years["estimate_suffixes"])
        zh_year_mark = "|".join(re.escape(m) for m in sorted(zh["year_markers"], key=len, reverse=True))
        zh_conn = "|".join(re.escape(c) for c in zh["range_connectors"])
        zh_q = "".join(self.zh_num)
        day = r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?"
        day_start = rf"(?P<d>{_D}[0-9]?)(?:st|nd|rd|th)?"
        day2 = rf"(?:(?:{dash}|\s+to\s+)(?P<d2>[0-9]{{1,2}})(?:st|nd|rd|th)?)?"
        year4 = rf"(?P<y>{_D}[0-9]{{3}})"
        q_year = rf"(?:\s*(?:of|,)\s*|\s*[\-/]\s*|\s*){year_tok}{_NO_ALNUM_AFTER}"

        c = re.compile
        def g(*names: str) -> frozenset[str]:
            return frozenset(names)

        digit, month, cjk, rel_f, cjk_digit = g("digit"), g("digit", "month"), g("cjk"), g("rel"), g("cjk", "digit")
        # (pattern, handler, features the sentence must have, needs a publication date), in priority order:
        # earlier patterns claim their text first.
        self.rules: list[tuple[re.Pattern[str], _Handler, frozenset[str], bool]] = [
            (c(rf"{year4}(?P<s>[\-/.])(?P<m>[0-9]{{1,2}})(?P=s)(?P<d>[0-9]{{1,2}})(?![0-9])"),
             self._iso_day, digit, False),
            (c(r"(?P<a>[0-9](?<![0-9a-z./][0-9])[0-9]?)(?P<s>[./\-])(?P<b>[0-9]{1,2})(?P=s)(?P<y>[0-9]{4})"
               r"(?![0-9])(?![./][0-9])"), self._numeric_day, digit, False),
            (c(rf"(?P<y>{_DZ}[0-9]{{3}})\s*年\s*(?P<m>[0-9]{{1,2}})\s*月(?:\s*(?P<d>[0-9]{{1,2}})\s*[日号])?"
               rf"(?P<suf>{zh_month_suffix})?"), self._zh_month, cjk_digit, False),
            (c(rf"(?P<y>{_DZ}[0-9]{{3}})\s*年\s*(?:第\s*)?(?:(?P<q>[{zh_q}1-4])\s*季度|q(?P<q2>[1-4]))"),
             self._zh_quarter, cjk_digit, False),
            (c(rf"(?P<y1>{_DZ}[0-9]{{3}})\s*(?:{zh_year_mark})?\s*(?:{zh_conn})\s*(?P<y2>[0-9]{{4}})\s*"
               rf"(?:{zh_year_mark})(?P<suf>{zh_year_suffix})?"), self._zh_range, cjk_digit, False),
            (c(rf"(?P<y>{_DZ}[0-9]{{3}})\s*(?:{zh_year_mark})(?P<suf>{zh_year_suffix})?"),
             self._zh_year, cjk_digit, False),
            (c(rf"(?P<mon>{months})\.?\s+{day}{day2}\s*,?\s+(?P<y>[0-9]{{4}})(?![0-9])"),
             self._text_day, month, False),
            (c(rf"{day_start}{day2}(?:\s+of)?[\s{_DASHES}/]+(?P<mon>{months})\.?,?[\s{_DASHES}/]+"
               rf"(?P<y>[0-9]{{4}})(?![0-9])"), self._text_day, month, False),
            (c(rf"(?P<mon>{months})\.?{rng}(?P<mon2>{months})\.?\s*,?\s*(?:of\s+)?(?:(?P<y>[0-9]{{4}})|{yy})"
               rf"(?![0-9])"), self._month_range, month, False),
            (c(rf"q(?<![0-9a-z]q)(?P<q>[1-4])(?:{rng}q(?P<q2>[1-4]))?{q_year}"), self._quarter, g("digit", "q"), False),
            (c(rf"(?P<q>[1-4](?<![0-9a-z][1-4]))q\s*(?:(?P<fy>{fiscal})\s*)?[{_APOS}]?(?P<fyy>[0-9]{{4}}|[0-9]{{2}})"
               rf"{_NO_ALNUM_AFTER}"), self._quarter, g("digit", "q"), False),
            (c(rf"{fy_year}\s*[\-/]?\s*q(?P<q>[1-4]){_NO_ALNUM_AFTER}"), self._quarter, g("digit", "q", "fy"), False),
            (c(rf"{year4}\s*[\-/]?\s*q(?P<q>[1-4]){_NO_ALNUM_AFTER}"), self._quarter, g("digit", "q"), False),
            (c(rf"(?P<o>{ordinals})[\s{_DASHES}]+quarter(?:\s+of)?(?:\s+the)?\s*,?\s*"
               rf"(?:{fy_year}|(?P<y>[0-9]{{4}})|{yy}){_NO_ALNUM_AFTER}"), self._quarter, g("digit", "quarter"), False),
            (c(rf"h(?<![0-9a-z]h)(?P<h>[12]){q_year}"), self._half, g("digit", "h"), False),
            (c(rf"(?P<h>[12](?<![0-9a-z][12]))h\s*(?:(?P<fy>{fiscal})\s*)?[{_APOS}]?(?P<fyy>[0-9]{{4}}|[0-9]{{2}})"
               rf"{_NO_ALNUM_AFTER}"), self._half, g("digit", "h"), False),
            (c(rf"{fy_year}\s*[\-/]?\s*h(?P<h>[12]){_NO_ALNUM_AFTER}"), self._half, g("digit", "h", "fy"), False),
            (c(rf"{year4}\s*[\-/]?\s*h(?P<h>[12]){_NO_ALNUM_AFTER}"), self._half, g("digit", "h"), False),
            (c(rf"{fy_year}(?:{rng}(?:{fiscal})?\s*[{_APOS}]?(?P<fyy2>[0-9]{{4}}|[0-9]{{2}}))?{_NO_ALNUM_AFTER}"),
             self._fiscal, g("digit", "fy"), False),
            (c(rf"(?P<mon>{months})\.?(?:\s+of)?(?:\s*[,/{_DASHES}]\s*|\s+)(?:(?P<y>[0-9]{{4}})|{yy})(?![0-9])"),
             self._month_year, month, False),
            (c(rf"b(?<![a-z]b)etween\s+(?P<y1>[0-9]{{4}})\s+and\s+(?P<y2>[0-9]{{4}}){_NO_ALNUM_AFTER}"),
             self._year_range, g("digit", "between"), False),
            (c(rf"(?P<y1>{_D}[0-9]{{3}}){rng}(?P<y2>[0-9]{{4}}|[0-9]{{2}})(?![0-9])(?![.,/{_DASHES}][0-9])"
               rf"{_NO_LETTER_AFTER}"), self._year_range, digit, False),
            (c(rf"{year4}[\-/](?P<m>[0-9]{{2}})(?![0-9])(?![\-/.][0-9]){_NO_LETTER_AFTER}"),
             self._iso_month, digit, False),
            (c(rf"(?P<m>[0-9](?<![0-9a-z/.][0-9])[0-9]?)/(?P<y>[0-9]{{4}})(?![0-9/]){_NO_LETTER_AFTER}"),
             self._iso_month, digit, False),
            (c(rf"(?P<y>{_D}[0-9]{{2}}0)[{_APOS}]?s{_NO_ALNUM_AFTER}"), self._decade, g("digit", "decade"), False),
            (c(rf"(?P<w>{_trie(self.zh_rel_year)})(?:\s*(?P<m>[0-9]{{1,2}})\s*月"
               rf"(?:\s*(?P<d>[0-9]{{1,2}})\s*[日号])?(?P<msuf>{zh_month_suffix})?)?(?P<suf>{zh_year_suffix})?"),
             self._zh_relative_year, cjk, True),
            (c(_trie(self.zh_rel)), self._zh_relative, cjk, True),
            (c(rf"(?P<m>{_DZ}[0-9]?)\s*月\s*(?P<d>[0-9]{{1,2}})\s*[日号]"), self._zh_month_day, cjk_digit, True),
            (c(_trie(self.rel_phrase)), self._rel_phrase, rel_f, True),
            (c(rf"(?P<mod>{_trie(rel['modifiers'])})\s+(?P<shift>{_trie(self.shift_of)})"
               rf"\s+(?P<unit>{_trie(self.rel_unit)})"), self._rel_shift, rel_f, True),
            (c(rf"(?P<shift>{_trie(self.shift_of)})\s+(?P<unit>{_trie(self.rel_unit)})"),
             self._rel_shift, rel_f, True),
            (c(rf"(?P<n>{_D}[0-9]?)\s+(?P<unit>{_trie(self.ago_unit)})\s+ago{_NO_LETTER_AFTER}"),
             self._rel_ago, rel_f, True),
            (c(rf"(?P<n>{numbers})\s+(?P<unit>{_trie(self.ago_unit)})\s+ago{_NO_LETTER_AFTER}"),
             self._rel_ago, rel_f, True),
            (c(rf"(?P<pre>{_trie(self.ahead_q)})\s+(?P<n>[0-9]{{1,2}}|{numbers})\s+(?P<unit>years?|months?)"
               rf"{_NO_LETTER_AFTER}"), self._rel_ahead, rel_f, True),
            (c(rf"(?P<a>{_trie(self.weekday_anchor)})\s+(?P<wd>{_trie(self.weekday_of)})"),
             self._weekday, rel_f, True),
            (c(rf"(?P<mon>{months})\.?\s+{day}{_NO_ALNUM_AFTER}(?!\s*,?\s*[0-9])"),
             self._text_day_no_year, month, True),
            (c(rf"{day_start}(?:\s+of)?\s+(?P<mon>{months})(?!\.?\s*,?\s*[{_APOS}]?[0-9])"),
             self._text_day_no_year, month, True),
            (c(rf"q(?<![0-9a-z]q)(?P<q>[1-4])(?![0-9a-z{_APOS}])"), self._quarter_no_year, g("digit", "q"), True),
            (c(rf"(?P<o>{_trie(k for k in self.quarter_of if k != 'last')})[\s{_DASHES}]+quarter{_NO_LETTER_AFTER}"),
             self._quarter_no_year, g("quarter"), True),
            (c(rf"(?P<mon>{full_months})(?!\.?\s*,?\s*[{_APOS}]?[0-9])"), self._month_alone, g("month"), True),
            (c(rf"{year4}(?:{estimate})?{_NO_ALNUM_AFTER}"), self._bare_year, digit, False),
        ]

        self.has_month = c(months)
        self.fiscal_words = tuple({f.split()[0].lower() for f in data["fiscal_markers"]})
        self.has_rel = c(_trie(list(self.shift_of) + list(self.weekday_of) + list(self.rel_phrase)
                               + ["weekend", "week", "ago", "year", "years", "month", "months", "quarter"]))
        self.has_cjk = c("[" + re.escape("".join({w[0] for w in [*self.zh_rel, *self.zh_rel_year, "年", "月"]}))
                         + "]")
        self.prefix_rev = c(rf"(?:\s+eht{_NO_LETTER_AFTER})?{_SEP}*(?:fo{_NO_LETTER_AFTER}{_SEP}+)?"
                            rf"(?P<p>{_trie((p[::-1] for p in self.prefix_q), left_guard=False)})"
                            rf"(?:\s+eht{_NO_LETTER_AFTER})?")
        self.suffix = c(rf"{_SEP}*(?P<p>{_trie(self.suffix_q)})")
        self.anchor_before = c(rf"(?P<a>{_trie(self.month_anchor)}){_SEP}+(?:the\s+)?$")
        self.the_before = c(r"t(?<![a-z]t)he\s+$")

        word_re = "|".join(
            _phrase(w) if w.endswith(".") else _phrase(w) + r"\.?"
            for w in sorted(by["prefix_words"], key=len, reverse=True)
        )
        codes = "|".join(re.escape(w) for w in sorted(by["prefix_codes"], key=len, reverse=True))
        self.non_year_before = c(rf"(?:(?<![A-Za-z])(?i:{word_re})|(?<![A-Za-z])(?:{codes}))\s*[:#]?\s*$")
        units = "|".join(re.escape(u) for u in sorted(by["units"], key=len, reverse=True))
        self.unit_after = c(  # a glued "s" is a decade ("2000s"), not seconds
            rf"(?![{_APOS}]?s(?![A-Za-z]))\s*\+?\s*(?:(?:{units})|(?i:{_trie(by['unit_words'])}))(?![A-Za-z])"
        )
        self.decimal_before = c(r"[0-9][.,]$")
        self.digits_after = c(rf"[.,]?[0-9]|\s*[{_DASHES}/]\s*[0-9]")
        self.word_after = c(r"\s+([A-Za-z]+)")
        self.word_before = c(r"([A-Za-z]+)[\s,]*$")
        self.number_next = c(rf"(?:\s*[{_DASHES}~/]\s*|\s+(?P<conn>to|and|or)\s+)(?P<num>[0-9][0-9,.]*)")
        self.number_prev = c(rf"(?P<num>[0-9][0-9,.]*)(?:\s*[{_DASHES}~/]\s*|\s+to\s+)$")
        self.glued_before = c(rf"[0-9A-Za-z][{_DASHES}/]$")
        self.range_gap = c(rf"(?:\s*[{_DASHES}]\s*|\s+{range_words}\s+)$")
        self.between_before = c(r"b(?<![a-z]b)etween\s+$")
        self.and_gap = c(r"\s+and\s+$")

        doc = data["document_date"]
        self.doc_max_lines = int(doc["max_lines"])
        self.doc_max_extra = int(doc["dateline_max_extra"])
        label_kind = {**{x: "ignored" for x in doc["ignored_labels"]},
                      **{x: "secondary" for x in doc["secondary_labels"]},
                      **{x: "primary" for x in doc["labels"]}}
        self.label_kind = {_norm(k): v for k, v in label_kind.items()}
        self.label = c(rf"[\s>*_#|•·\-]*(?P<label>{_trie(self.label_kind)})[\s*_]*(?P<colon>[:|]|on\b)?[\s*_]*")
        self.markup = c(rf"[\s*_#|>•·,()\[\]{_DASHES}]+")
        self.time = c(r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*\(?[A-Z]{2,5}\)?(?![A-Za-z]))?", re.I)

    # --- years -------------------------------------------------------------------------------------------------

    def year2(self, yy: str) -> int:
        """Two-digit year to four, pivoting so that '26 is 2026 and '95 is 1995."""
        n = int(yy)
        return 2000 + n if n <= self.pivot else 1900 + n

    def marked(self, y: int) -> bool:
        return self.marked_lo <= y <= self.marked_hi

    def bare(self, y: int) -> bool:
        return self.bare_lo <= y <= self.bare_hi

    def year_of(self, m: re.Match[str]) -> int | None:
        """The year of a match with the shared y / yy / fy+fyy groups, or None when out of range."""
        gd = m.groupdict()
        if gd.get("y"):
            y = int(gd["y"])
        elif gd.get("yy"):
            y = self.year2(gd["yy"])
        elif gd.get("fyy"):
            raw = gd["fyy"]
            marker = _norm(gd.get("fy") or "")
            if len(raw) == 2 and marker and marker not in self.short_fiscal:
                return None
            y = int(raw) if len(raw) == 4 else self.year2(raw)
        else:
            return None
        return y if self.marked(y) else None

    def month_token(self, m: re.Match[str], text: str, group: str = "mon") -> int | None:
        """Month number of a matched month word, refusing lowercase "may"/"march" (verbs, not months)."""
        raw = text[m.start(group):m.end(group)]
        key = _norm(raw).rstrip(".")
        if key in self.case_sensitive_months and raw[:1].islower():
            return None
        return self.month_of.get(key)

    # --- absolute handlers -------------------------------------------------------------------------------------

    def _iso_day(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        d = _day(int(m["y"]), int(m["m"]), int(m["d"]))
        return (m.start(), m.end(), _Core(d)) if d and self.marked(int(m["y"])) else None

    def _numeric_day(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
        if not self.marked(y):
            return None
        if m["s"] == "." or a > 12:
            d = _day(y, b, a)
        elif b > 12:
            d = _day(y, a, b)
        else:
            return (m.start(), m.end(), _Core(f"{y:04d}")) if (a <= 12 and b <= 12) else None
        return (m.start(), m.end(), _Core(d)) if d else None

    def _text_day(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        mon, y = self.month_token(m, text), int(m["y"])
        if mon is None or not self.marked(y):
            return None
        d = _day(y, mon, int(m["d"]))
        if d is None:
            return None
        end = _day(y, mon, int(m["d2"])) if m["d2"] else None
        return m.start(), m.end(), _Core(d, end if end and end > d else None)

    def _month_range(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        m1, m2, y = self.month_token(m, text), self.month_token(m, text, "mon2"), self.year_of(m)
        if m1 is None or m2 is None or y is None or m2 <= m1:
            return None
        return m.start(), m.end(), _Core(f"{y:04d}-{m1:02d}", f"{y:04d}-{m2:02d}")

    def _month_year(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        mon, y = self.month_token(m, text), self.year_of(m)
        if mon is None or y is None:
            return None
        return m.start(), m.end(), _Core(f"{y:04d}-{mon:02d}")

    def _quarter(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y = self.year_of(m)
        gd = m.groupdict()
        q = int(gd["q"]) if gd.get("q") else self.quarter_of.get(_norm(gd["o"]))
        if y is None or q is None:
            return None
        q2 = int(gd["q2"]) if gd.get("q2") else None
        end = f"{y:04d}-Q{q2}" if q2 and q2 > q else None
        return m.start(), m.end(), _Core(f"{y:04d}-Q{q}", end)

    def _half(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y = self.year_of(m)
        if y is None:
            return None
        return m.start(), m.end(), _Core(f"{y:04d}", qualifier="early" if m["h"] == "1" else "late")

    def _fiscal(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y = self.year_of(m)
        if y is None:
            return None
        if m["fyy2"]:
            raw = m["fyy2"]
            y2 = int(raw) if len(raw) == 4 else (y // 100) * 100 + int(raw)
            if 0 < y2 - y <= self.max_span:
                return m.start(), m.end(), _Core(f"{y:04d}", f"{y2:04d}")
        return m.start(), m.end("fyy"), _Core(f"{y:04d}")

    def _year_range(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y1, raw2 = int(m["y1"]), m["y2"]
        if len(raw2) == 2:
            yy1, yy2 = y1 % 100, int(raw2)
            if yy2 <= yy1:
                return None
            y2 = y1 - yy1 + yy2
        else:
            y2 = int(raw2)
        if not (self.bare(y1) and self.bare(y2) and 0 < y2 - y1 <= self.max_span):
            return None
        return m.start(), m.end(), _Core(f"{y1:04d}", f"{y2:04d}", numeric=True)

    def _iso_month(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y, mon = int(m["y"]), int(m["m"])
        if not (self.bare(y) and 1 <= mon <= 12):
            return None
        return m.start(), m.end(), _Core(f"{y:04d}-{mon:02d}", numeric=True)

    def _decade(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y = int(m["y"])
        if not self.bare(y):
            return None
        return m.start(), m.end(), _Core(f"{y:04d}", f"{y + 9:04d}", numeric=True, decade=y)

    def _bare_year(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y = int(m["y"])
        return (m.start(), m.end(), _Core(f"{y:04d}", numeric=True)) if self.bare(y) else None

    # --- Chinese -----------------------------------------------------------------------------------------------

    def _zh_month(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y, mon = int(m["y"]), int(m["m"])
        if not (self.marked(y) and 1 <= mon <= 12):
            return None
        q = self.zh_month_q.get(m["suf"]) if m["suf"] else None
        if m["d"]:
            d = _day(y, mon, int(m["d"]))
            return (m.start(), m.end(), _Core(d, qualifier=q)) if d else None
        return m.start(), m.end(), _Core(f"{y:04d}-{mon:02d}", qualifier=q)

    def _zh_quarter(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y = int(m["y"])
        raw = m["q"] or m["q2"]
        q = self.zh_num.get(raw) or int(raw)
        return (m.start(), m.end(), _Core(f"{y:04d}-Q{q}")) if self.marked(y) else None

    def _zh_range(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y1, y2 = int(m["y1"]), int(m["y2"])
        if not (self.marked(y1) and self.marked(y2) and 0 < y2 - y1 <= self.max_span):
            return None
        q = self.zh_year_q.get(m["suf"]) if m["suf"] else None
        return m.start(), m.end(), _Core(f"{y1:04d}", f"{y2:04d}", qualifier=q)

    def _zh_year(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        y = int(m["y"])
        q = self.zh_year_q.get(m["suf"]) if m["suf"] else None
        return (m.start(), m.end(), _Core(f"{y:04d}", qualifier=q)) if self.marked(y) else None

    def _zh_relative_year(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        assert pub is not None
        y = pub[0] + self.zh_rel_year[m["w"]]
        if m["m"]:
            mon = int(m["m"])
            if not 1 <= mon <= 12:
                return None
            q = self.zh_month_q.get(m["msuf"]) if m["msuf"] else None
            date = _day(y, mon, int(m["d"])) if m["d"] else f"{y:04d}-{mon:02d}"
            return (m.start(), m.end(), _Core(date, qualifier=q, relative=True)) if date else None
        q = self.zh_year_q.get(m["suf"]) if m["suf"] else None
        return m.start(), m.end(), _Core(f"{y:04d}", qualifier=q, relative=True)

    def _zh_relative(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        unit, shift = self.zh_rel[m.group(0)]
        return _relative_hit(m, unit, shift, pub)

    def _zh_month_day(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        assert pub is not None
        d = _day(pub[0], int(m["m"]), int(m["d"]))
        return (m.start(), m.end(), _Core(d, relative=True)) if d else None

    # --- relative (English) ------------------------------------------------------------------------------------

    def _rel_phrase(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        unit, shift = self.rel_phrase[_norm(m.group(0))]
        return _relative_hit(m, unit, shift, pub)

    def _rel_shift(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        shift = self.shift_of[_norm(m["shift"])]
        if shift and self.the_before.search(m.string, max(0, m.start() - 8), m.start()):
            return None
        return _relative_hit(m, self.rel_unit[_norm(m["unit"])], shift, pub)

    def _rel_ago(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        n = _count(m["n"], self.number_of)
        return _relative_hit(m, self.ago_unit[_norm(m["unit"])], -n, pub)

    def _rel_ahead(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        n = _count(m["n"], self.number_of)
        hit = _relative_hit(m, "year" if m["unit"].startswith("year") else "month", n, pub)
        if hit is None:
            return None
        return hit[0], hit[1], replace(hit[2], qualifier=self.ahead_q[_norm(m["pre"])])

    def _weekday(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        assert pub is not None
        if pub[1] is None or pub[2] is None:
            return None
        base = dt.date(pub[0], pub[1], pub[2])
        wd, anchor = self.weekday_of[_norm(m["wd"])], _norm(m["a"])
        shift = self.weekday_anchor[anchor]
        if shift < 0:
            back = (base.weekday() - wd) % 7 or (0 if anchor == "on" else 7)
            day = base - dt.timedelta(days=back)
        elif shift > 0:
            day = base + dt.timedelta(days=(wd - base.weekday()) % 7 or 7)
        else:
            day = base + dt.timedelta(days=wd - base.weekday())
        return m.start(), m.end(), _Core(day.isoformat(), relative=True)

    def _text_day_no_year(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        assert pub is not None
        mon = self.month_token(m, text)
        d = _day(pub[0], mon, int(m["d"])) if mon else None
        return (m.start(), m.end(), _Core(d, relative=True)) if d else None

    def _quarter_no_year(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        assert pub is not None
        if self.anchor_before.search(m.string, max(0, m.start() - 20), m.start()) is None:
            return None
        gd = m.groupdict()
        q = int(gd["q"]) if gd.get("q") else self.quarter_of[_norm(gd["o"])]
        return m.start(), m.end(), _Core(f"{pub[0]:04d}-Q{q}", relative=True)

    def _month_alone(self, m: re.Match[str], text: str, pub: _Pub | None) -> _Hit | None:
        assert pub is not None
        mon = self.month_token(m, text)
        anchor = self.anchor_before.search(m.string, max(0, m.start() - 16), m.start())
        if mon is None or anchor is None:
            return None
        shift, start = self.month_anchor[_norm(anchor["a"])], m.start()
        y = pub[0]
        if shift:
            if pub[1] is None:
                return None
            start = anchor.start()
            if shift < 0:
                y = pub[0] if mon < pub[1] else pub[0] - 1
            else:
                y = pub[0] if mon > pub[1] else pub[0] + 1
        return start, m.end(), _Core(f"{y:04d}-{mon:02d}", relative=True)

    # --- context -----------------------------------------------------------------------------------------------

    def numeric_ok(self, text: str, start: int, end: int, prefixed: bool) -> bool:
        """Whether a run of digits read as a year is really one, not a quantity, page, figure or identifier."""
        before = text[max(0, start - 24):start]
        if before.endswith(self.prefix_symbols) or self.decimal_before.search(before):
            return False
        if not prefixed and self.glued_before.search(before):
            return False
        if self.non_year_before.search(before):
            return False
        prev = self.number_prev.search(before)
        if prev and not self._year_like(prev["num"]):
            return False
        after = text[end:end + 32]
        if self.digits_after.match(after):
            return False
        nxt = self.number_next.match(after)
        if nxt:
            unit_follows = self.unit_after.match(after, nxt.end()) is not None
            if nxt["conn"] in ("and", "or"):
                if unit_follows and len(re.sub(r"\D", "", nxt["num"])) >= 4:
                    return False
            elif unit_follows or not self._year_like(nxt["num"]):
                return False
        if self.unit_after.match(after):
            return False
        word = self.word_after.match(after)
        if word and word.group(1).lower() in self.count_nouns:
            prev_word = self.word_before.search(before)
            return bool(prefixed or (prev_word and prev_word.group(1).lower() in self.temporal_words))
        return True

    def _year_like(self, token: str) -> bool:
        return len(token) == 4 and token.isdigit() and self.bare(int(token))


def _day(y: int, m: int, d: int) -> str | None:
    """ISO day, or None for impossible dates such as 2026-02-31."""
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _count(token: str, words: Mapping[str, int]) -> int:
    return int(token) if token.isdigit() else words[_norm(token)]


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def _resolve(unit: str, shift: int, pub: _Pub) -> str | None:
    """A relative unit/shift against the publication date, at the precision the unit warrants."""
    y, m, d = pub
    if unit == "year":
        return f"{y + shift:04d}"
    if m is None:
        return None
    if unit == "month":
        yy, mm = _shift_month(y, m, shift)
        return f"{yy:04d}-{mm:02d}"
    if unit == "quarter":
        idx = y * 4 + (m - 1) // 3 + shift
        return f"{idx // 4:04d}-Q{idx % 4 + 1}"
    if d is None:
        return f"{y:04d}-{m:02d}" if unit in ("week", "weekend") and shift == 0 else None
    base = dt.date(y, m, d)
    if unit == "day":
        return (base + dt.timedelta(days=shift)).isoformat()
    if unit == "week":
        day = base + dt.timedelta(days=7 * shift)
    else:
        weekday = base.weekday()
        saturday = base + dt.timedelta(days=5 - weekday) if weekday <= 5 else base - dt.timedelta(days=1)
        day = saturday + dt.timedelta(days=7 * shift)
    return f"{day.year:04d}-{day.month:02d}"


def _relative_hit(m: re.Match[str], unit: str, shift: int, pub: _Pub | None) -> _Hit | None:
    if pub is None:
        return None
    date = _resolve(unit, shift, pub)
    return (m.start(), m.end(), _Core(date, relative=True)) if date else None


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return _Vocab(parse_yaml(fh))


@lru_cache(maxsize=256)
def _parse_published(published: str | None) -> _Pub | None:
    """(year, month, day) of a published value such as "2026", "2026-05" or "2026-05-20T10:00"."""
    if not published:
        return None
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", published)
    if not m:
        return None
    y, mon, d = int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
    if mon is not None and not 1 <= mon <= 12:
        return (y, None, None)
    if d is not None and _day(y, mon or 1, d) is None:
        return (y, mon, None)
    return (y, mon, d)


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in taken)


def _finish(v: _Vocab, text: str, low: str, hit: _Hit, floor: int) -> DateMention | None:
    """Attach the qualifier words around a recognised date and apply the year-versus-quantity checks.

    Prefixes are matched on the reversed text before the date, so "by the end of 2026" costs a few character
    comparisons rather than a search; the qualifier nearest the date wins.
    """
    start, end, core = hit
    qualifier, new_start = core.qualifier, start
    for _ in range(3):
        window = low[max(floor, new_start - 40):new_start][::-1]
        m = v.prefix_rev.match(window)
        if m is None:
            break
        qualifier = qualifier or v.prefix_q.get(_norm(m["p"][::-1]))
        new_start -= m.end()
    if core.numeric and not v.numeric_ok(text, start, end, prefixed=new_start < start):
        return None
    new_end = end
    if qualifier is None:
        m = v.suffix.match(low, end)
        if m:
            qualifier = v.suffix_q.get(_norm(m["p"]))
            new_end = m.end()
    date, date_end = core.date, core.date_end
    if core.decade is not None and qualifier in v.decade_span:
        lo, hi = v.decade_span[qualifier]
        date, date_end = f"{core.decade + lo:04d}", f"{core.decade + hi:04d}"
    return DateMention(new_start, new_end, text[new_start:new_end], date, date_end, qualifier, core.relative)


def _merge_ranges(v: _Vocab, text: str, found: list[DateMention]) -> list[DateMention]:
    """Join "Dec 2025 - Feb 2026" or "from Q4 2025 to Q2 2026" into one mention with a date_end."""
    out: list[DateMention] = []
    for m in found:
        prev = out[-1] if out else None
        if prev and prev.date_end is None and m.date_end is None and not (prev.relative or m.relative):
            gap = text[prev.end:m.start]
            joined = v.range_gap.match(gap) or (
                v.and_gap.match(gap) and v.between_before.search(text, max(0, prev.start - 10), prev.start)
            )
            if joined and date_sort_key(m.date) > date_sort_key(prev.date):
                out[-1] = DateMention(prev.start, m.end, text[prev.start:m.end], prev.date, m.date,
                                      prev.qualifier or m.qualifier, False)
                continue
        out.append(m)
    return out


_DIGIT = re.compile(r"[0-9]")


def _features(v: _Vocab, low: str, pub: _Pub | None) -> set[str]:
    """Cheap facts about the sentence that decide which patterns can possibly match."""
    has = set()
    if _DIGIT.search(low):
        has.add("digit")
        if "q" in low:
            has.add("q")
        if "h1" in low or "h2" in low or "1h" in low or "2h" in low:
            has.add("h")
        if any(w in low for w in v.fiscal_words):
            has.add("fy")
        if "between" in low:
            has.add("between")
        if "0s" in low or "0's" in low or "0\u2019s" in low:
            has.add("decade")
    if "quarter" in low:
        has.add("quarter")
    if v.has_cjk.search(low):
        has.add("cjk")
    if ("digit" in has or pub) and v.has_month.search(low):
        has.add("month")
    if pub and v.has_rel.search(low):
        has.add("rel")
    return has


def find_dates(text: str, published: str | None = None) -> list[DateMention]:
    """Every date mention in one sentence, left to right; relative ones only when `published` is given."""
    if not text:
        return []
    v = _vocab()
    low = text.lower()
    if len(low) != len(text):
        low = text.translate(_LOWER)
    pub = _parse_published(published)
    has = _features(v, low, pub)
    if not has:
        return []
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for pattern, handler, needs, needs_pub in v.rules:
        if (needs_pub and pub is None) or not needs <= has:
            continue
        for m in pattern.finditer(low):
            if _overlaps(taken, m.start(), m.end()):
                continue
            hit = handler(m, text, pub)
            if hit is None or _overlaps(taken, hit[0], hit[1]):
                continue
            floor = max((e for s, e in taken if e <= hit[0]), default=0)
            mention = _finish(v, text, low, hit, floor)
            if mention is not None and not _overlaps(taken, mention.start, mention.end):
                taken.append((mention.start, mention.end))
                found.append(mention)
    found.sort(key=lambda d: d.start)
    return _merge_ranges(v, text, found)


def _absolute(line: str) -> DateMention | None:
    return next((d for d in find_dates(line) if not d.relative), None)


def document_date(text: str) -> str | None:
    """Publication date stated in a document's header (a "Date:"-style label or a dateline), else None.

    Labels that name the publication beat a bare dateline, which beats an "Updated:" label; dates labelled as
    received, filed, accessed and the like are ignored.
    """
    v = _vocab()
    dateline: str | None = None
    secondary: str | None = None
    seen = 0
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        seen += 1
        if seen > v.doc_max_lines:
            break
        line = line[:300]
        label = v.label.match(line.translate(_LOWER))
        if label:
            kind = v.label_kind[_norm(label["label"])]
            if kind == "ignored":
                continue
            found = _absolute(line[label.end():])
            if found and (label["colon"] or found.start == 0):
                if kind == "primary":
                    return found.date
                secondary = secondary or found.date
                continue
        if dateline is None:
            dateline = _dateline(v, line)
    return dateline or secondary


def _dateline(v: _Vocab, line: str) -> str | None:
    """A short line made of a full date, a time and a few words of source or byline ("智东西2026-05-20 12:29")."""
    found = _absolute(line)
    if found is None or len(found.date) != 10:
        return None
    rest = v.time.sub("", line[:found.start] + line[found.end:])
    rest = v.markup.sub("", rest)
    return found.date if len(rest) <= v.doc_max_extra else None


def date_sort_key(date: str) -> tuple[int, int, int, int]:
    """(year, first month, day, precision): a year sorts before its quarters, a quarter before its months."""
    m = re.fullmatch(r"(\d{4})(?:-Q([1-4])|-(\d{2})(?:-(\d{2}))?)?", date.strip())
    if not m:
        raise ValueError(f"not a normalised date: {date!r}")
    y = int(m[1])
    if m[2]:
        return (y, (int(m[2]) - 1) * 3 + 1, 0, 1)
    if m[3]:
        return (y, int(m[3]), int(m[4] or 0), 3 if m[4] else 2)
    return (y, 0, 0, 0)


def date_year(date: str) -> int:
    """The year of a normalised date."""
    return date_sort_key(date)[0]
