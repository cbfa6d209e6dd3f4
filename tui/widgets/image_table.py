"""The image table: renders only the rows on screen, so 100,000 images cost what 50 do.

Textual's DataTable measures every cell of every row it is given (about 11 s for
100,000 rows on a 2-core machine). This table is a Line API widget (a
`ScrollView` with `render_line`, as toolong does for huge logs): `show()` only
swaps a list, and each frame builds the strips of the visible rows from cached cells.
Cells are literal, printable text; wide characters are measured in cells.
"""

from __future__ import annotations

from typing import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..api.models import Image
from ..columns import COLUMNS, cell_values, column_widths
from ..i18n import N_, _

_PADDING = 1
# On a narrow terminal columns give way (`Field.shrink`, `shrink_to`), then whole columns are
# left out (`Field.drop`), the least needed first (the details pane has them all), so the
# table never scrolls sideways.
_SHRINK = tuple((column.key, column.shrink_to) for column in sorted(COLUMNS, key=lambda c: c.shrink) if column.shrink)
_DROP = tuple(column.key for column in sorted(COLUMNS, key=lambda c: c.drop) if column.drop)
_KEYS = tuple(column.key for column in COLUMNS)
_REGION = _KEYS.index("region")  # shown only when the rows come from several regions
# Rows kept as laid out (a screen's worth several times over).
_CELL_CACHE_SIZE = 512


