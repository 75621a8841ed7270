"""Targets vs achievements per organisation: dated milestones, slipped targets and overdue ones.

Analysts track whether companies deliver what they announced, so a timeline keeps planned and achieved
milestones apart, notices when a later document moves a target of the same subject and event category
(Toyota "2027" in one source, "2027-28" in a later one), and flags planned milestones whose date has passed with
nothing achieved. Dates are compared at the coarser of the two precisions, so "2026" then "Q3 2026" is a
refinement, not a slip.
"""
from __future__ import annotations

import datetime as dt
import html
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.model import Fact
from kg.provenance import Source, documents_by_id, resolve_names, role_key, source_of
from kg.store.cached import entity_of, facts_of_kind
from kg.store.protocol import GraphStore
from pipelines.dates import date_sort_key


# -- date windows ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """A milestone's date as a span of months, with the precision of each end (0 year, 1 quarter, 2+ month)."""

    first: int
    last: int
    first_precision: int
    last_precision: int


def _span(date: str) -> tuple[int, int, int]:
    year, month, _, precision = date_sort_key(date)
    if precision == 0:
        return year * 12, year * 12 + 11, 0
    if precision == 1:
        return year * 12 + month - 1, year * 12 + month + 1, 1
    return year * 12 + month - 1, year * 12 + month - 1, precision


def window(date: str, date_end: str | None = None) -> Window:
    first, last, p1 = _span(date)
    if date_end:
        try:
            _, last_end, p2 = _span(date_end)
            if last_end >= first:
                return Window(first, last_end, p1, p2)
        except ValueError:
            pass
    return Window(first, last, p1, p1)


