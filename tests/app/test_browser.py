"""End to end: the explorer served by Streamlit and loaded in headless Chromium (Debian's `chromium`)."""
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]
SHOOTER = ROOT / "tools" / "screenshots" / "shoot.mjs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make install-browser)"),
    pytest.mark.skipif(not (SHOOTER.parent / "node_modules" / "playwright-core").is_dir() or shutil.which("node") is None,
                       reason="playwright-core is not installed in tools/screenshots (make lint-tools)"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_news, explorer_server):
    """The explorer started by `kg ui` on a free loopback port given through STREAMLIT_SERVER_PORT."""
    from kg.store.embedded import EmbeddedStore

    root = tmp_path_factory.mktemp("browser")
    (root / "news.md").write_text(sample_news, encoding="utf-8")
    store = EmbeddedStore(root / "store")
    ingest(store, [root / "news.md"])
    store.close()
    server = explorer_server(root / "store", root)
    yield server.url, root
    server.stop()


def _shoot(url: str, out: Path, pages: list[dict]) -> None:
    subprocess.run(["node", str(SHOOTER), url, str(out)], input=json.dumps(pages), text=True, check=True,
                   timeout=600, env={**os.environ, "CHROMIUM": CHROMIUM})


def test_home_page_loads_with_its_text(served, tmp_path):
    url, _ = served
    _shoot(url, tmp_path, [{"name": "home", "query": "", "expect": "documents"}])
    text = (tmp_path / "home.txt").read_text()
    assert "Ask & search" in text
    assert "1 documents" in text and "facts" in text


def test_answer_page_shows_the_answer_with_a_screenshot(served, tmp_path):
    url, _ = served
    question = "Who makes sulfide pilot lines?"
    _shoot(url, tmp_path, [{"name": "ask", "query": urlencode({"page": "Ask & search", "q": question}),
                            "expect": "Passages"}])
    shot = tmp_path / "ask.png"
    assert shot.exists() and shot.stat().st_size > 20_000
    text = (tmp_path / "ask.txt").read_text()
    assert "intent: line_operators" in text and "Samsung SDI · Organization" in text
