"""The argument parser of every command: usage errors in one line (with a suggestion where
one helps) and exit 64, help laid out by terminal cells, argparse's own help headings in the
interface's language.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..i18n import N_, _
from .exits import EXIT_USAGE
from .help_format import formatter


# argparse's own words for its help: it looks them up with its `_`, which build_parser points
# at ours for these (and only these: its error messages stay English for `usage_problem`).
ARGPARSE_WORDS = (N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"))


class Parser(argparse.ArgumentParser):
    """Usage errors are one line, with a suggestion where there is one, and exit 64
    (argparse exits 2, which means 'ambiguous' here). Help is laid out by terminal cells."""

    def __init__(self, *args: Any, formatter_class: type[argparse.HelpFormatter] = argparse.HelpFormatter,
                 **kwargs: Any) -> None:
        super().__init__(*args, formatter_class=formatter(formatter_class), **kwargs)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        """As argparse's, but a flag the command does not know is that command's mistake: its
        message points at `scnet-images COMMAND --help`, not the top-level help."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            commands = getattr(self, "commands", None)
            command = getattr(parsed, "command", None)
            where = commands.choices.get(command, self) if commands is not None and command else self
            where.error(f"unrecognized arguments: {' '.join(extras)}")  # argparse's words: see usage_problem
        return parsed

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, _("{prog}: {problem} (see `{prog} --help`)").format(
            prog=self.prog, problem=usage_problem(message)) + "\n")


def usage_problem(message: str) -> str:
    """argparse's (English) complaint in fewer words, in the interface's language: `did you
    mean`, or an example, where one helps. A complaint of another shape is passed on as is."""
    import re

    named = re.fullmatch(r"argument (\S+): (.*)", message, re.DOTALL)
    argument, problem = (named.group(1), named.group(2)) if named else ("", message)
    wrong = re.fullmatch(r"invalid choice: ('[^']*'|\"[^\"]*\") \(choose from (.*)\)", problem, re.DOTALL)
    if wrong:
        return _invalid_choice(argument, wrong.group(1)[1:-1], re.findall(r"'([^']*)'", wrong.group(2)))
    required = re.fullmatch(r"the following arguments are required: (.*)", message, re.DOTALL)
    if required:
        if required.group(1).split(", ")[0] == "TERM":
            return _("give search terms or an exact name:tag, e.g. vllm 0.9.2 dtk25.04.2")
        return _("the following arguments are required: {arguments}").format(arguments=required.group(1))
    shapes = (
        (r"unrecognized arguments: (?P<arguments>.*)", N_("unrecognized arguments: {arguments}")),
        (r"one of the arguments (?P<arguments>.*) is required", N_("one of the arguments {arguments} is required")),
        (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)",
         N_("ambiguous option: {option} could match {matches}")),
    )
    argument_shapes = (
        (r"expected one argument", N_("argument {argument}: expected one argument")),
        (r"expected (?P<count>\d+) arguments?", N_("argument {argument}: expected {count} arguments")),
        (r"ignored explicit argument (?P<value>.*)", N_("argument {argument}: takes no value, not {value}")),
        (r"expected at least one argument", N_("argument {argument}: expected at least one argument")),
        (r"expected at most one argument", N_("argument {argument}: expected at most one argument")),
        (r"invalid (?P<type>\S+) value: (?P<value>.*)", N_("argument {argument}: invalid {type} value: {value}")),
        (r"not allowed with argument (?P<other>.*)", N_("argument {argument}: not allowed with argument {other}")),
        (r"can't open (?P<filename>'.*'|\".*\"): (?P<error>.*)", N_("argument {argument}: can't open {filename}: {error}")),
    )
    for pattern, sentence in argument_shapes if named else shapes:
        found = re.fullmatch(pattern, problem, re.DOTALL)
        if found:
            return _(sentence).format(argument=argument, **found.groupdict())
    if named:  # our own complaint (a type's ArgumentTypeError), already in the interface's language
        return _("argument {argument}: {problem}").format(argument=argument, problem=problem)
    return message


def _invalid_choice(argument: str, value: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, choices, n=1)
    if argument == "COMMAND":
        if close:
            return _("no command {value}; did you mean {suggestion}?").format(value=repr(value), suggestion=repr(close[0]))
        return _("unknown command {value}; the commands are: {choices}").format(value=repr(value),
                                                                               choices=", ".join(choices))
    if close:
        return _("{argument}: no {value}; did you mean {suggestion}?").format(
            argument=argument, value=repr(value), suggestion=repr(close[0]))
    return _("{argument}: no {value}; one of {choices}").format(
        argument=argument, value=repr(value), choices=", ".join(choices))


def argparse_words(text: str) -> str:
    """argparse's `_`: its help headings in the interface's language, the rest as they are."""
    return _(text) if text in ARGPARSE_WORDS else text
