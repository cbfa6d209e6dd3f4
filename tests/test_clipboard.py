"""What may go on the clipboard, and the OSC 52 sequence that puts it there."""

from __future__ import annotations

import base64

import pyperclip
import pytest

from tui.clipboard import OSC52_MAX_BYTES, copy_with_pyperclip, osc52_possible, osc52_sequence, refusal


@pytest.mark.parametrize(
    "text, reason",
    [("image.sourcefind.cn:5000/dcu/admin/base/vllm:0.9.2", None), ("", "nothing to copy"),
     ("a\nrm -rf ~", "line break"), ("a\r", "line break"), ("a\x1b]52;c;x\x07", "control"), ("a\u202eb", "control")],
)
def test_refusal(text: str, reason: str | None) -> None:
    result = refusal(text)
    assert (result is None) if reason is None else (reason in result)


def test_osc52_sequence_plain_and_in_tmux() -> None:
    payload = base64.b64encode("路径".encode()).decode()
    assert osc52_sequence("路径", {}) == f"\x1b]52;c;{payload}\a"
    assert osc52_sequence("路径", {"TMUX": "/tmp/tmux"}) == f"\x1bPtmux;\x1b\x1b]52;c;{payload}\a\x1b\\"


def test_osc52_refuses_what_terminals_would_drop() -> None:
    assert osc52_sequence("x" * OSC52_MAX_BYTES, {}) is None


def test_osc52_possible() -> None:
    assert osc52_possible({"TERM": "xterm-256color"})
    assert not osc52_possible({"TERM": "linux"}) and not osc52_possible({"TERM": "dumb"})


def test_pyperclip_success_and_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    assert copy_with_pyperclip("x") and copied == ["x"]

    def broken(text: str) -> None:
        raise pyperclip.PyperclipException("no mechanism")

    monkeypatch.setattr(pyperclip, "copy", broken)
    assert not copy_with_pyperclip("x")
