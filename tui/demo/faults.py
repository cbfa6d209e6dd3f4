"""Injected faults: what the demo API does instead of (or after) answering a region call.

`--fault KIND:VALUE[xN][@CALL]`: a latency, an HTTP status (with a gateway's page), an API
code, a malformed body, or a dropped connection; for every region call, or one call by
name. A fault aimed at a call that starts, stops or deletes something strikes after the
call was carried out (a lost answer), except an API code, which the platform gives instead
of acting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from .envelope import Answer, api_error

FAULT_KINDS = ("latency", "status", "code", "malformed", "drop")
# The region calls a fault may be aimed at (`Route.name`); faults aimed at an action strike
# after it was carried out.
FAULT_CALLS = ("images", "groups", "limits", "mounts", "create", "list", "detail", "url", "restart", "stop",
               "delete", "execute", "resize")
ACTION_CALLS = frozenset({"create", "restart", "stop", "delete", "execute", "resize"})
MALFORMED_KINDS = ("html", "not-json", "array", "data-string", "no-code", "empty")

_GATEWAY_PAGE = (
    "<html><head><title>{status} {reason}</title></head><body>"
    "<center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>"
)
_MALFORMED_BODIES = {
    "html": (b"<!DOCTYPE html><html><head><title>SCNet \xe7\x99\xbb\xe5\xbd\x95</title></head>"
             b"<body>Please log in</body></html>", "text/html"),
    "not-json": (b'{"code": "0", "msg": "success", "data": [{"name": "pyt', "application/json"),
    "array": (b'[{"name": "pytorch"}]', "application/json"),
    "data-string": (b'{"code": "0", "msg": "success", "data": "pytorch"}', "application/json"),
    "no-code": (b'{"status": "ok", "images": []}', "application/json"),
    "empty": (b"", "application/json"),
}


@dataclass
class Fault:
    """One injected fault. `times` None means until cleared; `call` "" means every region
    call, else the one of that name (`FAULT_CALLS`)."""

    kind: str
    value: str = ""
    times: int | None = None
    call: str = ""

    @classmethod
    def parse(cls, spec: str) -> "Fault":
        """`latency:2`, `status:502`, `code:10008`, `malformed:html`, `drop`, optionally `xN` for
        N times, then optionally `@CALL` for one call only (`status:504x1@create`)."""
        spec, at, call = spec.partition("@")
        if at and call not in FAULT_CALLS:
            raise ValueError(f"unknown call {call!r}; one of {', '.join(FAULT_CALLS)}")
        times = None
        if "x" in spec.rsplit(":", 1)[-1] and spec.rsplit("x", 1)[-1].isdigit():
            spec, count = spec.rsplit("x", 1)
            times = int(count)
            if times < 1:
                raise ValueError("xN: N must be 1 or more")
        kind, _, value = spec.partition(":")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        if kind == "malformed" and value not in MALFORMED_KINDS:
            raise ValueError(f"unknown malformed body {value!r}; one of {', '.join(MALFORMED_KINDS)}")
        if kind == "latency" and not 0 <= float(value) <= 3600:  # float() raises ValueError for no number
            raise ValueError("latency: seconds from 0 to 3600")
        if kind == "status" and not (value.isdigit() and 100 <= int(value) <= 599):
            raise ValueError("status: an HTTP status from 100 to 599")
        return cls(kind, value, times, call)

    @property
    def after(self) -> bool:
        """Whether it strikes once the call was carried out: aimed at an action, and a fault
        that could come after it (an answer lost or garbled, a delay), not an error code
        (the platform refusing it, which it would do instead of acting)."""
        return self.call in ACTION_CALLS and self.kind != "code"


class Dropped(Exception):
    """Raised to end a request without any answer: the connection is closed."""


def fault_answer(fault: Fault) -> Answer | None:
    """Act out a fault: None after a latency (the call goes on), else the answer that replaces
    it; a dropped connection raises Dropped."""
    if fault.kind == "latency":
        time.sleep(float(fault.value or 1))
        return None
    if fault.kind == "drop":
        raise Dropped
    if fault.kind == "status":
        status = int(float(fault.value or 500))
        reason = BaseHTTPRequestHandler.responses.get(status, ("Error",))[0]
        return Answer(status, _GATEWAY_PAGE.format(status=status, reason=reason).encode(), "text/html")
    if fault.kind == "code":
        return api_error(fault.value or "10001")
    body, content_type = _MALFORMED_BODIES[fault.value]
    return Answer(200, body, content_type)
