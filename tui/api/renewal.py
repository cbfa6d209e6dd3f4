"""Renewing an expired token: the rule that wraps every call to a region.

A region refuses an expired token with code 10008 (which also answers a token
that is merely invalid), or, through some gateways, 1001 ("jwt token is invalid").
When the session knows the platform host (`ac_url`, stored by `login`),
`with_renewal` trades the token once for a new one
(`POST {ac}/ac/openapi/v2/tokens/next`) and runs the call again; the session
hands the new token to whoever stores it. A refusal of a token that another client
of the account has renewed meanwhile is answered by sending the call again with the
new token, not by renewing a second time.
"""

from __future__ import annotations

from typing import Any, Callable

from ..i18n import N_, _
from .addresses import api_root, valid_token
from .envelope import parse_envelope
from .errors import LOGIN_HINT, MalformedResponse, NetworkError, ScnetError, TokenRefused
from .plans import Pause, Plan
from .transport import Session

RENEW_PATH = "/ac/openapi/v2/tokens/next"
# The refusals a renewal may mend: an expired token (10008), a gateway's invalid JWT (1001).
RENEWABLE_CODES = frozenset({"10008", "1001"})
# How often a call waiting for another client's renewal looks whether it is done.
RENEWAL_WAIT_SECONDS = 0.05

# What to check when even a renewed token is refused, by what the calls reach (translated when given).
IMAGES_ACCESS_HINT = N_("the account may lack access to this region's images; check it in the SCNet console")


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


def with_renewal(session: Session, make_plan: Callable[[], Plan], hint: str = IMAGES_ACCESS_HINT,
                 *, resend: bool = True) -> Plan:
    """Run `make_plan()`; when the region refuses the token (10008) and the session can
    renew it, renew once and run a fresh plan again. `hint` (marked with `N_`, translated
    here) says what to check when even the renewed token is refused.

    `resend` False (a call that starts, stops or deletes something: sent at most once): the
    token is renewed, but the call is not sent again; the refusal says so."""
    used = session.token
    try:
        return (yield from make_plan())
    except TokenRefused as refused:
        if refused.code not in RENEWABLE_CODES or not session.account.ac_url:
            raise
        first = refused
    yield from _renewed_once(session, used)
    if not resend:
        raise TokenRefused(
            # Translators: {message} is the refusal, a sentence of its own.
            _("{message} — so it was not carried out; the token is renewed now, and the request was not sent "
              "again on its own").format(message=first.message),
            _("send it again yourself (nothing is ever sent twice behind your back)"), code=first.code,
        )
    try:
        return (yield from make_plan())
    except TokenRefused as refused:
        raise TokenRefused(
            # Translators: {message} is the refusal, a sentence of its own.
            _("{message} — even with a freshly renewed token").format(message=refused.message),
            _(hint),
            code=refused.code,
        ) from None


def _renewed_once(session: Session, used: str) -> Plan:
    """Renew the token `used`, unless another client of the account renews it or has renewed
    it meanwhile: then wait for that one (never blocking: a plan pauses) and use its token."""
    shared = session.shared_token
    while True:
        if session.token != used:
            return  # renewed by another client meanwhile: send the call again with its token
        if shared.renewing.acquire(blocking=False):
            break
        yield Pause(RENEWAL_WAIT_SECONDS)
    try:
        if session.token == used:
            yield from renew(session)
    finally:
        shared.renewing.release()


def _time_left(token: str) -> str:
    """The time `token` has left by its own claims ("1h 2m"), or "" when it has none left
    (or says nothing): then the region may well have refused it for being expired."""
    from datetime import datetime, timezone

    from .token import describe_span, read_claims

    claims = read_claims(token)
    left = claims.seconds_left(datetime.now(timezone.utc)) if claims else None
    return describe_span(left) if left is not None and left > 0 else ""


def renew(session: Session) -> Plan:
    """Trade the expired token for a new one (`/ac/openapi/v2/tokens/next`), once."""
    url = api_root(session.account.ac_url) + RENEW_PATH
    left = _time_left(session.token)
    try:
        payload = yield from session.retrying(lambda: session.exchange("POST", url, headers=session.auth()))
        data = parse_envelope(session.without_secrets(payload), N_("the token renewal answer"))[0]
        token = token_from_data(data, session.account.cluster_id)
    except (NetworkError, MalformedResponse) as error:
        error.message = _failed(left, error.message)
        raise error.redacted(session.secrets()) from None
    except ScnetError as error:
        error.redacted(session.secrets())
        code = getattr(error, "code", "")
        raise TokenRefused(_refused(left, code, error.server_message, error.message), _(LOGIN_HINT),
                           code="10008") from None
    if token is None or not valid_token(token):
        if left:
            message = _("The region refused the token although it has {time} left (revoked, or issued by a server "
                        "that has since restarted?) and the renewal answer holds no usable token").format(time=left)
        else:
            message = _("The region refused the token (expired?) and the renewal answer holds no usable token")
        raise TokenRefused(message, _(LOGIN_HINT), code="10008")
    session.replace_token(token)


def _failed(left: str, message: str) -> str:
    """The renewal could not be done (`message` says why): whether the token had time left."""
    if left:
        return _("The region refused the token although it has {time} left (revoked, or issued by a server that "
                 "has since restarted?), and renewing it failed: {message}").format(time=left, message=message)
    return _("The region refused the token (expired?), and renewing it failed: {message}").format(message=message)


def _refused(left: str, code: str, said: str, message: str) -> str:
    """The platform refused the renewal: with its code and what it said, or the error's `message`."""
    if code and said and left:
        return _("The region refused the token although it has {time} left (revoked, or issued by a server that "
                 "has since restarted?) and renewing it failed (code {code} — the platform said \"{said}\")").format(
            time=left, code=code, said=said)
    if code and said:
        return _("The region refused the token (expired?) and renewing it failed "
                 "(code {code} — the platform said \"{said}\")").format(code=code, said=said)
    if code and left:
        return _("The region refused the token although it has {time} left (revoked, or issued by a server that "
                 "has since restarted?) and renewing it failed (code {code})").format(time=left, code=code)
    if code:
        return _("The region refused the token (expired?) and renewing it failed (code {code})").format(code=code)
    if left:
        return _("The region refused the token although it has {time} left (revoked, or issued by a server that "
                 "has since restarted?) and renewing it failed ({message})").format(time=left, message=message)
    return _("The region refused the token (expired?) and renewing it failed ({message})").format(message=message)
