"""The container-instance model: what the list and detail calls describe (`Instance`, its
`Port`s), what a launch may ask for (`Group`, `Limits`) and what it asks (`LaunchSpec`,
whose `body()` is the create request, field for field as containers-api.md documents it).
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple

from ..i18n import N_, _
from .envelope import text_of

TASK_TYPES = ("ssh", "jupyter", "codeserver", "rstudio")
STATUSES = ("Running", "Deploying", "Waiting", "Terminated", "Failed", "Completed")
BUSY = frozenset({"Deploying", "Waiting"})  # on the way to Running: worth watching
FINAL = frozenset({"Terminated", "Failed", "Completed"})

# A status in words (the platform's value stays in the pane, the JSON and `ps --format json/csv`).
STATUS_WORDS = {"Running": N_("Running"), "Deploying": N_("Deploying"), "Waiting": N_("Waiting"),
                "Terminated": N_("Terminated"), "Failed": N_("Failed"), "Completed": N_("Completed")}


def status_word(status: str) -> str:
    """A status as the interface says it; one the documentation does not list, as it came."""
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


class Port(NamedTuple):
    """One exposed port of an instance: `access_url` is its entry point (it may carry a
    service credential in its query: show it masked, copy it only when asked)."""

    port: str
    protocol: str  # "HTTP" or "SSH"
    access_url: str


class Instance(NamedTuple):
    """A container instance as the list and detail calls describe it (all fields in `raw`)."""

    id: str
    name: str = ""
    status: str = ""
    task_type: str = ""
    accelerator_type: str = ""
    resource_group: str = ""
    cpus: int | None = None
    cards: int | None = None
    memory_mb: int | None = None
    image_path: str = ""
    version: str = ""
    create_time: str = ""
    start_time: str = ""
    end_time: str = ""
    duration: str = ""
    remaining_time: str = ""
    time_limit: str = ""
    user: str = ""
    ports: tuple[Port, ...] = ()
    raw: Mapping[str, Any] = {}

    @property
    def busy(self) -> bool:
        return self.status in BUSY

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def serves(self, protocol: str) -> bool:
        """Whether it runs and can be reached over `protocol` ("HTTP" or "SSH"): a port of that
        protocol, or, before the detail names its ports, what its task type serves."""
        if self.status != "Running":
            return False
        return any(port.protocol == protocol for port in self.ports) or (self.task_type == "ssh") == (protocol == "SSH")

    @property
    def resources(self) -> str:
        """`8c 1×dcu 32G`: cores, cards and memory, as far as the answer said them."""
        parts = []
        if self.cpus is not None:
            parts.append(f"{self.cpus}c")
        if self.cards:
            # Translators: the accelerator of "8c 1×card 32G" when the answer did not name its type.
            accelerator = self.accelerator_type or _("card")
            parts.append(f"{self.cards}×{accelerator}")
        if self.memory_mb is not None:
            gib = self.memory_mb / 1024
            parts.append(f"{gib:.0f}G" if gib == int(gib) else f"{gib:.1f}G" if gib >= 1 else f"{self.memory_mb}M")
        return " ".join(parts)


class InstanceList(NamedTuple):
    """What the instance list answered: the instances (newest first), how many records named
    no instance (`skipped`), whether the pages never ended and the client stopped reading
    (`cut_short`), and which path answered (`path`: "task" or "task/list")."""

    instances: list[Instance]
    skipped: int = 0
    cut_short: bool = False
    path: str = ""


class Group(NamedTuple):
    """A resource group; `accelerator` is "" when the answer named only the group."""

    name: str
    accelerator: str = ""


class Limits(NamedTuple):
    """What one instance in a group may have (per node): the bounds of create's fields."""

    group: str
    accelerator: str
    cpus: int
    cards: int
    memory_mb: int
    max_time: str  # "unlimited" or "H:MM:SS"
    nodes: int = 1
    raw: Mapping[str, Any] = {}


class LaunchSpec(NamedTuple):
    """What a launch asks for; `body()` is exactly what is sent."""

    name: str
    task_type: str
    accelerator_type: str
    image_path: str
    version: str
    group: str
    cpus: int
    cards: int
    memory_mb: int
    time_limit: str = "01:00:00"  # "HH:MM:SS" or "unlimited"
    start_script: str = ""
    mounts: tuple[tuple[str, str], ...] = ()  # (path on the cluster, path in the container)
    description: str = ""

    def body(self) -> dict[str, Any]:
        """The request body of create, field for field as the page documents it."""
        body: dict[str, Any] = {
            "instanceServiceName": self.name,
            "description": self.description,
            "taskType": self.task_type,
            "acceleratorType": self.accelerator_type,
            "imagePath": self.image_path,
            "version": self.version,
            "resourceGroup": self.group,
            "cpuNumber": self.cpus,
            "gpuNumber": self.cards,
            "ramSize": self.memory_mb,
            "taskNumber": 1,
            "timeoutLimit": self.time_limit,
            "useStartScript": bool(self.start_script),
            "startScriptActionScope": "all",
            "startScriptContent": self.start_script,
        }
        if self.mounts:
            body["mountInfoList"] = [
                {"sourcePath": source, "targetPath": target, "type": "path"} for source, target in self.mounts
            ]
        return body


def to_int(value: Any) -> int | None:
    """A count from an answer (a number, or a number in a string), or None."""
    if isinstance(value, bool):
        return None
    try:
        return int(float(text_of(value).strip()))
    except (TypeError, ValueError, OverflowError):
        return None


# Where a record names its instance: the console backend's `instanceServiceId` first, then
# the page's `id` (a record may carry both, `id` then being a row's own).
ID_KEYS = ("instanceServiceId", "id")


def parse_instance(item: Any) -> Instance | None:
    """One record of the list or detail answer -> Instance, or None when it names no instance."""
    if not isinstance(item, dict):
        return None
    instance_id = next((text for key in ID_KEYS if (text := text_of(item.get(key)).strip())), "")
    if not instance_id:
        return None
    ports = []
    listed = item.get("containerPortInfoList")
    for port in listed if isinstance(listed, list) else ():
        if isinstance(port, dict):
            ports.append(Port(text_of(port.get("containerPort")).strip(), text_of(port.get("protocolType")).strip().upper(),
                              text_of(port.get("accessUrl")).strip()))

    def text(key: str) -> str:
        return text_of(item.get(key)).strip()

    return Instance(
        id=instance_id,
        name=text("instanceServiceName"),
        status=text("status"),
        task_type=text("taskType"),
        accelerator_type=text("acceleratorType"),
        resource_group=text("resourceGroup"),
        cpus=to_int(item.get("cpuNumber")),
        cards=to_int(item.get("gpuNumber")),
        memory_mb=to_int(item.get("ramSize")),
        image_path=text("imagePath"),
        version=text("version"),
        create_time=text("createTime"),
        start_time=text("startTime"),
        end_time=text("endTime"),
        duration=text("duration"),
        remaining_time=text("remainingTime"),
        time_limit=text("timeoutLimit"),
        user=text("userName"),
        ports=tuple(ports),
        raw=item,
    )
