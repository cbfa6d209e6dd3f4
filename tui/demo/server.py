"""An SCNet-compatible API on loopback, for the demo and for the tests.

It implements `GET /ai/openapi/v2/instance-service/images` as images-api.txt
documents it: the `token` header, the filters as a JSON body on the GET (or as
query parameters), `{"code": "0", "msg": ..., "data": [...]}` on success and
the documented error codes otherwise; and the newer paginated
`POST /ai/openapi/v2/image/images`. Both answer at the root (with the server's
fixed token) and under each demo region's prefix `/r/<clusterId>` (with the
tokens its login calls issue; see `accounts.py`):

- `POST /ac/openapi/v2/tokens` (password) and `POST /api/user/v3/tokens` (access key);
- `GET /ac/openapi/v2/center` (the region's AI address);
- `POST /ac/openapi/v2/tokens/next` (renewal, up to 24 h after expiry).

Faults can be injected into the image calls (latency, HTTP errors, API error
codes, malformed bodies) so every failure the client handles can be produced
over real HTTP.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlsplit

from .accounts import (
    DEMO_REGIONS,
    PLATFORM_CLUSTER,
    RENEWAL_WINDOW_SECONDS,
    DemoRegion,
    TokenIssuer,
    find_account,
    signature_ok,
)
from .catalog import demo_catalog

IMAGES_PATH = "/ai/openapi/v2/instance-service/images"
PAGED_IMAGES_PATH = "/ai/openapi/v2/image/images"
PASSWORD_LOGIN_PATH = "/ac/openapi/v2/tokens"
ACCESS_KEY_LOGIN_PATH = "/api/user/v3/tokens"
RENEW_PATH = "/ac/openapi/v2/tokens/next"
CENTER_PATH = "/ac/openapi/v2/center"
DEMO_TOKEN = "scnet-demo-token"
# The paginated call's largest page; a client asking for more gets this many.
MAX_PAGE_SIZE = 100
PAGED_ORDER = ("create_time", "share_time", "clone_times")
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
        token_lifetime: float = 24 * 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}")
        self.images = list(demo_catalog() if images is None else images)
        self.token = token if token is not None else secrets.token_urlsafe(24)
        self.issuer = TokenIssuer(token_lifetime, clock)
        self.shape = shape
        self.requests: list[ReceivedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests it was answering at once (tests check bounds)
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._encoded: dict[tuple[str, str, str], bytes] = {}
        self._matched: dict[tuple[str, ...], list[dict[str, Any]]] = {}
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
            self._matched.clear()

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

    def region(self, cluster_id: str) -> DemoRegion | None:
        return next((region for region in DEMO_REGIONS if region.cluster_id == cluster_id), None)

    def _matching(
        self, region: DemoRegion | None, accelerator: str, image_type: str, access: str = ""
    ) -> list[dict[str, Any]]:
        """The images these filters select, computed once per catalog: the paginated call
        asks for the same selection once per page."""
        key = (region.cluster_id if region else "", accelerator.lower(), image_type.lower(), access)
        with self._lock:
            images, cached = self.images, self._matched.get(key)
        if cached is not None:
            return cached
        if region is not None:
            images = images[:: region.every]
        matched = [
            item
            for item in images
            if (not key[1] or key[1] in _accelerators_of(item))
            and (not key[2] or str(item.get("type", "")).lower() == key[2])
            and (not access or str(item.get("access", "public")) == access)
        ]
        with self._lock:
            self._matched[key] = matched
        return matched

    def answer(self, filters: dict[str, str], region: DemoRegion | None = None) -> bytes:
        """The success body for these filters (cached: the catalog is immutable between sets)."""
        key = (region.cluster_id if region else "", filters.get("acceleratorType", ""), filters.get("imageType", ""))
        with self._lock:
            cached = self._encoded.get(key)
        if cached is not None:
            return cached
        matched = self._matching(region, key[1], key[2])
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

    def page(self, query: dict[str, Any], region: DemoRegion | None = None) -> bytes:
        """One page of the paginated call: `data` = {"total": N, "data": [...]}, newest first.
        Items carry the extra fields this call adds (`imageSize`, `status`)."""
        matched = self._matching(region, query.get("acceleratorType") or "", query.get("type") or "", query["access"])
        name = str(query.get("name") or "").lower()
        if name:
            matched = [item for item in matched if name in str(item.get("name", "")).lower()]
        start, limit = query["start"], min(query["limit"], MAX_PAGE_SIZE)
        rows = [
            {**item, "imageSize": str(_image_size(item)), "status": "Completed"}
            for item in matched[start : start + limit]
        ]
        data = {"total": len(matched), "data": rows}
        return json.dumps({"code": "0", "msg": "success", "data": data}, ensure_ascii=False).encode()


class _QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (a timeout, a size cap) is normal here, not news."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


def _image_size(item: dict[str, Any]) -> int:
    """A plausible, stable size in bytes (3-30 GB), derived from the image's id."""
    seed = int(hashlib.sha256(str(item.get("id", "")).encode()).hexdigest()[:8], 16)
    return 3_000_000_000 + seed % 27_000_000_000


