"""What changed between two graphs (snapshots or the live store): facts and entities added, removed, changed.

A fact's identity is what it is about: its kind, the entity keys in its subject/org roles (the slot text when a
role has no entity link) and its quantity or category. Its value is the rest that a later report may revise
(value and unit, date and status, stage and capacity, nature, assignee). An identity whose values differ on the
two sides is "changed" and keeps the old and the new quotes; a value that only appears (or only disappears)
next to unchanged ones is "added" (or "removed"). The same value stated by several documents counts once.
Both sides are sorted on disk (a scratch SQLite file), so memory grows with the differences, not the graphs.
"""
from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from kg.model import Entity, Fact
from kg.store.protocol import GraphStore


@dataclass(frozen=True)
class KindRule:
    roles: tuple[str, ...]  # entity roles that identify the fact
    keys: tuple[str, ...]  # slots that identify it as well
    values: tuple[str, ...]  # slots whose change makes it "changed"


RULES: dict[str, KindRule] = {
    "production_line": KindRule(("org",), (), ("stage", "chemistry", "capacity", "location")),
    "spec": KindRule(("subject", "subject_org"), ("quantity",), ("value", "value_max", "unit")),
    "milestone": KindRule(("subject",), ("category",), ("date", "status")),
    "partnership": KindRule(("org",), (), ("nature",)),
    "patent": KindRule(("patent",), (), ("assignee", "topic")),
    "develops": KindRule(("org", "what"), (), ()),
}
_ROLE_SLOT = {"org": ("org", "orgs"), "subject": ("subject",), "subject_org": ("subject_org",),
              "patent": ("number",), "what": ("what",)}


def _fold(value) -> object:
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    if isinstance(value, list):
        return sorted(_fold(v) for v in value)
    return value


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fact_identity(f: Fact) -> dict:
    """{role: [entity keys] or slot text, identifying slot: value}; unknown kinds are identified by all slots."""
    rule = RULES.get(f.kind)
    if rule is None:
        return {"slots": f.slots}
    identity: dict = {}
    for role in rule.roles:
        keys = sorted(key for r, key in f.entities if r == role and key)
        if keys:
            identity[role] = keys
            continue
        slot = next((s for s in _ROLE_SLOT.get(role, (role,)) if f.slots.get(s) not in (None, "", [])), None)
        if slot is not None:
            identity[role] = _fold(f.slots[slot])
    for slot in rule.keys:
        identity[slot] = f.slots.get(slot)
    return identity


def fact_value(f: Fact) -> dict:
    rule = RULES.get(f.kind)
    return {} if rule is None else {slot: f.slots.get(slot) for slot in rule.values}


def fact_label(f: Fact) -> str:
    """A readable name for the identity: the subject or organisation names and the quantity or category."""
    s = f.slots
    rule = RULES.get(f.kind)
    if f.kind == "partnership":
        parts = [" & ".join(s.get("orgs") or [])]
    elif rule is None:
        parts = [_canonical(s)]
    else:
        parts = []
        for role in rule.roles:
            for slot in _ROLE_SLOT.get(role, (role,)):
                text = s.get(slot)
                if text and text not in parts:
                    parts.append(text if isinstance(text, str) else ", ".join(map(str, text)))
                    break
        parts += [str(s[k]) for k in rule.keys if s.get(k)]
    return " · ".join(p for p in parts if p) or f.kind


def _num(x) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def format_value(value: dict) -> str:
    """"375 Wh/kg", "2027 (planned)", "stage=pilot, capacity=2000 cells/month"."""
    if not value:
        return ""
    if "value" in value and "unit" in value:
        span = _num(value["value"]) + (f"–{_num(value['value_max'])}"
                                       if value.get("value_max") not in (None, "") else "")
        return f"{span} {value.get('unit') or ''}".strip()
    if "date" in value:
        return f"{value.get('date')}" + (f" ({value['status']})" if value.get("status") else "")

    def show(v) -> str:
        if isinstance(v, dict) and "value" in v:
            return f"{_num(v['value'])} {v.get('unit') or ''}".strip()
        return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)

    return ", ".join(f"{k}={show(v)}" for k, v in value.items() if v not in (None, "", []))


@dataclass
class GraphView:
    """One side of a diff: a label and ways to stream its facts and entities."""

    label: str
    documents: dict[str, str]  # document id -> name
    facts: Callable[[], Iterable[Fact]]
    entities: Callable[[], Iterable[Entity]]


