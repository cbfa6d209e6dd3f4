"""The transport: how every SCNet call is sent and read, whatever the call.

A call is a *plan* (`plans.py`): a generator that yields what to do (an `httpx.Request`
to send, a `Pause`, `Parallel` plans) and is sent back what came of it (a `Reply`,
None, the results). Plans are written once, in the call family modules
(`images.py`, `auth.py`, ...); the two drivers in `drivers.py` run them, one
with asyncio (the browser), one without (the shell commands, which must start
fast). This module holds the rules every call follows, with no I/O:

- `Session.exchange`: one request, same-origin redirects only, the body cap,
  JSON decoding, HTTP statuses and non-JSON bodies turned into errors;
- `Session.retrying`: another try, after a growing pause, for connection
  failures, 502-504 and the platform's 10012 — never for a call made `once`
  (one that starts, stops or deletes something: see `Session.call`);
- `envelope_data`: the `{"code", "msg", "data"}` answer every call gives;
- `failure_for` (network_errors.py): an httpx exception -> the error people read.

The token travels only in the `token` header: it is never put in a URL, a log
line, an exception message or a repr, and never follows a redirect to another
origin.
"""

from __future__ import annotations

import json
import logging
import os
import random
import ssl
from typing import TYPE_CHECKING, Any, Callable, Generator
from urllib.parse import urljoin, urlsplit

from ..i18n import _, ngettext
from ..safe_text import excerpt, redact
from .addresses import api_root, host_of, is_http_url, origin, shown_url, userinfo_secrets, valid_token
from .options import Account, ClientOptions, SharedToken
from .errors import ApiError, ConfigError, MalformedResponse, OutcomeUnknown, ScnetError
from .envelope import MESSAGE_KEYS, empty_body
from .plans import Pause, Plan, Reply, Retry, Typed
from .replies import decode

if TYPE_CHECKING:  # imported by the drivers, with the first client made: a start from the cache needs none
    import httpx

USER_AGENT = "scnet-images/0.1"

# httpx logs every request at INFO; an app that draws on the terminal wants silence.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

_RETRY_STATUSES = frozenset({502, 503, 504})
# Answers to a request sent once that do not say whether it was carried out: the platform's
# "connection interrupted" (10012), "internal error" (10001) and "database error" (716020)
# codes; a request timeout (408) and a client that closed (499, nginx).
UNSURE_CODES = frozenset({"10012", "10001", "716020"})
_UNSURE_STATUSES = frozenset({408, 499})
_MAX_REDIRECTS = 3


def _https_proxy_configured() -> bool:
    names = ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
    return any(os.environ.get(name, "").lower().startswith("https://") for name in names)


# --- the session: every rule, no I/O ------------------------------------------------------------


