"""`scnet-images`: the entry point. Parse, dispatch to a command, turn failures into exit codes.

Each sub-command lives in `tui/commands/` and registers its own arguments; Textual
is imported only when the browser starts, so `list`, `path` and the others stay
quick enough for scripts.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from . import __version__
from .api.errors import ScnetError
from .commands import COMMANDS, browse
from .commands.completion import complete
from .commands.connect import CONNECTION_HELP, add_connection_options
from .commands.exits import EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from .commands.output import say


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line, with a suggestion where there is one, and exit 64
    (argparse exits 2, which means 'ambiguous' here)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {usage_problem(message)} (see `{self.prog} --help`)\n")


def usage_problem(message: str) -> str:
    """argparse's complaint in fewer words: `did you mean`, or an example, where one helps."""
    import difflib
    import re

    wrong = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if wrong:
        choices = re.findall(r"'([^']*)'", wrong.group(2))
        close = difflib.get_close_matches(wrong.group(1), choices, n=1)
        what = message.split(":", 1)[0].replace("argument ", "")
        what = "command" if what == "COMMAND" else what
        if close:
            return f"no {what} {wrong.group(1)!r}; did you mean {close[0]!r}?" if what == "command" else (
                f"{what}: no {wrong.group(1)!r}; did you mean {close[0]!r}?")
        return f"{what}: no {wrong.group(1)!r}; one of {', '.join(choices)}"
    if "the following arguments are required: TERM" in message:
        return "give search terms or an exact name:tag, e.g. vllm 0.9.2 dtk25.04.2"
    return message


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scnet-images",
        description="Browse the SCNet AI platform's container images, or look one up from the shell.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  scnet-images                                    open the browser\n"
            "  scnet-images path pytorch 2.1.0 dtk24.04.1      print one image path\n"
            "  scnet-images list -a dcu --search vllm          list matching images\n"
            "  scnet-images run --yes vllm 0.9.2 dtk25.04.2    launch a container from an image\n"
            "  scnet-images login                              connect your SCNet account\n\n"
            + CONNECTION_HELP
            + "\n"
            + EXIT_CODES_HELP
        ),
    )
    parser.add_argument("-V", "--version", action="version", version=f"scnet-images {__version__}")
    add_connection_options(parser, None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(commands)
    helping = commands.add_parser("help", help="the help of a command (scnet-images help list)",
                                  description="Print the help of a command, or of scnet-images.")
    helping.add_argument("topic", nargs="?", metavar="COMMAND", choices=sorted(commands.choices))
    helping.set_defaults(run=lambda args: _print_help(parser, commands, args.topic))
    return parser


def _print_help(parser: argparse.ArgumentParser, commands: argparse._SubParsersAction, topic: str | None) -> int:
    (commands.choices[topic] if topic else parser).print_help()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit code."""
    return run_command(build_parser().parse_args(argv))


def entry() -> None:
    """The console script. After a shell command, skip the interpreter's teardown."""
    parser = build_parser()
    complete(parser)  # a <TAB> from the shell: answered, and the process ends there
    args = parser.parse_args()
    code = run_command(args)
    if (args.command or "browse") != "browse":
        # Tearing down httpx's modules costs ~10 ms, a tenth of a lookup, and nothing of
        # ours needs it: output is flushed and the connection closed by now.
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, OSError):
            pass
        os._exit(code)
    raise SystemExit(code)


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command (the browser when none was given); returns the exit code."""
    run = getattr(args, "run", None) or browse.run
    try:
        return run(args)
    except ScnetError as error:
        say(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (head, grep -m1) went away: not an error of ours. Silence the final flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        say(f"unexpected error: {type(exc).__name__}: {exc} — please report it")
        return 1
