"""The App: opens the connection, shows the browser, owns the clipboard delivery."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .clipboard import Copyable, copy_with_pyperclip, osc52_possible, osc52_sequence, refusal
from .config import Settings
from .connection import Connection, open_connection
from .links import masked, url_problem
from .safe_text import printable
from .screens.browser import BrowserScreen
from .screens.text_dialog import TextDialog


class ScnetImagesApp(App[None]):
    """Pass `settings` (the app starts the demo API when they say demo) or a ready `connection`."""

    CSS_PATH = "app.tcss"
    TITLE = "scnet-images"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit", tooltip="Leave scnet-images")]

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        connection: Connection | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        if settings is None and connection is None:
            raise ValueError("ScnetImagesApp needs settings or a connection")
        self._settings = settings
        self._owns_connection = connection is None
        self.connection = connection
        self._clock = clock

    def on_mount(self) -> None:
        if self.connection is None:
            assert self._settings is not None
            self.connection = open_connection(self._settings)
        self.push_screen(BrowserScreen(self.connection, clock=self._clock))
        for warning in self.connection.settings.warnings:  # e.g. a config file others can read
            self.notify(warning, title="Configuration", severity="warning", timeout=15, markup=False)

    def adopt_connection(self, connection: Connection) -> None:
        """The browser moved to `connection` (a region switch): close that one on exit."""
        self.connection = connection
        self._owns_connection = True

    def on_unmount(self) -> None:
        if self._owns_connection and self.connection is not None:
            self.connection.close()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every described binding of the screen is also a command in the palette."""
        yield from super().get_system_commands(screen)
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description and binding.action != "focus_table":
                yield SystemCommand(binding.description, binding.tooltip, partial(screen.run_action, binding.action))

    def copy_text(self, label: str, value: str | Copyable) -> None:
        """Put `value` (the `label` of something) on the clipboard by the best way there is, and
        say how; refuse what must not be pasted; show it to select where nothing can copy."""
        copyable = value if isinstance(value, Copyable) else Copyable(value, refusal(value) or "")
        text, reason = copyable.text, copyable.problem or refusal(copyable.text)
        if reason:
            self.notify(printable(f"The {label} was not copied: {reason}."), severity="warning", markup=False)
            return
        how = self.put_on_clipboard(text)
        if how is None:
            self.push_screen(
                TextDialog(
                    f"Copy the {label}",
                    text,
                    "No clipboard is reachable here (no system clipboard tool, and this terminal "
                    "does not take OSC 52). Select the text below with the mouse.",
                )
            )
            return
        shown = text if len(text) <= 200 else text[:199] + "…"
        # A copied access URL carries a credential: the notice shows it masked.
        self.notify(f"{printable(masked(shown))}\nvia the {how}", title=f"Copied the {label}", markup=False)

    def open_link(self, label: str, url: str) -> None:
        """Open `url` in the system's browser (the visitor's, when served to a web page); where
        there is none, copy it instead. A value that is not an http(s) URL is refused."""
        problem = url_problem(url)
        if problem:
            self.notify(printable(f"The {label} was not opened: {problem}."), severity="warning", markup=False)
            return
        if not (self.is_web or _has_browser()):
            self.copy_text(label, Copyable(url))
            return
        self.open_url(url)
        self.notify(printable(masked(url)), title=f"Opened the {label}", markup=False)

    def put_on_clipboard(self, text: str) -> str | None:
        """Copy `text`; return how it was delivered, or None when no way can work here."""
        if copy_with_pyperclip(text):
            how = "system clipboard"
        elif osc52_possible() and osc52_sequence(text) is not None:
            how = "terminal clipboard (OSC 52)"
        else:
            return None
        self.copy_to_clipboard(text)
        return how

    def copy_to_clipboard(self, text: str) -> None:
        """Textual's OSC 52 copy, wrapped for tmux's passthrough when running inside tmux."""
        sequence = osc52_sequence(text)
        if sequence is None or "\x1bPtmux;" not in sequence or self._driver is None:
            super().copy_to_clipboard(text)
            return
        self._clipboard = text
        self._driver.write(sequence)


def _has_browser() -> bool:
    """Whether Python's webbrowser module finds a browser to open (none on a headless server)."""
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True
