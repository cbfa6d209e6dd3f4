"""`scnet-images`: argument parsing and the sub-commands.

Textual is imported only when the browser is started: `list`, `path` and
`demo-server` stay quick enough for scripts.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, Sequence, TextIO

from .api.errors import ScnetError

# Kept in step with tui.api.auth (not imported here: `--help` should not load httpx).
DEFAULT_AC_URL = "https://www.scnet.cn"
DEFAULT_AUTH_URL = "https://api.scnet.cn"

if TYPE_CHECKING:
    from .api.models import Image, ImageList

EXIT_OK = 0
EXIT_NO_MATCH = 1
EXIT_AMBIGUOUS = 2
EXIT_MALFORMED = 6  # as MalformedResponse.exit_code
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """\
exit codes:
  0   success
  1   path: no image matches
  2   path: several images match equally well (candidates on stderr)
  3   the token or the login was refused (expired, frozen, wrong password)
  4   network or TLS failure (unreachable, timeout, certificate)
  5   API error (an error code or HTTP status from the server)
  6   malformed response (not JSON, not the documented shape)
  7   configuration error
  64  usage error
"""

CONNECTION_HELP = """\
connection (flags > environment > config file):
  `scnet-images login` stores a profile per region in the config file.
  SCNET_BASE_URL, SCNET_TOKEN, SCNET_PROFILE, SCNET_IMAGE_API, SCNET_CONFIG (config file path).
  With none of them set and no config file, the embedded demo API is used.
