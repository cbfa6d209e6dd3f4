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

from . import __version__, i18n
from .i18n import N_, _
from .api.errors import ScnetError
from .commands import COMMANDS, browse
from .commands.completion import complete
from .commands.connect import CONNECTION_HELP, add_connection_options
from .commands.catalogs import add_filter_options, misplaced_lookup_flag
from .commands.parser import Parser, argparse_words
from .commands.exits import EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from .commands.output import say


# The examples of the top --help: the commands stay as they are, the words after them are translated.
EXAMPLES_HELP = N_(
    "examples:\n"
    "  scnet-images                                    open the browser\n"
    "  scnet-images path pytorch 2.1.0 dtk24.04.1      print one image path\n"
    "  scnet-images list -a dcu --search vllm          list matching images\n"
    "  scnet-images run --yes vllm 0.9.2 dtk25.04.2    launch a container from an image\n"
    "  scnet-images login                              connect your SCNet account\n"
)


def build_parser() -> argparse.ArgumentParser:
    """The parser, in the current language (argparse's own headings included)."""
    argparse._ = argparse_words  # type: ignore[attr-defined]  # "usage:", "options": argparse looks them up here
    parser = Parser(
        prog="scnet-images",
        description=_("Browse the SCNet AI platform's container images, or look one up from the shell."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(EXAMPLES_HELP) + "\n" + _(CONNECTION_HELP) + "\n" + _(EXIT_CODES_HELP),
    )
    parser.add_argument("-V", "--version", action="version", version=f"scnet-images {__version__}",
                        help=_("show the program's version and exit"))
    # Taken out of the command line before parsing (`take_language`), so it works before or
    # after the command; declared here for --help and completion.
    parser.add_argument("--lang", metavar="LANG", choices=i18n.available(),
                        help=_("the interface's language: {languages} (else SCNET_LANG, the config's "
                               "`language`, the locale)").format(languages=i18n.join(i18n.available())))
    add_connection_options(parser, None)
    add_filter_options(parser.add_argument_group(_("lookup (list, path, where; -a and -t for run too)")), default=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parser.commands = commands  # type: ignore[attr-defined]  # for parse_args: whose mistake a flag is
    for command in COMMANDS:
        command.register(commands)
    helping = commands.add_parser("help", help=_("the help of a command (scnet-images help list)"),
                                  description=_("Print the help of a command, or of scnet-images."))
    helping.add_argument("topic", nargs="?", metavar="COMMAND", choices=sorted(commands.choices))
    helping.set_defaults(run=lambda args: _print_help(parser, commands, args.topic))
    return parser


def _print_help(parser: argparse.ArgumentParser, commands: argparse._SubParsersAction, topic: str | None) -> int:
    (commands.choices[topic] if topic else parser).print_help()
    return EXIT_OK


def take_language(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """`--lang X` (or `--lang=X`) wherever it is before `--`, and the command line without it."""
    rest, flag, index = [], None, 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            rest.extend(argv[index:])
            break
        if word == "--lang" and index + 1 < len(argv):
            flag, index = argv[index + 1], index + 2
            continue
        if word.startswith("--lang="):
            flag, index = word.split("=", 1)[1], index + 1
            continue
        rest.append(word)
        index += 1
    return flag, rest


def start_language(flag: str | None) -> int | None:
    """Speak the language the settings ask for (see `i18n.choose`); a bad `--lang` is a
    usage error (its exit code), a bad SCNET_LANG or config value a warning."""
    from .config import config_path, read_config_file

    try:
        configured = read_config_file(config_path()).get("language")
    except ScnetError:
        configured = None  # the command reports a broken config file itself
    problem = i18n.start(flag, os.environ, configured)
    if problem:
        say(problem)
    return EXIT_USAGE if flag is not None and i18n.match(flag) is None else None


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit code."""
    flag, argv = take_language(sys.argv[1:] if argv is None else argv)
    refused = start_language(flag)
    if refused is not None:
        return refused
    return run_command(parse(build_parser(), argv))


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """The parsed command line; a lookup flag given before a command that has no use for it
    is a usage error (exit 64), as it would be after it."""
    args = parser.parse_args(argv)
    misplaced = misplaced_lookup_flag(args)
    if misplaced:
        parser.error(misplaced)
    return args


def entry() -> None:
    """The console script. After a shell command, skip the interpreter's teardown."""
    flag, argv = take_language(sys.argv[1:])
    refused = start_language(flag)
    if refused is not None:
        raise SystemExit(refused)
    parser = build_parser()
    complete(parser)  # a <TAB> from the shell: answered, and the process ends there
    args = parse(parser, argv)
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
        say(_("unexpected error: {error}: {detail} — please report it").format(
            error=type(exc).__name__, detail=exc))
        return 1
