"""What a launch asks for, before anything is sent: defaults from the image, the values people
type (`32G`, `2:00:00`), and the checks against the group's limits.

Pure functions, shared by the launch form and `scnet-images run`, so both launch the same
way and refuse the same things, with the same words.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from typing import Collection, Iterable, Sequence

from .api.container_models import TASK_TYPES, LaunchSpec, Limits
from .api.models import Image
from .i18n import N_, _, unlimited_word

# The smallest launch: one core, one card (none for a CPU image), 4 GiB, one hour.
DEFAULT_CPUS = 1
DEFAULT_MEMORY_MB = 4096
DEFAULT_TIME = "01:00:00"
UNLIMITED = "unlimited"
ACCELERATORS = ("dcu", "gpu", "mlu", "cpu")
_TASK_BY_IMAGE_TYPE = {"jupyterlab": "jupyter", "codeserver": "codeserver", "rstudio": "rstudio"}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_MEMORY = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(g|gb|gib|m|mb|mib|t|tb|tib)?\s*")
_DURATION = re.compile(r"(\d+):([0-5]\d):([0-5]\d)")
_SHORT = re.compile(r"(?i)(?:(\d+)h)?\s*(?:(\d+)m)?")


def accelerator_of(image: Image) -> str:
    """The accelerator a launch of `image` asks for: its first known one, else cpu."""
    return next((kind for kind in image.accelerators if kind in ACCELERATORS), "cpu")


def default_task_type(image: Image) -> str:
    """jupyter for a JupyterLab image (codeserver, rstudio likewise), ssh for the rest."""
    return _TASK_BY_IMAGE_TYPE.get(image.type.lower(), "ssh")


def default_cards(accelerator: str) -> int:
    return 0 if accelerator == "cpu" else 1


def default_name(image: Image, now: datetime) -> str:
    """`vllm-1128-1412`: the image's name and the time, in the characters a name may hold."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", image.name).strip("-.")[:40] or "instance"
    return f"{stem}-{now:%m%d-%H%M}"


def parse_memory(text: str) -> int:
    """`32G`, `32GiB`, `512M`, `1.5T` -> megabytes; a bare number is megabytes (as the API
    takes it). A ValueError says what was wrong."""
    match = _MEMORY.fullmatch(text or "")
    if match is None:
        raise ValueError(_("memory {value}: give a size like 32G or 16384M").format(value=repr(text)))
    number, unit = float(match.group(1)), (match.group(2) or "m").lower()[:1]
    return int(number * {"m": 1, "g": 1024, "t": 1024 * 1024}[unit])


def parse_time_limit(text: str) -> str:
    """`2:00:00`, `2h`, `90m`, `1h30m` or `unlimited` -> what the API takes (`02:00:00`)."""
    text = (text or "").strip().lower()
    if text in ("unlimited", "none", "0"):
        return UNLIMITED
    match = _DURATION.fullmatch(text)
    if match:
        hours, minutes, seconds = (int(part) for part in match.groups())
    else:
        short = _SHORT.fullmatch(text)
        if short is None or not any(short.groups()):
            raise ValueError(_("time limit {value}: give HH:MM:SS (2:00:00), 2h, 90m or unlimited").format(value=repr(text)))
        hours, minutes, seconds = int(short.group(1) or 0), int(short.group(2) or 0), 0
        hours, minutes = hours + minutes // 60, minutes % 60
    if hours == minutes == seconds == 0:
        raise ValueError(_("a time limit of zero would stop the instance at once; give one, or unlimited"))
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def seconds_of(limit: str) -> float | None:
    """`02:00:00` -> 7200.0; `unlimited` (or anything else) -> None."""
    match = _DURATION.fullmatch(limit.strip())
    if match is None:
        return None
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600.0 + minutes * 60 + seconds


