"""Shared fixtures. Tests may read ../shared when it exists and skip with a reason when it does not."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))

# Hypothesis: the default run is bounded and derandomised (a fixed seed: the same inputs every run); the release
# run (`make fuzz`, KG_FUZZ_DEEP=1) draws fresh inputs and keeps the failures it finds in tests/.hypothesis, to be
# replayed until each has its regression test.
DEEP_FUZZ = os.environ.get("KG_FUZZ_DEEP", "") not in ("", "0")
settings.register_profile("ci", max_examples=50, derandomize=True, print_blob=True)
settings.register_profile("deep", max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "2500")), print_blob=True,
                          database=DirectoryBasedExampleDatabase(ROOT / "tests" / ".hypothesis"))
settings.load_profile("deep" if DEEP_FUZZ else "ci")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (the shared corpus, gold and fixtures live there)")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


@pytest.fixture(scope="session")
def pdf_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "pdf"


@pytest.fixture(scope="session")
def fixtures_dir(shared_dir: Path) -> Path:
    return shared_dir / "fixtures"


SAMPLE_NEWS = """---
title: Sulfide pilot lines
kind: news
published: 2026-03-01
---
# Sulfide pilot lines

Samsung SDI (South Korea): Sulfide-based, pilot line capable of ~2,000 cells/month. Targeting 2027 commercial production.

Toyota announced commercial production starting 2027, and QuantumScape shipped B-samples to Volkswagen in 2026.

Factorial Energy signed an MOU with Philenergy; its FEST cells reach 375 Wh/kg and 600+ cycles.

Solid Power is focusing on sulfide-based electrolytes such as Li₆PS₅Cl, which reaches 12 mS/cm.

BYD disclosed the patent CN118748295A, which places a ceramic layer on the negative electrode sheet.
"""


@pytest.fixture(scope="session")
def sample_news() -> str:
    return SAMPLE_NEWS


@pytest.fixture
def news_file(tmp_path: Path) -> Path:
    path = tmp_path / "docs" / "news.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SAMPLE_NEWS, encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path):
    from kg.store.embedded import EmbeddedStore

    graph = EmbeddedStore(tmp_path / "store")
    yield graph
    graph.close()


@pytest.fixture(scope="session")
def extract_facts():
    """Facts of one kind from a Markdown text, as their slot dicts (the full pipeline, no store)."""
    from pipelines.extract import extract_document
    from pipelines.readers.text import parse_text

    def run(text: str, kind: str, published: str | None = "2026-03-01") -> list[dict]:
        header = f"---\npublished: {published}\n---\n" if published else ""
        doc = extract_document(parse_text("test.md", header + text))
        return [f.slots for f in doc.facts if f.kind == kind]

    return run


TWO_DOCS = {
    "alpha.md": """---
title: Alpha
published: 2026-03-01
---
# Alpha

Factorial Energy signed an MOU with Philenergy; its FEST cells reach 375 Wh/kg and 600+ cycles.

Toyota announced commercial production starting 2027.
""",
    "beta.md": """---
title: Beta
published: 2026-04-01
---
# Beta

Samsung SDI (South Korea): Sulfide-based, pilot line capable of ~2,000 cells/month.

Solid Power is focusing on sulfide-based electrolytes such as Li₆PS₅Cl, which reaches 12 mS/cm.
""",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Two small news documents in a folder: a corpus for snapshot, diff and export tests."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in TWO_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ExplorerServer:
    """`kg ui` started on a free loopback port given through STREAMLIT_SERVER_PORT, as a user sets it."""

    def __init__(self, store: Path, cwd: Path, timeout: float = 60):
        import subprocess
        import sys
        import time

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / "kg-ui.log"
        env = {**os.environ, "KG_STORE": str(store), "STREAMLIT_SERVER_PORT": str(self.port),
               "STREAMLIT_SERVER_ADDRESS": "127.0.0.1", "STREAMLIT_SERVER_HEADLESS": "true"}
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen([sys.executable, "-m", "kg", "ui"], env=env, cwd=cwd, stdout=sink,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"kg ui did not answer on {self.url} (exit {self.process.poll()}):\n"
                                     + self.log.read_text()[-2000:])
            time.sleep(0.5)

    def healthy(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                return reply.read().decode().strip() == "ok"
        except OSError:
            return False

    def stop(self) -> None:
        import subprocess

        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


@pytest.fixture(scope="session")
def explorer_server():
    """Starts `kg ui` on a store (see ExplorerServer); every server still running is stopped at the end."""
    started: list[ExplorerServer] = []

    def start(store: Path, cwd: Path) -> ExplorerServer:
        started.append(ExplorerServer(store, cwd))
        return started[-1]

    yield start
    for server in started:
        server.stop()
