"""How many accelerator cards each region's groups have free, where the platform says.

The notebook resources call (`GET {ac}/ac/openapi/v2/resources/accelerators?clusterIds=...`,
see containers-api.md) lists every group of the regions asked; public clients read a
group's free cards from its `maxFreeNum`, which the official page does not show. So a
figure is taken only where an entry names its region, its group and a whole number of free
cards; an answer without them (or a failed call) says nothing, and nothing is invented.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple, Sequence

from ..i18n import N_
from .addresses import api_root
from .plans import envelope_data

CAPACITY_PATH = "/ac/openapi/v2/resources/accelerators"
# Where a figure comes from, as the interface names it.
SOURCE = "resources/accelerators · maxFreeNum"


class GroupFree(NamedTuple):
    cluster_id: str
    group: str  # the group's name (what a launch sends)
    accelerator: str  # dcu, gpu, ... (lower case; "" when the entry does not say)
    free: int


class Capacity(NamedTuple):
    """The free cards the platform reported, when (`asked_at`, epoch seconds)."""

    groups: tuple[GroupFree, ...]
    asked_at: float

    def in_region(self, cluster_id: str, accelerator: str = "") -> list[GroupFree]:
        """The groups of a region (serving `accelerator`, when given), most free first."""
        chosen = [group for group in self.groups if group.cluster_id == cluster_id
                  and (not accelerator or not group.accelerator or group.accelerator in accelerator.lower().split(","))]
        return sorted(chosen, key=lambda group: (-group.free, group.group))

    def knows(self, cluster_id: str) -> bool:
        return any(group.cluster_id == cluster_id for group in self.groups)


def read_capacity(client: Any, ac_url: str, cluster_ids: Sequence[str]) -> Capacity:
    """Ask the platform host `ac_url` (with `client`, a sync client of the account) for the free
    cards of `cluster_ids`. Raises ScnetError when the call fails."""
    wanted = [cluster for cluster in cluster_ids if cluster]
    data = client.run(client.call("GET", api_root(ac_url) + CAPACITY_PATH, envelope_data(N_("the free capacity answer")),
                                  params={"clusterIds": ",".join(wanted)}))
    return Capacity(tuple(_groups(data, set(wanted))), time.time())


def _groups(data: Any, wanted: set[str]) -> list[GroupFree]:
    entries = data if isinstance(data, list) else data.get("list") if isinstance(data, dict) else None
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        cluster, group, free = str(entry.get("clusterId") or ""), entry.get("resourceGroupName"), entry.get("maxFreeNum")
        if cluster not in wanted or not isinstance(group, str) or not group.strip() or len(group) > 200:
            continue
        if isinstance(free, bool) or not isinstance(free, (int, str)) or not str(free).strip().isdigit():
            continue  # not a count of cards: said nothing
        accelerator = entry.get("resourceType")
        found.append(GroupFree(cluster, group.strip(), accelerator.strip().lower() if isinstance(accelerator, str) else "",
                               min(int(str(free).strip()), 1_000_000)))
    return found
