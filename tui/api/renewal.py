"""Renewing an expired token: the rule that wraps every call to a region.

A region refuses an expired token with code 10008 (which also answers a token
that is merely invalid). When the session knows the platform host (`ac_url`,
stored by `login`), `with_renewal` trades the token once for a new one
(`POST {ac}/ac/openapi/v2/tokens/next`) and runs the call again; the session
hands the new token to whoever stores it.
"""

from __future__ import annotations

from typing import Any, Callable

from .addresses import api_root, valid_token
from .envelope import parse_envelope
from .errors import LOGIN_HINT, MalformedResponse, NetworkError, ScnetError, TokenRefused
from .transport import Plan, Session

RENEW_PATH = "/ac/openapi/v2/tokens/next"


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


def with_renewal(session: Session, make_plan: Callable[[], Plan], what: str = "this region's images") -> Plan:
    """Run `make_plan()`; when the region refuses the token (10008) and the session can
    renew it, renew once and run a fresh plan again. `what` names what the calls reach."""
    try:
        return (yield from make_plan())
    except TokenRefused as refused:
        if refused.code != "10008" or not session.account.ac_url:
            raise
    yield from renew(session)
    try:
        return (yield from make_plan())
    except TokenRefused as refused:
        raise TokenRefused(
            f"{refused.message} — even with a freshly renewed token",
            f"the account may lack access to {what}; check it in the SCNet console",
            code=refused.code,
        ) from None


def _refused_why(token: str) -> str:
    """Why the region may have refused `token`, going by its own claims."""
    from datetime import datetime, timezone

    from .token import describe_time_left, read_claims

    claims = read_claims(token)
    left = claims.seconds_left(datetime.now(timezone.utc)) if claims else None
    if left is not None and left > 0:
        return f"although it has {describe_time_left(left)} (revoked, or issued by a server that has since restarted?)"
    return "(expired?)"


def renew(session: Session) -> Plan:
    """Trade the expired token for a new one (`/ac/openapi/v2/tokens/next`), once."""
    url = api_root(session.account.ac_url) + RENEW_PATH
    why = _refused_why(session.token)
    try:
        payload = yield from session.retrying(lambda: session.exchange("POST", url, headers=session.auth()))
        data, _ = parse_envelope(session.without_secrets(payload), "the token renewal answer")
        token = token_from_data(data, session.account.cluster_id)
    except (NetworkError, MalformedResponse) as error:
        error.message = f"The region refused the token {why}, and renewing it failed: {error.message}"
        raise error.redacted(session.secrets()) from None
    except ScnetError as error:
        error.redacted(session.secrets())
        code = getattr(error, "code", "")
        said = f' — the platform said "{error.server_message}"' if error.server_message else ""
        reason = f"code {code}{said}" if code else error.message
        raise TokenRefused(
            f"The region refused the token {why} and renewing it failed ({reason})", LOGIN_HINT, code="10008"
        ) from None
    if token is None or not valid_token(token):
        raise TokenRefused(
            f"The region refused the token {why} and the renewal answer holds no usable token",
            LOGIN_HINT,
            code="10008",
        )
    session.replace_token(token)
