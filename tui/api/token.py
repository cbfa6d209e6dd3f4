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
        return f"expired {_span(-seconds)} ago"
    return f"{_span(seconds)} left"


def describe_expiry(seconds: float) -> str:
    """3725 -> 'expires in 1h 2m'; negative -> 'expired 5m ago'."""
    return f"expired {_span(-seconds)} ago" if seconds < 0 else f"expires in {_span(seconds)}"


def _span(seconds: float) -> str:
    if seconds < 60:
        return f"{int(seconds)}s"
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 60 * 24)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"
