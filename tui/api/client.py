"""The HTTP side of the SCNet image-list call.

`ScnetClient.list_images` sends exactly what images-api.txt documents (a GET
with the filters as a JSON body, and as query parameters too) and turns every
way the network or the server can fail into one of the errors in `errors.py`.

The token travels only in the `token` header: it is never put in a URL, a log
line, an exception message or a repr, and never follows a redirect to another
origin.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import socket
import ssl
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
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
from .models import ImageList, parse_image_list

IMAGES_PATH = "/ai/openapi/v2/instance-service/images"
USER_AGENT = "scnet-images/0.1"

# httpx logs every request at INFO; an app that draws on the terminal wants silence.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

_RETRY_STATUSES = frozenset({502, 503, 504})
_MAX_REDIRECTS = 3


@dataclass(frozen=True, slots=True)
class ClientOptions:
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
    parts = urlsplit(url)
    return parts.netloc or url


def _valid_token(token: str) -> bool:
    return bool(token) and all(33 <= ord(char) <= 126 for char in token)


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, error: ScnetError) -> None:
        super().__init__(error.message)
        self.error = error


class ScnetClient:
    """An async client for one region. Use as `async with ScnetClient(...) as client:`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        options: ClientOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
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
        self._sleep = sleep
        # A custom transport turns httpx's proxy discovery off, so only tests pass one.
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
            verify=self._verify(),
            follow_redirects=False,
            trust_env=True,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"ScnetClient(base_url={self.base_url!r}, token=****)"

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
        return True

    async def __aenter__(self) -> "ScnetClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def list_images(
        self, accelerator_type: str | None = None, image_type: str | None = None
    ) -> ImageList:
        """Fetch the image list, filtered by the server. Raises ScnetError subclasses."""
        filters = {
            key: value
            for key, value in (("acceleratorType", accelerator_type), ("imageType", image_type))
            if value
        }
        tries = max(1, self.options.tries)
        for attempt in range(1, tries + 1):
            try:
                payload = await self._fetch_json(filters)
                result = parse_image_list(payload)
            except _Retry as retry:
                if attempt == tries:
                    raise retry.error from None
                await self._sleep(self._delay(attempt))
                continue
            except ApiError as error:
                if error.code == "10012" and attempt < tries:
                    await self._sleep(self._delay(attempt))
                    continue
                raise
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int) -> float:
        base = self.options.backoff * (2 ** (attempt - 1))
        return base + random.uniform(0, base / 2)

    async def _fetch_json(self, filters: dict[str, str]) -> Any:
        url = self.url
        body = json.dumps(filters).encode()
        headers = {"token": self._token, "Content-Type": "application/json"}
        for _ in range(_MAX_REDIRECTS + 1):
            request = self._http.build_request("GET", url, params=filters, content=body, headers=headers)
            status, content_type, raw, location = await self._send(request)
            if status in {301, 302, 303, 307, 308} and location:
                target = urljoin(url, location)
                if _origin(target) != _origin(url):
                    raise ApiError(
                        f"The server redirected to another host ({excerpt(_host_of(target), 80)}); "
                        "the token is not sent there",
                        "if that host is right, set base_url to it",
                        status=status,
                    )
                url = target.split("?", 1)[0]
                continue
            return self._decode(status, content_type, raw, str(request.url.copy_with(query=None)))
        raise ApiError(
            f"Too many redirects from {_host_of(self.url)}",
            "check base_url; it should be the region's AI address",
        )

    async def _send(self, request: httpx.Request) -> tuple[int, str, bytes, str]:
        host = _host_of(str(request.url))
        try:
            response = await self._http.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.options.max_body_bytes:
                        raise MalformedResponse(
                            f"The response from {host} is larger than "
                            f"{self.options.max_body_bytes // (1024 * 1024)} MiB",
                            "narrow it with the accelerator or image type filters",
                        )
                    chunks.append(chunk)
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            raise self._timeout_error(exc, host) from None
        except httpx.ConnectError as exc:
            error = self._connect_error(exc, host)
            if isinstance(error, TlsError) or "resolve" in error.message:
                raise error from None
            raise _Retry(error) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Retry(
                NetworkError(
                    f"The connection to {host} broke before the answer was complete "
                    f"({type(exc).__name__})",
                    "try again (press r); a proxy or an unstable network may be in the way",
                )
            ) from None
        except httpx.ProxyError:
            raise NetworkError(
                f"The proxy refused or failed the connection to {host}",
                "check HTTPS_PROXY/HTTP_PROXY/NO_PROXY",
            ) from None
        except httpx.DecodingError:
            raise MalformedResponse(
                f"The response from {host} could not be decompressed",
                "a proxy may be altering the answer; try again",
            ) from None
        except httpx.HTTPError as exc:
            raise NetworkError(
                f"The request to {host} failed ({type(exc).__name__})",
                "check base_url and your network",
            ) from None
        status = response.status_code
        if status in _RETRY_STATUSES:
            raise _Retry(
                ApiError(
                    f"HTTP {status} {response.reason_phrase} from {host} after "
                    f"{max(1, self.options.tries)} tries: "
                    f"{excerpt(b''.join(chunks), 120, self._token) or '(empty body)'}",
                    "the platform or a gateway in front of it is unavailable; try again later",
                    status=status,
                )
            )
        return (
            status,
            response.headers.get("content-type", ""),
            b"".join(chunks),
            response.headers.get("location", ""),
        )

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

    def _decode(self, status: int, content_type: str, raw: bytes, url: str) -> Any:
        host = _host_of(url)
        try:
            payload = json.loads(raw) if raw.strip() else None
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
