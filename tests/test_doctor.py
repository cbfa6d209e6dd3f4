"""`scnet-images doctor` against the demo API over HTTP: both dialects, a dead address, an
expired token, a wrong clock; read-only, every secret masked, one line each."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tui.cli import main
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.server import DemoServer

READ_ONLY = {("GET", "/"), ("GET", "images"), ("POST", "image/images"), ("GET", "task"), ("GET", "task/list")}


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict]]:
    code = main(["doctor", "--format", "json", *argv])
    return code, json.loads(capsys.readouterr().out)


def by_check(checks: list[dict], name: str) -> list[dict]:
    return [check for check in checks if check["check"] == name]


def login(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("demo-password\n"))
    assert main(["login", "--user", "demo", "--org-id", "demo-org", "--password-stdin",
                 "--ac-url", server.base_url, "--region", "11250"]) == 0


@pytest.fixture(params=["default", "live"])
def server(request: pytest.FixtureRequest) -> Iterator[DemoServer]:
    with DemoServer(dialect=request.param) as demo:
        yield demo


def test_with_no_account_everything_is_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, checks = report(capsys)
    assert code == 0 and [check["check"] for check in checks] == ["config", "profile", "token", "region", "clock",
                                                                  "cache"]
    assert all(check["ok"] is not False for check in checks)
    region = by_check(checks, "region")[0]["found"]
    assert "images: GET" in region
    # The host's root answers 404 on a healthy region: reached is all that is worth saying.
    assert " reached in " in region and "HTTP" not in region.split(";")[0]


def test_a_gateway_in_trouble_is_said(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.proxy import RewritingProxy

    with DemoServer() as server, RewritingProxy(server.base_url, lambda exchange: (502, b"<h1>Bad Gateway</h1>")) as proxy:
        monkeypatch.setenv("SCNET_BASE_URL", proxy.base_url + "/r/11250")
        monkeypatch.setenv("SCNET_TOKEN", server.issuer.issue(DEMO_ACCOUNTS[0], "11250"))
        code, checks = report(capsys)
    region = by_check(checks, "region")[0]
    assert region["ok"] is False and "HTTP 502" in region["found"] and code == 5  # an HTTP status


def test_a_login_in_each_dialect(server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    login(server, monkeypatch)
    capsys.readouterr()
    before = len(server.requests)
    code, checks = report(capsys)
    regions = {check["found"].split(":")[0]: check for check in by_check(checks, "region")}
    live = server.dialect.name == "live"
    assert regions["demo-11250 华东一区【昆山】"]["ok"] is True
    assert ("task/list" if live else "instance-service/task;") in regions["demo-11250 华东一区【昆山】"]["found"] + ";"
    dead = regions["demo-20091 华中一区【A区】"]
    assert dead["ok"] is (not live)
    # The demo's region whose token lapsed long ago: refused, and the next step is a login.
    expired = regions["demo-40017 华北一区【雄安】"]
    assert expired["ok"] is False and "login" in expired["next_step"]
    assert code == (5 if live else 3)  # the first problem's
    assert by_check(checks, "token")[0]["found"].startswith("****")
    tokens = isolated_environment.read_text()
    printed = json.dumps(checks, ensure_ascii=False)
    assert not any(token in printed for token in tokens.split('"') if len(token) > 40)  # no token, anywhere
    sent = [(r.method, r.path.split("instance-service/")[-1].split("openapi/v2/")[-1]) for r in
            list(server.requests)[before:]]
    assert {call for call in sent if call[1] != "/" and "/r/" not in call[1]} <= READ_ONLY
    assert not any(method in ("DELETE",) or "actions" in path or "tokens" in path for method, path in sent)


def test_a_dead_address(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SCNET_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SCNET_TOKEN", "a-token-that-is-long-enough")
    code, checks = report(capsys)
    region = by_check(checks, "region")[0]
    assert code == 4 and region["ok"] is False and "refused" in region["found"]
    config = by_check(checks, "config")[0]["found"]  # no file, and no demo either: the environment says where
    assert "SCNET_BASE_URL" in config and "demo" not in config
    assert by_check(checks, "platform")[0]["ok"] is None
    assert "a-token-that-is-long-enough" not in json.dumps(checks)


def test_an_expired_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with DemoServer() as server:
        expired = server.issuer.issue(DEMO_ACCOUNTS[0], "11250", expires_in=-3 * 86400)
        monkeypatch.setenv("SCNET_BASE_URL", server.base_url + "/r/11250")
        monkeypatch.setenv("SCNET_TOKEN", expired)
        code, checks = report(capsys)
        assert not any(r.path.endswith("/tokens/next") for r in server.requests)  # no renewal: read-only
    token = by_check(checks, "token")[0]
    assert code == 3 and token["ok"] is False and "expired" in token["found"] and "login" in token["next_step"]


def test_a_wrong_clock(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import time as real_time

    from tui.api import reach

    class Ahead:  # this machine's clock ten minutes ahead of the server's
        @staticmethod
        def time() -> float:
            return real_time.time() + 600

    monkeypatch.setattr(reach, "time", Ahead)
    code, checks = report(capsys)
    clock = by_check(checks, "clock")[0]
    assert code == 7 and clock["ok"] is False and "NTP" in clock["next_step"]
    assert any(f"+{seconds} s" in clock["found"] for seconds in (599, 600, 601))  # the Date header counts seconds


def test_the_text_report_is_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6 and all(line[0] in "✔✖·" for line in lines)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_what_each_check_found_starts_in_one_column(language: str, capsys: pytest.CaptureFixture[str]) -> None:
    from rich.cells import cell_len

    main(["--lang", language, "doctor"])
    lines = capsys.readouterr().out.splitlines()
    # What was found starts in one column: in Chinese a label's character takes two cells.
    starts = {cell_len(re.match(r". \S+\s+", line).group(0)) for line in lines}  # type: ignore[union-attr]
    assert len(lines) >= 5 and len(starts) == 1, lines


def test_a_config_others_can_read(isolated_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text('[profiles.x]\nbase_url = "http://127.0.0.1:9"\ntoken = "abcdefghijklmnopqrstuvwxyz"\n'
                                    'colour = "blue"\n')
    isolated_environment.chmod(0o644)
    code, checks = report(capsys)
    config = checks[0]
    assert code == 7 and config["ok"] is False and "chmod 600" in config["next_step"]
    isolated_environment.chmod(0o600)
    code, checks = report(capsys)
    assert checks[0]["ok"] is False and "x.colour" in checks[0]["found"]


def test_where_the_settings_came_from_is_said_in_the_users_language(monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with DemoServer() as server:
        monkeypatch.setenv("SCNET_BASE_URL", server.base_url + "/r/11250")
        token = server.issuer.issue(DEMO_ACCOUNTS[0], "11250")
        main(["--lang", "zh_CN", "doctor", "--token", token])
        out = capsys.readouterr().out
        assert "设置来自环境变量和命令行选项" in out, out
        assert "（来自命令行选项）" in out and "environment" not in out and "command line" not in out
        assert token not in out
        monkeypatch.setenv("SCNET_TOKEN", token)
        code, checks = report(capsys)
        assert code == 0 and by_check(checks, "profile")[0]["found"].endswith("settings from environment variables")
        assert "from environment variables" in by_check(checks, "token")[0]["found"]
