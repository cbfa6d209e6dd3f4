"""The demo API's free capacity: the notebook resources call, which says how many cards each
region's groups have free (`maxFreeNum`, read by public clients; see containers-api.md).

`GET /ac/openapi/v2/resources/accelerators?clusterIds=11250,20091` on the platform host, with
any token of the account: one entry per region asked and group with cards. A region's other
users hold its `busy` share of each group's cards; what the demo's own instances hold while
they wait, deploy or run is taken from the rest, so the figure moves as they start and stop.
"""

from __future__ import annotations

from typing import Any

from .accounts import TokenIssuer, find_region
from .envelope import Answer, api_error, ok
from .instances import RESOURCE_GROUPS, Scheduler
from .plumbing import Request, Route

CAPACITY_PATH = "/ac/openapi/v2/resources/accelerators"


class CapacityCalls:
    def __init__(self, issuer: TokenIssuer, scheduler: Scheduler, lock: Any) -> None:
        self.issuer = issuer
        self.scheduler = scheduler
        self._lock = lock  # the container calls' lock: the instances change under it

    def routes(self) -> list[Route]:
        return [Route("GET", CAPACITY_PATH, self.accelerators, name="capacity")]

    def accelerators(self, request: Request) -> Answer:
        claims = self.issuer.claims(request.headers.get("token"))
        if claims is None or self.issuer.past_expiry(claims) >= 0:
            return api_error("10008", "token无效或已过期 (token invalid or expired)")
        asked = [part.strip() for part in ",".join(request.query.get("clusterIds", [])).split(",") if part.strip()]
        if not asked:
            return api_error("10003", "clusterIds")
        with self._lock:
            self.scheduler.now()
            entries = [entry for cluster in asked for entry in self._free_in(cluster)]
        return ok(entries)

    def _free_in(self, cluster: str) -> list[dict[str, Any]]:
        region = find_region(cluster)
        if region is None:
            return []
        entries = []
        for group in RESOURCE_GROUPS:
            if not group.cards:
                continue
            total = group.cards * group.nodes
            ours = sum(item.cards * item.tasks for item in self.scheduler.instances.values()
                       if item.region == cluster and item.group == group and item.active)
            free = max(0, total - int(total * region.busy) - ours)
            entries.append({
                "id": f"{cluster}-{group.name}", "resourceGroupCode": f"{group.name.replace('-', '')}{cluster}",
                "resourceGroupName": group.name, "clusterId": cluster, "clusterName": region.name,
                "resourceType": group.accelerator.upper(), "resourceName": group.name.split("-")[1].upper(),
                "cpuNumber": group.cpus, "ramSize": group.memory_mb, "maxFreeNum": free,
            })
        return entries

