"""Getting tokens and region addresses: the platform's login and region-lookup calls.

- password login: `POST {ac}/ac/openapi/v2/tokens`, headers `user`, `password`, `orgId`;
- access-key login: `POST {auth}/api/user/v3/tokens`, headers `user`, `accessKey`,
  `timestamp` and `signature` (HMAC-SHA256 of the compact JSON of the first three);
- region lookup: `GET {ac}/ac/openapi/v2/center` with a region's token, whose `aiUrls`
  name the region's AI address.

Both logins answer one entry per region, `{clusterId, clusterName, token}`. The password
and secret key go into the request headers of one call and nowhere else: not into an
error message (excerpts mask them), a log line or a file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, NamedTuple

from ..i18n import N_, _
from ..safe_text import has_control_chars
from .addresses import api_root, is_http_url
from .drivers import ScnetSyncClient
from .options import ClientOptions
from .plans import envelope_data
from .errors import ApiError, MalformedResponse, NetworkError, ScnetError, TlsError, TokenRefused

PASSWORD_LOGIN_PATH = "/ac/openapi/v2/tokens"
ACCESS_KEY_LOGIN_PATH = "/api/user/v3/tokens"
CENTER_PATH = "/ac/openapi/v2/center"
DEFAULT_AC_URL = "https://www.scnet.cn"
DEFAULT_AUTH_URL = "https://api.scnet.cn"

# Marked here, translated when given.
LOGIN_REFUSED_HINT = N_("check the user name, org id and password (or access key and secret key) and try again")


class RegionToken(NamedTuple):
    """One entry of a login answer. `token` is None where the account is suspended."""

    cluster_id: str
    cluster_name: str
    token: str | None

    @property
    def platform(self) -> bool:
        """clusterId 0 ("ac") is the platform's own token, not a region's."""
        return self.cluster_id in ("0", "")

    def __repr__(self) -> str:
        return f"RegionToken({self.cluster_id!r}, {self.cluster_name!r}, token={'****' if self.token else None})"


def sign(access_key: str, secret_key: str, user: str, timestamp: str) -> str:
    """The access-key login's signature: lower-case hex HMAC-SHA256, keyed with the secret
    key, of `{"accessKey":...,"timestamp":...,"user":...}` in compact JSON (keys in this order;
    the timestamp as the same string the `timestamp` header carries)."""
    message = json.dumps(
        {"accessKey": access_key, "timestamp": timestamp, "user": user}, separators=(",", ":"), ensure_ascii=False
    )
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def parse_region_tokens(data: Any) -> list[RegionToken]:
    """A login answer's `data` (a list, or one object) -> its entries."""
    entries = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
    if entries is None:
        raise MalformedResponse(
            _("The login answer's `data` is a {type}, not a list of region tokens").format(type=type(data).__name__),
            _("check --ac-url: it should be the platform host, e.g. https://www.scnet.cn"),
        )
    tokens = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        token = entry.get("token")
        tokens.append(
            RegionToken(
                str(entry.get("clusterId", "")).strip(),
                str(entry.get("clusterName") or "").strip(),
                token.strip() if isinstance(token, str) and token.strip() else None,
            )
        )
    return tokens


def ai_url_from_center(data: Any) -> str | None:
    """The first enabled `aiUrls` address of a region-lookup answer, without a trailing `/ai`
    (API paths are appended to it, and they start with `/ai`)."""
    centers = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    for center in centers:
        urls = center.get("aiUrls") if isinstance(center, dict) else None
        for entry in urls if isinstance(urls, list) else []:
            if not isinstance(entry, dict):
                continue
            url = str(entry.get("url") or "").strip()
            if is_http_url(url) and str(entry.get("enable", "")).strip().lower() == "true":
                return api_root(url)
    return None


def _refused(error: ScnetError, how: str) -> ScnetError:
    """A login refused with an API code reads as a refusal, with what to check.
    `how` is "password" or "access-key"."""
    if isinstance(error, (ApiError, TokenRefused)) and getattr(error, "code", ""):
        if how == "access-key":
            message = _("The platform refused the access-key login: {message}").format(message=error.message)
        else:
            message = _("The platform refused the password login: {message}").format(message=error.message)
        return TokenRefused(message, _(LOGIN_REFUSED_HINT))
    if isinstance(error, NetworkError) and not isinstance(error, TlsError):
        error.hint = _("check the platform address (--ac-url, SCNET_AC_URL) and your network or VPN")
    elif isinstance(error, ApiError) and error.status in (404, 405):
        error.hint = _("check --ac-url (or --auth-url): it should be the platform host, e.g. https://www.scnet.cn")
    return error


def _header(value: str) -> str | bytes:
    # Header values are ASCII unless sent as bytes: a password may hold any character.
    return value if value.isascii() else value.encode()


def password_login(
    ac_url: str, user: str, org_id: str, password: str, options: ClientOptions | None = None
) -> list[RegionToken]:
    """Log in with a password; returns every region's token (the platform's too)."""
    headers = {"user": _header(user), "password": _header(password), "orgId": _header(org_id)}
    return _login(api_root(ac_url) + PASSWORD_LOGIN_PATH, headers, password, "password", options)


def access_key_login(
    auth_url: str,
    user: str,
    access_key: str,
    secret_key: str,
    options: ClientOptions | None = None,
    *,
    now: float | None = None,
) -> list[RegionToken]:
    """Log in with an access key; the secret key signs the request and is not sent."""
    timestamp = str(int(time.time() if now is None else now))
    headers = {
        "user": _header(user),
        "accessKey": _header(access_key),
        "timestamp": timestamp,
        "signature": sign(access_key, secret_key, user, timestamp),
    }
    return _login(api_root(auth_url) + ACCESS_KEY_LOGIN_PATH, headers, secret_key, "access-key", options)


def _login(url: str, headers: dict[str, str | bytes], secret: str, how: str, options: ClientOptions | None) -> list[RegionToken]:
    """POST a login; `secret` is masked in anything an error might quote."""
    with ScnetSyncClient(url, "", options, hidden=(secret,)) as client:
        try:
            data = client.run(client.call("POST", url, envelope_data(N_("the login answer")), headers=headers))
        except ScnetError as error:
            raise _refused(error, how) from None
    return parse_region_tokens(data)


class RegionCenter(NamedTuple):
    """What the region lookup says of a region: its AI address (None when none is enabled)
    and the user's home directory there ("" when it does not say)."""

    ai_url: str | None
    home_path: str = ""


def home_path_from_center(data: Any) -> str:
    """`clusterUserInfo.homePath` of a region-lookup answer (an object, or a list of them),
    when it is an absolute path; else ""."""
    centers = data if isinstance(data, list) else [data]
    for center in centers:
        info = center.get("clusterUserInfo") if isinstance(center, dict) else None
        home = info.get("homePath") if isinstance(info, dict) else None
        if isinstance(home, str) and home.startswith("/") and not has_control_chars(home) and len(home) < 1024:
            return home.rstrip("/") or "/"
    return ""


def region_center(ac_url: str, token: str, options: ClientOptions | None = None) -> RegionCenter:
    """What the region lookup (`/ac/openapi/v2/center`) says of the region this token belongs to."""
    with ScnetSyncClient(ac_url, token, options) as client:
        data = client.run(client.call("GET", api_root(ac_url) + CENTER_PATH, envelope_data(N_("the region lookup answer"))))
    return RegionCenter(ai_url_from_center(data), home_path_from_center(data))
