"""What an image shows and sorts by: each field written once.

A `Field` says everything about one of them: the key `list --sort` takes, how sentences
name it, how it sorts, and (for the fields that are columns) its title in the browser,
its heading in printed tables, its widest cell, its value, and how it gives way on a
narrow terminal. The browser's table, the palette's "Sort by …", the status line,
`list --format table` and completion all read `FIELDS`. Pure, no Textual.
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import attrgetter
from typing import Callable, NamedTuple, Sequence

from .api.models import Image
from .i18n import N_, _
from .safe_text import printable

_DIGITS = re.compile(r"(\d+)")
# The preset column's words (translated when shown; "-" when the server does not say).
_PRESET = {True: N_("yes"), False: N_("no")}
# An image's access as the interface says it (the platform's word stays in JSON, CSV and the raw view).
_ACCESS = {"public": N_("public"), "private": N_("private")}


def access_word(access: str) -> str:
    """`public`/`private` in the interface's language; any other value as it came."""
    return _(_ACCESS[access]) if access in _ACCESS else access


@lru_cache(maxsize=1 << 18)
def natural(text: str) -> str:
    """A key that sorts numbers inside `text` as numbers: 0.4.23 before 0.11.0, py3.8 before
    py3.10. Each run of digits gets its length in front (a longer number is a larger one);
    cached, since a catalog repeats its tags and versions and is sorted again and again."""
    parts = _DIGITS.split(text.lower())
    parts[1::2] = [chr(48 + len(run)) + run for run in parts[1::2]]
    return "".join(parts)


class Field(NamedTuple):
    key: str  # the sort field, as `list --sort` takes it
    name: str  # how sentences name it ("sorted by created"), marked with N_
    sort_key: Callable[[Image], object]
    # The fields that are columns of the tables (the others only sort):
    title: str = ""  # the browser's column title, marked with N_
    heading: str = ""  # the printed table's heading, marked with N_
    width: int = 0  # the browser's widest cell (longer values are cut; the details pane has them)
    value: Callable[[Image], str] | None = None  # the cell's text, before it is made printable
    shrink: int = 0  # on a narrow terminal, columns first give way (in this order) ...
    shrink_to: int = 0  # ... down to this width
    drop: int = 0  # ... then whole columns are left out, in this order (the details pane has them)


def _preset(image: Image) -> str:
    return _(_PRESET[image.is_preset_image]) if image.is_preset_image is not None else "-"


FIELDS = (
    # One string, not a (name, tag) tuple: the same order ("\0" sorts first), three times faster.
    Field("name", N_("name"), lambda image: f"{image.name.lower()}\0{natural(image.tag)}", N_("Name"), N_("NAME"),
          22, attrgetter("name"), shrink=2, shrink_to=14),
    Field("tag", N_("tag"), lambda image: natural(image.tag), N_("Tag"), N_("TAG"), 44, attrgetter("tag"),
          shrink=1, shrink_to=24),
    # Shown only when several regions are (`Image.region`): the last column to give way.
    Field("region", N_("region"), attrgetter("region"), N_("Region"), N_("REGION"), 18, attrgetter("region"),
          shrink=4, shrink_to=16, drop=7),
    # Translators: the accelerator column's title, short (the column is 7 cells wide).
    Field("accelerator", N_("accelerator"), attrgetter("accelerator_type"), N_("Accel"), N_("ACCEL"), 7,
          attrgetter("accelerator_type"), drop=6),
    Field("type", N_("type"), lambda image: image.type.lower(), N_("Type"), N_("TYPE"), 10, attrgetter("type"),
          drop=5),
    Field("access", N_("access"), attrgetter("access"), N_("Access"), N_("ACCESS"), 7,
          lambda image: access_word(image.access), drop=3),
    Field("preset", N_("preset"), lambda image: {True: 0, False: 1, None: 2}[image.is_preset_image], N_("Preset"),
          N_("PRESET"), 6, _preset, drop=2),
    Field("created", N_("created"), attrgetter("create_time"), N_("Created"), N_("CREATED"), 10,
          lambda image: image.create_time[:10], drop=4),
    Field("user", N_("user"), lambda image: image.user.lower(), N_("User"), N_("USER"), 10, attrgetter("user"),
          shrink=3, shrink_to=6, drop=1),
    Field("version", N_("version"), lambda image: natural(image.version)),
    Field("path", N_("path"), lambda image: image.path.lower()),
)
FIELD = {field.key: field for field in FIELDS}
SORT_FIELDS = tuple(FIELD)
# The browser's columns, in their order, and those of one region's catalog (`list`'s table).
COLUMNS = tuple(field for field in FIELDS if field.title)
ONE_REGION_COLUMNS = tuple(field for field in COLUMNS if field.key != "region")


def cell_values(image: Image, columns: Sequence[Field] = COLUMNS) -> tuple[str, ...]:
    """An image as the browser's table and `list --format table` show it, column by column
    (`COLUMNS`, or `columns`): printable text."""
    return tuple(printable(field.value(image)) for field in columns)  # type: ignore[misc]


# Column widths come from this many images: enough to be representative, cheap at any size.
_WIDTH_SAMPLE = 500


def column_widths(images: Sequence[Image]) -> list[int]:
    """The natural width of each column (`COLUMNS`) for (a sample of) a catalog, in terminal
    cells, within each column's widest; safe on any thread."""
    from rich.cells import cell_len

    widths = [cell_len(_(column.title)) + 2 for column in COLUMNS]  # room for the sort arrow
    for image in images[:_WIDTH_SAMPLE]:
        for index, value in enumerate(cell_values(image)):
            widths[index] = max(widths[index], cell_len(value))
    # A title always fits (its sort arrow where there is room), however short the values are cut.
    return [max(min(width, column.width), cell_len(_(column.title))) for width, column in zip(widths, COLUMNS)]
