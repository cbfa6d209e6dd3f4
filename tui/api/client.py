"""The HTTP side of the SCNet image-list call.

`ScnetClient.list_images` sends exactly what images-api.txt documents (a GET
with the filters as a JSON body, and as query parameters too) and turns every
way the network or the server can fail into one of the errors in `errors.py`.

The token travels only in the `token` header: it is never put in a URL, a log
line, an exception message or a repr, and never follows a redirect to another
origin.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import ssl
import time
from typing import Any, Awaitable, Callable, Generator, NamedTuple
from urllib.parse import urljoin, urlsplit

import httpx

from ..safe_text import excerpt
from .errors import (
    ApiError,
    ConfigError,
    MalformedResponse,
    NetworkError,
    ScnetError,
    TlsError,
    TokenRefused,
    TOKEN_HINT,
)
from .models import ImageList, gc_paused, parse_image_list

IMAGES_PATH = "/ai/openapi/v2/instance-service/images"
USER_AGENT = "scnet-images/0.1"

# httpx logs every request at INFO; an app that draws on the terminal wants silence.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

_RETRY_STATUSES = frozenset({502, 503, 504})
_MAX_REDIRECTS = 3


class ClientOptions(NamedTuple):
    """Transport policy. Times are seconds; `tries` counts the first attempt."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    tries: int = 3
    backoff: float = 0.5
    max_body_bytes: int = 256 * 1024 * 1024
    ca_bundle: str | None = None
    insecure: bool = False


def api_root(base_url: str) -> str:
    """The origin (plus any prefix) that API paths are appended to.

    Accepts `https://host:65011`, `https://host:65011/`, `.../ai`, `.../ai/openapi/v2`
    or the full image-list URL, so the request path is never doubled.
    """
    root = base_url.strip().rstrip("/")
    for suffix in (IMAGES_PATH, "/ai/openapi/v2/instance-service", "/ai/openapi/v2", "/ai/openapi", "/ai"):
        if root.endswith(suffix):
            root = root[: -len(suffix)]
            break
    return root.rstrip("/")


def images_url(base_url: str) -> str:
    return api_root(base_url) + IMAGES_PATH


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _host_of(url: str) -> str:
    """host[:port] for messages: never the user:password@ a URL may carry."""
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url


# Bodies from this size on are decoded with msgspec (see _loads).
LARGE_BODY_BYTES = 1 << 20


def _loads(raw: bytes | bytearray) -> Any:
    """Decode a JSON body (a ValueError when it is not JSON).

    json.loads first turns the whole body into one str, at up to four bytes a
    character once any character is wide (a Chinese description will do): 240 MB
    more at the peak for 100,000 images. msgspec decodes the UTF-8 bytes straight
    into Python objects, with no intermediate copy and twice as fast (orjson, also
    fast, builds a document tree first: +90 MB). Small answers, every shell lookup
    among them, keep json, which costs no import.
    """
    if len(raw) >= LARGE_BODY_BYTES:
        import msgspec

        return msgspec.json.decode(raw)
    return json.loads(raw)


def _https_proxy_configured() -> bool:
    names = ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
    return any(os.environ.get(name, "").lower().startswith("https://") for name in names)


def _valid_token(token: str) -> bool:
    return bool(token) and all(33 <= ord(char) <= 126 for char in token)


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, error: ScnetError) -> None:
        super().__init__(error.message)
        self.error = error


class _Reply(NamedTuple):
    status: int
    reason: str
    content_type: str
    body: bytes | bytearray
    location: str


class _Pause(NamedTuple):
    seconds: float


# What the plan yields (a request to send, or a pause), what it is sent back, what it returns.
_Plan = Generator["httpx.Request | _Pause", "_Reply | None", ImageList]


def _resume(plan: _Plan, outcome: _Reply | BaseException | None) -> httpx.Request | _Pause:
    """Hand the plan what its last step produced (a reply, a failure, or None after a
    pause) and return its next step; StopIteration carries the result."""
    if isinstance(outcome, BaseException):
        return plan.throw(outcome)
    return plan.send(outcome)


