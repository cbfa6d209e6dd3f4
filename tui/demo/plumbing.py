"""The demo API's HTTP plumbing: reading requests, routing them, answering in the platform's shape.

Every emulated call family (`images.py`, `accounts.py`, `containers.py`, ...) describes
its calls as `Route`s: a method, a path (whose `{name}` segments the handler gets in
`Request.params`), a handler from `Request` to `Answer`, and whether it is a region call
(served at the root and under each region's prefix `/r/<clusterId>`, behind the `token`
header, with injected faults). A `Router` finds them by path, then by method: a known
path with another method answers 405, an unknown path 404. Everything else is here:

- request bodies are capped (413) and a `Content-Length` that is not a number is
  refused (400), both in the platform's envelope; nothing a client sends is kept
  beyond a bounded log;
- the envelope (`envelope.py`) and fault injection (`faults.py`) applied to every region call.
"""

from __future__ import annotations

import re
import ssl
from collections import deque
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, NamedTuple, Protocol

from .envelope import METHOD_NOT_ALLOWED, Answer, api_error, http_error, not_found, spoken
from .faults import Dropped, Fault, fault_answer
from urllib.parse import parse_qs, unquote, urlsplit

# The largest request body the demo reads; the platform's calls send a few hundred bytes.
MAX_REQUEST_BYTES = 1 << 20
# Requests remembered for tests (`DemoServer.requests`): the newest ones, and of each body
# its start, so the log never holds more than a few megabytes.
REQUEST_LOG_SIZE = 1000
LOGGED_BODY_BYTES = 4096
@dataclass(frozen=True)
class ReceivedRequest:
    """What the server saw, for tests to assert on. The token is reduced to a verdict."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    content_type: str
    token_ok: bool


class Request(NamedTuple):
    """What a call's handler is given. `path` is without any region prefix; `params` holds
    the values of the route's `{name}` segments (percent-decoded)."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: Message
    region: Any  # the DemoRegion of a region call under `/r/<clusterId>`, else None
    params: dict[str, str]


class Route(NamedTuple):
    """One call: `method` on `path` (which may hold `{name}` segments). `region_call`: behind
    the token, under region prefixes, faults apply. `image_api` names the image-list call it
    is ("get"/"post"), which a region may not serve."""

    method: str
    path: str
    handle: Callable[[Request], Answer]
    region_call: bool = False
    image_api: str = ""
    name: str = ""  # what a fault may be aimed at (`FAULT_CALLS`)


class Match(NamedTuple):
    """Where a request path leads: its region (None at the root and for platform calls),
    the calls there by method, and the values of the path's `{name}` segments."""

    region: Any
    methods: dict[str, Route]
    params: dict[str, str]


class Router:
    """Routes by path, then by method. An exact path is one dict look-up; a path with `{name}`
    segments is tried only when no exact path matched and the request starts with its
    literal head, so exact calls never pay for a regular expression."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self._exact: dict[str, dict[str, Route]] = {}
        self._patterns: dict[str, tuple[str, re.Pattern[str], dict[str, Route]]] = {}
        for route in routes:
            self.add(route)

    def add(self, route: Route) -> None:
        if "{" not in route.path:
            self._exact.setdefault(route.path, {})[route.method] = route
            return
        # A `{name}` is one whole segment: it never spans a slash.
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
        head = route.path.split("{", 1)[0]
        self._patterns.setdefault(route.path, (head, re.compile(pattern), {}))[2][route.method] = route

    def find(self, path: str) -> tuple[dict[str, Route], dict[str, str]] | None:
        """The calls at `path` by method and its `{name}` values; None when no call is there."""
        methods = self._exact.get(path)
        if methods is not None:
            return methods, {}
        for head, pattern, methods in self._patterns.values():
            found = pattern.fullmatch(path) if path.startswith(head) else None
            if found is not None:
                return methods, {name: unquote(value) for name, value in found.groupdict().items()}
        return None


def header_text(value: str) -> str:
    """http.server decodes header bytes as Latin-1; a UTF-8 password arrives mangled that way."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def request_log() -> deque[ReceivedRequest]:
    return deque(maxlen=REQUEST_LOG_SIZE)


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (a timeout, a size cap) is normal here, not news."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


