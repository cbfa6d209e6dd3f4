"""The footer, in the language of the moment: the keys' descriptions are translated as shown.

Bindings are declared with English descriptions (marked `N_`) when their classes are
made, before a language is chosen; Textual's Footer shows them as they are. This one
says them in the current language, and `retranslate` redraws it after a switch.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ..i18n import _


class KeyFooter(Footer):
    _shown: tuple[object, ...] | None = None  # what the keys say now (see `bindings_changed`)

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
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else ""
                if isinstance(widget.tooltip, str) and widget.tooltip:
                    widget.tooltip = _(widget.tooltip)
            yield widget

    def retranslate(self) -> None:
        self._shown = None
        self.refresh(recompose=True)
