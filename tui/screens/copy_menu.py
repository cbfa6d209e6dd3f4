"""`y`: choose what to copy from the highlighted image."""

from __future__ import annotations

import json

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.scalar import Scalar
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..api.models import Image
from ..clipboard import Copyable, path_to_copy, refusal
from ..i18n import N_, _
from ..safe_text import fit_cells, printable
from ..shell_text import docker_pull

# (option id, label, key to press in the menu, what a notice calls it: "Copied the path")
CHOICES = (
    ("path", N_("Path"), "p", N_("path")),
    ("version", N_("Version (name:tag)"), "v", N_("version (name:tag)")),
    ("id", N_("Image record id"), "i", N_("image record id")),
    ("image_id", N_("Digest (imageId)"), "d", N_("digest (imageId)")),
    ("docker", N_("docker pull line"), "D", N_("docker pull line")),
    ("json", N_("Item as JSON"), "j", N_("item as JSON")),
)


def copy_value(image: Image, choice: str) -> Copyable:
    """What a copy-menu choice puts on the clipboard, or why it cannot."""
    if choice == "path":
        return path_to_copy(image.path)
    if choice == "docker":
        line = docker_pull(image.path)
        return Copyable(line.text, line.problem)
    if choice == "json":
        text = json.dumps(image.to_api_dict(), ensure_ascii=False, default=str)
    else:
        text = str(getattr(image, choice))
    return Copyable(text, refusal(text) or "")


# The cells around a preview: the border (2), the option list's padding (2) and the
# preview's indent (3).
MENU_FRAME = 7
# The narrowest the previews get (the menu's own words need about this much).
MIN_PREVIEW = 40


class CopyMenu(ModalScreen["tuple[str, Copyable] | None"]):
    """Dismisses with (what was chosen, in words; the value to copy), or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Close"), id="copy-menu-close")] + [
        Binding(key, f"choose('{choice}')", label, show=False) for choice, label, key, _noun in CHOICES
    ]

    def __init__(self, image: Image) -> None:
        super().__init__()
        self.image = image

    def compose(self) -> ComposeResult:
        menu = OptionList(id="copy-menu")
        menu.border_title = _("Copy")
        menu.border_subtitle = _("Enter copies · Esc closes")
        self._fill(menu)
        menu.highlighted = 0
        yield menu

    def on_resize(self) -> None:
        """The previews take the width there is, again when the terminal is resized."""
        menu = self.query_one(OptionList)
        if menu.styles.width != self._menu_width():
            highlighted = menu.highlighted
            self._fill(menu)
            menu.highlighted = highlighted

    def _menu_width(self) -> Scalar:
        """As wide as the longest preview (but the JSON's, which is cut), up to 95% of the screen."""
        previews = [self._preview(choice) for choice, *_rest in CHOICES if choice != "json"]
        room = int(self.app.size.width * 0.95) - MENU_FRAME
        return Scalar.from_number(max(MIN_PREVIEW, min(max(map(cell_len, previews)), room)) + MENU_FRAME)

    def _fill(self, menu: OptionList) -> None:
        """The menu at its width, each preview on one line of it (a value cut in the middle
        keeps its start and its end: the tag)."""
        menu.styles.width = self._menu_width()
        width = int(menu.styles.width.value) - MENU_FRAME
        previews = {choice: self._preview(choice) for choice, *_rest in CHOICES}
        menu.clear_options()
        menu.add_options(
            Option(Text.assemble((f"{key}  ", "bold"), (_(label) + "\n", "bold"),
                                 ("   " + fit_cells(previews[choice], width, middle=choice != "json"), "dim")),
                   id=choice)
            for choice, label, key, _noun in CHOICES
        )

    def _preview(self, choice: str) -> str:
        value = copy_value(self.image, choice)
        if value.text:
            return printable(value.text)
        if value.problem:
            return printable(_("(not copied: {reason})").format(reason=value.problem))
        return _("(empty)")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(str(event.option.id))

    def action_choose(self, choice: str) -> None:
        noun = next(noun for option, _label, _key, noun in CHOICES if option == choice)
        self.dismiss((_(noun), copy_value(self.image, choice)))
