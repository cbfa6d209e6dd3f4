"""The page `scnet-images serve` serves: textual-serve's server, held to what a visitor may take.

Each browser tab runs an app process on this machine, so the page answers only the host
names it is given (`allowed`), its websocket only pages it gave out, at most
`Limits.sessions` tabs run at once (one more gets a "the demo is full" page and starts no
process), a tab whose page sent nothing for `Limits.idle_seconds` is closed, and the terminal
a page asks for is clamped. The page loads nothing from another site. Imported only when
`serve` runs: it brings aiohttp and textual-serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What the served page lets its visitors take of this machine."""

    sessions: int  # tabs open at once, each an app process; one more is told the demo is full
    idle_seconds: float  # a tab whose page sent nothing for this long is closed, its process ended


# A page may ask for any terminal size, and a tab's memory grows with it (20000x20000 cells
# took 3.6 GB): the sizes a tab is given, and the one it gets for a size that is no number.
MAX_COLUMNS, MAX_ROWS = 500, 200
DEFAULT_COLUMNS, DEFAULT_ROWS = 80, 24


def _cells(value: object, most: int, default: int) -> int:
    """`value` as a number of cells from 1 to `most`; `default` when it is no whole number."""
    try:
        number = int(str(value))  # a whole number, or its digits: not 80.5, true or null
    except ValueError:
        return default
    return max(1, min(most, number))


def _bounded_resize(text: str) -> str | None:
    """A page's ["resize", {"width": W, "height": H}] message with W and H within bounds; None
    for any other message (passed on as it came)."""
    import json

    try:
        envelope = json.loads(text)
    except ValueError:
        return None
    if not (isinstance(envelope, list) and len(envelope) > 1 and envelope[0] == "resize"
            and isinstance(envelope[1], dict)):
        return None
    size = envelope[1]
    return json.dumps(["resize", {"width": _cells(size.get("width"), MAX_COLUMNS, DEFAULT_COLUMNS),
                                  "height": _cells(size.get("height"), MAX_ROWS, DEFAULT_ROWS)}])


# The page and the "demo is full" answer: textual-serve's page, but with nothing loaded from
# another site (its web font came from a CDN that stalls the first load or is blocked).
PAGES = Path(__file__).resolve().parent.parent / "web"
# And the browser holds it to that: nothing from elsewhere (not even a URL in the page's own
# query: textual.js fetches ?ping=URL), no framing by another site.
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def serve_page(command: str, sock: Any, public_url: str, allowed: frozenset[str], announce: str,
               limits: Limits) -> None:
    """Run textual-serve on `sock` until Ctrl-C or SIGTERM; `announce` is printed once it answers."""
    import asyncio
    import signal
    from urllib.parse import urlsplit

    from aiohttp import WSMsgType, web
    from textual_serve.server import Server

    public_origin = "{0.scheme}://{0.netloc}".format(urlsplit(public_url)).lower() if public_url else ""
    full_page = (PAGES / "full.html").read_text(encoding="utf-8")

    @web.middleware
    async def same_origin(request: web.Request, handler: Any) -> web.StreamResponse:
        # Browsers let any site open a websocket to any address, this one included: only a
        # page this server gave out (its own origin) may drive an app, or the account behind it.
        # The header itself: aiohttp's request.host looks this machine's name up (blocking) without one.
        host = request.headers.get("Host", "").lower()
        if host not in allowed:
            raise web.HTTPForbidden(text="unknown host\n")
        origin = request.headers.get("Origin", "")
        # http or https: behind a TLS proxy this server sees http where the page had https.
        if request.path == "/ws" and origin.lower() not in {f"http://{host}", f"https://{host}", public_origin} - {""}:
            raise web.HTTPForbidden(text="the page must come from this server\n")
        return await handler(request)

    class TabInput:
        """A tab's websocket as textual-serve's message loop reads it: each resize within bounds,
        and no more messages once the page has sent none for `limits.idle_seconds` (the
        websocket is then closed, and textual-serve ends the tab's process)."""

        def __init__(self, websocket: web.WebSocketResponse) -> None:
            self.websocket = websocket
            self.send_json = websocket.send_json  # the loop answers the page's pings

        def __aiter__(self) -> TabInput:
            return self

        async def __anext__(self) -> Any:
            try:
                # Around receive(), not its own timeout: that one starts again at each heartbeat pong.
                async with asyncio.timeout(limits.idle_seconds):
                    message = await self.websocket.receive()
            except TimeoutError:
                await self.websocket.close()
                raise StopAsyncIteration from None
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                raise StopAsyncIteration
            resize = _bounded_resize(message.data) if message.type == WSMsgType.TEXT else None
            return message if resize is None else message._replace(data=resize)

    class PageServer(Server):
        tabs = 0  # websockets open, each with its app process

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(same_origin)
            return app

        async def on_startup(self, app: web.Application) -> None:
            # Our line, not textual-serve's banner (which names the command): the address to open.
            print(announce, flush=True)

        def refusal(self) -> web.Response | None:
            """The "try again later" page when every tab is taken, else None."""
            if self.tabs < limits.sessions:
                return None
            return web.Response(status=503, text=full_page, content_type="text/html", headers={"Retry-After": "60"})

        async def handle_index(self, request: web.Request) -> Any:
            # The page's websocket and static addresses are the one the visitor used (its
            # Host passed the check above), unless --public-url says otherwise. No await
            # comes between setting it and the page reading it.
            self.public_url = public_url or f"{request.scheme}://{request.host}"
            page = self.refusal()
            if page is None:
                page = await super().handle_index(request)
            page.headers["Content-Security-Policy"] = PAGE_POLICY
            return page

        async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
            refused = self.refusal()  # before any process starts
            if refused is not None:
                return refused
            self.tabs += 1
            try:
                # The size the page asks for first (in the query) within bounds, as its resizes.
                size = {"width": str(_cells(request.query.get("width"), MAX_COLUMNS, DEFAULT_COLUMNS)),
                        "height": str(_cells(request.query.get("height"), MAX_ROWS, DEFAULT_ROWS))}
                return await super().handle_websocket(request.clone(rel_url=request.rel_url.update_query(size)))
            finally:
                self.tabs -= 1

        async def _process_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
            await super()._process_messages(TabInput(websocket), app_service)  # type: ignore[arg-type]

    server = PageServer(command, title="scnet-images", public_url=public_url or "http://127.0.0.1",
                        templates_path=PAGES)
    server.initialize_logging()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, server.request_exit)
    # A short grace: open tabs are then closed (each app told to quit), not waited on for a minute.
    web.run_app(server._make_app(), sock=sock, handle_signals=False, loop=loop, print=None, shutdown_timeout=2.0)
