"""UI fixtures: the app wired to a test's own demo server, and a way to wait for it."""

from __future__ import annotations

from typing import Iterator

import pytest

from tui.app import ScnetImagesApp
from tui.demo.server import DemoServer

from ..conftest import demo_connection

from .scenarios import STANDARD, WIDE, settle  # noqa: F401  (re-exported for the tests)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


def make_app(server: DemoServer, **kwargs: object) -> ScnetImagesApp:
    return ScnetImagesApp(connection=demo_connection(server, **kwargs))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the developer's clipboard: pyperclip has no mechanism unless a test says so."""
    import pyperclip

    def unavailable(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard mechanism in tests")

    monkeypatch.setattr(pyperclip, "copy", unavailable)
    monkeypatch.setenv("TERM", "xterm-256color")
