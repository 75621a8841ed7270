import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.ingest import ingest


def _facts(store) -> list[tuple]:
    return sorted((f.id, f.kind, f.evidence.quote) for f in store.facts())


def test_ingest_extracts_every_fact_kind_with_provenance(store, news_file):
    report = ingest(store, [news_file])
    assert report.count("added") == 1 and not report.failed
    kinds = {f.kind for f in store.facts()}
    assert kinds == {"production_line", "spec", "milestone", "partnership", "patent", "develops"}
    text = news_file.read_text(encoding="utf-8")
    for fact in store.facts():
        ev = fact.evidence
        assert text[ev.start:ev.end] == ev.quote and ev.method and 0 < ev.confidence <= 1


def test_reingesting_unchanged_files_changes_nothing(store, news_file):
    ingest(store, [news_file])
    before = (store.stats(), _facts(store))
    report = ingest(store, [news_file])
    assert report.count("unchanged") == 1
    assert (store.stats(), _facts(store)) == before


def test_changed_file_replaces_its_facts(store, news_file):
    ingest(store, [news_file])
    news_file.write_text("# Update\n\nHonda began a demonstration line in January 2025.\n", encoding="utf-8")
    report = ingest(store, [news_file])
    assert report.count("updated") == 1
    assert store.stats()["documents"] == 1
    assert all("Honda" in f.evidence.quote for f in store.facts())
    assert not store.find_entities("Samsung SDI")


@pytest.mark.parametrize("name, data, problem", [
    ("empty.txt", b"", "empty file"),
    ("garbage.pdf", b"\x00\x01garbage" * 50, "PDF"),
    ("latin1.txt", "Caf\xe9 cr\xe8me".encode("latin-1"), "UTF-8"),
    ("notes.docx", b"PK\x03\x04", "unsupported file type"),
])
def test_bad_files_are_reported_and_the_rest_ingested(store, news_file, name, data, problem):
    ingest(store, [news_file])
    before = _facts(store)
    bad = news_file.parent / name
    bad.write_bytes(data)
    other = news_file.parent / "other.md"
    other.write_text("# Other\n\nHonda began a demonstration line in January 2025.\n", encoding="utf-8")
    report = ingest(store, [bad, other])
    failed = {Path(r.path).name: r.problem for r in report.failed}
    assert name in failed and problem.lower() in failed[name].lower()
    assert report.count("added") == 1
    assert set(before) <= set(_facts(store))


def test_cli_reports_one_line_per_bad_file_and_exit_code(tmp_path, news_file):
    (news_file.parent / "empty.txt").write_bytes(b"")
    run = subprocess.run([sys.executable, "-m", "kg.cli", "ingest", str(news_file.parent), "--no-embed", "--store",
                          str(tmp_path / "s")], capture_output=True, text=True)
    assert run.returncode == 1
    assert "empty.txt: empty file" in run.stderr and "Traceback" not in run.stderr


