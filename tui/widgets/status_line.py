"""The line under the table: how many images are shown, the sort, the filters, loading, and
where the cursor is."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.containers import Horizontal
from textual.app import ComposeResult
from textual.widgets import LoadingIndicator, Static

from ..i18n import _, fill, ngettext
from ..safe_text import printable


class StatusLine(Horizontal):
    """`42 of 265 images · sorted by created ▼ · dcu, all types`, plus a loading spinner."""

    def __init__(self) -> None:
        super().__init__(id="status-line")
        self._position_width = -1  # the cells the cursor's position takes now

    def compose(self) -> ComposeResult:
        yield Static(id="counts")
        yield LoadingIndicator(id="loading")
        yield Static(id="activity")
        yield Static(id="position")

    def set_loading(self, what: str | None) -> None:
        self.query_one("#loading").display = what is not None
        self.query_one("#activity", Static).update(Text(what or ""))

    def set_progress(self, scope: str, region: str = "", received: int | None = None,
                     expected: int | None = None) -> None:
        """`Loading dcu, all types from <region>… 12,000 of 100,000 images`, as far as it is known:
        `scope` the filters in words, `region` the one a switch goes to ("" for none)."""
        values = {"scope": scope, "region": region, "received": received, "expected": expected}
        if received is None:
            text = _("Loading {scope} from {region}…") if region else _("Loading {scope}…")
        elif expected:
            text = (_("Loading {scope} from {region}… {received:,} of {expected:,} images") if region
                    else _("Loading {scope}… {received:,} of {expected:,} images"))
        else:
            text = (_("Loading {scope} from {region}… {received:,} images") if region
                    else _("Loading {scope}… {received:,} images"))
        self.set_loading(printable(fill(text, **values)))  # a Chinese region name unspaced in Chinese

    def set_position(self, row: int, rows: int) -> None:
        """`12 of 265`: where the cursor is, as k9s and lazydocker show it."""
        text = _("{row} of {rows}").format(row=row, rows=rows) if rows else ""
        # Laid out again only when its width changes: a reflow of the whole screen on every
        # keystroke otherwise (`12 of 265` -> `13 of 265` takes the same cells).
        width = cell_len(text)
        changed, self._position_width = width != self._position_width, width
        self.query_one("#position", Static).update(text, layout=changed)

    def set_counts(self, shown: int, total: int, sort_field: str, descending: bool, scope: str, note: str = "") -> None:
        """`sort_field` is the column's title, in the language shown."""
        arrow = "▼" if descending else "▲"
        text = Text.assemble(
            (ngettext("{shown} of {total} image", "{shown} of {total} images", total).format(shown=shown, total=total),
             "bold"),
            " · ",
            _("sorted by {field} {arrow}").format(field=sort_field, arrow=arrow),
            f" · {scope}",
        )
        if note:
            text.append(f" · {note}", style="italic")
        self.query_one("#counts", Static).update(text)
