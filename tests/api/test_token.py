"""Reading a token's claims without verifying it; any token that is not a JWT still works."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest

from tui.api.token import describe_time_left, read_claims


def jwt(payload: object) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{encoded}.c2ln"


def test_the_documented_payload() -> None:
    claims = read_claims(jwt({"computeUser": "slurmtest", "accountStatus": "Trial", "expireTime": "1687846613952",
                              "clusterId": "11112", "user": "slurmtest", "userId": "11655048541"}))
    assert claims is not None
    assert claims.user == "slurmtest" and claims.cluster_id == "11112" and claims.account_status == "Trial"
    assert claims.expires_at == datetime.fromtimestamp(1687846613.952, timezone.utc)


def test_standard_exp_in_seconds() -> None:
    claims = read_claims(jwt({"user": "a", "exp": 1700000000}))
    assert claims is not None and claims.expires_at == datetime.fromtimestamp(1700000000, timezone.utc)


@pytest.mark.parametrize("token", ["plain-opaque-token", "a.b.c", "a.!!!.c", jwt([1, 2]), jwt("x"), ""])
def test_tokens_that_are_not_readable_jwts(token: str) -> None:
    assert read_claims(token) is None


def test_bad_expiry_is_ignored() -> None:
    claims = read_claims(jwt({"user": "a", "expireTime": "soon"}))
    assert claims is not None and claims.expires_at is None


@pytest.mark.parametrize(
    "seconds, text",
    [(59, "59s left"), (61, "1m left"), (3725, "1h 2m left"), (90000, "1d 1h left"), (-300, "expired 5m ago")],
)
def test_time_left(seconds: float, text: str) -> None:
    assert describe_time_left(seconds) == text
