"""Where settings come from: flags > environment > config file; demo when nothing is set."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tui.api.errors import ConfigError
from tui.config import config_path, load_settings


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_nothing_configured_means_demo() -> None:
    settings = load_settings()
    assert settings.demo and settings.base_url == ""


def test_config_path_follows_scnet_config(isolated_environment: Path) -> None:
    assert config_path() == isolated_environment


def test_default_config_path_is_in_the_user_config_dir() -> None:
    path = config_path({})
    assert path.name == "config.toml" and "scnet-images" in str(path)


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCNET_BASE_URL", "https://env.example")
    monkeypatch.setenv("SCNET_TOKEN", "env-token")
    settings = load_settings()
    assert not settings.demo
    assert (settings.base_url, settings.token, settings.source) == ("https://env.example", "env-token", "environment")


def test_flags_beat_environment_beats_file(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(isolated_environment, '[profiles.default]\nbase_url = "https://file.example"\ntoken = "file-token"\ntimeout = 12\n')
    assert load_settings().base_url == "https://file.example"
    assert load_settings().options.read_timeout == 12
    monkeypatch.setenv("SCNET_BASE_URL", "https://env.example")
    assert load_settings().base_url == "https://env.example"
    assert load_settings().token == "file-token"
    assert load_settings(base_url="https://flag.example").base_url == "https://flag.example"
    assert load_settings(timeout=3).options.read_timeout == 3


def test_named_profiles(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        isolated_environment,
        'default_profile = "kunshan"\n'
        '[profiles.kunshan]\nbase_url = "https://ks.example"\ntoken = "k"\n'
        '[profiles.wuhan]\nbase_url = "https://wh.example"\ntoken = "w"\ninsecure = true\n',
    )
    assert load_settings().profile == "kunshan"
    monkeypatch.setenv("SCNET_PROFILE", "wuhan")
    settings = load_settings()
    assert (settings.profile, settings.base_url, settings.options.insecure) == ("wuhan", "https://wh.example", True)
    assert load_settings(profile="kunshan").base_url == "https://ks.example"
    with pytest.raises(ConfigError) as caught:
        load_settings(profile="nowhere")
    assert "kunshan, wuhan" in str(caught.value)


def test_token_command(isolated_environment: Path) -> None:
    write(
        isolated_environment,
        f'[profiles.default]\nbase_url = "https://h"\ntoken_command = "{sys.executable} -c \'print(123456789)\'"\n',
    )
    assert load_settings().token == "123456789"


def test_failing_token_command(isolated_environment: Path) -> None:
    write(isolated_environment, f'[profiles.default]\nbase_url = "https://h"\ntoken_command = "{sys.executable} -c \'raise SystemExit(3)\'"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "exited 3" in str(caught.value)


def test_readable_config_with_a_token_gets_a_warning(isolated_environment: Path) -> None:
    write(isolated_environment, '[profiles.default]\nbase_url = "https://h"\ntoken = "secret-value"\n', mode=0o644)
    (warning,) = load_settings().warnings
    assert "chmod 600" in warning and "secret-value" not in warning
    isolated_environment.chmod(0o600)
    assert load_settings().warnings == ()


def test_half_configured_connections_say_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCNET_TOKEN", "t")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "SCNET_BASE_URL" in caught.value.hint
    monkeypatch.delenv("SCNET_TOKEN")
    monkeypatch.setenv("SCNET_BASE_URL", "https://h")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "SCNET_TOKEN" in caught.value.hint


def test_bad_toml(isolated_environment: Path) -> None:
    write(isolated_environment, "this is = not toml [")
    with pytest.raises(ConfigError):
        load_settings()


def test_token_is_not_in_the_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCNET_BASE_URL", "https://h")
    monkeypatch.setenv("SCNET_TOKEN", "very-secret-token")
    assert "very-secret-token" not in repr(load_settings())


@pytest.mark.parametrize(
    "text, words",
    [
        ('profiles = "nope"\n', "not a table"),
        ('[profiles]\ndefault = "nope"\n', "not a table"),
        ('[profiles.default]\nbase_url = "https://h"\ntoken = "t"\ntimeout = "soon"\n', "not a number"),
        ('[profiles.default]\nbase_url = "https://h"\ntoken = "t"\ntimeout = -1\n', "positive"),
    ],
)
def test_bad_values_in_the_file(isolated_environment: Path, text: str, words: str) -> None:
    write(isolated_environment, text)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert words in str(caught.value)


def test_tls_options_from_file_and_flags(isolated_environment: Path) -> None:
    write(isolated_environment, '[profiles.default]\nbase_url = "https://h"\ntoken = "t"\nca_bundle = "/etc/org.pem"\n')
    assert load_settings().options.ca_bundle == "/etc/org.pem"
    assert not load_settings().options.insecure
    assert load_settings(insecure=True).options.insecure
    assert load_settings(ca_bundle="/tmp/other.pem").options.ca_bundle == "/tmp/other.pem"


def test_several_profiles_and_no_default_asks_to_pick_one(isolated_environment: Path) -> None:
    write(isolated_environment, '[profiles.a]\nbase_url = "https://a"\ntoken = "t"\n[profiles.b]\nbase_url = "https://b"\ntoken = "t"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "(a, b)" in str(caught.value) and "--profile" in caught.value.hint
    assert load_settings(profile="b").base_url == "https://b"


def test_a_file_without_profiles_is_demo(isolated_environment: Path) -> None:
    write(isolated_environment, "# nothing yet\n")
    assert load_settings().demo
