"""`kg bench` runs every stage on a synthetic corpus and reports figures (no timing is asserted)."""
import json
import subprocess
import sys

from kg.bench import plot, run_bench, synthetic_corpus


def test_synthetic_corpus_is_the_same_for_the_same_seed(tmp_path):
    first = [p.read_text() for p in synthetic_corpus(tmp_path / "a", 5)]
    second = [p.read_text() for p in synthetic_corpus(tmp_path / "b", 5)]
    assert first == second
    assert all(text.startswith("---\ntitle: Bench document") for text in first)


def test_run_bench_reports_each_stage_latency_memory_and_disk(tmp_path):
    result = run_bench(4, embed=False)
    names = [s.name for s in result.stages]
    assert names == ["read", "sentences", "extract (incl. sentences)", "store", "end-to-end"]
    assert all(s.seconds > 0 and s.words == result.words for s in result.stages)
    assert result.words > 0 and result.passages > 0
    assert set(result.latency_ms) == {"ask first", "ask", "keyword"}
    assert all(v["p50"] <= v["p95"] for v in result.latency_ms.values())
    assert result.ingest_memory_mb > 0 and result.peak_memory_mb > 0 and result.store_mb > 0
    plot([result, result], tmp_path / "bench.png")
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_bench_json(tmp_path):
    done = subprocess.run([sys.executable, "-m", "kg", "bench", "--docs", "3", "--no-embed", "--json"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (data,) = json.loads(done.stdout)
    assert data["documents"] == 3 and data["stages"][-1]["name"] == "end-to-end"


def test_cli_bench_rejects_bad_sizes():
    done = subprocess.run([sys.executable, "-m", "kg", "bench", "--docs", "ten"], capture_output=True, text=True)
    assert done.returncode == 2 and "--docs expects numbers" in done.stderr
