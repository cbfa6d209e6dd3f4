"""The web tests find Chromium where it is, and say what to do when it is nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import NoChromium, find_chromium


def executable(folder: Path, name: str) -> Path:
    program = folder / name
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return program


def test_the_first_known_name_on_the_path(tmp_path: Path) -> None:
    chrome = executable(tmp_path, "google-chrome")
    assert find_chromium({"PATH": str(tmp_path)}) == str(chrome)
    chromium = executable(tmp_path, "chromium")
    assert find_chromium({"PATH": str(tmp_path)}) == str(chromium)


def test_the_environment_names_one(tmp_path: Path) -> None:
    mine = executable(tmp_path, "my-chromium")
    assert find_chromium({"PATH": "", "SCNET_TEST_CHROMIUM": str(mine)}) == str(mine)
    with pytest.raises(NoChromium, match="SCNET_TEST_CHROMIUM='/nowhere/chromium' is not an executable"):
        find_chromium({"PATH": str(tmp_path), "SCNET_TEST_CHROMIUM": "/nowhere/chromium"})


def test_none_anywhere_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(NoChromium) as missing:
        find_chromium({"PATH": str(tmp_path)})
    assert "apt-get install chromium" in str(missing.value) and "SCNET_TEST_CHROMIUM" in str(missing.value)
