"""What a client is told before it sends anything: the transport policy and what the
account allows. Plain data, no httpx: the settings code imports this at start-up.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

# Which image-list call a profile uses: "auto" tries the documented GET, then the paginated POST.
IMAGE_APIS = ("auto", "get", "post")


class ClientOptions(NamedTuple):
    """Transport policy. Times are seconds; `tries` counts the first attempt."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    tries: int = 3
    backoff: float = 0.5
    # The largest answer read: twice a 100,000-image catalog. Decoded JSON takes several
    # times its size in memory (up to ~25x for tiny items), so this also bounds memory.
    max_body_bytes: int = 128 * 1024 * 1024
    # The largest page of a paginated list (100 items of a few hundred bytes each).
    max_page_bytes: int = 16 * 1024 * 1024
    ca_bundle: str | None = None
    insecure: bool = False  # no TLS checks for the session's own host (the region), knowingly
    ac_insecure: bool = False  # the same for any other host (the platform, which renews tokens)
    deadline: float = 120.0  # the longest a whole call may take, however the server trickles
    page_size: int = 100
    pages_in_flight: int = 4


class SharedToken:
    """The token of one account in one process. Every client made for the account reads it
    here, so a renewal by one (the browser's loading thread, say) is what the others (the
    instances view) send next, and the same expired token is never renewed twice."""

    __slots__ = ("value", "renewing")

    def __init__(self, value: str) -> None:
        import threading

        self.value = value
        # Held by whichever client renews it: the others wait for it, then use its token.
        self.renewing = threading.Lock()

    def __repr__(self) -> str:
        return "SharedToken(****)"


class Account(NamedTuple):
    """What a client may do beyond one call: renew its token, and which image-list call to use.

    `ac_url` is the platform host that renews tokens ("" when unknown: no renewal).
    The callbacks let the caller store a renewed token, or the call that worked.
    """

    ac_url: str = ""
    cluster_id: str = ""
    image_api: str = "auto"
    known_api: str = ""
    on_token_renewed: Callable[[str], None] | None = None
    on_api_detected: Callable[[str], None] | None = None
    # The same for the instance list's path ("task" or "task/list"; containers.LIST_PATHS).
    known_instance_list: str = ""
    on_instance_list_detected: Callable[[str], None] | None = None
    shared_token: SharedToken | None = None  # the account's token in this process (see SharedToken)
