"""The demo API under bad requests: it answers in the platform's shape and never grows without bound."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from tui.demo import plumbing
from tui.demo.plumbing import LOGGED_BODY_BYTES, MAX_REQUEST_BYTES
from tui.demo.server import PAGED_IMAGES_PATH, DemoServer


def raw(server: DemoServer, request: bytes) -> tuple[int, dict]:
    """Send `request` as it is on a socket; the status and the JSON body that come back."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and len(data.split(b"\r\n\r\n", 1)[1]) >= int(
                data.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0]
            ):
                break
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split()[1]), json.loads(body)


@pytest.mark.parametrize("length, status, code", [("abc", 400, "10004"), ("-1", 400, "10004"),
                                                  (str(10**12), 413, "10011"), (str(MAX_REQUEST_BYTES + 1), 413, "10011")])
def test_bad_content_lengths_get_the_platforms_error_shape(demo_server: DemoServer, length: str, status: int,
                                                           code: str) -> None:
    request = (f"POST {PAGED_IMAGES_PATH} HTTP/1.1\r\nHost: x\r\ntoken: {demo_server.token}\r\n"
               f"Content-Length: {length}\r\n\r\n").encode()
    got, body = raw(demo_server, request)
    assert (got, body["code"]) == (status, code) and body["data"] is None


def test_deeply_nested_json_is_a_parameter_error(demo_server: DemoServer) -> None:
    body = b'{"access": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = httpx.post(demo_server.base_url + PAGED_IMAGES_PATH, content=body, headers={"token": demo_server.token})
    assert answer.status_code == 200 and answer.json()["code"] == "10004"


def test_the_request_log_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plumbing, "REQUEST_LOG_SIZE", 20)
    big = json.dumps({"access": "public", "pad": "x" * 3 * LOGGED_BODY_BYTES}).encode()
    with DemoServer() as server, httpx.Client(base_url=server.base_url, headers={"token": server.token}) as client:
        for _ in range(30):
            assert client.post(PAGED_IMAGES_PATH, content=big).json()["code"] == "0"
    assert len(server.requests) == 20
    assert all(len(request.body) <= LOGGED_BODY_BYTES for request in server.requests)


@pytest.mark.parametrize("length", ["²", "9" * 5000, "0x10"])
def test_lengths_that_only_look_like_numbers(demo_server: DemoServer, length: str) -> None:
    request = (f"POST {PAGED_IMAGES_PATH} HTTP/1.1\r\nHost: x\r\ntoken: {demo_server.token}\r\n"
               f"Content-Length: {length}\r\n\r\n").encode()
    got, body = raw(demo_server, request)
    assert (got, body["code"]) == (400, "10004")
