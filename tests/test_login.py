"""`scnet-images login`, `profiles` and `logout` against the demo API, and what they store."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tui.api.token import read_claims
from tui.cli import build_parser, main
from tui.commands.connect import expiry_warning
from tui.config import Settings, load_settings
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.server import DemoServer
from tui.commands.accounts import Prompts, run_account_command
from tui.profiles import read_profiles, save_login

PASSWORD = "demo-password"


def _login(server: DemoServer, *extra: str, password: str = PASSWORD, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(["login", "--user", "demo", "--org-id", "demo-org", "--password-stdin",
                 "--ac-url", server.base_url, *extra])


def test_password_login_stores_a_private_profile_per_region(
    demo_server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _login(demo_server, monkeypatch=monkeypatch) == 0
    text = isolated_environment.read_text()
    assert stat.S_IMODE(isolated_environment.stat().st_mode) == 0o600
    assert PASSWORD not in text
    profiles = {p.name: p for p in read_profiles(isolated_environment)}
    assert set(profiles) == {"demo-11250", "demo-20091", "demo-30042", "demo-40017"}
    assert profiles["demo-11250"].default and profiles["demo-11250"].region == "华东一区【昆山】"
    assert profiles["demo-20091"].base_url == demo_server.base_url + "/r/20091"  # `/ai` stripped
    out = capsys.readouterr()
    assert "Logged in as demo: 4 regions" in out.out and "华中一区【A区】" in out.out
    assert profiles["demo-11250"].token not in out.out + out.err  # the table shows masked tokens
    # ... and the stored profile works, by itself.
    assert main(["--profile", "demo-20091", "list", "--format", "paths"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 99


def test_region_flag_picks_the_default(
    demo_server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _login(demo_server, "--region", "华中", monkeypatch=monkeypatch) == 0
    assert load_settings().profile == "demo-20091"


def test_an_unknown_region_is_a_usage_error(
    demo_server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _login(demo_server, "--region", "99999", monkeypatch=monkeypatch) == 64
    assert "11250" in capsys.readouterr().err
    assert not isolated_environment.exists()


def test_interactive_login_asks_and_lets_the_user_pick(
    demo_server: DemoServer, isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []
    answers = iter(["demo", "demo-org", "5", "2"])  # "5" is not a region: asked again

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    def ask_secret(prompt: str) -> str:
        asked.append(prompt)
        return PASSWORD

    args = build_parser().parse_args(["login", "--ac-url", demo_server.base_url])
    assert run_account_command("login", args, Prompts(ask, ask_secret, interactive=True)) == 0
    assert asked[:3] == ["SCNet user: ", "Org id: ", "Password (not shown): "]
    assert asked[3].startswith("Default region") and len(asked) == 5
    assert load_settings().profile == "demo-20091"
    assert "type a number" in capsys.readouterr().err


def test_access_key_login_reads_the_secret_from_the_environment(
    demo_server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCNET_SECRET_KEY", DEMO_ACCOUNTS[0].secret_key)
    assert main(["login", "--user", "demo", "--access-key", DEMO_ACCOUNTS[0].access_key,
                 "--ac-url", demo_server.base_url]) == 0
    assert DEMO_ACCOUNTS[0].secret_key not in isolated_environment.read_text()
    assert len(read_profiles(isolated_environment)) == 4


def test_the_secret_key_is_not_a_flag() -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["login", "--secret-key", "x"])
    assert caught.value.code == 64


def test_bad_password_exits_3_without_echoing_it(
    demo_server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _login(demo_server, password="not-it-4Zq", monkeypatch=monkeypatch) == 3
    err = capsys.readouterr().err
    assert "refused the password login" in err and "not-it-4Zq" not in err
    assert not isolated_environment.exists()


def test_no_terminal_and_no_password_stdin_is_a_usage_error(
    demo_server: DemoServer, isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(["login", "--user", "demo", "--org-id", "o", "--ac-url", demo_server.base_url])
    assert run_account_command("login", args, Prompts(interactive=False)) == 64
    assert "--password-stdin" in capsys.readouterr().err


def test_a_suspended_account_is_told_why(
    demo_server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    frozen = DEMO_ACCOUNTS[1]
    monkeypatch.setattr(sys, "stdin", io.StringIO(frozen.password + "\n"))
    code = main(["login", "--user", frozen.user, "--org-id", frozen.org_id, "--password-stdin",
                 "--ac-url", demo_server.base_url])
    assert code == 3
    assert "suspended in every region" in capsys.readouterr().err


def test_profiles_and_logout(
    demo_server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _login(demo_server, monkeypatch=monkeypatch)
    tokens = [p.token for p in read_profiles(isolated_environment)]
    capsys.readouterr()
    assert main(["profiles"]) == 0
    listing = capsys.readouterr().out
    assert "demo-11250" in listing and "expires in 23h" in listing and "****" in listing
    assert not any(token in listing for token in tokens)
    assert main(["logout", "demo-20091"]) == 0
    assert "demo-20091" in capsys.readouterr().out
    assert main(["--profile", "demo-20091", "list"]) == 7
    assert "scnet-images login" in capsys.readouterr().err
    assert main(["logout"]) == 0
    assert not any(token in isolated_environment.read_text() for token in tokens)


def test_list_renews_an_expired_stored_token_and_stores_the_new_one(
    demo_server: DemoServer, isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expired = demo_server.issuer.issue(DEMO_ACCOUNTS[0], "11250", expires_in=-120)
    save_login(isolated_environment, {"demo-11250": {
        "region": "华东一区【昆山】", "cluster_id": "11250", "user": "demo", "base_url": demo_server.base_url + "/r/11250",
        "ac_url": demo_server.base_url, "token": expired}}, "demo-11250")
    assert main(["list", "--format", "paths"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 265
    assert "renewed it and stored the new one" in captured.err
    (profile,) = read_profiles(isolated_environment)
    assert profile.token != expired and profile.detected_image_api == "get"
    claims = read_claims(profile.token)
    assert claims is not None and claims.expires_at is not None
    assert claims.expires_at > datetime.now(timezone.utc) + timedelta(hours=23)
    assert stat.S_IMODE(isolated_environment.stat().st_mode) == 0o600


def test_expiry_warning_only_when_nothing_will_renew_it() -> None:
    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    from tests.ui.scenarios import jwt

    soon = Settings(base_url="https://h", token=jwt("u", now + timedelta(minutes=30)))
    assert expiry_warning(soon, now) == "the token expires in 30m; run `scnet-images login` or set a fresh token"
    assert expiry_warning(soon._replace(ac_url="https://ac"), now) is None
    assert expiry_warning(soon._replace(token=jwt("u", now + timedelta(hours=5))), now) is None
    assert "expired 10m ago" in (expiry_warning(soon._replace(token=jwt("u", now - timedelta(minutes=10))), now) or "")


def test_the_password_prompt_does_not_echo(demo_server: DemoServer, isolated_environment: Path) -> None:
    """On a real terminal: the typed password must not appear in what the terminal shows."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: scnet-images login, as a person runs it
        os.execvpe(sys.executable, [sys.executable, "-m", "tui", "login", "--ac-url", demo_server.base_url,
                                    "--region", "11250"], dict(os.environ))
    shown = b""

    def read_until(marker: bytes) -> None:
        nonlocal shown
        while marker not in shown:
            ready, _, _ = select.select([fd], [], [], 20)
            assert ready, f"no {marker!r} in {shown!r}"
            chunk = os.read(fd, 4096)
            assert chunk, shown
            shown += chunk

    read_until(b"SCNet user: ")
    os.write(fd, b"demo\n")
    read_until(b"Org id: ")
    os.write(fd, b"demo-org\n")
    read_until(b"Password (not shown): ")
    os.write(fd, PASSWORD.encode() + b"\n")
    read_until(b"Default: demo-11250")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert PASSWORD.encode() not in shown
    assert b"demo\r\n" in shown  # the user name is echoed as typed


