"""The details pane: every field of the highlighted image, the path first, then the raw JSON."""

from __future__ import annotations

import json

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..api.models import Image
from ..safe_text import printable

# (label, attribute) in the order people look for them.
FIELDS: tuple[tuple[str, str], ...] = (
    ("Version", "version"),
    ("Name", "name"),
    ("Tag", "tag"),
    ("Accelerator", "accelerator_type"),
    ("Type", "type"),
    ("Access", "access"),
    ("Preset", "is_preset_image"),
    ("Created", "create_time"),
    ("User", "user"),
    ("ID", "id"),
    ("Image ID", "image_id"),
    ("App icon", "app_icon"),
)


def _value(image: Image, attr: str) -> str:
    value = getattr(image, attr)
    if attr == "is_preset_image":
        return {True: "yes", False: "no", None: "—"}[value]
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
        fields.add_row(label, _literal(_value(image, attr)))
    parts: list[object] = [fields]
    if image.extra:
        extra = Table.grid(padding=(0, 1))
        extra.add_column(style="bold", no_wrap=True)
        extra.add_column(overflow="fold")
        for key, value in image.extra.items():
            extra.add_row(_literal(str(key)), _literal(value))
        parts += [Text(""), Text("Other fields from the server", style="bold underline"), extra]
    raw = json.dumps(image.raw, ensure_ascii=False, indent=2, default=str)
    parts += [Text(""), Text("Raw JSON", style="bold underline"), Text(printable_json(raw), style="dim")]
    return Group(*parts)


def printable_json(raw: str) -> str:
    """Escape controls inside JSON text, keeping its own line breaks."""
    return "\n".join(printable(line) for line in raw.split("\n"))


class DetailPane(VerticalScroll):
    """Shows the image under the table's cursor."""

    def __init__(self) -> None:
        super().__init__(id="detail-pane")
        self.border_title = "Details"
        self.can_focus = True
        self._shown: Image | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-path")
        yield Static("No image selected.", id="detail-body")

    def show(self, image: Image | None) -> None:
        if image is self._shown and image is not None:
            return  # the table re-announces its cursor after every keystroke; nothing to redo
        self._shown = image
        path = self.query_one("#detail-path", Static)
        body = self.query_one("#detail-body", Static)
        if image is None:
            path.update("")
            body.update("No image selected.")
        else:
            path.update(Text(printable(image.path) or "— the server sent no path", overflow="fold"))
            body.update(render_image(image))
        self.scroll_home(animate=False)
