"""What a call is made of: a plan (a generator) yields what to do and is sent what came of it.

A plan yields an `httpx.Request` to send, a `Pause`, or `Parallel` plans to run together,
and is sent back a `Reply`, None after a pause, or the results; it returns the call's
result or raises its failure. The drivers (`drivers.py`) run plans; the session
(`transport.py`) builds them. No I/O here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, NamedTuple, Sequence

from .envelope import parse_envelope
from .errors import ScnetError

if TYPE_CHECKING:
    import httpx


class Retry(Exception):
    """This attempt failed in a way worth another try."""

    def __init__(self, error: ScnetError) -> None:
        super().__init__(error.message)
        self.error = error


class Typed(NamedTuple):
    """An answer a call's typed reader (`call(typed=...)`) read straight from the bytes."""

    value: Any


class Reply(NamedTuple):
    status: int
    reason: str
    content_type: str
    body: bytes | bytearray
    location: str
    date: str = ""  # the server's `Date` header: its clock, for `doctor`


class Pause(NamedTuple):
    seconds: float


class Parallel(NamedTuple):
    """Run these plans together (a bounded number at a time); send back their results in
    order. `report` is called with each result as it arrives."""

    plans: Sequence[Any]
    report: Callable[[Any], None]


# What a plan yields (a request to send, a pause, plans to run together), what it is sent
# back (a reply, None after a pause, a list of results) and what it returns.
Plan = Generator["httpx.Request | Pause | Parallel", Any, Any]


def resume(plan: Plan, outcome: Any) -> Any:
    """Hand the plan what its last step produced (a reply, a failure, None after a pause,
    results of plans run together) and return its next step; StopIteration carries the result."""
    if isinstance(outcome, BaseException):
        return plan.throw(outcome)
    return plan.send(outcome)


def envelope_data(what: str) -> Callable[[Any], Any]:
    """A reader of the `data` of a call's envelope (`what`, marked with `N_`, names the
    answer in messages)."""
    return lambda payload: parse_envelope(payload, what)[0]
