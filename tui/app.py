"""The App: opens the connection, shows the browser, owns the clipboard delivery."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from functools import partial
from typing import Any, Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from . import i18n
from .clipboard import HOW, Copyable, copy_with_pyperclip, copy_with_tmux, osc52_possible, osc52_sequence, refusal
from .api.errors import ScnetError
from .config import Settings
from .connection import Connection, open_connection
from .i18n import N_, _
from .links import masked, url_problem
from .safe_text import fit_cells, printable
from .screens.base import AppScreen
from .screens.browser import BrowserScreen
from .screens.confirm import ConfirmDialog
from .screens.text_dialog import TextDialog
from .served import for_visitors, served


# The browser writes the clipboard only for a secure page (https, or localhost) and may ask first.
WEB_COPY = N_("to your browser's clipboard, if it lets this page write there (https or localhost only)")
# Textual's own words that a person reads here: its system commands in the palette, the
# palette's key in the footer. Translated where they are shown (`get_system_commands`).
TEXTUAL_WORDS = (
    N_("Theme"), N_("Change the current theme"), N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Show help for the focused widget and a summary of available keys"),
    N_("Hide the keys and widget help panel"), N_("Minimize"), N_("Minimize the widget and restore to normal size"),
    N_("Maximize"), N_("Maximize the focused widget"), N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"), N_("palette"), N_("Open the command palette"),
    N_("Search for commands…"), N_("Search for themes…"),
)


# How many notifications `ScnetImagesApp.said` keeps.
SAID_KEPT = 200
# The width of a notification (Textual's Toast: `width: 60; max-width: 50%`).
TOAST_WIDTH = 60


class ScnetImagesApp(App["list[str] | None"]):
    """Pass `settings` (the app starts the demo API when they say demo) or a ready `connection`."""

    CSS_PATH = "app.tcss"
    TITLE = "scnet-images"
    BINDINGS = [Binding("q", "quit", N_("Quit"), id="quit", tooltip=N_("Leave scnet-images"))]

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        connection: Connection | None = None,
        clock: Callable[[], datetime] | None = None,
        every_region: bool = False,
    ) -> None:
        """`every_region`: start on every region at once (the browser's "All regions")."""
        super().__init__()
        if settings is None and connection is None:
            raise ValueError("ScnetImagesApp needs settings or a connection")
        self._settings = settings
        self._owns_connection = connection is None
        self.connection = connection
        self._clock = clock
        self._every_region = every_region
        self.in_flight: dict[object, str] = {}  # calls waiting for their answer (`begin_action`)
        self.said: deque[tuple[str, str]] = deque(maxlen=SAID_KEPT)  # the latest notifications: (title, message)

    def on_mount(self) -> None:
        self._restore_theme()
        if self.connection is None:
            assert self._settings is not None
            self.connection = open_connection(self._settings)
        regions = None
        if self._every_region:
            from .regions import every_region

            try:
                regions = every_region(self.connection.settings, demo_server=self.connection.demo_server)
            except ScnetError as error:  # said, and the one region shown instead
                self.notify(printable(str(error)), title=_("All regions"), severity="error", markup=False)
        self.push_screen(BrowserScreen(self.connection, clock=self._clock, regions=regions))
        warnings = self.connection.settings.warnings  # e.g. a config file others can read
        if warnings and served():
            # They name files of the machine serving the page: its owner saw them when `serve`
            # started; a visitor hears only that there is something, never where.
            warnings = (_("The configuration of the machine serving this page needs its owner's attention "
                          "(the terminal that runs `scnet-images serve` says what)."),)
        for warning in warnings:
            self.notify(warning, title=_("Configuration"), severity="warning", timeout=15, markup=False)

    def _restore_theme(self) -> None:
        """The theme chosen last time (the config's `theme`); from now on, a choice is kept there."""
        from .config import config_path, read_config_file

        try:
            chosen = read_config_file(config_path()).get("theme")
        except ScnetError:
            chosen = None  # the browser reports a bad config file itself, once
        if isinstance(chosen, str) and chosen in self.available_themes:
            self.theme = chosen
        if not served():  # a web visitor's choice is not the owner's
            self.theme_changed_signal.subscribe(self, self._keep_theme)

    def _keep_theme(self, theme: object) -> None:
        from .config import config_path
        from .profiles import update_setting

        try:
            update_setting(config_path(), "theme", self.theme)
        except ScnetError as error:
            self.notify(printable(error.message), title=_("Theme not kept"), severity="warning", markup=False)

    def adopt_connection(self, connection: Connection) -> None:
        """The browser moved to `connection` (a region switch): close that one on exit."""
        self.connection = connection
        self._owns_connection = True

    def on_unmount(self) -> None:
        if self._owns_connection and self.connection is not None:
            self.connection.close()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every described binding of the screen is also a command in the palette; and the
        languages the interface can speak."""
        for command in super().get_system_commands(screen):
            if command.callback in (self.action_show_help_panel, self.action_hide_help_panel):
                continue  # Textual's key panel speaks only English; `?` lists every key, translated
            yield command._replace(title=_(command.title), help=_(command.help) if command.help else command.help)
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description and binding.action != "focus_table":
                yield SystemCommand(_(binding.description), _(binding.tooltip) if binding.tooltip else "",
                                    partial(screen.run_action, binding.action))
        if not isinstance(screen, AppScreen):
            return  # a dialog on top: its keys only; the language changes from the screen behind it
        for title, help_text, action in screen.palette_commands():
            yield SystemCommand(title, help_text, action)
        in_a_page = served()
        for code in i18n.available():
            if code != i18n.language():
                name = i18n.language_name(code)
                what = (_("Speak {language} in this page") if in_a_page
                        else _("Speak {language} from now on (kept in the config file)"))
                yield SystemCommand(_("Language: {language}").format(language=name), what.format(language=name),
                                    partial(self.switch_language, code))

    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Textual's notification, also kept in `said` (what the app said lately, newest last).
        On a served page, no file of the serving machine is named."""
        message, title = for_visitors(message), for_visitors(title)
        self.said.append((title, message))
        super().notify(message, title=title, **options)

    # --- calls that start, stop or delete something, in flight ---------------------------

    def begin_action(self, what: str) -> object:
        """Note that `what` (a phrase: "the launch of x") waits for the platform's answer: quitting
        asks first, and says afterwards that it may have happened. The key to `end_action`."""
        key = object()
        self.in_flight[key] = what
        return key

    def end_action(self, key: object) -> None:
        self.in_flight.pop(key, None)

    async def action_quit(self) -> None:
        """Quit; while a launch or an action waits for its answer, only once asked, and the
        shell is told afterwards that it may have happened (`commands/browse.py`)."""
        if not self.in_flight:
            self.exit()
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit(list(self.in_flight.values()))

        waiting = i18n.join(self.in_flight.values())
        self.push_screen(ConfirmDialog(
            _("Quit while waiting?"),
            _("{what} waits for the platform's answer. Quit now and you will not see whether it happened; it may "
              "happen all the same.").format(what=waiting[:1].upper() + waiting[1:]),
            confirm=_("Quit"), danger=True), answered)

    def action_help_quit(self) -> None:
        """Ctrl+C, pressed to quit out of habit: say which key quits (Textual says it in English)."""
        quitting = [active.binding for active in self.active_bindings.values()
                    if active.binding.action in ("quit", "app.quit")]
        quitting.sort(key=lambda binding: binding.id != "quit")  # ours (q) before Textual's (ctrl+q)
        if quitting:
            self.notify(_("Press {key} to quit.").format(key=self.get_key_display(quitting[0])),
                        title=_("Do you want to quit?"), markup=False)

    def action_command_palette(self) -> None:
        """The palette, its prompt in the current language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=_("Search for commands…"), id="--command-palette"))

    def search_themes(self) -> None:
        """The theme picker, its prompt in the current language."""
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def switch_language(self, code: str) -> None:
        """Speak `code` from now on: every screen says its words again in place (what is loaded,
        the cursor and the search stay), and the choice is kept in the config file."""
        i18n.set_language(code)
        for screen in self.screen_stack:
            if isinstance(screen, AppScreen):
                screen.retranslate()
        self.refresh_bindings()
        if not served():  # a web visitor's choice is not the owner's
            from .config import config_path
            from .profiles import update_setting

            try:
                update_setting(config_path(), "language", code)
            except ScnetError as error:
                self.notify(printable(error.message), title=_("Language not kept"), severity="warning", markup=False)
                return
            if i18n.chosen_by() in ("--lang", "SCNET_LANG"):
                self.notify(_("Kept in the config file, but {setting} still chooses the language at the next "
                              "start.").format(setting=i18n.chosen_by()), title=_("Language"), timeout=8,
                            markup=False)

    def copy_text(self, label: str, value: str | Copyable, *, note: str = "") -> None:
        """Put `value` (the `label` of something) on the clipboard by the best way there is, and
        say how (after `note`, a sentence of why it was copied, when given); refuse what must
        not be pasted; show it to select where nothing can copy."""
        copyable = value if isinstance(value, Copyable) else Copyable(value, refusal(value) or "")
        text, reason = copyable.text, copyable.problem or refusal(copyable.text)
        if reason:
            self.notify(printable(_("The {what} was not copied: {reason}.").format(what=label, reason=reason)),
                        severity="warning", markup=False)
            return
        how = self.put_on_clipboard(text)
        if how is None:
            self.push_screen(
                TextDialog(
                    _("Copy the {what}").format(what=label),
                    text,
                    _("No clipboard is reachable here (no system clipboard tool, and this terminal "
                      "does not take OSC 52). Select the text below with the mouse."),
                )
            )
            return
        # One line in the notice, cut in the middle (a path has no word to wrap at: its registry
        # and its tag stay); a copied access URL carries a credential: the notice shows it masked.
        shown = fit_cells(printable(masked(text.splitlines()[0] if text.strip() else text)), self._toast_width(),
                          middle=True)
        said = f"{note}\n" if note else ""
        self.notify(f"{said}{shown}\n{how}", title=_("Copied the {what}").format(what=label), markup=False)

    def _toast_width(self) -> int:
        """The cells a notification's line has: Textual's toast is 60 wide, at most half the
        screen, less its padding (2), its edge and the gutter (2)."""
        return max(10, min(TOAST_WIDTH, self.size.width // 2) - 4)

    def open_link(self, label: str, url: str) -> None:
        """Open `url` in the system's browser (the visitor's, when served to a web page); where
        there is none, copy it instead. A value that is not an http(s) URL is refused."""
        problem = url_problem(url)
        if problem:
            self.notify(printable(_("The {what} was not opened: {reason}.").format(what=label, reason=problem)),
                        severity="warning", markup=False)
            return
        if not (self.is_web or _has_browser()):
            self.copy_text(label, Copyable(url), note=_("No system browser was found here, so it was copied instead."))
            return
        self.open_url(url)
        self.notify(printable(masked(url)), title=_("Opened the {what}").format(what=label), markup=False)

    def put_on_clipboard(self, text: str) -> str | None:
        """Copy `text`; return how it went (in words for a notice), or None when no way can work."""
        if self.is_web:
            # Served to a web page: the clipboard is the visitor's, not this machine's. Textual's
            # own copy reaches it (the page turns it into a browser clipboard write).
            self.copy_to_clipboard(text)
            return _(WEB_COPY)
        if copy_with_pyperclip(text):
            how = _(HOW["system"])
        elif copy_with_tmux(text):
            how = _(HOW["tmux"])
        # Textual's copy_to_clipboard writes OSC 52 in its own form (no tmux passthrough, no size
        # check); there is no public way to write a sequence to the terminal, so the driver it is.
        elif osc52_possible() and (sequence := osc52_sequence(text)) is not None and self._driver is not None:
            self._driver.write(sequence)
            how = _(HOW["osc52-tmux" if "\x1bPtmux;" in sequence else "osc52"])
        else:
            return None
        # What Textual's own copy keeps (`app.clipboard`, which tests read): it has no setter, and
        # copy_to_clipboard would write its own OSC 52 sequence as well.
        self._clipboard = text
        return how


def _has_browser() -> bool:
    """Whether Python's webbrowser module finds a browser to open (none on a headless server)."""
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True
