"""The top line: the app's name, where the data comes from, and the token's time left."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ..api.token import TokenClaims, describe_time_left
from ..safe_text import printable

# Under this many seconds left, the token's time is shown as a warning.
EXPIRY_WARNING_SECONDS = 2 * 3600


class ConnectionHeader(Horizontal):
    """`scnet-images | DEMO ... | user · 5h 3m left`. Refreshes the time left every minute."""

    def __init__(
        self,
        label: str,
        *,
        demo: bool,
        claims: TokenClaims | None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(id="connection-header")
        self._label = label
        self._demo = demo
        self._claims = claims
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def compose(self) -> ComposeResult:
        yield Static("scnet-images", id="app-title")
        where = Static(id="where")
        if self._demo:
            where.update(
                Text.assemble(
                    ("DEMO", "bold reverse"),
                    "  embedded demo API · connect your account: set SCNET_BASE_URL and SCNET_TOKEN",
                )
            )
        else:
            where.update(Text(printable(self._label)))
        yield where
        yield Static(id="token-info")

    def on_mount(self) -> None:
        self.refresh_token_info()
        if self._claims is not None and self._claims.expires_at is not None:
            self.set_interval(60, self.refresh_token_info)

    def refresh_token_info(self) -> None:
        info = self.query_one("#token-info", Static)
        claims = self._claims
        if claims is None:
            info.update("")
            return
        parts: list[str] = [printable(claims.user)] if claims.user else []
        left = claims.seconds_left(self._clock())
        if left is not None:
            parts.append(f"token {describe_time_left(left)}")
        info.update(Text(" · ".join(parts)))
        info.set_class(left is not None and 0 <= left < EXPIRY_WARNING_SECONDS, "-warning")
        info.set_class(left is not None and left < 0, "-expired")
