"""Command lines we build for a user to paste into a POSIX shell (a `docker pull`, an ssh).

Every word is quoted (`shlex.quote`), so `$(…)`, backticks, `;` or `*` in a value are
text, not commands. What no quoting makes safe is refused with the reason: a line
break or any control or invisible character would still act when pasted.
"""

from __future__ import annotations

import shlex
from typing import NamedTuple

from .i18n import _
from .image_ref import reference_problem
from .safe_text import has_control_chars


class CommandLine(NamedTuple):
    """A command line, or why there is none (`text` is "" then)."""

    text: str
    problem: str = ""


def command_line(*words: str) -> CommandLine:
    """The words quoted for a POSIX shell and joined, or the reason they cannot be."""
    for word in words:
        if has_control_chars(word):
            return CommandLine("", _("a value holds control or invisible characters, which no quoting makes safe to paste"))
    return CommandLine(" ".join(shlex.quote(word) for word in words))


def docker_pull(path: str) -> CommandLine:
    """`docker pull PATH` for an image path that is a valid reference."""
    problem = reference_problem(path)
    if problem:
        return CommandLine("", _("the path is not a valid image reference: {problem}").format(problem=problem))
    return command_line("docker", "pull", path)
