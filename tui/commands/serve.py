"""`scnet-images serve`: the browser served as a web page, one app process per browser tab.

textual-serve (the optional `web` extra) runs `scnet-images browse` for each tab and
streams its screen over a websocket. Every visitor acts with the account of whoever runs
the server, so the embedded demo API is served unless `--profile NAME` is given. The
token stays in the config file: the per-tab process reads it itself, so it is on no
command line, in no environment the tab inherits and never in the page. What visitors
may take is bounded: tabs open at once, tabs left idle, the terminal size a page asks for;
the page answers only to the names it is given and loads nothing from another site.
textual_serve and aiohttp are imported only when the command runs: the CLI imports this
module at every start.
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

from ..i18n import N_, _
from .exits import EXIT_NETWORK, EXIT_OK, EXIT_USAGE
from .output import safe_line, say, warn

INSTALL_HINT = N_("serving a web page needs the web extra: pip install 'scnet-images[web]'")
# Variables that would point a tab somewhere else than the profile named (or the demo).
_OVERRIDES = ("SCNET_BASE_URL", "SCNET_TOKEN", "SCNET_PROFILE", "SCNET_IMAGE_API")


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help=_("serve the browser as a web page (the demo catalog unless --profile)"),
        description=_(
            "Serve the browser as a web page: each browser tab runs its own app.\n"
            "The embedded demo API is served unless --profile names a stored profile,\n"
            "whose account every visitor of the page then uses."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(
            "examples:\n"
            "  scnet-images serve                              the demo on http://127.0.0.1:8000\n"
            "  scnet-images serve --port 0                     any free port\n"
            "  scnet-images serve --profile alice-11250        your account (a warning says what that means)\n"
            "  scnet-images serve --host 0.0.0.0 --allow-host 192.168.1.20\n"
            "  scnet-images serve --host 0.0.0.0 --public-url https://demo.example.com\n\n"
            "needs the web extra: pip install 'scnet-images[web]'\n"
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1, this machine only)"))
    serve.add_argument("--port", type=int, default=8000, help=_("port (default 8000; 0: any free port)"))
    serve.add_argument(
        "--public-url", metavar="URL", default=None,
        help=_("the address visitors use, when it is not the one listened on (a proxy, https)"),
    )
    serve.add_argument(
        "--allow-host", metavar="HOST[:PORT]", action="append", type=_allow_host_flag, default=[],
        help=_("also answer to this name or address, as visitors type it (repeatable; loopback names "
               "and --public-url's host always are)"),
    )
    serve.add_argument(
        "--max-sessions", metavar="N", type=_sessions_flag, default=8,
        help=_("browser tabs open at once, each an app process (default 8); one more is told to try again later"),
    )
    serve.add_argument(
        "--idle-minutes", metavar="MINUTES", type=_minutes_flag, default=30.0,
        help=_("close a tab after this many minutes without input from it (default 30)"),
    )
    serve.add_argument(
        "--profile", default=argparse.SUPPRESS,
        help=_("serve this stored profile's account instead of the demo API (every visitor uses it)"),
    )
    serve.set_defaults(run=run)


def _sessions_flag(text: str) -> int:
    """An argparse type: a whole number of tabs, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(_("{value}: give a whole number of tabs, at least 1").format(value=repr(text)))
    return value


