"""Neo4jStore without a server: a recording fake driver checks the contract between Python and `kg.store.cypher`.

Catches what the linter cannot: a query run that is not a listed statement, a parameter the statement needs
but Python does not send (or the reverse), writes spread over several transactions, and record conversion.
Behaviour against a real server is covered by test_store_behaviour.py when NEO4J_URI is set.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

neo4j = pytest.importorskip("neo4j", reason="neo4j driver not installed: Neo4jStore not tested")

from kg.store import cypher, neo4j_store, open_store  # noqa: E402
from kg.store.neo4j_store import Neo4jStore, escape_lucene, fulltext_query  # noqa: E402
from kg.store.protocol import GraphStore  # noqa: E402

from .test_store_behaviour import DOC_A, DOC_B, QS, key_of  # noqa: E402

STATEMENTS = {s.query: s.name for s in cypher.ALL_STATEMENTS}


class FakeResult:
    def __init__(self, records: list[dict]):
        self.records = records

    def __iter__(self) -> Iterator[dict]:
        return iter(self.records)

    def data(self) -> list[dict]:
        return list(self.records)

    def consume(self) -> None:
        return None

    def single(self, strict: bool = False) -> dict | None:
        return self.records[0] if self.records else None


class FakeServer:
    """Records (transaction kind, statement name, parameters); answers from canned records per statement."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict]] = []
        self.answers: dict[str, list[dict]] = {}
        self.fail: set[str] = set()

    def run(self, kind: str, query: str, parameters: dict | None) -> FakeResult:
        assert query in STATEMENTS, f"query not listed in cypher.ALL_STATEMENTS: {query!r}"
        name = STATEMENTS[query]
        params = dict(parameters or {})
        assert set(re.findall(r"\$(\w+)", query)) == set(params), (name, params)
        self.calls.append((kind, name, params))
        if name in self.fail:
            raise neo4j.exceptions.ClientError(f"{name} refused")
        return FakeResult(self.answers.get(name, []))

    def names(self, kind: str | None = None) -> list[str]:
        return [name for k, name, _ in self.calls if kind is None or k == kind]


class FakeTx:
    def __init__(self, server: FakeServer, kind: str):
        self.server, self.kind = server, kind

    def run(self, query: str, parameters: dict | None = None, **kw: Any) -> FakeResult:
        return self.server.run(self.kind, query, {**(parameters or {}), **kw})


class FakeSession:
    def __init__(self, server: FakeServer):
        self.server = server
        self.transactions = 0

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, query: str, parameters: dict | None = None) -> FakeResult:
        return self.server.run("auto", query, parameters)

    def _execute(self, kind: str, work: Callable, *args: Any) -> Any:
        self.server.calls.append((kind, "BEGIN", {}))
        return work(FakeTx(self.server, kind), *args)

    def execute_read(self, work: Callable, *args: Any) -> Any:
        return self._execute("read", work, *args)

    def execute_write(self, work: Callable, *args: Any) -> Any:
        return self._execute("write", work, *args)


class FakeDriver:
    def __init__(self, server: FakeServer, auth: Any):
        self.server, self.auth, self.closed = server, auth, False

    def session(self, **config: Any) -> FakeSession:
        return FakeSession(self.server)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    fake = FakeServer()

    class FakeGraphDatabase:
        @staticmethod
        def driver(uri: str, auth: Any = None, **config: Any) -> FakeDriver:
            return FakeDriver(fake, auth)

    monkeypatch.setattr(neo4j_store, "GraphDatabase", FakeGraphDatabase)
    return fake


@pytest.fixture
def store(server: FakeServer) -> Neo4jStore:
    return Neo4jStore("neo4j://localhost:7687", user="neo4j", password="secret")


PROTOCOL_METHODS = sorted(n for n, v in vars(GraphStore).items() if callable(v) and not n.startswith("_"))


@pytest.mark.parametrize("name", PROTOCOL_METHODS)
def test_implements_protocol_method(name: str) -> None:
    """The protocol grows with the UI; a method missing here would only fail against a live server."""
    assert list(inspect.signature(getattr(Neo4jStore, name)).parameters) == \
        list(inspect.signature(getattr(GraphStore, name)).parameters)


def test_open_store_selects_neo4j_for_bolt_uris(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "pw")
    backend = open_store("bolt://db:7687")
    assert isinstance(backend, Neo4jStore)
    assert backend._driver.auth == ("neo4j", "pw")


def test_schema_created_once_and_vector_index_is_optional(store: Neo4jStore, server: FakeServer) -> None:
    server.fail.add("VECTOR_PASSAGE_EMBEDDING")
    store.documents()
    store.documents()
    schema = [n for n in server.names("auto")]
    assert schema == [STATEMENTS[q] for q in cypher.SCHEMA] + ["VECTOR_PASSAGE_EMBEDDING", "AWAIT_INDEXES"]


