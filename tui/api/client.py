"""The HTTP side of the SCNet calls: the image list (both forms), token renewal, login.

`ScnetClient.list_images` sends exactly what images-api.txt documents (a GET
with the filters as a JSON body, and as query parameters too), or the newer
paginated POST (every page, a few in flight at once), and turns every way the
network or the server can fail into one of the errors in `errors.py`.

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
from typing import Any, Awaitable, Callable, Generator, NamedTuple, Sequence
from urllib.parse import urljoin, urlsplit

import httpx

from ..safe_text import excerpt
from .errors import (
    ApiError,
    ConfigError,
    LOGIN_HINT,
    MalformedResponse,
    NetworkError,
    ScnetError,
    TlsError,
    TokenRefused,
    TOKEN_HINT,
)
from .models import ImageList, gc_paused, page_total, parse_envelope, parse_image_list

IMAGES_PATH = "/ai/openapi/v2/instance-service/images"
PAGED_IMAGES_PATH = "/ai/openapi/v2/image/images"
RENEW_PATH = "/ac/openapi/v2/tokens/next"
# Which image-list call a profile uses: "auto" tries the documented GET, then the paginated POST.
IMAGE_APIS = ("auto", "get", "post")
ACCESS_LEVELS = ("public", "private")
# Pages of the paginated call this client fetches at most, per access level.
MAX_PAGES = 2000
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
    page_size: int = 100
    pages_in_flight: int = 4


# progress(images received so far, images expected or None while unknown)
Progress = Callable[[int, "int | None"], None]


class Account(NamedTuple):
    """What a client may do beyond one call: renew its token, and which image-list call to use.

    `ac_url` is the platform host that renews tokens ("" when unknown: no renewal).
    The callbacks let the caller store a renewed token, or the call that worked.
    """

    ac_url: str = ""
    cluster_id: str = ""
    image_api: str = "auto"
    known_api: str = ""
    on_token_renewed: Callable[[str], None] | None = None
    on_api_detected: Callable[[str], None] | None = None


def token_from_data(data: Any, cluster_id: str = "") -> str | None:
    """The token in a token call's `data`: a string, an object with `token`, or a list of
    such objects (one per region; the one for `cluster_id` when several carry tokens)."""
    if isinstance(data, str):
        return data.strip() or None
    if isinstance(data, dict):
        token = data.get("token")
        return token.strip() if isinstance(token, str) and token.strip() else None
    if isinstance(data, list):
        entries = [entry for entry in data if isinstance(entry, dict) and token_from_data(entry)]
        regional = [entry for entry in entries if str(entry.get("clusterId", "")) not in ("0", "")]
        for entry in regional:
            if cluster_id and str(entry.get("clusterId")) == cluster_id:
                return token_from_data(entry)
        chosen = regional or entries
        return token_from_data(chosen[0]) if chosen else None
    return None


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
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # a Location that does not parse is no origin of ours
        return "", "", None
    return parts.scheme, (parts.hostname or "").lower(), port


def host_of(url: str) -> str:
    """host[:port] for messages and labels: never the user:password@ a URL may carry."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:  # "http://[::1" and the like: show what was given
        return url.rpartition("@")[2]
    return netloc.rpartition("@")[2] or url


def is_http_url(url: str) -> bool:
    """An http(s) address with a host (and a numeric port, if any)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:  # "http://[::1", "http://h:port" and the like
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


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


def valid_token(token: str) -> bool:
    """Whether an HTTP header can carry `token` as it is: printable ASCII, no spaces."""
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


class _Parallel(NamedTuple):
    """Run these plans together (a bounded number at a time); send back their results in
    order. `report` is called with each result as it arrives."""

    plans: Sequence[Any]
    report: Callable[[Any], None]


# What a plan yields (a request to send, a pause, plans to run together), what it is sent
# back (a reply, None after a pause, a list of results) and what it returns.
_Plan = Generator["httpx.Request | _Pause | _Parallel", Any, Any]


class _Page(NamedTuple):
    access: str
    start: int
    listed: ImageList
    total: int | None

    @property
    def items(self) -> int:
        return len(self.listed.images) + self.listed.skipped


class _PageCount:
    """Counts images as pages arrive, for the progress callback."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.received = 0
        self.expected: int | None = None

    def expect(self, total: int) -> None:
        self.expected = total

    def add(self, result: Any) -> None:
        for page in result if isinstance(result, list) else [result]:
            self.received += page.items
        if self.progress is not None:
            self.progress(self.received, self.expected)


