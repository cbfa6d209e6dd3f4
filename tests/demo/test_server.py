"""The demo API as the page documents it, spoken to over raw HTTP (like the page's cURL example)."""

from __future__ import annotations

import json

import httpx
import pytest

from tui.demo.catalog import KNOWN_PATHS, demo_catalog, synthetic_catalog
from tui.demo.server import IMAGES_PATH, DemoServer, Fault


def call(server: DemoServer, body: object = None, *, token: str | None = "use-server", params: dict | None = None,
         method: str = "GET", path: str = IMAGES_PATH) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token == "use-server":
        token = server.token
    if token is not None:
        headers["token"] = token
    content = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    return httpx.request(method, server.base_url + path, headers=headers, content=content, params=params)


def test_the_pages_curl_example(demo_server: DemoServer) -> None:
    answer = call(demo_server, {"acceleratorType": "dcu", "imageType": "Base"}).json()
    assert answer["code"] == "0"
    assert answer["data"] and all(item["acceleratorType"] == "dcu" and item["type"] == "Base" for item in answer["data"])


def test_query_parameters_work_too(demo_server: DemoServer) -> None:
    answer = call(demo_server, params={"acceleratorType": "gpu"}).json()
    assert answer["data"] and all("gpu" in item["acceleratorType"] for item in answer["data"])


@pytest.mark.parametrize("token, code", [(None, "10009"), ("wrong", "10008")])
def test_token_check(demo_server: DemoServer, token: str | None, code: str) -> None:
    answer = call(demo_server, {}, token=token).json()
    assert answer["code"] == code and answer["data"] is None


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", {"acceleratorType": "tpu"}, {"imageType": "Movie"}, {"acceleratorType": 3}],
)
def test_bad_parameters_get_10004(demo_server: DemoServer, body: object) -> None:
    assert call(demo_server, body).json()["code"] == "10004"


def test_other_paths_and_methods(demo_server: DemoServer) -> None:
    assert call(demo_server, path="/ai/openapi/v2/nothing").status_code == 404
    assert call(demo_server, {}, method="POST").status_code == 405


def test_the_catalog_is_realistic_and_deterministic() -> None:
    catalog = demo_catalog()
    assert len(catalog) >= 250
    assert catalog == demo_catalog()
    paths = {item["path"] for item in catalog}
    assert set(KNOWN_PATHS) <= paths
    assert len(paths) == len(catalog)
    assert {item["acceleratorType"] for item in catalog} >= {"dcu", "gpu", "cpu"}
    assert {item["type"] for item in catalog} == {"Base", "JupyterLab"}
    assert {item["access"] for item in catalog} == {"public", "private"}
    assert {item["isPresetImage"] for item in catalog} == {True, False}
    years = {item["createTime"][:4] for item in catalog}
    assert len(years) >= 4
    for item in catalog:
        assert item["version"] == f"{item['name']}:{item['tag']}"
        assert item["path"].endswith("/" + item["version"])


def test_synthetic_catalog_is_large_and_distinct() -> None:
    items = synthetic_catalog(5000)
    assert len(items) == 5000 == len({item["path"] for item in items})


@pytest.mark.parametrize(
    "spec, expected",
    [("latency:2", Fault("latency", "2")), ("status:502x2", Fault("status", "502", 2)),
     ("code:10008", Fault("code", "10008")), ("malformed:html", Fault("malformed", "html"))],
)
def test_fault_specs(spec: str, expected: Fault) -> None:
    assert Fault.parse(spec) == expected


@pytest.mark.parametrize("spec", ["boom", "malformed:weird", "status:abc"])
def test_bad_fault_specs(spec: str) -> None:
    with pytest.raises(ValueError):
        Fault.parse(spec)


def test_faults_apply_in_order_and_expire(demo_server: DemoServer) -> None:
    demo_server.inject("status", "502", times=1)
    demo_server.inject("code", "10001", times=1)
    assert call(demo_server, {}).status_code == 502
    assert call(demo_server, {}).json()["code"] == "10001"
    assert call(demo_server, {}).json()["code"] == "0"
