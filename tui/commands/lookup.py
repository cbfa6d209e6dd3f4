"""`scnet-images list` and `scnet-images path`: the catalog from the shell, for scripts.

Both get the catalog from `catalogs.catalog_for` (this account's cache, else the sync client:
no asyncio, no Textual, they start fast), filter with the same functions as the browser
(`tui/catalog.py`), and print plain lines.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Sequence, TextIO

from ..i18n import N_, _, ngettext
from .connect import add_connection_options
from .exits import EXIT_AMBIGUOUS, EXIT_CODES_HELP, EXIT_MALFORMED, EXIT_NO_MATCH, EXIT_OK, EXIT_USAGE
from .catalogs import add_filter_options, images_for
from .output import aligned_lines, say, terminal_width, warn, write_csv, write_json

if TYPE_CHECKING:
    from ..api.models import Image
    from ..regions import RegionRef

# The last column of `list`'s table, after the browser's (translated when shown), and the
# first of `list --all-regions`'s.
PATH_HEADING = N_("PATH")
REGION_HEADING = N_("REGION")
# The path is what people come for: its column is wider than the others before it is cut.
PATH_WIDTH = 160
# ... and on a narrow terminal, at least this many (the other columns leave first).
PATH_FLOOR = 24


def register(commands: argparse._SubParsersAction) -> None:
    listing = commands.add_parser(
        "list",
        help=_("print the catalog, filtered"),
        description=_("Print the image catalog, filtered like the browser filters it."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(
            "examples:\n"
            "  scnet-images list --accelerator dcu --image-type Base\n"
            "  scnet-images list --search 'pytorch dtk24.04' --sort created --desc\n"
            "  scnet-images list --format json | jq '.[].path'\n"
            "  scnet-images list --format paths --search vllm\n"
        ) + "\n" + _(EXIT_CODES_HELP),
    )
    add_filter_options(listing)
    listing.add_argument("-s", "--search", default="", help=_("space-separated terms, all must match"))
    listing.add_argument(
        "--sort",
        default="",
        metavar="FIELD",
        help=_("name, tag, accelerator, type, access, preset, created, user, version or path; "
               "--sort=-FIELD sorts descending"),
    )
    listing.add_argument("--desc", action="store_true", help=_("sort descending"))
    listing.add_argument("--all-regions", action="store_true",
                         help=_("every region's catalog (each stored profile's), with a region column"))
    listing.add_argument(
        "-f",
        "--format",
        choices=("table", "json", "csv", "paths"),
        default=None,
        help=_("output format (default: table on a terminal, paths otherwise)"),
    )
    add_connection_options(listing, argparse.SUPPRESS)
    listing.set_defaults(run=run_list)

    path = commands.add_parser(
        "path",
        help=_("print the path of the best matching image"),
        description=_(
            "Print the path of the single best matching image. An exact version (name:tag) "
            "or path wins; otherwise every term must match, and terms that match a whole "
            "word of the tag (dtk24.04, not dtk24.04.1) rank higher."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(
            "examples:\n"
            "  scnet-images path pytorch 2.1.0 ubuntu20.04 dtk24.04.1\n"
            "  docker pull \"$(scnet-images path vllm 0.9.2 dtk25.04.2)\"\n"
            "  scnet-images path --all jax\n"
        ) + "\n" + _(EXIT_CODES_HELP),
    )
    path.add_argument("terms", nargs="+", metavar="TERM", help=_("search terms, or an exact name:tag or path"))
    add_filter_options(path)
    path.add_argument("--all", action="store_true", help=_("print every match, one a line"))
    path.add_argument("--copy", action="store_true", help=_("also copy the path to the clipboard"))
    add_connection_options(path, argparse.SUPPRESS)
    path.set_defaults(run=run_path)


def run_list(args: argparse.Namespace) -> int:
    if args.all_regions:
        from .every_region import answered_nothing, gather

        answers, _free = gather(args)
        failed = answered_nothing(answers)
        if failed is not None:
            return failed
        pairs = [(image, answer.region) for answer in answers for image in answer.images]
        return print_list([image for image, _region in pairs], args, sys.stdout, [region for _image, region in pairs])
    return print_list(images_for(args), args, sys.stdout)


def run_path(args: argparse.Namespace) -> int:
    return print_path(images_for(args), args, sys.stdout)


# --- list -------------------------------------------------------------------


def print_list(images: Sequence[Image], args: argparse.Namespace, out: TextIO,
               regions: Sequence[RegionRef] | None = None) -> int:
    """Print the images the search leaves, sorted as asked; with `regions` (each image's, in
    step with `images`: `list --all-regions`), with the region of each."""
    from ..catalog import filter_images, sort_images

    chosen = filter_images(images, args.search)
    if args.sort:
        field = args.sort.lstrip("-")
        try:
            chosen = sort_images(chosen, field, descending=args.sort.startswith("-") or args.desc)
        except ValueError as exc:
            say(str(exc))
            return EXIT_USAGE
    region_of = {id(image): region for image, region in zip(images, regions)} if regions is not None else None
    records = [image.to_api_dict() for image in chosen]
    if region_of is not None:
        records = [{**record, "regionId": region_of[id(image)].cluster_id, "region": region_of[id(image)].name}
                   for record, image in zip(records, chosen)]
    tty = out.isatty()
    fmt = args.format or ("table" if tty else "paths")
    if fmt == "json":
        write_json(records, out)
    elif fmt == "csv":
        from ..api.models import DOCUMENTED_FIELDS

        write_csv((*DOCUMENTED_FIELDS, *(("regionId", "region") if region_of else ())), records, out)
    elif fmt == "paths":
        write_paths(list({image.path or image.version: image for image in chosen}.values()), out)  # each path once
    else:
        regions_shown = [region_of[id(image)] for image in chosen] if region_of is not None else None
        _print_table(chosen, out, colour=tty and not os.environ.get("NO_COLOR"), regions=regions_shown)
    return EXIT_OK


def _print_table(images: Sequence[Image], out: TextIO, colour: bool,
                 regions: Sequence[RegionRef] | None = None) -> None:
    from operator import attrgetter

    from ..columns import ONE_REGION_COLUMNS as COLUMNS
    from ..columns import cell_values
    from ..safe_text import printable

    rows = [(*cell_values(image, COLUMNS), printable(image.path or image.version)) for image in images]
    headers = (*(_(column.heading) for column in COLUMNS), _(PATH_HEADING))
    if regions is not None:  # the region's id first: it names the region in every other command
        rows = [(printable(region.cluster_id or region.name), *row) for region, row in zip(regions, rows)]
        headers = (_(REGION_HEADING), *headers)
    # On a narrow terminal the browser's columns leave in the browser's order; the path stays.
    drop = [_(column.heading) for column in sorted((c for c in COLUMNS if c.drop), key=attrgetter("drop"))]
    floors = {_(column.heading): column.shrink_to or column.width for column in COLUMNS}
    floors[headers[-1]] = PATH_FLOOR
    header, *lines = aligned_lines(headers, rows, widths={headers[-1]: PATH_WIDTH}, fit=terminal_width(out),
                                   drop=drop, floors=floors, keep=headers[:1] if regions is not None else (), middle=True)
    out.write((f"\x1b[1m{header}\x1b[0m" if colour else header) + "\n")
    for line in lines:
        out.write(line + "\n")
    if not rows:
        say(_("no images match"))


# --- path -------------------------------------------------------------------


def write_paths(images: Sequence[Image], out: TextIO) -> None:
    """One path a line; a path that is not a valid image reference is left out, with a warning."""
    from ..image_ref import reference_problem
    from ..safe_text import printable

    for image in images:
        path = image.path or image.version
        problem = reference_problem(path)
        if problem:
            warn(_("left out {path}: not a valid image reference ({problem})").format(
                path=repr(printable(path)), problem=problem))
        else:
            out.write(path + "\n")


def resolve_image(images: Sequence[Image], terms: Sequence[str]) -> Image | int:
    """The one image `terms` name (as `path` finds it), or the exit code after saying why not."""
    from ..catalog import find_path_match
    from ..safe_text import printable

    match = find_path_match(images, terms)
    if match.kind == "none":
        say(_("no image matches {terms}").format(terms=repr(" ".join(terms))))
        return EXIT_NO_MATCH
    if match.kind == "ambiguous":
        count = len(match.images)
        say(ngettext("{count} image matches {terms} equally well; add a term, give the exact name:tag, or use --all:",
                     "{count} images match {terms} equally well; add a term, give the exact name:tag, or use --all:",
                     count).format(count=count, terms=repr(" ".join(terms))))
        for image in match.images[:20]:
            print(f"  {printable(image.path or image.version)}", file=sys.stderr)
        if count > 20:
            print("  " + _("… and {count} more").format(count=count - 20), file=sys.stderr)
        return EXIT_AMBIGUOUS
    return match.images[0]


def print_path(images: Sequence[Image], args: argparse.Namespace, out: TextIO) -> int:
    from ..catalog import find_path_match
    from ..image_ref import reference_problem
    from ..safe_text import printable

    if args.all:
        match = find_path_match(images, args.terms)
        if match.kind == "none":
            say(_("no image matches {terms}").format(terms=repr(" ".join(args.terms))))
            return EXIT_NO_MATCH
        write_paths(match.candidates, out)
        return EXIT_OK
    image = resolve_image(images, args.terms)
    if isinstance(image, int):
        return image
    path = image.path or image.version
    problem = reference_problem(path)
    if problem:
        say(_("refusing to print {path}: not a valid image reference ({problem})").format(
            path=repr(printable(path)), problem=problem))
        return EXIT_MALFORMED
    out.write(path + "\n")
    out.flush()
    if args.copy:
        _copy_for_shell(path)
    return EXIT_OK


def _copy_for_shell(text: str) -> None:
    from ..clipboard import copied, copy_with_pyperclip, copy_with_tmux, osc52_possible, osc52_sequence

    if copy_with_pyperclip(text):
        say(copied("system"))
        return
    if copy_with_tmux(text):
        say(copied("tmux"))
        return
    sequence = osc52_sequence(text) if osc52_possible() else None
    if sequence and sys.stderr.isatty():
        sys.stderr.write(sequence)
        sys.stderr.flush()
        say(copied("osc52-tmux" if "\x1bPtmux;" in sequence else "osc52"))
        return
    warn(_("no clipboard here (no pyperclip mechanism, no tmux, no terminal); path printed only"))
