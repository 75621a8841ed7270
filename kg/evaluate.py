"""Extraction and question-answering scores against gold annotations (format: GOLD-FORMAT.md).

The rules are those of the reference scorer, so `kg eval` and `score.py` print the same figures: names are
compared after folding (NFKC, subscripts, dashes, thousands separators, legal suffixes) and through the alias
groups the gold declares; gold and predicted items are paired one-to-one by maximum bipartite matching.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

ENTITY_TYPES = ("Organization", "Material", "Process", "Product", "Patent", "Person", "Location")
FACT_KINDS = ("production_line", "spec", "milestone", "partnership", "patent", "develops")

_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789" * 2)
_DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
_LEGAL = re.compile(r"\b(inc|corp|corporation|co|ltd|limited|gmbh|ag|plc|llc|group|company)\b\.?")
_UNIT_SYNONYMS = {"whkg-1": "wh/kg", "c": "°c", "degc": "°c", "um": "μm", "micron": "μm"}


def fold(value) -> str:
    """The comparison form of a name or value."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_DIGITS).lower().translate(_DASHES)
    text = text.replace("\u2019", "'")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"[\s_]+", " ", text).strip(" .,'\"")
    text = _LEGAL.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def fold_unit(unit) -> str:
    text = fold(unit).replace("µ", "μ").replace(" ", "").replace("per", "/")
    return _UNIT_SYNONYMS.get(text, text)


def name_forms(item: dict, key: str = "name") -> set[str]:
    forms = {fold(item.get(key))} | {fold(a) for a in item.get("aliases") or []}
    forms.discard("")
    return forms


@dataclass
class AliasGroups:
    """Names the gold declares equivalent; overlapping alias sets are merged transitively."""

    groups: list[set[str]] = field(default_factory=list)

    @classmethod
    def from_gold(cls, documents: list[dict]) -> "AliasGroups":
        book = cls()
        for doc in documents:
            for entity in doc.get("entities", []):
                book.add(name_forms(entity))
        return book

    def add(self, names: set[str]) -> None:
        merged = set(names)
        keep = []
        for group in self.groups:
            if group & merged:
                merged |= group
            else:
                keep.append(group)
        keep.append(merged)
        self.groups = keep

    def group(self, name) -> set[str]:
        folded = fold(name)
        for group in self.groups:
            if folded in group:
                return group
        return {folded}

    def same(self, a, b) -> bool:
        return bool(self.group(a) & self.group(b))


def matching(gold: list, pred: list, compatible: Callable[[object, object], bool]) -> dict[int, int]:
    """A maximum one-to-one matching, pred index → gold index, found with augmenting paths."""
    options = [[j for j, p in enumerate(pred) if compatible(g, p)] for g in gold]
    partner: dict[int, int] = {}

    def assign(i: int, visited: set[int]) -> bool:
        for j in options[i]:
            if j in visited:
                continue
            visited.add(j)
            if j not in partner or assign(partner[j], visited):
                partner[j] = i
                return True
        return False

    for i in range(len(gold)):
        assign(i, set())
    return partner


def max_matching(gold: list, pred: list, compatible: Callable[[object, object], bool]) -> tuple[int, int, int]:
    """(tp, fp, fn) under a maximum one-to-one matching."""
    matched = len(matching(gold, pred, compatible))
    return matched, len(pred) - matched, len(gold) - matched


def close(a, b) -> bool:
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(x - y) <= 0.01 * max(abs(x), abs(y), 1e-9)


