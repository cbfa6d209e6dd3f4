"""Every command's output, with a hostile value in every field the server controls.

Whatever the server sends, nothing printed may hold a control or invisible character
(one line at a time: the output's own line ends are allowed), a token, or a path that
is not an image reference; and no failure reaches the generic "unexpected error".
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tui.cli import main
from tui.safe_text import has_control_chars

from ..hostile import NASTY, HostileServer, Seen, answer, envelope, hostile_image

TOKEN = "tok-" + "s3cr3t" * 4
PATHS = ("/ai/openapi/v2/instance-service/images", "/ai/openapi/v2/image/images")


def assert_clean(text: str) -> None:
    for line in text.replace("\r\n", "\n").split("\n"):
        assert not has_control_chars(line), repr(line)
    assert TOKEN not in text
    assert "unexpected error" not in text and "Traceback" not in text


def echo_token(seen: Seen) -> tuple[int, dict[str, str], bytes]:
    """An error whose code and msg are hostile, and whose msg echoes the credentials it got."""
    msg = f"{NASTY} token={seen.headers.get('token')} header was {seen.headers.get('token')}"
    return 200, {}, envelope(code="99\x1b[2J" + NASTY, msg=msg)


def images_server(*images: dict[str, Any]) -> HostileServer:
    body = envelope(list(images), msg=NASTY)
    return HostileServer({path: answer(body) for path in PATHS})


def lookup(server: HostileServer, *argv: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("SCNET_BASE_URL", server.base_url)
    monkeypatch.setenv("SCNET_TOKEN", TOKEN)
    return main(list(argv))


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "paths"])
def test_list_in_every_format(fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with images_server(hostile_image(), hostile_image(name="plain", path="reg.example:5000/ok/plain:1")) as server:
        assert lookup(server, "list", "--format", fmt, monkeypatch=monkeypatch) == 0
    out, err = capsys.readouterr()
    assert_clean(out + err)
    if fmt == "json":
        assert json.loads(out)[0]["name"] == NASTY  # escaped for the terminal, the same data for jq
    if fmt == "paths":
        assert out.splitlines() == ["reg.example:5000/ok/plain:1"] and "left out" in err


@pytest.mark.parametrize(
    "argv, code",
    [
        (["path", "plain"], 0),
        (["path", "red"], 6),  # the hostile image's path is not a reference: refused, named
        (["path", "--all", "x"], 0),
        (["path", "ok"], 2),  # ambiguous: the candidates are listed
        (["path", "nothing-like-it"], 1),
    ],
)
def test_path_in_every_outcome(argv: list[str], code: int, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    with images_server(hostile_image(), hostile_image(name="plain", tag="1", version="plain:1",
                                                      path="reg.example:5000/ok/plain:1")) as server:
        assert lookup(server, *argv, monkeypatch=monkeypatch) == code
    out, err = capsys.readouterr()
    assert_clean(out + err)
    if code == 6:
        assert "not a valid image reference" in err and len(err.strip().splitlines()) == 1


def test_an_api_error_with_hostile_code_and_msg(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with HostileServer({path: echo_token for path in PATHS}) as server:
        assert lookup(server, "list", monkeypatch=monkeypatch) == 5
    out, err = capsys.readouterr()
    assert_clean(out + err)
    assert "API error" in err and "****" in err


@pytest.mark.parametrize("status", [400, 401, 404, 500, 502])
def test_an_http_error_with_a_hostile_body(status: int, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    body = f"<html><title>{NASTY}</title>{TOKEN} {NASTY}</html>".encode("utf-8", "surrogatepass")
    with HostileServer({path: answer(body, status) for path in PATHS}) as server:
        monkeypatch.setenv("SCNET_IMAGE_API", "get")
        assert lookup(server, "list", "--timeout", "5", monkeypatch=monkeypatch) in (3, 5)
    assert_clean("".join(capsys.readouterr()))


def test_renewal_that_fails_with_hostile_text(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    refused = answer(envelope(code="10008", msg=NASTY))
    with HostileServer({**{path: refused for path in PATHS}, "/ac/openapi/v2/tokens/next": echo_token}) as server:
        isolated_environment.parent.mkdir(parents=True)
        isolated_environment.write_text(
            f'[profiles.p]\nbase_url = "{server.base_url}"\nac_url = "{server.base_url}"\ntoken = "{TOKEN}"\n'
        )
        assert main(["list"]) == 3
    out, err = capsys.readouterr()
    assert_clean(out + err)
    assert "renewing it failed" in err


def login_server() -> HostileServer:
    def center(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        host = seen.headers["Host"]
        return 200, {}, envelope({"aiUrls": [{"url": f"http://{host}/ai", "enable": "true"}], "x": NASTY})

    tokens = [
        {"clusterId": "11250", "clusterName": NASTY, "token": "tok-aaaaaaaaaaaaaaaaaaaa"},
        {"clusterId": "9\x1b]52;c;aGk=\x07", "clusterName": "evil id", "token": "tok-bbbbbbbbbbbbbbbbbbbbb"},
        {"clusterId": "20091", "clusterName": NASTY, "token": None},
        {"clusterId": "30000", "clusterName": NASTY, "token": "bad token\x1b[31m"},
    ]
    return HostileServer({"/ac/openapi/v2/tokens": answer(envelope(tokens, msg=NASTY)),
                          "/ac/openapi/v2/center": center})


def test_login_and_profiles_with_hostile_regions(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with login_server() as server:
        monkeypatch.setattr(sys, "stdin", io.StringIO("pw-123456\n"))
        code = main(["login", "--user", "u", "--org-id", "o", "--password-stdin", "--ac-url", server.base_url])
    assert code == 0
    assert main(["profiles"]) == 0
    out, err = capsys.readouterr()
    assert_clean(out + err)
    assert "pw-123456" not in out + err and "tok-aaaa" not in out + err
    assert "not a plain id" in err  # the region with an escape sequence for an id is left out
    assert "\x1b" not in isolated_environment.read_text()


def test_a_refused_login_with_hostile_text(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with HostileServer({"/ac/openapi/v2/tokens": echo_token}) as server:
        monkeypatch.setattr(sys, "stdin", io.StringIO("pw-123456\n"))
        code = main(["login", "--user", "u", "--org-id", "o", "--password-stdin", "--ac-url", server.base_url])
    assert code == 3
    out, err = capsys.readouterr()
    assert_clean(out + err)
    assert "pw-123456" not in err
