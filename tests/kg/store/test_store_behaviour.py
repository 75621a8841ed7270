"""What users rely on from any GraphStore, run against every backend.

`embedded` always runs; `neo4j` runs when NEO4J_URI points at a server (see docker/README.md) and wipes the
project's nodes before each test.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Sequence
from pathlib import PurePosixPath

import pytest

from kg.model import (AliasRecord, Document, Entity, Evidence, ExtractedDocument, Fact, Mention, Passage,
                      stable_id)
from kg.store import open_store
from kg.store.embedded import EmbeddedStore
from kg.store.protocol import GraphStore

EntitySpec = tuple[str, str, Sequence[str]]  # (type, name, aliases)
FactSpec = tuple[str, int, dict[str, str]]  # (kind, passage index, {role: entity name})

AWKWARD = 'Li "7" {La}3 \\Zr2\\ // O12 \'; MATCH (n) DETACH DELETE n // {0} %s $x `x` ${name}'


def key_of(type_: str, name: str) -> str:
    return stable_id(type_.lower(), name)


def make_doc(path: str, sentences: Sequence[str], entities: Sequence[EntitySpec] = (),
             facts: Sequence[FactSpec] = (), *, name: str | None = None, title: str | None = None,
             topic: str | None = None) -> ExtractedDocument:
    """A small document the way the pipeline shapes it: passages with offsets, resolved mentions, aliases, facts."""
    doc_id = stable_id("doc", path)
    document = Document(id=doc_id, name=name or PurePosixPath(path).name, path=path,
                        content_hash=stable_id("sha", list(sentences)), title=title, published="2024-05-01",
                        source="test", metadata={"title": title, "tags": ["ssb", "test"]})
    passages: list[Passage] = []
    offset = 0
    for i, text in enumerate(sentences):
        passages.append(Passage(id=stable_id("passage", doc_id, offset, offset + len(text)), document_id=doc_id,
                                index=i, start=offset, end=offset + len(text), text=text, page=1, topic=topic))
        offset += len(text) + 1
    keys = {n: key_of(t, n) for t, n, _ in entities}
    records = [Entity(key=keys[n], type=t, name=n, attrs={"first_seen": path}) for t, n, _ in entities]
    aliases = [AliasRecord(keys[n], surface, "exact" if surface == n else "alias-table")
               for _, n, alias_list in entities for surface in (n, *alias_list)]
    mentions = [(p.id, Mention(label=t, text=surface, start=p.start + p.text.index(surface),
                               end=p.start + p.text.index(surface) + len(surface), key=keys[n], name=n))
                for p in passages for t, n, alias_list in entities for surface in (n, *alias_list) if surface in p.text]
    fact_records = []
    for kind, index, roles in facts:
        p = passages[index]
        evidence = Evidence(document_id=doc_id, passage_id=p.id, start=p.start, end=p.end, quote=p.text,
                            method="rules", confidence=0.9)
        fact_records.append(Fact(kind=kind, slots={**roles, "note": "ok"}, evidence=evidence,
                                 entities=[(role, keys[n]) for role, n in roles.items()]))
    return ExtractedDocument(document=document, passages=passages, entities=records, mentions=mentions,
                             facts=fact_records, aliases=aliases)


QS = ("Organization", "QuantumScape", ("QS", "QuantumScape Corp"))
LLZO = ("Material", "LLZO", ("Li7La3Zr2O12",))
SAN_JOSE = ("Location", "San Jose", ())
VW = ("Organization", "Volkswagen", ("VW",))
ALMHULT = ("Location", "Älmhult", ())

DOC_A = make_doc("corpus/a.txt", [
    "QuantumScape Corp builds a pilot line for LLZO separators in San Jose.",
    "The sulfide electrolyte reaches 10 mS/cm at room temperature.",
], [QS, LLZO, SAN_JOSE], [("production_line", 0, {"company": "QuantumScape", "material": "LLZO",
                                                  "location": "San Jose"})], title="Pilot line",
    topic=key_of("Organization", "QuantumScape"))
DOC_B = make_doc("corpus/b.txt", [
    "QS partners with Volkswagen on solid-state cells made in Älmhult.",
], [("Organization", "QuantumScape", ("QS",)), VW, ALMHULT],
    [("partnership", 0, {"company": "QuantumScape", "partner": "Volkswagen"})])
DOC_A2 = make_doc("corpus/a.txt", [
    "QuantumScape ships B-samples of its separator.",
], [QS], [("milestone", 0, {"company": "QuantumScape"})], title="Pilot line, updated")


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[GraphStore]:
    if request.param == "embedded":
        backend: GraphStore = EmbeddedStore(tmp_path / "kg")
    else:
        uri = os.environ.get("NEO4J_URI")
        if not uri:
            pytest.skip("NEO4J_URI not set: Neo4j backend not tested")
        backend = open_store(uri)
        backend.clear()  # type: ignore[attr-defined]
    yield backend
    backend.close()


def snapshot(store: GraphStore) -> tuple:
    docs = store.documents()
    return (store.stats(), docs, [store.passages(d.id) for d in docs], list(store.entities()), list(store.facts()))


def test_replace_document_then_stats(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    assert store.stats() == {"documents": 1, "passages": 2,
                             "entities": {"Location": 1, "Material": 1, "Organization": 1},
                             "facts": {"production_line": 1}}
    assert store.document_hash("corpus/a.txt") == DOC_A.document.content_hash
    assert store.document_hash("corpus/none.txt") is None
    assert store.documents() == [DOC_A.document]
    assert store.passages(DOC_A.document.id) == DOC_A.passages
    assert store.passage(DOC_A.passages[1].id) == DOC_A.passages[1]
    assert store.passage("passage:missing") is None
    assert list(store.facts()) == DOC_A.facts


def test_stats_of_empty_store(store: GraphStore) -> None:
    assert store.stats() == {"documents": 0, "passages": 0, "entities": {}, "facts": {}}


def test_rewriting_the_same_document_changes_nothing(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    before = snapshot(store)
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    assert snapshot(store) == before


def test_changed_version_replaces_old_facts(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_A2)
    assert store.stats() == {"documents": 1, "passages": 1, "entities": {"Organization": 1},
                             "facts": {"milestone": 1}}
    assert store.document_hash("corpus/a.txt") == DOC_A2.document.content_hash
    assert list(store.facts(document_id=DOC_A.document.id)) == DOC_A2.facts
    assert store.passage(DOC_A.passages[0].id) is None
    assert store.entity(key_of(*LLZO[:2])) is None


def test_remove_document_keeps_entities_others_support(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    assert store.remove_document("corpus/a.txt") is True
    assert store.remove_document("corpus/a.txt") is False
    assert store.document_hash("corpus/a.txt") is None
    assert store.passages(DOC_A.document.id) == []
    assert list(store.facts(document_id=DOC_A.document.id)) == []
    qs = store.entity(key_of(*QS[:2]))
    assert qs is not None and qs.aliases == ["QS"]
    assert store.entity(key_of(*LLZO[:2])) is None
    assert store.entity(key_of(*SAN_JOSE[:2])) is None
    assert store.find_entities("QuantumScape Corp") == []
    assert store.stats() == {"documents": 1, "passages": 1, "entities": {"Location": 1, "Organization": 2},
                             "facts": {"partnership": 1}}


def test_entity_only_mentioned_by_a_remaining_document_survives(store: GraphStore) -> None:
    """Alias records are optional: mentions and facts of another document also keep an entity alive."""
    store.replace_document(DOC_A)
    store.replace_document(dataclasses.replace(DOC_B, aliases=[]))
    store.remove_document("corpus/a.txt")
    assert store.entity(key_of(*QS[:2])) is not None
    assert [f.kind for f in store.facts(entity_key=key_of(*QS[:2]))] == ["partnership"]


def test_find_entities_without_alias_records(store: GraphStore) -> None:
    """Canonical names match case-insensitively (beyond ASCII) even when no alias record repeats them."""
    store.replace_document(dataclasses.replace(DOC_B, aliases=[]))
    assert [e.name for e in store.find_entities("ÄLMHULT")] == ["Älmhult"]
    assert [e.name for e in store.find_entities("älm")] == ["Älmhult"]


def test_fact_listed_twice_is_stored_once(store: GraphStore) -> None:
    store.replace_document(dataclasses.replace(DOC_B, facts=DOC_B.facts * 2))
    assert list(store.facts()) == DOC_B.facts
    assert store.neighbours(key_of(*VW[:2])) == [(DOC_B.facts[0].id, "company", key_of(*QS[:2]))]


@pytest.mark.parametrize(("text", "type_", "expected"), [
    ("qs", None, ["QuantumScape"]),
    ("QUANTUMSCAPE CORP", None, ["QuantumScape"]),
    ("  li7la3zr2o12 ", None, ["LLZO"]),
    ("llzo", "Material", ["LLZO"]),
    ("qs", "Material", []),
    ("ÄLMHULT", None, ["Älmhult"]),
    ("quantum", None, ["QuantumScape"]),
    ("s", "Location", ["San Jose"]),
    ("%", None, []),
    ("_", None, []),
    ("nothing like it", None, []),
])
def test_find_entities(store: GraphStore, text: str, type_: str | None, expected: list[str]) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    assert [e.name for e in store.find_entities(text, type=type_)] == expected


def test_find_entities_by_key_and_aliases(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    [qs] = store.find_entities(key_of(*QS[:2]))
    assert qs == Entity(key=key_of(*QS[:2]), type="Organization", name="QuantumScape",
                        aliases=["QS", "QuantumScape Corp"], attrs={"first_seen": "corpus/a.txt"})
    assert [e.name for e in store.entities("Organization")] == ["QuantumScape", "Volkswagen"]


def test_facts_filters(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    qs, llzo = key_of(*QS[:2]), key_of(*LLZO[:2])
    assert list(store.facts(entity_key=qs)) == DOC_A.facts + DOC_B.facts
    assert list(store.facts(entity_key=llzo)) == DOC_A.facts
    assert list(store.facts(kind="partnership")) == DOC_B.facts
    assert list(store.facts(kind="partnership", entity_key=llzo)) == []
    assert list(store.facts(document_id=DOC_B.document.id, entity_key=qs)) == DOC_B.facts
    assert list(store.facts(entity_key="org:missing")) == []


def test_document_entities_carry_that_documents_aliases(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    found = [(e.type, e.name, e.aliases) for e in store.document_entities(DOC_B.document.id)]
    assert found == [("Location", "Älmhult", []), ("Organization", "QuantumScape", ["QS"]),
                     ("Organization", "Volkswagen", ["VW"])]
    assert store.document_entities("doc:missing") == []


def test_entity_passages_and_passage_entities(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    qs = key_of(*QS[:2])
    expected = sorted([DOC_A.passages[0], DOC_B.passages[0]], key=lambda p: (p.document_id, p.index))
    assert store.entity_passages(qs) == expected
    assert store.entity_passages(qs, limit=1) == expected[:1]
    assert store.entity_passages("org:missing") == []
    a0, a1 = DOC_A.passages[0].id, DOC_A.passages[1].id
    assert store.passage_entities([a0, a1, "passage:missing"]) == {
        a0: [qs, key_of(*LLZO[:2]), key_of(*SAN_JOSE[:2])], a1: [], "passage:missing": []}


def test_neighbours(store: GraphStore) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    fact_a, fact_b = DOC_A.facts[0].id, DOC_B.facts[0].id
    assert sorted(store.neighbours(key_of(*QS[:2]))) == sorted([
        (fact_a, "material", key_of(*LLZO[:2])), (fact_a, "location", key_of(*SAN_JOSE[:2])),
        (fact_b, "partner", key_of(*VW[:2]))])
    assert store.neighbours(key_of(*VW[:2])) == [(fact_b, "company", key_of(*QS[:2]))]
    assert store.neighbours("org:missing") == []


@pytest.mark.parametrize("query", ["sulfide electrolyte", "SULFIDE", "sulfide (electrolyte)!", "electrolyte: AND"])
def test_search_text_finds_passage_by_keyword(store: GraphStore, query: str) -> None:
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    hits = store.search_text(query)
    assert hits and hits[0][0] == DOC_A.passages[1]
    assert hits[0][1] > 0


@pytest.mark.parametrize("query", ["", "   ", "?!*", "zirconia"])
def test_search_text_without_match(store: GraphStore, query: str) -> None:
    store.replace_document(DOC_A)
    assert store.search_text(query) == []


def test_awkward_strings_round_trip(store: GraphStore) -> None:
    """Quotes, braces, backslashes, `//` and Cypher/SQL fragments are data, never code."""
    doc = make_doc(f"corpus/{AWKWARD}.txt", [f"Intro {AWKWARD} here.", "Plain sentence."],
                   [("Material", AWKWARD, (AWKWARD.upper(),)), QS],
                   [("spec", 0, {"material": AWKWARD, "company": "QuantumScape"})], name=AWKWARD, title=AWKWARD)
    store.replace_document(doc)
    assert store.documents() == [doc.document]
    assert store.document_hash(doc.document.path) == doc.document.content_hash
    assert store.passages(doc.document.id) == doc.passages
    key = key_of("Material", AWKWARD)
    stored = store.entity(key)
    assert stored is not None and stored.name == AWKWARD and stored.aliases == [AWKWARD.upper()]
    assert [e.key for e in store.find_entities(AWKWARD)] == [key]
    assert [e.key for e in store.find_entities(AWKWARD.lower())] == [key]
    assert list(store.facts(entity_key=key)) == doc.facts
    assert doc.passages[0] in [p for p, _ in store.search_text(AWKWARD)]
    assert store.remove_document(doc.document.path) is True
    assert store.stats()["documents"] == 0


def test_state_round_trips_and_is_replaced(store: GraphStore) -> None:
    assert store.get_state("watchlist") is None
    store.put_state("watchlist", {"entities": [AWKWARD], "nested": {"n": 1, "ok": True}})
    store.put_state("view", {"tab": "timeline"})
    assert store.get_state("watchlist") == {"entities": [AWKWARD], "nested": {"n": 1, "ok": True}}
    store.put_state("watchlist", {"entities": []})
    assert store.get_state("watchlist") == {"entities": []}
    assert store.get_state("view") == {"tab": "timeline"}


def unit(seed: int) -> bytes:
    import numpy as np

    vector = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return (vector / np.linalg.norm(vector)).tobytes()


def embed_missing(store: GraphStore) -> dict[str, bytes]:
    vectors = {key: unit(int(key[:8], 16)) for key, _ in store.missing_embeddings()}  # type: ignore[attr-defined]
    store.put_embeddings(list(vectors.items()))  # type: ignore[attr-defined]
    return vectors


def test_each_distinct_passage_text_is_embedded_once_and_kept_on_reingest(store: GraphStore) -> None:
    from kg.store.protocol import EmbeddingStore, text_hash

    assert isinstance(store, EmbeddingStore)
    store.use_embedding_model("model-a")
    store.replace_document(DOC_A)
    store.replace_document(make_doc("corpus/copy.txt", [DOC_A.passages[0].text]))
    missing = store.missing_embeddings()  # type: ignore[attr-defined]
    assert sorted(missing) == sorted((text_hash(p.text), p.text) for p in DOC_A.passages)
    embed_missing(store)
    assert store.missing_embeddings() == []  # type: ignore[attr-defined]
    store.remove_document("corpus/a.txt")
    store.replace_document(DOC_A)
    assert store.missing_embeddings() == []  # type: ignore[attr-defined]
    assert store.use_embedding_model("model-a") is False
    assert store.use_embedding_model("model-b") is True
    assert len(store.missing_embeddings()) == 2  # type: ignore[attr-defined]


def test_vector_ranking_puts_the_nearest_passage_first(store: GraphStore) -> None:
    import numpy as np

    from kg.search import rank_by_vector
    from kg.store.protocol import text_hash

    store.use_embedding_model("model-a")  # type: ignore[attr-defined]
    store.replace_document(DOC_A)
    store.replace_document(DOC_B)
    vectors = embed_missing(store)
    target = DOC_B.passages[0]
    query = np.frombuffer(vectors[text_hash(target.text)], dtype=np.float32)
    ranked = rank_by_vector(store, query, 2)
    assert [pid for pid, _ in ranked][0] == target.id
    assert ranked[0][1] == pytest.approx(1.0, abs=1e-4)
    assert len(ranked) == 2 and ranked[1][1] < ranked[0][1]


def test_a_sentence_repeated_in_two_documents_is_found_in_both(store: GraphStore) -> None:
    import numpy as np

    from kg.search import rank_by_vector
    from kg.store.protocol import text_hash

    store.use_embedding_model("model-a")  # type: ignore[attr-defined]
    store.replace_document(DOC_A)
    copy = make_doc("corpus/copy.txt", [DOC_A.passages[1].text])
    store.replace_document(copy)
    vectors = embed_missing(store)
    assert len(vectors) == 2
    query = np.frombuffer(vectors[text_hash(copy.passages[0].text)], dtype=np.float32)
    ranked = [pid for pid, _ in rank_by_vector(store, query, 2)]
    assert sorted(ranked) == sorted([DOC_A.passages[1].id, copy.passages[0].id])
