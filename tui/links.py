"""The addresses an instance gives people: access URLs and SSH entry points.

Each is checked before it is printed, copied or opened (a value that is not what its
field promises is refused, with the reason), shown with any credential in it masked
(an access URL carries `?token=sothisai_...`), and turned into an `ssh` command line
quoted for the shell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .i18n import _
from .safe_text import has_control_chars, redact
from .shell_text import CommandLine, command_line

_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
_USER = re.compile(r"[A-Za-z_][A-Za-z0-9._-]{0,31}")
_SSH = re.compile(r"(?:ssh://)?(?:(?P<user>[^@/\s]+)@)?(?P<host>\[[^\]]+\]|[^:/\s]+)(?::(?P<port>\d{1,5}))?/?")
MAX_URL_LENGTH = 4096


def url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) address to open or copy (a phrase), or None when it is."""
    if not url:
        return _("it is empty")
    if has_control_chars(url) or any(char.isspace() for char in url):
        return _("it holds spaces, control or invisible characters")
    if len(url) > MAX_URL_LENGTH:
        return _("it is longer than {limit} characters").format(limit=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises ValueError)
    except ValueError:
        return _("it does not parse as a URL")
    if parts.scheme not in ("http", "https"):
        return _("it is not an http(s) address")
    if not parts.hostname or not _HOST.fullmatch(parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"):
        return _("it names no valid host")
    if "@" in parts.netloc:
        return _("it carries a user name or password before the host")
    return None


# A user name as useradd takes it by default (lower case): what is kept of a URL's user part,
# unless it looks like a key (16 or more hexadecimal digits).
_PLAIN_USER = re.compile(r"(?![0-9a-f]{16,}$)[a-z_][a-z0-9_-]{0,31}")
_USERINFO = re.compile(r"//(?P<user>[^/@\s:]*)(?P<password>:[^/@\s]*)?@")
# Keys of a record whose value is a secret whatever it holds.
_SECRET_KEYS = frozenset({"token", "password", "secret", "secretkey", "accesstoken"})


def masked(url: str) -> str:
    """`url` as it may be shown: credentials in its query (token=...) and the password of a
    `user:password@` before its host masked; a user that is no plain user name (a token put
    there) masked too, a plain one (`ssh://root@host`) kept: ssh needs it."""
    def userinfo(match: re.Match[str]) -> str:
        user = match.group("user") if _PLAIN_USER.fullmatch(match.group("user")) else "****"
        return f"//{user}{':****' if match.group('password') is not None else ''}@"

    return _USERINFO.sub(userinfo, redact(url))


def masked_fields(value: Any) -> Any:
    """A record of the platform's (nested dicts and lists) with every credential in its
    text masked (`token=...` in an access URL): what is printed unless secrets are asked for."""
    if isinstance(value, str):
        return masked(value)
    if isinstance(value, Mapping):
        return {key: "****" if str(key).lower().replace("_", "") in _SECRET_KEYS and item else masked_fields(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [masked_fields(item) for item in value]
    return value


def ssh_command(access_url: str) -> CommandLine:
    """`ssh -p PORT USER@HOST` for an SSH port's access URL (`ssh://root@host:30022`,
    `root@host:30022`, `host:30022`), or the reason there is none."""
    match = _SSH.fullmatch(access_url.strip())
    if match is None or has_control_chars(access_url):
        return CommandLine("", _("the SSH address is not of the form [ssh://][user@]host[:port]"))
    user, host, port = match.group("user") or "root", match.group("host"), match.group("port")
    if not _USER.fullmatch(user):
        return CommandLine("", _("the SSH address names an unusable user"))
    if not _HOST.fullmatch(host) or host.startswith("-"):
        return CommandLine("", _("the SSH address names no valid host"))
    if port is not None and not 0 < int(port) < 65536:
        return CommandLine("", _("the SSH address names an impossible port"))
    return command_line("ssh", *(["-p", port] if port else []), f"{user}@{host}")
