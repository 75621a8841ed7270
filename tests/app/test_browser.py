"""End to end: the explorer served by Streamlit and loaded in headless Chromium (Debian's `chromium`)."""
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]
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
        env={**__import__("os").environ, "KG_STORE": str(root / "store")}, stdout=subprocess.DEVNULL,
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


def test_page_loads_with_its_text_and_a_screenshot(served, tmp_path):
    url, _ = served
    dom = ""
    for attempt in range(4):
        dom = _chromium("--dump-dom", url, profile=tmp_path / f"profile-dom-{attempt}").stdout
        if "Ask &amp; search" in dom:
            break
        time.sleep(3)
    assert "Ask &amp; search" in dom
    assert "1 documents" in dom and "facts" in dom
    shot = tmp_path / "ask.png"
    _chromium(f"--screenshot={shot}", url, profile=tmp_path / "profile-shot")
    assert shot.exists() and shot.stat().st_size > 10_000
    target = ROOT / "docs" / "screenshots"
    if target.is_dir():
        shutil.copy(shot, target / "ask.png")
