"""A banner above the table for the last failure: what happened and what to do next."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..api.errors import ScnetError
from ..safe_text import printable


class ErrorBanner(Static):
    """Hidden until `show_error`; the results below it stay as they were."""

    def __init__(self) -> None:
        super().__init__(id="error-banner")
        self.display = False

    def show_error(self, error: BaseException, context: str = "", again: str = "r retry") -> None:
        """Show `error`; `context` is a sentence put before it (e.g. a failed region switch),
        `again` the key that tries again."""
        if isinstance(error, ScnetError):
            message = error.message
            hint = error.hint
        else:
            message = f"Unexpected error: {type(error).__name__}: {error}"
            hint = "please report it; the app keeps running"
        # The context on a line of its own, so the cause and the next step are never pushed out of view.
        text = Text(printable(context) + "\n" if context else "", style="bold")
        text.append(printable(message), style="bold")
        if hint:
            text.append("\n→ " + printable(hint))
        text.append(f"   ·   {again} · previous results kept", style="italic")
        self.update(text)
        self.display = True

    def clear(self) -> None:
        self.display = False
        self.update("")


def error_title(error: BaseException) -> str:
    """What a notification about `error` is titled: its kind, capitalised ("API error")."""
    return error.kind[:1].upper() + error.kind[1:] if isinstance(error, ScnetError) else "Unexpected error"


def error_message(error: BaseException) -> str:
    return error.message if isinstance(error, ScnetError) else type(error).__name__
