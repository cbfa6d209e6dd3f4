"""The details pane: every field of the highlighted image, the path first, then the raw JSON."""

from __future__ import annotations

import json

from typing import Callable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.timer import Timer
from textual.widgets import Static

from ..api.models import Image
from ..columns import access_word
from ..i18n import N_, _
from ..safe_text import printable

# (label, attribute) in the order people look for them.
FIELDS: tuple[tuple[str, str], ...] = (
    (N_("Version"), "version"),
    (N_("Name"), "name"),
    (N_("Tag"), "tag"),
    (N_("Accelerator"), "accelerator_type"),
    (N_("Type"), "type"),
    (N_("Access"), "access"),
    (N_("Preset"), "is_preset_image"),
    (N_("Created"), "create_time"),
    (N_("User"), "user"),
    (N_("ID"), "id"),
    (N_("Image ID"), "image_id"),
    (N_("App icon"), "app_icon"),
)


def _value(image: Image, attr: str) -> str:
    value = getattr(image, attr)
    if attr == "is_preset_image":
        return {True: _("yes"), False: _("no"), None: "—"}[value]
    if attr == "access":
        return access_word(value) if value else "—"
    return str(value) if value else "—"


def _literal(value: object) -> Text:
    """Server data as literal, printable text (never markup, never control codes)."""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return Text(printable(value), overflow="fold")


def render_image(image: Image) -> Group:
    """Every field but the path (shown above it, larger), the unknown fields, the raw JSON."""
    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    for label, attr in FIELDS:
        fields.add_row(_(label), _literal(_value(image, attr)))
    parts: list[object] = [fields]
    if image.extra:
        extra = Table.grid(padding=(0, 1))
        extra.add_column(style="bold", no_wrap=True)
        extra.add_column(overflow="fold")
        for key, value in image.extra.items():
            extra.add_row(_literal(str(key)), _literal(human_size(value) if key == "imageSize" else value))
        parts += [Text(""), Text(_("Other fields from the server"), style="bold underline"), extra]
    raw = json.dumps(dict(image.raw), ensure_ascii=False, indent=2, default=str)
    parts += [Text(""), Text(_("Raw JSON"), style="bold underline"), Text(printable_json(raw), style="dim")]
    return Group(*parts)


def human_size(value: object) -> object:
    """`17605821176` (bytes, as the paginated call sends them) -> `16.4 GiB`; anything else as it is."""
    try:
        size = float(str(value).strip())
    except ValueError:
        return value
    if size < 0 or size != size or size > 1 << 70:
        return value
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return value  # pragma: no cover


def wrap_path(path: str, width: int) -> str:
    """`path` in lines of at most `width` cells, broken after a `/`, `:` or `-` where it can be
    (never inside a word); a part longer than a line is cut where it must be."""
    import re

    if width < 8 or len(path) <= width:
        return path
    lines, line = [], ""
    for part in re.findall(r"[^/:-]*[/:-]?", path):
        if line and len(line) + len(part) > width:
            lines.append(line)
            line = ""
        while len(part) > width:
            lines.append(part[:width])
            part = part[width:]
        line += part
    return "\n".join(lines + ([line] if line else []))


def printable_json(raw: str) -> str:
    """Escape controls inside JSON text, keeping its own line breaks."""
    return "\n".join(printable(line) for line in raw.split("\n"))


# The pane follows the cursor once it has rested this long (seconds): shorter than a person
# notices, longer than the gap between two keys held down or pressed in a run.
SETTLE_SECONDS = 0.06
# Below these sizes the pane moves under the table, or hides itself.
NARROW_WIDTH = 180
SHORT_HEIGHT = 30
# Beside the table, it is at least this wide.
MIN_SIDE_WIDTH = 56


class DetailPane(VerticalScroll):
    """Shows the image under the table's cursor, where the layout has room for it."""

    def __init__(self) -> None:
        super().__init__(id="detail-pane")
        self.border_title = _("Details")
        self.can_focus = True
        self._shown: Image | None = None
        self.wanted: bool | None = None  # None: follow the terminal's size; `d` decides otherwise
        self._chosen_in: tuple[bool, bool] | None = None  # the layout `d` was pressed in
        self._layout = (False, False)
        self._asked: Image | None = None  # what `show` was last asked for
        self._settle: Timer | None = None  # running from `show` until the pane shows it
        # With every region shown: what to say above the fields (the regions that have it).
        self.facts: Callable[[Image], RenderableType] | None = None

    def fit(self, size: Size, table_width: int) -> None:
        """Show or hide the pane for a screen of `size`: hidden on small terminals unless `d`
        said otherwise in that layout; beside the table on wide ones, taking what the table's
        columns (`table_width`) leave."""
        small = size.width < NARROW_WIDTH and size.height < SHORT_HEIGHT
        self._layout = layout = (small, size.width >= NARROW_WIDTH)
        if self._chosen_in is not None and layout != self._chosen_in:
            self.wanted = self._chosen_in = None  # another layout: its own default
        self.display = not small if self.wanted is None else self.wanted
        self.styles.width = max(MIN_SIDE_WIDTH, size.width - table_width) if layout[1] else None

    def toggle(self) -> None:
        """`d`: show or hide, for the layout the screen is in now."""
        self.wanted = not self.display
        self._chosen_in = self._layout
        self.display = self.wanted

    def compose(self) -> ComposeResult:
        yield Static(id="detail-path")
        yield Static(_("No image selected."), id="detail-body")

    def retranslate(self) -> None:
        self.border_title = _("Details")
        self.on_resize()  # shows the image again, in the language now chosen

    def on_resize(self) -> None:
        shown, self._shown = self._shown, None
        # The path's lines follow the pane's width; with no image, "No image selected." is said
        # again (in the language now chosen, when `retranslate` asks).
        self.show_now(shown)

    def show(self, image: Image | None) -> None:
        """Show `image` once the cursor has rested on it for a moment (`SETTLE_SECONDS`): the
        table's cursor moves in the frame its key asked for, and keys pressed quickly or held
        down skip the images passed over instead of laying out every one's fields (the
        costliest part of a keystroke)."""
        self._asked = image
        if self._settle is not None:
            self._settle.reset()
        else:
            self._settle = self.set_timer(SETTLE_SECONDS, self._show_asked, name="details settle")

    @property
    def catching_up(self) -> bool:
        """True between `show` and the moment the pane shows what it was asked."""
        return self._settle is not None

    def refresh_facts(self) -> None:
        """Say the facts of the image shown again (the free cards were read anew)."""
        shown, self._shown = self._shown, None
        self.show_now(shown)

    def _show_asked(self) -> None:
        self._settle = None
        self.show_now(self._asked)

    def show_now(self, image: Image | None) -> None:
        if image is self._shown and image is not None:
            return  # the table re-announces its cursor after every keystroke; nothing to redo
        self._shown = image
        path = self.query_one("#detail-path", Static)
        body = self.query_one("#detail-body", Static)
        if image is None:
            path.update("")
            body.update(_("No image selected."))
        else:
            width = self.scrollable_content_region.width
            shown = wrap_path(printable(image.path), width) if image.path else _("— the server sent no path")
            path.update(Text(shown, overflow="fold"))
            body.update(Group(self.facts(image), render_image(image)) if self.facts else render_image(image))
        self.scroll_home(animate=False)
