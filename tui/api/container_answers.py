"""How the answers of the container-instance calls read (containers-api.md): the pages leave
most of their shapes open, so each reader takes every shape the platform or its clients were
seen to give, and says in words what it cannot read. `containers.py` builds the calls.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from ..i18n import N_, _
from ..safe_text import excerpt, has_control_chars
from .container_models import Group, Instance, Limits, parse_instance
from .container_models import to_int as _int
from .envelope import parse_envelope, text_of
from .errors import MalformedResponse, ProbablyLaunched

# Letters, digits, `_` and `-`, never first a `-`: an id is passed to commands, where it would read as an option.
_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")


def valid_instance_id(value: str) -> bool:
    return bool(_ID.fullmatch(value))


def data_of(payload: Any, what: str) -> Any:
    """The answer's `data`; `what` (marked with `N_`) names the answer in messages."""
    return parse_envelope(payload, what)[0]


def ignore(payload: Any) -> None:
    data_of(payload, N_("the answer"))


def read_text(what: str, empty: str) -> Any:
    """A reader of an answer whose `data` is one text; `empty` (marked) says it held none."""
    def read(payload: Any) -> str:
        data = data_of(payload, what)
        if isinstance(data, dict):  # a wrapped answer: {"url": ...} and the like
            data = next((value for key, value in data.items() if key.lower() in ("url", "id", "data")), None)
        text = text_of(data).strip()
        if not text:
            raise MalformedResponse(_(empty), _("try again; if it persists, report it"))
        return text

    return read


read_access_url = read_text(N_("the access URL answer"), N_("The access URL answer holds nothing"))
# Where a create's answer may carry the new id: `data` itself (the page), or a field of it.
ID_FIELDS = ("instanceServiceId", "id", "taskId")


def read_id(payload: Any, name: str, secrets: tuple[str, ...] = ()) -> str:
    """The new instance's id from a create's answer: `data` as the id, or an object carrying
    it. The platform said yes (code 0) when this is reached: an answer without a usable id
    is ProbablyLaunched, never a failure (whoever reads "failed" launches again)."""
    data = data_of(payload, N_("the create answer (the new instance's id)"))
    if isinstance(data, dict):
        data = next((data[key] for key in ID_FIELDS if isinstance(data.get(key), (str, int))), data)
    candidate = text_of(data).strip() if isinstance(data, (str, int)) and not isinstance(data, bool) else ""
    if valid_instance_id(candidate):
        return candidate
    shown = json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else repr(data)
    raise ProbablyLaunched(
        _("The platform accepted the launch of {name}, but its answer holds no usable instance id ({answer}): "
          "it was very probably launched").format(name=name, answer=excerpt(shown, 80, secrets)),
        _("`scnet-images ps` shows it; do not launch it again"),
    )


def read_instance(payload: Any) -> Instance:
    instance = parse_instance(data_of(payload, N_("the instance detail answer")))
    if instance is None:
        raise MalformedResponse(_("The instance detail answer holds no instance"), _("refresh the list (press r)"))
    return instance


# Where an object wrapping a list keeps it (public clients read each of these).
LIST_KEYS = ("list", "records", "data", "rows", "items")


def items_of(data: Any) -> tuple[list[Any], int | None]:
    if data is None:
        return [], 0
    if isinstance(data, list):
        return data, None
    if isinstance(data, dict):
        total = _int(data.get("total"))
        for key in LIST_KEYS:
            if isinstance(data.get(key), list):
                return data[key], total
        if total is not None or any(key in data for key in LIST_KEYS):
            return [], total  # a wrapper whose list is empty (or null)
        return [data], None
    raise MalformedResponse(
        _("The instance list's `data` is a {type}, not a list").format(type=type(data).__name__),
        _("the region may not serve this call"),
    )


def read_list(payload: Any) -> tuple[list[Instance], int | None, int]:
    """A page: its instances, the total the answer announced (None: none), and how many of
    its records named no instance."""
    items, total = items_of(data_of(payload, N_("the instance list answer")))
    instances = [instance for instance in map(parse_instance, items) if instance is not None]
    return instances, total, len(items) - len(instances)


def entries_of(data: Any) -> list[Any]:
    """The entries of a launch helper's answer (groups, mount directories), whose shape no page
    shows: a list; an object wrapping one, or one entry itself; a single name; nothing."""
    if data is None or (isinstance(data, str) and not data.strip()):
        return []
    if isinstance(data, (str, int)) and not isinstance(data, bool):
        return [text_of(data)]
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return items_of(data)[0]
    raise MalformedResponse(_("The answer's `data` is a {type}, not a list").format(type=type(data).__name__),
                            _("report it with `scnet-images doctor --format json`"))


def named(entry: Any, keys: Iterable[str]) -> str:
    if isinstance(entry, str):
        return entry.strip()
    if isinstance(entry, dict):
        for key in keys:
            if isinstance(entry.get(key), str) and entry[key].strip():
                return entry[key].strip()
    return ""


def read_groups(payload: Any) -> list[Group]:
    groups = []
    for entry in entries_of(data_of(payload, N_("the resource group answer"))):
        name = named(entry, ("resourceGroup", "name", "resourceGroupName", "groupName", "code"))
        if name:
            accelerator = named(entry, ("acceleratorType",)) if isinstance(entry, dict) else ""
            groups.append(Group(name, accelerator.lower()))
    return groups


def read_paths(payload: Any) -> list[str]:
    entries = entries_of(data_of(payload, N_("the mount directory answer")))
    paths = (named(entry, ("path", "dir", "mountDir", "sourcePath")) for entry in entries)
    # Only absolute paths of printable text: a mount's source is a directory on the cluster.
    return [path for path in paths if path.startswith("/") and not has_control_chars(path)]


def read_limits(payload: Any, group: str, accelerator: str) -> Limits:
    data = data_of(payload, N_("the resource limits answer"))
    if not isinstance(data, dict):
        raise MalformedResponse(
            _("The resource limits answer is not an object"), _("try again; if it persists, report it")
        )
    cpus, cards, memory = (_int(data.get(key)) for key in ("cpuNumber", "gpuNumber", "memorySize"))
    if cpus is None or memory is None:
        raise MalformedResponse(
            _("The limits of group {group} name no CPU or memory bound").format(group=repr(group)),
            _("try another group, or report it"),
        )
    return Limits(
        group=group,
        accelerator=accelerator,
        cpus=cpus,
        cards=cards or 0,
        memory_mb=memory,
        max_time=text_of(data.get("maxTime")).strip() or "unlimited",
        nodes=_int(data.get("nodeNumber")) or 1,
        raw=data,
    )

