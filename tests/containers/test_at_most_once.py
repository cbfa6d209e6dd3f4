"""A call that starts, stops or deletes something is sent at most once, and an unknown
outcome is said as such: never "try again", never a second request behind the user's back.

Each case counts the requests the demo API saw: faults aimed at an action strike after
the demo carried it out (a gateway that timed out while the platform created the instance).
"""

from __future__ import annotations

import json
from typing import Iterator

import httpx
import pytest

from tui.api import containers
from tui.api.drivers import ScnetClient, ScnetSyncClient
from tui.api.errors import NetworkError, OutcomeUnknown, ProbablyLaunched
from tui.api.options import ClientOptions
from tui.cli import main
from tui.demo.server import DemoServer

from ..conftest import FAST, FakeClock
from ..proxy import Exchange, RewritingProxy

VLLM = ("vllm", "0.9.2", "dtk25.04.2")
SEEDED = 2  # every demo region starts with two instances


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    with DemoServer(clock=FakeClock(), deploy_seconds=0) as demo:
        monkeypatch.setenv("SCNET_BASE_URL", demo.base_url)
        monkeypatch.setenv("SCNET_TOKEN", demo.token)
        yield demo


def sent(server: DemoServer, method: str, suffix: str) -> int:
    return sum(1 for r in server.requests if r.method == method and r.path.endswith(suffix))


def listed(server: DemoServer) -> list[dict]:
    server.clear_faults()
    with ScnetSyncClient(server.base_url, server.token, FAST) as client:
        return [dict(i.raw) for i in containers.list_instances(client).instances]


def running_id(server: DemoServer) -> str:
    return next(r["id"] for r in listed(server) if r["status"] == "Running")


@pytest.mark.parametrize("fault", [("status", "504"), ("status", "502"), ("status", "503"), ("status", "500"),
                                   ("status", "408"), ("status", "499"), ("drop", ""), ("code", "10012"),
                                   ("code", "10001"), ("code", "716020"), ("malformed", "html"), ("status", "303")])