class _Body:
    """A response body, gathered without copies: when the size is announced (and the body
    is not compressed), the buffer is made once at that size. Growing a buffer instead
    briefly holds two copies of a 60 MB body, which sets the process's peak memory."""

    def __init__(self, response: httpx.Response, limit: int, host: str) -> None:
        self.limit = limit
        self.host = host
        self.size = 0
        announced = response.headers.get("content-length", "")
        compressed = response.headers.get("content-encoding", "identity") not in {"", "identity"}
        expected = int(announced) if announced.isdigit() and not compressed else 0
        self._check(expected)
        self.data = bytearray(expected)

    def _check(self, size: int) -> None:
        if size > self.limit:
            raise MalformedResponse(
                f"The response from {self.host} is larger than {self.limit // (1024 * 1024)} MiB",
                "narrow it with the accelerator or image type filters",
            )

    def add(self, chunk: bytes) -> None:
        end = self.size + len(chunk)
        self._check(end)
        if end <= len(self.data):
            self.data[self.size : end] = chunk  # same length: copied in place
        else:
            del self.data[self.size :]
            self.data += chunk
        self.size = end

    def finish(self) -> bytearray:
        del self.data[self.size :]
        return self.data


class _ClientCore:
    """Everything but the I/O: validation, the request, retries, redirects, decoding.

    `_plan` is a generator that yields requests and pauses and receives replies,
    so the async client (the browser) and the sync client (the shell commands,
    which must start fast) share every rule and differ only in how they send.
    """

    def __init__(self, base_url: str, token: str, options: ClientOptions | None) -> None:
        self.options = options or ClientOptions()
        scheme = urlsplit(base_url.strip()).scheme
        if scheme not in {"http", "https"}:
            raise ConfigError(
                f"The base URL {excerpt(base_url, 80)!r} is not an http(s) address",
                "set base_url to the region's AI address, e.g. https://host:65011",
            )
        if not _valid_token(token):
            raise ConfigError(
                "The token is empty or holds characters an HTTP header cannot carry",
                "copy the token again without spaces or line breaks",
            )
        self.base_url = base_url
        self.url = images_url(base_url)
        self._token = token
        self._scheme = scheme

    def __repr__(self) -> str:
        return f"{type(self).__name__}(host={_host_of(self.base_url)!r}, token=****)"

    def _http_options(self) -> dict[str, Any]:
        return {
            "timeout": httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
            "verify": self._verify(),
            "follow_redirects": False,
            # Proxies come from the environment; a custom transport (tests only) turns that off.
            "trust_env": True,
            "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
        }

    def _verify(self) -> ssl.SSLContext | bool:
        if self.options.insecure:
            return False
        if self.options.ca_bundle:
            try:
                return ssl.create_default_context(cafile=self.options.ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(
                    f"The CA bundle {self.options.ca_bundle} cannot be read ({exc.__class__.__name__})",
                    "point ca_bundle at a PEM file of trusted certificates",
                ) from None
        if self._scheme == "http" and not _https_proxy_configured():
            # No TLS will happen (plain http, same-origin redirects only, no https proxy), so skip
            # loading a CA store (a third of a shell lookup's time). The context still verifies:
            # were TLS ever attempted with it, it would fail closed.
            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return True

    @staticmethod
    def _filters(accelerator_type: str | None, image_type: str | None) -> dict[str, str]:
        pairs = (("acceleratorType", accelerator_type), ("imageType", image_type))
        return {key: value for key, value in pairs if value}

    def _plan(self, filters: dict[str, str]) -> _Plan:
        """Retries with backoff around one fetch; returns the parsed list."""
        tries = max(1, self.options.tries)
        for attempt in range(1, tries + 1):
            try:
                payload = yield from self._fetch_json(filters)
                return parse_image_list(payload)
            except _Retry as retry:
                if attempt == tries:
                    raise retry.error from None
            except ApiError as error:
                if error.code != "10012" or attempt == tries:
                    raise
            yield _Pause(self._delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int) -> float:
        base = self.options.backoff * (2 ** (attempt - 1))
        return base + random.uniform(0, base / 2)

    def _fetch_json(self, filters: dict[str, str]) -> Generator[httpx.Request, _Reply, Any]:
        url = self.url
        body = json.dumps(filters).encode()
        headers = {"token": self._token, "Content-Type": "application/json"}
        for _ in range(_MAX_REDIRECTS + 1):
            request = httpx.Request("GET", url, params=filters, content=body, headers=headers)
            reply = yield request
            if reply.status in _RETRY_STATUSES:
                raise _Retry(
                    ApiError(
                        f"HTTP {reply.status} {reply.reason} from {_host_of(url)} after "
                        f"{max(1, self.options.tries)} tries: "
                        f"{excerpt(reply.body, 120, self._token) or '(empty body)'}",
                        "the platform or a gateway in front of it is unavailable; try again later",
                        status=reply.status,
                    )
                )
            if reply.status in {301, 302, 303, 307, 308} and reply.location:
                target = urljoin(url, reply.location)
                if _origin(target) != _origin(url):
                    raise ApiError(
                        f"The server redirected to another host ({excerpt(_host_of(target), 80)}); "
                        "the token is not sent there",
                        "if that host is right, set base_url to it",
                        status=reply.status,
                    )
                url = target.split("?", 1)[0]
                continue
            return self._decode(reply, url)
        raise ApiError(
            f"Too many redirects from {_host_of(self.url)}",
            "check base_url; it should be the region's AI address",
        )

    def _new_body(self, response: httpx.Response, host: str) -> "_Body":
        return _Body(response, self.options.max_body_bytes, host)

    def _reply(self, response: httpx.Response, body: bytearray) -> _Reply:
        # The body stays a bytearray: json.loads takes it, and a copy of 60 MB is not free.
        return _Reply(
            response.status_code,
            response.reason_phrase,
            response.headers.get("content-type", ""),
            body,
            response.headers.get("location", ""),
        )

    def _transport_error(self, exc: httpx.HTTPError, host: str) -> Exception:
        """An httpx failure -> the error to raise (wrapped in _Retry when worth another try)."""
        if isinstance(exc, httpx.TimeoutException):
            return self._timeout_error(exc, host)
        if isinstance(exc, httpx.ConnectError):
            error = self._connect_error(exc, host)
            if isinstance(error, TlsError) or "resolve" in error.message:
                return error
            return _Retry(error)
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
            return _Retry(
                NetworkError(
                    f"The connection to {host} broke before the answer was complete "
                    f"({type(exc).__name__})",
                    "try again (press r); a proxy or an unstable network may be in the way",
                )
            )
        if isinstance(exc, httpx.ProxyError):
            return NetworkError(
                f"The proxy refused or failed the connection to {host}",
                "check HTTPS_PROXY/HTTP_PROXY/NO_PROXY",
            )
        if isinstance(exc, httpx.DecodingError):
            return MalformedResponse(
                f"The response from {host} could not be decompressed",
                "a proxy may be altering the answer; try again",
            )
        return NetworkError(f"The request to {host} failed ({type(exc).__name__})", "check base_url and your network")

    def _timeout_error(self, exc: httpx.TimeoutException, host: str) -> ScnetError:
        if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
            return NetworkError(
                f"Could not connect to {host} within {self.options.connect_timeout:g}s",
                "check your network or VPN and base_url; raise `timeout` if the link is slow",
            )
        return NetworkError(
            f"{host} accepted the connection but did not answer within "
            f"{self.options.read_timeout:g}s",
            "the platform is slow; try again (press r) or raise `timeout`",
        )

    def _connect_error(self, exc: httpx.ConnectError, host: str) -> ScnetError:
        causes: list[BaseException] = []
        current: BaseException | None = exc
        while current is not None and len(causes) < 10:
            causes.append(current)
            current = current.__cause__ or current.__context__
        text = " ".join(str(cause) for cause in causes)
        if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes) or (
            "CERTIFICATE_VERIFY_FAILED" in text
        ):
            return TlsError(
                f"The TLS certificate of {host} could not be verified",
                "set ca_bundle to your organisation's CA file, or, if you trust this network, "
                "insecure = true in the profile (--insecure)",
            )
        if any(isinstance(c, ssl.SSLError) for c in causes) or "SSL" in text:
            return TlsError(
                f"The TLS handshake with {host} failed",
                "check that base_url uses the right scheme (http or https) and port",
            )
        if any(isinstance(c, socket.gaierror) for c in causes) or "Name or service not known" in text:
            return NetworkError(
                f"Could not resolve the host name in {host}",
                "check base_url for typos, and your DNS or VPN",
            )
        if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in text.lower():
            return NetworkError(
                f"{host} refused the connection",
                "check the port in base_url, or whether the service is up",
            )
        return NetworkError(
            f"Could not connect to {host}",
            "check your network, VPN and base_url",
        )

    def _decode(self, reply: _Reply, url: str) -> Any:
        status, content_type, raw = reply.status, reply.content_type, reply.body
        host = _host_of(url)
        try:
            with gc_paused():
                payload = None if raw.isspace() or not raw else _loads(raw)
        except (ValueError, UnicodeDecodeError):
            payload = None
            parsed = False
        else:
            parsed = payload is not None
        if status >= 400:
            if parsed and isinstance(payload, dict) and "code" in payload and str(payload["code"]) != "0":
                error = parse_error_body(payload, status)
                if error is not None:
                    raise error
            body = excerpt(raw, 160, self._token) or "(empty body)"
            if status in {401, 403}:
                raise TokenRefused(f"Token refused, HTTP {status} from {host}: {body}", TOKEN_HINT)
            if status in {404, 405}:
                raise ApiError(
                    f"HTTP {status}: {host} has no image-list API at {urlsplit(url).path}",
                    "check base_url: it should be the region's AI address, e.g. https://host:65011",
                    status=status,
                )
            raise ApiError(f"HTTP {status} from {host}: {body}", "try again later", status=status)
        if not parsed:
            kind = content_type.split(";")[0].strip() or "no content type"
            body = excerpt(raw, 160, self._token) or "(empty body)"
            raise MalformedResponse(
                f"HTTP {status} from {host} is not JSON ({kind}): {body}",
                "a login page, proxy or gateway answered instead of the API; check base_url and proxy settings",
            )
        if isinstance(raw, bytearray):
            raw.clear()  # release the body (60 MB at 100,000 images) before the models are built
        return payload


