"""A deliberately hostile SCNet look-alike on loopback: it answers whatever a test scripts.

The demo API keeps to the contract; this one is for what no honest server sends
(escape sequences in every field, a trickled body, JSON nested a thousand deep, an
echoed token). Each route is a function from the request to (status, headers, body).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator, NamedTuple

# Every way text can act on a terminal or hide from a reader, in one value.
NASTY = "x\x1b[31mred\x1b]52;c;aGk=\x07\x9b\u202egnp\u200b\ufeff\u00ad\U000e0041\ud800\r\n=cmd"


class Seen(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Route = Callable[[Seen], "tuple[int, dict[str, str], bytes | Iterator[bytes]]"]


def envelope(data: Any = None, code: str = "0", msg: str = "success") -> bytes:
    # ASCII on the wire: a lone surrogate in a value arrives as \ud800, as a hostile server would send it.
    return json.dumps({"code": code, "msg": msg, "data": data}).encode()


def hostile_image(**extra: Any) -> dict[str, Any]:
    """An ImagesVo with a hostile value in every field the server controls."""
    item = {key: NASTY for key in ("acceleratorType", "access", "appIcon", "createTime", "id", "imageId",
                                   "name", "tag", "type", "user", "version")}
    item.update(path="reg.example:5000/ok/" + NASTY, isPresetImage=NASTY, extraField={NASTY: NASTY})
    item.update(extra)
    return item


class HostileServer:
    """`routes` maps a path to a Route; anything else is a 404. Use as a context manager."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path.split("?")[0], dict(self.headers), self.rfile.read(length))
                server.seen.append(seen)
                route = server.routes.get(seen.path)
                status, headers, body = route(seen) if route else (404, {}, b"{}")
                self.send_response(status)
                chunks = [body] if isinstance(body, bytes) else body
                if isinstance(body, bytes):
                    headers = {"Content-Length": str(len(body)), **headers}
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except OSError:
                    pass  # the client gave up: that is what some tests want

            do_POST = do_DELETE = do_GET  # noqa: N815

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "HostileServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a page no longer wanted, a timeout) is what some tests do."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def answer(body: bytes, status: int = 200) -> Route:
    return lambda seen: (status, {}, body)
