"""`scnet-images` / `scnet-images browse`: the interactive browser.

The only command that imports Textual, and only once it runs.
"""

from __future__ import annotations

import argparse

from ..i18n import _
from .connect import CONNECTION_HELP, add_connection_options, settings_from
from .output import say
from .exits import EXIT_OK, EXIT_OUTCOME_UNKNOWN


def register(commands: argparse._SubParsersAction) -> None:
    browse = commands.add_parser(
        "browse",
        help=_("open the browser (the default)"),
        description=_("Open the interactive image browser."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(CONNECTION_HELP),
    )
    add_connection_options(browse, argparse.SUPPRESS)
    browse.add_argument("--all-regions", action="store_true",
                        help=_("start on every region at once (each stored profile's; as `p` → All regions)"))
    # For `serve`'s demo tabs: the embedded demo API whatever the config and environment say.
    browse.add_argument("--demo", action="store_true", help=argparse.SUPPRESS)
    browse.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "demo", False):
        from ..config import Settings

        settings = Settings(base_url="", token="", demo=True)
    else:
        settings = settings_from(args, demo_if_logged_out=True)  # a logged-out default must not lock anyone out
    from ..app import ScnetImagesApp

    waiting = ScnetImagesApp(settings, every_region=getattr(args, "all_regions", False)).run()
    if waiting:  # quit while a launch or an action waited for its answer
        for what in waiting:
            say(_("{what} was waiting for the platform's answer when the browser closed: it may have happened; "
                  "`scnet-images ps` shows where things stand").format(what=what[:1].upper() + what[1:]))
        return EXIT_OUTCOME_UNKNOWN
    return EXIT_OK
