"""End to end: the explorer served by Streamlit and loaded in headless Chromium (Debian's `chromium`)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]
SHOOTER = ROOT / "tools" / "screenshots" / "shoot.mjs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=30000", "--run-all-compositor-stages-before-draw", "--window-size=1400,1000"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make install-browser)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_news):
    from kg.store.embedded import EmbeddedStore

    root = tmp_path_factory.mktemp("browser")
    (root / "news.md").write_text(sample_news, encoding="utf-8")
    store = EmbeddedStore(root / "store")
    ingest(store, [root / "news.md"])
    store.close()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "explorer.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        env={**os.environ, "KG_STORE": str(root / "store")}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}", root
    server.terminate()
    server.wait(timeout=20)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120)


def test_page_loads_with_its_text(served, tmp_path):
    url, _ = served
    dom = ""
    for attempt in range(4):
        dom = _chromium("--dump-dom", url, profile=tmp_path / f"profile-dom-{attempt}").stdout
        if "Ask &amp; search" in dom:
            break
        time.sleep(3)
    assert "Ask &amp; search" in dom
    assert "1 documents" in dom and "facts" in dom


@pytest.mark.skipif(not (SHOOTER.parent / "node_modules" / "playwright-core").is_dir() or shutil.which("node") is None,
                    reason="playwright-core is not installed in tools/screenshots (make lint-tools)")
def test_answer_page_screenshot(served, tmp_path):
    url, _ = served
    pages = [{"name": "ask", "query": urlencode({"page": "Ask & search", "q": "Who makes sulfide pilot lines?"})}]
    subprocess.run(["node", str(SHOOTER), url, str(tmp_path)], input=json.dumps(pages), text=True, check=True,
                   timeout=300, env={**os.environ, "CHROMIUM": CHROMIUM})
    shot = tmp_path / "ask.png"
    assert shot.exists() and shot.stat().st_size > 20_000
