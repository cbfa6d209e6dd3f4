"""An SCNet-compatible image-list API on loopback, for the demo and for the tests.

It implements `GET /ai/openapi/v2/instance-service/images` as images-api.txt
documents it: the `token` header, the filters as a JSON body on the GET (or as
query parameters), `{"code": "0", "msg": ..., "data": [...]}` on success and
the documented error codes otherwise. Faults can be injected (latency, HTTP
errors, API error codes, malformed bodies) so every failure the client
handles can be produced over real HTTP.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable
from urllib.parse import parse_qs, urlsplit

from .catalog import demo_catalog

IMAGES_PATH = "/ai/openapi/v2/instance-service/images"
DEMO_TOKEN = "scnet-demo-token"
KNOWN_ACCELERATORS = ("dcu", "gpu", "cpu")
KNOWN_IMAGE_TYPES = ("Base", "JupyterLab", "CodeServer", "RStudio")
ERROR_MESSAGES = {
    "10001": "内部异常",
    "10003": "参数不全",
    "10004": "参数无效",
    "10007": "用户已被冻结",
    "10008": "权限不足",
    "10009": "没有权限访问接口",
    "10010": "文件校验失败",
    "10011": "文件过大",
    "10012": "连接中断",
}
# Shapes of `data` the documentation allows: a list (the type), an object (the example).
SHAPES = ("list", "object", "null", "wrapped")
FAULT_KINDS = ("latency", "status", "code", "malformed")
MALFORMED_KINDS = ("html", "not-json", "array", "data-string", "no-code", "empty")

_GATEWAY_PAGE = (
    "<html><head><title>{status} {reason}</title></head><body>"
    "<center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>"
)


@dataclass
class Fault:
    """One injected fault. `times` None means until cleared."""

    kind: str
    value: str = ""
    times: int | None = None

    @classmethod
    def parse(cls, spec: str) -> "Fault":
        """`latency:2`, `status:502`, `code:10008`, `malformed:html`, optionally `xN` for N times."""
        times = None
        if "x" in spec.rsplit(":", 1)[-1] and spec.rsplit("x", 1)[-1].isdigit():
            spec, count = spec.rsplit("x", 1)
            times = int(count)
        kind, _, value = spec.partition(":")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        if kind == "malformed" and value not in MALFORMED_KINDS:
            raise ValueError(f"unknown malformed body {value!r}; one of {', '.join(MALFORMED_KINDS)}")
        if kind in {"status", "latency"}:
            float(value)  # raises ValueError for a bad number
        return cls(kind, value, times)


@dataclass(frozen=True)
class ReceivedRequest:
    """What the server saw, for tests to assert on. The token is reduced to a verdict."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    content_type: str
    token_ok: bool


