"""What an address or a token may be, and how they are shown.

`api_root` is where every call's path is appended; `host_of` is the only way an
address reaches a message or a label (it drops any user:password@); `valid_token`
says whether a header can carry a token at all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..i18n import _

# Suffixes a configured base URL may carry that API paths are not appended to.
_API_SUFFIXES = (
    "/ai/openapi/v2/instance-service/images",
    "/ai/openapi/v2/instance-service",
    "/ai/openapi/v2",
    "/ai/openapi",
    "/ai",
)


def api_root(base_url: str) -> str:
    """The origin (plus any prefix) that API paths are appended to.

    Accepts `https://host:65011`, `https://host:65011/`, `.../ai`, `.../ai/openapi/v2`
    or the full image-list URL, so the request path is never doubled.
    """
    root = base_url.strip().rstrip("/")
    for suffix in _API_SUFFIXES:
        if root.endswith(suffix):
            root = root[: -len(suffix)]
            break
    return root.rstrip("/")


def origin(url: str) -> tuple[str, str, int | None]:
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


def valid_token(token: str) -> bool:
    """Whether an HTTP header can carry `token` as it is: printable ASCII, no spaces."""
    return bool(token) and all(33 <= ord(char) <= 126 for char in token)


def shown_url(url: str) -> str:
    """An address as a message may show it: scheme, host, port and path, never the
    user:password@ or the query (either may carry a credential)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return host_of(url)
    if "://" not in url:
        # `alice:pw@host:65011` parses with "alice" as the scheme: drop all before the last @.
        # Translators: stands in a message where an address was given empty.
        return url.strip().rpartition("@")[2].split("/", 1)[0] or _("(no address)")
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def userinfo_secrets(url: str) -> tuple[str, ...]:
    """The password (and user) an address carries, to be masked wherever they could show."""
    text = url.strip()
    if "://" not in text:
        text = "//" + text  # a bare `user:pw@host` is still read as one
    try:
        parts = urlsplit(text)
        return tuple(part for part in (parts.password, parts.username) if part)
    except ValueError:
        head = text.rpartition("@")[0].removeprefix("//").split("://")[-1]
        return tuple(part for part in head.split(":", 1) if part)