def test_replace_document_is_one_write_transaction(store: Neo4jStore, server: FakeServer) -> None:
    server.answers["DOCUMENT_IDS"] = [{"id": DOC_A.document.id}]
    server.answers["ENTITY_ATTRS"] = [{"key": key_of(*QS[:2]), "attrs_json": '{"first_seen": "elsewhere"}'}]
    store.replace_document(DOC_A)
    work = server.calls[server.names().index("BEGIN"):]
    assert [name for _, name, _ in work].count("BEGIN") == 1
    assert {kind for kind, _, _ in work} == {"write"}
    assert [name for _, name, _ in work[1:]] == [
        "DOCUMENT_IDS", "DELETE_FACTS", "DELETE_PASSAGES", "DELETE_ALIASES", "DELETE_DOCUMENTS",
        "DELETE_UNSUPPORTED_ENTITIES", "MERGE_DOCUMENT", "MERGE_PASSAGES", "ENTITY_ATTRS", "MERGE_ENTITIES",
        "MERGE_ALIASES", "MERGE_MENTIONS", "MERGE_FACTS", "MERGE_FACT_ENTITIES"]
    rows = {name: params.get("rows") for _, name, params in work}
    entity = next(r for r in rows["MERGE_ENTITIES"] if r["key"] == key_of(*QS[:2]))
    assert entity["attrs_json"] == '{"first_seen": "elsewhere"}'
    assert [(r["role"], r["position"]) for r in rows["MERGE_FACT_ENTITIES"]] == [
        ("company", 0), ("material", 1), ("location", 2)]
    assert {r["alias_lower"] for r in rows["MERGE_ALIASES"]} >= {"qs", "quantumscape corp"}


def test_facts_about_an_entity_use_the_entity_statement(store: Neo4jStore, server: FakeServer) -> None:
    fact = DOC_B.facts[0]
    ev = fact.evidence
    server.answers["FACTS_ABOUT_ENTITY"] = [{
        "fact": {"id": fact.id, "kind": fact.kind, "document_id": ev.document_id, "passage_id": ev.passage_id,
                 "start": ev.start, "end": ev.end, "quote": ev.quote, "method": ev.method,
                 "confidence": ev.confidence, "slots_json": neo4j_store._json(fact.slots)},
        "about": [[1, role, key] for role, key in fact.entities[1:]] + [[0, *fact.entities[0]]]}]
    assert list(store.facts(entity_key=key_of(*QS[:2]), kind="")) == [fact]
    assert server.calls[-1][1:] == ("FACTS_ABOUT_ENTITY",
                                    {"entity_key": key_of(*QS[:2]), "kind": None, "document_id": None})


def test_stats_shape(store: Neo4jStore, server: FakeServer) -> None:
    server.answers.update({"STATS_COUNTS": [{"documents": 2, "passages": 3}],
                           "STATS_ENTITY_TYPES": [{"type": "Material", "n": 1}, {"type": "Organization", "n": 2}],
                           "STATS_FACT_KINDS": [{"kind": "spec", "n": 4}]})
    assert store.stats() == {"documents": 2, "passages": 3, "entities": {"Material": 1, "Organization": 2},
                             "facts": {"spec": 4}}


def test_search_text_sends_an_escaped_query(store: Neo4jStore, server: FakeServer) -> None:
    assert store.search_text("?!") == []
    store.search_text("Li6PS5Cl (argyrodite) AND")
    assert server.calls[-1][2] == {"query": "li6ps5cl \\(argyrodite\\) and", "limit": 10}


@pytest.mark.parametrize(("text", "escaped"), [
    ("plain", "plain"),
    ('a+b-c&&d||e!(f){g}[h]^"i"~j*k?l:m\\n/o',
     'a\\+b\\-c\\&\\&d\\|\\|e\\!\\(f\\)\\{g\\}\\[h\\]\\^\\"i\\"\\~j\\*k\\?l\\:m\\\\n\\/o'),
])
def test_escape_lucene(text: str, escaped: str) -> None:
    assert escape_lucene(text) == escaped


@pytest.mark.parametrize(("text", "query"), [
    ("sulfide electrolyte", "sulfide electrolyte"),
    ("NOT OR AND", "not or and"),
    ("solid-state // 10 mS/cm", "solid\\-state \\/\\/ 10 ms\\/cm"),
    ("  ", ""),
    ("*?", ""),
])
def test_fulltext_query(text: str, query: str) -> None:
    assert fulltext_query(text) == query


def test_embeddings_travel_as_float_lists_keyed_by_text_hash(store: Neo4jStore, server: FakeServer) -> None:
    import numpy as np

    vector = np.linspace(-1, 1, 384, dtype=np.float32)
    store.put_embeddings([("abc", vector.tobytes())])
    _, name, params = server.calls[-1]
    assert name == "PUT_EMBEDDINGS"
    assert params["rows"][0]["text_hash"] == "abc"
    assert params["rows"][0]["vector"] == pytest.approx(vector.tolist())


def test_vector_scores_are_mapped_back_to_cosine(store: Neo4jStore, server: FakeServer) -> None:
    import numpy as np

    server.answers["SEARCH_VECTORS"] = [{"id": "passage:a", "score": 1.0}, {"id": "passage:b", "score": 0.5}]
    assert store.search_vectors(np.ones(384, dtype=np.float32), 2) == [("passage:a", 1.0), ("passage:b", 0.0)]
    assert server.calls[-1][2]["k"] == 2


def test_a_new_embedding_model_drops_old_vectors_in_one_transaction(store: Neo4jStore, server: FakeServer) -> None:
    server.answers["GET_STATE"] = [{"value_json": '{"model": "old"}'}]
    assert store.use_embedding_model("new") is True
    work = server.calls[len(server.calls) - 4:]
    assert [name for _, name, _ in work] == ["BEGIN", "DROP_EMBEDDINGS", "CLEAR_PASSAGE_EMBEDDINGS", "PUT_STATE"]
    server.answers["GET_STATE"] = [{"value_json": '{"model": "new"}'}]
    assert store.use_embedding_model("new") is False
