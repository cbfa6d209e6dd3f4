"""`scnet-images serve`: the browser served as a web page, one app process per browser tab.

textual-serve (the optional `web` extra) runs `scnet-images browse` for each tab and
streams its screen over a websocket. Every visitor acts with the account of whoever runs
the server, so the embedded demo API is served unless `--profile NAME` is given. The
token stays in the config file: the per-tab process reads it itself, so it is on no
command line, in no environment the tab inherits and never in the page. textual_serve
and aiohttp are imported only when the command runs: the CLI imports this module at
every start.
"""

from __future__ import annotations

import argparse
from typing import Any

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
        "--profile", default=argparse.SUPPRESS,
        help=_("serve this stored profile's account instead of the demo API (every visitor uses it)"),
    )
    serve.set_defaults(run=run)


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
    shown = public_url or _url(address, port)
    loopback = _is_loopback(address)
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
    if not loopback and _is_wildcard(address):
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
        _serve(command, sock, public_url, _allowed_hosts(address, port, public_url, loopback), announce)
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
    return f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"


def _allowed_hosts(address: str, port: int, public_url: str, loopback: bool) -> frozenset[str] | None:
    """The Host headers the page answers (None: any). On loopback only loopback names, so a web
    site that points its own name at 127.0.0.1 (DNS rebinding) cannot drive the page."""
    from urllib.parse import urlsplit

    hosts = {urlsplit(public_url).netloc.lower()} if public_url else set()
    if loopback:
        return frozenset(hosts | {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}",
                                  _url(address, port).split("//", 1)[1]})
    return frozenset(hosts) if public_url and not _is_wildcard(address) else None


def _serve(command: str, sock: Any, public_url: str, allowed: frozenset[str] | None, announce: str) -> None:
    """Run textual-serve on `sock` until Ctrl-C or SIGTERM; `announce` is printed once it answers."""
    import asyncio
    import signal
    from urllib.parse import urlsplit

    from aiohttp import web
    from textual_serve.server import Server

    public_origin = "{0.scheme}://{0.netloc}".format(urlsplit(public_url)).lower() if public_url else ""

    @web.middleware
    async def same_origin(request: web.Request, handler: Any) -> web.StreamResponse:
        # Browsers let any site open a websocket to any address, this one included: only a
        # page this server gave out (its own origin) may drive an app, or the account behind it.
        host = request.host.lower()
        if allowed is not None and host not in allowed:
            raise web.HTTPForbidden(text="unknown host\n")
        origin = request.headers.get("Origin", "")
        # http or https: behind a TLS proxy this server sees http where the page had https.
        if request.path == "/ws" and origin.lower() not in {f"http://{host}", f"https://{host}", public_origin} - {""}:
            raise web.HTTPForbidden(text="the page must come from this server\n")
        return await handler(request)

    class PageServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(same_origin)
            return app

        async def on_startup(self, app: web.Application) -> None:
            # Our line, not textual-serve's banner (which names the command): the address to open.
            print(announce, flush=True)

        async def handle_index(self, request: web.Request) -> Any:
            # The page's websocket and static addresses are the one the visitor used (its
            # Host passed the check above), unless --public-url says otherwise. No await
            # comes between setting it and the page reading it.
            self.public_url = public_url or f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

    server = PageServer(command, title="scnet-images", public_url=public_url or "http://127.0.0.1")
    server.initialize_logging()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, server.request_exit)
    # A short grace: open tabs are then closed (each app told to quit), not waited on for a minute.
    web.run_app(server._make_app(), sock=sock, handle_signals=False, loop=loop, print=None, shutdown_timeout=2.0)
