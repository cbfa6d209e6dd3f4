"""Resource limits: a server that trickles, lies about sizes, nests without end, or pages for ever;
and the proof that no input ends in the generic "unexpected error"."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tui.api import images
from tui.api.drivers import Body, ScnetClient, ScnetSyncClient
from tui.api.errors import MalformedResponse, NetworkError
from tui.api.options import ClientOptions
from tui.cli import main

from ..hostile import HostileServer, Seen, answer, envelope

PATHS = ("/ai/openapi/v2/instance-service/images", "/ai/openapi/v2/image/images")


def trickle(seen: Seen) -> tuple[int, dict[str, str], Iterator[bytes]]:
    """A valid answer, one byte every 0.1 s: each read is quick, the whole never ends in time."""
    body = envelope([{"name": "a", "tag": "1", "path": "r/a:1"}] * 50)

    def chunks() -> Iterator[bytes]:
        for byte in body:
            time.sleep(0.1)
            yield bytes([byte])

    return 200, {"Content-Length": str(len(body))}, chunks()


OPTIONS = ClientOptions(read_timeout=5, deadline=1.0, tries=1, backoff=0)


def test_the_sync_client_gives_up_at_the_deadline() -> None:
    with HostileServer({PATHS[0]: trickle}) as server, ScnetSyncClient(server.base_url, "t0ken-value", OPTIONS) as client:
        started = time.monotonic()
        with pytest.raises(NetworkError) as caught:
            client.list_images()
    assert time.monotonic() - started < 3
    assert "within 1s" in caught.value.message and "deadline" in caught.value.hint


async def test_the_async_client_gives_up_at_the_deadline() -> None:
    with HostileServer({PATHS[0]: trickle}) as server:
        async with ScnetClient(server.base_url, "t0ken-value", OPTIONS) as client:
            started = time.monotonic()
            with pytest.raises(NetworkError) as caught:
                await client.list_images()
    assert time.monotonic() - started < 3
    assert "deadline" in caught.value.message


def test_an_announced_size_is_not_allocated_before_it_arrives() -> None:
    response = httpx.Response(200, headers={"content-length": str(255 << 20)})
    body = Body(response, 256 << 20, "host")
    body.add(b'{"code":"0"}')
    assert len(body.data) == len(b'{"code":"0"}')
    assert body.finish() == b'{"code":"0"}'


def test_a_body_that_keeps_to_its_size_grows_to_it_exactly() -> None:
    payload = bytes(range(256)) * 20_000  # 5 MB, in odd-sized chunks
    body = Body(httpx.Response(200, headers={"content-length": str(len(payload))}), 256 << 20, "host")
    for start in range(0, len(payload), 65_537):
        body.add(payload[start : start + 65_537])
    assert len(body.data) == len(payload) and body.finish() == payload


def test_json_nested_beyond_reason_is_a_malformed_response() -> None:
    deep = b'{"code":"0","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with HostileServer({PATHS[0]: answer(deep)}) as server, ScnetSyncClient(server.base_url, "t0ken-value") as client:
        with pytest.raises(MalformedResponse):
            client.list_images()


def test_pages_without_a_total_that_never_end_are_said_to_be_incomplete(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full_page(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        start = json.loads(seen.body)["start"]
        items = [{"id": str(start + n), "name": "a", "tag": str(start + n), "path": f"r/a:{start + n}"}
                 for n in range(100)]
        return 200, {}, envelope({"data": items})  # no "total"

    monkeypatch.setattr(images, "MAX_PAGES", 3)
    with HostileServer({PATHS[1]: full_page}) as server:
        with ScnetSyncClient(server.base_url, "t0ken-value", ClientOptions(tries=1)) as client:
            listed = client.list_images()  # auto: the GET answers 404, then the POST pages
        assert listed.cut_short and len(listed.images) == 4 * 100  # 1 + 3 pages (public and private are alike)
        monkeypatch.setenv("SCNET_BASE_URL", server.base_url)
        monkeypatch.setenv("SCNET_TOKEN", "t0ken-value")
        assert main(["list", "--image-api", "post"]) == 0
    err = capsys.readouterr().err
    assert "stopped after 3 pages" in err and "may be incomplete" in err


def test_a_table_never_pads_to_one_huge_cell(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    items = [{"name": "n" * 200_000, "tag": "1", "path": "r/n:1"}] + [
        {"name": f"img{n}", "tag": "1", "path": f"r/img{n}:1"} for n in range(2000)
    ]
    with HostileServer({PATHS[0]: answer(envelope(items))}) as server:
        monkeypatch.setenv("SCNET_BASE_URL", server.base_url)
        monkeypatch.setenv("SCNET_TOKEN", "t0ken-value")
        assert main(["list", "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2002 and max(len(line) for line in lines) < 250


# --- no input reaches the generic handler -------------------------------------------------------------


def _server_answering(body: bytes, status: int = 200) -> HostileServer:
    return HostileServer({path: answer(body, status) for path in PATHS})


CASES = {
    "deep JSON": lambda env, cfg: _server_answering(b"[" * 50_000 + b"]" * 50_000),
    "not JSON": lambda env, cfg: _server_answering(b"\xff\xfe\x00garbage"),
    "data a number": lambda env, cfg: _server_answering(envelope(5)),
    "code an object": lambda env, cfg: _server_answering(b'{"code": {"a": 1}, "msg": [1], "data": null}'),
    "items of every type": lambda env, cfg: _server_answering(envelope([1, "x", None, [], {"name": {}}, {"path": 5}])),
    "a 418 with JSON": lambda env, cfg: _server_answering(envelope(code="1e309"), 418),
    "SOCKS proxy": lambda env, cfg: env.update(ALL_PROXY="socks5://127.0.0.1:1"),
    "proxy that is not a URL": lambda env, cfg: env.update(HTTPS_PROXY="::::", HTTP_PROXY="::::"),
    "CA bundle that is a folder": lambda env, cfg: env.update(_flags="--ca-bundle /"),
    "config not UTF-8": lambda env, cfg: cfg.write_bytes(b"x = \"\xff\"\n"),
    "config nested tables": lambda env, cfg: cfg.write_text('[profiles.a.b.c]\nx = 1\n[profiles.p]\nbase_url = 1\n'),
    "profiles a list": lambda env, cfg: cfg.write_text("profiles = [1, 2]\n"),
    "default_profile a number": lambda env, cfg: cfg.write_text("default_profile = 5\n[profiles.x]\ntoken = 't'\n"),
    "token with a newline": lambda env, cfg: env.update(SCNET_TOKEN="a\nb", SCNET_BASE_URL="http://127.0.0.1:9"),
    "base URL garbage": lambda env, cfg: env.update(SCNET_TOKEN="t0ken-value", SCNET_BASE_URL="http://[::1"),
    "image api unknown": lambda env, cfg: env.update(SCNET_IMAGE_API="soap"),
}


@pytest.mark.parametrize("case", CASES)
def test_no_input_reaches_the_generic_handler(case: str, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    isolated_environment.parent.mkdir(parents=True)
    env: dict[str, str] = {}
    server = CASES[case](env, isolated_environment)
    flags = env.pop("_flags", "").split()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if isinstance(server, HostileServer):
        with server:
            monkeypatch.setenv("SCNET_BASE_URL", server.base_url)
            monkeypatch.setenv("SCNET_TOKEN", "t0ken-value")
            code = main(["list", "--timeout", "5", *flags])
    else:
        code = main(["list", "--timeout", "5", *flags])
    err = capsys.readouterr().err
    assert code in (0, 3, 4, 5, 6, 7), err
    assert "unexpected error" not in err and "Traceback" not in err
