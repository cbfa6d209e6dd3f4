"""A banner above the table for the last failure: what happened and what to do next."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.widgets import Static

from ..api.errors import API_ERROR_CODES, ApiError, MalformedResponse, ScnetError
from ..i18n import N_, _
from ..safe_text import printable
from ..served import for_visitors

RETRY = N_("r retry")


class ErrorBanner(Static):
    """Hidden until `show_error`; the results below it stay as they were."""

    def __init__(self) -> None:
        super().__init__(id="error-banner")
        self.display = False
        self._shown: tuple[BaseException, Callable[[], str] | str, str, bool] | None = None

    def show_error(self, error: BaseException, context: Callable[[], str] | str = "", again: str = RETRY,
                   kept: bool = True) -> None:
        """Show `error`; `context` is a sentence put before it (e.g. a failed region switch), or
        what makes it in the language of the moment; `again` (marked with `N_`) the key that
        tries again; `kept` whether results are on screen (the banner says they stay). The
        error's own words stay in the language it happened in."""
        self._shown = (error, context, again, kept)
        if isinstance(error, ScnetError):
            message = error.message
            hint = error.hint
        else:
            message = _("Unexpected error: {kind}: {error}").format(kind=type(error).__name__, error=error)
            hint = _("run `scnet-images doctor` and report what it says; the app keeps running")
        context = for_visitors(context() if callable(context) else context)
        message, hint = for_visitors(message), for_visitors(hint)
        # The context on a line of its own, so the cause and the next step are never pushed out of view.
        text = Text(printable(context) + "\n" if context else "", style="bold")
        # A message of several lines (every region that failed) keeps its lines; each is made printable.
        text.append("\n".join(printable(line) for line in message.split("\n")), style="bold")
        if hint:
            text.append("\n→ " + printable(hint))
        if unnamed(error) and isinstance(error, ScnetError):
            text.append("\n→ " + _("`scnet-images doctor` checks the configuration and every region, and says what "
                                   "it found (paste it into a report)"))
        tail = _("{again} · previous results kept").format(again=_(again)) if kept else _(again)
        # After a message of several lines, on a line of its own: wrapped, it began with a lone "·".
        text.append(("\n" if "\n" in message else "   ·   ") + tail, style="italic")
        self.update(text)
        self.display = True

    @property
    def again(self) -> str:
        """The key that tries again (its msgid: RETRY, or the one given), "" when hidden."""
        return self._shown[2] if self._shown is not None and self.display else ""

    def retranslate(self) -> None:
        if self._shown is not None and self.display:
            self.show_error(*self._shown)

    def clear(self) -> None:
        self.display = False
        self._shown = None
        self.update("")


def unnamed(error: BaseException) -> bool:
    """Whether the app cannot name the cause of `error`: a fault of its own, an answer it cannot
    read, or an error code no page lists. `scnet-images doctor` says more then."""
    if not isinstance(error, ScnetError):
        return True
    if isinstance(error, MalformedResponse):
        return True
    return isinstance(error, ApiError) and bool(error.code) and error.code not in API_ERROR_CODES


def error_title(error: BaseException) -> str:
    """What a notification about `error` is titled: its kind, capitalised ("API error")."""
    if not isinstance(error, ScnetError):
        return _("Unexpected error")
    kind = _(error.kind)
    return kind[:1].upper() + kind[1:]


def error_message(error: BaseException) -> str:
    return error.message if isinstance(error, ScnetError) else type(error).__name__
