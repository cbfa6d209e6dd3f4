"""Both image-list calls: the documented GET and the newer paginated POST, and `auto`
choosing between them. Against the demo API over HTTP, with the clients the app uses."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from tui.api.drivers import ScnetClient, ScnetSyncClient
from tui.api.options import Account, ClientOptions
from tui.api.errors import ApiError, MalformedResponse
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.server import PAGED_IMAGES_PATH, DemoServer

from ..conftest import FAST

POST = Account(image_api="post")


def _paths(result) -> list[str]:
    return sorted(image.path for image in result.images)


async def test_paginated_call_returns_what_the_documented_call_returns(demo_server: DemoServer) -> None:
    async with ScnetClient(demo_server.base_url, demo_server.token, FAST) as client:
        documented = await client.list_images()
    async with ScnetClient(demo_server.base_url, demo_server.token, FAST, POST) as client:
        paged = await client.list_images()
    assert paged.api == "post" and documented.api == "get"
    assert _paths(paged) == _paths(documented)
    assert len(paged.images) == len(demo_server.images) == 265
    # The newer call's extra fields reach the model, for the details pane.
    assert paged.images[0].extra["status"] == "Completed"
    assert int(paged.images[0].extra["imageSize"]) > 0


async def test_every_page_of_both_access_levels_is_asked_for(demo_server: DemoServer) -> None:
    options = FAST._replace(page_size=20)
    async with ScnetClient(demo_server.base_url, demo_server.token, options, POST) as client:
        result = await client.list_images("dcu", "Base")
    asked = [json.loads(r.body) for r in demo_server.requests if r.path == PAGED_IMAGES_PATH]
    expected = {
        access: sum(
            1 for item in demo_server.images
            if item["access"] == access and "dcu" in item["acceleratorType"] and item["type"] == "Base"
        )
        for access in ("public", "private")
    }
    for access, count in expected.items():
        starts = sorted(body["start"] for body in asked if body["access"] == access)
        assert starts == list(range(0, max(count, 1), 20))[: max(1, math.ceil(count / 20))]
    assert all(body["acceleratorType"] == "dcu" and body["type"] == "Base" for body in asked)
    assert all(body["limit"] == 20 and body["orderBy"] == "create_time" for body in asked)
    assert len(result.images) == sum(expected.values())


async def test_pages_in_flight_are_bounded(demo_server: DemoServer) -> None:
    demo_server.inject("latency", "0.05")  # every page takes a while, so requests overlap
    options = FAST._replace(page_size=10, pages_in_flight=3)
    async with ScnetClient(demo_server.base_url, demo_server.token, options, POST) as client:
        result = await client.list_images()
    assert len(result.images) == 265
    assert demo_server.max_in_flight == 3  # concurrent, and never more than allowed


def test_the_sync_client_pages_on_threads_within_the_bound(demo_server: DemoServer) -> None:
    demo_server.inject("latency", "0.05")
    options = FAST._replace(page_size=10, pages_in_flight=2)
    with ScnetSyncClient(demo_server.base_url, demo_server.token, options, POST) as client:
        result = client.list_images()
    assert len(result.images) == 265
    assert demo_server.max_in_flight == 2


async def test_progress_counts_up_to_the_total(demo_server: DemoServer) -> None:
    seen: list[tuple[int, int | None]] = []
    options = FAST._replace(page_size=50)
    async with ScnetClient(demo_server.base_url, demo_server.token, options, POST) as client:
        await client.list_images(progress=lambda received, expected: seen.append((received, expected)))
    received = [r for r, _ in seen]
    assert received == sorted(received) and received[-1] == 265
    assert seen[-1][1] == 265
    assert len(seen) == math.ceil(sum(1 for i in demo_server.images if i["access"] == "public") / 50) + math.ceil(
        sum(1 for i in demo_server.images if i["access"] == "private") / 50
    )


async def test_a_server_that_caps_the_page_size_is_stepped_through(demo_server: DemoServer) -> None:
    # The demo answers at most 100 per page; asking for 500 must still get everything.
    async with ScnetClient(demo_server.base_url, demo_server.token, FAST._replace(page_size=500), POST) as client:
        result = await client.list_images()
    assert len(result.images) == 265


async def test_a_failing_page_fails_the_load_with_its_error(demo_server: DemoServer) -> None:
    demo_server.inject("code", "10004")
    async with ScnetClient(demo_server.base_url, demo_server.token, FAST, POST) as client:
        with pytest.raises(ApiError) as caught:
            await client.list_images()
    assert caught.value.code == "10004"


def _region_token(server: DemoServer, cluster: str) -> str:
    return server.issuer.issue(DEMO_ACCOUNTS[0], cluster)


async def test_auto_falls_back_to_the_paginated_call_and_remembers(demo_server: DemoServer) -> None:
    detected: list[str] = []
    account = Account(image_api="auto", on_api_detected=detected.append)
    url = demo_server.base_url + "/r/20091"  # this region serves only the POST form
    async with ScnetClient(url, _region_token(demo_server, "20091"), FAST, account) as client:
        first = await client.list_images()
        demo_server.requests.clear()
        second = await client.list_images()
    assert detected == ["post"]  # told once, when it was found
    assert first.api == second.api == "post" and _paths(first) == _paths(second)
    assert [r.method for r in demo_server.requests if r.path.endswith("/images")] == ["POST", "POST"]


async def test_auto_starts_with_the_call_that_worked_last_time(demo_server: DemoServer) -> None:
    account = Account(image_api="auto", known_api="post")
    async with ScnetClient(demo_server.base_url + "/r/20091", _region_token(demo_server, "20091"), FAST, account) as c:
        await c.list_images()
    assert all(r.method == "POST" for r in demo_server.requests)


async def test_auto_uses_the_documented_call_where_it_is_served(demo_server: DemoServer) -> None:
    detected: list[str] = []
    account = Account(on_api_detected=detected.append)
    async with ScnetClient(demo_server.base_url + "/r/11250", _region_token(demo_server, "11250"), FAST, account) as c:
        result = await c.list_images()
    assert result.api == "get" and detected == ["get"]
    assert [r.method for r in demo_server.requests] == ["GET"]


async def test_forcing_the_documented_call_where_only_the_other_is_served_says_404(demo_server: DemoServer) -> None:
    account = Account(image_api="get")
    async with ScnetClient(demo_server.base_url + "/r/20091", _region_token(demo_server, "20091"), FAST, account) as c:
        with pytest.raises(ApiError) as caught:
            await c.list_images()
    assert caught.value.status == 404


async def test_a_host_serving_neither_call_says_so(demo_server: DemoServer) -> None:
    async with ScnetClient(demo_server.base_url + "/nowhere", demo_server.token, FAST) as client:
        with pytest.raises(ApiError) as caught:
            await client.list_images()
    assert "serves neither image-list call" in caught.value.message
    assert "HTTP 404" in caught.value.message


def test_a_paginated_answer_without_a_total_is_read_until_a_short_page() -> None:
    # A shape the demo never produces: `data` a plain list, no total.
    catalog = [{"name": f"img{i}", "tag": "1", "path": f"r/img{i}:1", "id": str(i)} for i in range(23)]
    asked: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        asked.append(body)
        items = catalog if body["access"] == "public" else []
        page = items[body["start"] : body["start"] + body["limit"]]
        return httpx.Response(200, json={"code": "0", "msg": "ok", "data": page})

    options = ClientOptions(page_size=10, backoff=0)
    with ScnetSyncClient("http://h", "t0ken-value", options, POST, transport=httpx.MockTransport(handler)) as client:
        result = client.list_images()
    assert [image.path for image in result.images] == [item["path"] for item in catalog]
    assert sorted(b["start"] for b in asked if b["access"] == "public") == [0, 10, 20]


def test_an_absurd_total_is_refused_rather_than_fetched() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        data = {"total": 10**9, "data": [{"name": "x", "tag": "1", "path": "r/x:1"}]}
        return httpx.Response(200, json={"code": "0", "msg": "ok", "data": data})

    with ScnetSyncClient("http://h", "t0ken-value", ClientOptions(page_size=1), POST,
                         transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(MalformedResponse) as caught:
            client.list_images()
    assert "more than" in caught.value.message and "filters" in caught.value.hint


def test_pages_that_come_back_short_are_reported_not_hidden() -> None:
    # A server that reads `start` as a page number: every page after the first is empty.
    catalog = [{"name": f"img{i}", "tag": "1", "path": f"r/img{i}:1", "id": str(i)} for i in range(25)]

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        items = catalog if body["access"] == "public" else []
        page = items[body["start"] * body["limit"] : (body["start"] + 1) * body["limit"]]
        return httpx.Response(200, json={"code": "0", "msg": "ok", "data": {"total": len(items), "data": page}})

    with ScnetSyncClient("http://h", "t0ken-value", ClientOptions(page_size=10, backoff=0), POST,
                         transport=httpx.MockTransport(handler)) as client:
        result = client.list_images()
    assert len(result.images) == 10 and result.missing == 15


async def test_a_complete_paginated_list_misses_nothing(demo_server: DemoServer) -> None:
    async with ScnetClient(demo_server.base_url, demo_server.token, FAST._replace(page_size=7), POST) as client:
        result = await client.list_images()
    assert result.missing == 0 and len(result.images) == 265