def test_interrupted_ingest_resumes_to_the_same_graph(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(12):
        (docs / f"d{i:02}.md").write_text(
            f"# Doc {i}\n\nToyota targets {2027 + i % 3} for mass production of sulfide cells.\n"
            f"Samsung SDI runs a pilot line of {1000 + i} cells/month.\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import os, signal, sys
        from kg.ingest import ingest
        from kg.store.embedded import EmbeddedStore
        store = EmbeddedStore({str(tmp_path / 'killed')!r})
        def progress(result, n=[0]):
            n[0] += 1
            if n[0] == 5:
                os.kill(os.getpid(), signal.SIGKILL)
        ingest(store, [{str(docs)!r}], progress=progress)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert run.returncode == -signal.SIGKILL
    from kg.store.embedded import EmbeddedStore

    resumed = EmbeddedStore(tmp_path / "killed")
    assert 0 < resumed.stats()["documents"] < 12
    report = ingest(resumed, [docs])
    assert report.count("unchanged") + report.count("added") == 12
    clean = EmbeddedStore(tmp_path / "clean")
    ingest(clean, [docs])
    assert _facts(resumed) == _facts(clean) and resumed.stats() == clean.stats()


def test_oversized_text_is_reported_not_half_read(store, news_file, monkeypatch):
    monkeypatch.setenv("KG_MAX_TEXT_MB", "1")
    big = news_file.parent / "big.txt"
    big.write_text("Toyota targets 2027. " * 60_000, encoding="utf-8")
    report = ingest(store, [big, news_file])
    (failed,) = report.failed
    assert failed.path.endswith("big.txt") and "too large" in failed.problem
    assert report.count("added") == 1


def test_reader_never_sees_a_partial_document_while_ingest_writes(tmp_path):
    """WAL: a second connection reads during the ingest; every visible document has all its passages."""
    import threading

    from kg.store.embedded import EmbeddedStore

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(30):
        (docs / f"d{i:02}.md").write_text(f"# Doc {i}\n\n" + "Samsung SDI runs a sulfide pilot line. " * 40,
                                          encoding="utf-8")
    writer = EmbeddedStore(tmp_path / "store")
    expected = {}
    done = threading.Event()
    errors: list[Exception] = []

    def write() -> None:
        try:
            ingest(writer, [docs])
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    reader = EmbeddedStore(tmp_path / "store")
    seen = 0
    while not done.is_set() or seen < 30:
        for doc in reader.documents():
            passages = reader.passages(doc.id)
            expected.setdefault(doc.id, len(passages))
            assert len(passages) == expected[doc.id] > 0
        seen = reader.stats()["documents"]
        if done.is_set():
            break
    thread.join()
    assert not errors and reader.stats()["documents"] == 30


def test_parallel_ingest_gives_the_same_graph_as_one_process(tmp_path):
    """More files than the in-flight window, one of them bad: both cores used, nothing lost or reordered."""
    from kg.bench import synthetic_corpus
    from kg.store.embedded import EmbeddedStore

    paths = synthetic_corpus(tmp_path / "docs", 11)
    (tmp_path / "docs" / "bench_00005.md").write_bytes(b"")
    graphs = []
    for workers in (1, 2):
        store = EmbeddedStore(tmp_path / f"store-{workers}")
        report = ingest(store, [tmp_path / "docs"], workers=workers)
        assert [r.path for r in report.results] == [str(p) for p in paths]
        assert [r.status for r in report.results].count("failed") == 1
        graphs.append((store.stats(), sorted(f.id for f in store.facts())))
        store.close()
    assert graphs[0] == graphs[1]
    assert graphs[0][0]["documents"] == 10


BROKEN_PARTNERSHIP = textwrap.dedent("""
    import pipelines.extract as extract
    from pipelines.extractors import partnership

    def extract_partnerships(ctx):
        if "Philenergy" in ctx.passage.text:
            raise IndexError("list index out of range")
        return partnership.extract(ctx)

    extract_partnerships.__module__, extract_partnerships.__qualname__ = partnership.__name__, "extract"
    extract.EXTRACTORS = tuple(extract_partnerships if e is partnership.extract else e for e in extract.EXTRACTORS)
""")


def test_a_component_failure_is_a_warning_and_the_file_is_ingested(store, news_file, monkeypatch):
    import pipelines.extract as extract

    monkeypatch.setattr(extract, "EXTRACTORS", extract.EXTRACTORS)  # restored after the test
    exec(BROKEN_PARTNERSHIP, {})
    report = ingest(store, [news_file])
    [result] = report.results
    assert result.status == "added" and not report.failed and report.incidents == 1
    assert result.incidents[0].component == "extractors.partnership.extract"
    kinds = {f.kind for f in store.facts()}
    assert {"production_line", "spec", "milestone", "patent", "develops"} <= kinds
    assert not [f for f in store.facts() if f.kind == "partnership" and "Philenergy" in f.evidence.quote]
    assert [f for f in store.facts() if f.kind == "spec" and "Philenergy" in f.evidence.quote]


@pytest.mark.parametrize("flags, code, traceback", [([], 0, False), (["--strict"], 1, False), (["--debug"], 0, True)])
def test_cli_warns_in_one_line_per_component_failure(tmp_path, news_file, flags, code, traceback):
    script = BROKEN_PARTNERSHIP + "\nimport sys\nfrom kg.cli import main\nsys.argv = ['kg'] + sys.argv[1:]\nmain()\n"
    run = subprocess.run([sys.executable, "-c", script, "ingest", str(news_file), "--no-embed", "--store",
                          str(tmp_path / "s"), *flags], capture_output=True, text=True,
                         env={**os.environ, "KG_DEBUG": ""})
    assert run.returncode == code, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and str(news_file) in warnings[0] and "extractors.partnership.extract" in warnings[0]
    assert "IndexError: list index out of range" in warnings[0] and "chars " in warnings[0]
    assert ("Traceback" in run.stderr) == traceback
    assert "warnings" in run.stdout


def test_parallel_ingest_gives_the_same_warnings(tmp_path, news_file, monkeypatch):
    """Worker processes (forked with the same broken component) report what one process reports, in file order."""
    import pipelines.extract as extract
    from kg.store.embedded import EmbeddedStore

    monkeypatch.setattr(extract, "EXTRACTORS", extract.EXTRACTORS)
    exec(BROKEN_PARTNERSHIP, {})
    for i in range(3):
        (news_file.parent / f"copy{i}.md").write_text(news_file.read_text(encoding="utf-8") + f"\nCopy {i}.\n",
                                                      encoding="utf-8")
    reports = []
    for workers in (1, 2):
        store = EmbeddedStore(tmp_path / f"store{workers}")
        reports.append([(Path(r.path).name, [(i.component, i.start, i.end, i.error) for i in r.incidents])
                        for r in ingest(store, [news_file.parent], workers=workers).results])
        store.close()
    assert reports[0] == reports[1] and all(len(incidents) == 1 for _, incidents in reports[0])
