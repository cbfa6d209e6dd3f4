"""Shared fixtures: a real demo API on an ephemeral loopback port, and an isolated environment.

No test reads the developer's own config file or SCNET_* variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tui import i18n
from tui.api.drivers import ScnetClient
from tui.api.options import ClientOptions
from tui.config import Settings
from tui.connection import Connection, forget_tokens
from tui.demo.server import DemoServer

# Retries without waiting: the backoff itself is tested separately.
FAST = ClientOptions(backoff=0.0, connect_timeout=2.0, read_timeout=5.0)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point config discovery at an empty folder and drop SCNET_* and proxy variables."""
    for name in ("SCNET_BASE_URL", "SCNET_TOKEN", "SCNET_PROFILE", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "TMUX", "SCNET_LANG", "LC_ALL",
                 "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # English, whatever the machine's locale: tests choose Chinese
    i18n.set_language("en")
    forget_tokens()  # no token renewed by an earlier test stands in for a later one's
    config = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("SCNET_CONFIG", str(config))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the demo note's stamp, the catalog cache
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return config


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def client(demo_server: DemoServer) -> ScnetClient:
    return ScnetClient(demo_server.base_url, demo_server.token, FAST)


def demo_connection(server: DemoServer, *, demo: bool = True, token: str | None = None) -> Connection:
    """A connection to a test's own server; `demo` keeps the header free of the random port."""
    settings = Settings(base_url=server.base_url, token=token or server.token, demo=demo, options=FAST)
    return Connection(settings, server.base_url, token or server.token)


class FakeClock:
    """A clock the test moves (seconds since the epoch): the demo's instances follow it."""

    def __init__(self, now: float = 1764316800.0) -> None:  # 2025-11-28 16:00 in Beijing
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
