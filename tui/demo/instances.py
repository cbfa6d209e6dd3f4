"""The demo's container instances: the resource groups they run in, and the state machine
that moves them along the server's clock. The HTTP calls over them are in `containers.py`.

States are computed lazily: every read first replays what the clock says has happened
since the previous one (`Scheduler.now`), so there is no background thread and a test's
fake clock drives everything.

- created (or restarted) -> `Waiting` while its group, in its region, has no free capacity
  (the cpus, cards and memory of the group's Deploying/Running instances, against its
  per-node limits × nodeNumber); `Deploying` from the moment there is room, for
  `deploy_seconds`; then `Running` (startTime set);
- an instance whose name contains "fail" (any case) goes `Failed` instead of `Running`:
  that is how the demo shows a failure;
- `Running` -> `Terminated` once its timeoutLimit has passed since startTime
  (endTime = start + limit);
- stop -> `Terminated` (endTime now); restart -> `Waiting`/`Deploying` again from now.

Times are seconds since the epoch; answers show them in Beijing time (UTC+8).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

BEIJING = timezone(timedelta(hours=8))
STATUSES = ("Running", "Deploying", "Waiting", "Terminated", "Failed", "Completed")
ACTIVE = ("Waiting", "Deploying", "Running")
FINAL = ("Terminated", "Failed", "Completed")
# What an instance is given from creation to deployment, in the seeded instances.
SEED_QUEUE_SECONDS = 60
_DURATION = re.compile(r"(\d+):([0-5]\d):([0-5]\d)")


@dataclass(frozen=True)
class ResourceGroup:
    """A resource group: what one node has, how many nodes, and the longest run allowed."""

    name: str
    accelerator: str
    cpus: int
    cards: int
    memory_mb: int
    nodes: int
    max_time: str  # "unlimited" or "H:MM:SS"

    def capacity(self) -> tuple[int, int, int]:
        return self.cpus * self.nodes, self.cards * self.nodes, self.memory_mb * self.nodes


# The same groups in every region.
RESOURCE_GROUPS = (
    ResourceGroup("dcu-k100-4", "dcu", 32, 4, 128000, 2, "unlimited"),
    ResourceGroup("dcu-z100-2", "dcu", 16, 2, 64000, 1, "72:00:00"),
    ResourceGroup("gpu-a800-8", "gpu", 64, 8, 512000, 1, "168:00:00"),
    ResourceGroup("cpu-general", "cpu", 64, 0, 256000, 4, "unlimited"),
)


def find_group(name: str) -> ResourceGroup | None:
    return next((group for group in RESOURCE_GROUPS if group.name == name), None)


def seconds_of(limit: str) -> int | None:
    """`H+:MM:SS` in seconds; None for `unlimited`. Raises ValueError for anything else."""
    if limit == "unlimited":
        return None
    found = _DURATION.fullmatch(limit)
    if found is None:
        raise ValueError(limit)
    hours, minutes, seconds = (int(part) for part in found.groups())
    return hours * 3600 + minutes * 60 + seconds


def clock_text(seconds: float) -> str:
    """`HH:MM:SS` (hours may pass 99) of a span in seconds."""
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def beijing(moment: float | None) -> str | None:
    """`YYYY-MM-DD HH:MM:SS` in Beijing time, the platform's format; None stays None."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Instance:
    """One container instance, as create described it, and where it is in its life."""

    id: str
    region: str  # the cluster id of the region it was created in; "" at the root
    order: int  # creation order: ties in createTime and the waiting queue follow it
    name: str
    task_type: str
    accelerator: str
    group: ResourceGroup
    cpus: int
    cards: int
    ram_mb: int
    time_limit: str
    image_path: str
    created: float
    tasks: int = 1
    description: str = ""
    mounts: tuple[tuple[str, str], ...] = ()  # (sourcePath, type)
    ports: tuple[tuple[str, str], ...] = ()  # (containerPort, protocolType) create asked for
    use_script: bool = False
    script: str = ""
    script_scope: str = "all"
    status: str = "Waiting"
    queued: float = 0.0  # when it last asked to deploy (create or restart)
    deploying_since: float | None = None
    started: float | None = None
    ended: float | None = None

    @property
    def version(self) -> str:
        return self.image_path.rsplit("/", 1)[-1]

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def need(self) -> tuple[int, int, int]:
        """What it holds of its group while Deploying or Running: every container's share."""
        return self.cpus * self.tasks, self.cards * self.tasks, self.ram_mb * self.tasks


