"""Reading a reply: its body as it arrives (capped), then its JSON, or the error its status or
body says. The drivers feed it; nothing here sends or waits.

Large bodies are decoded with msgspec (`loads`), and the GC is kept out of the way while a
catalog's worth of objects is made (`gc_pause.py`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from ..i18n import _
from ..safe_text import excerpt
from .addresses import host_of
from .envelope import empty_body, error_in_body
from .errors import TOKEN_HINT, ApiError, MalformedResponse, TokenRefused, TooLarge
from .gc_pause import gc_paused
from .plans import Reply, Typed

if TYPE_CHECKING:
    import httpx

# Bodies from this size on are decoded with msgspec (see `loads`).
LARGE_BODY_BYTES = 1 << 20


def loads(raw: bytes | bytearray) -> Any:
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


def decode(reply: Reply, url: str, secrets: tuple[str, ...], typed: Callable[[bytes | bytearray], Any] | None = None,
           without_secrets: Callable[[Any], Any] = lambda payload: payload) -> Any:
    """A reply -> its JSON (or what `typed` read of a large successful answer, as `Typed`); an
    HTTP error status or a body that is not JSON -> an error. `secrets` are masked in any
    excerpt quoted, `without_secrets` masks them in an error answer's own words."""
    status, content_type, raw = reply.status, reply.content_type, reply.body
    host = host_of(url)
    if typed is not None and status < 300 and len(raw) >= LARGE_BODY_BYTES:
        with gc_paused(keep=True):
            value = typed(raw)
        if value is not None:
            if isinstance(raw, bytearray):
                raw.clear()
            return Typed(value)
    try:
        with gc_paused():
            payload = None if raw.isspace() or not raw else loads(raw)
    except RecursionError:
        raise MalformedResponse(
            _("HTTP {status} from {host} is JSON nested too deeply to read").format(status=status, host=host),
            _("check base_url and proxy settings"),
        ) from None
    except (ValueError, UnicodeDecodeError):
        payload = None
        parsed = False
    else:
        parsed = payload is not None
    if status >= 400:
        if parsed and isinstance(payload, dict) and "code" in payload and str(payload["code"]) != "0":
            error = error_in_body(without_secrets(payload), status)
            if error is not None:
                raise error
        body = excerpt(raw, 160, secrets) or empty_body()
        if status in {401, 403}:
            raise TokenRefused(
                _("Token refused, HTTP {status} from {host}: {body}").format(status=status, host=host, body=body),
                _(TOKEN_HINT),
            )
        if status in {404, 405}:
            raise ApiError(
                _("HTTP {status}: {host} has no such API at {path}").format(
                    status=status, host=host, path=urlsplit(url).path),
                _("check base_url: it should be the region's AI address, e.g. https://host:65011"),
                status=status,
            )
        raise ApiError(
            _("HTTP {status} from {host}: {body}").format(status=status, host=host, body=body),
            _("try again later"),
            status=status,
        )
    if not parsed:
        kind = content_type.split(";")[0].strip()
        body = excerpt(raw, 160, secrets) or empty_body()
        if kind:
            message = _("HTTP {status} from {host} is not JSON ({kind}): {body}").format(
                status=status, host=host, kind=kind, body=body)
        else:
            message = _("HTTP {status} from {host} is not JSON (no content type): {body}").format(
                status=status, host=host, body=body)
        raise MalformedResponse(
            message,
            _("a login page, proxy or gateway answered instead of the API; check base_url and proxy settings"),
        )
    if isinstance(raw, bytearray):
        raw.clear()  # release the body (60 MB at 100,000 images) before the models are built
    return payload


class Body:
    """A response body, gathered as it arrives. The limit is checked against the announced
    `Content-Length` first (an 11-byte reply announcing 255 MiB costs nothing) and then
    against what arrives. Nothing is allocated ahead: bytearray grows by realloc, which
    moves a large buffer by remapping its pages, so no single step zeroes or copies tens
    of megabytes while holding the interpreter (a 61 MB body once stalled the screen 30 ms
    that way)."""

    def __init__(self, response: httpx.Response, limit: int, host: str) -> None:
        self.limit = limit
        self.host = host
        announced = response.headers.get("content-length", "")
        compressed = response.headers.get("content-encoding", "identity") not in {"", "identity"}
        self._check(int(announced) if announced.isdigit() and not compressed else 0)
        self.data = bytearray()

    def _check(self, size: int) -> None:
        if size > self.limit:
            raise TooLarge(
                _("The response from {host} is larger than {size} MiB").format(
                    host=self.host, size=self.limit // (1024 * 1024)),
                _("narrow it with the accelerator or image type filters"),
            )

    def add(self, chunk: bytes) -> None:
        self._check(len(self.data) + len(chunk))
        self.data += chunk

    def finish(self) -> bytearray:
        return self.data


def reply_of(response: httpx.Response, body: bytearray) -> Reply:
    """What a plan is sent back for a request."""
    # The body stays a bytearray: json.loads takes it, and a copy of 60 MB is not free.
    return Reply(
        response.status_code,
        response.reason_phrase,
        response.headers.get("content-type", ""),
        body,
        response.headers.get("location", ""),
        response.headers.get("date", ""),
    )
