"""An SCNet-compatible API on loopback, for the demo and for the tests.

`DemoServer` puts together the emulated call families (`images.py`: the two
image-list calls; `accounts.py`: logins, renewal, the region lookup;
`containers.py`: container instances and their access pages) on the HTTP
plumbing of `plumbing.py`, and owns what they share: the routes, the clock, the
injected faults, the log of requests and the thread that serves them. Region
calls answer at the root (with the server's fixed token) and under each demo
region's prefix `/r/<clusterId>` (with the tokens its login calls issue).
"""

from __future__ import annotations

import secrets
import ssl
import threading
import time
from typing import Any, Callable, Iterable

from .accounts import AccountCalls, DemoRegion, TokenIssuer, find_region
from .capacity import CapacityCalls
from .containers import ContainerCalls
from .dialects import DIALECTS, Dialect
from .images import IMAGES_PATH, PAGED_IMAGES_PATH, ImageCalls
from .faults import Fault
from .plumbing import Match, Router, make_http_server, request_log

DEMO_TOKEN = "scnet-demo-token"

__all__ = ["DEMO_TOKEN", "DemoServer", "Fault", "IMAGES_PATH", "PAGED_IMAGES_PATH"]


class DemoServer:
    """The demo API. `start()` it (or use `with`), then point a client at `base_url`."""

    def __init__(
        self,
        images: Iterable[dict[str, Any]] | None = None,
        *,
        token: str | None = DEMO_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        shape: str = "list",
        ssl_context: ssl.SSLContext | None = None,
        token_lifetime: float = 24 * 3600,
        clock: Callable[[], float] = time.time,
        deploy_seconds: float = 3.0,
        seed_instances: bool = True,
        public_url: str | None = None,
        signing_key: bytes | None = None,
        dialect: str = "default",
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}")
        self.dialect: Dialect = DIALECTS[dialect]
        self.catalog = ImageCalls(images, shape, self.dialect)
        self.token = token if token is not None else secrets.token_urlsafe(24)
        self.issuer = TokenIssuer(token_lifetime, clock, signing_key)
        # The address the demo names in its answers (region lookups, access URLs): its own, unless
        # it is reached through another (a proxy, a served web page, a snapshot's fixed host).
        self.public_url = public_url
        self.accounts = AccountCalls(self.issuer, lambda: self.public_url or self.base_url, self.dialect)
        self.containers = ContainerCalls(
            clock, lambda: self.public_url or self.base_url, deploy_seconds=deploy_seconds,
            seed_instances=seed_instances, dialect=self.dialect,
        )
        self.requests = request_log()
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests it was answering at once (tests check bounds)
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._region_routes = Router([*self.catalog.routes(), *self.containers.routes()])
        self.capacity = CapacityCalls(self.issuer, self.containers.scheduler, self.containers.lock)
        self._platform_routes = Router([*self.accounts.routes(), *self.containers.page_routes(),
                                        *self.capacity.routes()])
        self._httpd = make_http_server(self, host, port, ssl_context)
        self.scheme = "https" if ssl_context is not None else "http"
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    @property
    def images(self) -> list[dict[str, Any]]:
        return self.catalog.images

    def set_images(self, images: Iterable[dict[str, Any]]) -> None:
        self.catalog.set_images(images)

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> "DemoServer":
        # A short poll interval: stop() waits for the loop to notice, and tests stop servers often.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="scnet-demo-api", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- faults ------------------------------------------------------------------------------

    def inject(self, kind: str, value: str = "", times: int | None = None, call: str = "") -> None:
        """Add a fault to the region calls (to the one named `call` only, when given: see
        `plumbing.Fault`); faults apply in the order they were added."""
        with self._lock:
            self._faults.append(Fault(kind, str(value), times, call))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_faults(self, call: str, *, after: bool) -> list[Fault]:
        """The faults for one request to the call named `call` that strike before it is carried
        out (or, `after`, once it was: see `Fault.after`): every latency, then the first fault
        that answers (faults aimed at another call pass it by)."""
        with self._lock:
            taken: list[Fault] = []
            for fault in self._faults:
                if (fault.call and fault.call != call) or fault.after != after:
                    continue
                taken.append(fault)
                if fault.kind != "latency":
                    break
            for fault in taken:
                if fault.times is not None:
                    fault.times -= 1
            self._faults = [f for f in self._faults if f.times is None or f.times > 0]
        return taken

    # --- routing (used by the plumbing) -----------------------------------------------------

    def count_in(self, change: int) -> None:
        with self._lock:
            self.in_flight += change
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def region(self, cluster_id: str) -> DemoRegion | None:
        return find_region(cluster_id)

    def route(self, path: str) -> Match | None:
        """Where a request path leads (its region is None at the root); None for no call."""
        found = self._platform_routes.find(path)
        if found is not None:
            return Match(None, *found)
        if not path.startswith("/r/"):
            found = self._region_routes.find(path)
            return Match(None, *found) if found is not None else None
        cluster, _, rest = path[3:].partition("/")
        region = self.region(cluster)
        if cluster in self.dialect.dead_regions:
            return None  # its AI address answers 404 for every path, as one region was seen to
        found = self._region_routes.find("/" + rest) if region is not None else None
        if found is None:
            return None
        # A region may not serve one of the image-list calls: there, that call is not found.
        methods = {method: route for method, route in found[0].items()
                   if not route.image_api or route.image_api in region.apis}  # type: ignore[union-attr]
        return Match(region, methods, found[1]) if methods else None

    def token_valid(self, token: str | None, region: DemoRegion | None) -> bool:
        if region is None:
            return token == self.token
        return self.accounts.region_token_valid(token, region)

