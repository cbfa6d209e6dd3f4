"""What a new user tripped over in the first ten minutes, from the shell: each one stays fixed."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pytest

from tui.api.errors import ConfigError
from tui.catalog import sort_images
from tui.api.models import parse_image
from tui.cli import build_parser, main
from tui.config import load_settings
from tui.profiles import read_profiles, save_login

TOKEN = "eyJhbGciOiJIUzI1NiJ9.payload-part.signature-WXYZ"


def _stored(path: Path, *names: str) -> None:
    for name in names:
        save_login(path, {name: {"region": "r", "cluster_id": name.split("-")[-1], "user": "demo",
                                 "base_url": "https://ai.example", "ac_url": "https://ac.example",
                                 "token": TOKEN}}, names[0])


@pytest.mark.parametrize(
    "argv, words",
    [
        (["lsit"], "no command 'lsit'; did you mean 'list'?"),
        (["list", "--format", "xml"], "no 'xml'; one of table, json, csv, paths"),
        (["path"], "give search terms"),
        (["pth", "jax"], "did you mean 'path'?"),
    ],
)
def test_a_usage_error_is_one_line_with_a_suggestion(argv: list[str], words: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 64 and words in err and len(err.strip().splitlines()) == 1


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["-V"])
    assert capsys.readouterr().out.startswith("scnet-images 0.")
    assert main(["help", "list"]) == 0
    assert "usage: scnet-images list" in capsys.readouterr().out
    assert main(["help"]) == 0
    assert "COMMAND" in capsys.readouterr().out


def test_help_examples_line_up() -> None:
    lines = [line for line in build_parser().epilog.splitlines() if line.startswith("  scnet-images")]  # type: ignore[union-attr]
    columns = {len(line) - len(line.split("   ")[-1].lstrip()) for line in lines if "   " in line.strip()}
    assert len(columns) == 1, lines


def test_no_profile_without_a_config_file_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(profile="nope")
    assert "no config file exists yet" in caught.value.message and "login" in caught.value.hint


def test_a_logged_out_default_does_not_lock_anyone_out(isolated_environment: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    _stored(isolated_environment, "demo-11250", "demo-20091")
    assert main(["logout"]) == 0
    settings = load_settings(demo_if_logged_out=True)  # what the browser asks for
    assert settings.demo and any("logged out" in warning for warning in settings.warnings)
    assert main(["list"]) == 7
    err = capsys.readouterr().err
    assert "is logged out" in err and "scnet-images login" in err and "profiles rm demo-11250" in err
    with pytest.raises(ConfigError):  # a profile asked for by name is not replaced by the demo
        load_settings(profile="demo-20091", demo_if_logged_out=True)


def test_profiles_rm_and_logout_forget(isolated_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _stored(isolated_environment, "demo-11250", "demo-20091", "demo-30000")
    assert main(["profiles", "rm", "demo-20091"]) == 0
    assert [p.name for p in read_profiles(isolated_environment)] == ["demo-11250", "demo-30000"]
    assert main(["profiles", "rm", "nope"]) == 7
    assert main(["logout", "--forget", "demo-11250"]) == 0
    assert [p.name for p in read_profiles(isolated_environment)] == ["demo-30000"]
    assert "default_profile" not in isolated_environment.read_text()  # the removed one was the default
    assert main(["logout", "--forget"]) == 0
    assert read_profiles(isolated_environment) == [] and "demo API" in capsys.readouterr().out
    assert load_settings().demo


def test_a_profile_overridden_by_the_environment_is_not_named(isolated_environment: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _stored(isolated_environment, "demo-20091")
    monkeypatch.setenv("SCNET_BASE_URL", "http://127.0.0.1:8766")
    monkeypatch.setenv("SCNET_TOKEN", "t0ken-from-env")
    settings = load_settings()
    assert settings.profile == "" and settings.config_file is None


def test_versions_sort_as_versions() -> None:
    images = [parse_image({"name": "vllm", "tag": tag, "path": f"r/vllm:{tag}"})
              for tag in ("0.11.0-py3.10", "0.4.23-py3.8", "0.4.23-py3.10", "0.9.2-py3.10")]
    assert [image.tag for image in sort_images(images, "tag")] == [
        "0.4.23-py3.8", "0.4.23-py3.10", "0.9.2-py3.10", "0.11.0-py3.10"]
    assert [image.tag for image in sort_images(images, "name")][-1] == "0.11.0-py3.10"


def test_list_table_has_the_path_and_csv_says_true(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--format", "table", "--search", "vllm 0.9.2 dtk25.04.2"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[-1] == "PATH" and row.endswith("vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10")
    assert main(["list", "--format", "csv", "--search", "vllm 0.9.2"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {row["isPresetImage"] for row in rows} <= {"true", "false"}


def test_path_all_is_in_version_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["path", "--all", "vllm", "dtk26.04"]) == 0
    tags = [line.rsplit(":", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert tags == sorted(tags, key=lambda tag: [int(p) if p.isdigit() else p for p in tag.replace("-", ".").split(".")])


def test_the_demo_servers_key_outlives_a_restart(isolated_environment: Path) -> None:
    from tui.commands.demo_server import _signing_key

    first, second = _signing_key(), _signing_key()
    assert first is not None and first == second
    key_file = Path(os.environ["XDG_DATA_HOME"]) / "scnet-images" / "demo-signing-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
