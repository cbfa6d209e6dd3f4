"""`--help` laid out by terminal cells, so Chinese help lines up as English does.

argparse measures text in characters; a Chinese character takes two cells. Its help
lines would run twice as long as the terminal, and the usage lines under a Chinese
"用法：" would start a few columns short. This formatter wraps by cells, breaks
between Chinese characters (they need no spaces), and indents the usage's following
lines by the width the prefix really takes.
"""

from __future__ import annotations

import argparse
import re
from functools import cache
from typing import Any

# A run of text that stays on one line: a word with its trailing spaces, or one wide character
# with the closing punctuation after it (a line never starts with "。" or "）").
_WIDE = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_CLOSING = "，。：；、！？）」』】"


@cache
def _pieces() -> re.Pattern[str]:
    """The pattern of those runs (compiled when help is printed, not on every start)."""
    return re.compile(rf"[{_WIDE}][{_CLOSING}]*[ ]*|[^\s{_WIDE}]+[{_CLOSING}]*[ ]*|[ ]+")


def cells(text: str) -> int:
    """How many terminal cells `text` takes (wide and full-width characters take two): Rich's
    measure, as the printed tables use (imported only when help is printed)."""
    from rich.cells import cell_len

    return cell_len(text)


def wrap(text: str, width: int) -> list[str]:
    """`text` (one paragraph) in lines of at most `width` cells, broken between words or
    between wide characters."""
    lines, line = [], ""
    for piece in _pieces().findall(" ".join(text.split())):
        if line and cells(line + piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    return [*lines, line.rstrip()] if line.strip() else lines


class CellWidth:
    """Mixed into argparse's formatters (see `formatter`)."""

    def format_help(self) -> str:
        # argparse ends a section's heading with an ASCII colon; after a Chinese heading the
        # full-width one, as "用法：" has.
        text = super().format_help()  # type: ignore[misc]
        if text.isascii():  # argparse formats a sub-command's prog this way on every start
            return text
        return re.sub(rf"(?m)^(\S[^\n]*[{_WIDE}]):$", "\\1：", text)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        words = argparse._("usage: ") if prefix is None else prefix  # type: ignore[attr-defined]
        # What the wide characters of "用法：" add (argparse formats the usage while the parser
        # is built, so an English start must not pay for measuring).
        extra = 0 if words.isascii() else cells(words) - len(words)
        if not extra:
            return super()._format_usage(usage, actions, groups, prefix)  # type: ignore[misc]
        self._width -= extra  # type: ignore[attr-defined]  # lines laid out for the cells they take
        try:
            text = super()._format_usage(usage, actions, groups, prefix)  # type: ignore[misc]
        finally:
            self._width += extra  # type: ignore[attr-defined]
        return re.sub(r"\n( +)(?=\S)", lambda found: "\n" + found.group(1) + " " * extra, text)


def formatter(base: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    """`base` laid out by cells (a raw formatter keeps its own line breaks)."""
    if issubclass(base, argparse.RawDescriptionHelpFormatter):
        return type(f"CellWidth{base.__name__}", (_RawCellWidth, base), {})
    return type(f"CellWidth{base.__name__}", (CellWidth, base), {})


class _RawCellWidth(CellWidth):
    """Keeps the text's own lines, as argparse's raw formatter does: examples and tables
    (indented lines) are never touched, so a command shown is a command that can be pasted.
    Only a paragraph (an unindented line) too wide for the terminal is wrapped: a
    translation may hold a paragraph on one line."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            if line[:1].isspace() or cells(indent + line) <= width:
                lines.append(indent + line)
            else:
                lines += [indent + part for part in wrap(line, max(20, width - cells(indent)))]
        return "\n".join(lines)