class DemoServer:
    """The demo API. `start()` it (or use `with`), then point a client at `base_url`."""

    def __init__(
        self,
        images: Iterable[dict[str, Any]] | None = None,
        *,
        token: str | None = DEMO_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        shape: str = "list",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}")
        self.images = list(demo_catalog() if images is None else images)
        self.token = token if token is not None else secrets.token_urlsafe(24)
        self.shape = shape
        self.requests: list[ReceivedRequest] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._encoded: dict[tuple[str, str], bytes] = {}
        self._httpd = _QuietHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if ssl_context is not None:
            # Serve HTTPS, so certificate handling can be exercised over a real handshake.
            self._httpd.socket = ssl_context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self) -> "DemoServer":
        # A short poll interval: stop() waits for the loop to notice, and tests stop servers often.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="scnet-demo-api", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def inject(self, kind: str, value: str = "", times: int | None = None) -> None:
        """Add a fault; faults apply in the order they were added."""
        with self._lock:
            self._faults.append(Fault(kind, str(value), times))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_images(self, images: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            self.images = list(images)
            self._encoded.clear()

    def _take_faults(self) -> list[Fault]:
        """The faults for one request: every latency, then the first fault that answers."""
        with self._lock:
            taken: list[Fault] = []
            for fault in self._faults:
                taken.append(fault)
                if fault.kind != "latency":
                    break
            for fault in taken:
                if fault.times is not None:
                    fault.times -= 1
            self._faults = [f for f in self._faults if f.times is None or f.times > 0]
        return taken

    def answer(self, filters: dict[str, str]) -> bytes:
        """The success body for these filters (cached: the catalog is immutable between sets)."""
        key = (filters.get("acceleratorType", ""), filters.get("imageType", ""))
        with self._lock:
            cached = self._encoded.get(key)
            images = self.images
        if cached is not None:
            return cached
        accelerator = key[0].lower()
        image_type = key[1].lower()
        matched = [
            item
            for item in images
            if (not accelerator or accelerator in _accelerators_of(item))
            and (not image_type or str(item.get("type", "")).lower() == image_type)
        ]
        data: Any = matched
        if self.shape == "object":
            data = matched[0] if matched else None
        elif self.shape == "null" and not matched:
            data = None
        elif self.shape == "wrapped":
            data = {"total": len(matched), "data": matched}
        body = json.dumps({"code": "0", "msg": "success", "data": data}, ensure_ascii=False).encode()
        with self._lock:
            self._encoded[key] = body
        return body


class _QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (a timeout, a size cap) is normal here, not news."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


def _accelerators_of(item: dict[str, Any]) -> list[str]:
    return [part.strip().lower() for part in str(item.get("acceleratorType", "")).split(",")]


def _api_error(code: str, detail: str = "") -> bytes:
    msg = ERROR_MESSAGES.get(code, "未知错误")
    if detail:
        msg = f"{msg}: {detail}"
    return json.dumps({"code": code, "msg": msg, "data": None}, ensure_ascii=False).encode()


def _handler_for(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "scnet-demo"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: the demo runs under a full-screen app."""

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def _send(self, status: int, body: bytes, content_type: str = "application/json;charset=UTF-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            given_token = self.headers.get("token")
            token_ok = given_token == server.token
            server.requests.append(
                ReceivedRequest(
                    method, parts.path, parse_qs(parts.query), body,
                    self.headers.get("Content-Type", ""), token_ok,
                )
            )
            if parts.path.rstrip("/") != IMAGES_PATH:
                self._send(404, json.dumps({"timestamp": int(time.time() * 1000), "status": 404,
                                            "error": "Not Found", "path": parts.path}).encode())
                return
            if method != "GET":
                self._send(405, json.dumps({"status": 405, "error": "Method Not Allowed"}).encode())
                return
            for fault in server._take_faults():
                if self._apply(fault):
                    return
            if not given_token:
                self._send(200, _api_error("10009", "缺少token (token header missing)"))
                return
            if not token_ok:
                self._send(200, _api_error("10008", "token无效或已过期 (token invalid or expired)"))
                return
            filters = self._filters(parts.query, body)
            if filters is None:
                return
            self._send(200, server.answer(filters))

        def _filters(self, query: str, body: bytes) -> dict[str, str] | None:
            filters: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
            if body.strip():
                try:
                    given = json.loads(body)
                except ValueError:
                    self._send(200, _api_error("10004", "请求体不是合法的JSON (body is not JSON)"))
                    return None
                if not isinstance(given, dict):
                    self._send(200, _api_error("10004", "请求体应为对象 (body must be an object)"))
                    return None
                filters.update(given)
            clean: dict[str, str] = {}
            for key, allowed in (("acceleratorType", KNOWN_ACCELERATORS), ("imageType", KNOWN_IMAGE_TYPES)):
                value = filters.get(key)
                if value in (None, ""):
                    continue
                if not isinstance(value, str) or value.lower() not in {a.lower() for a in allowed}:
                    self._send(200, _api_error("10004", f"{key}={str(value)[:40]}"))
                    return None
                clean[key] = value
            return clean

        def _apply(self, fault: Fault) -> bool:
            """Act out a fault; True when it answered the request."""
            if fault.kind == "latency":
                time.sleep(float(fault.value or 1))
                return False
            if fault.kind == "status":
                status = int(float(fault.value or 500))
                reason = self.responses.get(status, ("Error",))[0]
                page = _GATEWAY_PAGE.format(status=status, reason=reason).encode()
                self._send(status, page, "text/html")
                return True
            if fault.kind == "code":
                self._send(200, _api_error(fault.value or "10001"))
                return True
            bodies = {
                "html": (b"<!DOCTYPE html><html><head><title>SCNet \xe7\x99\xbb\xe5\xbd\x95</title></head>"
                         b"<body>Please log in</body></html>", "text/html"),
                "not-json": (b'{"code": "0", "msg": "success", "data": [{"name": "pyt', "application/json"),
                "array": (b'[{"name": "pytorch"}]', "application/json"),
                "data-string": (b'{"code": "0", "msg": "success", "data": "pytorch"}', "application/json"),
                "no-code": (b'{"status": "ok", "images": []}', "application/json"),
                "empty": (b"", "application/json"),
            }
            body, content_type = bodies[fault.value]
            self._send(200, body, content_type)
            return True

    return Handler
