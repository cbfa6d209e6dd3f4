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


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_help_lines_fit_the_terminal_in_cells_and_examples_stay_whole(language: str) -> None:
    """Wrapped by display width (a Chinese character is two cells), in a real process; an
    example command is never broken (a pasted half would run something else)."""
    from tui.commands.help_format import cells

    environment = {**os.environ, "SCNET_LANG": language, "COLUMNS": "80"}
    done = subprocess.run([sys.executable, "-m", "tui", "login", "--help"], env=environment, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    prose = [line for line in lines if "scnet-images" not in line and "6048ce7b" not in line]
    assert max(cells(line) for line in prose) <= 80
    assert "  pass show scnet | scnet-images login --user alice --org-id 6048ce7b --password-stdin" in lines
    if language == "zh_CN":
        usage = [line for line in lines[:6] if line.strip().startswith("[")]
        assert usage and all(line.index("[") == cells("用法：scnet-images login ") for line in usage)
        assert all(cells(line) <= 80 for line in lines[:6])


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_commands_help_renders_in_every_language(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A translation with a stray `%` or a lost placeholder breaks `--help` only in its language."""
    from tui import i18n
    from tui.cli import build_parser

    i18n.set_language(language)
    parser = build_parser()
    subparsers = next(action for action in parser._actions if action.dest == "command")
    helps = [parser.format_help()] + [command.format_help() for command in subparsers.choices.values()]
    assert len(helps) > 15 and all(helps)
    if language == "zh_CN":
        assert all("用法" in text for text in helps)


def test_a_flag_a_command_does_not_know_points_at_that_commands_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["path", "--bogus", "x"])
    assert done.value.code == 64
    assert "see `scnet-images path --help`" in capsys.readouterr().err
