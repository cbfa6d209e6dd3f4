"""The stored profiles: written 0600 with comments kept, listed with tokens masked, cleared."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tui.api.errors import ConfigError
from tui.config import load_settings
from tui.profiles import mask, profile_name, read_profiles, remove_tokens, save_login, update_profile

TOKEN = "eyJhbGciOiJIUzI1NiJ9.payload-part.signature-WXYZ"


def _login(path: Path, **extra: str) -> None:
    values = {"region": "华东一区【昆山】", "cluster_id": "11250", "user": "alice",
              "base_url": "https://ai.example:65011", "ac_url": "https://ac.example", "token": TOKEN, **extra}
    save_login(path, {"alice-11250": values}, "alice-11250")


def test_a_new_file_is_private(isolated_environment: Path) -> None:
    _login(isolated_environment)
    assert stat.S_IMODE(isolated_environment.stat().st_mode) == 0o600
    assert stat.S_IMODE(isolated_environment.parent.stat().st_mode) == 0o700
    assert not list(isolated_environment.parent.glob(".*.tmp"))  # the temporary file is gone


def test_an_existing_file_keeps_its_comments_and_is_made_private(isolated_environment: Path) -> None:
    isolated_environment.parent.mkdir(parents=True)
    isolated_environment.write_text(
        "# my settings\n[profiles.work]  # the lab's mirror\nbase_url = \"https://lab\"\ntoken_command = \"pass x\"\n"
    )
    isolated_environment.chmod(0o644)
    _login(isolated_environment)
    text = isolated_environment.read_text()
    assert "# my settings" in text and "# the lab's mirror" in text and 'token_command = "pass x"' in text
    assert stat.S_IMODE(isolated_environment.stat().st_mode) == 0o600
    assert {p.name for p in read_profiles(isolated_environment)} == {"work", "alice-11250"}


def test_logging_in_again_refreshes_the_token_and_keeps_the_users_choices(isolated_environment: Path) -> None:
    _login(isolated_environment)
    update_profile(isolated_environment, "alice-11250", image_api="post", detected_image_api="post")
    save_login(isolated_environment, {"alice-11250": {"token": TOKEN + "2", "user": "alice"}}, None)
    (profile,) = read_profiles(isolated_environment)
    assert profile.token == TOKEN + "2" and profile.image_api == "post" and profile.region == "华东一区【昆山】"


def test_listing_masks_tokens(isolated_environment: Path) -> None:
    _login(isolated_environment)
    (profile,) = read_profiles(isolated_environment)
    assert profile.default and profile.masked_token == "****WXYZ"
    assert TOKEN not in repr(profile)
    assert mask("short") == "****"


def test_logout_removes_tokens_only(isolated_environment: Path) -> None:
    _login(isolated_environment)
    assert remove_tokens(isolated_environment, ["alice-11250"]) == ["alice-11250"]
    assert remove_tokens(isolated_environment) == []
    assert TOKEN not in isolated_environment.read_text()
    (profile,) = read_profiles(isolated_environment)
    assert profile.base_url == "https://ai.example:65011" and profile.masked_token == "(none)"
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "logged out" in caught.value.message and "scnet-images login" in caught.value.hint


def test_logout_of_an_unknown_profile_is_an_error(isolated_environment: Path) -> None:
    _login(isolated_environment)
    with pytest.raises(ConfigError):
        remove_tokens(isolated_environment, ["nope"])
    assert TOKEN in isolated_environment.read_text()


def test_an_unwritable_place_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError) as caught:
        save_login(blocker / "config.toml", {"a": {"token": TOKEN}}, None)
    assert "cannot be written" in caught.value.message


def test_profile_names_are_shell_friendly() -> None:
    assert profile_name("alice", "11250") == "alice-11250"
    assert profile_name("张 三/x", "20091") == "x-20091"


def test_settings_carry_what_login_stored(isolated_environment: Path) -> None:
    _login(isolated_environment)
    settings = load_settings()
    assert (settings.region, settings.cluster_id, settings.ac_url) == ("华东一区【昆山】", "11250", "https://ac.example")
    assert settings.stores_token and settings.image_api == "auto"


def test_a_token_from_elsewhere_does_not_borrow_the_profiles_account(isolated_environment: Path) -> None:
    _login(isolated_environment)
    settings = load_settings(env={"SCNET_CONFIG": str(isolated_environment), "SCNET_TOKEN": "another-token-value"})
    assert settings.ac_url == "" and settings.region == "" and not settings.stores_token


@pytest.mark.parametrize("flag, env, expected", [(None, {}, "auto"), ("post", {}, "post"), (None, {"SCNET_IMAGE_API": "GET"}, "get")])
def test_image_api_setting(isolated_environment: Path, flag: str | None, env: dict, expected: str) -> None:
    _login(isolated_environment)
    settings = load_settings(image_api=flag, env={"SCNET_CONFIG": str(isolated_environment), **env})
    assert settings.image_api == expected


def test_a_bad_image_api_is_a_config_error(isolated_environment: Path) -> None:
    _login(isolated_environment, image_api="sometimes")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "image_api" in caught.value.message


def test_logging_in_again_with_an_image_api_sets_it(isolated_environment: Path) -> None:
    _login(isolated_environment)
    save_login(isolated_environment, {"alice-11250": {"token": TOKEN, "image_api": "post"}}, None)
    assert read_profiles(isolated_environment)[0].image_api == "post"


def test_listing_survives_a_hand_edited_address_that_does_not_parse(
    isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    _login(isolated_environment, base_url="http://[::1")
    assert main(["profiles"]) == 0
    assert "http://[::1" in capsys.readouterr().out
    assert main(["list"]) == 7  # ... and using it says what is wrong, in one line
    assert "not a usable http(s) address" in capsys.readouterr().err
