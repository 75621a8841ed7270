"""`kg ui`: the Streamlit explorer on the configured store.

Port, address and headless mode are passed to Streamlit only when given as flags, so Streamlit's own settings
(`STREAMLIT_SERVER_PORT`, `STREAMLIT_SERVER_ADDRESS`, `STREAMLIT_SERVER_HEADLESS`, `.streamlit/config.toml`)
apply otherwise. The port is checked first so that a taken one is reported in one line.
"""
from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli import StoreOption, UserError, app, err

SCRIPT = Path(__file__).resolve().parents[2] / "app" / "explorer.py"
DEFAULT_PORT = 8501


@dataclass(frozen=True)
class ServerSettings:
    port: int
    address: str | None  # None: Streamlit's default, every interface


def config_files(script: Path = SCRIPT) -> list[Path]:
    """The config.toml files Streamlit reads, weakest first: ~/.streamlit, the working dir's, the script's."""
    files = [Path.home() / ".streamlit" / "config.toml", Path.cwd() / ".streamlit" / "config.toml",
             script.parent / ".streamlit" / "config.toml"]
    return list(dict.fromkeys(files))


def server_settings(port: int | None, host: str | None, env: Mapping[str, str],
                    files: Sequence[Path] = ()) -> ServerSettings:
    """The port and address Streamlit will use: flag, then environment variable, then config.toml (later files
    win, as in Streamlit), then the default. A config file that is absent or not valid TOML is skipped."""
    server: dict = {}
    for path in files:
        try:
            section = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("server")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        server.update(section if isinstance(section, dict) else {})
    chosen_port = port if port is not None else env.get("STREAMLIT_SERVER_PORT") or server.get("port", DEFAULT_PORT)
    try:
        chosen_port = int(chosen_port)
    except (TypeError, ValueError):
        raise ValueError(f"server port must be a number, got {chosen_port!r}") from None
    return ServerSettings(chosen_port, host or env.get("STREAMLIT_SERVER_ADDRESS") or server.get("address") or None)


def port_problem(settings: ServerSettings) -> str | None:
    """Why Streamlit could not listen with these settings (bound as Streamlit binds), or None when it can."""
    address = settings.address or "0.0.0.0"
    if address.startswith("unix://"):
        return None
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as sock:
        if os.name != "nt":  # as Streamlit: a port left in TIME_WAIT by a stopped server is free
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, settings.port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                reason = "is in use" if exc.errno == errno.EADDRINUSE else "is not allowed"
                return f"port {settings.port} {reason}; choose another with --port N or STREAMLIT_SERVER_PORT=N"
            return (f"cannot listen on {address} port {settings.port} ({exc.strerror or exc}); "
                    "choose another address with --host ADDR or STREAMLIT_SERVER_ADDRESS=ADDR")
    return None


@app.command()
def ui(store: StoreOption = None,
       port: Annotated[Optional[int], typer.Option(
           "--port", min=0, max=65535, help="Port to serve on (default: $STREAMLIT_SERVER_PORT, config.toml, 8501).")]
       = None,
       host: Annotated[Optional[str], typer.Option(
           "--host", help="Address to listen on (default: $STREAMLIT_SERVER_ADDRESS, config.toml, all).")] = None,
       headless: Annotated[bool, typer.Option("--headless", help="Do not open a browser.")] = False) -> None:
    """Open the explorer (Streamlit) on the store."""
    from kg.store import store_location

    try:
        settings = server_settings(port, host, os.environ, config_files())
    except ValueError as exc:
        raise UserError(str(exc)) from None
    problem = port_problem(settings)
    if problem:
        err.print(f"error: {problem}", markup=False)
        raise typer.Exit(1)
    flags = [("--server.port", port), ("--server.address", host), ("--server.headless", "true" if headless else None)]
    command = [sys.executable, "-m", "streamlit", "run", str(SCRIPT), "--browser.gatherUsageStats", "false"]
    command += [part for flag, value in flags if value is not None for part in (flag, str(value))]
    env = {**os.environ, "KG_STORE": store_location(store)}
    if os.name == "posix":  # become Streamlit, so signals (Ctrl-C, SIGTERM) and the exit code are its own
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, command, env)
    raise typer.Exit(subprocess.call(command, env=env))
