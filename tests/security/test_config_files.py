"""The config file on a shared machine, and settings that must mean what they say."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from tui.api.errors import ConfigError
from tui.api.options import ClientOptions
from tui.api.transport import Session
from tui.cli import main
from tui.config import load_settings
from tui.profiles import read_profiles, save_login, update_profile

TOKEN = "eyJhbGciOiJIUzI1NiJ9.payload-part.signature-WXYZ"


def _login(path: Path, name: str = "alice-11250", token: str = TOKEN) -> None:
    values = {"region": "r", "cluster_id": "11250", "user": "alice", "base_url": "https://ai.example:65011",
              "ac_url": "https://ac.example", "token": token}
    save_login(path, {name: values}, name)


# --- writing ------------------------------------------------------------------------------------


def test_a_planted_symlink_at_any_temporary_name_catches_nothing(isolated_environment: Path, tmp_path: Path) -> None:
    folder = isolated_environment.parent
    folder.mkdir(parents=True)
    trap = tmp_path / "attacker.txt"
    trap.write_text("")
    for pid in range(os.getpid() - 5, os.getpid() + 5):  # the names the old code would have used
        (folder / f".config.toml.{pid}.tmp").symlink_to(trap)
    _login(isolated_environment)
    assert trap.read_text() == ""
    assert not isolated_environment.is_symlink() and stat.S_IMODE(isolated_environment.stat().st_mode) == 0o600


def test_a_symlinked_config_is_written_where_it_points(isolated_environment: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "scnet.toml"
    real.write_text("# mine\n")
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.symlink_to(real)
    _login(isolated_environment)
    assert isolated_environment.is_symlink()
    assert TOKEN in real.read_text() and "# mine" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_a_link_to_someone_elses_file_is_refused(isolated_environment: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    theirs = tmp_path / "theirs.toml"
    theirs.write_text("")
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.symlink_to(theirs)
    monkeypatch.setattr(os, "geteuid", lambda: theirs.stat().st_uid + 1)  # as if another user owned it
    with pytest.raises(ConfigError) as caught:
        _login(isolated_environment)
    assert "belongs to another user" in caught.value.message and theirs.read_text() == ""


def test_concurrent_writers_lose_nothing(isolated_environment: Path) -> None:
    names = [f"user{n}-11250" for n in range(12)]
    start = threading.Barrier(len(names))

    def write(name: str) -> None:
        start.wait()
        _login(isolated_environment, name, token=f"token-of-{name}-0000000000")
        update_profile(isolated_environment, name, detected_image_api="post")

    threads = [threading.Thread(target=write, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = {profile.name: profile for profile in read_profiles(isolated_environment)}
    assert set(stored) == set(names)
    assert all(profile.detected_image_api == "post" for profile in stored.values())


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_missing_folders_are_private_under_any_umask(umask: int, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a" / "b" / "config.toml"
    old = os.umask(umask)
    try:
        _login(path)
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- token_command from a file others could write ----------------------------------------------------


def _command_profile(path: Path, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[profiles.p]\nbase_url = "https://h.example"\ntoken_command = "echo tok-123456789012"\n')
    path.chmod(mode)


def test_token_command_runs_from_a_private_file(isolated_environment: Path) -> None:
    _command_profile(isolated_environment, 0o600)
    assert load_settings().token == "tok-123456789012"


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_token_command_is_refused_from_a_file_others_can_write(isolated_environment: Path, mode: int) -> None:
    _command_profile(isolated_environment, mode)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "writable by others" in caught.value.message and "chmod go-w" in caught.value.hint


def test_token_command_is_refused_from_another_users_file(isolated_environment: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _command_profile(isolated_environment, 0o600)
    monkeypatch.setattr(os, "geteuid", lambda: isolated_environment.stat().st_uid + 1)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "belongs to another user" in caught.value.message


# --- settings that must mean what they say -----------------------------------------------------------


@pytest.mark.parametrize(
    "line, words",
    [
        ('insecure = "false"', "insecure in profile 'p'"),
        ("insecure = 1", "true or false"),
        ('ac_insecure = "yes"', "ac_insecure"),
        ("timeout = nan", "not a number of seconds"),
        ("timeout = inf", "not a number of seconds"),
        ("timeout = 1e300", "at most 600"),
        ("timeout = 0", "positive"),
        ("deadline = -5", "positive"),
        ("ca_bundle = 5", "must be a string in quotes, not int 5"),
        ("ca_bundle = [\"a\"]", "must be a string"),
        ('base_url = {url = "x"}', "base_url"),
        ("token_command = 7", "token_command"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_config_error(isolated_environment: Path, line: str, words: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text('[profiles.p]\nbase_url = "https://h.example"\ntoken = "t0ken-value"\n')
    text = isolated_environment.read_text().replace('base_url = "https://h.example"\n', "") if "base_url" in line else (
        isolated_environment.read_text())
    isolated_environment.write_text(text + line + "\n")
    assert main(["list"]) == 7
    err = capsys.readouterr().err
    assert words in err and "unexpected" not in err


def test_an_unknown_key_is_a_warning_not_silence(isolated_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text('[profiles.p]\nbase_url = "https://h.example"\ntoken = "t"\ninsecrue = true\n')
    settings = load_settings()
    assert not settings.options.insecure
    assert any("unknown key 'insecrue'" in warning for warning in settings.warnings)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "soon", "1e300"])
def test_bad_timeout_flags_are_usage_errors(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["list", "--timeout", value])
    assert caught.value.code == 64
    with pytest.raises(SystemExit) as caught:
        main(["--deadline", value, "list"])
    assert caught.value.code == 64


def test_a_config_that_is_not_utf8(isolated_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_bytes(b'[profiles.p]\nregion = "\xff\xfe"\n')
    assert main(["list"]) == 7
    assert "not UTF-8" in capsys.readouterr().err


def test_insecure_does_not_reach_the_platform_host() -> None:
    session = Session("https://region.example", "t0ken-value", ClientOptions(insecure=True))
    assert session.http_options()["verify"] is False
    assert session.http_options(platform=True)["verify"] is not False
    both = Session("https://region.example", "t0ken-value", ClientOptions(insecure=True, ac_insecure=True))
    assert both.http_options(platform=True)["verify"] is False


def test_ac_insecure_comes_only_from_its_own_key(isolated_environment: Path) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text('[profiles.p]\nbase_url = "https://h.example"\ntoken = "t"\ninsecure = true\n')
    assert load_settings().options.insecure and not load_settings().options.ac_insecure
    isolated_environment.write_text(isolated_environment.read_text() + "ac_insecure = true\n")
    assert load_settings().options.ac_insecure


def test_userinfo_of_a_base_url_is_never_echoed(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCNET_BASE_URL", "http://alice:pa55word@127.0.0.1:9/x")
    assert main(["list"]) == 7  # a URL but no token
    monkeypatch.setenv("SCNET_TOKEN", "t0ken-value")
    assert main(["list", "--timeout", "2"]) == 4  # nothing listens on port 9
    err = capsys.readouterr().err
    assert "pa55word" not in err and "alice" not in err and "127.0.0.1:9" in err
