"""What stands where the table's rows would be when there are none, and why there are none."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..i18n import _
from ..safe_text import printable


class EmptyMessage(Static):
    """Hidden while rows are shown; otherwise says why there are none and what to do."""

    def __init__(self) -> None:
        super().__init__(_("Loading the catalog…"), id="empty-message")
        self.failed = False  # what the last `explain` said: the first load failed

    def explain(self, *, shown: int, loaded: int | None, failed: bool, scope: str, search: str) -> None:
        """`loaded` is None before the first answer; `scope` names the server-side filters."""
        self.failed = failed
        if shown:
            self.display = False
            return
        if failed:
            text = _("Nothing loaded yet: see the error above. Press r to retry.")
        elif loaded is None:
            text = _("Loading the catalog…")
        elif not loaded:
            text = _("The server has no images for {scope}. Press a or t to change the accelerator or image type."
                     ).format(scope=scope)
        else:
            text = _("No image matches “{search}” among the {loaded} loaded for {scope}. Esc clears the search."
                     ).format(search=search.strip(), loaded=loaded, scope=scope)
        self.update(Text(printable(text)))
        self.display = True
