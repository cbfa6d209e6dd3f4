"""The catalogs: every string of the interface translated, placeholders kept, compiled."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from tui import i18n

ROOT = Path(__file__).resolve().parents[2]


def _translations_script():
    spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts" / "translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_marked_string_has_a_translation_with_the_same_placeholders() -> None:
    """Fails for a new string without its translation, a fuzzy or half-done one, a
    placeholder the translation lost or renamed, and a .mo not compiled from its .po
    (`python scripts/translations.py update` then translate; `check` says the same)."""
    assert _translations_script().problems() == []


def test_the_placeholder_check_can_fail() -> None:
    placeholders = _translations_script().placeholders
    assert placeholders("{count:,} of {total} images") == ["{count:,}", "{total}"]
    assert placeholders("共 {total} 个，显示 {count:,} 个") == ["{count:,}", "{total}"]
    assert placeholders("%(prog)s: error") != placeholders("{prog}: error")
    assert placeholders("令牌{expiry}（{}）") != placeholders("token {expiry}")  # a positional field added
    assert placeholders("100%不验证") != placeholders("do not verify")  # a lone % breaks argparse help
    assert placeholders("100%% of it") == ["%%"]


def test_chinese_ships_in_the_package() -> None:
    assert i18n.available() == ["en", "zh_CN"]
    assert i18n.language_name("zh_CN") == "简体中文"
    i18n.set_language("zh_CN")
    try:
        assert i18n._("Quit") == "退出"
        assert i18n.ngettext("{count} instance: {summary}", "{count} instances: {summary}", 2) != \
            "{count} instances: {summary}"
    finally:
        i18n.set_language("en")
    assert i18n._("Quit") == "Quit"


def test_a_third_language_is_a_catalog_not_a_code_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    (locale / "fr" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(locale / "zh_CN" / "LC_MESSAGES" / "scnet-images.mo", locale / "fr" / "LC_MESSAGES")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    assert i18n.available() == ["en", "fr", "zh_CN"]
    assert i18n.match("fr_FR.UTF-8") == "fr"
