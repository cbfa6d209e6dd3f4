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

TABLE_KEYS = (
    ("↑ ↓ PgUp PgDn Home End", "move in the table"),
    ("click a column title", "sort by it (again to reverse)"),
    ("Tab / Shift+Tab", "move between filters, table and details"),
    ("Ctrl+P", "command palette: every action by name"),
)


def _key_label(binding: Binding) -> str:
    return binding.key_display or binding.key.replace("question_mark", "?").replace("slash", "/")


class HelpScreen(ModalScreen[None]):
    """A modal list of keys. Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help-close"),
    ]

    def __init__(self, bindings: Iterable[Binding]) -> None:
        super().__init__()
        self._keys = [b for b in bindings if b.description]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for binding in self._keys:
            table.add_row(_key_label(binding), binding.tooltip or binding.description)
        for keys, what in TABLE_KEYS:
            table.add_row(keys, what)
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "Esc closes"
            yield Static(Text("scnet-images · SCNet image browser", style="bold"))
            yield Static(table)
