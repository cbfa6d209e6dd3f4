"""What a launch asks for, before anything is sent: defaults, typed values, limits, addresses."""

from __future__ import annotations

from datetime import datetime

import pytest

from tui.api.container_models import LaunchSpec, Limits
from tui.api.models import parse_image
from tui.launch import (
    check_launch,
    default_name,
    default_task_type,
    parse_memory,
    parse_mount,
    parse_time_limit,
    plan_launch,
)
from tui.links import masked, ssh_command, url_problem

LIMITS = Limits("dcu-k100-4", "dcu", cpus=32, cards=4, memory_mb=128000, max_time="72:00:00")
JUPYTER = parse_image({"name": "jupyterlab-pytorch", "tag": "2.1.0-dtk24.04", "type": "JupyterLab",
                       "acceleratorType": "dcu", "path": "reg:5000/dcu/admin/base/jupyterlab-pytorch:2.1.0-dtk24.04"})
CPU = parse_image({"name": "python", "tag": "3.11-slim", "type": "Base", "acceleratorType": "cpu",
                   "path": "reg:5000/cpu/admin/base/python:3.11-slim"})
NOW = datetime(2026, 11, 28, 14, 5)


def test_defaults_follow_the_image() -> None:
    spec = plan_launch(JUPYTER, now=NOW, group="dcu-k100-4", limits=LIMITS)
    assert spec.task_type == "jupyter" and spec.accelerator_type == "dcu"
    assert (spec.cpus, spec.cards, spec.memory_mb, spec.time_limit) == (1, 1, 4096, "01:00:00")
    assert spec.name == "jupyterlab-pytorch-1128-1405" and spec.version == "jupyterlab-pytorch:2.1.0-dtk24.04"
    assert default_task_type(CPU) == "ssh" and plan_launch(CPU, now=NOW, group="c").cards == 0
    assert check_launch(spec, LIMITS) == []


def test_the_body_is_what_the_page_documents() -> None:
    body = plan_launch(JUPYTER, now=NOW, group="dcu-k100-4", mounts=[("/work/demo", "/mnt/w")]).body()
    assert set(body) >= {"instanceServiceName", "taskType", "acceleratorType", "imagePath", "version",
                         "resourceGroup", "cpuNumber", "gpuNumber", "ramSize", "taskNumber", "timeoutLimit",
                         "useStartScript", "startScriptActionScope", "startScriptContent", "mountInfoList"}
    assert body["imagePath"].endswith("/" + body["version"]) and body["taskNumber"] == 1
    assert body["mountInfoList"] == [{"sourcePath": "/work/demo", "targetPath": "/mnt/w", "type": "path"}]


@pytest.mark.parametrize("text, mb", [("32G", 32768), ("32g", 32768), ("32GiB", 32768), ("512M", 512),
                                      ("16384", 16384), ("1.5G", 1536), ("1T", 1048576)])
def test_memory_as_people_type_it(text: str, mb: int) -> None:
    assert parse_memory(text) == mb


@pytest.mark.parametrize("text", ["", "lots", "32X", "-1G"])
def test_memory_that_is_not_a_size(text: str) -> None:
    with pytest.raises(ValueError):
        parse_memory(text)


@pytest.mark.parametrize("text, limit", [("2:00:00", "02:00:00"), ("2h", "02:00:00"), ("90m", "01:30:00"),
                                         ("1h30m", "01:30:00"), ("unlimited", "unlimited"), ("360:00:00", "360:00:00")])
def test_time_limits_as_people_type_them(text: str, limit: str) -> None:
    assert parse_time_limit(text) == limit


@pytest.mark.parametrize("text", ["soon", "1:99:00", "0:00:00", "h", "-2h"])
def test_time_limits_that_are_not_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time_limit(text)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"cpus": 33}, "CPU cores: 33 is outside 1-32"),
        ({"cpus": 0}, "CPU cores: 0"),
        ({"cards": 5}, "accelerator cards: 5 is outside 1-4"),
        ({"cards": 0}, "accelerator cards: 0"),
        ({"memory_mb": 200000}, "memory (MB): 200000"),
        ({"time_limit": "unlimited"}, "at most 72:00:00"),
        ({"time_limit": "73:00:00"}, "at most 72:00:00"),
        ({"name": "bad name!"}, "name:"),
        ({"task_type": "vnc"}, "task type"),
        ({"mounts": (("/etc", "/mnt"),)}, "not under an allowed directory"),
        ({"mounts": (("/work/demo/../../etc", "/mnt"),)}, "not under an allowed directory"),
        ({"mounts": (("/work/demo/data", "relative"),)}, "must be absolute"),
    ],
)
def test_what_the_limits_refuse_is_said(change: dict, words: str) -> None:
    spec: LaunchSpec = plan_launch(JUPYTER, now=NOW, group="dcu-k100-4")._replace(**change)
    problems = check_launch(spec, LIMITS, ["/work/demo", "/public/home/demo"])
    assert any(words in problem for problem in problems), problems


def test_names_and_mounts() -> None:
    assert default_name(parse_image({"name": "中文 镜像", "path": "r/x:1"}), NOW) == "instance-1128-1405"
    assert parse_mount("/work/demo") == ("/work/demo", "/work/demo")
    assert parse_mount("/a:/b") == ("/a", "/b")


# --- access URLs and ssh ------------------------------------------------------------------------------


def test_access_urls() -> None:
    url = "http://127.0.0.1:8765/jupyter-forward/abc/?token=sothisai_abc123"
    assert url_problem(url) is None
    assert "sothisai_abc123" not in masked(url) and "token=****" in masked(url)
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "http://a b", "http://h/\x1b[31m",
                "http://user:pw@h/x", "", "http://", "ftp://h/x", "http://h:99999999/"):
        assert url_problem(bad) is not None, bad


@pytest.mark.parametrize(
    "address, line",
    [
        ("ssh://root@127.0.0.1:30022", "ssh -p 30022 root@127.0.0.1"),
        ("root@10.0.0.5:2222", "ssh -p 2222 root@10.0.0.5"),
        ("node7.example:22", "ssh -p 22 root@node7.example"),
        ("node7.example", "ssh root@node7.example"),
    ],
)
def test_ssh_commands(address: str, line: str) -> None:
    assert ssh_command(address).text == line


@pytest.mark.parametrize("address", ["ssh://root@h;rm -rf ~:22", "-oProxyCommand=x", "ssh://$(id)@h:22",
                                     "h:22\nrm", "ssh://root@h:70000", "ssh://-o@h:22"])
def test_ssh_addresses_that_would_do_something_else(address: str) -> None:
    command = ssh_command(address)
    assert command.text == "" and command.problem
