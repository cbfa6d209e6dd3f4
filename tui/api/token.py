"""What can be read from a token without verifying it.

SCNet tokens are JWTs (HS256) whose payload names the user and an
`expireTime` in epoch milliseconds. The client cannot check the signature and
does not need to: these claims only drive what the header shows. A token that
is not a JWT is still a valid token; it just has no claims to show.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import NamedTuple
from datetime import datetime, timezone

from ..i18n import _

# Under this many seconds left, the token's time is shown as a warning.
EXPIRY_WARNING_SECONDS = 2 * 3600


class TokenClaims(NamedTuple):
    user: str
    expires_at: datetime | None  # aware, UTC
    cluster_id: str = ""
    account_status: str = ""

    def seconds_left(self, now: datetime) -> float | None:
        if self.expires_at is None:
            return None
        return (self.expires_at - now).total_seconds()


def read_claims(token: str) -> TokenClaims | None:
    """Decode a JWT's payload; None when the token is not a readable JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    segment = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        payload = json.loads(base64.urlsafe_b64decode(segment))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    expires_at = None
    raw_expiry = payload.get("expireTime", payload.get("exp"))
    try:
        if raw_expiry is not None and not isinstance(raw_expiry, bool):
            number = float(raw_expiry)
            # expireTime is in milliseconds; a standard `exp` is in seconds.
            seconds = number / 1000 if number > 1e11 else number
            expires_at = datetime.fromtimestamp(seconds, timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        expires_at = None
    return TokenClaims(
        user=str(payload.get("user") or payload.get("computeUser") or ""),
        expires_at=expires_at,
        cluster_id=str(payload.get("clusterId") or ""),
        account_status=str(payload.get("accountStatus") or ""),
    )


def describe_time_left(seconds: float) -> str:
    """3725 -> '1h 2m left'; negative -> 'expired 5m ago'."""
    if seconds < 0:
        return _("expired {time} ago").format(time=describe_span(-seconds))
    # Translators: a token's time left, e.g. "1h 2m left".
    return _("{time} left").format(time=describe_span(seconds))


def describe_expiry(seconds: float) -> str:
    """3725 -> 'expires in 1h 2m'; negative -> 'expired 5m ago'."""
    if seconds < 0:
        return _("expired {time} ago").format(time=describe_span(-seconds))
    # Translators: said of a token, e.g. "expires in 1h 2m".
    return _("expires in {time}").format(time=describe_span(seconds))


def describe_span(seconds: float) -> str:
    """A length of time in its two largest units: 3725 -> '1h 2m'."""
    if seconds < 60:
        # Translators: a short length of time: seconds, abbreviated.
        return _("{seconds}s").format(seconds=int(seconds))
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 60 * 24)
    hours, minutes = divmod(minutes, 60)
    if days:
        # Translators: a length of time in days and hours, abbreviated.
        return _("{days}d {hours}h").format(days=days, hours=hours)
    if hours:
        # Translators: a length of time in hours and minutes, abbreviated.
        return _("{hours}h {minutes}m").format(hours=hours, minutes=minutes)
    # Translators: a length of time in minutes, abbreviated.
    return _("{minutes}m").format(minutes=minutes)
