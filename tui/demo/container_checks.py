"""What the container calls accept: create's body (`launch_fields`), the list's filters
(`list_filters`), a group serving an accelerator (`serving`). Each returns the checked
values, or the platform's refusal as an `Answer`: 10003 for what is missing, 10004 for
what is invalid, 716865 for what a group's limits do not allow.

What a client sends is kept bounded here (name, script, mounts), since instances live
as long as the server.
"""

from __future__ import annotations

import posixpath
from typing import Any

from .instances import STATUSES, ResourceGroup, find_group, seconds_of
from .envelope import Answer, api_error, json_object
from .plumbing import Request

TASK_TYPES = ("ssh", "jupyter", "codeserver", "rstudio")
ACCELERATORS = ("mlu", "dcu", "gpu", "cpu")
MOUNT_DIRS = ("/public/home/demo", "/public/share/datasets", "/work/demo")
REQUIRED = ("instanceServiceName", "taskType", "acceleratorType", "imagePath", "version", "resourceGroup",
            "cpuNumber", "gpuNumber", "ramSize", "taskNumber", "timeoutLimit", "useStartScript",
            "startScriptActionScope")
MAX_NAME_CHARS = 100
MAX_SCRIPT_CHARS = 64 * 1024
MAX_MOUNTS = 20
MAX_PORTS = 20
MAX_PAGE_SIZE = 100


def serving(name: str, accelerator: str) -> ResourceGroup | Answer:
    """The group `name` if it serves `accelerator`, else the 10004 that says why not."""
    group = find_group(name)
    if group is None:
        return api_error("10004", f"资源组不存在 (no resource group {name[:40]!r})")
    if group.accelerator != accelerator:
        why = f"{group.name} serves {group.accelerator}, not {accelerator[:10]!r}"
        return api_error("10004", f"资源组不支持该加速器类型 ({why})")
    return group


def _count(value: Any) -> int | None:
    """An integer field's value (bools are not numbers here), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _invalid(given: dict[str, Any]) -> list[str]:
    """The fields of create's body whose value is of the wrong kind, or not an allowed one."""
    problems = [key for key, allowed in (("taskType", TASK_TYPES), ("acceleratorType", ACCELERATORS),
                                         ("startScriptActionScope", ("all", "header")))
                if given[key] not in allowed]
    problems += [key for key in ("instanceServiceName", "imagePath", "version", "resourceGroup")
                 if not isinstance(given[key], str)]
    for key, lowest in (("cpuNumber", 1), ("gpuNumber", 0), ("ramSize", 0), ("taskNumber", 1)):
        value = _count(given[key])
        if value is None or value < lowest:
            problems.append(key)
    if not isinstance(given["useStartScript"], bool):
        problems.append("useStartScript")
    if not isinstance(given.get("description") or "", str):
        problems.append("description")
    if isinstance(given["instanceServiceName"], str) and len(given["instanceServiceName"]) > MAX_NAME_CHARS:
        problems.append("instanceServiceName")
    script = given.get("startScriptContent") or ""
    if not isinstance(script, str) or len(script) > MAX_SCRIPT_CHARS:
        problems.append("startScriptContent")
    try:
        seconds_of(str(given["timeoutLimit"]))
    except ValueError:
        problems.append("timeoutLimit")
    return problems


def launch_fields(given: dict[str, Any]) -> dict[str, Any] | Answer:
    """Create's body checked: the `Instance` fields it gives, or the refusal (10003 missing,
    10004 invalid, 716865 more than the group allows)."""
    missing = [key for key in REQUIRED if given.get(key) in (None, "")]
    if missing:
        return api_error("10003", "缺少 " + ", ".join(missing))
    given = dict(given)
    if isinstance(given["taskNumber"], str) and given["taskNumber"].isdigit():
        given["taskNumber"] = int(given["taskNumber"])  # typed int, shown as a string: both go
    problems = _invalid(given)
    if problems:
        return api_error("10004", ", ".join(problems))
    script = given.get("startScriptContent") or ""
    if given["useStartScript"] and not script.strip():
        return api_error("10003", "startScriptContent (useStartScript 为 true)")
    if given["version"] != given["imagePath"].rsplit("/", 1)[-1]:
        return api_error("10004", "version 应为 imagePath 的最后一段 (version: the image path's last segment)")
    group = serving(given["resourceGroup"], given["acceleratorType"])
    if isinstance(group, Answer):
        return group
    for key, most in (("cpuNumber", group.cpus), ("gpuNumber", group.cards), ("ramSize", group.memory_mb),
                      ("taskNumber", group.nodes)):  # one container per node
        if given[key] > most:
            return api_error("716865", f"资源超出资源组上限 ({key} {given[key]} > {most})")
    limit, most_time = seconds_of(given["timeoutLimit"]), seconds_of(group.max_time)
    if most_time is not None and (limit is None or limit > most_time):
        longest = f"timeoutLimit {given['timeoutLimit']} > {group.max_time}"
        return api_error("716865", f"运行时长超出资源组上限 ({longest})")
    mounts = _mounts(given.get("mountInfoList"))
    if isinstance(mounts, Answer):
        return mounts
    ports = _ports(given.get("containerPortInfoList"))
    if isinstance(ports, Answer):
        return ports
    return {
        "name": given["instanceServiceName"], "task_type": given["taskType"], "accelerator": given["acceleratorType"],
        "group": group, "cpus": given["cpuNumber"], "cards": given["gpuNumber"], "ram_mb": given["ramSize"],
        "time_limit": given["timeoutLimit"], "image_path": given["imagePath"], "tasks": given["taskNumber"],
        "description": given.get("description") or "", "mounts": mounts, "use_script": given["useStartScript"],
        "script": script, "script_scope": given["startScriptActionScope"], "ports": ports,
    }


