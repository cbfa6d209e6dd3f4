"""Every container call with the app's own clients against the demo API over loopback HTTP,
its failures included: both answer shapes (the root and region 20091), codes, faults."""

from __future__ import annotations

from typing import Iterator

import pytest

from tui.api import containers
from tui.api.container_models import LaunchSpec
from tui.api.drivers import ScnetClient, ScnetSyncClient
from tui.api.errors import ApiError, ConfigError, NetworkError
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.server import DemoServer

from ..conftest import FAST, FakeClock

IMAGE = "image.sourcefind.cn:5000/dcu/admin/base/vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10"


def spec(**changes: object) -> LaunchSpec:
    base = LaunchSpec(name="vllm-test", task_type="jupyter", accelerator_type="dcu", image_path=IMAGE,
                      version=IMAGE.rsplit("/", 1)[1], group="dcu-k100-4", cpus=8, cards=1, memory_mb=32768,
                      time_limit="02:00:00")
    return base._replace(**changes)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["root", "20091"])
def region(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[ScnetSyncClient]:
    """A sync client to the demo's root (objects, wrapped lists) or to region 20091 (bare lists)."""
    with DemoServer(clock=clock, deploy_seconds=10) as server:
        if request.param == "root":
            client = ScnetSyncClient(server.base_url, server.token, FAST)
        else:
            token = server.issuer.issue(DEMO_ACCOUNTS[0], "20091")
            client = ScnetSyncClient(f"{server.base_url}/r/20091", token, FAST)
        with client:
            client.server = server  # type: ignore[attr-defined]
            yield client


def test_the_launch_choices(region: ScnetSyncClient) -> None:
    choices = containers.launch_choices(region, "dcu")
    assert [group.name for group in choices.groups][:2] == ["dcu-k100-4", "dcu-z100-2"]
    assert choices.limits.group == "dcu-k100-4" and (choices.limits.cpus, choices.limits.cards) == (32, 4)
    assert choices.limits.memory_mb == 128000 and choices.limits.max_time == "unlimited"
    assert "/public/home/demo" in choices.mount_dirs
    assert containers.launch_choices(region, "gpu").limits.group == "gpu-a800-8"
    assert containers.launch_choices(region, "cpu").limits.group == "cpu-general"
    assert containers.group_limits(region, "dcu-z100-2", "dcu").max_time == "72:00:00"


def test_a_group_that_does_not_serve_the_accelerator(region: ScnetSyncClient) -> None:
    with pytest.raises(ApiError) as caught:
        containers.group_limits(region, "cpu-general", "dcu")
    assert caught.value.code == "10004"
    with pytest.raises(ApiError) as caught:
        containers.launch_choices(region, "mlu")
    assert "No resource group of this region serves mlu" in caught.value.message


def test_the_lifecycle(region: ScnetSyncClient, clock: FakeClock) -> None:
    seeded = containers.list_instances(region).instances
    assert {instance.status for instance in seeded} == {"Running", "Terminated"}
    new = containers.create_instance(region, spec())
    assert containers.valid_instance_id(new)
    assert containers.instance_detail(region, new).status == "Deploying"
    with pytest.raises(ApiError) as caught:
        containers.access_url(region, new)
    assert caught.value.code == "10004"
    clock.advance(11)
    running = containers.instance_detail(region, new)
    assert running.status == "Running" and running.cpus == 8 and running.memory_mb == 32768
    assert {port.protocol for port in running.ports} == {"HTTP", "SSH"}
    url = containers.access_url(region, new)
    assert url.startswith("http://127.0.0.1:") and f"/jupyter-forward/{new}/?token=sothisai_" in url
    assert [instance.id for instance in containers.list_instances(region).instances][0] == new  # newest first
    assert [i.id for i in containers.list_instances(region, status="Running").instances].count(new) == 1
    with pytest.raises(ApiError) as caught:
        containers.delete_instances(region, [new])  # still running
    assert caught.value.code == "716866" and "stop" in caught.value.hint
    containers.stop_instances(region, [new])
    assert containers.instance_detail(region, new).status == "Terminated"
    containers.restart_instance(region, new)
    assert containers.instance_detail(region, new).status == "Deploying"
    containers.stop_instances(region, [new])
    containers.delete_instances(region, [new])
    assert new not in {instance.id for instance in containers.list_instances(region).instances}


def test_the_quota_and_the_limits_refuse_with_the_platforms_code(region: ScnetSyncClient) -> None:
    with pytest.raises(ApiError) as caught:
        containers.create_instance(region, spec(cpus=64))
    assert caught.value.code == "716865" and "cpuNumber 64 > 32" in caught.value.message
    assert "quota" in caught.value.hint
    for number in range(2):
        containers.create_instance(region, spec(name=f"one-{number}"))
    with pytest.raises(ApiError) as caught:  # the seeded running one, and two more: three active
        containers.create_instance(region, spec(name="one-too-many"))
    assert caught.value.code == "716865" and "716865" in str(caught.value)


def test_a_failing_instance_fails(region: ScnetSyncClient, clock: FakeClock) -> None:
    new = containers.create_instance(region, spec(name="will-fail"))
    clock.advance(11)
    assert containers.instance_detail(region, new).status == "Failed"


def test_ids_that_are_not_ids_never_reach_a_url(region: ScnetSyncClient) -> None:
    for bad in ("../../etc", "a b", "x?y=1", "", "a" * 100):
        with pytest.raises(ConfigError):
            containers.instance_detail(region, bad)
    assert all("etc" not in r.path for r in region.server.requests)  # type: ignore[attr-defined]


def test_faults_reach_the_container_calls(region: ScnetSyncClient) -> None:
    region.server.inject("status", "502", times=3)  # type: ignore[attr-defined]
    with pytest.raises(ApiError) as caught:
        containers.list_instances(region)
    assert caught.value.status == 502
    region.server.inject("code", "10012", times=1)  # type: ignore[attr-defined]
    assert containers.list_instances(region).instances  # retried once, then answered


async def test_the_async_client_runs_the_same_calls(clock: FakeClock) -> None:
    with DemoServer(clock=clock, deploy_seconds=0) as server:
        async with ScnetClient(server.base_url, server.token, FAST) as client:
            new = await containers.create_instance(client, spec())
            assert (await containers.instance_detail(client, new)).status == "Running"
            assert "sothisai_" in await containers.access_url(client, new)
            choices = await containers.launch_choices(client, "dcu")
            assert choices.limits.group == "dcu-k100-4"


def test_an_expired_token_is_renewed_for_container_calls(clock: FakeClock) -> None:
    from tui.api.options import Account

    renewed: list[str] = []
    with DemoServer(clock=clock) as server:
        expired = server.issuer.issue(DEMO_ACCOUNTS[0], "11250", expires_in=-60)
        account = Account(ac_url=server.base_url, cluster_id="11250", on_token_renewed=renewed.append)
        with ScnetSyncClient(f"{server.base_url}/r/11250", expired, FAST, account) as client:
            assert containers.list_instances(client).instances
    assert len(renewed) == 1


def test_an_unreachable_region() -> None:
    with DemoServer() as server:
        url = server.base_url
    with ScnetSyncClient(url, "t0ken-value", FAST) as client, pytest.raises(NetworkError):
        containers.list_instances(client)
