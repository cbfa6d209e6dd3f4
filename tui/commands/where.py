"""`scnet-images where` and `list --all-regions`: every region's catalog at once.

Every region is asked as `every_region.gather` asks it (each from its cache first, a region
that fails said on stderr); `where` adds the free cards of each region's groups where the
platform says, and prints the regions that have the image.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Sequence, TextIO

from ..i18n import N_, _, ngettext
from .connect import add_connection_options
from .exits import EXIT_CODES_HELP, EXIT_NO_MATCH, EXIT_OK
from .catalogs import add_filter_options
from .every_region import RegionCatalog, answered_nothing, gather
from .output import aligned_lines, say, terminal_width, warn, write_json

if TYPE_CHECKING:
    from ..api.capacity import Capacity
    from ..api.models import Image
    from ..regions import RegionRef

WHERE_HEADERS = (N_("ID"), N_("REGION"), N_("PATH"), N_("FREE CARDS"))


def register(commands: argparse._SubParsersAction) -> None:
    where = commands.add_parser(
        "where",
        help=_("which regions have an image, and how many cards are free there"),
        description=_(
            "Ask every region (each stored profile; with none, the demo API's regions) for the image "
            "TERMS name, found exactly like `path`: one line per region that has it, with its path "
            "there and, where the platform says, the free cards of the groups that can run it."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(
            "examples:\n"
            "  scnet-images where vllm 0.9.2 dtk25.04.2\n"
            "  scnet-images where --all sglang\n"
            "  scnet-images where --format json jupyterlab-pytorch | jq '.matches[].regionId'\n"
        ) + "\n" + _(EXIT_CODES_HELP),
    )
    where.add_argument("terms", nargs="+", metavar="TERM", help=_("search terms, or an exact name:tag or path"))
    add_filter_options(where)
    where.add_argument("--all", action="store_true", help=_("every matching image of each region, not only the best"))
    where.add_argument("-f", "--format", choices=("text", "json"), default="text", help=_("output format"))
    add_connection_options(where, argparse.SUPPRESS)
    where.set_defaults(run=run_where)


# --- where --------------------------------------------------------------------------------------


def run_where(args: argparse.Namespace) -> int:
    answers, capacity = gather(args, capacity=True, terms=args.terms)
    return print_where(answers, capacity, args, sys.stdout)


def print_where(answers: Sequence[RegionCatalog], capacity: Capacity | None, args: argparse.Namespace,
                out: TextIO) -> int:
    from ..catalog import find_path_match
    from ..safe_text import printable

    from ..image_ref import reference_problem

    found = []
    for answer in answers:
        if answer.error is not None:
            continue
        match = find_path_match(answer.images, args.terms)
        for image in match.candidates if args.all else match.images:
            problem = reference_problem(image.path or image.version)
            if problem:  # printed nowhere: a script would pull it
                warn(_("left out {path}: not a valid image reference ({problem})").format(
                    path=repr(printable(image.path or image.version)), problem=problem))
            else:
                found.append((answer.region, image))
    failed = answered_nothing(answers)
    if failed is not None:
        return failed
    if args.format == "json":
        write_json(_where_json(found, answers, capacity), out)
    elif found:
        rows = [(printable(region.cluster_id), printable(region.name), printable(image.path or image.version),
                 free_cards(capacity, region.cluster_id, image.accelerator_type))
                for region, image in found]
        headers = tuple(_(header) for header in WHERE_HEADERS)
        for line in aligned_lines(headers, rows, widths={headers[2]: 160}, fit=terminal_width(out),
                                  keep=(headers[0],), last_to_go=headers[2], middle=True):
            out.write(line + "\n")
    if not found:
        say(_("no region has {terms}").format(terms=repr(" ".join(args.terms))))
        return EXIT_NO_MATCH
    regions = len({region.key for region, _image in found})
    if args.format != "json" and sys.stderr.isatty():
        say(ngettext("{count} region of {total} has it", "{count} regions of {total} have it", regions).format(
            count=regions, total=len(answers)))
    return EXIT_OK


def free_cards(capacity: Capacity | None, cluster_id: str, accelerator: str) -> str:
    """`5 (dcu-k100-4 3, dcu-z100-2 2)`: the free cards of the region's groups that serve the
    image's accelerator, or `?` when the platform did not say."""
    if capacity is None or not capacity.knows(cluster_id):
        return "?"
    groups = capacity.in_region(cluster_id, accelerator)
    if not groups:
        return "0"
    total = sum(group.free for group in groups)
    return f"{total} (" + ", ".join(f"{group.group} {group.free}" for group in groups) + ")"


def _where_json(found: Sequence[tuple[RegionRef, Image]], answers: Sequence[RegionCatalog],
                capacity: Capacity | None) -> dict[str, Any]:
    from datetime import datetime, timezone

    from ..api.capacity import SOURCE

    def free(region: RegionRef, image: Image) -> dict[str, Any] | None:
        if capacity is None or not capacity.knows(region.cluster_id):
            return None
        groups = capacity.in_region(region.cluster_id, image.accelerator_type)
        return {"cards": sum(group.free for group in groups),
                "groups": [{"group": group.group, "free": group.free} for group in groups]}

    return {
        "matches": [{"regionId": region.cluster_id, "region": region.name, "profile": region.profile,
                     "path": image.path, "version": image.version, "acceleratorType": image.accelerator_type,
                     "free": free(region, image)} for region, image in found],
        "failed": [{"regionId": answer.region.cluster_id, "region": answer.region.name,
                    "error": answer.error.message, "hint": answer.error.hint}
                   for answer in answers if answer.error is not None],
        "free": None if capacity is None else {
            "source": SOURCE, "askedAt": datetime.fromtimestamp(capacity.asked_at, timezone.utc).isoformat()},
    }