def _ports(entries: Any) -> tuple[tuple[str, str], ...] | Answer:
    """containerPortInfoList as (port, protocol) pairs. The page types `containerPort` as an
    integer and its example sends a string; clients send either: both are taken."""
    if entries is None:
        return ()
    if not isinstance(entries, list) or len(entries) > MAX_PORTS:
        return api_error("10004", "containerPortInfoList")
    ports = []
    for entry in entries:
        port = entry.get("containerPort") if isinstance(entry, dict) else None
        protocol = entry.get("protocolType") if isinstance(entry, dict) else None
        number = _count(port) if not isinstance(port, str) else (int(port) if port.isdigit() else None)
        if number is None or not 0 < number < 65536 or protocol not in ("SSH", "HTTP"):
            return api_error("10004", "containerPortInfoList (containerPort, protocolType)")
        ports.append((str(number), protocol))
    return tuple(ports)


def script_fields(given: dict[str, Any]) -> dict[str, Any] | Answer:
    """execute-script's body (containers-api.md, call 11) checked."""
    missing = [key for key in ("id", "startScriptActionScope", "startScriptContent") if given.get(key) in (None, "")]
    if missing:
        return api_error("10003", ", ".join(missing))
    script = given["startScriptContent"]
    if given["startScriptActionScope"] not in ("all", "header") or not isinstance(given["id"], str) \
            or not isinstance(script, str) or len(script) > MAX_SCRIPT_CHARS:
        return api_error("10004", "id, startScriptActionScope, startScriptContent")
    return {"id": given["id"], "scope": given["startScriptActionScope"], "script": script}


def resize_fields(given: dict[str, Any]) -> dict[str, Any] | Answer:
    """resource-spec/actions/update's body (containers-api.md, call 12) checked."""
    missing = [key for key in ("id", "cpuNumber", "gpuNumber", "ramSize") if given.get(key) in (None, "")]
    if missing:
        return api_error("10003", ", ".join(missing))
    values = {key: _count(given[key]) for key in ("cpuNumber", "gpuNumber", "ramSize")}
    if not isinstance(given["id"], str) or any(value is None or value < (1 if key == "cpuNumber" else 0)
                                               for key, value in values.items()):
        return api_error("10004", "id, cpuNumber, gpuNumber, ramSize")
    return {"id": given["id"], "cpus": values["cpuNumber"], "cards": values["gpuNumber"], "ram_mb": values["ramSize"]}


def _mounts(entries: Any) -> tuple[tuple[str, str], ...] | Answer:
    """mountInfoList as (sourcePath, type) pairs, each source under an allowed directory."""
    if entries is None:
        return ()
    if not isinstance(entries, list) or len(entries) > MAX_MOUNTS:
        return api_error("10004", "mountInfoList")
    mounts = []
    for entry in entries:
        source = entry.get("sourcePath") if isinstance(entry, dict) else None
        kind = entry.get("type", "data") if isinstance(entry, dict) else None
        target = entry.get("targetPath") if isinstance(entry, dict) else None
        if not (isinstance(source, str) and isinstance(target, str) and kind in ("data", "path")):
            return api_error("10004", "mountInfoList (sourcePath, targetPath, type)")
        # Normalized first, so `/work/demo/../../etc` is not taken for a path under /work/demo.
        clean = posixpath.normpath(source) if source.startswith("/") else ""
        if not any(clean == allowed or clean.startswith(allowed + "/") for allowed in MOUNT_DIRS):
            where = f"sourcePath {source[:60]!r} is not under an allowed directory"
            return api_error("10004", f"挂载路径不在允许的目录下 ({where})")
        mounts.append((clean, kind))
    return tuple(mounts)


def list_filters(request: Request) -> dict[str, Any] | Answer:
    """The list's filters: query parameters, overridden by the JSON body's non-null fields."""
    given: dict[str, Any] = {key: values[-1] for key, values in request.query.items()}
    given["instanceServiceName"] = request.query.get("instanceServiceName")
    if request.body.strip():
        body = json_object(request.body)
        if isinstance(body, Answer):
            return body
        given.update({key: value for key, value in body.items() if value is not None})
    names = given.get("instanceServiceName")
    names = [names] if isinstance(names, str) else names
    names_ok = names is None or (isinstance(names, list) and all(isinstance(name, str) for name in names))
    filters: dict[str, Any] = {"names": [name for name in names or [] if name] if names_ok else []}
    problems = [] if names_ok else ["instanceServiceName"]
    for key, allowed in (("status", STATUSES), ("taskType", TASK_TYPES), ("sort", ("desc", "asc"))):
        value = given.get(key) or ""
        value = value.lower() if key == "sort" and isinstance(value, str) else value
        filters[key] = value or ("desc" if key == "sort" else "")
        problems += [] if value in ("", *allowed) else [key]
    for key, lowest, default in (("start", 0, 0), ("limit", 1, 20)):
        value = given.get(key, default)
        value = int(value) if isinstance(value, str) and value.isdigit() else _count(value)
        problems += [] if value is not None and value >= lowest else [key]
        filters[key] = min(value or 0, MAX_PAGE_SIZE) if key == "limit" else value
    if problems:
        return api_error("10004", ", ".join(problems))
    return filters
