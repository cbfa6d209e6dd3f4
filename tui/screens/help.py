"""`?`: every key of the browser, read from the bindings themselves so it cannot drift."""

from __future__ import annotations

from typing import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import N_, _

TABLE_KEYS = (
    ("↑ ↓  j k", N_("Move"), N_("up and down the table")),
    ("PgUp PgDn Home End", N_("Jump"), N_("a page, or to the first or last image")),
    ("Enter", N_("Copy path"), N_("the highlighted image's path")),
    (N_("click a title"), N_("Sort"), N_("by that column (again to reverse)")),
    ("Tab  Shift+Tab", N_("Focus"), N_("filters, table, details")),
    ("Ctrl+P", N_("Palette"), N_("every action by name")),
)
_KEY_NAMES = {"escape": "Esc", "down": "↓", "up": "↑", "question_mark": "?", "slash": "/", "enter": "Enter"}


def _key_label(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return " ".join(_KEY_NAMES.get(key, key) for key in binding.key.split(","))


class HelpScreen(ModalScreen[None]):
    """A modal list of keys. Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", N_("Close"), id="help-close"),
    ]

    def __init__(self, bindings: Iterable[Binding], *, table_keys: bool = True) -> None:
        super().__init__()
        self._keys = [b for b in bindings if b.description]
        self._table_keys = TABLE_KEYS if table_keys else ()

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(style="dim", overflow="fold")  # Chinese has no spaces to wrap at: break anywhere
        for binding in self._keys:
            table.add_row(_key_label(binding), _(binding.description), _(binding.tooltip) if binding.tooltip else "")
        for keys, name, what in self._table_keys:
            table.add_row(_(keys), _(name), _(what))
        with VerticalScroll(id="help-box") as box:
            box.border_title = _("Keys")
            box.border_subtitle = _("Esc closes")
            yield Static(Text(_("scnet-images · SCNet image browser"), style="bold"))
            yield Static(table)
