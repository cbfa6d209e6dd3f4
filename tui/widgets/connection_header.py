"""The top line: the app's name, where the data comes from (region, profile, host), and the
token's time left, which turns into a warning before the token expires."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ..api.token import EXPIRY_WARNING_SECONDS, describe_expiry, describe_time_left, read_claims
from ..connection import Connection
from ..i18n import _
from ..safe_text import printable


class ConnectionHeader(Horizontal):
    """`scnet-images | 华东一区【昆山】 · profile x · host | user · token 5h 3m left`.

    Refreshes the time left every minute; says once, in a notification, when the token
    is about to expire (and whether it will renew itself).
    """

    def __init__(self, connection: Connection, *, clock: Callable[[], datetime] | None = None,
                 everywhere: int = 0) -> None:
        """`everywhere`: the number of regions shown at once (0: one region, `connection`'s)."""
        super().__init__(id="connection-header")
        self._everywhere = everywhere
        self._follow(connection)
        self._warned = False
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def compose(self) -> ComposeResult:
        yield Static("scnet-images", id="app-title")
        yield Static(id="where")
        yield Static(id="token-info")

    def on_mount(self) -> None:
        self._show_where()
        # No announcement yet: the first load may renew the token; `show` follows every load.
        self.refresh_token_info(announce=False)
        self.set_interval(60, self.refresh_token_info)

    def _follow(self, connection: Connection) -> None:
        self._label, self._demo = connection.label, connection.demo
        self._region = connection.settings.region  # one of the demo's regions has its name too
        # Every region: a token each, so no one time left is the one to show.
        self._claims = None if connection.demo or self._everywhere else read_claims(connection.token)
        self._renewable = bool(connection.settings.ac_url)

    def show(self, connection: Connection) -> None:
        """Point the header at the connection as it is now (a region switch, a renewed token);
        what the connection has to say (a token renewed, a profile not updated) is notified."""
        if (connection.label, connection.demo) != (self._label, self._demo):
            self._warned = False
        self._follow(connection)
        self._show_where()
        self.refresh_token_info()
        for notice in connection.notices:
            self.notify(printable(notice), title=_("Token"), timeout=8, markup=False)
        connection.notices.clear()

    def _show_where(self) -> None:
        where = self.query_one("#where", Static)
        if self._everywhere:
            text = Text(_("All regions ({count})").format(count=self._everywhere), style="bold")
            if self._demo:
                text = Text.assemble((_("DEMO"), "bold reverse"), "  ", text)
            where.update(text)
        elif self._demo:
            where.update(
                Text.assemble(
                    (_("DEMO"), "bold reverse"),
                    *(("  ", (printable(self._region), "bold")) if self._region else ()),
                    "  " + _("demo catalog · your account: scnet-images login"),
                )
            )
        else:
            where.update(Text(printable(self._label)))

    def refresh_token_info(self, announce: bool = True) -> None:
        info = self.query_one("#token-info", Static)
        claims = self._claims
        if claims is None:
            info.update("")
            info.set_class(False, "-warning")
            info.set_class(False, "-expired")
            return
        parts: list[str] = [printable(claims.user)] if claims.user else []
        left = claims.seconds_left(self._clock())
        if left is not None:
            parts.append(_("token {time_left}").format(time_left=describe_time_left(left)))
        info.update(Text(" · ".join(parts)))
        warning = left is not None and left < EXPIRY_WARNING_SECONDS
        info.set_class(warning and left >= 0, "-warning")
        info.set_class(left is not None and left < 0, "-expired")
        if announce and warning and not self._warned and left is not None:
            self._warned = True
            message = (
                _("The token {expiry}; it is renewed automatically when the platform refuses it.")
                if self._renewable
                else _("The token {expiry}; run `scnet-images login` for a new one.")
            )
            self.notify(message.format(expiry=describe_expiry(left)), title=_("Token"), severity="warning",
                        markup=False)

    def retranslate(self, connection: Connection) -> None:
        self._follow(connection)
        self._show_where()
        self.refresh_token_info(announce=False)
