"""What the app's screens share: typed access to what the app offers them, what the app asks of
a full screen, and one way of reporting a failure.

`services(node)` is the app as its screens use it (`Services`: copying, opening a link,
noting a call in flight, adopting a connection), typed, without importing the app (which
imports the screens). `AppScreen` is the base of the full screens: the app calls
`retranslate` and `palette_commands` on it, and `report` masks an error, shows it in the
banner and notifies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol, TypeVar, cast

from textual.dom import DOMNode
from textual.screen import Screen

from ..api.errors import ScnetError
from ..safe_text import printable
from ..widgets.error_banner import RETRY, ErrorBanner, error_message, error_title

if TYPE_CHECKING:
    from ..clipboard import Copyable
    from ..connection import Connection

ScreenResult = TypeVar("ScreenResult")
# A command of the palette: its title, its help, and what it does.
PaletteCommand = tuple[str, str, Callable[[], object]]


class Services(Protocol):
    """What the app offers its screens (`app.ScnetImagesApp` provides it)."""

    in_flight: dict[object, str]
    # The connection the app opened (or was given); None only before it mounts.
    connection: Connection | None

    def copy_text(self, label: str, value: str | Copyable, *, note: str = "") -> None: ...

    def open_link(self, label: str, url: str) -> None: ...

    def begin_action(self, what: str) -> object: ...

    def end_action(self, key: object) -> None: ...

    def adopt_connection(self, connection: Connection) -> None: ...


def services(node: DOMNode) -> Services:
    """The app of `node`, as a screen or widget of this app uses it."""
    return cast(Services, node.app)


class AppScreen(Screen[ScreenResult]):
    """A full screen of the app: it can say everything again in another language, adds its own
    commands to the palette, and reports failures one way."""

    # The actions whose keys the footer leaves out on a narrow terminal, first to last, until
    # the rest fit (`?` lists them all; help and quit always stay).
    FOOTER_GIVES_WAY: tuple[str, ...] = ()

    @property
    def services(self) -> Services:
        return services(self)

    def retranslate(self) -> None:
        """Say everything again in the language now chosen (what is shown stays)."""

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands of the palette besides the screen's keys."""
        return []

    def report(self, error: BaseException, token: str, context: Callable[[], str] | str = "",
               again: str = RETRY, kept: bool = True) -> None:
        """A failure, in the banner (with `context` before it and `again` the key that tries
        again) and, when results are `kept` on screen, as a notification too; with nothing
        on screen the banner and the empty table say it all, and a notification would cover
        the table's message on a small terminal. `token` is masked in whatever the error quotes."""
        if isinstance(error, ScnetError):  # what it quotes of the server may quote the token
            error.redacted((token,))
        self.query_one(ErrorBanner).show_error(error, context, again, kept)
        if kept:  # the first line (a message of several lines is the banner's to show whole)
            first = error_message(error).split("\n", 1)[0].rstrip(":：")
            self.notify(printable(first), title=error_title(error), severity="error", timeout=8, markup=False)
        else:
            self.app.said.append((error_title(error), printable(error_message(error))))