def store_view(store: GraphStore, label: str = "live") -> GraphView:
    """The live store as a diff side; facts are read per document so a backend never loads them all at once."""
    documents = {d.id: d.name for d in store.documents()}

    def facts() -> Iterator[Fact]:
        for doc_id in sorted(documents):
            yield from store.facts(document_id=doc_id)

    return GraphView(label, documents, facts, store.entities)


@contextmanager
def snapshot_view(path: str | Path) -> Iterator[GraphView]:
    """A validated snapshot as a diff side (a SnapshotError when it is damaged)."""
    from kg.snapshot import open_snapshot

    with open_snapshot(path) as snap:
        docs = {d["id"]: d["name"] for d in snap.manifest["documents"]}
        yield GraphView(str(path), docs, snap.facts, snap.entities)


@contextmanager
def _spool() -> Iterator[sqlite3.Connection]:
    """A scratch database: both sides are loaded and sorted on disk, so memory holds one identity at a time."""
    with tempfile.TemporaryDirectory(prefix="kg-diff-") as tmp:
        conn = sqlite3.connect(Path(tmp) / "diff.sqlite")
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        try:
            yield conn
        finally:
            conn.close()


def _fact_rows(side: int, view: GraphView) -> Iterator[tuple]:
    for f in view.facts():
        identity = fact_identity(f)
        evidence = {"quote": f.evidence.quote, "fact_id": f.id,
                    "document": view.documents.get(f.evidence.document_id, f.evidence.document_id)}
        yield (_canonical([f.kind, identity]), side, _canonical(fact_value(f)), f.kind, fact_label(f),
               _canonical(identity), _canonical(evidence))


def _side_values(rows: list[tuple], side: int) -> dict[str, dict]:
    """{value json: {"value", "text", "evidence": [...]}} of one side of one identity."""
    values: dict[str, dict] = {}
    for _, s, value, *_rest, evidence in rows:
        if s != side:
            continue
        slot = values.setdefault(value, {"value": json.loads(value), "text": format_value(json.loads(value)),
                                         "evidence": []})
        slot["evidence"].append(json.loads(evidence))
    for slot in values.values():
        slot["evidence"].sort(key=lambda e: (e["document"], e["fact_id"]))
    return values


def diff_facts(old: GraphView, new: GraphView) -> dict[str, dict[str, list]]:
    """{kind: {"added": [...], "removed": [...], "changed": [...]}}, each list sorted by label."""
    out: dict[str, dict[str, list]] = {}
    with _spool() as conn:
        conn.execute("CREATE TABLE facts (ident TEXT, side INTEGER, value TEXT, kind TEXT, label TEXT, "
                     "identity TEXT, evidence TEXT)")
        for side, view in enumerate((old, new)):
            conn.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?)", _fact_rows(side, view))
        rows = conn.execute("SELECT * FROM facts ORDER BY ident, side, value")
        for _, group in groupby(rows, key=lambda r: r[0]):
            items = list(group)
            va, vb = _side_values(items, 0), _side_values(items, 1)
            if va.keys() == vb.keys():
                continue
            _, side, _, kind, label, identity, _ = items[-1]
            head = {"kind": kind, "label": label, "identity": json.loads(identity)}
            gone = [va[k] for k in sorted(va.keys() - vb.keys())]
            came = [vb[k] for k in sorted(vb.keys() - va.keys())]
            bucket = out.setdefault(kind, {"added": [], "removed": [], "changed": []})
            if gone and came:
                bucket["changed"].append({**head, "old": gone, "new": came})
            elif came:
                bucket["added"].append({**head, "values": came})
            else:
                bucket["removed"].append({**head, "values": gone})
    for bucket in out.values():
        for items in bucket.values():
            items.sort(key=lambda x: (x["label"].casefold(), _canonical(x["identity"])))
    return {kind: out[kind] for kind in sorted(out)}


def _entity_state(e: Entity) -> dict:
    return {"type": e.type, "name": e.name, "aliases": sorted(e.aliases), "attrs": e.attrs}


