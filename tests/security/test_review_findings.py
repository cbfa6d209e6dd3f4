"""The holes a hostile review found after the first hardening pass, each attacked again."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from tui.api.drivers import ScnetSyncClient
from tui.api.errors import MalformedResponse, NetworkError, ScnetError
from tui.api.options import ClientOptions
from tui.cli import main
from tui.image_ref import reference_problem
from tui.safe_text import redact

from ..hostile import HostileServer, Seen, answer, envelope

PATHS = ("/ai/openapi/v2/instance-service/images", "/ai/openapi/v2/image/images")


@pytest.fixture
def trickling_headers() -> Iterator[str]:
    """A server that answers with a status line, then one header byte every 0.1 s, for ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    while not stop.is_set():
                        conn.sendall(b"X")
                        time.sleep(0.1)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()


def test_trickled_headers_meet_the_deadline_in_the_shell(trickling_headers: str) -> None:
    options = ClientOptions(read_timeout=3, deadline=1.0, tries=1)
    with ScnetSyncClient(trickling_headers, "t0ken-value", options) as client:
        started = time.monotonic()
        with pytest.raises(NetworkError) as caught:
            client.list_images()
    assert time.monotonic() - started < 2.5 and "deadline" in caught.value.message


def test_an_http_error_body_never_shows_the_url_password(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    refusal = answer(envelope(code="10008", msg="refused UserInfoPw42 for alice"), 401)
    with HostileServer({path: refusal for path in PATHS}) as server:
        monkeypatch.setenv("SCNET_BASE_URL", server.base_url.replace("http://", "http://alice:UserInfoPw42@"))
        monkeypatch.setenv("SCNET_TOKEN", "t0ken-value")
        assert main(["list"]) == 3
    assert "UserInfoPw42" not in capsys.readouterr().err


def test_a_long_echoed_token_is_masked_whole(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    token = "T" * 300

    def echo(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, envelope(code="10001", msg=f"bad token {seen.headers.get('token')}")

    with HostileServer({path: echo for path in PATHS}) as server:
        monkeypatch.setenv("SCNET_BASE_URL", server.base_url)
        monkeypatch.setenv("SCNET_TOKEN", token)
        assert main(["list"]) == 5
    assert "TTTTTTTT" not in capsys.readouterr().err


@pytest.mark.parametrize("url", ["alice:S3cretPass@127.0.0.1:9", "alice:S3cretPass@[::1", "ftp://alice:S3cretPass@h"])
def test_a_base_url_without_http_never_shows_its_password(url: str, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SCNET_BASE_URL", url)
    monkeypatch.setenv("SCNET_TOKEN", "t0ken-value")
    assert main(["list"]) == 7
    assert "S3cretPass" not in capsys.readouterr().err


def test_token_command_from_a_folder_others_may_write(isolated_environment: Path) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text('[profiles.p]\nbase_url = "https://h.example"\ntoken_command = "echo t"\n')
    isolated_environment.chmod(0o600)
    isolated_environment.parent.chmod(0o777)
    try:
        from tui.config import load_settings

        with pytest.raises(ScnetError) as caught:
            load_settings()
    finally:
        isolated_environment.parent.chmod(0o700)
    assert "folder others may write" in caught.value.message


def test_an_upper_case_http_region_needs_allow_http(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from tui.api import auth
    from tui.api.auth import RegionToken
    from tui.commands.login_regions import regions_of as _regions

    monkeypatch.setattr(auth, "region_center", lambda *args: auth.RegionCenter("HTTP://region.example:80"))
    tokens = [RegionToken("11250", "r", "tok-aaaaaaaaaaaaaaaaaaaa"), RegionToken("20091", "s", "tok-bbbbbbbbbbbbbbbb")]
    with pytest.raises(ScnetError):  # both left out: none stored
        _regions(tokens, "https://www.scnet.example", None)
    assert "plain-http" in capsys.readouterr().err
    assert len(_regions(tokens, "https://www.scnet.example", None, allow_http=True)) == 2


def test_a_page_larger_than_a_page_can_be_is_refused() -> None:
    def huge(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, envelope({"total": 1, "data": [{"name": "a", "path": "r/a:1", "pad": "x" * 4096}]})

    options = ClientOptions(max_page_bytes=1024, tries=1)
    with HostileServer({PATHS[1]: huge}) as server, ScnetSyncClient(server.base_url, "t0ken-value", options) as client:
        with pytest.raises(MalformedResponse) as caught:
            client.list_images()
    assert "larger than" in caught.value.message


def test_a_deeply_nested_config(isolated_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert main(["list"]) == 7
    assert "unexpected" not in capsys.readouterr().err


@pytest.mark.parametrize("path", ["[a]/x:1", "[:]/x:1", "[.]/x:1", "reg/[ab]:1"])
def test_brackets_are_only_an_ipv6_host(path: str) -> None:
    assert reference_problem(path) is not None
    assert reference_problem("[fe80::1]:5000/a/b:1") is None


def test_a_bearer_credential_is_masked() -> None:
    assert "abc.def" not in redact("header Authorization: Bearer abc.def was refused")
