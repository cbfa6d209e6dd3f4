"""A question that must be answered before something is done: launch, stop, delete."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..i18n import N_, _
from ..safe_text import printable


# The box takes at most this share of the screen's height (as its max-height says), and the
# detail between MIN_DETAIL and MAX_DETAIL lines of it.
BOX_SHARE = 0.9
MIN_DETAIL, MAX_DETAIL = 3, 20


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True only on the confirm button (or `y`); Esc, `n` and Back say no.

    `detail` (literal text, e.g. the request about to be sent) is shown under the question.
    Enter presses the focused button, and the focused one looks it: Back, unless
    `focus_confirm` (a launch the user asked to review: Enter sends it).
    """

    BINDINGS = [
        Binding("escape,n", "answer(False)", N_("Back"), id="confirm-back"),
        Binding("y", "answer(True)", N_("Yes"), id="confirm-yes", show=False),
    ]

    def __init__(self, title: str, question: str, detail: str = "", *, confirm: str = "", danger: bool = False,
                 focus_confirm: bool = False) -> None:
        """`title`, `question` and `confirm` (the button; "Yes" when not given) in words already translated."""
        super().__init__()
        self._focus_confirm = focus_confirm
        self._answered = False
        self._title = title
        self._question = question
        self._detail = detail
        self._confirm = confirm or _("Yes")
        self._danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = self._title
            box.border_subtitle = _("y confirms · Esc goes back")
            yield Static(Text(printable(self._question), style="bold"), id="confirm-question")
            if self._detail:
                with VerticalScroll(id="confirm-detail"):
                    lines = "\n".join(printable(line) for line in self._detail.split("\n"))
                    yield Static(Text(lines, no_wrap=True, overflow="fold"))
            with Horizontal(id="confirm-buttons"):
                yield Button(self._confirm, id="confirm-yes", variant="error" if self._danger else "primary")
                yield Button(_("Back"), id="confirm-no")

    def on_mount(self) -> None:
        # Enter gives the focused answer: the safe one, unless the caller says otherwise.
        self.query_one("#confirm-yes" if self._focus_confirm else "#confirm-no", Button).focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_detail)

    def _fit_detail(self) -> None:
        """The detail (the request) scrolls in what the question and the buttons leave of the
        box, so the buttons stay on screen on a short terminal (80x24)."""
        details = self.query("#confirm-detail")
        if not details:
            return
        box = self.query_one("#confirm-box")
        question, buttons = self.query_one("#confirm-question"), self.query_one("#confirm-buttons")
        others = (box.styles.gutter.height + question.outer_size.height + question.styles.margin.height
                  + buttons.outer_size.height + buttons.styles.margin.height)
        room = int(self.size.height * BOX_SHARE) - others
        details.first().styles.max_height = max(MIN_DETAIL, min(MAX_DETAIL, room))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        """Answer once: a second press (queued before the dialog went) would pop what is under it."""
        if not self._answered:
            self._answered = True
            self.dismiss(yes)
