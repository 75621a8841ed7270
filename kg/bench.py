"""`kg bench`: throughput per stage, end to end against the embedding ceiling, query latency, memory, disk.

The corpus is synthetic but realistic: sentences of the shared corpus (or the bundled sample) recombined with
other organisations, numbers and dates from the lexicons, seeded so every run builds the same documents.
"""
from __future__ import annotations

import os
import random
import re
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipelines.schemas import load_schema

QUESTIONS = (
    "Who makes sulfide pilot lines?",
    "Which companies target 2027 for mass production?",
    "Who partners with Toyota?",
    "What is the energy density of QuantumScape cells?",
    "Which companies develop sulfide solid electrolytes?",
    "Which patents does CATL hold?",
    "Which processes are used to make the separator layer?",
    "When does Nissan plan commercialization?",
)
SEARCHES = ("argyrodite conductivity", "dry room dew point", "pilot line capacity", "lithium metal anode foil",
            "semi-solid pack energy density", "isostatic pressing stress", "sulfide electrolyte moisture H2S",
            "mass production target 2027")


@dataclass
class Stage:
    name: str
    seconds: float
    documents: int
    words: int

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else float("inf")

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else float("inf")


@dataclass
class BenchResult:
    documents: int
    words: int
    passages: int
    stages: list[Stage] = field(default_factory=list)
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    peak_memory_mb: float = 0.0
    ingest_memory_mb: float = 0.0
    store_mb: float = 0.0

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["stages"] = [{**asdict(s), "words_per_second": round(s.words_per_second),
                           "documents_per_second": round(s.documents_per_second, 2)} for s in self.stages]
        end, embed = self.stage("end-to-end"), self.stage("embed")
        if end and embed:
            data["end_to_end_vs_embedding"] = round(embed.seconds / end.seconds, 3) if end.seconds else None
        return data


