"""The footer, in the language of the moment: the keys' descriptions are translated as shown.

Bindings are declared with English descriptions (marked `N_`) when their classes are
made, before a language is chosen; Textual's Footer shows them as they are. This one
says them in the current language, and `retranslate` redraws it after a switch.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ..i18n import _


class KeyFooter(Footer):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else ""
                if isinstance(widget.tooltip, str) and widget.tooltip:
                    widget.tooltip = _(widget.tooltip)
            yield widget

    def retranslate(self) -> None:
        self.refresh(recompose=True)
