"""Shows text to select by hand, where no clipboard mechanism can work."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ..i18n import N_, _
from ..safe_text import printable


class TextDialog(ModalScreen[None]):
    """A read-only text area holding `text`, with a note on why it is shown."""

    BINDINGS = [Binding("escape", "dismiss", N_("Close"), id="text-dialog-close")]

    def __init__(self, title: str, text: str, note: str) -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="text-dialog") as box:
            box.border_title = self._title
            box.border_subtitle = _("Esc closes")
            yield Static(Text(self._note), id="text-dialog-note")
            yield TextArea(printable(self._text), read_only=True, soft_wrap=True, id="text-dialog-text")
