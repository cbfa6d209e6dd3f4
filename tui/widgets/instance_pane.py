"""Everything the platform says about the highlighted container instance, credentials masked."""

from __future__ import annotations

import json

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..api.container_models import Instance
from ..api.envelope import text_of
from ..i18n import N_, _, unlimited_word
from ..links import masked
from ..safe_text import json_safe, printable
from .instance_table import status_word

# (label, field of the detail answer) in the order people look for them.
FIELDS = (
    (N_("Status"), "status"), (N_("Name"), "instanceServiceName"), (N_("ID"), "id"),
    (N_("Task type"), "taskType"), (N_("Image"), "imagePath"), (N_("Version"), "version"),
    (N_("Group"), "resourceGroup"), (N_("Resources"), "resourceSpec"), (N_("Accelerator"), "acceleratorType"),
    (N_("CPU cores"), "cpuNumber"), (N_("Cards"), "gpuNumber"), (N_("Memory, MB"), "ramSize"),
    (N_("Time limit"), "timeoutLimit"), (N_("Created"), "createTime"), (N_("Started"), "startTime"),
    (N_("Ended"), "endTime"), (N_("Run time"), "duration"), (N_("Time left"), "remainingTime"),
    (N_("User"), "userName"), (N_("Description"), "description"),
)


def _text(value: object) -> Text:
    if value is None or value == "":
        return Text("—", style="dim")
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return Text(printable(masked(shown)), overflow="fold")


def render_instance(instance: Instance) -> Group:
    raw = instance.raw
    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    # What the app itself says in words is said in the interface's language; the platform's own
    # values stay as they came in the raw JSON below.
    shown = {"status": status_word(instance.status), "id": instance.id,
             "timeoutLimit": unlimited_word(text_of(raw.get("timeoutLimit"))),
             "remainingTime": unlimited_word(text_of(raw.get("remainingTime")))}
    for label, key in FIELDS:
        fields.add_row(_(label), _text(shown[key] if key in shown else raw.get(key)))
    parts: list[object] = [fields]
    if instance.ports:
        ports = Table.grid(padding=(0, 1))
        ports.add_column(style="bold", no_wrap=True)
        ports.add_column(overflow="fold")
        for port in instance.ports:
            ports.add_row(f"{printable(port.protocol)} {printable(port.port)}", _text(port.access_url))
        parts += [Text(""), Text(_("Access (o opens, u copies the URL, s the ssh command)"), style="bold underline"), ports]
    elif not instance.final:
        parts += [Text(""), Text(_("Access URLs appear once it is running."), style="italic")]
    known = {key for _label, key in FIELDS} | {"containerPortInfoList"}
    others = {key: value for key, value in raw.items() if key not in known}
    if others:
        extra = Table.grid(padding=(0, 1))
        extra.add_column(style="bold", no_wrap=True)
        extra.add_column(overflow="fold")
        for key, value in others.items():
            extra.add_row(Text(printable(str(key))), _text(value))
        parts += [Text(""), Text(_("Other fields"), style="bold underline"), extra]
    raw_json = json_safe(masked(json.dumps(dict(raw), ensure_ascii=False, indent=2, default=str)))
    parts += [Text(""), Text(_("Raw JSON"), style="bold underline"), Text(raw_json, style="dim")]
    return Group(*parts)


class InstancePane(VerticalScroll):
    """Shows one instance (the detail call's answer once it arrives)."""

    def __init__(self) -> None:
        super().__init__(id="instance-pane")
        self.border_title = _("Instance")
        self.can_focus = True
        self._shown: Instance | None = None

    def compose(self) -> ComposeResult:
        yield Static(_("No instance selected."), id="instance-body")

    def show(self, instance: Instance | None) -> None:
        self._shown = instance
        body = self.query_one("#instance-body", Static)
        body.update(render_instance(instance) if instance is not None else _("No instance selected."))

    def retranslate(self) -> None:
        self.border_title = _("Instance")
        self.show(self._shown)