def test_a_create_whose_answer_is_lost_is_sent_once_and_said_to_be_unknown(
    server: DemoServer, fault: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    server.inject(*fault, call="create")  # on every try: a retry would create again each time
    assert main(["run", "--yes", *VLLM]) == 8
    out, err = capsys.readouterr()
    assert out == ""  # no id: none came back
    assert sent(server, "POST", "/task") == 1
    assert "may have been launched" in err and "scnet-images ps" in err and "try again" not in err
    # Launched once behind every lost answer; an error code strikes before (the platform said it,
    # instead of acting), and still cannot be taken for a definite no: 10012 says nothing of it.
    assert len(listed(server)) == SEEDED + (fault[0] != "code")


def test_a_504_once_after_creating_leaves_one_instance_not_two(server: DemoServer) -> None:
    server.inject("status", "504", times=1, call="create")
    assert main(["run", "--yes", *VLLM]) == 8
    assert sent(server, "POST", "/task") == 1 and len(listed(server)) == SEEDED + 1


def test_a_create_that_times_out_after_sending_is_not_sent_again(server: DemoServer) -> None:
    server.inject("latency", "2", call="create")
    options = ClientOptions(backoff=0.0, read_timeout=0.3)
    with ScnetSyncClient(server.base_url, server.token, options) as client:
        spec = _spec(client)
        with pytest.raises(OutcomeUnknown) as caught:
            containers.create_instance(client, spec)
    assert "may have been launched" in caught.value.message and "did not answer within" in caught.value.message
    assert sent(server, "POST", "/task") == 1


def test_a_deadline_passed_while_a_create_is_unanswered_is_an_unknown_outcome(server: DemoServer) -> None:
    server.inject("latency", "2", call="create")
    options = ClientOptions(backoff=0.0, deadline=0.5)
    with ScnetSyncClient(server.base_url, server.token, options) as client:
        spec = _spec(client)
        with pytest.raises(OutcomeUnknown):
            containers.create_instance(client, spec)
    assert sent(server, "POST", "/task") == 1


async def test_the_async_client_sends_an_unanswered_create_once(server: DemoServer) -> None:
    server.inject("drop", call="create")
    async with ScnetClient(server.base_url, server.token, FAST) as client:
        spec = _spec_from(await containers.launch_choices(client, "dcu"))
        with pytest.raises(OutcomeUnknown) as caught:
            await containers.create_instance(client, spec)
    assert caught.value.exit_code == 8 and "may have been launched" in str(caught.value)
    assert sent(server, "POST", "/task") == 1


async def test_the_async_deadline_while_a_create_is_unanswered_is_an_unknown_outcome(server: DemoServer) -> None:
    server.inject("latency", "2", call="create")
    async with ScnetClient(server.base_url, server.token, ClientOptions(backoff=0.0, deadline=0.5)) as client:
        spec = _spec_from(await containers.launch_choices(client, "dcu"))
        with pytest.raises(OutcomeUnknown):
            await containers.create_instance(client, spec)
    assert sent(server, "POST", "/task") == 1


def test_a_create_that_never_left_is_a_plain_network_failure() -> None:
    with ScnetSyncClient("http://127.0.0.1:9", "token", FAST) as client:  # nothing listens on port 9
        with pytest.raises(NetworkError) as caught:
            containers.create_instance(client, _spec(None))
    assert not isinstance(caught.value, OutcomeUnknown) and "refused" in caught.value.message


def test_a_refused_create_is_a_definite_answer_nothing_was_launched(server: DemoServer,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):  # the demo allows three active instances; one is running already
        assert main(["run", "--yes", *VLLM]) == 0
    assert main(["run", "--yes", *VLLM]) == 5  # refused with 716865: the platform said no
    assert "716865" in capsys.readouterr().err
    assert sent(server, "POST", "/task") == 3 and len(listed(server)) == SEEDED + 2


@pytest.mark.parametrize(("command", "call", "word"), [("rm", "delete", "deleted"), ("stop", "stop", "stopped"),
                                                        ("restart", "restart", "restarting")])
def test_an_action_whose_answer_is_lost_is_sent_once(server: DemoServer, command: str, call: str, word: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    records = listed(server)
    target = next(r["id"] for r in records if (r["status"] == "Running") == (command == "stop"))
    server.inject("status", "504", call=call)
    assert main([command, "--yes", target]) == 8
    err = capsys.readouterr().err
    method, suffix = {"rm": ("DELETE", "/task"), "stop": ("POST", "/stop"), "restart": ("POST", "/restart")}[command]
    assert sent(server, method, suffix) == 1
    assert f"may have been {word}" in err or f"may be {word}" in err
    assert "does not exist" not in err and "try again" not in err


def test_a_delete_that_succeeded_behind_a_504_is_not_reported_as_missing(server: DemoServer,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    stopped = next(r["id"] for r in listed(server) if r["status"] == "Terminated")
    server.inject("status", "504", times=1, call="delete")
    assert main(["rm", "--yes", stopped]) == 8
    assert "实例不存在" not in capsys.readouterr().err
    assert stopped not in {r["id"] for r in listed(server)} and sent(server, "DELETE", "/task") == 1


# --- a create answered with an id that is not an id -----------------------------------------------------


@pytest.mark.parametrize("data", ["abc\x1b[31m;rm -rf ~", "two words", "a;b", "--yes", "-rf", "", None, {"x": 1}, ["id"], True])
def test_a_create_accepted_without_a_usable_id_is_probably_launched(
    server: DemoServer, data: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def rewrite(exchange: Exchange) -> tuple[int, bytes] | None:
        if exchange.method == "POST" and exchange.path.endswith("/task"):
            return 200, json.dumps({"code": "0", "msg": "success", "data": data}).encode()
        return None

    with RewritingProxy(server.base_url, rewrite) as proxy:
        monkeypatch.setenv("SCNET_BASE_URL", proxy.base_url)
        assert main(["run", "--yes", *VLLM]) == 9
    out, err = capsys.readouterr()
    assert out == "" and "\x1b" not in err
    assert "very probably launched" in err and "scnet-images ps" in err and "fail" not in err.lower()
    assert sent(server, "POST", "/task") == 1


@pytest.mark.parametrize("data", ["4c1f43ddb030483e89b55413bee6c004", {"instanceServiceId": "4c1f43ddb030483e89b55413bee6c004"},
                                  {"id": "4c1f43ddb030483e89b55413bee6c004"}, {"taskId": "4c1f43ddb030483e89b55413bee6c004"}])
def test_a_create_reads_its_id_in_every_shape_seen(data: object) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": "0", "msg": "success", "data": data})

    with ScnetSyncClient("http://platform.test", "token", FAST, transport=httpx.MockTransport(answer)) as client:
        assert containers.create_instance(client, _spec(None)) == "4c1f43ddb030483e89b55413bee6c004"


def test_probably_launched_is_never_a_failure_in_words() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "msg": "success", "data": {"unexpected": "shape"}})

    with ScnetSyncClient("http://platform.test", "token", FAST, transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(ProbablyLaunched) as caught:
            containers.create_instance(client, _spec(None))
    assert caught.value.exit_code == 9 and '{"unexpected": "shape"}' in caught.value.message


# --- helpers ---------------------------------------------------------------------------------------------


def _spec(client: ScnetSyncClient | None) -> containers.LaunchSpec:  # type: ignore[name-defined]
    from tui.api.container_models import Limits

    if client is None:
        return _spec_from(containers.LaunchChoices([], Limits("dcu-k100-4", "dcu", 32, 4, 128000, "unlimited", 2),
                                                   []))
    return _spec_from(containers.launch_choices(client, "dcu"))


def _spec_from(choices: containers.LaunchChoices) -> object:
    from datetime import datetime

    from tui.api.models import Image
    from tui.launch import plan_launch

    image = Image(name="vllm", tag="0.9.2-ubuntu22.04-dtk25.04.2-py3.10", accelerator_type="dcu",
                  path="image.sourcefind.cn:5000/dcu/admin/base/vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10",
                  version="vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10", type="Base")
    return plan_launch(image, now=datetime(2026, 12, 2, 12, 0), group=choices.limits.group, limits=choices.limits)