def diff_entities(old: GraphView, new: GraphView) -> dict[str, dict[str, list]]:
    """{type: {"added", "removed", "changed"}}; an entity is its key, changed when name, aliases or attrs differ."""
    out: dict[str, dict[str, list]] = {}
    with _spool() as conn:
        conn.execute("CREATE TABLE entities (key TEXT, side INTEGER, state TEXT)")
        for side, view in enumerate((old, new)):
            conn.executemany("INSERT INTO entities VALUES (?, ?, ?)",
                             ((e.key, side, _canonical(_entity_state(e))) for e in view.entities()))
        rows = conn.execute("SELECT key, side, state FROM entities ORDER BY key, side")
        for key, group in groupby(rows, key=lambda r: r[0]):
            states = {side: state for _, side, state in group}
            if states.get(0) == states.get(1):
                continue
            sa, sb = (json.loads(states[s]) if s in states else None for s in (0, 1))
            state = sb or sa
            bucket = out.setdefault(state["type"], {"added": [], "removed": [], "changed": []})
            if sa is None:
                bucket["added"].append({"key": key, **sb})
            elif sb is None:
                bucket["removed"].append({"key": key, **sa})
            else:
                changes = {f: {"old": sa[f], "new": sb[f]} for f in sa if sa[f] != sb[f]}
                bucket["changed"].append({"key": key, "type": sb["type"], "name": sb["name"], "changes": changes})
    return {t: out[t] for t in sorted(out)}


def _counts(section: dict[str, dict[str, list]]) -> dict:
    per = {name: {change: len(items) for change, items in bucket.items()} for name, bucket in section.items()}
    total = {change: sum(c[change] for c in per.values()) for change in ("added", "removed", "changed")}
    return {"total": total, **per}


def diff_graphs(old: GraphView, new: GraphView) -> dict:
    """The whole diff as plain data, counts first; `to_markdown` and `json.dumps` render it."""
    facts = diff_facts(old, new)
    entities = diff_entities(old, new)
    return {"old": old.label, "new": new.label,
            "counts": {"facts": _counts(facts), "entities": _counts(entities)},
            "facts": facts, "entities": entities}


def to_json(diff: dict) -> str:
    return json.dumps(diff, ensure_ascii=False, indent=2)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _quote(ev: dict) -> str:
    return f"“{_cell(ev['quote'])}” — {_cell(ev['document'])}"


def to_markdown(diff: dict) -> str:
    lines = [f"# Graph diff: {diff['old']} → {diff['new']}", ""]
    for section, head in (("facts", "kind"), ("entities", "type")):
        counts = diff["counts"][section]
        lines += [f"## {section.capitalize()}: {counts['total']['added']} added, {counts['total']['removed']} "
                  f"removed, {counts['total']['changed']} changed", ""]
        rows = [(name, c) for name, c in counts.items() if name != "total"]
        if rows:
            lines += [f"| {head} | added | removed | changed |", "|---|---:|---:|---:|"]
            lines += [f"| {name} | {c['added']} | {c['removed']} | {c['changed']} |" for name, c in rows]
            lines.append("")
    for kind, bucket in diff["facts"].items():
        lines += [f"## {kind}", ""]
        for item in bucket["changed"]:
            old = "; ".join(v["text"] or "(no value)" for v in item["old"])
            new = "; ".join(v["text"] or "(no value)" for v in item["new"])
            lines.append(f"- changed **{_cell(item['label'])}**: {_cell(old)} → {_cell(new)}")
            lines += [f"  - old: {_quote(ev)}" for v in item["old"] for ev in v["evidence"]]
            lines += [f"  - new: {_quote(ev)}" for v in item["new"] for ev in v["evidence"]]
        for change in ("added", "removed"):
            for item in bucket[change]:
                for v in item["values"]:
                    text = f": {_cell(v['text'])}" if v["text"] else ""
                    lines.append(f"- {change} **{_cell(item['label'])}**{text}")
                    lines += [f"  - {_quote(ev)}" for ev in v["evidence"]]
        lines.append("")
    for etype, bucket in diff["entities"].items():
        lines += [f"## {etype} entities", ""]
        for change in ("added", "removed"):
            lines += [f"- {change} **{_cell(e['name'])}** (`{e['key']}`)" for e in bucket[change]]
        for e in bucket["changed"]:
            what = ", ".join(f"{f}: {_cell(json.dumps(c['old'], ensure_ascii=False))} → "
                             f"{_cell(json.dumps(c['new'], ensure_ascii=False))}" for f, c in e["changes"].items())
            lines.append(f"- changed **{_cell(e['name'])}** (`{e['key']}`): {what}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
