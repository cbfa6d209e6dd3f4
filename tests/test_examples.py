"""Every example in README.md and in `--help` works as written against the demo catalog.

Examples that need an account, a terminal, a placeholder (ID, PROFILE) or the browser
are left out by rule below; everything else runs through the real entry point.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tui.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
# Left out: the browser, account commands, the standalone servers, placeholders.
SKIP = re.compile(r"^scnet-images(\s*$|\s+(login|logout|profiles|demo-server|serve|browse|completion|help)\b)|\b(ID|PROFILE|NAME)\b|\.\.\.|…")


def _commands(line: str) -> list[str]:
    """The scnet-images commands in a shell line: inside $(…), before a pipe or a redirect."""
    found = re.findall(r"\$\((scnet-images[^)]*)\)", line)
    line = re.sub(r"\"?\$\(scnet-images[^)]*\)\"?", "X", line)
    line = re.sub(r"^\s*(?:[A-Z_]+=\S+\s+)*", "", line.split("#", 1)[0] if " #" in line else line)
    line = re.split(r"\s[|>]\s?", line)[0].strip()
    return found + ([line] if line.startswith("scnet-images") else [])


def readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text()
    lines = [line for block in re.findall(r"```sh\n(.*?)```", text, re.S) for line in block.splitlines()]
    return [command for line in lines for command in _commands(line)]


def help_examples() -> list[str]:
    parser = build_parser()
    sources = [parser.epilog or ""]
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        sources += [sub.epilog or "" for sub in action.choices.values()]
    lines = [line.strip() for text in sources for line in text.splitlines() if line.strip().startswith(("scnet", "docker"))]
    # `--help` aligns a description after the command: keep the command.
    return [command for line in lines for command in _commands(re.split(r"\s{3,}", line)[0])]


EXAMPLES = sorted({command for command in readme_examples() + help_examples() if not SKIP.search(command)})


def test_the_examples_were_found() -> None:
    assert len(EXAMPLES) >= 12
    assert any(example.startswith("scnet-images run") for example in EXAMPLES)
    assert any("path vllm 0.9.2 dtk25.04.2" in example for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_works_as_written(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(shlex.split(example)[1:])
    assert code == 0, capsys.readouterr().err
