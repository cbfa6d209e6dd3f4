"""The filter bar: the API's own filters (accelerator, image type) and the local search box."""

from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Select

from ..i18n import N_, _
from ..safe_text import printable

ALL = "*"
BASE_ACCELERATORS = ("dcu", "gpu", "cpu")
BASE_IMAGE_TYPES = ("Base", "JupyterLab")
ALL_ACCELERATORS = N_("All accelerators")
ALL_TYPES = N_("All types")


def _options(all_label: str, values: Iterable[str]) -> list[tuple[str | Text, str]]:
    # Values may come from the server: shown as literal text, never markup.
    return [(_(all_label), ALL)] + [(Text(printable(value)), value) for value in values]


class SearchBox(Input):
    """The search box: its footer says how to get back to the table, and how to clear it."""

    BINDINGS = [
        Binding("enter", "submit", N_("Table"), key_display="Enter/↓", id="search-done"),
        Binding("escape", "screen.clear_search", N_("Clear"), key_display="Esc", id="search-clear"),
    ]


class FilterBar(Horizontal):
    """Two selects that ask the server again, and a search box that filters what is loaded."""

    def __init__(self) -> None:
        super().__init__(id="filter-bar")
        self.accelerators: list[str] = list(BASE_ACCELERATORS)
        self.image_types: list[str] = list(BASE_IMAGE_TYPES)

    def compose(self) -> ComposeResult:
        for select_id, all_label, values in (
            ("accelerator", ALL_ACCELERATORS, self.accelerators),
            ("image-type", ALL_TYPES, self.image_types),
        ):
            yield Select(_options(all_label, values), value=ALL, allow_blank=False, id=select_id, compact=True)
        yield SearchBox(placeholder=_("Search name, tag, version, path  ( / )"), id="search", compact=True)

    def learn(self, accelerators: Iterable[str], image_types: Iterable[str]) -> None:
        """Offer values seen in the data as well as the documented ones."""
        self._extend("#accelerator", self.accelerators, accelerators, ALL_ACCELERATORS)
        self._extend("#image-type", self.image_types, image_types, ALL_TYPES)

    def retranslate(self) -> None:
        """Say it all again in the language now chosen (the choices and the search stay)."""
        self._extend("#accelerator", self.accelerators, (), ALL_ACCELERATORS, force=True)
        self._extend("#image-type", self.image_types, (), ALL_TYPES, force=True)
        self.query_one("#search", Input).placeholder = _("Search name, tag, version, path  ( / )")

    def _extend(self, selector: str, known: list[str], seen: Iterable[str], all_label: str,
                force: bool = False) -> None:
        new = sorted({value for value in seen if value and value not in known})
        if not new and not force:
            return
        known.extend(new)
        select = self.query_one(selector, Select)
        current = select.value
        with select.prevent(Select.Changed):
            select.set_options(_options(all_label, known))
            select.value = current
            select.mutate_reactive(Select.value)  # the same value: show its label, which may be new