"""


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors; 2 means 'ambiguous' here, so use 64."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_connection_options(parser: argparse.ArgumentParser, default: Any) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument("--base-url", default=default, help="the region's AI address (or SCNET_BASE_URL)")
    group.add_argument(
        "--token",
        default=default,
        help="API token; prefer SCNET_TOKEN or the config file, which stay out of shell history",
    )
    group.add_argument("--profile", default=default, help="a profile of the config file (or SCNET_PROFILE)")
    group.add_argument("--ca-bundle", default=default, help="PEM file of CAs to trust for TLS")
    group.add_argument(
        "--insecure", action="store_true", default=default, help="do not verify TLS certificates (knowingly)"
    )
    group.add_argument("--timeout", type=float, default=default, help="read timeout in seconds (default 30)")
    group.add_argument(
        "--image-api",
        choices=("auto", "get", "post"),
        default=default,
        help="which image-list call: the documented GET, the paginated POST, or auto (the default)",
    )


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
    _add_connection_options(parser, None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    browse = commands.add_parser(
        "browse",
        help="open the browser (the default)",
        description="Open the interactive image browser.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=CONNECTION_HELP,
    )
    _add_connection_options(browse, argparse.SUPPRESS)

    listing = commands.add_parser(
        "list",
        help="print the catalog, filtered",
        description="Print the image catalog, filtered like the browser filters it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  scnet-images list --accelerator dcu --image-type Base\n"
            "  scnet-images list --search 'pytorch dtk24.04' --sort created --desc\n"
            "  scnet-images list --format json | jq '.[].path'\n"
            "  scnet-images list --format paths --search vllm\n\n" + EXIT_CODES_HELP
        ),
    )
    _add_filter_options(listing)
    listing.add_argument("-s", "--search", default="", help="space-separated terms, all must match")
    listing.add_argument(
        "--sort",
        default="",
        metavar="FIELD",
        help="name, tag, accelerator, type, access, preset, created, user, version or path; "
        "--sort=-FIELD sorts descending",
    )
    listing.add_argument("--desc", action="store_true", help="sort descending")
    listing.add_argument(
        "-f",
        "--format",
        choices=("table", "json", "csv", "paths"),
        default=None,
        help="output format (default: table on a terminal, paths otherwise)",
    )
    _add_connection_options(listing, argparse.SUPPRESS)

    path = commands.add_parser(
        "path",
        help="print the path of the best matching image",
        description=(
            "Print the path of the single best matching image. An exact version (name:tag) "
            "or path wins; otherwise every term must match, and terms that match a whole "
            "word of the tag (dtk24.04, not dtk24.04.1) rank higher."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  scnet-images path pytorch 2.1.0 ubuntu20.04 dtk24.04.1\n"
            "  docker pull $(scnet-images path vllm 0.9.2)\n"
            "  scnet-images path --all jax\n\n" + EXIT_CODES_HELP
        ),
    )
    path.add_argument("terms", nargs="+", metavar="TERM", help="search terms, or an exact name:tag or path")
    _add_filter_options(path)
    path.add_argument("--all", action="store_true", help="print every match, one a line")
    path.add_argument("--copy", action="store_true", help="also copy the path to the clipboard")
    _add_connection_options(path, argparse.SUPPRESS)

    login = commands.add_parser(
        "login",
        help="log in and store a profile per region",
        description=(
            "Log in to SCNet with your password (asked for, hidden) or an access key, look up "
            "each region's AI address, and store one profile per region in the config file "
            "(mode 600). The password and secret key are never stored."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  scnet-images login                                  asks for user, org id, password\n"
            "  scnet-images login --user alice --org-id 6048ce7b   asks for the password only\n"
            "  pass show scnet | scnet-images login --user alice --org-id 6048ce7b --password-stdin\n"
            "  SCNET_SECRET_KEY=... scnet-images login --user alice --access-key AK\n"
            "  scnet-images login --ac-url http://127.0.0.1:8765   against `scnet-images demo-server`\n\n"
            + EXIT_CODES_HELP
        ),
    )
    login.add_argument("--user", default=None, help="SCNet user name (asked for when missing)")
    login.add_argument("--org-id", default=None, help="organisation id, for the password login (asked for when missing)")
    way = login.add_mutually_exclusive_group()
    way.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (for scripts)"
    )
    way.add_argument(
        "--access-key",
        default=None,
        metavar="KEY",
        help="log in with this access key; the secret key comes from SCNET_SECRET_KEY or a prompt",
    )
    login.add_argument("--region", default=None, help="the default region: its id or a part of its name")
    login.add_argument(
        "--ac-url", default=None, help=f"the platform host (default {DEFAULT_AC_URL}, or SCNET_AC_URL)"
    )
    login.add_argument(
        "--auth-url",
        default=None,
        help=f"the access-key login host (default {DEFAULT_AUTH_URL}; the --ac-url when that is given)",
    )
    # SUPPRESS: given before the command (`scnet-images --insecure login`), they still count.
    login.add_argument("--ca-bundle", default=argparse.SUPPRESS, help="PEM file of CAs to trust for TLS")
    login.add_argument(
        "--insecure", action="store_true", default=argparse.SUPPRESS, help="do not verify TLS certificates (knowingly)"
    )
    login.add_argument("--timeout", type=float, default=argparse.SUPPRESS, help="read timeout in seconds (default 30)")
    login.add_argument(
        "--image-api",
        choices=("auto", "get", "post"),
        default=argparse.SUPPRESS,
        help="image-list call for the new profiles",
    )

    commands.add_parser(
        "profiles",
        help="list the stored profiles (tokens masked)",
        description="List the profiles of the config file: region, host, user, masked token, time left.",
    )
    logout = commands.add_parser(
        "logout",
        help="remove stored tokens",
        description="Remove the stored token of the named profiles, or of every profile.",
    )
    logout.add_argument("names", nargs="*", metavar="PROFILE", help="profiles to log out (default: all)")

    demo = commands.add_parser(
        "demo-server",
        help="run the embedded SCNet-compatible demo API",
        description="Run the demo API standalone, for curl and other tools.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  scnet-images demo-server --port 8765\n"
            "  scnet-images demo-server --images 100000 --fault latency:0.5\n"
            "  scnet-images demo-server --fault status:502x2   # two 502s, then answers\n\n"
            "faults: latency:SECONDS, status:HTTP_STATUS, code:API_CODE,\n"
            "        malformed:(html|not-json|array|data-string|no-code|empty); add xN for N times\n"
        ),
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    demo.add_argument("--token", default=None, help="the token clients must send (default scnet-demo-token)")
    demo.add_argument("--images", type=int, default=None, help="serve N synthetic images instead of the demo catalog")
    demo.add_argument(
        "--shape", choices=("list", "object", "null", "wrapped"), default="list", help="shape of `data`"
    )
    demo.add_argument("--fault", action="append", default=[], metavar="SPEC", help="inject a fault (repeatable)")
    demo.add_argument(
        "--token-lifetime",
        type=float,
        default=24 * 3600,
        metavar="SECONDS",
        help="lifetime of the tokens its login calls issue (default a day; short to try renewal)",
    )
    return parser


def _add_filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-a", "--accelerator", default=None, help="server-side filter: dcu, gpu, cpu")
    parser.add_argument("-t", "--image-type", default=None, help="server-side filter: Base, JupyterLab")


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
    command = args.command or "browse"
    try:
        if command == "demo-server":
            return run_demo_server(args)
        if command == "browse":
            return run_browser(args)
        if command in ("login", "profiles", "logout"):
            from .login import run_account_command

            return run_account_command(command, args)
        return run_lookup(command, args)
    except ScnetError as error:
        print(f"scnet-images: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (head, grep -m1) went away: not an error of ours. Silence the final flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        print(f"scnet-images: unexpected error: {type(exc).__name__}: {exc} — please report it", file=sys.stderr)
        return 1


def _settings(args: argparse.Namespace) -> Any:
    from .config import load_settings

    settings = load_settings(
        base_url=args.base_url,
        token=args.token,
        profile=args.profile,
        ca_bundle=args.ca_bundle,
        insecure=args.insecure or None,
        timeout=args.timeout,
        image_api=args.image_api,
    )
    for warning in settings.warnings:
        print(f"scnet-images: warning: {warning}", file=sys.stderr)
    expiry = expiry_warning(settings)
    if expiry:
        print(f"scnet-images: warning: {expiry}", file=sys.stderr)
    return settings


def expiry_warning(settings: Any, now: Any = None) -> str | None:
    """A sentence when the token is about to expire (or has) and cannot be renewed here."""
    if settings.demo or settings.ac_url:
        return None  # demo tokens do not expire; a login profile renews its own
    from datetime import datetime, timezone

    from .api.token import EXPIRY_WARNING_SECONDS, describe_expiry, read_claims

    claims = read_claims(settings.token)
    left = claims.seconds_left(now or datetime.now(timezone.utc)) if claims else None
    if left is None or left >= EXPIRY_WARNING_SECONDS:
        return None
    return f"the token {describe_expiry(left)}; run `scnet-images login` or set a fresh token"


def run_browser(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from .app import ScnetImagesApp

    ScnetImagesApp(settings).run()
    return EXIT_OK


def _fetch(args: argparse.Namespace) -> ImageList:
    from .connection import DEMO_HINT, open_connection

    connection = open_connection(_settings(args))
    if connection.demo:
        print(f"scnet-images: note: {DEMO_HINT}", file=sys.stderr)

    progress = _progress_on_stderr() if sys.stderr.isatty() else None
    try:
        with connection.sync_client() as client:
            return client.list_images(args.accelerator, args.image_type, progress=progress)
    finally:
        if progress is not None:
            sys.stderr.write("\r\x1b[K")
        for notice in connection.notices:
            print(f"scnet-images: note: {notice}", file=sys.stderr)
        connection.close()


def _progress_on_stderr() -> Any:
    def show(received: int, expected: int | None) -> None:
        of = f" of {expected:,}" if expected else ""
        sys.stderr.write(f"\rscnet-images: received {received:,}{of} images…\x1b[K")
        sys.stderr.flush()

    return show


def run_lookup(command: str, args: argparse.Namespace) -> int:
    result = _fetch(args)
    if result.skipped:
        print(f"scnet-images: warning: skipped {result.skipped} unusable item(s) in the response", file=sys.stderr)
    if result.missing:
        print(
            f"scnet-images: warning: the server announced {result.missing} more image(s) than its pages held; "
            "the list may be incomplete",
            file=sys.stderr,
        )
    if command == "list":
        return print_list(result.images, args, sys.stdout)
    return print_path(result.images, args, sys.stdout)


# --- list -------------------------------------------------------------------

TABLE_HEADERS = ("NAME", "TAG", "ACCEL", "TYPE", "ACCESS", "PRESET", "CREATED", "USER")


def print_list(images: Sequence[Image], args: argparse.Namespace, out: TextIO) -> int:
    from .catalog import filter_images, sort_images

    chosen = filter_images(images, args.search)
    if args.sort:
        field = args.sort.lstrip("-")
        try:
            chosen = sort_images(chosen, field, descending=args.sort.startswith("-") or args.desc)
        except ValueError as exc:
            print(f"scnet-images: {exc}", file=sys.stderr)
            return EXIT_USAGE
    tty = out.isatty()
    fmt = args.format or ("table" if tty else "paths")
    if fmt == "json":
        import json

        json.dump([image.to_api_dict() for image in chosen], out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "csv":
        import csv

        from .api.models import DOCUMENTED_FIELDS

        writer = csv.writer(out)
        writer.writerow(DOCUMENTED_FIELDS)
        for image in chosen:
            row = image.to_api_dict()
            writer.writerow(["" if row[key] is None else row[key] for key in DOCUMENTED_FIELDS])
    elif fmt == "paths":
        from .safe_text import printable

        for image in chosen:
            out.write(printable(image.path or image.version) + "\n")
    else:
        _print_table(chosen, out, colour=tty and not os.environ.get("NO_COLOR"))
    return EXIT_OK


def aligned_lines(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The header line and one line per row, columns padded to their widest cell (in
    terminal cells: a Chinese character takes two) and two spaces apart."""
    from rich.cells import cell_len

    widths = [max([cell_len(h)] + [cell_len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    return [
        "  ".join(cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths)).rstrip()
        for cells in [headers, *rows]
    ]


def _print_table(images: Sequence[Image], out: TextIO, colour: bool) -> None:
    from .catalog import cell_values

    rows = [cell_values(image) for image in images]
    header, *lines = aligned_lines(TABLE_HEADERS, rows)
    out.write((f"\x1b[1m{header}\x1b[0m" if colour else header) + "\n")
    for line in lines:
        out.write(line + "\n")
    if not rows:
        print("scnet-images: no images match", file=sys.stderr)


# --- path -------------------------------------------------------------------


def print_path(images: Sequence[Image], args: argparse.Namespace, out: TextIO) -> int:
    from .catalog import find_path_match
    from .clipboard import refusal
    from .safe_text import printable

    match = find_path_match(images, args.terms)
    if match.kind == "none":
        print(f"scnet-images: no image matches {' '.join(args.terms)!r}", file=sys.stderr)
        return EXIT_NO_MATCH
    if args.all:
        for image in match.candidates:
            out.write(printable(image.path or image.version) + "\n")
        return EXIT_OK
    if match.kind == "ambiguous":
        print(
            f"scnet-images: {len(match.images)} images match {' '.join(args.terms)!r} equally well; "
            "add a term, give the exact name:tag, or use --all:",
            file=sys.stderr,
        )
        for image in match.images[:20]:
            print(f"  {printable(image.path or image.version)}", file=sys.stderr)
        if len(match.images) > 20:
            print(f"  … and {len(match.images) - 20} more", file=sys.stderr)
        return EXIT_AMBIGUOUS
    image = match.images[0]
    path = image.path or image.version
    reason = refusal(path)
    if reason:
        print(f"scnet-images: refusing to print this path: {reason}", file=sys.stderr)
        return EXIT_MALFORMED
    out.write(path + "\n")
    out.flush()
    if args.copy:
        _copy_for_shell(path)
    return EXIT_OK


def _copy_for_shell(text: str) -> None:
    from .clipboard import copy_with_pyperclip, osc52_possible, osc52_sequence

    if copy_with_pyperclip(text):
        print("scnet-images: copied to the system clipboard", file=sys.stderr)
        return
    sequence = osc52_sequence(text) if osc52_possible() else None
    if sequence and sys.stderr.isatty():
        sys.stderr.write(sequence)
        sys.stderr.flush()
        print("scnet-images: copied through the terminal (OSC 52)", file=sys.stderr)
        return
    print("scnet-images: warning: no clipboard here (no pyperclip mechanism, no terminal); path printed only", file=sys.stderr)


# --- demo-server --------------------------------------------------------------


def run_demo_server(args: argparse.Namespace) -> int:
    from .demo.catalog import synthetic_catalog
    from .demo.server import DEMO_TOKEN, DemoServer, Fault

    try:
        faults = [Fault.parse(spec) for spec in args.fault]
    except ValueError as exc:
        print(f"scnet-images: bad --fault: {exc}", file=sys.stderr)
        return EXIT_USAGE
    images = synthetic_catalog(args.images) if args.images is not None else None
    token = args.token or DEMO_TOKEN
    try:
        server = DemoServer(
            images, token=token, host=args.host, port=args.port, shape=args.shape, token_lifetime=args.token_lifetime
        )
    except OSError as exc:
        print(f"scnet-images: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 4
    for fault in faults:
        server.inject(fault.kind, fault.value, fault.times)
    url = server.base_url + "/ai/openapi/v2/instance-service/images"
    print(f"SCNet demo API on {server.base_url}  ({len(server.images)} images)", flush=True)
    print(f"  token: {token}")
    print("  try:")
    print(f"    curl --location --request GET '{url}' \\")
    print(f"      --header 'token: {token}' --header 'Content-Type: application/json' \\")
    print("      --data '{\"acceleratorType\": \"dcu\", \"imageType\": \"Base\"}'")
    print(f"    SCNET_BASE_URL={server.base_url} SCNET_TOKEN={token} scnet-images")
    print("  log in to its regions (user demo, org id demo-org, password demo-password;")
    print("  or access key demo-access-key with SCNET_SECRET_KEY=demo-secret-key):")
    print(f"    scnet-images login --ac-url {server.base_url}")
    print("  Ctrl-C stops it.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK
