"""Cached whole-store reads stay correct: a write, from this process or another, is seen by the next query."""
from __future__ import annotations

from kg.store.cached import cached, entity_of, facts_of_kind, pinned
from kg.store.embedded import EmbeddedStore

from .test_store_behaviour import DOC_A, DOC_B, QS, key_of


def test_facts_of_kind_sees_a_document_written_after_the_first_read(tmp_path) -> None:
    store = EmbeddedStore(tmp_path / "kg")
    store.replace_document(DOC_A)
    assert [f.id for f in facts_of_kind(store, "partnership")] == []
    store.replace_document(DOC_B)
    assert [f.id for f in facts_of_kind(store, "partnership")] == [f.id for f in DOC_B.facts]


def test_a_write_by_another_process_invalidates_the_cache(tmp_path) -> None:
    reader = EmbeddedStore(tmp_path / "kg")
    reader.replace_document(DOC_A)
    assert len(facts_of_kind(reader, "production_line")) == 1
    writer = EmbeddedStore(tmp_path / "kg")
    writer.remove_document(DOC_A.document.path)
    writer.close()
    assert facts_of_kind(reader, "production_line") == []
    assert entity_of(reader, key_of(*QS[:2])) is None


def test_reads_are_shared_until_the_store_changes(tmp_path) -> None:
    store = EmbeddedStore(tmp_path / "kg")
    store.replace_document(DOC_A)
    builds = []
    assert cached(store, "probe", lambda: builds.append(1) or len(builds)) == 1
    assert cached(store, "probe", lambda: builds.append(1) or len(builds)) == 1
    store.replace_document(DOC_B)
    assert cached(store, "probe", lambda: builds.append(1) or len(builds)) == 2


def test_pinned_reads_the_version_once(tmp_path, monkeypatch) -> None:
    store = EmbeddedStore(tmp_path / "kg")
    store.replace_document(DOC_A)
    calls = []
    real = store.version
    monkeypatch.setattr(store, "version", lambda: calls.append(1) or real())
    with pinned(store):
        for _ in range(5):
            entity_of(store, key_of(*QS[:2]))
            facts_of_kind(store, "production_line")
    assert len(calls) == 1


def test_a_store_without_version_is_read_every_time(tmp_path) -> None:
    class Plain:
        pass

    builds = []
    for _ in range(3):
        cached(Plain(), "probe", lambda: builds.append(1))
    assert len(builds) == 3