def fact_compatibility(book: AliasGroups) -> Callable[[dict, dict], bool]:
    def overlaps(gold: dict, pred: dict, *keys: str) -> bool:
        for g in (gold.get(k) for k in keys):
            for p in (pred.get(k) for k in keys):
                if not g or not p:
                    continue
                fg, fp = fold(g), fold(p)
                if fg and fp and (book.same(g, p) or fg in fp or fp in fg):
                    return True
        return False

    def same_dates(gold: dict, pred: dict) -> bool:
        g, p = str(gold.get("date") or ""), str(pred.get("date") or "")
        return g[:4] == p[:4] and (len(g) <= 4 or p[:len(g)] == g)

    def same_pair(gold: dict, pred: dict) -> bool:
        g, p = gold.get("orgs", []), pred.get("orgs", [])
        if len(g) != 2 or len(p) != 2:
            return False
        return ((book.same(g[0], p[0]) and book.same(g[1], p[1]))
                or (book.same(g[0], p[1]) and book.same(g[1], p[0])))

    rules: dict[str, Callable[[dict, dict], bool]] = {
        "production_line": lambda g, p: (
            book.same(g.get("org"), p.get("org")) and fold(g.get("stage")) == fold(p.get("stage"))
            and (g.get("chemistry") in (None, "unknown") or fold(g.get("chemistry")) == fold(p.get("chemistry")))),
        "spec": lambda g, p: (
            overlaps(g, p, "subject", "subject_org") and fold(g.get("quantity")) == fold(p.get("quantity"))
            and close(g.get("value"), p.get("value")) and fold_unit(g.get("unit")) == fold_unit(p.get("unit"))),
        "milestone": lambda g, p: overlaps(g, p, "subject") and same_dates(g, p),
        "partnership": same_pair,
        "patent": lambda g, p: fold(g.get("number")).replace(" ", "") == fold(p.get("number")).replace(" ", ""),
        "develops": lambda g, p: book.same(g.get("org"), p.get("org")) and overlaps(g, p, "what"),
    }

    def compatible(gold: dict, pred: dict) -> bool:
        return pred.get("kind") == gold["kind"] and rules.get(gold["kind"], lambda g, p: False)(gold, pred)

    return compatible


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else (0.0 if fn else 1.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class Score:
    label: str
    name: str
    tp: int
    fp: int
    fn: int

    @property
    def prf(self) -> tuple[float, float, float]:
        return prf(self.tp, self.fp, self.fn)

    def line(self) -> str:
        p, r, f = self.prf
        return f"{self.label:7} {self.name:16} P={p:.2f} R={r:.2f} F1={f:.2f}  (tp={self.tp} fp={self.fp} fn={self.fn})"


@dataclass
class ExtractionScores:
    rows: list[Score]

    def total(self, label: str) -> Score:
        return next(r for r in self.rows if r.label == label and r.name == "ALL")

    def summary(self) -> str:
        (ep, er, ef), (fp, fr, ff) = self.total("entity").prf, self.total("fact").prf
        return f"entities F1={ef:.2f} (P={ep:.2f} R={er:.2f}); facts F1={ff:.2f} (P={fp:.2f} R={fr:.2f})"

    def report(self) -> str:
        return "\n".join([r.line() for r in self.rows] + [self.summary()])

    def as_dict(self) -> dict:
        return {f"{r.label}/{r.name}": dict(zip(("precision", "recall", "f1"), r.prf), tp=r.tp, fp=r.fp, fn=r.fn)
                for r in self.rows}


@dataclass
class Mismatch:
    """A gold item nothing matched ("missed") or a predicted item no gold item matched ("spurious")."""

    file: str
    label: str
    name: str
    side: str
    item: dict

    def line(self) -> str:
        fields = {k: v for k, v in self.item.items() if k not in ("kind", "type", "evidence") and v not in (None, "")}
        evidence = " ".join(str(self.item.get("evidence") or "").split())[:160]
        return f"{self.side:8} {self.file}  {json.dumps(fields, ensure_ascii=False)}\n         « {evidence} »"


def _pairs(gold: dict, predicted: dict) -> Iterator[tuple[str, str, str, list[dict], list[dict], Callable]]:
    """(file, label, type or kind, gold items, predicted items, compatibility) for every scored cell."""
    book = AliasGroups.from_gold(gold["documents"])
    compatible = fact_compatibility(book)
    by_file = {d["file"]: d for d in predicted.get("documents", [])}

    def same_entity(a: dict, b: dict) -> bool:
        return bool((name_forms(a) | book.group(a["name"])) & name_forms(b))

    for gdoc in gold["documents"]:
        pdoc = by_file.get(gdoc["file"], {})
        for etype in ENTITY_TYPES:
            yield (gdoc["file"], "entity", etype, [e for e in gdoc.get("entities", []) if e["type"] == etype],
                   [e for e in pdoc.get("entities", []) if e.get("type") == etype], same_entity)
        for kind in FACT_KINDS:
            yield (gdoc["file"], "fact", kind, [f for f in gdoc.get("facts", []) if f["kind"] == kind],
                   [f for f in pdoc.get("facts", []) if f.get("kind") == kind], compatible)


def score_extraction(gold: dict, predicted: dict) -> ExtractionScores:
    counts: dict[tuple[str, str], list[int]] = {}
    for _, label, name, g, p, compatible in _pairs(gold, predicted):
        total = counts.setdefault((label, name), [0, 0, 0])
        for i, n in enumerate(max_matching(g, p, compatible)):
            total[i] += n
    rows = []
    for label in ("entity", "fact"):
        names = sorted(name for lab, name in counts if lab == label)
        total = [0, 0, 0]
        for name in names:
            tp, fp, fn = counts[(label, name)]
            rows.append(Score(label, name, tp, fp, fn))
            total = [t + n for t, n in zip(total, (tp, fp, fn))]
        rows.append(Score(label, "ALL", *total))
    return ExtractionScores(rows)


def mismatches(gold: dict, predicted: dict) -> list[Mismatch]:
    """Every missed gold item and spurious prediction, per document, type or kind: what to look at to improve."""
    out = []
    for file, label, name, g, p, compatible in _pairs(gold, predicted):
        partner = matching(g, p, compatible)
        matched_gold = set(partner.values())
        out += [Mismatch(file, label, name, "missed", item) for i, item in enumerate(g) if i not in matched_gold]
        out += [Mismatch(file, label, name, "spurious", item) for j, item in enumerate(p) if j not in partner]
    return out


@dataclass
class QAScores:
    lines: list[str]
    recall: float
    precision: float

    def report(self) -> str:
        return "\n".join(self.lines + [f"questions={len(self.lines)} recall={self.recall:.2f} "
                                       f"precision={self.precision:.2f}"])


def score_answers(gold: dict, answers: dict[str, list[str]]) -> QAScores:
    """Mean recall of the `must` answers and mean precision against `must` ∪ `may`, per question."""
    book = AliasGroups.from_gold(gold.get("documents", []))
    for question in gold["questions"]:
        for name, aliases in (question.get("aliases") or {}).items():
            book.add({fold(name)} | {fold(a) for a in aliases})
    recalls, precisions, lines = [], [], []
    for question in gold["questions"]:
        got = answers.get(question["q"], [])
        must, may = question.get("must", []), question.get("may", [])
        is_value = question.get("type") == "Value"

        def hit(answer: str, pool: list[str]) -> bool:
            return any(book.same(answer, x) or (is_value and fold(x) in fold(answer)) for x in pool)

        recall = sum(1 for m in must if any(hit(a, [m]) for a in got)) / len(must) if must else 1.0
        precision = (sum(1 for a in got if hit(a, must + may)) / len(got) if got
                     else (0.0 if must else 1.0))
        recalls.append(recall)
        precisions.append(precision)
        lines.append(f"R={recall:.2f} P={precision:.2f}  {question['q']}  -> {got[:6]}")
    n = len(recalls) or 1
    return QAScores(lines, sum(recalls) / n, sum(precisions) / n)
