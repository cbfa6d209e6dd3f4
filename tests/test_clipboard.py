"""What may go on the clipboard, and the OSC 52 sequence that puts it there."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pyperclip
import pytest

from tui.clipboard import HOW, OSC52_MAX_BYTES, copy_with_pyperclip, copy_with_tmux, osc52_possible, osc52_sequence, refusal


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


def _fake_tmux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, refuses: str = "") -> Path:
    """A `tmux` on PATH that keeps what load-buffer is given (and refuses `refuses` flags)."""
    kept = tmp_path / "buffer"
    script = tmp_path / "bin" / "tmux"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *"{refuses or "@never@"}"*) exit 1;; esac\n'
        f'cat > "{kept}"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")
    monkeypatch.setenv("TMUX", "/tmp/tmux-test/default,1,0")
    return kept


def test_inside_tmux_the_text_goes_to_tmuxs_buffer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _fake_tmux(tmp_path, monkeypatch)
    assert copy_with_tmux("image.sourcefind.cn:5000/a/b:1")
    assert kept.read_text() == "image.sourcefind.cn:5000/a/b:1"


def test_an_old_tmux_without_w_still_takes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _fake_tmux(tmp_path, monkeypatch, refuses="-w")
    assert copy_with_tmux("路径") and kept.read_text() == "路径"


def test_no_tmux_no_claim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tmux to run
    monkeypatch.setenv("TMUX", "/tmp/tmux-test/default,1,0")
    assert not copy_with_tmux("x")
    monkeypatch.delenv("TMUX")
    assert not copy_with_tmux("x")


def test_what_each_way_promises_is_honest() -> None:
    assert "if nothing arrives" in HOW["osc52"] and "allow-passthrough" in HOW["osc52-tmux"]