def _minutes_flag(text: str) -> float:
    """An argparse type: minutes above 0 (a fraction of one too)."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(_("{value}: give minutes above 0").format(value=repr(text)))
    return value


def _allow_host_flag(text: str) -> tuple[str, int | None]:
    """An argparse type: HOST[:PORT] as a Host header names it (lower case, an IPv6 address in
    brackets) and its port, None when not given."""
    import re
    from urllib.parse import urlsplit

    value = f"[{text}]" if text.count(":") > 1 and not text.startswith("[") else text
    try:
        parts = urlsplit("//" + value)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or not re.fullmatch(r"[a-z0-9._-]+|[0-9a-f:.]+", parts.hostname or "") or parts.path \
            or parts.query or parts.fragment or "@" in parts.netloc or (":" in parts.hostname) != value.startswith("["):
        raise argparse.ArgumentTypeError(_("{value} is not a host name or address (HOST or HOST:PORT)").format(
            value=repr(text)))
    return _bracketed(parts.hostname), port


def run(args: argparse.Namespace) -> int:
    if args.token or args.base_url:
        say(_("serve takes the connection from a stored profile (--profile NAME), never --token or --base-url"))
        return EXIT_USAGE
    public_url = _public_url(args.public_url)
    if public_url is None:
        say(_("--public-url must be an http:// or https:// address, not {value}").format(value=repr(args.public_url)))
        return EXIT_USAGE
    if not 0 <= args.port <= 65535:
        say(_("--port must be between 0 and 65535, not {port}").format(port=args.port))
        return EXIT_USAGE
    profile = args.profile or ""
    label = _check_profile(profile) if profile else ""
    try:
        import textual_serve.server  # noqa: F401  (aiohttp and jinja2 come with it)
    except ImportError:
        from ..api.errors import ConfigError

        raise ConfigError(_(INSTALL_HINT)) from None
    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        say(_("cannot listen on {host}:{port}: {problem}").format(host=args.host, port=args.port,
                                                                   problem=exc.strerror or exc))
        return EXIT_NETWORK
    import os
    import shutil
    import tempfile

    address, port = sock.getsockname()[:2]
    loopback, wildcard = _is_loopback(address), _is_wildcard(address)
    allowed = _allowed_hosts(address, port, public_url, args.allow_host)
    named = [f"http://{name}:{given or port}" for name, given in args.allow_host]
    # On every interface, the address printed is one a visitor may type: the first --allow-host.
    shown = public_url or (named[0] if wildcard and named else _url(address, port))
    command = _tab_command(args, profile)
    for name in _OVERRIDES:  # each tab inherits this process's environment
        os.environ.pop(name, None)
    # Tabs know they are served: the region switcher offers no other stored profile, and a
    # visitor's theme is not written into the owner's config file.
    os.environ["SCNET_SERVED"] = "1"
    private = None
    if not profile:
        # The demo tabs get an empty config of their own: the region switcher (`p`) lists the
        # config's profiles, and a visitor of the demo must not reach them.
        private = tempfile.mkdtemp(prefix="scnet-images-serve-")
        os.environ["SCNET_CONFIG"] = os.path.join(private, "config.toml")
    if profile:
        warn(_(
            "every visitor of {url} acts with your SCNet account: profile {profile} (the region switcher "
            "offers them no other stored profile). They see your images and can launch, "
            "stop and delete containers as you."
        ).format(url=shown, profile=profile))
    if wildcard and not public_url and not named:
        warn(_("listening on {address}, but the page answers only to this machine's loopback names (localhost, "
               "127.0.0.1, [::1]) until --allow-host names the address visitors type: this machine's name or "
               "IP address").format(address=address))
    elif wildcard:
        warn(_("listening on {address}, not only this machine: anyone who can reach {url} (every interface: use "
               "this machine's address) can open the page, and each tab runs a process of yours here").format(
                   address=address, url=shown))
    elif not loopback:
        warn(_("listening on {address}, not only this machine: anyone who can reach {url} "
               "can open the page, and each tab runs a process of yours here").format(address=address, url=shown))
    if label:
        # Translators: {label} names the region and profile served, e.g. "华东一区【昆山】 · profile alice-11250".
        announce = _("Serving {label} on {url}  (one app per browser tab; Ctrl-C stops it)").format(label=label, url=shown)
    else:
        announce = _("Serving the demo catalog on {url}  (one app per browser tab; Ctrl-C stops it)").format(url=shown)
    # The region's name came from the platform: escaped like any text a server chose.
    announce = safe_line(announce)
    try:
        from .serve_page import Limits, serve_page  # aiohttp and textual-serve: only now

        serve_page(command, sock, public_url, allowed, announce,
                   Limits(sessions=args.max_sessions, idle_seconds=args.idle_minutes * 60))
    finally:
        sock.close()
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)
    return EXIT_OK


def _check_profile(name: str) -> str:
    """What is served, in words; a profile that cannot be used is a ConfigError now, not in each tab."""
    import os

    from ..config import load_settings
    from .output import hide

    env = {key: value for key, value in os.environ.items() if key not in _OVERRIDES}
    settings = load_settings(profile=name, env=env)
    hide(settings.token)  # nothing here prints it; should anything quote it, it is masked
    for warning in settings.warnings:
        warn(warning)
    return " · ".join(part for part in (settings.region, _("profile {name}").format(name=name)) if part)


def _tab_command(args: argparse.Namespace, profile: str) -> str:
    """The shell command each tab runs: the profile's name and plain settings, never a secret."""
    import shlex
    import sys

    from .. import i18n

    # The language this command speaks (from --lang, SCNET_LANG, the owner's config or the
    # locale): a demo tab has a config of its own, so it is passed on.
    command = [sys.executable, "-m", "tui", "--lang", i18n.language(), "browse"]
    if not profile:
        return shlex.join([*command, "--demo"])
    command += ["--profile", profile]
    for flag, value in (("--image-api", args.image_api), ("--ca-bundle", args.ca_bundle),
                        ("--timeout", args.timeout), ("--deadline", args.deadline)):
        if value is not None:
            command += [flag, str(value)]
    if args.insecure:
        command.append("--insecure")
    return shlex.join(command)


def _public_url(text: str | None) -> str | None:
    """`text` without a trailing slash ("" when not given), or None when it is no http(s) URL."""
    if not text:
        return ""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return None
    return text.rstrip("/")


def _listen(host: str, port: int) -> Any:
    """A listening socket on `host`:`port` (0: any free port), bound before anything is printed."""
    import socket

    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    return socket.create_server(address[:2], family=family, backlog=128)


def _is_loopback(address: str) -> bool:
    import ipaddress

    return ipaddress.ip_address(address.split("%")[0]).is_loopback


def _is_wildcard(address: str) -> bool:
    import ipaddress

    return ipaddress.ip_address(address.split("%")[0]).is_unspecified


def _url(address: str, port: int) -> str:
    return f"http://{_bracketed(address)}:{port}"


def _bracketed(name: str) -> str:
    """A host as a URL or a Host header writes it: an IPv6 address in brackets."""
    return f"[{name}]" if ":" in name else name


def _allowed_hosts(address: str, port: int, public_url: str,
                   extra: Sequence[tuple[str, int | None]]) -> frozenset[str]:
    """The Host headers the page and its websocket answer, whatever interface a request came in
    on: this machine's loopback names, the address listened on, --public-url's host and each
    --allow-host (on the port listened on unless it names one). A web site that points its own
    name at this machine (DNS rebinding) is refused: its name is none of these."""
    from urllib.parse import urlsplit

    def spelled(name: str, port: int, default: int = 80) -> set[str]:
        # A browser leaves out the scheme's own port.
        return {f"{name}:{port}", name} if port == default else {f"{name}:{port}"}

    hosts: set[str] = set()
    for name, given in [("127.0.0.1", None), ("localhost", None), ("[::1]", None), (_bracketed(address), None),
                        *extra]:
        hosts |= spelled(name, given or port)
    if public_url:
        parts = urlsplit(public_url)
        default = 443 if parts.scheme == "https" else 80
        hosts |= spelled(_bracketed(parts.hostname or ""), parts.port or default, default)
    return frozenset(hosts)
