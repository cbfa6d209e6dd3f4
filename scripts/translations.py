"""Keep the translation catalogs in step with the code (needs Babel: `pip install -e '.[test]'`).

    python scripts/translations.py update     # extract the strings of tui/ into the .pot,
                                              # merge it into every language's .po, compile .mo
    python scripts/translations.py update --from more.po ...
                                              # ... and fill untranslated entries from those files
    python scripts/translations.py compile    # .po -> .mo only
    python scripts/translations.py check      # what tests/i18n asserts, said in words

A new language: `mkdir -p tui/locale/<code>/LC_MESSAGES`, copy the .pot there as
`scnet-images.po`, translate it, run `update`. The .mo files are committed: a fresh
`pip install .` has every language with nothing to build.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tui"
LOCALE = PACKAGE / "locale"
DOMAIN = "scnet-images"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# The embedded demo API is a server: what it says is the platform's data, never translated.
SKIPPED = ("demo/",)
# Every `{...}` (str.format: named, and the positional `{}` a translation must not add)
# and every `%` (argparse formats its help with %: `%(default)s`, `%%`, and a lone `%`
# that would break it): the same ones in every language.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[a-z]|%[a-z%]|%")
# Strings that read the same in a translation (names, codes, units): not "untranslated".
SAME_IN_TRANSLATION = {"ID", "JSON", "Raw JSON", "SSH", "TLS", "URL", "API", "DCU", "GPU", "CPU", "{accelerator}, {image_type}"}


def extract() -> Catalog:
    """Every marked string of the package (its file and line as the location)."""
    catalog = Catalog(project="scnet-images", domain=DOMAIN, charset="utf-8")
    found = extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        if filename.startswith(SKIPPED):
            continue
        catalog.add(message, None, [(f"tui/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def languages() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, domain=DOMAIN)


def write(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False, include_previous=False)
    path.write_bytes(buffer.getvalue())


def compile_all() -> None:
    for po in languages():
        catalog = read(po)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        po.with_suffix(".mo").write_bytes(buffer.getvalue())


def update(fragments: list[Path]) -> None:
    template = extract()
    write(TEMPLATE, template)
    known: dict[object, object] = {}
    for fragment in fragments:
        for message in read(fragment):
            if message.id and _translated(message.string):
                known.setdefault(message.id, message.string)
    for po in languages():
        catalog = read(po)
        catalog.update(template, no_fuzzy_matching=True)
        for message in catalog:
            if message.id and not _translated(message.string) and message.id in known:
                message.string = known[message.id]
        catalog.obsolete.clear()
        write(po, catalog)
    compile_all()


def _messages(compiled: bytes) -> tuple[object, ...]:
    """What a compiled catalog says, as gettext reads it: its messages, and what it takes from
    the header (the charset, the plural rule)."""
    import gettext

    translations = gettext.GNUTranslations(io.BytesIO(compiled))
    messages = dict(translations._catalog)  # type: ignore[attr-defined]
    messages.pop("", None)  # the header's dates and tool versions may differ
    rule = tuple(translations.plural(count) for count in range(12))  # type: ignore[attr-defined]
    return messages, translations._charset, rule  # type: ignore[attr-defined]


def _translated(string: object) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def problems() -> list[str]:
    """Every way a catalog falls short: a string untranslated, fuzzy or with other
    placeholders; a catalog not up to date with the code; a .mo older than its .po."""
    wanted = {message.id for message in extract() if message.id}
    found = []
    for po in languages():
        language = po.parent.parent.name
        catalog = read(po)
        have = {message.id: message for message in catalog if message.id}
        for missing in sorted(wanted - have.keys(), key=str):
            found.append(f"{language}: not in the catalog (run update): {missing!r}")
        for message_id, message in have.items():
            if message_id not in wanted:
                continue
            singular = message_id[0] if isinstance(message_id, tuple) else message_id
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings) or message.fuzzy:
                found.append(f"{language}: untranslated: {singular!r}")
                continue
            ids = message_id if isinstance(message_id, tuple) else (message_id,)
            expected = placeholders(ids[-1])  # a plural form says what the plural says (the count)
            for string in strings:
                if placeholders(string) != expected:
                    found.append(f"{language}: placeholders differ in {singular!r}: {string!r}")
            if len(ids) == 1 and strings[0] == singular and singular not in SAME_IN_TRANSLATION:
                found.append(f"{language}: the same as the English (translate it, or list it in "
                             f"SAME_IN_TRANSLATION): {singular!r}")
        mo = po.with_suffix(".mo")
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        # Compared as gettext reads them, not byte for byte: another Babel may lay a file out
        # differently and still say the same.
        if not mo.exists() or _messages(mo.read_bytes()) != _messages(buffer.getvalue()):
            found.append(f"{language}: {mo.name} is not compiled from its .po (run compile)")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["update", "compile", "check"])
    parser.add_argument("--from", dest="fragments", nargs="*", type=Path, default=[],
                        help="fill untranslated entries from these .po files")
    args = parser.parse_args()
    if args.step == "update":
        update(args.fragments)
    elif args.step == "compile":
        compile_all()
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found and args.step == "check" else 0


if __name__ == "__main__":
    raise SystemExit(main())
