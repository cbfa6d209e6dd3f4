"""The shell speaks the chosen language: `--help` and an error line, in each language."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tui.cli import main

HELP_WORDS = {"en": ("usage: scnet-images", "print the path of the best matching image", "options:"),
              "zh_CN": ("用法：scnet-images", "输出最匹配镜像的路径", "选项")}
ERROR_WORDS = {"en": "no command 'lsit'; did you mean 'list'?", "zh_CN": "没有命令 'lsit'；您是指 'list' 吗？"}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_help_in_each_language(language: str, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SCNET_LANG", language)
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    for words in HELP_WORDS[language]:
        assert words in out
    other = HELP_WORDS["zh_CN" if language == "en" else "en"][1]
    assert other not in out


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_an_error_line_in_each_language(language: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--lang", language, "lsit"])
    assert done.value.code == 64
    assert ERROR_WORDS[language] in capsys.readouterr().err


def test_chinese_help_lines_fit_the_terminal_in_cells() -> None:
    """Wrapped by display width (a Chinese character is two cells), in a real process."""
    from tui.commands.help_format import cells

    environment = {**os.environ, "SCNET_LANG": "zh_CN", "COLUMNS": "80"}
    done = subprocess.run([sys.executable, "-m", "tui", "login", "--help"], env=environment, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "用法" in done.stdout
    lines = done.stdout.splitlines()
    assert max(cells(line) for line in lines[3:]) <= 80  # the usage's first lines are argparse's own
    usage = [line for line in lines[:6] if line.strip().startswith("[")]
    assert usage and all(line.index("[") == cells("用法：scnet-images login ") for line in usage)
