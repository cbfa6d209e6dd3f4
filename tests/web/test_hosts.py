"""Which names `scnet-images serve` answers to: those it is given, on every address it listens on.

A web site can point its own name at this machine (DNS rebinding): the browser then sends that
name as the Host of its requests, to the page and to its websocket alike, and is refused.
"""

from __future__ import annotations

import argparse

import httpx
import pytest

from tui.commands.serve import _allow_host_flag, _allowed_hosts

from . import serving

UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


def answer(port: str, host: str, path: str = "/") -> httpx.Response:
    """What a browser that typed `host` gets (a websocket from a page of that same origin for /ws)."""
    headers = {"Host": host, **({**UPGRADE, "Origin": f"http://{host}"} if path == "/ws" else {})}
    return httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers)


def test_on_every_interface_only_loopback_names_are_answered_until_allow_host() -> None:
    with serving("--host", "0.0.0.0") as served:
        port = served.url.rsplit(":", 1)[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"0.0.0.0:{port}"):
            assert answer(port, host).status_code == 200, host
        # A rebinding site's name, and this machine's own address not named with --allow-host.
        for host in (f"evil.example:{port}", f"192.0.2.7:{port}"):
            assert answer(port, host).status_code == 403, host
            refused = answer(port, host, "/ws")
            assert refused.status_code == 403 and refused.text == "unknown host\n", host
        assert served.url == f"http://0.0.0.0:{port}"
        warnings = [line for line in served.lines if "warning" in line]
        assert len(warnings) == 1
        assert "listening on 0.0.0.0, but the page answers only to this machine's loopback names" in warnings[0]
        assert "until --allow-host names the address visitors type" in warnings[0]


def test_allow_host_names_what_visitors_type() -> None:
    with serving("--host", "0.0.0.0", "--allow-host", "Demo.Test", "--allow-host", "10.1.2.3:8443") as served:
        port = served.url.rsplit(":", 1)[1]
        assert served.url == f"http://demo.test:{port}"  # the address printed is one a visitor may type
        assert "loopback names" not in served.output
        assert f"anyone who can reach http://demo.test:{port}" in served.output
        for host, status in ((f"demo.test:{port}", 200), ("10.1.2.3:8443", 200), (f"localhost:{port}", 200),
                             (f"10.1.2.3:{port}", 403), ("demo.test", 403), (f"evil.example:{port}", 403)):
            assert answer(port, host).status_code == status, host
        assert answer(port, f"evil.example:{port}", "/ws").text == "unknown host\n"
        # An allowed name still needs the page's own origin to open the websocket.
        other_site = {**UPGRADE, "Host": f"demo.test:{port}", "Origin": "http://evil.example"}
        refused = httpx.get(f"http://127.0.0.1:{port}/ws", headers=other_site)
        assert refused.status_code == 403 and refused.text == "the page must come from this server\n"


def test_the_names_answered() -> None:
    loopback = {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert _allowed_hosts("0.0.0.0", 8000, "", []) == {*loopback, "0.0.0.0:8000"}
    # --public-url's host as a browser sends it, with or without https's own port.
    assert _allowed_hosts("0.0.0.0", 8000, "https://demo.example.com", []) == \
        {*loopback, "0.0.0.0:8000", "demo.example.com", "demo.example.com:443"}
    assert _allowed_hosts("::", 8000, "http://demo.example.com:8080/scnet", [("[fe80::1]", None)]) == \
        {*loopback, "[::]:8000", "demo.example.com:8080", "[fe80::1]:8000"}
    assert "localhost" in _allowed_hosts("127.0.0.1", 80, "", [])  # port 80 goes unsaid


def test_allow_host_takes_a_name_or_address_and_a_port() -> None:
    assert _allow_host_flag("Demo.Test") == ("demo.test", None)
    assert _allow_host_flag("10.1.2.3:8443") == ("10.1.2.3", 8443)
    assert _allow_host_flag("fe80::1") == ("[fe80::1]", None)
    assert _allow_host_flag("[FE80::1]:8000") == ("[fe80::1]", 8000)
    for wrong in ("", "http://demo.test", "demo test", "demo.test:99999", "demo.test:web", "me@demo.test",
                  "demo.test/path", ":8000", "[demo.test]"):
        with pytest.raises(argparse.ArgumentTypeError):
            _allow_host_flag(wrong)
