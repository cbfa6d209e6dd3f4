"""What a visitor of a served page reads: no file of the serving machine, and nothing else
taken for one (tui/served.py)."""

from __future__ import annotations

import pytest

from tui.served import for_visitors

SAID = "(a file of the serving machine)"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCNET_SERVED", "1")
    monkeypatch.setenv("HOME", "/home/alice")
    monkeypatch.setenv("XDG_CACHE_HOME", "/home/alice/.cache")


@pytest.mark.parametrize("text", [
    "the cached catalog /home/alice/.cache/scnet-images/catalogs/demo.pickle was ignored",
    '"/home/alice/.config/scnet-images/config.toml" is readable by others',
    "/home/alice",
])
def test_a_local_path_is_said_without_its_name(served: None, text: str) -> None:
    shown = for_visitors(text)
    assert SAID in shown and "alice" not in shown


@pytest.mark.parametrize("text", [
    "Mount /public/home/alice/data",  # the platform's path, under another root
    "https://gw.example.com/home/alice/lab?token=****",  # a URL's path
    "registry/tmpfs-tools:1",  # a word that starts like a root
    "GET /ai/openapi/v2/instance-service/images: HTTP 404",
])
def test_what_is_no_local_path_stays_as_it_is(served: None, text: str) -> None:
    assert for_visitors(text) == text


def test_nothing_changes_when_not_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCNET_SERVED", raising=False)
    monkeypatch.setenv("HOME", "/home/alice")
    assert for_visitors("/home/alice/x") == "/home/alice/x"