def _shift(a: int, pa: int, b: int, pb: int) -> int:
    """Months from a to b, in whole years when either end is only a year."""
    if min(pa, pb) == 0:
        return 12 * (b // 12 - a // 12)
    return b - a


def shift_months(before: Window, after: Window) -> tuple[int, int]:
    """(start shift, end shift) in months from one window to another."""
    return (_shift(before.first, before.first_precision, after.first, after.first_precision),
            _shift(before.last, before.last_precision, after.last, after.last_precision))


def overlaps(a: Window, b: Window) -> bool:
    return a.first <= b.last and b.first <= a.last


def describe_shift(months: int) -> str:
    sign = "+" if months > 0 else "-"
    n = abs(months)
    if n % 12 == 0:
        years = n // 12
        return f"{sign}{years} year" + ("s" if years != 1 else "")
    return f"{sign}{n} month" + ("s" if n != 1 else "")


def check_date(date: str) -> str:
    """`date` when it is a real YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD date; ValueError otherwise."""
    year, month, day, precision = date_sort_key(date)
    if precision >= 2:
        dt.date(year, month, day or 1)
    return date


def month_index(date: str) -> int:
    """First month of a normalised date (or an ISO date); a reference point such as --as-of."""
    return _span(date)[0]


# -- records --------------------------------------------------------------------------------------------------
@dataclass
class Milestone:
    """One dated statement, merged over the documents that make it."""

    lane: str
    lane_key: str | None
    subject: str
    subject_key: str | None
    category: str
    event: str
    date: str
    date_end: str | None
    status: str
    sources: list[Source] = field(default_factory=list)
    overdue: bool = False
    superseded: bool = False

    @property
    def window(self) -> Window:
        return window(self.date, self.date_end)

    @property
    def label(self) -> str:
        return f"{self.date}\u2013{self.date_end}" if self.date_end and self.date_end != self.date else self.date

    def to_dict(self) -> dict:
        return {"lane": self.lane, "lane_key": self.lane_key, "subject": self.subject,
                "subject_key": self.subject_key, "category": self.category, "event": self.event,
                "date": self.date, "date_end": self.date_end, "status": self.status, "overdue": self.overdue,
                "superseded": self.superseded,
                "sources": [s.to_dict() for s in self.sources]}


@dataclass
class Slip:
    """A later document moved a planned date of the same subject and event category."""

    lane: str
    subject: str
    subject_key: str | None
    category: str
    before: Milestone
    after: Milestone
    before_source: Source
    after_source: Source
    start_shift_months: int
    shift_months: int

    @property
    def shift(self) -> str:
        return describe_shift(self.shift_months or self.start_shift_months)

    def to_dict(self) -> dict:
        return {"lane": self.lane, "subject": self.subject, "subject_key": self.subject_key,
                "category": self.category, "shift": self.shift, "shift_months": self.shift_months,
                "start_shift_months": self.start_shift_months,
                "before": {"date": self.before.date, "date_end": self.before.date_end,
                           "source": self.before_source.to_dict()},
                "after": {"date": self.after.date, "date_end": self.after.date_end,
                          "source": self.after_source.to_dict()}}


@dataclass
class Timeline:
    as_of: str
    lanes: dict[str, list[Milestone]]
    slips: list[Slip]

    @property
    def overdue(self) -> list[Milestone]:
        return [m for items in self.lanes.values() for m in items if m.overdue]

    def to_dict(self) -> dict:
        return {"as_of": self.as_of,
                "lanes": {lane: [m.to_dict() for m in items] for lane, items in self.lanes.items()},
                "slips": [s.to_dict() for s in self.slips],
                "overdue": [m.to_dict() for m in self.overdue]}


# -- building -------------------------------------------------------------------------------------------------
def _lane_of(store: GraphStore, fact: Fact, cache: dict[str, tuple[str, str | None]]) -> tuple[str, str | None]:
    """(lane name, organisation key): a product's milestones go in its maker's lane."""
    key = role_key(fact, "subject")
    subject = str(fact.slots.get("subject") or "?")
    if key is None:
        return subject, None
    if key not in cache:
        entity = entity_of(store, key)
        lane: tuple[str, str | None] = (subject, key)
        if entity is not None and entity.type == "Organization":
            lane = (entity.name, key)
        elif entity is not None and entity.attrs.get("org"):
            makers = store.find_entities(str(entity.attrs["org"]), type="Organization", limit=1)
            lane = (makers[0].name, makers[0].key) if makers else (str(entity.attrs["org"]), None)
        cache[key] = lane
    return cache[key]


def _valid(fact: Fact) -> bool:
    try:
        date_sort_key(str(fact.slots.get("date") or ""))
    except ValueError:
        return False
    return fact.slots.get("status") in ("planned", "achieved")


def _published_key(source: Source) -> tuple:
    return (source.published or "", source.document)


def collect(store: GraphStore) -> list[Milestone]:
    """Every milestone merged by (subject, category, dates, status), with its facts' sources."""
    documents = documents_by_id(store)
    lanes: dict[str, tuple[str, str | None]] = {}
    merged: dict[tuple, Milestone] = {}
    for fact in facts_of_kind(store, "milestone"):
        if not _valid(fact):
            continue
        s = fact.slots
        lane, lane_key = _lane_of(store, fact, lanes)
        subject_key = role_key(fact, "subject")
        key = (lane_key or lane, subject_key or str(s.get("subject")).lower(), s.get("category") or "other",
               s["date"], s.get("date_end") or None, s["status"])
        item = merged.get(key)
        if item is None:
            item = merged[key] = Milestone(lane=lane, lane_key=lane_key, subject=str(s.get("subject")),
                                           subject_key=subject_key,
                                           category=str(s.get("category") or "other"), event=str(s.get("event") or ""),
                                           date=s["date"], date_end=s.get("date_end") or None, status=s["status"])
        source = source_of(fact, documents)
        if all(x.document_id != source.document_id or x.start != source.start for x in item.sources):
            item.sources.append(source)
    for item in merged.values():
        item.sources.sort(key=_published_key)
    return list(merged.values())


def _statements(items: list[Milestone]) -> dict[tuple, dict[str, list[tuple[Milestone, Source]]]]:
    """Planned statements per (subject, category), then per dated document."""
    out: dict[tuple, dict[str, list[tuple[Milestone, Source]]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        if item.status != "planned" or item.category == "other":
            continue
        for source in item.sources:
            if source.published:
                out[(item.lane, item.subject_key or item.subject.lower(), item.category)][source.document_id].append(
                    (item, source))
    return out


def find_slips(items: list[Milestone]) -> list[Slip]:
    """Planned dates that a later-published document moved; documents without a date cannot be ordered."""
    slips = []
    for by_doc in _statements(items).values():
        ordered = sorted(by_doc.values(), key=lambda stated: _published_key(stated[0][1]))
        for earlier, later in zip(ordered, ordered[1:]):
            if earlier[0][1].published == later[0][1].published:
                continue
            if any(shift_months(a.window, b.window) == (0, 0) for a, _ in earlier for b, _ in later):
                continue
            for after, after_source in later:
                before, before_source = min(earlier, key=lambda e: abs(shift_months(e[0].window, after.window)[1]))
                start, end = shift_months(before.window, after.window)
                slips.append(Slip(lane=after.lane, subject=after.subject, subject_key=after.subject_key,
                                  category=after.category, before=before, after=after, before_source=before_source,
                                  after_source=after_source, start_shift_months=start, shift_months=end))
    return slips


def mark_overdue(items: list[Milestone], slips: list[Slip], as_of: str) -> None:
    """Planned milestones whose whole window lies before `as_of`, with no achievement since and no later plan."""
    now = month_index(as_of)
    superseded = {id(s.before) for s in slips}
    achieved: dict[tuple, list[Window]] = defaultdict(list)
    for item in items:
        if item.status == "achieved":
            achieved[(item.lane, item.subject_key or item.subject.lower(), item.category)].append(item.window)
    for item in items:
        item.superseded = id(item) in superseded
        if item.status != "planned" or item.superseded or item.window.last >= now:
            continue
        done = achieved.get((item.lane, item.subject_key or item.subject.lower(), item.category), [])
        item.overdue = not any(w.last >= item.window.first for w in done)


def timeline(store: GraphStore, orgs: list[str] | None = None, start: int | None = None, end: int | None = None,
             as_of: str | None = None) -> Timeline:
    """Milestones per organisation lane, with slips and overdue flags; `start`/`end` are years (inclusive)."""
    as_of = check_date(as_of) if as_of else dt.date.today().isoformat()
    items = collect(store)
    slips = find_slips(items)
    mark_overdue(items, slips, as_of)
    wanted = resolve_names(store, orgs) if orgs else set()
    names = {o.lower() for o in orgs or []}

    def keep(item: Milestone) -> bool:
        if orgs and not ({item.subject_key, item.lane_key} & wanted
                         or {item.lane.lower(), item.subject.lower()} & names):
            return False
        w = item.window
        return (start is None or w.last // 12 >= start) and (end is None or w.first // 12 <= end)

    lanes: dict[str, list[Milestone]] = defaultdict(list)
    for item in sorted(items, key=lambda m: (m.window.first, m.window.last, m.status, m.category)):
        if keep(item):
            lanes[item.lane].append(item)
    kept = [s for s in slips if keep(s.before) or keep(s.after)]
    return Timeline(as_of=as_of, lanes=dict(sorted(lanes.items())), slips=kept)


# -- plotting -------------------------------------------------------------------------------------------------
_CATEGORY_COLOURS = {"pilot_line": "#1f77b4", "mass_production": "#9467bd", "sampling": "#2ca02c",
                     "road_test": "#17becf", "deliveries": "#8c564b", "launch": "#ff7f0e",
                     "announcement": "#7f7f7f", "other": "#bcbd22"}
_ROW = 0.3


def _levels(items: list[Milestone]) -> list[int]:
    """Sub-rows inside a lane so that no two date bars overlap (greedy interval packing)."""
    ends: list[int] = []
    levels = []
    for item in items:
        w = item.window
        level = next((i for i, last in enumerate(ends) if last < w.first), len(ends))
        if level == len(ends):
            ends.append(w.last)
        else:
            ends[level] = w.last
        levels.append(level)
    return levels


def _figure(result: Timeline):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    placed: dict[int, tuple[float, float]] = {}
    ticks: list[tuple[float, str]] = []
    bands: list[tuple[float, float]] = []
    top = 0.0
    for lane, items in result.lanes.items():
        ordered = sorted(items, key=lambda m: (m.window.first, m.window.last))
        levels = _levels(ordered)
        depth = max(levels) + 1
        for item, level in zip(ordered, levels):
            w = item.window
            placed[id(item)] = ((w.first + w.last + 1) / 24, top + 0.5 + level * _ROW)
        ticks.append((top + 0.5 + (depth - 1) * _ROW / 2, lane))
        bands.append((top, top + 1 + (depth - 1) * _ROW))
        top += 1 + (depth - 1) * _ROW
    fig, ax = plt.subplots(figsize=(12, max(2.5, 0.5 * top + 1.6)), dpi=110)
    for i, (low, high) in enumerate(bands):
        if i % 2:
            ax.axhspan(low, high, color="#f4f4f4", zorder=0)
    for items in result.lanes.values():
        for item in items:
            x, y = placed[id(item)]
            w = item.window
            colour = _CATEGORY_COLOURS.get(item.category, "#333333")
            ax.plot([w.first / 12, (w.last + 1) / 12], [y, y], color=colour, alpha=0.35, linewidth=3,
                    solid_capstyle="butt", zorder=1)
            ax.scatter([x], [y], s=70, facecolors=colour if item.status == "achieved" else "white",
                       edgecolors=colour, linewidths=1.6, zorder=3)
            if item.overdue:
                ax.scatter([x], [y], s=40, marker="x", color="red", linewidths=1.8, zorder=4)
    for slip in result.slips:
        if id(slip.before) in placed and id(slip.after) in placed:
            (xa, ya), (xb, yb) = placed[id(slip.before)], placed[id(slip.after)]
            ax.annotate("", xy=(xb, yb - 0.08), xytext=(xa, ya - 0.08),
                        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2, "shrinkA": 4, "shrinkB": 4,
                                    "connectionstyle": "arc3,rad=0.35"})
            ax.annotate(slip.shift, xy=(xb, yb), xytext=(7, 3), textcoords="offset points", fontsize=7,
                        fontweight="bold")
    now = month_index(result.as_of) / 12
    ax.axvline(now, color="grey", linestyle="--", linewidth=1)
    ax.text(now, -0.05, f" as of {result.as_of}", fontsize=7, color="grey", va="bottom")
    ax.set_yticks([y for y, _ in ticks], [name for _, name in ticks])
    ax.set_ylim(top, -0.35)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("year")
    ax.xaxis.get_major_locator().set_params(integer=True)
    used = sorted({m.category for items in result.lanes.values() for m in items})
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="black",
                      label="planned"),
               Line2D([], [], marker="o", linestyle="", color="black", label="achieved"),
               Line2D([], [], marker="x", linestyle="", color="red", label="overdue"),
               Line2D([], [], marker=r"$\rightarrow$", linestyle="", color="black", markersize=12,
                      label="slipped target")]
    handles += [Line2D([], [], color=_CATEGORY_COLOURS.get(c, "#333333"), linewidth=3, label=c) for c in used]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.set_title("Milestones per organisation: planned (hollow) vs achieved (filled); bars span the stated window",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_timeline(result: Timeline, path: str | Path) -> Path:
    """A PNG (one lane per organisation) or, for .html/.htm, the same chart as SVG with a table of quotes."""
    import matplotlib.pyplot as plt

    path = Path(path)
    if not result.lanes:
        raise ValueError("no milestones to plot")
    fig = _figure(result)
    try:
        if path.suffix.lower() in (".html", ".htm"):
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg")
            path.write_text(_html(result, buffer.getvalue()), encoding="utf-8")
        else:
            fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path


def _html(result: Timeline, svg: str) -> str:
    e = html.escape
    rows = []
    for lane, items in result.lanes.items():
        for m in items:
            flags = " ".join(f for f, on in (("overdue", m.overdue), ("superseded", m.superseded)) if on)
            quotes = "<br>".join(f"\u201c{e(s.quote)}\u201d \u2014 {e(s.document)} ({e(s.published or 'undated')})"
                                 for s in m.sources)
            rows.append(f"<tr><td>{e(lane)}</td><td>{e(m.label)}</td><td>{e(m.status)}</td><td>{e(m.category)}</td>"
                        f"<td>{e(flags)}</td><td>{e(m.event)}</td><td class=q>{quotes}</td></tr>")
    slips = [f"<li>{e(s.subject)} {e(s.category)}: {e(s.before.label)} \u2192 {e(s.after.label)} ({e(s.shift)})<br>"
             f"<span class=q>\u201c{e(s.before_source.quote)}\u201d \u2014 {e(s.before_source.document)} "
             f"({e(s.before_source.published or '')})<br>\u201c{e(s.after_source.quote)}\u201d \u2014 "
             f"{e(s.after_source.document)} ({e(s.after_source.published or '')})</span></li>" for s in result.slips]
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Milestone timeline</title><style>"
            "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:13px}"
            "td,th{border:1px solid #ddd;padding:4px;vertical-align:top}.q{color:#555;font-size:12px}</style>"
            f"</head><body><h1>Milestone timeline (as of {e(result.as_of)})</h1>{svg}"
            f"<h2>Slipped targets</h2><ul>{''.join(slips) or '<li>none</li>'}</ul>"
            "<h2>Milestones</h2><table><tr><th>organisation</th><th>date</th><th>status</th><th>category</th>"
            f"<th>flags</th><th>event</th><th>sources</th></tr>{''.join(rows)}</table></body></html>")


__all__ = ["Milestone", "Slip", "Timeline", "Window", "check_date", "collect", "describe_shift", "find_slips",
           "mark_overdue", "month_index", "overlaps", "plot_timeline", "shift_months", "timeline", "window"]