def test_login_help_lists_the_ways_in() -> None:
    done = subprocess.run([sys.executable, "-m", "tui", "login", "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert "--password-stdin" in done.stdout and "SCNET_SECRET_KEY" in done.stdout and "--secret" not in done.stdout


def test_a_garbled_region_token_is_skipped_and_said(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.api.auth import RegionToken
    from tui.api.errors import TokenRefused
    from tui.commands.login_regions import regions_of as _regions

    with pytest.raises(TokenRefused):
        _regions([RegionToken("11250", "华东一区【昆山】", "half a token\n\x1b[31m")], "http://127.0.0.1:9", None)
    err = capsys.readouterr().err
    assert "holds characters a request header cannot carry" in err and "\x1b" not in err


def test_the_platform_address_may_omit_the_scheme_but_must_be_http(
    isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.commands.accounts import _address

    assert _address("www.scnet.cn/", "--ac-url") == "https://www.scnet.cn"
    assert main(["login", "--user", "u", "--org-id", "o", "--password-stdin", "--ac-url", "ftp://x"]) == 7
    assert "--ac-url 'ftp://x' is not an http(s) address" in capsys.readouterr().err


def test_a_token_from_token_command_is_renewed_for_the_session_only(
    demo_server: DemoServer, isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expired = demo_server.issuer.issue(DEMO_ACCOUNTS[0], "20091", expires_in=-60)
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text(
        f'[profiles.lab]\nbase_url = "{demo_server.base_url}/r/20091"\nac_url = "{demo_server.base_url}"\n'
        f'cluster_id = "20091"\ntoken_command = "echo {expired}"\n'
    )
    before = isolated_environment.read_text()
    assert main(["list", "--format", "paths"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 99
    assert "renewed for this session only" in captured.err and expired not in captured.err
    assert "token =" not in isolated_environment.read_text()  # only what auto found was written back
    assert isolated_environment.read_text().startswith(before.rstrip("\n"))


@pytest.mark.parametrize("argv", [["--insecure", "--timeout", "5", "login"], ["login", "--insecure", "--timeout", "5"]])
def test_login_options_count_before_or_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.insecure is True and args.timeout == 5 and args.image_api is None and args.ca_bundle is None