def parse_error_body(payload: dict[str, Any], status: int) -> ScnetError | None:
    """An HTTP error whose body still carries an API `code`: report that code."""
    try:
        parse_image_list(payload)
    except ApiError as error:
        error.status = status
        return error
    except ScnetError as error:
        return error
    return None


class ScnetClient(_ClientCore):
    """The async client (the browser). Use as `async with ScnetClient(...) as client:`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        options: ClientOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(base_url, token, options)
        if sleep is None:
            import asyncio  # here, not at the top: the shell commands never need it

            sleep = asyncio.sleep
        self._sleep = sleep
        self._http = httpx.AsyncClient(transport=transport, **self._http_options())

    async def __aenter__(self) -> "ScnetClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def list_images(self, accelerator_type: str | None = None, image_type: str | None = None) -> ImageList:
        """Fetch the image list, filtered by the server. Raises ScnetError subclasses."""
        plan = self._plan(self._filters(accelerator_type, image_type))
        try:
            step = next(plan)
            while True:
                outcome: _Reply | BaseException | None = None
                if isinstance(step, _Pause):
                    await self._sleep(step.seconds)
                else:
                    try:
                        outcome = await self._send(step)
                    except (_Retry, ScnetError) as failure:
                        outcome = failure
                step = _resume(plan, outcome)
        except StopIteration as done:
            return done.value

    async def _send(self, request: httpx.Request) -> _Reply:
        host = _host_of(str(request.url))
        try:
            response = await self._http.send(request, stream=True)
            try:
                body = self._new_body(response, host)
                async for chunk in response.aiter_bytes():
                    body.add(chunk)
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, host) from None
        return self._reply(response, body.finish())


class ScnetSyncClient(_ClientCore):
    """The same client without asyncio, for the shell commands' start-up time. Use as `with`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        options: ClientOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(base_url, token, options)
        self._sleep = sleep
        self._http = httpx.Client(transport=transport, **self._http_options())

    def __enter__(self) -> "ScnetSyncClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def list_images(self, accelerator_type: str | None = None, image_type: str | None = None) -> ImageList:
        """Fetch the image list, filtered by the server. Raises ScnetError subclasses."""
        plan = self._plan(self._filters(accelerator_type, image_type))
        try:
            step = next(plan)
            while True:
                outcome: _Reply | BaseException | None = None
                if isinstance(step, _Pause):
                    self._sleep(step.seconds)
                else:
                    try:
                        outcome = self._send(step)
                    except (_Retry, ScnetError) as failure:
                        outcome = failure
                step = _resume(plan, outcome)
        except StopIteration as done:
            return done.value

    def _send(self, request: httpx.Request) -> _Reply:
        host = _host_of(str(request.url))
        try:
            response = self._http.send(request, stream=True)
            try:
                body = self._new_body(response, host)
                for chunk in response.iter_bytes():
                    body.add(chunk)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, host) from None
        return self._reply(response, body.finish())