def _accelerators_of(item: dict[str, Any]) -> list[str]:
    return [part.strip().lower() for part in str(item.get("acceleratorType", "")).split(",")]


def _api_error(code: str, detail: str = "") -> bytes:
    msg = ERROR_MESSAGES.get(code, "未知错误")
    if detail:
        msg = f"{msg}: {detail}"
    return json.dumps({"code": code, "msg": msg, "data": None}, ensure_ascii=False).encode()


def _ok(data: Any) -> bytes:
    return json.dumps({"code": "0", "msg": "success", "data": data}, ensure_ascii=False).encode()


def _header_text(value: str) -> str:
    """http.server decodes header bytes as Latin-1; a UTF-8 password arrives mangled that way."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _handler_for(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "scnet-demo"
        # Headers and body go out in two writes; with Nagle on, the second waits for the
        # client's delayed ACK: 40 ms added to every request after the first on a connection.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: the demo runs under a full-screen app."""

        def do_GET(self) -> None:  # noqa: N802
            self._counted("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._counted("POST")

        def _counted(self, method: str) -> None:
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                self._handle(method)
            finally:
                with server._lock:
                    server.in_flight -= 1

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
            path = parts.path.rstrip("/")
            region, call = self._route(path)
            token_ok = self._token_valid(given_token, region) if call in ("get", "post") else False
            server.requests.append(
                ReceivedRequest(
                    method, parts.path, parse_qs(parts.query), body,
                    self.headers.get("Content-Type", ""), token_ok,
                )
            )
            if call in ("login", "access-key", "renew", "center"):
                wanted = "GET" if call == "center" else "POST"
                if method != wanted:
                    self._send(405, json.dumps({"status": 405, "error": "Method Not Allowed"}).encode())
                    return
                {"login": self._login, "access-key": self._access_key_login,
                 "renew": self._renew, "center": self._center}[call]()
                return
            served = ("get", "post") if region is None else region.apis
            if call is None or call not in served:
                self._send(404, json.dumps({"timestamp": int(time.time() * 1000), "status": 404,
                                            "error": "Not Found", "path": parts.path}).encode())
                return
            if method != {"get": "GET", "post": "POST"}[call]:
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
            if call == "post":
                query = self._page_query(body)
                if query is not None:
                    self._send(200, server.page(query, region))
                return
            filters = self._filters(parts.query, body)
            if filters is None:
                return
            self._send(200, server.answer(filters, region))

        @staticmethod
        def _route(path: str) -> tuple[DemoRegion | None, str | None]:
            """(region or None for the root, which call) for a request path."""
            fixed = {PASSWORD_LOGIN_PATH: "login", ACCESS_KEY_LOGIN_PATH: "access-key",
                     RENEW_PATH: "renew", CENTER_PATH: "center"}
            if path in fixed:
                return None, fixed[path]
            region = None
            if path.startswith("/r/"):
                cluster, _, rest = path[3:].partition("/")
                region = server.region(cluster)
                if region is None:
                    return None, None
                path = "/" + rest
            calls = {IMAGES_PATH: "get", PAGED_IMAGES_PATH: "post"}
            return region, calls.get(path)

        def _token_valid(self, token: str | None, region: DemoRegion | None) -> bool:
            if region is None:
                return token == server.token
            claims = server.issuer.claims(token)
            return (
                claims is not None
                and claims.get("clusterId") == region.cluster_id
                and claims.get("accountStatus") != "Suspended"
                and server.issuer.past_expiry(claims) < 0
            )

        # --- the platform calls -------------------------------------------------

        def _region_tokens(self, account: Any) -> bytes:
            entries = [{"clusterId": 0, "clusterName": "ac",
                        "token": server.issuer.issue(account, PLATFORM_CLUSTER)}]
            for region in DEMO_REGIONS:
                token = None if account.status == "Suspended" else server.issuer.issue(account, region.cluster_id)
                entries.append({"clusterId": int(region.cluster_id), "clusterName": region.name, "token": token})
            return _ok(entries)

        def _login(self) -> None:
            user, password, org = (self.headers.get(k, "") for k in ("user", "password", "orgId"))
            if not (user and password and org):
                self._send(200, _api_error("10003", "需要user、password和orgId请求头 (user, password, orgId headers)"))
                return
            account = find_account(_header_text(user), password=_header_text(password), org_id=_header_text(org))
            if account is None:
                self._send(200, _api_error("10004", "用户名、组织ID或密码错误 (wrong user, org id or password)"))
                return
            self._send(200, self._region_tokens(account))

        def _access_key_login(self) -> None:
            user, key, stamp, signature = (
                self.headers.get(k, "") for k in ("user", "accessKey", "timestamp", "signature")
            )
            if not (user and key and stamp and signature):
                self._send(200, _api_error("10003", "需要user、accessKey、timestamp和signature请求头"))
                return
            account = find_account(_header_text(user), access_key=key)
            if account is None:
                self._send(200, _api_error("10009", "AccessKey不存在 (unknown access key)"))
                return
            if not signature_ok(account, stamp, signature):
                self._send(200, _api_error("10004", "签名校验失败或时间戳过期 (bad signature or stale timestamp)"))
                return
            self._send(200, self._region_tokens(account))

        def _renew(self) -> None:
            claims = server.issuer.claims(self.headers.get("token"))
            account = find_account(str(claims.get("user", ""))) if claims else None
            if claims is None or account is None:
                self._send(200, _api_error("10008", "token无效 (token invalid)"))
                return
            if server.issuer.past_expiry(claims) > RENEWAL_WINDOW_SECONDS:
                self._send(200, _api_error("10008", "token已过期超过24小时,请重新获取 (expired over 24 h ago)"))
                return
            cluster = str(claims.get("clusterId", ""))
            region = server.region(cluster)
            name = region.name if region else "ac"
            entry = {"clusterId": int(cluster or 0), "clusterName": name,
                     "token": server.issuer.issue(account, cluster)}
            self._send(200, _ok([entry]))

        def _center(self) -> None:
            claims = server.issuer.claims(self.headers.get("token"))
            region = server.region(str(claims.get("clusterId", ""))) if claims else None
            if claims is None or server.issuer.past_expiry(claims) >= 0:
                self._send(200, _api_error("10008", "token无效或已过期 (token invalid or expired)"))
                return
            if region is None:
                self._send(200, _api_error("10004", "平台token不能查询区域 (the platform token has no region)"))
                return
            center = {
                "clusterId": region.cluster_id,
                "clusterName": region.name,
                "aiUrls": [
                    {"url": "https://ai-standby.invalid/ai", "enable": "false"},
                    {"url": f"{server.base_url}{region.prefix}/ai", "enable": "true"},
                ],
                "hpcUrls": [{"url": f"{server.base_url}{region.prefix}/hpc", "enable": "true"}],
                "efileUrls": [{"url": f"{server.base_url}{region.prefix}/efile", "enable": "true"}],
            }
            # The page types `data` as a list, public clients read an object: one region each way.
            self._send(200, _ok(center if region is DEMO_REGIONS[0] else [center]))

        # --- the image calls --------------------------------------------------------

        def _json_object(self, body: bytes) -> dict[str, Any] | None:
            """The request body as a JSON object, or None after answering 10004."""
            try:
                given = json.loads(body or b"{}")
            except ValueError:
                self._send(200, _api_error("10004", "请求体不是合法的JSON (body is not JSON)"))
                return None
            if not isinstance(given, dict):
                self._send(200, _api_error("10004", "请求体应为对象 (body must be an object)"))
                return None
            return given

        def _page_query(self, body: bytes) -> dict[str, Any] | None:
            given = self._json_object(body)
            if given is None:
                return None
            if given.get("access") in (None, ""):
                self._send(200, _api_error("10003", "access"))
                return None
            problems = []
            if given["access"] not in ("public", "private"):
                problems.append("access")
            for key, lowest in (("start", 0), ("limit", 1)):
                value = given.get(key, lowest if key == "start" else 10)
                if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
                    problems.append(key)
                given[key] = value
            if given.get("orderBy") not in (None, "", *PAGED_ORDER):
                problems.append("orderBy")
            for key, allowed in (("acceleratorType", KNOWN_ACCELERATORS), ("type", KNOWN_IMAGE_TYPES)):
                value = given.get(key)
                if value not in (None, "") and (not isinstance(value, str) or value not in allowed):
                    problems.append(key)
            if problems:
                self._send(200, _api_error("10004", ", ".join(problems)))
                return None
            return given

        def _filters(self, query: str, body: bytes) -> dict[str, str] | None:
            filters: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
            if body.strip():
                given = self._json_object(body)
                if given is None:
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
