"""The sync client (the shell commands' start-up path) follows the same rules as the async one."""

from __future__ import annotations

import json

import httpx
import pytest

from tui.api.drivers import ScnetSyncClient
from tui.api.options import ClientOptions
from tui.api.errors import ApiError, MalformedResponse, NetworkError, TokenRefused
from tui.demo.server import DemoServer

from ..conftest import FAST


def test_lists_and_filters(demo_server: DemoServer) -> None:
    with ScnetSyncClient(demo_server.base_url, demo_server.token, FAST) as client:
        result = client.list_images("dcu", "Base")
    assert result.images and all(i.accelerator_type == "dcu" and i.type == "Base" for i in result.images)
    assert json.loads(demo_server.requests[-1].body) == {"acceleratorType": "dcu", "imageType": "Base"}


def test_retries_then_succeeds(demo_server: DemoServer) -> None:
    demo_server.inject("status", "503", times=1)
    demo_server.inject("code", "10012", times=1)
    with ScnetSyncClient(demo_server.base_url, demo_server.token, FAST) as client:
        assert client.list_images().images
    assert len(demo_server.requests) == 3


def test_backoff_waits_grow(demo_server: DemoServer) -> None:
    demo_server.inject("status", "502")
    waits: list[float] = []
    options = ClientOptions(backoff=0.5)
    with ScnetSyncClient(demo_server.base_url, demo_server.token, options, sleep=waits.append) as client:
        with pytest.raises(ApiError):
            client.list_images()
    assert len(waits) == 2
    assert 0.5 <= waits[0] <= 0.75 and 1.0 <= waits[1] <= 1.5


@pytest.mark.parametrize(
    "fault, error",
    [(("code", "10008"), TokenRefused), (("malformed", "html"), MalformedResponse), (("status", "500"), ApiError)],
)
def test_failures(demo_server: DemoServer, fault: tuple[str, str], error: type) -> None:
    demo_server.inject(*fault)
    with ScnetSyncClient(demo_server.base_url, demo_server.token, FAST) as client:
        with pytest.raises(error):
            client.list_images()


def test_size_cap(demo_server: DemoServer) -> None:
    options = ClientOptions(backoff=0, max_body_bytes=5000)
    with ScnetSyncClient(demo_server.base_url, demo_server.token, options) as client:
        with pytest.raises(MalformedResponse):
            client.list_images()


def test_connection_reset() -> None:
    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("reset", request=request)

    client = ScnetSyncClient("https://h.example", "t0ken-value", FAST, transport=httpx.MockTransport(reset))
    with client, pytest.raises(NetworkError):
        client.list_images()
    assert "t0ken-value" not in repr(client)


def test_an_abandoned_call_is_given_up_at_once(demo_server: DemoServer) -> None:
    """The browser quitting while a request hangs: its loading thread stops waiting at once
    (before, quitting waited out the call, some 20 s)."""
    import threading

    from tui.api.errors import NetworkError

    demo_server.inject("latency", "30", times=1)
    abandon = threading.Event()
    outcome: list[BaseException] = []

    def call() -> None:
        with ScnetSyncClient(demo_server.base_url, demo_server.token, FAST, abandon=abandon) as client:
            try:
                client.list_images()
            except NetworkError as error:
                outcome.append(error)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    abandon.set()
    worker.join(5)  # a bound, not a wait: the call ends as soon as it looks
    assert not worker.is_alive() and "given up" in outcome[0].message