class Host(Protocol):
    """What the plumbing needs of the server it serves (`server.DemoServer`)."""

    requests: deque[ReceivedRequest]
    dialect: Any  # dialects.Dialect: what an error answer calls its text

    def route(self, path: str) -> Match | None: ...

    def token_valid(self, token: str | None, region: Any) -> bool: ...

    def take_faults(self, call: str, *, after: bool) -> list[Fault]: ...

    def count_in(self, change: int) -> None: ...


def handler_for(server: Host) -> type[BaseHTTPRequestHandler]:
    """The request handler of `server`: it reads, routes and answers every request."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "scnet-demo"
        # Headers and body go out in two writes; with Nagle on, the second waits for the
        # client's delayed ACK: 40 ms added to every request after the first on a connection.
        disable_nagle_algorithm = True
        # A client that stops sending mid-request does not hold a thread for ever.
        timeout = 30

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: the demo runs under a full-screen app."""

        def do_GET(self) -> None:  # noqa: N802
            self._counted()

        do_POST = do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815

        def _counted(self) -> None:
            server.count_in(+1)
            try:
                self._send(self._answer())
            except Dropped:
                self.close_connection = True  # no answer at all: the client sees the connection end
            finally:
                server.count_in(-1)

        def _send(self, answer: Answer) -> None:
            answer = spoken(answer, server.dialect.message_key)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            if answer.status in (400, 413):
                self.send_header("Connection", "close")  # the unread body must not be taken for a request
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)

        def _read_body(self) -> bytes | Answer:
            announced = (self.headers.get("Content-Length") or "0").strip()
            if not re.fullmatch(r"[0-9]{1,15}", announced):  # isdigit() would take "²" and 5000 digits
                return http_error(400, "10004", "Content-Length 无效 (not a byte count)")
            length = int(announced)
            if length > MAX_REQUEST_BYTES:
                return http_error(413, "10011", f"请求体超过 {MAX_REQUEST_BYTES} 字节 (body too large)")
            return self.rfile.read(length) if length else b""

        def _answer(self) -> Answer:
            parts = urlsplit(self.path)
            body = self._read_body()
            path = parts.path.rstrip("/")
            match = server.route(path)
            region = match.region if match is not None else None
            route = match.methods.get(self.command) if match is not None else None
            call_path = path.split("/", 3)[3] if region is not None else path
            token = self.headers.get("token")
            token_ok = route is not None and route.region_call and server.token_valid(token, region)
            server.requests.append(
                ReceivedRequest(
                    self.command, parts.path, parse_qs(parts.query),
                    body[:LOGGED_BODY_BYTES] if isinstance(body, bytes) else b"",
                    self.headers.get("Content-Type", ""), token_ok,
                )
            )
            if isinstance(body, Answer):
                return body
            if match is None:
                return not_found(parts.path)
            if route is None:
                return METHOD_NOT_ALLOWED
            call = "/" + call_path.lstrip("/")
            request = Request(self.command, call, parse_qs(parts.query), body, self.headers, region, match.params)
            try:
                return self._call(route, request, token, token_ok)
            except Dropped:
                raise
            except Exception:  # a bug of the demo's: the platform's shape, not a traceback on the screen
                return http_error(500, "10001", "演示服务器内部错误 (demo server error)")

        def _call(self, route: Route, request: Request, token: str | None, token_ok: bool) -> Answer:
            if not route.region_call:
                return route.handle(request)
            for fault in server.take_faults(route.name, after=False):
                answer = fault_answer(fault)
                if answer is not None:
                    return answer
            if not token:
                return api_error("10009", "缺少token (token header missing)")
            if not token_ok:
                return api_error("10008", "token无效或已过期 (token invalid or expired)")
            answer = route.handle(request)
            # A fault aimed at an action strikes once it is done (a lost answer): taken only now.
            for fault in server.take_faults(route.name, after=True):
                answer = fault_answer(fault) or answer
            return answer

    return Handler


def make_http_server(server: Host, host: str, port: int, ssl_context: ssl.SSLContext | None) -> QuietHTTPServer:
    httpd = QuietHTTPServer((host, port), handler_for(server))
    if ssl_context is not None:
        # Serve HTTPS, so certificate handling can be exercised over a real handshake.
        httpd.socket = ssl_context.wrap_socket(httpd.socket, server_side=True)
    return httpd