class Session:
    """A region (or platform) address, a token, and the rules every call follows.

    The drivers (`drivers.py`) subclass this and add `run(plan)`, which sends what the
    plan yields. Call families build plans with `exchange` and `retrying`.
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
        # Which image-list call answered last (the images family reads and updates it).
        self.known_api = self.account.known_api if self.account.known_api in ("get", "post") else ""
        # Which path the instance list answered at last (the containers family reads and updates it).
        self.known_instance_list = self.account.known_instance_list
        if not is_http_url(base_url):
            raise ConfigError(
                _("The base URL {url} is not a usable http(s) address").format(
                    url=repr(excerpt(shown_url(base_url), 80))),
                _("set base_url to the region's AI address, e.g. https://host:65011"),
            )
        if token and not valid_token(token):
            raise ConfigError(
                _("The token is empty or holds characters an HTTP header cannot carry"),
                _("copy the token again without spaces or line breaks"),
            )
        self.base_url = base_url
        self.root = api_root(base_url)
        # Shared with every other client of the account in this process, when the caller says so.
        self._token = self.account.shared_token or SharedToken(token)
        # Masked in anything an error quotes, like the token.
        self._hidden = tuple(secret for secret in (*hidden, *userinfo_secrets(base_url)) if secret)
        self._scheme = urlsplit(base_url.strip()).scheme

    @property
    def shared_token(self) -> SharedToken:
        """The account's token as every client of it in this process reads it."""
        return self._token

    @property
    def token(self) -> str:
        """The token in use: a renewal (by this client or another of the account) replaces it."""
        return self._token.value

    def replace_token(self, token: str) -> None:
        """Use `token` from now on (a renewal), and tell whoever stores it."""
        self._token.value = token
        if self.account.on_token_renewed is not None:
            self.account.on_token_renewed(token)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(host={host_of(self.base_url)!r}, token=****)"

    def run(self, plan: Plan) -> Any:  # pragma: no cover - the drivers define it
        raise NotImplementedError

    def http_options(self, *, platform: bool = False) -> dict[str, Any]:
        """What an httpx client is made with: for the session's own host, or (`platform`) for
        any other host a plan calls (the platform renewing a token), whose TLS checks are
        skipped only by a setting of their own (`ac_insecure`)."""
        import httpx

        return {
            "timeout": httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
            "verify": self._verify(platform),
            "follow_redirects": False,
            # Proxies come from the environment; a custom transport (tests only) turns that off.
            "trust_env": True,
            "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
        }

    def is_home(self, url: str) -> bool:
        """Whether `url` is on the session's own origin (scheme, host and port)."""
        return origin(url) == origin(self.base_url)

    def _verify(self, platform: bool) -> ssl.SSLContext | bool:
        if self.options.ac_insecure if platform else self.options.insecure:
            return False
        if self.options.ca_bundle:
            try:
                return ssl.create_default_context(cafile=self.options.ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(
                    _("The CA bundle {path} cannot be read ({error})").format(
                        path=self.options.ca_bundle, error=exc.__class__.__name__),
                    _("point ca_bundle at a PEM file of trusted certificates"),
                ) from None
        if not platform and self._scheme == "http" and not _https_proxy_configured():
            # No TLS will happen on this client (plain http, same-origin redirects only, no https
            # proxy), so skip loading a CA store (a third of a shell lookup's time). The context
            # still verifies: were TLS ever attempted with it, it would fail closed.
            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return True

    def auth(self) -> dict[str, str]:
        """The headers of an authorised call with a JSON body."""
        if not valid_token(self.token):
            raise ConfigError(
                _("The token is empty or holds characters an HTTP header cannot carry"),
                _("copy the token again without spaces or line breaks"),
            )
        return {"token": self.token, "Content-Type": "application/json"}

    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a message: the token and whatever else the caller hid."""
        return (self.token, *self._hidden)

    def without_secrets(self, payload: Any) -> Any:
        """An error answer whose `msg` (or `message`) has the secrets masked, before anything cuts it short
        (a long token cut in half would no longer be found)."""
        if isinstance(payload, dict) and str(payload.get("code", "0")) != "0":
            masked = {key: redact(payload[key], self.secrets()) for key in MESSAGE_KEYS
                      if isinstance(payload.get(key), str)}
            return {**payload, **masked} if masked else payload
        return payload

    # --- building blocks of plans ------------------------------------------------------

    def retrying(self, attempt: Callable[[], Plan]) -> Plan:
        """Run `attempt()` (a plan) again, after a growing pause, while it fails in a way worth it."""
        tries = max(1, self.options.tries)
        for number in range(1, tries + 1):
            try:
                return (yield from attempt())
            except Retry as retry:
                if number == tries:
                    raise retry.error from None
            except ApiError as error:
                if error.code != "10012" or number == tries:
                    raise
            yield Pause(self._delay(number))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int) -> float:
        base = self.options.backoff * (2 ** (attempt - 1))
        return base + random.uniform(0, base / 2)

    def call(
        self,
        method: str,
        url: str,
        read: Callable[[Any], Any],
        *,
        headers: dict[str, Any] | None = None,
        body: Any = None,
        params: dict[str, Any] | None = None,
        max_bytes: int | None = None,
        typed: Callable[[bytes | bytearray], Any] | None = None,
        once: bool = False,
    ) -> Plan:
        """One authorised call, retried as the rules say: `read(decoded JSON)` is its result.

        `body` (any JSON value) goes as JSON; `headers` replace the token headers (the
        login calls carry their own credentials instead); `max_bytes` caps this answer below
        the session's cap (a page of a list has no reason to be large). `typed(body)` is a
        faster reader of a large successful answer: its result, unless it returns None
        (the answer does not fit its types), when `read` reads the answer as usual.

        `once`: the call starts, stops or deletes something (it costs money, or loses work).
        It is sent at most once: never retried, no redirect followed with its body; any
        failure after it may have reached the server is OutcomeUnknown. A definite refusal
        (an error code, a 4xx status) is reported as usual: nothing was done."""
        content = b"" if body is None else json.dumps(body).encode()

        def attempt() -> Plan:
            sent = self.auth() if headers is None else headers
            try:
                payload = yield from self.exchange(
                    method, url, headers=sent, body=content, params=params, max_bytes=max_bytes, typed=typed,
                    once=once,
                )
                if isinstance(payload, Typed):
                    return payload.value
                return read(self.without_secrets(payload))
            except ScnetError as error:  # it may quote the server, which may quote a secret
                raise error.redacted(self.secrets()) from None

        if not once:
            return (yield from self.retrying(attempt))
        try:
            return (yield from attempt())
        except Retry as retry:  # it never left (a refused connection): worth no second try here
            raise retry.error.redacted(self.secrets()) from None
        except MalformedResponse as error:  # it answered, but what? It may have acted
            raise OutcomeUnknown(error.message, _("it may have happened: check before sending it again"),
                                 cause=error.message) from None
        except ApiError as error:
            if error.code not in UNSURE_CODES:
                raise
            raise OutcomeUnknown(error.message, _("it may have happened: check before sending it again"),
                                 cause=error.message) from None

    def exchange(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, Any],
        body: bytes = b"",
        params: Any = None,
        max_bytes: int | None = None,
        typed: Callable[[bytes | bytearray], Any] | None = None,
        once: bool = False,
    ) -> Generator[httpx.Request, Reply, Any]:
        """One request, following same-origin redirects; returns the decoded JSON body (or
        what `typed` read from it: see `call`). `once`: a request that must not be sent
        twice (see `call`): no redirect is followed, and a server error (5xx) or a
        redirect is OutcomeUnknown."""
        import httpx

        start = url
        for _redirect in range(_MAX_REDIRECTS + 1):
            request = httpx.Request(method, url, params=params, content=body, headers=headers)
            if max_bytes is not None:
                request.extensions["max_bytes"] = max_bytes  # the drivers cap the body they read
            if once:
                request.extensions["once"] = True  # the drivers word a failure after sending as such
            reply = yield request
            if once and (reply.status >= 500 or 300 <= reply.status < 400 or reply.status in _UNSURE_STATUSES):
                raise self._unanswered(reply, url)
            if reply.status in _RETRY_STATUSES:
                tries = max(1, self.options.tries)
                raise Retry(
                    ApiError(
                        ngettext("HTTP {status} {reason} from {host} after {tries} try: {body}",
                                 "HTTP {status} {reason} from {host} after {tries} tries: {body}", tries).format(
                            status=reply.status, reason=reply.reason, host=host_of(url), tries=tries,
                            body=excerpt(reply.body, 120, self.secrets()) or empty_body()),
                        _("the platform or a gateway in front of it is unavailable; try again later"),
                        status=reply.status,
                    )
                )
            if reply.status in {301, 302, 303, 307, 308} and reply.location:
                target = urljoin(url, reply.location)
                if origin(target) != origin(url):
                    raise ApiError(
                        _("The server redirected to another host ({host}); the token is not sent there").format(
                            host=excerpt(host_of(target), 80)),
                        _("if that host is right, set base_url to it"),
                        status=reply.status,
                    )
                url = target.split("?", 1)[0]
                continue
            return decode(reply, url, self.secrets(), typed, self.without_secrets)
        raise ApiError(
            _("Too many redirects from {host}").format(host=host_of(start)),
            _("check base_url; it should be the region's AI address"),
        )

    def _unanswered(self, reply: Reply, url: str) -> OutcomeUnknown:
        """A request sent once got a server error or a redirect: whether it was carried out
        before that is unknown (a gateway that timed out may have passed it on)."""
        if 300 <= reply.status < 400:
            # Translators: {status} is an HTTP redirect status, {host} where the request went.
            cause = _("HTTP {status} from {host}, a redirect (not followed: the request is never sent twice)").format(
                status=reply.status, host=host_of(url))
        else:
            cause = _("HTTP {status} {reason} from {host}: {body}").format(
                status=reply.status, reason=reply.reason, host=host_of(url),
                body=excerpt(reply.body, 120, self.secrets()) or empty_body())
        return OutcomeUnknown(cause, _("it may have happened: check before sending it again"), cause=cause)
