"""Odd answers to the calls a launch asks first (groups, limits, mount directories: no page
shows their shape) never keep a launch from being prepared: what cannot be read is left out,
with a note. The demo answers through a proxy that rewrites one answer at a time."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from tui.api import containers
from tui.api.drivers import ScnetSyncClient
from tui.api.errors import ApiError
from tui.cli import main
from tui.demo.server import DemoServer

from ..conftest import FAST
from ..proxy import Exchange, RewritingProxy

VLLM = ("vllm", "0.9.2", "dtk25.04.2")


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


def rewriting(path: str, data: Any):  # type: ignore[no-untyped-def]
    def rewrite(exchange: Exchange) -> tuple[int, bytes] | None:
        if exchange.path.split("?")[0].endswith(path):
            return 200, json.dumps({"code": "0", "msg": "success", "data": data}, ensure_ascii=False).encode()
        return None

    return rewrite


@pytest.mark.parametrize("data", ["", None, "/public/home/demo", {"path": "/public/home/demo"}, 42, [None, 7, "rel/dir"],
                                  {"total": 0, "list": None}])
def test_mount_directories_in_any_shape(server: DemoServer, data: Any) -> None:
    with RewritingProxy(server.base_url, rewriting("/allowed-mount-dir", data)) as proxy:
        with ScnetSyncClient(proxy.base_url, server.token, FAST) as client:
            choices = containers.launch_choices(client, "dcu")
    assert choices.limits.group == "dcu-k100-4"
    expected = ["/public/home/demo"] if data in ("/public/home/demo", {"path": "/public/home/demo"}) else []
    assert choices.mount_dirs == expected and choices.notes == ()


@pytest.mark.parametrize("data", ["dcu-k100-4", {"resourceGroup": "dcu-k100-4", "acceleratorType": "dcu"}])
def test_groups_as_a_scalar_or_an_object(server: DemoServer, data: Any) -> None:
    with RewritingProxy(server.base_url, rewriting("/resource-group", data)) as proxy:
        with ScnetSyncClient(proxy.base_url, server.token, FAST) as client:
            choices = containers.launch_choices(client, "dcu")
    assert [group.name for group in choices.groups] == ["dcu-k100-4"] and choices.limits.cards == 4


def test_groups_that_cannot_be_read_say_so(server: DemoServer) -> None:
    with RewritingProxy(server.base_url, rewriting("/resource-group", 3.5)) as proxy:
        with ScnetSyncClient(proxy.base_url, server.token, FAST) as client:
            with pytest.raises(ApiError) as caught:
                containers.launch_choices(client, "dcu")
    assert "No resource group" in caught.value.message and "could not be read" in caught.value.message


def test_one_groups_unreadable_limits_leave_it_out(server: DemoServer) -> None:
    def rewrite(exchange: Exchange) -> tuple[int, bytes] | None:
        if "resourceGroup=dcu-k100-4" in exchange.path:
            return 200, b'{"code": "0", "msg": "success", "data": "unlimited"}'
        return None

    with RewritingProxy(server.base_url, rewrite) as proxy:
        with ScnetSyncClient(proxy.base_url, server.token, FAST) as client:
            choices = containers.launch_choices(client, "dcu")
    assert choices.limits.group == "dcu-z100-2"
    assert len(choices.notes) == 1 and "dcu-k100-4" in choices.notes[0]


def test_run_still_prepares_a_launch(server: DemoServer, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with RewritingProxy(server.base_url, rewriting("/allowed-mount-dir", {"weird": True})) as proxy:
        monkeypatch.setenv("SCNET_BASE_URL", proxy.base_url)
        monkeypatch.setenv("SCNET_TOKEN", server.token)
        assert main(["run", "--dry-run", *VLLM]) == 0
    assert json.loads(capsys.readouterr().out)["resourceGroup"] == "dcu-k100-4"
