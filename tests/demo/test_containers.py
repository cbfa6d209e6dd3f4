"""The demo's container-instance calls as containers-api.md documents them, over raw HTTP on
loopback, with a fake clock the tests move (the state machine reads nothing else)."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

import httpx
import pytest

from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.plumbing import Route, Router
from tui.demo.server import DemoServer

BASE = "/ai/openapi/v2/instance-service"
START = 1748750400.0  # 2025-06-01 12:00:00 in Beijing
IMAGE = "image.sourcefind.cn:5000/dcu/admin/base/pytorch:2.4.1-ubuntu22.04-dtk25.04-py3.10"
DETAIL_FIELDS = {
    "id", "instanceServiceName", "status", "taskType", "acceleratorType", "resourceGroup", "cpuNumber", "gpuNumber",
    "ramSize", "resourceSpec", "taskNumber", "currentIndex", "timeoutLimit", "userName", "version", "imagePath",
    "description", "createTime", "startTime", "endTime", "duration", "remainingTime", "tensorboardId",
    "tensorboardPath", "headerNotebookId", "headerNotebookIp", "mountInfoList", "containerPortInfoList",
    "useStartScript", "startScriptContent", "startScriptPath", "startScriptActionScope",
}
DROP = object()


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """One region's container calls: the root (the server's token) or `/r/<region>` (a login's)."""

    def __init__(self, server: DemoServer, region: str = "") -> None:
        self.server = server
        self.prefix = f"/r/{region}" if region else ""
        self.token = server.issuer.issue(DEMO_ACCOUNTS[0], region) if region else server.token

    def raw(self, method: str, path: str, body: Any = None, params: Any = None,
            token: str | None = "own") -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["token"] = self.token if token == "own" else token
        content = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode()
        url = self.server.base_url + self.prefix + BASE + path
        return httpx.request(method, url, headers=headers, content=content, params=params)

    def __call__(self, method: str, path: str, body: Any = None, params: Any = None) -> dict[str, Any]:
        answer = self.raw(method, path, body, params)
        assert answer.status_code == 200
        return answer.json()

    def create(self, **changes: Any) -> dict[str, Any]:
        return self("POST", "/task", launch(**changes))

    def new(self, **changes: Any) -> str:
        answer = self.create(**changes)
        assert answer["code"] == "0", answer
        return answer["data"]

    def detail(self, instance_id: str) -> dict[str, Any]:
        answer = self("GET", f"/{instance_id}/detail")
        assert answer["code"] == "0", answer
        return answer["data"]

    def status(self, instance_id: str) -> str:
        return self.detail(instance_id)["status"]

    def listed(self, body: Any = None, params: Any = None) -> list[dict[str, Any]]:
        data = self("GET", "/task", body, params)["data"]
        return data if isinstance(data, list) else data["list"]


def launch(**changes: Any) -> dict[str, Any]:
    body = {
        "instanceServiceName": "notebook-1", "description": "", "taskType": "jupyter", "acceleratorType": "dcu",
        "imagePath": IMAGE, "version": IMAGE.rsplit("/", 1)[-1], "resourceGroup": "dcu-k100-4", "cpuNumber": 8,
        "gpuNumber": 1, "ramSize": 32768, "taskNumber": 1, "timeoutLimit": "01:00:00", "useStartScript": False,
        "startScriptActionScope": "all", "startScriptContent": "",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not DROP}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[DemoServer]:
    with DemoServer(clock=clock) as demo:
        yield demo


@pytest.fixture
def root(server: DemoServer) -> Api:
    return Api(server)


@pytest.fixture
def plain(server: DemoServer) -> Api:
    return Api(server, "20091")


def seeded(api: Api, name: str) -> dict[str, Any]:
    return next(item for item in api.listed() if item["instanceServiceName"] == name)


# --- groups, limits, mounts ------------------------------------------------------------------------


def test_resource_groups_in_both_shapes(server: DemoServer, root: Api, plain: Api) -> None:
    objects = [{"resourceGroup": "dcu-k100-4", "acceleratorType": "dcu", "nodeNumber": 2},
               {"resourceGroup": "dcu-z100-2", "acceleratorType": "dcu", "nodeNumber": 1},
               {"resourceGroup": "gpu-a800-8", "acceleratorType": "gpu", "nodeNumber": 1},
               {"resourceGroup": "cpu-general", "acceleratorType": "cpu", "nodeNumber": 4}]
    assert root("GET", "/resource-group")["data"] == objects
    assert Api(server, "11250")("GET", "/resource-group")["data"] == objects
    assert plain("GET", "/resource-group")["data"] == ["dcu-k100-4", "dcu-z100-2", "gpu-a800-8", "cpu-general"]


@pytest.mark.parametrize("api_name", ["root", "plain"])
def test_group_limits(api_name: str, request: pytest.FixtureRequest) -> None:
    api: Api = request.getfixturevalue(api_name)
    answer = api("GET", "/resources", params={"resourceGroup": "dcu-k100-4", "acceleratorType": "dcu"})
    assert answer == {"code": "0", "msg": "success", "data": {
        "cpuNumber": 32, "gpuNumber": 4, "memorySize": 128000, "nvLimits": 0, "dcuLimits": 8, "mluLimits": 0,
        "nodeNumber": 2, "maxTime": "unlimited", "resourceGroup": "dcu-k100-4", "id": None, "userName": None}}
    gpu = api("GET", "/resources", params={"resourceGroup": "gpu-a800-8", "acceleratorType": "gpu"})["data"]
    assert (gpu["nvLimits"], gpu["dcuLimits"], gpu["maxTime"]) == (8, 0, "168:00:00")


@pytest.mark.parametrize("params, code, words", [
    ({"acceleratorType": "dcu"}, "10003", "resourceGroup"),
    ({"resourceGroup": "dcu-k100-4"}, "10003", "acceleratorType"),
    ({"resourceGroup": "tesla", "acceleratorType": "gpu"}, "10004", "tesla"),
    ({"resourceGroup": "gpu-a800-8", "acceleratorType": "dcu"}, "10004", "serves gpu"),
])
def test_group_limits_refusals(root: Api, params: dict, code: str, words: str) -> None:
    answer = root("GET", "/resources", params=params)
    assert answer["code"] == code and words in answer["msg"] and answer["data"] is None


def test_mount_dirs_in_both_shapes(root: Api, plain: Api) -> None:
    paths = ["/public/home/demo", "/public/share/datasets", "/work/demo"]
    assert root("GET", "/allowed-mount-dir")["data"] == paths
    assert plain("GET", "/allowed-mount-dir")["data"] == [{"path": path} for path in paths]


# --- seeds, create, detail, url ----------------------------------------------------------------------


def test_every_region_starts_with_two_instances(root: Api, plain: Api) -> None:
    data = root("GET", "/task")["data"]
    assert data["total"] == 2 and [item["status"] for item in data["list"]] == ["Running", "Terminated"]
    running = seeded(root, "jupyterlab-pytorch-demo")
    assert running["startTime"] == "2025-06-01 10:00:00" and running["endTime"] is None
    assert (running["duration"], running["remainingTime"]) == ("02:00:00", "unlimited")
    assert running["version"] == "jupyterlab-pytorch:2.1.0-ubuntu20.04-dtk24.04.1-py3.10-scnet"
    assert running["resourceSpec"] == "8 核心; 1 加速器; 32.0G 内存"
    ended = seeded(root, "vllm-serve-test")
    assert (ended["taskType"], ended["resourceGroup"], ended["timeoutLimit"]) == ("ssh", "dcu-z100-2", "02:00:00")
    assert (ended["startTime"], ended["endTime"]) == ("2025-05-31 10:00:00", "2025-05-31 12:00:00")
    assert (ended["duration"], ended["remainingTime"], ended["containerPortInfoList"]) == ("--", "--", [])
    others = plain.listed()
    assert len(others) == 2 and {item["id"] for item in others}.isdisjoint(item["id"] for item in data["list"])


def test_no_seeds_when_asked(clock: FakeClock) -> None:
    with DemoServer(clock=clock, seed_instances=False) as server:
        assert Api(server)("GET", "/task")["data"] == {"total": 0, "list": []}
        assert server.containers.instances == {}


def test_create_deploys_then_runs_with_every_detail_field(root: Api, clock: FakeClock) -> None:
    instance_id = root.new(instanceServiceName="nb", description="try")
    assert re.fullmatch(r"[0-9a-f]{32}", instance_id)
    detail = root.detail(instance_id)
    assert set(detail) == DETAIL_FIELDS
    assert detail["status"] == "Deploying" and detail["createTime"] == "2025-06-01 12:00:00"
    assert (detail["startTime"], detail["duration"], detail["containerPortInfoList"]) == (None, "--", [])
    fixed = (detail["taskNumber"], detail["currentIndex"], detail["userName"], detail["description"])
    assert fixed == (1, 0, "demo", "try")
    not_running = {"code": "10004", "msg": "参数无效: 实例未运行 (not running)", "data": None}
    assert root("GET", f"/{instance_id}/url") == not_running
    clock.advance(3)
    detail = root.detail(instance_id)
    assert detail["status"] == "Running" and detail["startTime"] == "2025-06-01 12:00:03"
    clock.advance(600)
    detail = root.detail(instance_id)
    assert (detail["duration"], detail["remainingTime"]) == ("00:10:00", "00:50:00")
    base = root.server.base_url
    jupyter = f"{base}/jupyter-forward/{instance_id}/?token=sothisai_{instance_id}"
    ssh = f"ssh://root@127.0.0.1:{20000 + int(instance_id[:4], 16) % 10000}"
    assert detail["containerPortInfoList"] == [
        {"accessUrl": jupyter, "containerPort": "8888", "protocolType": "HTTP"},
        {"accessUrl": ssh, "containerPort": "22", "protocolType": "SSH"}]
    assert root("GET", f"/{instance_id}/url")["data"] == jupyter


@pytest.mark.parametrize("task_type, port, prefix", [("codeserver", "8080", "codeserver-forward"),
                                                     ("rstudio", "8787", "rstudio-forward"), ("ssh", "22", "")])
def test_each_task_types_entry(clock: FakeClock, task_type: str, port: str, prefix: str) -> None:
    with DemoServer(clock=clock, deploy_seconds=0) as server:
        api = Api(server)
        instance_id = api.new(taskType=task_type)
        assert api.status(instance_id) == "Running"  # deploy_seconds=0: running on the first read
        url = api("GET", f"/{instance_id}/url")["data"]
        ports = api.detail(instance_id)["containerPortInfoList"]
        assert ports[0]["containerPort"] == port and url == ports[0]["accessUrl"]
        assert url.startswith("ssh://root@127.0.0.1:") if task_type == "ssh" else f"/{prefix}/{instance_id}/" in url


def test_ids_are_deterministic(clock: FakeClock) -> None:
    ids = []
    for _ in range(2):
        with DemoServer(clock=clock) as server:
            ids.append((Api(server).new(), sorted(server.containers.instances)))
    assert ids[0] == ids[1]


def test_mounts_and_start_script_are_kept(root: Api) -> None:
    mounts = [{"sourcePath": "/public/share/datasets/imagenet", "targetPath": "/data", "type": "data"},
              {"sourcePath": "/work/demo", "targetPath": "/w", "type": "path"}]
    instance_id = root.new(mountInfoList=mounts, useStartScript=True, startScriptContent="pip install x\n",
                           startScriptActionScope="header")
    detail = root.detail(instance_id)
    assert detail["mountInfoList"] == [{"sourcePath": m["sourcePath"], "type": m["type"]} for m in mounts]
    assert (detail["useStartScript"], detail["startScriptContent"], detail["startScriptActionScope"]) == (
        True, "pip install x\n", "header")


@pytest.mark.parametrize("changes, code, words", [
    ({"instanceServiceName": DROP, "ramSize": None}, "10003", "instanceServiceName, ramSize"),
    ({"taskType": "vnc"}, "10004", "taskType"),
    ({"acceleratorType": "DCU"}, "10004", "acceleratorType"),
    ({"startScriptActionScope": "some"}, "10004", "startScriptActionScope"),
    ({"cpuNumber": 0}, "10004", "cpuNumber"),
    ({"cpuNumber": "8"}, "10004", "cpuNumber"),
    ({"gpuNumber": -1, "ramSize": 1.5}, "10004", "gpuNumber, ramSize"),
    ({"useStartScript": "no"}, "10004", "useStartScript"),
    ({"timeoutLimit": "1h"}, "10004", "timeoutLimit"),
    ({"timeoutLimit": "01:60:00"}, "10004", "timeoutLimit"),
    ({"resourceGroup": "TeslaM40"}, "10004", "TeslaM40"),
    ({"resourceGroup": "gpu-a800-8"}, "10004", "serves gpu"),
    ({"version": "pytorch:latest"}, "10004", "version"),
    ({"mountInfoList": [{"sourcePath": "/etc", "targetPath": "/e", "type": "data"}]}, "10004", "/etc"),
    ({"mountInfoList": [{"sourcePath": "/work/demo/../../etc", "targetPath": "/e", "type": "data"}]}, "10004",
     "not under"),
    ({"mountInfoList": "/work/demo"}, "10004", "mountInfoList"),
    ({"useStartScript": True, "startScriptContent": " "}, "10003", "startScriptContent"),
    ({"cpuNumber": 40}, "716865", "任务创建错误: 资源超出资源组上限 (cpuNumber 40 > 32)"),
    ({"gpuNumber": 5}, "716865", "(gpuNumber 5 > 4)"),
    ({"ramSize": 200000}, "716865", "(ramSize 200000 > 128000)"),
    ({"resourceGroup": "dcu-z100-2", "timeoutLimit": "unlimited"}, "716865", "> 72:00:00"),
    ({"resourceGroup": "dcu-z100-2", "timeoutLimit": "72:00:01"}, "716865", "> 72:00:00"),
])
def test_create_refusals(root: Api, changes: dict, code: str, words: str) -> None:
    answer = root.create(**changes)
    assert answer["code"] == code and words in answer["msg"] and answer["data"] is None
    assert len(root.listed()) == 2  # nothing was created


def test_create_refuses_a_body_that_is_not_json(root: Api) -> None:
    assert root("POST", "/task", b"{nope")["code"] == "10004"


def test_long_limits_within_the_groups_maximum_are_fine(root: Api) -> None:
    assert root.create(resourceGroup="gpu-a800-8", acceleratorType="gpu", timeoutLimit="168:00:00")["code"] == "0"
    assert root.create(resourceGroup="dcu-k100-4", timeoutLimit="unlimited")["code"] == "0"


def test_quota_of_three_active_instances_per_region(root: Api, plain: Api) -> None:
    first = root.new()  # the seeded running one is the first active one
    root.new()
    refused = root.create()
    assert refused["code"] == "716865" and refused["data"] is None
    assert refused["msg"] == "任务创建错误: 超出实例配额 (at most 3 active instances)"
    assert plain.create()["code"] == "0"  # each region has its own quota
    assert root("POST", "/task/actions/stop", params={"ids": first})["code"] == "0"
    assert root.create()["code"] == "0"


# --- the state machine -------------------------------------------------------------------------------


def test_waiting_for_capacity_then_deploying_then_running(root: Api, clock: FakeClock) -> None:
    # dcu-z100-2 has one node of 16 cpus and 2 cards: the first takes it all.
    first = root.new(resourceGroup="dcu-z100-2", cpuNumber=16, gpuNumber=2, ramSize=64000, timeoutLimit="01:00:00")
    second = root.new(resourceGroup="dcu-z100-2", cpuNumber=4, gpuNumber=1, ramSize=1000)
    assert (root.status(first), root.status(second)) == ("Deploying", "Waiting")
    clock.advance(3)
    assert (root.status(first), root.status(second)) == ("Running", "Waiting")
    clock.advance(2 * 3600)  # one read replays it all: the limit ends the first, the second deploys
    ended, now_running = root.detail(first), root.detail(second)
    assert (ended["status"], ended["endTime"]) == ("Terminated", "2025-06-01 13:00:03")
    assert (now_running["status"], now_running["startTime"]) == ("Running", "2025-06-01 13:00:06")
    assert now_running["duration"] == "00:59:57"


def test_stopping_frees_capacity_for_a_waiting_one(root: Api, clock: FakeClock) -> None:
    first = root.new(resourceGroup="dcu-z100-2", cpuNumber=16, gpuNumber=1, ramSize=1000)
    second = root.new(resourceGroup="dcu-z100-2", cpuNumber=1, gpuNumber=0, ramSize=1000)
    assert root.status(second) == "Waiting"
    clock.advance(10)
    assert root("POST", "/task/actions/stop", params={"ids": first})["data"] is None
    assert (root.status(first), root.status(second)) == ("Terminated", "Deploying")
    assert root.detail(first)["endTime"] == "2025-06-01 12:00:10"


def test_an_instance_named_fail_fails(root: Api, clock: FakeClock) -> None:
    instance_id = root.new(instanceServiceName="will-Fail-demo")
    assert root.status(instance_id) == "Deploying"
    clock.advance(3)
    detail = root.detail(instance_id)
    assert (detail["status"], detail["startTime"], detail["endTime"]) == ("Failed", None, "2025-06-01 12:00:03")
    assert root("POST", "/task/actions/restart", params={"instanceServiceId": instance_id})["data"] == instance_id
    assert root.status(instance_id) == "Deploying"


def test_stop(root: Api, clock: FakeClock) -> None:
    running, ended = seeded(root, "jupyterlab-pytorch-demo"), seeded(root, "vllm-serve-test")
    clock.advance(5)
    answer = root("POST", "/task/actions/stop", params=[("ids", running["id"]), ("ids", ended["id"])])
    assert answer == {"code": "0", "msg": "success", "data": None}
    assert root.detail(running["id"])["endTime"] == "2025-06-01 12:00:05"
    assert root.detail(ended["id"])["endTime"] == ended["endTime"]  # a final one is left as it was
    unknown = root("POST", "/task/actions/stop", params={"ids": "0" * 32})
    assert unknown["code"] == "10004" and "0" * 32 in unknown["msg"]
    assert root("POST", "/task/actions/stop")["code"] == "10003"


def test_restart(root: Api, clock: FakeClock) -> None:
    running, ended = seeded(root, "jupyterlab-pytorch-demo")["id"], seeded(root, "vllm-serve-test")["id"]
    again = root("POST", "/task/actions/restart", params={"instanceServiceId": running})
    assert again == {"code": "10004", "msg": "参数无效: 实例运行中,无需重启", "data": None}
    assert root("POST", "/task/actions/restart", params={"instanceServiceId": ended})["data"] == ended
    detail = root.detail(ended)
    assert (detail["status"], detail["startTime"], detail["endTime"]) == ("Deploying", None, None)
    clock.advance(3)
    assert root.detail(ended)["startTime"] == "2025-06-01 12:00:03"
    assert root("POST", "/task/actions/restart", params={"instanceServiceId": "f" * 32})["code"] == "10004"
    assert root("POST", "/task/actions/restart")["code"] == "10003"


def test_restart_counts_against_the_quota(root: Api) -> None:
    ended = seeded(root, "vllm-serve-test")["id"]
    root.new()
    root.new()
    assert root("POST", "/task/actions/restart", params={"instanceServiceId": ended})["code"] == "716865"
    assert root.status(ended) == "Terminated"


def test_delete(root: Api) -> None:
    running, ended = seeded(root, "jupyterlab-pytorch-demo")["id"], seeded(root, "vllm-serve-test")["id"]
    both = root("DELETE", "/task", params=[("ids", ended), ("ids", running)])
    assert both == {"code": "716866", "msg": "任务删除失败: 请先停止实例 (stop it first)", "data": None}
    assert len(root.listed()) == 2  # all or nothing
    assert root("DELETE", "/task", params={"ids": ended}) == {"code": "0", "msg": "success", "data": None}
    assert root("GET", f"/{ended}/detail")["code"] == "10004"
    assert root("DELETE", "/task", params={"ids": ended})["code"] == "10004"
    assert root("DELETE", "/task")["code"] == "10003"


def test_instances_belong_to_their_region(root: Api, plain: Api) -> None:
    instance_id = root.new()
    assert plain("GET", f"/{instance_id}/detail")["code"] == "10004"
    assert instance_id not in {item["id"] for item in plain.listed()}
    assert plain("POST", "/task/actions/stop", params={"ids": instance_id})["code"] == "10004"
    assert root.status(instance_id) == "Deploying"


# --- the list ----------------------------------------------------------------------------------------


def test_list_filters_from_a_body_on_the_get_and_from_the_query(root: Api, clock: FakeClock) -> None:
    clock.advance(1)
    root.new(instanceServiceName="alpha-notebook")
    clock.advance(1)
    root.new(instanceServiceName="beta-shell", taskType="ssh")
    names = lambda rows: [row["instanceServiceName"] for row in rows]  # noqa: E731
    assert names(root.listed()) == ["beta-shell", "alpha-notebook", "jupyterlab-pytorch-demo", "vllm-serve-test"]
    assert names(root.listed({"sort": "asc"}))[0] == "vllm-serve-test"
    assert names(root.listed({"status": "Running"})) == ["jupyterlab-pytorch-demo"]
    assert names(root.listed(params={"taskType": "ssh"})) == ["beta-shell", "vllm-serve-test"]
    assert names(root.listed({"instanceServiceName": ["ALPHA", "vllm"], "status": None})) == [
        "alpha-notebook", "vllm-serve-test"]
    page = root("GET", "/task", {"start": 1, "limit": 2}, params={"start": "0", "limit": "9"})["data"]
    assert page["total"] == 4 and names(page["list"]) == ["alpha-notebook", "jupyterlab-pytorch-demo"]
    assert all(set(row) == DETAIL_FIELDS for row in page["list"])


@pytest.mark.parametrize("filters", [{"status": "Sleeping"}, {"taskType": "vnc"}, {"sort": "random"},
                                     {"start": -1}, {"limit": 0}, {"instanceServiceName": [3]}])
def test_bad_list_filters(root: Api, filters: dict) -> None:
    assert root("GET", "/task", filters)["code"] == "10004"


def test_the_plain_region_lists_bare_records(plain: Api) -> None:
    data = plain("GET", "/task", {"status": "Terminated"})["data"]
    assert isinstance(data, list) and [row["instanceServiceName"] for row in data] == ["vllm-serve-test"]


# --- access pages ------------------------------------------------------------------------------------


def test_access_page_and_its_token(root: Api, clock: FakeClock) -> None:
    url = root("GET", f"/{seeded(root, 'jupyterlab-pytorch-demo')['id']}/url")["data"]
    page = httpx.get(url)  # no API token: the forwarding gateway checks its own
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "jupyter of instance jupyterlab-pytorch-demo; nothing is really started" in page.text
    assert httpx.get(url.replace("?token=sothisai_", "?token=other_")).status_code == 403
    assert httpx.get(url.split("?")[0]).status_code == 403
    assert httpx.get(url.replace("jupyter-forward", "rstudio-forward")).status_code == 404
    assert httpx.get(f"{root.server.base_url}/jupyter-forward/{'a' * 32}/?token=sothisai_{'a' * 32}").status_code == 404


def test_access_page_escapes_the_name_and_needs_a_running_instance(root: Api, clock: FakeClock) -> None:
    instance_id = root.new(instanceServiceName="<b>nb</b>", taskType="codeserver")
    url = f"{root.server.base_url}/codeserver-forward/{instance_id}/?token=sothisai_{instance_id}"
    assert httpx.get(url).status_code == 502  # still deploying
    clock.advance(3)
    text = httpx.get(url).text
    assert "&lt;b&gt;nb&lt;/b&gt;" in text and "<b>" not in text


# --- plumbing: tokens, faults, routing ---------------------------------------------------------------


def test_container_calls_are_region_calls(server: DemoServer, root: Api, plain: Api) -> None:
    assert root.raw("GET", "/resource-group", token=None).json()["code"] == "10009"
    assert root.raw("GET", "/resource-group", token=plain.token).json()["code"] == "10008"
    assert plain.raw("GET", "/resource-group", token=server.token).json()["code"] == "10008"


@pytest.mark.parametrize("api_name", ["root", "plain"])
def test_injected_faults_apply(api_name: str, request: pytest.FixtureRequest, server: DemoServer) -> None:
    api: Api = request.getfixturevalue(api_name)
    server.inject("code", "10001", times=1)
    assert api("GET", "/task")["code"] == "10001"
    assert api("GET", "/task")["code"] == "0"
    server.inject("status", "502", times=1)
    assert api.raw("POST", "/task", launch()).status_code == 502
    assert len(api.listed()) == 2  # the fault answered instead: nothing was created


def test_methods_and_paths(root: Api) -> None:
    assert root.raw("PUT", "/task").status_code == 405
    assert root.raw("POST", f"/{'a' * 32}/detail").status_code == 405
    assert root.raw("GET", "/nothing/here/at/all").status_code == 404
    assert root.raw("GET", "/a/b/detail").status_code == 404  # `{id}` is one segment


def test_router_matches_exact_paths_first_and_captures_segments() -> None:
    def handle(request: Any) -> Any:
        return None

    router = Router([Route("GET", "/x/task", handle), Route("GET", "/x/{id}", handle),
                     Route("DELETE", "/x/task", handle), Route("GET", "/x/{id}/url", handle)])
    assert sorted(router.find("/x/task")[0]) == ["DELETE", "GET"]  # type: ignore[index]
    assert router.find("/x/task")[1] == {}  # type: ignore[index]
    assert router.find("/x/ab%20c/url")[1] == {"id": "ab c"}  # type: ignore[index]
    assert router.find("/x/a/b") is None