def _fit(text: str, width: int) -> str:
    """`text` cut (with an ellipsis) or padded to exactly `width` cells."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def _position(images: Sequence[Image], image: Image) -> int | None:
    """Where this very image (identity, not equality) is in `images`, or None."""
    finder = getattr(images, "position", None)  # an ImageView knows faster
    if finder is not None:
        return finder(image)
    return next((row for row, candidate in enumerate(images) if candidate is image), None)


def _fit_tag(text: str, width: int) -> str:
    """A tag cut in the middle: its first part (the framework version) and its end
    (the DTK/CUDA and Python versions) are what tell two tags apart."""
    if cell_len(text) <= width or not text.isascii() or width < 12:
        return _fit(text, width)
    head = text.split("-", 1)[0][: width // 3]
    return f"{head}…{text[-(width - len(head) - 1):]}"


_FITTERS = tuple(_fit_tag if column.key == "tag" else _fit for column in COLUMNS)


class ImageTable(ScrollView, can_focus=True):
    """A scrolling table of images with a row cursor and a sortable header."""

    COMPONENT_CLASSES = {
        "image-table--header",
        "image-table--header-sorted",
        "image-table--cursor",
        "image-table--even-row",
    }

    DEFAULT_CSS = """
    ImageTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .image-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .image-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .image-table--header-sorted {
            text-style: bold;
            background: $panel;
            color: $accent;
        }
        & > .image-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .image-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .image-table--even-row {
            background: $surface-darken-1 40%;
        }
    }
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", N_("Up"), show=False),
        Binding("down,j", "cursor_down", N_("Down"), show=False),
        Binding("pageup", "page_up", N_("Page up"), show=False),
        Binding("pagedown", "page_down", N_("Page down"), show=False),
        Binding("home", "first", N_("First"), show=False),
        Binding("end", "last", N_("Last"), show=False),
        Binding("enter", "choose", N_("Copy path"), show=False),
    ]

    class ImageHighlighted(Message):
        """The cursor is on another image (None: the table is empty)."""

        def __init__(self, image: Image | None) -> None:
            super().__init__()
            self.image = image

        def can_replace(self, message: Message) -> bool:
            # Holding a key queues many of these: only the newest matters to the details pane.
            return isinstance(message, ImageTable.ImageHighlighted)

    class ImageChosen(Message):
        """Enter, or a double click, on a row."""

        def __init__(self, image: Image) -> None:
            super().__init__()
            self.image = image

    class SortRequested(Message):
        """A click on a column title."""

        def __init__(self, field: str) -> None:
            super().__init__()
            self.field = field

    def __init__(self) -> None:
        super().__init__(id="image-table")
        self._images: Sequence[Image] = []
        self.cursor_row = 0
        self._sort_field = ""
        self._descending = False
        self._measured = [cell_len(_(column.title)) + 2 for column in COLUMNS]
        self._regional = False  # the rows come from several regions: the Region column shows
        self._measured[_REGION] = 0
        self._widths = list(self._measured)
        self._cells: LRUCache[int, list[str]] = LRUCache(_CELL_CACHE_SIZE)

    # --- data -------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._images)

    @property
    def highlighted_image(self) -> Image | None:
        if 0 <= self.cursor_row < len(self._images):
            return self._images[self.cursor_row]
        return None

    def measure(self, images: Sequence[Image], widths: list[int] | None = None) -> None:
        """Size the columns to (a sample of) a newly loaded catalog (`widths`: measured
        already, by `column_widths` on the loading thread)."""
        self._measured = list(column_widths(images) if widths is None else widths)
        self._regional = any(image.region for image in images[:100])
        if not self._regional:
            self._measured[_REGION] = 0
        self._fit_columns()

    def retranslate(self) -> None:
        """Column titles in the language now chosen (each column at least as wide as its title)."""
        self._measured = [max(width, cell_len(_(column.title))) if width or column.key != "region" else 0
                          for width, column in zip(self._measured, COLUMNS)]
        self._fit_columns()
        self.refresh()

    @property
    def natural_width(self) -> int:
        """The width the columns want, in cells (a layout gives the rest to the details pane)."""
        shown = [width for width in self._measured if width]
        return sum(shown) + 2 * _PADDING * len(shown) + 2  # +2: the scrollbar and a gap

    def _fit_columns(self) -> None:
        """Column widths for the space there is: the measured ones, less what `_SHRINK` gives up,
        less the columns `_DROP` leaves out (width 0) while they still do not fit."""
        widths = list(self._measured)
        available = self.scrollable_content_region.width or self.size.width
        excess = sum(widths) + 2 * _PADDING * sum(1 for width in widths if width) - available
        keys = _KEYS
        for key, minimum in _SHRINK:
            if excess <= 0:
                break
            index = keys.index(key)
            give = max(0, min(excess, widths[index] - minimum)) if widths[index] else 0
            widths[index] -= give
            excess -= give
        for key in _DROP:
            if excess <= 0 or not available:
                break
            index = keys.index(key)
            if not widths[index]:
                continue
            excess -= widths[index] + 2 * _PADDING
            widths[index] = 0
        # A column left out may free more than was missing: what is left goes back to the
        # columns that gave way (a name or tag cut short while cells stay blank helps no one).
        for key, _minimum in _SHRINK:
            index = keys.index(key)
            if excess >= 0 or not widths[index]:
                continue
            take = min(-excess, self._measured[index] - widths[index])
            widths[index] += take
            excess += take
        self._widths = widths
        self._changed()

    def show(self, images: Sequence[Image], sort_field: str, descending: bool) -> None:
        """Replace the rows, keeping the cursor on the same image when it is still there."""
        current = self.highlighted_image
        self._images = images
        self._sort_field, self._descending = sort_field, descending
        row = _position(images, current) if current is not None else None
        self.cursor_row = min(row or 0, max(0, len(self._images) - 1))
        self._changed()
        self._scroll_to_cursor()
        # Rows that grew back (a search cleared) can scroll only once laid out: scroll again then.
        self.call_after_refresh(self._scroll_to_cursor)
        self.post_message(self.ImageHighlighted(self.highlighted_image))

    def follow(self, image: Image) -> None:
        """Put the cursor on the image that is `image` in a newly loaded catalog (same id and
        path), when it is there: a refreshed catalog keeps the user's place."""
        current = self.highlighted_image
        wanted = (image.id, image.path, image.region)  # the same path may be in several regions
        if current is None or current is image or (current.id, current.path, current.region) == wanted:
            return
        row = next((row for row, candidate in enumerate(self._images)
                    if (candidate.id, candidate.path, candidate.region) == wanted), None)
        if row is not None:
            self.move_cursor(row)

    def get_row_at(self, row: int) -> tuple[Text, ...]:
        """The row's cells as they are shown (cut to their column's width)."""
        values = cell_values(self._images[row])
        cells = zip(_FITTERS, values, self._widths)
        return tuple(Text(fit(value, width).rstrip() if width else "") for fit, value, width in cells)

    def header_label(self, field: str) -> str:
        return self._header_cells()[_KEYS.index(field)].strip()

    def _changed(self) -> None:
        self._cells.clear()
        width = sum(width + 2 * _PADDING for width in self._widths if width)
        self.virtual_size = Size(width, len(self._images) + 1)
        self.refresh()

    # --- rendering ----------------------------------------------------------------

    def _header_cells(self) -> list[str]:
        cells = []
        for column, width in zip(COLUMNS, self._widths):
            arrow = (" ▼" if self._descending else " ▲") if column.key == self._sort_field else ""
            cells.append(_fit(_(column.title) + arrow, width) if width else "")
        return cells

    def _join(self, cells: Sequence[str], style: Style, sorted_style: Style | None = None) -> Strip:
        pad = " " * _PADDING
        segments = []
        for key, cell, width in zip(_KEYS, cells, self._widths):
            if not width:  # a column left out on a narrow terminal
                continue
            cell_style = sorted_style if sorted_style is not None and key == self._sort_field else style
            segments.append(Segment(pad + cell + pad, cell_style))
        return Strip(segments)

    def _row_strip(self, row: int) -> Strip:
        cells = self._cells.get(row)
        if cells is None:
            values = cell_values(self._images[row])
            cells = self._cells[row] = [
                fit(value, width) if width else "" for fit, value, width in zip(_FITTERS, values, self._widths)
            ]
        style = self.rich_style
        if row % 2:
            style += self.get_component_rich_style("image-table--even-row")
        if row == self.cursor_row:
            style += self.get_component_rich_style("image-table--cursor")
        return self._join(cells, style)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            header = self.get_component_rich_style("image-table--header")
            sorted_header = self.get_component_rich_style("image-table--header-sorted")
            strip = self._join(self._header_cells(), header, sorted_header)
            return strip.crop_extend(scroll_x, scroll_x + width, header)
        row = scroll_y + y - 1
        if row >= len(self._images):
            return Strip.blank(width, self.rich_style)
        return self._row_strip(row).crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cells.clear()

    def on_resize(self) -> None:
        self._fit_columns()
        self._scroll_to_cursor()  # a layout change (a pane shown or hidden, a resize) keeps the cursor in view

    # --- cursor --------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (clamped), scroll it into view, say so."""
        row = max(0, min(row, len(self._images) - 1))
        if row == self.cursor_row or not self._images:
            return
        self.cursor_row = row
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.ImageHighlighted(self.highlighted_image))

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._page:
            self.scroll_to(y=self.cursor_row - self._page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._images) - 1)

    def action_choose(self) -> None:
        image = self.highlighted_image
        if image is not None:
            self.post_message(self.ImageChosen(image))

    # --- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = offset.x + round(self.scroll_offset.x)
            for key, width in zip(_KEYS, self._widths):
                if not width:
                    continue
                x -= width + 2 * _PADDING
                if x < 0:
                    self.post_message(self.SortRequested(key))
                    return
            return
        row = round(self.scroll_offset.y) + offset.y - 1
        if row < len(self._images):
            self.move_cursor(row)
            if event.chain == 2:
                self.action_choose()