def _templates(source: Path | None) -> list[str]:
    """Sentences to recombine: corpus text files when present, else the bundled sample."""
    roots = [p for p in (source, Path(__file__).resolve().parents[1] / "samples" / "corpus") if p and p.exists()]
    sentences: list[str] = []
    for root in roots:
        for path in sorted(root.glob("*.txt")) + sorted(root.glob("*.md")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                line = line.strip(" -*#")
                if 40 <= len(line) <= 400 and not line.startswith(("---", "|")):
                    sentences.append(line)
        if sentences:
            break
    return sentences


def synthetic_corpus(folder: Path, n: int, source: Path | None = None, seed: int = 7) -> list[Path]:
    """Write `n` Markdown documents of 15–40 recombined sentences with varied names, numbers and dates."""
    rng = random.Random(seed)
    sentences = _templates(source)
    orgs = [o["name"] for o in load_schema("organizations") if o["type"] in ("company", "oem")]
    known = sorted({o for o in orgs if any(o in s for s in sentences)}, key=len, reverse=True)
    org_pattern = re.compile("|".join(re.escape(o) for o in known)) if known else None
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        body = []
        for _ in range(rng.randint(15, 40)):
            sentence = rng.choice(sentences)
            if org_pattern:
                sentence = org_pattern.sub(lambda _: rng.choice(orgs), sentence)
            sentence = re.sub(r"\b(20[2-3]\d)\b", lambda m: str(int(m.group(1)) + rng.randint(-2, 3)), sentence)
            sentence = re.sub(r"\b(\d{2,4})(?=\s?(?:Wh/kg|km|cycles|MPa|cells|GWh))",
                              lambda m: str(max(1, int(int(m.group(1)) * rng.uniform(0.7, 1.3)))), sentence)
            body.append(sentence)
        published = f"20{rng.randint(24, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        path = folder / f"bench_{i:05d}.md"
        path.write_text(f"---\ntitle: Bench document {i}\npublished: {published}\nkind: news\n---\n"
                        f"# Bench document {i}\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50": round(statistics.median(ordered) * 1000, 2), "p95": round(p95 * 1000, 2)}


def run_bench(n: int, source: Path | None = None, workers: int = 1, embed: bool = True,
              store_dir: Path | None = None, progress: Callable[[str], None] | None = None) -> BenchResult:
    from kg.store.embedded import EmbeddedStore
    from pipelines.extract import extract_document
    from pipelines.readers.text import read_text
    from pipelines.sentences import passages as split

    note = progress or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        root = Path(tmp)
        note(f"writing {n} documents")
        paths = synthetic_corpus(root / "docs", n, source)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
        result = BenchResult(documents=n, words=words, passages=0)

        note("warm-up (models load once per process; not part of any stage)")
        from pipelines.sentences import sentence_pipeline

        sentence_pipeline()
        extract_document(read_text(paths[0]))
        if embed:
            from kg.embeddings import embed as warm

            warm(["warm-up"])
        note("read")
        seconds, sources = _timed(lambda: [read_text(p) for p in paths])
        result.stages.append(Stage("read", seconds, n, words))
        note("normalise + sentences")
        seconds, split_passages = _timed(lambda: [split(f"doc:{i}", s) for i, s in enumerate(sources)])
        result.passages = sum(len(p) for p in split_passages)
        result.stages.append(Stage("sentences", seconds, n, words))
        note("extract")
        seconds, extracted = _timed(lambda: [extract_document(s) for s in sources])
        result.stages.append(Stage("extract (incl. sentences)", seconds, n, words))
        if embed:
            from kg.embeddings import embed as embed_texts

            texts = sorted({p.text for doc in extracted for p in doc.passages})
            note(f"embed {len(texts)} passages")
            seconds, _ = _timed(lambda: embed_texts(texts))
            result.stages.append(Stage("embed", seconds, n, words))
        store_path = store_dir or root / "store"
        note("store")
        store = EmbeddedStore(store_path / "stage")
        seconds, _ = _timed(lambda: [store.replace_document(doc) for doc in extracted])
        store.close()
        result.stages.append(Stage("store", seconds, n, words))
        del extracted, sources, split_passages

        note("end to end (in a child process, so its peak memory is measured apart from the stages above)")
        seconds, ingest_rss = _in_child(_end_to_end, root / "docs", store_path / "e2e", workers, embed)
        result.stages.append(Stage("end-to-end", seconds, n, words))
        result.ingest_memory_mb = round(ingest_rss / 1024, 1)

        note("queries (each one once to fill the per-process caches, then timed warm)")
        from kg.ask import ask

        store = EmbeddedStore(store_path / "e2e")
        result.latency_ms["ask first"] = _percentiles([_timed(lambda q=q: ask(store, q))[0] for q in QUESTIONS])
        result.latency_ms["ask"] = _percentiles([_timed(lambda q=q: ask(store, q))[0] for q in QUESTIONS * 3])
        if embed:
            from kg.search import hybrid_search

            result.latency_ms["search first"] = _percentiles([_timed(lambda q=q: hybrid_search(store, q))[0]
                                                              for q in SEARCHES])
            result.latency_ms["search"] = _percentiles([_timed(lambda q=q: hybrid_search(store, q))[0]
                                                        for q in SEARCHES * 3])
        from kg.search import keyword_search

        result.latency_ms["keyword"] = _percentiles([_timed(lambda q=q: keyword_search(store, q))[0]
                                                     for q in SEARCHES * 3])
        store.close()
        result.store_mb = round(sum(f.stat().st_size for f in (store_path / "e2e").rglob("*") if f.is_file())
                                / 2**20, 2)
    result.peak_memory_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def _rss_kib(pid: int | str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def _job_rss_kib() -> int:
    """Resident memory of this process and its children (the ingest workers), from /proc (Linux)."""
    me = os.getpid()
    if not os.path.isdir("/proc"):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # no /proc: this process's peak (KiB on Linux)
    total = _rss_kib(me)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == me:
                        total += _rss_kib(entry.name)
            except (OSError, ValueError, IndexError):
                continue
    return total


def _end_to_end(docs: Path, store_path: Path, workers: int, embed: bool, report) -> None:
    """The `kg ingest` job (with embeddings), run in a child; sends back the peak of its own resident memory plus
    its workers', sampled every 0.2 s (ru_maxrss would carry the parent's peak across the exec)."""
    import threading

    from kg.ingest import ingest
    from kg.store.embedded import EmbeddedStore

    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _job_rss_kib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    store = EmbeddedStore(store_path)
    ingest(store, [docs], workers=workers)
    if embed:
        from kg.search import ensure_embeddings

        ensure_embeddings(store)
    store.close()
    done.set()
    sampler.join()
    report.send(max(peak[0], _job_rss_kib()))


def _in_child(work: Callable[..., None], *args: object) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of `work(*args, report)` in a fresh process, as a `kg ingest` run would be:
    the seconds include starting Python and loading the models."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    start = time.perf_counter()
    child = context.Process(target=work, args=(*args, send))
    child.start()
    child.join()
    seconds = time.perf_counter() - start
    if child.exitcode != 0 or not receive.poll():
        raise RuntimeError(f"end-to-end ingest failed in the child process (exit code {child.exitcode})")
    return seconds, receive.recv()


def plot(results: list[BenchResult], path: Path) -> None:
    """Seconds per stage, warm query latency and ingest memory against corpus size, so growth with N is visible."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    names = [s.name for s in results[0].stages]
    sizes = [r.documents for r in results]
    for name in names:
        left.plot(sizes, [r.stage(name).seconds for r in results], marker="o", label=name)
    left.set(xscale="log", yscale="log", xlabel="documents", ylabel="seconds", title="cost per stage")
    left.legend(fontsize=8)
    for kind in ("ask", "search", "keyword"):
        if kind in results[0].latency_ms:
            middle.plot(sizes, [r.latency_ms[kind]["p95"] for r in results], marker="o", label=f"{kind} p95")
    middle.axhline(100, color="grey", linestyle="--", linewidth=0.8)
    middle.set(xscale="log", xlabel="documents", ylabel="ms", title="query latency (warm)")
    middle.legend(fontsize=8)
    right.plot(sizes, [r.ingest_memory_mb for r in results], marker="o", label="end-to-end ingest")
    right.set(xscale="log", xlabel="documents", ylabel="MB", title="peak memory", ylim=(0, None))
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
