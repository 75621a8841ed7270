"""Connector tests replay payloads through httpx.MockTransport; a real transport fails the test, and nobody sleeps."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from pipelines.connectors.base import connect
from pipelines.connectors.cache import Cache


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request that reaches a real transport is a test failure, whatever the code under test does."""

    def refuse(self, request: httpx.Request):
        raise AssertionError(f"a test tried the real network: {request.method} {request.url}")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", refuse)
    for name in ("KG_CONTACT_EMAIL", "OPENALEX_API_KEY", "EPO_OPS_KEY", "EPO_OPS_SECRET", "KG_CACHE"):
        monkeypatch.delenv(name, raising=False)


class Clock:
    """A monotonic clock that only moves when the code sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.time = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.time += seconds


Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class Server:
    """Answers by URL path from a list of responses (the last one repeats) and records every request."""

    def __init__(self, routes: dict[str, Answer | list[Answer]]):
        self.routes = {path: list(a) if isinstance(a, list) else [a] for path, a in routes.items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answers = self.routes.get(request.url.path)
        if answers is None:
            return httpx.Response(404, text=f"no route for {request.url.path}")
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer(request) if callable(answer) else answer

    def params(self, path: str | None = None) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests if path is None or r.url.path == path]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


@pytest.fixture
def make(clock: Clock):
    """make(ConnectorClass, routes_or_server, **options) → (connector, server) on a MockTransport."""

    def build(cls, routes: dict | Server, **options):
        server = routes if isinstance(routes, Server) else Server(routes)
        connector = connect(cls, transport=httpx.MockTransport(server), sleep=clock.sleep, clock=clock.now,
                            **options)
        return connector, server

    return build
