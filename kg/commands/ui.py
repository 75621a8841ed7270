"""`kg ui`: the Streamlit explorer on the configured store."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import StoreOption, app


@app.command()
def ui(store: StoreOption = None,
       port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8501,
       headless: Annotated[bool, typer.Option("--headless", help="Do not open a browser.")] = False) -> None:
    """Open the explorer (Streamlit) on the store."""
    from kg.store import store_location

    script = Path(__file__).resolve().parents[2] / "app" / "explorer.py"
    env = {**os.environ, "KG_STORE": store_location(store)}
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
               "--browser.gatherUsageStats", "false"] + (["--server.headless", "true"] if headless else [])
    raise typer.Exit(subprocess.call(command, env=env))
