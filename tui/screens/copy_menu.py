"""`y`: choose what to copy from the highlighted image."""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..api.models import Image
from ..clipboard import Copyable, path_to_copy, refusal
from ..i18n import N_, _
from ..safe_text import printable
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


class CopyMenu(ModalScreen["tuple[str, Copyable] | None"]):
    """Dismisses with (what was chosen, in words; the value to copy), or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Close"), id="copy-menu-close")] + [
        Binding(key, f"choose('{choice}')", label, show=False) for choice, label, key, _noun in CHOICES
    ]

    def __init__(self, image: Image) -> None:
        super().__init__()
        self.image = image

    def compose(self) -> ComposeResult:
        options = []
        for choice, label, key, _noun in CHOICES:
            value = copy_value(self.image, choice)
            if value.text:
                preview = value.text
            elif value.problem:
                preview = _("(not copied: {reason})").format(reason=value.problem)
            else:
                preview = _("(empty)")
            if len(preview) > 60:
                preview = preview[:59] + "…"
            prompt = Text.assemble((f"{key}  ", "bold"), (_(label) + "\n", "bold"), ("   " + printable(preview), "dim"))
            options.append(Option(prompt, id=choice))
        menu = OptionList(*options, id="copy-menu")
        menu.border_title = _("Copy")
        menu.border_subtitle = _("Enter copies · Esc closes")
        yield menu

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(str(event.option.id))

    def action_choose(self, choice: str) -> None:
        noun = next(noun for option, _label, _key, noun in CHOICES if option == choice)
        self.dismiss((_(noun), copy_value(self.image, choice)))
