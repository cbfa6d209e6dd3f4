"""The image table: one row per image, sortable by any column, cells as literal text."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from ..api.models import Image
from ..safe_text import printable

# (column key = sort field, title, max width). Long values are cut here; the details pane has them whole.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("name", "Name", 22),
    ("tag", "Tag", 36),
    ("accelerator", "Accel", 7),
    ("type", "Type", 10),
    ("access", "Access", 7),
    ("preset", "Preset", 6),
    ("created", "Created", 10),
    ("user", "User", 10),
)
_PRESET = {True: "yes", False: "no", None: "-"}


def _cut(value: str, width: int) -> Text:
    """Literal, printable text no wider than `width` cells."""
    text = Text(printable(value), no_wrap=True, overflow="ellipsis")
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    return text


def image_cells(image: Image) -> tuple[Text, ...]:
    values = (
        image.name,
        image.tag,
        image.accelerator_type,
        image.type,
        image.access,
        _PRESET[image.is_preset_image],
        image.create_time[:10],
        image.user,
    )
    return tuple(_cut(value, width) for value, (_, _, width) in zip(values, COLUMNS))


class ImageTable(DataTable):
    """A DataTable of images. Posts `ImageTable.ImageHighlighted` as the cursor moves."""

    class ImageHighlighted(Message):
        def __init__(self, image: Image | None) -> None:
            super().__init__()
            self.image = image

    class ImageChosen(Message):
        """Enter (or a click) on a row."""

        def __init__(self, image: Image) -> None:
            super().__init__()
            self.image = image

    def __init__(self) -> None:
        super().__init__(id="image-table", cursor_type="row", zebra_stripes=True)
        self._images: list[Image] = []

    def on_mount(self) -> None:
        for key, title, _ in COLUMNS:
            # Room for the sort arrow, so sorting never changes a column's width.
            self.add_column(Text(title + "  "), key=key)

    @property
    def highlighted_image(self) -> Image | None:
        if not self._images or not 0 <= self.cursor_row < len(self._images):
            return None
        return self._images[self.cursor_row]

    def show(self, images: Sequence[Image], sort_field: str, descending: bool) -> None:
        """Replace the rows, keeping the cursor on the same image when it is still there."""
        current = self.highlighted_image
        self._images = list(images)
        self.clear()
        self._label_columns(sort_field, descending)
        self.add_rows(image_cells(image) for image in self._images)
        row = next((i for i, image in enumerate(self._images) if image is current), None)
        if row is not None:
            self.move_cursor(row=row, animate=False, scroll=True)
        elif self._images:
            self.move_cursor(row=0, animate=False)
        self.post_message(self.ImageHighlighted(self.highlighted_image))

    def _label_columns(self, sort_field: str, descending: bool) -> None:
        for key, title, _ in COLUMNS:
            column = self.columns[key]  # type: ignore[index]
            arrow = (" ▼" if descending else " ▲") if key == sort_field else "  "
            column.label = Text(title + arrow, style="bold" if key == sort_field else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.ImageHighlighted(self.highlighted_image))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        image = self.highlighted_image
        if image is not None:
            self.post_message(self.ImageChosen(image))