def check_launch(spec: LaunchSpec, limits: Limits | None, mount_dirs: Iterable[str] = (),
                 unread: Collection[str] = ()) -> list[str]:
    """Every reason `spec` would be refused, in words a person can act on ([] when none).
    `unread` names the fields of the request (`cpuNumber`, `ramSize`, ...) whose typed value
    could not be read: already said, and not checked again against a value nobody typed."""
    problems = []
    if not _NAME.fullmatch(spec.name):
        problems.append(_("name: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"))
    if spec.task_type not in TASK_TYPES:
        problems.append(_("task type: one of {choices}").format(choices=", ".join(TASK_TYPES)))
    if not spec.group:
        problems.append(_("resource group: choose one"))
    if limits is not None:
        if "cpuNumber" not in unread:
            problems += _within(N_("CPU cores: {value} is outside {lowest}-{highest}, the limit in group {group}"),
                                spec.cpus, 1, limits.cpus, limits.group)
        lowest = 0 if spec.accelerator_type == "cpu" else 1
        if "gpuNumber" not in unread and (spec.accelerator_type != "cpu" or spec.cards):
            problems += _within(N_("accelerator cards: {value} is outside {lowest}-{highest}, the limit in group {group}"),
                                spec.cards, lowest, limits.cards, limits.group)
        if "ramSize" not in unread:
            problems += _within(N_("memory (MB): {value} is outside {lowest}-{highest}, the limit in group {group}"),
                                spec.memory_mb, 256, limits.memory_mb, limits.group)
        maximum = seconds_of(limits.max_time)
        asked = seconds_of(spec.time_limit)
        if "timeoutLimit" not in unread and maximum is not None and (asked is None or asked > maximum):
            problems.append(_("time limit: at most {limit} in group {group}").format(
                limit=limits.max_time, group=limits.group))
    allowed = [posixpath.normpath(folder) for folder in mount_dirs]
    for source, target in spec.mounts:
        source_path = posixpath.normpath(source)
        if not any(source_path == folder or source_path.startswith(folder.rstrip("/") + "/") for folder in allowed):
            problems.append(_("mount {source}: not under an allowed directory ({allowed})").format(
                source=source, allowed=", ".join(allowed) or _("none")))
        if not target.startswith("/") or ".." in target.split("/"):
            problems.append(_("mount {source}: the path in the container must be absolute").format(source=source))
    return problems


def _within(sentence: str, value: int, lowest: int, highest: int, group: str) -> list[str]:
    """[`sentence` translated and filled] when `value` is outside `lowest`..`highest`, else []."""
    if lowest <= value <= highest:
        return []
    return [_(sentence).format(value=value, lowest=lowest, highest=highest, group=group)]


def parse_mount(text: str) -> tuple[str, str]:
    """`/public/home/me/data:/mnt/data` -> the two paths; one path mounts at the same place."""
    source, _colon, target = text.partition(":")
    if not source:
        raise ValueError(_("mount {value}: give SOURCE[:TARGET]").format(value=repr(text)))
    return source, target or source


def plan_launch(
    image: Image,
    *,
    now: datetime,
    group: str,
    name: str | None = None,
    task_type: str | None = None,
    cpus: int | None = None,
    cards: int | None = None,
    memory_mb: int | None = None,
    time_limit: str | None = None,
    start_script: str = "",
    mounts: Sequence[tuple[str, str]] = (),
    limits: Limits | None = None,
) -> LaunchSpec:
    """A LaunchSpec for `image`, every value not given taking its default (the memory's
    capped by `limits`, when they are known)."""
    accelerator = accelerator_of(image)
    default_memory = min(DEFAULT_MEMORY_MB, limits.memory_mb) if limits is not None else DEFAULT_MEMORY_MB
    return LaunchSpec(
        name=name or default_name(image, now),
        task_type=task_type or default_task_type(image),
        accelerator_type=accelerator,
        image_path=image.path,
        version=image.version or image.path.rsplit("/", 1)[-1],
        group=group,
        cpus=cpus if cpus is not None else DEFAULT_CPUS,
        cards=cards if cards is not None else default_cards(accelerator),
        memory_mb=memory_mb if memory_mb is not None else default_memory,
        time_limit=time_limit or DEFAULT_TIME,
        start_script=start_script,
        mounts=tuple(mounts),
    )


def offered_mounts(allowed: list[str], home: str) -> list[str]:
    """The directories the form offers to mount: the user's home first when it is allowed (one
    of the allowed directories, or under one), then the allowed directories."""
    if not home:
        return list(allowed)
    under = any(home == folder or home.startswith(folder.rstrip("/") + "/")
                for folder in (posixpath.normpath(path) for path in allowed))
    return [home, *(path for path in allowed if path != home)] if under else list(allowed)


def describe_limits(limits: Limits) -> str:
    """A group's limits in a sentence, as the launch form shows them."""
    if limits.accelerator == "cpu":
        text = _("Group {group}: up to {cpus} CPU cores, {memory_gb:.0f}G memory ({memory_mb} MB), "
                 "time limit {time_limit} · nodes: {nodes}")
    else:
        text = _("Group {group}: up to {cpus} CPU cores and {cards} {accelerator} cards, {memory_gb:.0f}G memory "
                 "({memory_mb} MB), time limit {time_limit} · nodes: {nodes}")
    return text.format(group=limits.group, cpus=limits.cpus, cards=limits.cards, accelerator=limits.accelerator.upper(),
                       memory_gb=limits.memory_mb / 1024, memory_mb=limits.memory_mb,
                       time_limit=unlimited_word(limits.max_time), nodes=limits.nodes)
