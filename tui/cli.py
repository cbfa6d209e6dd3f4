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

from .api.errors import ScnetError
from .commands import COMMANDS, browse
from .commands.connect import CONNECTION_HELP, add_connection_options
from .commands.exits import EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from .commands.output import say


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors; 2 means 'ambiguous' here, so use 64."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scnet-images",
        description="Browse the SCNet AI platform's container images, or look one up from the shell.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  scnet-images                                 open the browser\n"
            "  scnet-images path pytorch 2.1.0 dtk24.04.1   print one image path\n"
            "  scnet-images list -a dcu --search vllm      list matching images\n"
            "  scnet-images login                           connect your SCNet account\n\n"
            + CONNECTION_HELP
            + "\n"
            + EXIT_CODES_HELP
        ),
    )
    add_connection_options(parser, None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit code."""
    return run_command(build_parser().parse_args(argv))


def entry() -> None:
    """The console script. After a shell command, skip the interpreter's teardown."""
    args = build_parser().parse_args()
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
