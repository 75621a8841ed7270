"""Streamlit explorer over the graph: `kg ui` or `streamlit run app/explorer.py`.

It talks only to the store protocol and library views. Document text is shown as literal text: quotes go
through `literal()`, which escapes every Markdown control character, and nothing uses unsafe HTML.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.safe_text import highlighted, literal  # noqa: E402

PAGE_SIZE = 50
@st.cache_resource(show_spinner=False)
def _store(location: str):
    from kg.store import open_store

    return open_store(location)


def store():
    from kg.store import store_location

    return _store(store_location(os.environ.get("KG_STORE")))


def version() -> tuple:
    """Changes whenever the graph does, so cached reads are refreshed after an ingest."""
    stats = store().stats()
    return stats["documents"], stats["passages"], sum(stats["facts"].values())


@st.cache_data(show_spinner=False, max_entries=256)
def cached_ask(question: str, _version: tuple) -> dict:
    from kg.ask import ask

    return ask(store(), question).to_dict()


@st.cache_data(show_spinner=False, max_entries=256)
def cached_search(query: str, k: int, _version: tuple) -> list[dict]:
    try:
        from kg.search import hybrid_search

        hits = hybrid_search(store(), query, k=k)
        return [{"document": h.document, "quote": h.quote, "score": h.score,
                 "facts": [f.kind for f in h.facts]} for h in hits]
    except Exception:
        return [{"document": p.document_id, "quote": p.text, "score": s, "facts": []}
                for p, s in store().search_text(query, limit=k)]


@st.cache_data(show_spinner=False, max_entries=512)
def cached_card(text: str, _version: tuple) -> dict | None:
    from kg.views import entity_card

    return entity_card(store(), text)


def open_entity(key: str) -> None:
    """Switch to the entity page on the next run (the page selector may only change before it is drawn)."""
    st.session_state["entity"] = key
    st.session_state["goto"] = "Entity"


# -- pages ------------------------------------------------------------------------------------------------------
def page_ask() -> None:
    st.header("Ask & search")
    question = st.text_input("Question", placeholder="Who makes sulfide pilot lines?", key="question")
    if not question:
        st.info("Ask about lines, targets, specs, partners, patents, materials or processes.")
        return
    answers_col, search_col = st.columns([3, 2])
    result = cached_ask(question, version())
    with answers_col:
        st.subheader("Answers")
        st.caption(f"intent: {result['intent']}")
        if not result["answers"]:
            st.write("No supported answer in the graph.")
        for i, answer in enumerate(result["answers"]):
            st.markdown(f"**{literal(answer['answer'])}** · {answer['kind']} · support {answer['score']:.2f}")
            for ev in answer["evidence"][:5]:
                st.markdown("> " + highlighted(ev["quote"], answer["answer"]))
                st.caption(f"{ev['document']} [{ev['start']}:{ev['end']}]")
            if answer["kind"] != "Value" and st.button("Open entity", key=f"open-{i}"):
                card = cached_card(answer["answer"], version())
                if card:
                    open_entity(card["key"])
                    st.rerun()
    with search_col:
        st.subheader("Passages")
        for hit in cached_search(question, 8, version()):
            st.markdown(literal(hit["quote"]))
            st.caption(f"{hit['document']} · score {hit['score']:.3f}" + (
                f" · facts: {', '.join(sorted(set(hit['facts'])))}" if hit["facts"] else ""))


def neighbourhood(key: str, depth: int, kinds: set[str]):
    """Entities reachable through shared facts, up to `depth` hops, over the chosen fact kinds."""
    import networkx as nx

    graph = store()
    g = nx.Graph()
    root = graph.entity(key)
    if root is None:
        return g
    g.add_node(key, name=root.name, type=root.type)
    frontier = {key}
    fact_kinds: dict[str, str] = {}
    for _ in range(depth):
        nxt = set()
        for node in frontier:
            for fact_id, role, other in graph.neighbours(node)[:200]:
                if fact_id not in fact_kinds:
                    fact = next(iter(f for f in graph.facts(entity_key=node) if f.id == fact_id), None)
                    fact_kinds[fact_id] = fact.kind if fact else "?"
                if fact_kinds[fact_id] not in kinds:
                    continue
                entity = graph.entity(other)
                if entity is None:
                    continue
                g.add_node(other, name=entity.name, type=entity.type)
                g.add_edge(node, other, kind=fact_kinds[fact_id])
                nxt.add(other)
        frontier = nxt - set(g.nodes) | nxt
    return g


def page_entity() -> None:
    import altair as alt
    import networkx as nx
    import pandas as pd

    st.header("Entity")
    graph = store()
    query = st.text_input("Find an organisation, material, product or patent", key="entity_query")
    if query:
        matches = graph.find_entities(query, limit=20)
        if matches:
            choice = st.selectbox("Matches", matches, format_func=lambda e: f"{e.name} ({e.type})")
            if choice is not None and st.button("Open"):
                open_entity(choice.key)
                st.rerun()
    key = st.session_state.get("entity")
    if not key:
        st.info("Search for an entity, or open one from an answer.")
        return
    card = cached_card(key, version())
    if card is None:
        st.warning("That entity is no longer in the graph.")
        return
    st.subheader(f"{card['name']} · {card['type']}")
    if card["aliases"]:
        st.markdown("Aliases: " + ", ".join(literal(a) for a in card["aliases"]))
    facts_col, graph_col = st.columns([3, 2])
    with facts_col:
        kinds = sorted({f["kind"] for f in card["facts"]})
        for kind in kinds:
            facts = [f for f in card["facts"] if f["kind"] == kind]
            with st.expander(f"{kind} ({len(facts)})", expanded=len(kinds) <= 2):
                for fact in facts[:PAGE_SIZE]:
                    slots = ", ".join(f"{k}: {v}" for k, v in fact["slots"].items() if v not in (None, "", []))
                    st.markdown(f"**{literal(slots)}**")
                    st.markdown("> " + highlighted(fact["quote"], card["name"]))
                    st.caption(f"{fact['document']} · {fact['method']} · confidence {fact['confidence']}")
    with graph_col:
        depth = st.slider("Depth", 1, 2, 1)
        all_kinds = ["production_line", "spec", "milestone", "partnership", "patent", "develops"]
        chosen = set(st.multiselect("Relationship types", all_kinds, default=all_kinds))
        g = neighbourhood(key, depth, chosen)
        if g.number_of_nodes() > 1:
            pos = nx.spring_layout(g, seed=7)
            nodes = pd.DataFrame([{"key": n, "name": d["name"], "type": d["type"], "x": pos[n][0], "y": pos[n][1]}
                                  for n, d in g.nodes(data=True)])
            edges = pd.DataFrame([{"x": pos[a][0], "y": pos[a][1], "x2": pos[b][0], "y2": pos[b][1],
                                   "kind": d["kind"]} for a, b, d in g.edges(data=True)])
            pick = alt.selection_point(name="pick", fields=["key"], on="click")
            nodes_layer = alt.Chart(nodes).mark_circle(size=220).encode(
                x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None), color=alt.Color("type:N", title="entity"),
                tooltip=["name", "type"]).add_params(pick)
            edges_layer = alt.Chart(edges).mark_rule(opacity=0.5).encode(
                x="x:Q", y="y:Q", x2="x2", y2="y2", strokeDash=alt.StrokeDash("kind:N", title="fact"))
            labels = alt.Chart(nodes).mark_text(dy=-12, fontSize=10).encode(x="x:Q", y="y:Q", text="name")
            chart = alt.layer(nodes_layer, edges_layer, labels).properties(height=420)
            event = st.altair_chart(chart, on_select="rerun", key="neighbourhood", width="stretch")
            picked = (event.selection.get("pick") if event and event.selection else None) or []
            if picked and picked[0].get("key") not in (None, key):
                open_entity(picked[0]["key"])
                st.rerun()
            st.caption("Click a node to open it.")
        else:
            st.caption("No neighbours through the chosen relationship types.")


def page_documents() -> None:
    import pandas as pd

    st.header("Documents")
    graph = store()
    uploads = st.file_uploader("Ingest files", accept_multiple_files=True,
                               type=["txt", "md", "pdf", "html", "htm", "xml"])
    if uploads and st.button("Ingest"):
        from kg.ingest import ingest

        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for upload in uploads:
                path = Path(tmp) / Path(upload.name).name
                path.write_bytes(upload.getvalue())
                paths.append(path)
            bar = st.progress(0.0, text="ingesting")
            done = []

            def tick(result) -> None:
                done.append(result)
                bar.progress(len(done) / len(paths), text=f"{Path(result.path).name}: {result.status}")

            report = ingest(graph, paths, progress=tick)
        for failed in report.failed:
            st.error(f"{Path(failed.path).name}: {failed.problem}")
        st.success(f"{report.count('added') + report.count('updated')} ingested, {report.count('unchanged')} "
                   f"unchanged, {len(report.failed)} failed")
    docs = graph.documents()
    counts = {}
    for fact in graph.facts():
        counts[fact.evidence.document_id] = counts.get(fact.evidence.document_id, 0) + 1
    table = pd.DataFrame([{"file": d.name, "title": d.title, "kind": d.kind, "published": d.published,
                           "facts": counts.get(d.id, 0)} for d in docs])
    st.metric("Documents", len(docs))
    if not table.empty:
        page = st.number_input("Page", 1, max(1, (len(table) - 1) // PAGE_SIZE + 1), 1)
        st.dataframe(table.iloc[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], hide_index=True)


def _paged(table, key: str) -> None:
    """Large tables are shown a page at a time so the explorer stays responsive on big graphs."""
    pages = max(1, (len(table) - 1) // PAGE_SIZE + 1)
    page = st.number_input("Page", 1, pages, 1, key=f"{key}-page") if pages > 1 else 1
    st.dataframe(table.iloc[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], hide_index=True, width="stretch")


@st.cache_data(show_spinner=False)
def cached_lines(_version: tuple) -> list[dict]:
    from kg.lines import register

    return [{**line.csv_row(), "capacity": line.capacity_text} for line in register(store())]


def page_lines() -> None:
    import pandas as pd

    st.header("Production lines")
    table = pd.DataFrame(cached_lines(version()))
    if table.empty:
        st.info("No production lines in the graph yet.")
        return
    cols = st.columns(3)
    filters = {name: cols[i].multiselect(name.capitalize(), sorted(x for x in table[name].unique() if x),
                                         key=f"lines-{name}")
               for i, name in enumerate(("chemistry", "stage", "country"))}
    for name, chosen in filters.items():
        if chosen:
            table = table[table[name].isin(chosen)]
    st.caption(f"{len(table)} lines")
    st.download_button("Download CSV", table.to_csv(index=False).encode("utf-8"), "production_lines.csv", "text/csv")
    _paged(table.drop(columns=["capacity_unit"]), "lines")


def page_timelines() -> None:
    import datetime as dt

    from kg.timeline import _figure, timeline

    st.header("Timelines: targets vs achievements")
    graph = store()
    orgs = sorted(e.name for e in graph.entities("Organization"))
    chosen = st.multiselect("Companies", orgs, default=[], key="timeline-orgs",
                            placeholder="All companies with dated milestones")
    as_of = st.date_input("As of", dt.date.today(), key="timeline-asof")
    result = timeline(graph, chosen or None, as_of=as_of.isoformat())
    if not result.lanes:
        st.info("No dated milestones for this selection.")
        return
    st.pyplot(_figure(result), clear_figure=True)
    left, right = st.columns(2)
    with left:
        st.subheader(f"Slips ({len(result.slips)})")
        for slip in result.slips:
            st.markdown(f"**{literal(slip.subject)}** · {slip.category} · {literal(slip.before.label)} → "
                        f"{literal(slip.after.label)} ({literal(slip.shift)})")
            st.markdown("> " + literal(slip.before_source.quote))
            st.markdown("> " + literal(slip.after_source.quote))
    with right:
        st.subheader(f"Overdue ({len(result.overdue)})")
        for item in result.overdue:
            st.markdown(f"**{literal(item.subject)}** · {item.category} · planned {literal(item.label)}")
            for source in item.sources[:2]:
                st.markdown("> " + literal(source.quote))


def page_patents() -> None:
    import pandas as pd

    from kg.patents import add_watch, list_watches, patents, run_watch

    st.header("Patents")
    graph = store()
    cols = st.columns(3)
    assignee = cols[0].text_input("Assignee", key="patents-assignee")
    topic = cols[1].text_input("Topic", key="patents-topic")
    since = cols[2].text_input("Since (YYYY or YYYY-MM-DD)", key="patents-since")
    try:
        records = patents(graph, assignee=assignee or None, topic=topic or None, since=since or None)
    except ValueError as exc:
        st.error(str(exc))
        return
    table = pd.DataFrame([{"number": r.number, "assignee": ", ".join(r.assignee_names), "date": r.date,
                           "topic": r.summary, "sources": len(r.sources)} for r in records])
    st.caption(f"{len(records)} patents")
    if not table.empty:
        _paged(table, "patents")
    st.subheader("Watch-lists")
    with st.form("watch"):
        name = st.text_input("Name")
        watch_assignee = st.text_input("Assignee to watch")
        watch_topic = st.text_input("Topic to watch")
        if st.form_submit_button("Save watch-list") and name:
            add_watch(graph, name, assignee=watch_assignee or None, topic=watch_topic or None)
            st.success(f"saved {name}")
    for watch in list_watches(graph):
        if st.button(f"Run {watch['name']}", key=f"run-{watch['name']}"):
            run = run_watch(graph, watch["name"])
            st.write(f"{len(run.new)} new since {run.previous_run or 'the first run'}")
            for record in run.new:
                st.markdown(f"**{literal(record.number)}** · {literal(', '.join(record.assignee_names))}")
                for source in record.sources[:1]:
                    st.markdown("> " + literal(source.quote))


def page_snapshots() -> None:
    import contextlib

    import pandas as pd

    from kg.diff import diff_graphs, snapshot_view, store_view, to_markdown
    from kg.snapshot import SnapshotError, write_snapshot

    st.header("Snapshots")
    st.subheader("Export")
    if st.button("Build snapshot", key="snapshot-build"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "snapshot.zip"
            manifest = write_snapshot(store(), path)
            st.session_state["snapshot-bytes"] = path.read_bytes()
            st.session_state["snapshot-counts"] = manifest.get("counts", {})
    if "snapshot-bytes" in st.session_state:
        st.caption(", ".join(f"{v} {k}" for k, v in st.session_state["snapshot-counts"].items()))
        st.download_button("Download snapshot.zip", st.session_state["snapshot-bytes"], "snapshot.zip",
                           "application/zip")
    st.subheader("Compare")
    old = st.file_uploader("Older snapshot (.zip)", type=["zip"], key="diff-old")
    new = st.file_uploader("Newer snapshot (.zip); empty = the live graph", type=["zip"], key="diff-new")
    if old is None or not st.button("Compare", key="diff-run"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        old_path = Path(tmp) / "old.zip"
        old_path.write_bytes(old.getvalue())
        try:
            with contextlib.ExitStack() as stack:
                left = stack.enter_context(snapshot_view(old_path))
                if new is not None:
                    new_path = Path(tmp) / "new.zip"
                    new_path.write_bytes(new.getvalue())
                    right = stack.enter_context(snapshot_view(new_path))
                else:
                    right = store_view(store())
                diff = diff_graphs(left, right)
        except SnapshotError as exc:
            st.error(str(exc))
            return
    rows = [{"section": section, "kind": kind, **{k: v for k, v in counts.items()}}
            for section in ("facts", "entities") for kind, counts in diff["counts"][section].items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    report = to_markdown(diff)
    st.download_button("Download report (Markdown)", report.encode("utf-8"), "diff.md", "text/markdown")
    st.code(report, language=None)


PAGES = {"Ask & search": page_ask, "Entity": page_entity, "Production lines": page_lines,
         "Timelines": page_timelines, "Patents": page_patents, "Documents": page_documents,
         "Snapshots": page_snapshots}


def main() -> None:
    st.set_page_config(page_title="Solid-state battery knowledge graph", layout="wide")
    if "deep_link_read" not in st.session_state:
        st.session_state["deep_link_read"] = True
        params = st.query_params
        if params.get("page") in PAGES:
            st.session_state["page"] = params["page"]
        if params.get("q"):
            st.session_state["question"] = params["q"]
        if params.get("entity"):
            st.session_state["entity"] = params["entity"]
    if "goto" in st.session_state:
        st.session_state["page"] = st.session_state.pop("goto")
    page = st.sidebar.radio("Page", list(PAGES), key="page")
    stats = store().stats()
    st.sidebar.caption(f"{stats['documents']} documents · {sum(stats['entities'].values())} entities · "
                       f"{sum(stats['facts'].values())} facts")
    PAGES.get(page, page_ask)()


main()
