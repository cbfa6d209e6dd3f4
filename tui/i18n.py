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
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple

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
    return [SOURCE_LANGUAGE, *_catalogs_in(LOCALE_DIR)]


@lru_cache
def _catalogs_in(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(path.parent.parent.name for path in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")))


@lru_cache
def _catalog(folder: Path, code: str) -> _gettext.GNUTranslations:
    """A language's compiled catalog, read once."""
    with (folder / code / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as handle:
        return _gettext.GNUTranslations(handle)


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
    _translations = _gettext.NullTranslations() if code == SOURCE_LANGUAGE else _catalog(LOCALE_DIR, code)
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
    return _catalog(LOCALE_DIR, code).gettext(LANGUAGE_NAME)


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


class Choice(NamedTuple):
    """The language chosen, the setting that chose it ("" for the locale or the default), and
    the first setting passed over because it names no catalog (its name and value)."""

    language: str
    chosen_by: str = ""
    passed_over: str = ""
    passed_value: object = None


def choose(flag: str | None, environ: Mapping[str, str], configured: object) -> Choice:
    """The language to speak, in order from: `--lang`, `SCNET_LANG`, the config file's
    `language`, the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: the first one set), else English.
    A setting that is blank counts as not given; one that names no language there is a
    catalog for is passed over (the next one decides)."""
    passed_over: tuple[str, object] = ("", None)
    for source, value in (("--lang", flag), ("SCNET_LANG", environ.get("SCNET_LANG")), ("language", configured)):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        code = match(value) if isinstance(value, str) else None
        if code is not None:
            return Choice(code, source, *passed_over)
        passed_over = passed_over if passed_over[0] else (source, value)
    return Choice(_locale_language(environ), "", *passed_over)


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
    choice = choose(flag, os.environ if environ is None else environ, configured)
    set_language(choice.language)
    _chosen_by = choice.chosen_by
    if not choice.passed_over:
        return ""
    return _("{source}: there is no language {value}; there are {languages}").format(
        value=repr(choice.passed_value), source=choice.passed_over, languages=", ".join(available()))


def unlimited_word(value: str) -> str:
    """A time limit as the interface says it: the platform's `unlimited` in words (不限)."""
    return _("unlimited") if value.strip().lower() == "unlimited" else value


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")  # Chinese characters: a Latin word beside them is spaced
_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")  # with Chinese punctuation
_LATIN = re.compile(r"[A-Za-z0-9]")


def fill(template: str, **values: Any) -> str:
    """`template.format(**values)`, with the spacing Chinese text wants where a value meets the
    template's words: a space between Chinese and Latin letters or digits, none between two
    Chinese characters, whatever the value turns out to hold (a region named in Chinese, or
    the demo API's "演示 API"). The values themselves are left as they are."""
    import string

    parts: list[str] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if field is not None:
            value = values[field]
            value = repr(value) if conversion == "r" else str(value) if conversion == "s" else value
            parts.append(format(value, spec or ""))
    text = ""
    for part in parts:  # literals and values by turns: only where they meet is spacing added
        text = _joined(text, part)
    return text


def _joined(left: str, right: str) -> str:
    if not left or not right:
        return left + right
    if left.endswith(" ") and len(left) > 1 and _CHINESE.match(left[-2]) and _CHINESE.match(right[0]):
        return left[:-1] + right  # no space inside Chinese
    if right.startswith(" ") and len(right) > 1 and _CHINESE.match(left[-1]) and _CHINESE.match(right[1]):
        return left + right[1:]
    if (_CJK.match(left[-1]) and _LATIN.match(right[0])) or (_LATIN.match(left[-1]) and _CJK.match(right[0])):
        return left + " " + right
    return left + right
