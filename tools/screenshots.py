"""Screenshots of every explorer page (for the README): `python tools/screenshots.py STORE [OUT_DIR]`.

Serves the explorer on the store with Streamlit and loads deep links (?page=…) in headless Debian chromium,
driven by playwright-core (tools/screenshots, `npm ci` there first) so each shot waits for the page to finish.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "ask": {"page": "Ask & search", "q": "Who makes sulfide pilot lines?"},
    "entity": {"page": "Entity", "entity": "org:samsung-sdi"},
    "lines": {"page": "Production lines"},
    "timelines": {"page": "Timelines"},
    "patents": {"page": "Patents"},
    "documents": {"page": "Documents"},
    "snapshots": {"page": "Snapshots"},
}
def main(store: str, out: str = "docs/screenshots") -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("chromium is not installed (make install-browser)")
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "explorer.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        env={**os.environ, "KG_STORE": store}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(8)
        pages = [{"name": name, "query": urlencode(params)} for name, params in PAGES.items()]
        subprocess.run(["node", str(ROOT / "tools" / "screenshots" / "shoot.mjs"), f"http://127.0.0.1:{port}",
                        str(target.resolve())], input=json.dumps(pages), text=True, check=True, timeout=900,
                       env={**os.environ, "CHROMIUM": chromium})
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main(*sys.argv[1:])
