"""What a hostile review of the launch-safety work found, each a test that failed before."""

from __future__ import annotations

import json
from typing import Iterator

import httpx
import pytest

from tui.api import containers
from tui.api.drivers import ScnetSyncClient
from tui.api.errors import ProbablyLaunched, TokenRefused
from tui.api.options import Account, ClientOptions
from tui.cli import main
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.faults import Fault
from tui.demo.server import DemoServer
from tui.links import masked_fields

from ..conftest import FAST, FakeClock
from ..hostile import HostileServer
from .test_at_most_once import _spec, _spec_from, sent

VLLM = ("vllm", "0.9.2", "dtk25.04.2")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    with DemoServer(clock=FakeClock(), deploy_seconds=0) as demo:
        monkeypatch.setenv("SCNET_BASE_URL", demo.base_url)
        monkeypatch.setenv("SCNET_TOKEN", demo.token)
        yield demo


def test_a_refused_token_on_a_create_is_renewed_but_the_create_not_sent_again() -> None:
    with DemoServer() as server:
        expired = server.issuer.issue(DEMO_ACCOUNTS[0], "11250", expires_in=-60)
        renewed: list[str] = []
        account = Account(ac_url=server.base_url, cluster_id="11250", on_token_renewed=renewed.append)
        with ScnetSyncClient(server.base_url + "/r/11250", expired, FAST, account) as client:
            spec = _spec(None)
            with pytest.raises(TokenRefused) as caught:
                containers.create_instance(client, spec)
        assert "not sent again" in caught.value.message and len(renewed) == 1
        assert sent(server, "POST", "/instance-service/task") == 1
        assert sent(server, "POST", "/tokens/next") == 1


def test_a_create_answer_quoting_the_token_never_shows_a_piece_of_it() -> None:
    token = "opaque-SECRET-token-" + "x" * 40

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": "0", "msg": "ok", "data": {"note": "n" * 40, "t": token}})

    with ScnetSyncClient("http://platform.test", token, FAST, transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(ProbablyLaunched) as caught:
            containers.create_instance(client, _spec(None))
    assert "SECRET" not in str(caught.value) and "opaque" not in str(caught.value)


def test_an_empty_reference_never_acts(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stop", "--yes", ""]) == 64
    assert "empty ID" in capsys.readouterr().err and sent(server, "POST", "/actions/stop") == 0


def test_a_name_that_is_also_the_start_of_another_id_is_ambiguous(server: DemoServer,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    running = next(i for i in _listed(server) if i.status == "Running")
    assert main(["run", "--yes", "--name", running.id[:4], *VLLM]) == 0
    capsys.readouterr()
    assert main(["stop", "--yes", running.id[:4]]) == 2
    assert "could name several" in capsys.readouterr().err and sent(server, "POST", "/actions/stop") == 0


def test_the_same_instance_named_twice_is_acted_on_once(server: DemoServer) -> None:
    stopped = next(i for i in _listed(server) if i.status == "Terminated")
    assert main(["restart", "--yes", stopped.name, stopped.id[:10], stopped.id]) == 0
    assert sent(server, "POST", "/actions/restart") == 1


def test_an_incomplete_list_takes_only_a_whole_id(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    records = [{"id": "abcd" + "0" * 28, "instanceServiceName": "web"}, {"instanceServiceName": "no id"}]

    def listing(seen):  # type: ignore[no-untyped-def]
        return 200, {}, json.dumps({"code": "0", "msg": "ok", "data": records}).encode()

    with HostileServer({"/ai/openapi/v2/instance-service/task": listing}) as hostile:
        monkeypatch.setenv("SCNET_BASE_URL", hostile.base_url)
        monkeypatch.setenv("SCNET_TOKEN", "t0ken-value")
        assert main(["stop", "--yes", "web"]) == 1
        assert "may be incomplete" in capsys.readouterr().err
        assert not any("actions/stop" in seen.path for seen in hostile.seen)


def test_masked_records_hide_passwords_in_urls_and_secret_keys() -> None:
    record = {"accessUrl": "http://user:pw@host:8888/x?token=abc", "token": "t" * 20, "nested": [{"password": "p"}]}
    shown = json.dumps(masked_fields(record))
    assert "pw@" not in shown and "abc" not in shown and "t" * 20 not in shown and '"p"' not in shown
    assert "user:****@" in shown  # the user is kept: only the password is masked


def test_masked_urls_keep_a_plain_ssh_user_and_hide_a_token_put_there() -> None:
    from tui.links import masked

    assert masked("ssh://root@10.0.0.5:30022") == "ssh://root@10.0.0.5:30022"  # ssh needs it: no secret
    assert masked("https://eyJhbGciOiJIUzI1NiJ9.e30.sig@host/x") == "https://****@host/x"


@pytest.mark.parametrize("spec", ["status:504x0@create", "status:504@", "latency:nan", "latency:-1", "latency:inf",
                                  "status:nan", "status:1e400", "status:0", "status:99", "drop@nothing"])
def test_fault_specs_that_make_no_sense_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        Fault.parse(spec)


def test_a_fault_aimed_at_an_action_waits_for_a_request_that_is_carried_out() -> None:
    with DemoServer() as server:
        server.inject("status", "504", times=1, call="create")
        with ScnetSyncClient(server.base_url, "wrong-token-value", FAST) as client:
            with pytest.raises(TokenRefused):
                containers.create_instance(client, _spec(None))  # refused: the fault is still armed
        with ScnetSyncClient(server.base_url, server.token, ClientOptions(backoff=0.0)) as client:
            with pytest.raises(Exception) as caught:
                containers.create_instance(client, _spec_from(containers.launch_choices(client, "dcu")))
        assert "504" in str(caught.value)


def test_a_deadline_shorter_than_the_read_timeout_is_the_one_named(server: DemoServer,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    server.inject("latency", "3", call="list")
    assert main(["ps", "--deadline", "1"]) == 4
    err = capsys.readouterr().err
    assert "30s" not in err and ("1s" in err or "1 s" in err)


def _listed(server: DemoServer) -> list:  # type: ignore[type-arg]
    with ScnetSyncClient(server.base_url, server.token, FAST) as client:
        return containers.list_instances(client).instances