class Scheduler:
    """Every instance of the server (`instances`, by id) and the state machine over them.
    Not thread-safe: its caller serializes (`containers.ContainerCalls` holds a lock)."""

    def __init__(self, clock: Callable[[], float], deploy_seconds: float) -> None:
        self.clock = clock
        self.deploy_seconds = deploy_seconds
        self.instances: dict[str, Instance] = {}
        self._count = 0
        self._seen = clock()  # states are computed up to this moment

    def new_id(self, name: str) -> tuple[str, int]:
        """A fresh id (32 lower-case hex) and creation order; deterministic per server, so
        snapshots of a demo are stable."""
        self._count += 1
        return hashlib.sha256(f"{self._count}:{name}".encode()).hexdigest()[:32], self._count

    def now(self) -> float:
        """Bring every state up to the clock; the moment that is."""
        now = max(self.clock(), self._seen)  # a clock set back never undoes what happened
        while True:
            due = [(moment, item) for item in self.instances.values()
                   if (moment := self._due(item)) is not None and moment <= now]
            if not due:
                break
            first = min(moment for moment, _ in due)
            for moment, item in due:
                if moment == first:
                    self._fire(item, first)
            self._admit(first)  # what ended at `first` may let a waiting one in
        self._seen = now
        return now

    def add(self, instance: Instance, now: float) -> None:
        self.instances[instance.id] = instance
        self._queue(instance, now)

    def stop(self, instance: Instance, now: float) -> None:
        if instance.active:
            instance.status, instance.ended = "Terminated", now
            self._admit(now)

    def restart(self, instance: Instance, now: float) -> None:
        instance.started = instance.ended = None
        self._queue(instance, now)

    def remove(self, instance: Instance) -> None:
        del self.instances[instance.id]

    def active_in(self, region: str) -> int:
        return sum(1 for item in self.instances.values() if item.region == region and item.active)

    # --- the machine ---------------------------------------------------------------------------

    def _queue(self, instance: Instance, now: float) -> None:
        instance.status, instance.queued, instance.deploying_since = "Waiting", now, None
        self._admit(now)

    def _due(self, instance: Instance) -> float | None:
        """When its next change happens by itself, if it is waiting for one."""
        if instance.status == "Deploying" and instance.deploying_since is not None:
            return instance.deploying_since + self.deploy_seconds
        if instance.status == "Running" and instance.started is not None:
            limit = seconds_of(instance.time_limit)
            return None if limit is None else instance.started + limit
        return None

    def _fire(self, instance: Instance, moment: float) -> None:
        if instance.status == "Running":
            instance.status, instance.ended = "Terminated", moment
        elif "fail" in instance.name.lower():
            instance.status, instance.ended = "Failed", moment
        else:
            instance.status, instance.started = "Running", moment

    def _admit(self, moment: float) -> None:
        """Start deploying, in queue order, every waiting instance its group has room for
        (a smaller one behind a large one that does not fit may go first)."""
        waiting = sorted((item for item in self.instances.values() if item.status == "Waiting"),
                         key=lambda item: (item.queued, item.order))
        for instance in waiting:
            used = [0, 0, 0]
            for other in self.instances.values():
                if other.status in ("Deploying", "Running") and (other.region, other.group) == (
                    instance.region, instance.group
                ):
                    used = [have + more for have, more in zip(used, other.need())]
            if all(have + more <= room for have, more, room in zip(used, instance.need(), instance.group.capacity())):
                instance.status, instance.deploying_since = "Deploying", moment


def seed(scheduler: Scheduler, region: str, now: float) -> None:
    """The two instances each region starts with: a Jupyter one running for two hours, and
    an SSH one that ran its two-hour limit and ended a day ago."""
    for name, task_type, group, cpus, cards, ram, limit, image, started, status in (
        ("jupyterlab-pytorch-demo", "jupyter", "dcu-k100-4", 8, 1, 32768, "unlimited",
         "image.sourcefind.cn:5000/dcu/admin/base/jupyterlab-pytorch:2.1.0-ubuntu20.04-dtk24.04.1-py3.10-scnet",
         now - 2 * 3600, "Running"),
        ("vllm-serve-test", "ssh", "dcu-z100-2", 16, 2, 64000, "02:00:00",
         "image.sourcefind.cn:5000/dcu/admin/base/vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10",
         now - 24 * 3600 - 2 * 3600, "Terminated"),
    ):
        instance_id, order = scheduler.new_id(name)
        created = started - SEED_QUEUE_SECONDS
        instance = Instance(
            instance_id, region, order, name, task_type, "dcu", find_group(group),  # type: ignore[arg-type]
            cpus, cards, ram, limit, image, created, status=status, queued=created,
            deploying_since=created, started=started,
        )
        if status == "Terminated":
            instance.ended = started + (seconds_of(limit) or 0)
        scheduler.instances[instance_id] = instance
