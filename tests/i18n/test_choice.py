"""Which language is spoken: --lang, SCNET_LANG, the config's `language`, the locale, English."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui import i18n
from tui.cli import main, take_language


@pytest.mark.parametrize(("flag", "environ", "configured", "expected"), [
    (None, {}, None, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, None, "zh_CN"),
    (None, {"LANG": "zh_TW.UTF-8"}, None, "zh_CN"),  # any zh* means Chinese
    (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, None, "zh_CN"),
    (None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, None, "en"),  # LC_ALL wins
    (None, {"LANG": "de_DE.UTF-8"}, None, "en"),  # no catalog: English
    (None, {"LANG": "zh_CN.UTF-8"}, "en", "en"),  # the config beats the locale
    (None, {"SCNET_LANG": "zh", "LANG": "en_US.UTF-8"}, "en", "zh_CN"),  # the variable beats the config
    ("en", {"SCNET_LANG": "zh-CN"}, "zh_CN", "en"),  # the flag beats all
    ("ZH_cn", {}, None, "zh_CN"),
])
def test_the_first_setting_given_decides(flag: str | None, environ: dict[str, str], configured: object,
                                          expected: str) -> None:
    assert i18n.choose(flag, environ, configured)[0] == expected


def test_a_setting_naming_no_language_is_said_and_the_locale_decides() -> None:
    assert i18n.choose(None, {"SCNET_LANG": "klingon", "LANG": "zh_CN.UTF-8"}, None) == ("zh_CN", "", "SCNET_LANG",
                                                                                         "klingon")
    assert i18n.choose(None, {}, 42) == ("en", "", "language", 42)
    assert i18n.choose(None, {"SCNET_LANG": "klingon"}, "zh_CN") == ("zh_CN", "language", "SCNET_LANG",
                                                                     "klingon")  # the next one decides
    assert i18n.choose(None, {"SCNET_LANG": "  ", "LANG": "zh_CN.UTF-8"}, None) == ("zh_CN", "", "", None)  # blank
    problem = i18n.start(None, {"SCNET_LANG": "klingon"}, None)
    assert "SCNET_LANG" in problem and "'klingon'" in problem and "zh_CN" in problem


def test_lang_is_taken_wherever_it_is() -> None:
    assert take_language(["--lang", "zh", "path", "x"]) == ("zh", ["path", "x"])
    assert take_language(["path", "x", "--lang=en"]) == ("en", ["path", "x"])
    assert take_language(["path", "--", "--lang", "zh"]) == (None, ["path", "--", "--lang", "zh"])


def test_the_config_files_language_is_used(isolated_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    isolated_environment.parent.mkdir(parents=True, exist_ok=True)
    isolated_environment.write_text('language = "zh_CN"\n')
    assert main(["path", "--offline", "nothing"]) == 4
    assert "缓存" in capsys.readouterr().err


def test_an_unknown_lang_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "xx", "list"]) == 64
    assert "--lang" in capsys.readouterr().err