def _flatten(results: list[Any]) -> list[_Page]:
    return [page for result in results for page in (result if isinstance(result, list) else [result])]


def _merge_pages(pages: list[_Page]) -> ImageList:
    """Pages in order (public, then private; by offset), each image once."""
    order = {access: rank for rank, access in enumerate(ACCESS_LEVELS)}
    seen: set[tuple[str, str]] = set()
    images = []
    skipped = 0
    for page in sorted(pages, key=lambda page: (order.get(page.access, 9), page.start)):
        skipped += page.listed.skipped
        for image in page.listed.images:
            key = (image.id, image.path or image.version)
            if key not in seen:
                seen.add(key)
                images.append(image)
    message = pages[0].listed.message if pages else ""
    return ImageList(tuple(images), skipped, message, "post")


def _resume(plan: _Plan, outcome: Any) -> Any:
    """Hand the plan what its last step produced (a reply, a failure, None after a pause,
    results of plans run together) and return its next step; StopIteration carries the result."""
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

    def __init__(
        self,
        base_url: str,
        token: str,
        options: ClientOptions | None,
        account: Account | None = None,
        *,
        hidden: tuple[str, ...] = (),
    ) -> None:
        self.options = options or ClientOptions()
        self.account = account or Account()
        if self.account.image_api not in IMAGE_APIS:
            raise ConfigError(
                f"image_api must be one of {', '.join(IMAGE_APIS)}, not {excerpt(self.account.image_api, 20)!r}",
                "fix image_api in the profile",
            )
        self.known_api = self.account.known_api if self.account.known_api in ("get", "post") else ""
        if not is_http_url(base_url):
            raise ConfigError(
                f"The base URL {excerpt(base_url, 80)!r} is not a usable http(s) address",
                "set base_url to the region's AI address, e.g. https://host:65011",
            )
        if token and not valid_token(token):
            raise ConfigError(
                "The token is empty or holds characters an HTTP header cannot carry",
                "copy the token again without spaces or line breaks",
            )
        self.base_url = base_url
        self.url = images_url(base_url)
        self.paged_url = api_root(base_url) + PAGED_IMAGES_PATH
        self._token = token
        self._hidden = tuple(secret for secret in hidden if secret)  # masked in any excerpt, like the token
        self._scheme = urlsplit(base_url.strip()).scheme

    @property
    def token(self) -> str:
        """The token in use: a renewal replaces the one the client was made with."""
        return self._token

    def __repr__(self) -> str:
        return f"{type(self).__name__}(host={host_of(self.base_url)!r}, token=****)"

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
        if self._scheme == "http" and not _https_proxy_configured() and self.account.ac_url[:6] != "https:":
            # No TLS will happen (plain http, same-origin redirects only, no https proxy), so skip
            # loading a CA store (a third of a shell lookup's time). The context still verifies:
            # were TLS ever attempted with it, it would fail closed.
            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return True

    # --- the plans: what to send, in order; the drivers below do the sending -----

    def _retrying(self, attempt: Callable[[], Generator[Any, Any, Any]]) -> Generator[Any, Any, Any]:
        """Run `attempt()` (a plan) again, after a growing pause, while it fails in a way worth it."""
        tries = max(1, self.options.tries)
        for number in range(1, tries + 1):
            try:
                return (yield from attempt())
            except _Retry as retry:
                if number == tries:
                    raise retry.error from None
            except ApiError as error:
                if error.code != "10012" or number == tries:
                    raise
            yield _Pause(self._delay(number))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int) -> float:
        base = self.options.backoff * (2 ** (attempt - 1))
        return base + random.uniform(0, base / 2)

    def _images_plan(self, filters: dict[str, str], progress: Progress | None) -> _Plan:
        """The image list by whichever call the region serves, renewing an expired token once."""
        try:
            return (yield from self._any_api_plan(filters, progress))
        except TokenRefused as refused:
            if refused.code != "10008" or not self.account.ac_url:
                raise
        yield from self._renew_plan()
        try:
            return (yield from self._any_api_plan(filters, progress))
        except TokenRefused as refused:
            raise TokenRefused(
                f"{refused.message} — even with a freshly renewed token",
                "the account may lack access to this region's images; check it in the SCNet console",
                code=refused.code,
            ) from None

    def _any_api_plan(self, filters: dict[str, str], progress: Progress | None) -> _Plan:
        chosen = self.account.image_api
        if chosen in ("get", "post"):
            return (yield from self._api_plan(chosen, filters, progress))
        first = self.known_api or "get"
        try:
            result = yield from self._api_plan(first, filters, progress)
            used = first
        except ApiError as error:
            if error.status not in (404, 405):
                raise
            used = "post" if first == "get" else "get"
            try:
                result = yield from self._api_plan(used, filters, progress)
            except ApiError as second:
                if second.status not in (404, 405):
                    raise
                raise ApiError(
                    f"{host_of(self.base_url)} serves neither image-list call (GET {IMAGES_PATH}: "
                    f"HTTP {error.status if first == 'get' else second.status}; POST {PAGED_IMAGES_PATH}: "
                    f"HTTP {second.status if first == 'get' else error.status})",
                    "check base_url: it should be the region's AI address, e.g. https://host:65011",
                    status=second.status,
                ) from None
        if used != self.known_api:
            self.known_api = used
            if self.account.on_api_detected is not None:
                self.account.on_api_detected(used)
        return result

    def _api_plan(self, api: str, filters: dict[str, str], progress: Progress | None) -> _Plan:
        if api == "post":
            return (yield from self._paged_plan(filters, progress))
        result = yield from self._retrying(lambda: self._get_once(filters))
        return result._replace(api="get")

    def _get_once(self, filters: dict[str, str]) -> _Plan:
        body = json.dumps(filters).encode()
        payload = yield from self._exchange("GET", self.url, params=filters, body=body, headers=self._auth())
        return parse_image_list(payload)

    def _paged_plan(self, filters: dict[str, str], progress: Progress | None) -> _Plan:
        """Every page of public and private images: the first page of each tells the total,
        then the rest are fetched together, at most `pages_in_flight` at a time."""
        size = max(1, self.options.page_size)
        pages = _PageCount(progress)
        firsts: list[_Page] = yield _Parallel(
            [self._page_plan(access, 0, size, filters) for access in ACCESS_LEVELS], pages.add
        )
        rest: list[_Plan] = []
        for first in firsts:
            # A server that caps `limit` below ours answers shorter pages: step by what it sends.
            step = first.items if 0 < first.items < size else size
            if first.total is None:
                if first.items >= size:
                    rest.append(self._pages_until_short(first.access, step, size, filters))
                continue
            starts = range(step, first.total, step)
            if len(starts) > MAX_PAGES:
                raise MalformedResponse(
                    f"The server reports {first.total} {first.access} images, more than "
                    f"{MAX_PAGES * step} this client fetches",
                    "narrow the list with the accelerator or image type filters",
                )
            rest.extend(self._page_plan(first.access, start, size, filters) for start in starts)
        pages.expect(sum(first.total or first.items for first in firsts))
        more: list[Any] = (yield _Parallel(rest, pages.add)) if rest else []
        every = [*firsts, *_flatten(more)]
        # Pages that came back short (a server counting `start` in pages, not items, would do
        # this): say how many images are missing rather than pretend the list is whole.
        missing = sum(
            max(0, first.total - sum(page.items for page in every if page.access == first.access))
            for first in firsts
            if first.total is not None
        )
        return _merge_pages(every)._replace(missing=missing)

    def _pages_until_short(self, access: str, start: int, size: int, filters: dict[str, str]) -> _Plan:
        """Pages one after another, for a server that gives no total: until a short page."""
        got: list[_Page] = []
        while len(got) < MAX_PAGES:
            page = yield from self._page_plan(access, start, size, filters)
            got.append(page)
            if page.items < size:
                break
            start += page.items
        return got

    def _page_plan(self, access: str, start: int, size: int, filters: dict[str, str]) -> _Plan:
        body = {"access": access, "start": start, "limit": size, "orderBy": "create_time"}
        if filters.get("acceleratorType"):
            body["acceleratorType"] = filters["acceleratorType"]
        if filters.get("imageType"):
            body["type"] = filters["imageType"]

        def attempt() -> _Plan:
            payload = yield from self._exchange(
                "POST", self.paged_url, body=json.dumps(body).encode(), headers=self._auth()
            )
            listed = parse_image_list(payload)
            return _Page(access, start, listed, page_total(payload))

        return (yield from self._retrying(attempt))

    def _renew_plan(self) -> Generator[Any, Any, None]:
        """Trade the expired token for a new one (`/ac/openapi/v2/tokens/next`), once."""
        url = api_root(self.account.ac_url) + RENEW_PATH
        try:
            payload = yield from self._retrying(lambda: self._exchange("POST", url, headers=self._auth()))
            data, _ = parse_envelope(payload, "the token renewal answer")
            token = token_from_data(data, self.account.cluster_id)
        except (NetworkError, MalformedResponse) as error:
            error.message = f"The region refused the token (expired?), and renewing it failed: {error.message}"
            raise
        except ScnetError as error:
            code = getattr(error, "code", "")
            said = f' — the platform said "{error.server_message}"' if error.server_message else ""
            reason = f"code {code}{said}" if code else error.message
            raise TokenRefused(
                f"The region refused the token (expired?) and renewing it failed ({reason})", LOGIN_HINT, code="10008"
            ) from None
        if token is None or not valid_token(token):
            raise TokenRefused(
                "The region refused the token (expired?) and the renewal answer holds no usable token",
                LOGIN_HINT,
                code="10008",
            )
        self._token = token
        if self.account.on_token_renewed is not None:
            self.account.on_token_renewed(token)

    def _auth(self) -> dict[str, str]:
        if not valid_token(self._token):
            raise ConfigError(
                "The token is empty or holds characters an HTTP header cannot carry",
                "copy the token again without spaces or line breaks",
            )
        return {"token": self._token, "Content-Type": "application/json"}

    def _call_plan(self, method: str, url: str, headers: dict[str, str | bytes], what: str) -> Generator[Any, Any, Any]:
        """One platform call (login, region lookup): the `data` of its envelope, with retries."""

        def attempt() -> Generator[Any, Any, Any]:
            payload = yield from self._exchange(method, url, headers=headers)
            return parse_envelope(payload, what)[0]

        return (yield from self._retrying(attempt))

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, Any],
        body: bytes = b"",
        params: dict[str, str] | None = None,
    ) -> Generator[httpx.Request, _Reply, Any]:
        """One request, following same-origin redirects; returns the decoded JSON body."""
        start = url
        for _ in range(_MAX_REDIRECTS + 1):
            request = httpx.Request(method, url, params=params, content=body, headers=headers)
            reply = yield request
            if reply.status in _RETRY_STATUSES:
                raise _Retry(
                    ApiError(
                        f"HTTP {reply.status} {reply.reason} from {host_of(url)} after "
                        f"{max(1, self.options.tries)} tries: "
                        f"{excerpt(reply.body, 120, self._secrets()) or '(empty body)'}",
                        "the platform or a gateway in front of it is unavailable; try again later",
                        status=reply.status,
                    )
                )
            if reply.status in {301, 302, 303, 307, 308} and reply.location:
                target = urljoin(url, reply.location)
                if _origin(target) != _origin(url):
                    raise ApiError(
                        f"The server redirected to another host ({excerpt(host_of(target), 80)}); "
                        "the token is not sent there",
                        "if that host is right, set base_url to it",
                        status=reply.status,
                    )
                url = target.split("?", 1)[0]
                continue
            return self._decode(reply, url)
        raise ApiError(
            f"Too many redirects from {host_of(start)}",
            "check base_url; it should be the region's AI address",
        )

    def _secrets(self) -> tuple[str, ...]:
        return (self._token, *self._hidden)

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
        host = host_of(url)
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
            body = excerpt(raw, 160, self._secrets()) or "(empty body)"
            if status in {401, 403}:
                raise TokenRefused(f"Token refused, HTTP {status} from {host}: {body}", TOKEN_HINT)
            if status in {404, 405}:
                raise ApiError(
                    f"HTTP {status}: {host} has no such API at {urlsplit(url).path}",
                    "check base_url: it should be the region's AI address, e.g. https://host:65011",
                    status=status,
                )
            raise ApiError(f"HTTP {status} from {host}: {body}", "try again later", status=status)
        if not parsed:
            kind = content_type.split(";")[0].strip() or "no content type"
            body = excerpt(raw, 160, self._secrets()) or "(empty body)"
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
        account: Account | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(base_url, token, options, account)
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

    async def list_images(
        self, accelerator_type: str | None = None, image_type: str | None = None, *, progress: Progress | None = None
    ) -> ImageList:
        """Fetch the image list, filtered by the server. Raises ScnetError subclasses."""
        return await self._drive(self._images_plan(_filters(accelerator_type, image_type), progress))

    async def _drive(self, plan: _Plan) -> Any:
        try:
            step = next(plan)
            while True:
                outcome: Any = None
                try:
                    if isinstance(step, _Pause):
                        await self._sleep(step.seconds)
                    elif isinstance(step, _Parallel):
                        outcome = await self._parallel(step)
                    else:
                        outcome = await self._send(step)
                except (_Retry, ScnetError) as failure:
                    outcome = failure
                step = _resume(plan, outcome)
        except StopIteration as done:
            return done.value

    async def _parallel(self, step: _Parallel) -> list[Any]:
        import asyncio

        gate = asyncio.Semaphore(max(1, self.options.pages_in_flight))

        async def run(plan: _Plan) -> Any:
            async with gate:
                result = await self._drive(plan)
            step.report(result)
            return result

        tasks = [asyncio.ensure_future(run(plan)) for plan in step.plans]
        try:
            return list(await asyncio.gather(*tasks))
        finally:
            for task in tasks:  # one page failed: the others are not wanted any more
                task.cancel()

    async def _send(self, request: httpx.Request) -> _Reply:
        host = host_of(str(request.url))
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
    """The same client without asyncio, for the shell commands' start-up time. Use as `with`.

    Pages of the paginated call are fetched on a few threads (httpx.Client is thread-safe).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        options: ClientOptions | None = None,
        account: Account | None = None,
        *,
        hidden: tuple[str, ...] = (),
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(base_url, token, options, account, hidden=hidden)
        self._sleep = sleep
        self._http = httpx.Client(transport=transport, **self._http_options())

    def __enter__(self) -> "ScnetSyncClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def list_images(
        self, accelerator_type: str | None = None, image_type: str | None = None, *, progress: Progress | None = None
    ) -> ImageList:
        """Fetch the image list, filtered by the server. Raises ScnetError subclasses."""
        return self._drive(self._images_plan(_filters(accelerator_type, image_type), progress))

    def call(self, method: str, url: str, headers: dict[str, str | bytes], what: str) -> Any:
        """One platform call (login, region lookup) -> the `data` of its answer. The client's
        token, when it has one, goes along in the `token` header."""
        if self._token:
            headers = {**self._auth(), **headers}
        return self._drive(self._call_plan(method, url, headers, what))

    def _drive(self, plan: _Plan) -> Any:
        try:
            step = next(plan)
            while True:
                outcome: Any = None
                try:
                    if isinstance(step, _Pause):
                        self._sleep(step.seconds)
                    elif isinstance(step, _Parallel):
                        outcome = self._parallel(step)
                    else:
                        outcome = self._send(step)
                except (_Retry, ScnetError) as failure:
                    outcome = failure
                step = _resume(plan, outcome)
        except StopIteration as done:
            return done.value

    def _parallel(self, step: _Parallel) -> list[Any]:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        results: list[Any] = [None] * len(step.plans)
        pool = ThreadPoolExecutor(max(1, self.options.pages_in_flight), thread_name_prefix="scnet-page")
        futures = {pool.submit(self._drive, plan): index for index, plan in enumerate(step.plans)}
        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                step.report(results[futures[future]])
        except BaseException:
            # A page failed, or Ctrl-C: drop the pages not started, and do not wait for the
            # ones in flight (the shell command exits at once; they finish on their own).
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        return results

    def _send(self, request: httpx.Request) -> _Reply:
        host = host_of(str(request.url))
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


def _filters(accelerator_type: str | None, image_type: str | None) -> dict[str, str]:
    pairs = (("acceleratorType", accelerator_type), ("imageType", image_type))
    return {key: value for key, value in pairs if value}
