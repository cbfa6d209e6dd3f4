"""`scnet-images cache info|clear`: the catalogs kept for instant lookups and completion."""

from __future__ import annotations

import argparse
import sys

from ..i18n import N_, _, ngettext
from .exits import EXIT_OK
from .output import aligned_lines, say


# The columns of `cache info` (translated when shown).
HEADERS = (N_("REGION"), N_("IMAGES"), N_("FETCHED"), N_("SIZE"), N_("FILE"))


def register(commands: argparse._SubParsersAction) -> None:
    cache = commands.add_parser(
        "cache",
        help=_("show or clear the cached catalogs"),
        description=_(
            "The last catalog of each region is kept in the user cache folder: the browser starts "
            "from it at once, and `path` and `list` answer from it while it is younger than "
            "`cache_ttl` (an hour by default; --refresh asks the server, --offline never does)."
        ),
    )
    cache.add_argument("action", choices=("info", "clear"), nargs="?", default="info")
    cache.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import time

    from .. import cache
    from ..safe_text import printable

    if args.action == "clear":
        removed = cache.clear()
        print(ngettext("Removed {count} cached file from {folder}", "Removed {count} cached files from {folder}",
                       removed).format(count=removed, folder=cache.folder()))
        return EXIT_OK
    try:
        entries = cache.entries()
    except cache.Refused as refused:  # a folder others may write: nothing in it is read
        say(refused.message)
        return EXIT_OK
    if not entries:
        say(_("nothing is cached yet in {folder}").format(folder=cache.folder()))
        return EXIT_OK
    rows = [
        # The demo's name is said in the language of now, not of when the cache was written.
        (_("the demo API") if entry.key == "demo" else printable(entry.where), f"{entry.count:,}", cache.describe_age(time.time() - entry.saved_at),
         f"{entry.size / 1e6:.1f} MB", entry.key)
        for entry in entries
    ]
    for line in aligned_lines(tuple(_(header) for header in HEADERS), rows):
        sys.stdout.write(line + "\n")
    print(_("in {folder} (mode 700; no token is kept there)").format(folder=cache.folder()))
    return EXIT_OK
