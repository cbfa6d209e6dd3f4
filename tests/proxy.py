"""A loopback proxy in front of the demo API that rewrites what a test says it should.

The demo keeps to the contract; some answers a client must survive come from the path
between it and the platform (a gateway that answers 504 after the platform acted, a
create answered with an id that is no id). The proxy forwards every request to the demo
as it came and hands each answer to `rewrite`, which may replace it.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, NamedTuple

import httpx


class Exchange(NamedTuple):
    method: str
    path: str  # with its query
    status: int
    body: bytes


# (the exchange as the demo answered it) -> (status, body) to send instead, or None to pass it on.
Rewrite = Callable[[Exchange], "tuple[int, bytes] | None"]
# (method, path) -> (status, body) to answer without asking the demo at all, or None to forward.
Intercept = Callable[[str, str], "tuple[int, bytes] | None"]


class RewritingProxy:
    """Forwards to `target` (a base URL). Use as a context manager; `seen` lists every
    exchange in order (an intercepted one with status 0: the demo never saw it)."""

    def __init__(self, target: str, rewrite: Rewrite, intercept: Intercept | None = None) -> None:
        self.seen: list[Exchange] = []
        proxy = self
        upstream = httpx.Client(base_url=target, timeout=10)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if intercept is not None and (answer := intercept(self.command, self.path)) is not None:
                    proxy.seen.append(Exchange(self.command, self.path, 0, b""))
                    self._send(*answer, "application/json")
                    return
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() not in ("host", "content-length", "connection")}
                reply = upstream.request(self.command, self.path, content=body, headers=headers)
                exchange = Exchange(self.command, self.path, reply.status_code, reply.content)
                proxy.seen.append(exchange)
                status, out = rewrite(exchange) or (reply.status_code, reply.content)
                self._send(status, out, reply.headers.get("content-type", "application/json"))

            def _send(self, status: int, out: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_POST = do_DELETE = do_GET  # noqa: N815

        self._upstream = upstream
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "RewritingProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._upstream.close()
