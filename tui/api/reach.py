"""Whether a host answers at all, and how: the read-only probe `scnet-images doctor` makes.

`reach(client, url)` sends one GET to `url` (a host's root, say) and reads nothing of the
answer but its status and `Date` header: any HTTP answer means the host was reached over
the network, TLS included. The round trip is timed, and the server's clock compared with
this machine's (an access-key login is refused when they differ by more than a few minutes).
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

from .plans import Plan, Reply, Retry
from .transport import Session


class Reached(NamedTuple):
    status: int
    seconds: float  # the round trip of the request
    clock_offset: float | None  # the server's clock minus this machine's, in seconds (None: no Date)


def reach(client: Session, url: str) -> Any:
    """One GET to `url` with no token; what `client.run` gives (awaitable with the async client).
    Raises the network and TLS errors any call raises."""
    def plan() -> Plan:
        import httpx

        request = httpx.Request("GET", url, headers={"Accept": "*/*"})
        request.extensions["max_bytes"] = 1 << 20  # a home page, at most: nothing of it is read
        sent = time.time()
        try:
            reply: Reply = yield request
        except Retry as retry:  # worth another try elsewhere; here, what happened is the answer
            raise retry.error from None
        back = time.time()
        return Reached(reply.status, back - sent, _offset(reply.date, (sent + back) / 2))

    return client.run(plan())


def _offset(date: str, local: float) -> float | None:
    try:
        server = parsedate_to_datetime(date).timestamp() if date else None
    except (TypeError, ValueError, IndexError):
        return None
    return None if server is None else server - local
