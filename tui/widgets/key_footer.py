"""The footer, in the language of the moment: the keys' descriptions are translated as shown.

Bindings are declared with English descriptions (marked `N_`) when their classes are
made, before a language is chosen; Textual's Footer shows them as they are. This one
says them in the current language, and `retranslate` redraws it after a switch.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # Textual exports no name for the footer's keys

from ..i18n import _
from ..screens.base import AppScreen

# Narrower than this, the keys are drawn without padding, and the palette's key (listed by `?`)
# makes room for the screen's own.
COMPACT_BELOW = 140
# The keys that never give way: every other key is listed by `?`.
KEPT = ("help", "quit", "app.quit")


class KeyFooter(Footer):
    """Every key fits: on a narrow terminal, keys give way in the order the screen's
    `FOOTER_GIVES_WAY` names their actions (help and quit stay)."""

    _shown: tuple[object, ...] | None = None  # what the keys say now (see `bindings_changed`)
    _width = 0

    def on_resize(self) -> None:
        narrow = self.size.width < COMPACT_BELOW
        self.compact, self.show_command_palette = narrow, not narrow
        if self.size.width != self._width:
            self._width = self.size.width
            self._shown = None
            self.refresh(recompose=True)

    def _showing(self) -> tuple[object, ...]:
        """What the footer would show: its keys, their words and whether each is enabled."""
        return tuple((binding.key, binding.action, binding.description, enabled, tooltip)
                     for _node, binding, enabled, tooltip in self.screen.active_bindings.values() if binding.show)

    def bindings_changed(self, screen: Screen) -> None:
        """Textual rebuilds the footer whenever the screen's bindings are looked at again (a
        focus moved, a check asked): ten widgets made and styled, 20-120 ms while a catalog
        loads. Rebuilt here only when what it shows has changed."""
        if self.is_attached and screen is self.screen and self._bindings_ready and self._showing() == self._shown:
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._showing()
        keys = list(super().compose())
        for widget in keys:
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else ""
                if isinstance(widget.tooltip, str) and widget.tooltip:
                    widget.tooltip = _(widget.tooltip)
        yield from self._fitting(keys)

    def _fitting(self, keys: list[object]) -> list[object]:
        """The keys that fit the footer's width, leaving out those the screen lets give way."""
        width = self.size.width
        if not width:
            return keys

        def cells(key: object) -> int:
            if not isinstance(key, FooterKey):
                return 0
            padding = 1 if self.compact else 4
            return cell_len(key.key_display) + 1 + cell_len(key.description) + padding

        order = self.screen.FOOTER_GIVES_WAY if isinstance(self.screen, AppScreen) else ()
        shown = list(keys)
        while sum(map(cells, shown)) > width:
            giving = next((key for action in order for key in shown
                           if isinstance(key, FooterKey) and key.action == action and action not in KEPT), None)
            if giving is None:
                break
            shown.remove(giving)
        return shown

    def retranslate(self) -> None:
        self._shown = None
        self.refresh(recompose=True)
