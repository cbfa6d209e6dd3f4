"""Every dialect the live platform was seen to speak (real-platform-evidence.md), spoken by the
demo API (`--dialect live` for the stricter one) and read by the client, over HTTP: the
container flow from the shell, the image calls, the instance list's two paths, login."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tui.api import containers
from tui.api.drivers import ScnetSyncClient
from tui.api.errors import ApiError
from tui.api.plans import envelope_data
from tui.api.options import Account, ClientOptions
from tui.cli import main
from tui.demo.server import DemoServer
from tui.profiles import read_profiles

from ..conftest import FAST, FakeClock

VLLM = ("vllm", "0.9.2", "dtk25.04.2")


@pytest.fixture(params=["default", "live"])
def server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    with DemoServer(clock=FakeClock(), deploy_seconds=0, dialect=request.param) as demo:
        monkeypatch.setenv("SCNET_BASE_URL", demo.base_url)
        monkeypatch.setenv("SCNET_TOKEN", demo.token)
        yield demo


def test_the_container_flow_from_the_shell(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--yes", "--wait", "--type", "jupyter", *VLLM]) == 0
    instance_id, url = capsys.readouterr().out.split()
    assert len(instance_id) == 32 and "/jupyter-forward/" in url
    assert main(["ps", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    key = server.dialect.id_key
    assert instance_id in {record[key] for record in listed}
    assert main(["url", instance_id]) == 0 and capsys.readouterr().out.strip() == url
    assert main(["stop", "--yes", instance_id]) == 0
    assert main(["rm", "--yes", instance_id]) == 0
    assert capsys.readouterr().out.split() == ["Stopped", instance_id, "Deleted", instance_id]
    assert main(["ps"]) == 0 and instance_id not in capsys.readouterr().out


@pytest.mark.parametrize("api", ["get", "post", "auto"])
def test_the_image_calls(server: DemoServer, api: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--image-api", api, "--format", "paths"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 265
    if api == "post":
        pages = [json.loads(r.body) for r in server.requests if r.method == "POST"]
        assert pages and all(page["sort"] == "DESC" for page in pages)


def test_the_instance_list_path_that_worked_is_used_first_next_time(server: DemoServer) -> None:
    detected: list[str] = []
    account = Account(on_instance_list_detected=detected.append)
    with ScnetSyncClient(server.base_url, server.token, FAST, account) as client:
        assert len(containers.list_instances(client).instances) == 2
        first = [r.path.rsplit("instance-service", 1)[1] for r in server.requests]
        server.requests.clear()
        assert containers.list_instances(client).path == detected[0]
        again = [r.path.rsplit("instance-service", 1)[1] for r in server.requests]
    if server.dialect.name == "live":
        assert first == ["/task", "/task/list"] and detected == ["task/list"] and again == ["/task/list"]
    else:
        assert first == ["/task"] and detected == ["task"] and again == ["/task"]


def test_a_known_path_that_stops_answering_falls_back_to_the_other(server: DemoServer) -> None:
    live = server.dialect.name == "live"
    account = Account(known_instance_list="task" if live else "task/list")
    with ScnetSyncClient(server.base_url, server.token, FAST, account) as client:
        if not live:  # both paths are served: one answers 404 once
            server.inject("status", "404", times=1, call="list")
        listed = containers.list_instances(client)
    assert len(listed.instances) == 2 and listed.path == ("task/list" if live else "task")


def test_a_refused_action_says_the_servers_words_whichever_key_holds_them(server: DemoServer) -> None:
    with ScnetSyncClient(server.base_url, server.token, FAST) as client:
        with pytest.raises(ApiError) as caught:
            containers.stop_instances(client, ["0" * 32])
    assert caught.value.code == "10004" and "实例不存在" in caught.value.message  # `msg` or `message`: the same words


def test_login_against_each_dialect(server: DemoServer, isolated_environment: Path,
                                    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SCNET_BASE_URL")
    monkeypatch.delenv("SCNET_TOKEN")
    monkeypatch.setattr(sys, "stdin", io.StringIO("demo-password\n"))
    assert main(["login", "--user", "demo", "--org-id", "demo-org", "--password-stdin",
                 "--ac-url", server.base_url, "--region", "11250"]) == 0
    err = capsys.readouterr().err
    profiles = {p.name: p for p in read_profiles(isolated_environment)}
    assert set(profiles) == {"demo-11250", "demo-20091", "demo-30042", "demo-40017"} and profiles["demo-11250"].default
    assert "home_path = \"/public/home/demo\"" in isolated_environment.read_text()
    dead = "answers neither image-list call" in err
    assert dead == (server.dialect.name == "live")  # 20091 answers 404 for every path there
    assert main(["--profile", "demo-11250", "ps"]) == 0


def test_login_never_makes_a_region_that_answers_no_image_call_the_default(isolated_environment: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.demo.accounts import DEMO_REGIONS

    monkeypatch.setattr("tui.demo.accounts.DEMO_REGIONS", (DEMO_REGIONS[1], DEMO_REGIONS[0]))  # the dead one first
    with DemoServer(dialect="live") as server:
        monkeypatch.setattr(sys, "stdin", io.StringIO("demo-password\n"))
        assert main(["login", "--user", "demo", "--org-id", "demo-org", "--password-stdin",
                     "--ac-url", server.base_url]) == 0
    profiles = {p.name: p for p in read_profiles(isolated_environment)}
    assert profiles["demo-11250"].default and not profiles["demo-20091"].default


def test_a_live_region_requires_sort_on_the_paginated_call() -> None:
    with DemoServer(dialect="live") as server:
        with ScnetSyncClient(server.base_url, server.token, ClientOptions(backoff=0.0)) as client:
            body = {"access": "public", "start": 0, "limit": 1}
            read = envelope_data("the answer")
            with pytest.raises(ApiError) as caught:
                client.run(client.call("POST", server.base_url + "/ai/openapi/v2/image/images", read, body=body))
    assert "10003" in str(caught.value) and "sort" in str(caught.value)
