"""`kg ui` honours --port/--host, STREAMLIT_SERVER_* and config.toml, and reports a taken port in one line."""
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from kg.commands.ui import DEFAULT_PORT, ServerSettings, port_problem, server_settings


def _config(folder: Path, text: str) -> Path:
    path = folder / ".streamlit" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("flag, env, toml, expected", [
    (None, {}, None, DEFAULT_PORT),
    (None, {}, "[server]\nport = 8600\n", 8600),
    (None, {"STREAMLIT_SERVER_PORT": "8700"}, "[server]\nport = 8600\n", 8700),
    (8800, {"STREAMLIT_SERVER_PORT": "8700"}, "[server]\nport = 8600\n", 8800),
    (8800, {}, None, 8800),
    (None, {"STREAMLIT_SERVER_PORT": ""}, "[server]\nport = 8600\n", 8600),  # empty, as click reads it: unset
    (None, {}, "[server\nport = 8600\n", DEFAULT_PORT),  # not TOML: skipped, as Streamlit does
    (None, {}, "[theme]\nbase = 'dark'\n", DEFAULT_PORT),
])
def test_port_comes_from_flag_then_env_then_config_then_default(tmp_path, flag, env, toml, expected):
    files = [_config(tmp_path, toml)] if toml is not None else [tmp_path / "absent.toml"]
    assert server_settings(flag, None, env, files).port == expected


@pytest.mark.parametrize("flag, env, toml, expected", [
    (None, {}, None, None),
    (None, {}, "[server]\naddress = '127.0.0.2'\n", "127.0.0.2"),
    (None, {"STREAMLIT_SERVER_ADDRESS": "127.0.0.3"}, "[server]\naddress = '127.0.0.2'\n", "127.0.0.3"),
    ("127.0.0.4", {"STREAMLIT_SERVER_ADDRESS": "127.0.0.3"}, "[server]\naddress = '127.0.0.2'\n", "127.0.0.4"),
])
def test_address_comes_from_flag_then_env_then_config(tmp_path, flag, env, toml, expected):
    files = [_config(tmp_path, toml)] if toml is not None else []
    assert server_settings(None, flag, env, files).address == expected


def test_later_config_files_win_as_in_streamlit(tmp_path):
    home = _config(tmp_path / "home", "[server]\nport = 8600\naddress = '127.0.0.2'\n")
    project = _config(tmp_path / "project", "[server]\nport = 8601\n")
    assert server_settings(None, None, {}, [home, project]) == ServerSettings(8601, "127.0.0.2")


def test_a_port_that_is_not_a_number_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'eighty'"):
        server_settings(None, None, {"STREAMLIT_SERVER_PORT": "eighty"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_port_problem_tells_a_free_port_from_a_taken_one():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert f"port {port} is in use" in port_problem(ServerSettings(port, "127.0.0.1"))
    assert port_problem(ServerSettings(_free_port(), "127.0.0.1")) is None


def _env(tmp_path: Path, port: int, **extra: str) -> dict:
    return {**os.environ, "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
            "STREAMLIT_SERVER_HEADLESS": "true", "KG_STORE": str(tmp_path / "store"), **extra}


def test_a_taken_port_exits_1_with_one_line_naming_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "kg", "ui"], env=_env(tmp_path, port), cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert f"port {port} is in use" in lines[0] and "--port N" in lines[0] and "STREAMLIT_SERVER_PORT=N" in lines[0]


@pytest.fixture
def sample_store(tmp_path, sample_news) -> Path:
    from kg.ingest import ingest
    from kg.store.embedded import EmbeddedStore

    (tmp_path / "news.md").write_text(sample_news, encoding="utf-8")
    graph = EmbeddedStore(tmp_path / "store")
    ingest(graph, [tmp_path / "news.md"])
    graph.close()
    return tmp_path / "store"


def test_kg_ui_serves_the_explorer_on_the_port_from_the_environment(tmp_path, sample_store, explorer_server):
    server = explorer_server(sample_store, tmp_path)
    try:
        with urllib.request.urlopen(server.url, timeout=10) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
        assert server.process.poll() is None
    finally:
        server.stop()
    assert server.process.returncode == 0, server.log.read_text()[-2000:]
