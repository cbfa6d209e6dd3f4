"""The interface's language: which one, and the words of it.

Every sentence a person reads goes through `_()` (or `ngettext()` when it counts
something), as a whole sentence with named placeholders filled after translation:
`_("Loaded {count} images").format(count=...)`, never pieces glued together. Text
that is defined before the language is known (a module's constants, key bindings,
column titles) is marked with `N_()` and translated where it is shown.

The catalogs are gettext's: `tui/locale/<language>/LC_MESSAGES/scnet-images.po`,
compiled to `.mo` files that ship in the package (`python scripts/translations.py
update` extracts, merges and compiles them). A third language is a new catalog there, not a code change.
English is the source language and needs no catalog.

No Textual here: the shell commands use it too, and the language is chosen before
the parser is built so that `--help` speaks it.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path
from typing import Iterable, Mapping

DOMAIN = "scnet-images"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"
# The variables a locale is read from, in the order that wins (as gettext and POSIX have it).
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = SOURCE_LANGUAGE
_chosen_by = ""  # the setting that chose the language at start ("--lang", "SCNET_LANG", ...)


def _(message: str) -> str:
    """`message` in the current language (itself when the catalog has no translation)."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted sentence for `count`, in the current language."""
    return _translations.ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 (gettext's own name for it)
    """Mark `message` for translation without translating it yet (translate it when shown)."""
    return message


def available() -> list[str]:
    """The languages there are catalogs for, English first: `["en", "zh_CN"]`."""
    found = sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return [SOURCE_LANGUAGE, *found]


def language() -> str:
    """The language the interface speaks now."""
    return _language


def chosen_by() -> str:
    """The setting that chose the language at start: "--lang", "SCNET_LANG", "language" (the
    config file), or "" (the locale, or English)."""
    return _chosen_by


def set_language(code: str) -> None:
    """Speak `code` (one of `available()`) from now on."""
    global _translations, _language
    if code == SOURCE_LANGUAGE:
        _translations = _gettext.NullTranslations()
    else:
        with (LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as handle:
            _translations = _gettext.GNUTranslations(handle)
    _language = code


# Translators: the name of the language you are translating into, as its speakers write it.
LANGUAGE_NAME = N_("English")


def join(items: Iterable[str]) -> str:
    """`a, b, c` as the current language lists things."""
    # Translators: what separates the items of a list ("1 running, 1 terminated"), spaces included.
    return _(", ").join(items)


def language_name(code: str) -> str:
    """A language's name as its own speakers write it (`English`, `简体中文`)."""
    if code == SOURCE_LANGUAGE:
        return LANGUAGE_NAME
    with (LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as handle:
        return _gettext.GNUTranslations(handle).gettext(LANGUAGE_NAME)


def match(value: str) -> str | None:
    """The available language `value` asks for, or None. Lenient as locales are: `zh`,
    `zh-cn`, `zh_CN.UTF-8` and `zh_TW` all mean the Chinese catalog; `C` and `POSIX` English."""
    spelled = value.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not spelled:
        return None
    if spelled.upper() in ("C", "POSIX"):
        return SOURCE_LANGUAGE
    languages = available()
    for code in languages:
        if code.lower() == spelled.lower():
            return code
    wanted = spelled.split("_")[0].lower()
    return next((code for code in languages if code.split("_")[0].lower() == wanted), None)


def choose(flag: str | None, environ: Mapping[str, str], configured: object) -> tuple[str, str, object]:
    """The language to speak, in order from: `--lang`, `SCNET_LANG`, the config file's
    `language`, the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: the first one set), else English.

    A setting that is blank counts as not given; one that names no language there is a
    catalog for is passed over (the next one decides). Returns the language, and for the
    first setting passed over where it came from and its value ("" and None when none was).
    """
    passed_over: tuple[str, object] = ("", None)
    for source, value in (("--lang", flag), ("SCNET_LANG", environ.get("SCNET_LANG")), ("language", configured)):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        code = match(value) if isinstance(value, str) else None
        if code is not None:
            return (code, *passed_over)
        passed_over = passed_over if passed_over[0] else (source, value)
    return (_locale_language(environ), *passed_over)


def _locale_language(environ: Mapping[str, str]) -> str:
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            return match(value) or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def start(flag: str | None = None, environ: Mapping[str, str] | None = None, configured: object = None) -> str:
    """Choose the language (see `choose`) and speak it; returns what was wrong with a
    setting, in the chosen language ("" when nothing was)."""
    global _chosen_by
    environ = os.environ if environ is None else environ
    code, source, value = choose(flag, environ, configured)
    set_language(code)
    _chosen_by = next((name for name, given in (("--lang", flag), ("SCNET_LANG", environ.get("SCNET_LANG")),
                                                ("language", configured))
                       if isinstance(given, str) and match(given) == code), "")
    if not source:
        return ""
    return _("{source}: there is no language {value}; there are {languages}").format(
        value=repr(value), source=source, languages=", ".join(available()))
