"""`l`: launch a container instance from the highlighted image.

The form fills in what `scnet-images run` would (`tui/launch.py`), shows the chosen
group's limits and every problem as it is typed, and the exact request body; the
request goes only after a confirmation. A refusal is shown in the form, with every
value kept, so the user fixes one field and tries again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from ..api.capacity import Capacity
from ..api.container_models import TASK_TYPES, LaunchSpec, Limits
from ..api.errors import ScnetError
from ..api.models import Image
from ..launch import (
    accelerator_of,
    describe_limits,
    offered_mounts,
    check_launch,
    default_cards,
    default_name,
    default_task_type,
    parse_memory,
    parse_time_limit,
    plan_launch,
)
from ..i18n import N_, _, fill
from ..safe_text import json_safe, printable
from .base import services
from ..widgets.launch_source import Launched, LaunchSource
from ..widgets.region_facts import group_free_text
from .confirm import ConfirmDialog


# The inputs whose typed value is read into a field of the request.
FIELD_KEYS = {"#launch-cpus": "cpuNumber", "#launch-cards": "gpuNumber", "#launch-memory": "ramSize",
              "#launch-time": "timeoutLimit"}


class LaunchForm(ModalScreen[Launched | None]):
    """Dismisses with `Launched` once the request was sent, or None when nothing was."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="launch-cancel"),
        Binding("ctrl+s", "launch", N_("Launch…"), id="launch-send", tooltip=N_("Review the request, then send it")),
    ]

    def __init__(self, image: Image, client: Any, where: str, *, clock: Callable[[], datetime] | None = None,
                 home: str = "", capacity: Capacity | None = None, cluster_id: str = "") -> None:
        super().__init__()
        # The free cards of the image's region (every region shown), where the platform said.
        self.capacity, self.cluster_id = capacity, cluster_id
        self.home = home  # the user's home directory in the region (login read it), "" when unknown
        self.image = image
        self.client = client
        self.source = LaunchSource(client, accelerator_of(image))
        self.where = where  # the region, for the confirmation's words
        self.accelerator = accelerator_of(image)
        self.limits: Limits | None = None
        self.mount_dirs: list[str] = []
        self.spec: LaunchSpec | None = None
        self.problems: list[str] = [_("loading the region's resource groups…")]
        self._now = (clock or datetime.now)()
        self.launching = ""  # the name of the instance whose create is in flight
        self.notes: tuple[str, ...] = ()  # what of the region's answers was left out, unread
        self.unread: set[str] = set()  # request fields whose typed value cannot be read

    def compose(self) -> ComposeResult:
        yield self.source
        image = self.image
        with VerticalScroll(id="launch-box") as box:
            shown = printable(image.version or image.name)
            # Every region shown at once: the form says which one it launches in.
            box.border_title = (fill(_("Launch {image} in {region}"), image=shown, region=printable(image.region))
                                if image.region else _("Launch {image}").format(image=shown))
            box.border_subtitle = _("Ctrl+S launches · Esc cancels")
            yield Static(Text(printable(image.path), style="bold"), id="launch-image")
            with Grid(id="launch-fields"):
                yield Label(_("Name"))
                yield Input(default_name(image, self._now), id="launch-name")
                yield Label(_("Task type"))
                yield Select([(kind, kind) for kind in TASK_TYPES], value=default_task_type(image),
                             allow_blank=False, id="launch-type", compact=True)
                yield Label(_("Resource group"))
                yield Select([], prompt=_("Loading…"), id="launch-group", compact=True)
                yield Label(_("CPU cores"))
                yield Input("1", type="integer", id="launch-cpus")
                yield Label(_("{accelerator} cards").format(accelerator=self.accelerator.upper()))
                yield Input(str(default_cards(self.accelerator)), type="integer", id="launch-cards")
                yield Label(_("Memory"))
                yield Input("4G", id="launch-memory", placeholder=_("32G or 16384M"))
                yield Label(_("Time limit"))
                yield Input("01:00:00", id="launch-time", placeholder=_("HH:MM:SS, 2h, 90m or unlimited"))
                yield Label(_("Start script"))
                yield TextArea(id="launch-script", soft_wrap=True, show_line_numbers=False)
                yield Label(_("Mounts"))
                yield SelectionList[str](id="launch-mounts")
            yield Static(id="launch-limits")
            yield Static(id="launch-problems")
            yield Static(id="launch-error")
            yield Static(id="launch-sending")
            yield Static(_("Request"), id="launch-request-title")
            yield Static(id="launch-request")
            with Horizontal(id="launch-buttons"):
                yield Button(_("Launch…"), id="launch-go", variant="primary", disabled=True)
                yield Button(_("Cancel"), id="launch-close")

    def on_mount(self) -> None:
        self.query_one("#launch-error").display = False
        self.query_one("#launch-sending").display = False
        self._pristine = self._values()  # as the form opened (the group once the region named it)
        self.query_one("#launch-name", Input).focus()
        self._refresh()
        self.source.load_choices()

    # --- loading what the region offers --------------------------------------------------------

    @on(LaunchSource.Created)
    def _created(self, message: LaunchSource.Created) -> None:
        self._launched()
        # Whatever was opened over the form meanwhile (the palette, the help) goes first:
        # dismissing pops the top screen, and the form must not outlive its create.
        while self.app.screen is not self and self in self.app.screen_stack:
            self.app.pop_screen()
        self.dismiss(message.launched)

    @on(LaunchSource.Refused)
    def _refused(self, message: LaunchSource.Refused) -> None:
        self._launched()
        self._sending(False)
        self._show_error(message.error, creating=True)

    @on(LaunchSource.Unavailable)
    def _unavailable(self, message: LaunchSource.Unavailable) -> None:
        self._show_error(message.error, creating=False)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Tab onto the mounts highlights the first, so that Space ticks it (no ↓ needed first)."""
        if isinstance(event.widget, SelectionList) and event.widget.highlighted is None and event.widget.option_count:
            event.widget.highlighted = 0

    @on(LaunchSource.Offered)
    def _offered(self, message: LaunchSource.Offered) -> None:
        if message.choices is not None:
            choices = message.choices
            self.notes = choices.notes
            self._use_groups([group.name for group in choices.groups
                              if group.accelerator in ("", self.accelerator)], choices.limits)
            self.mount_dirs = offered_mounts(choices.mount_dirs, self.home)
            mounts = self.query_one("#launch-mounts", SelectionList)
            mounts.clear_options()
            mounts.add_options([(printable(path) + ("  " + _("(your home)") if path == self.home else ""), path)
                                for path in self.mount_dirs])
        else:
            self.limits = message.limits
        self._hide_error()
        self._refresh()

    def _use_groups(self, names: list[str], limits: Limits) -> None:
        self.limits = limits
        select = self.query_one("#launch-group", Select)
        untouched = self._values() == self._pristine
        with select.prevent(Select.Changed):
            # "Loading…" must not stay pickable once the groups are known: Select has no public
            # way to stop allowing a blank after it is built (Textual 8.2), so set its flag.
            select._allow_blank = False
            select.set_options([(printable(name), name) for name in names or [limits.group]])
            select.value = limits.group
        if untouched:
            self._pristine = self._values()

    def _show_error(self, error: BaseException | None, *, creating: bool) -> None:
        if isinstance(error, ScnetError):
            error.redacted((getattr(self.client, "token", ""),))
            text = Text(printable(error.message), style="bold")
            text.append("\n→ " + printable(error.hint))
        else:
            text = Text(_("Unexpected error: {kind}").format(kind=type(error).__name__), style="bold")
        if creating:
            text.append("\n" + _("Nothing was launched; every value is as you left it."), style="italic")
        else:
            self.limits = None
        banner = self.query_one("#launch-error", Static)
        banner.update(text)
        banner.display = True
        self._refresh()

    def _hide_error(self) -> None:
        self.query_one("#launch-error").display = False

    # --- what the form asks for -----------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Select.Changed, "#launch-type")
    def _changed(self) -> None:
        self._refresh()

    @on(Select.Changed, "#launch-group")
    def _group_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and (self.limits is None or event.value != self.limits.group):
            self.limits = None
            self._refresh()
            self.source.load_limits(event.value)

    def _spec(self) -> tuple[LaunchSpec | None, list[str]]:
        """The launch the fields describe, and what is wrong with it: one problem per field.
        A field whose value cannot be read is said once, left out of the request shown
        (`self.unread`), and not checked against a limit with a value nobody typed."""
        problems: list[str] = []
        self.unread = set()

        def field(selector: str) -> str:
            return self.query_one(selector, Input).value.strip()

        def read(selector: str, key: str, parse: Callable[[str], Any], problem: str = "") -> Any:
            try:
                return parse(field(selector))
            except ValueError as error:
                problems.append(problem or str(error))
                self.unread.add(key)
                return None

        cpus = read("#launch-cpus", "cpuNumber", int, _("CPU cores: a whole number"))
        cards = read("#launch-cards", "gpuNumber", int, _("accelerator cards: a whole number"))
        memory = read("#launch-memory", "ramSize", parse_memory)
        time_limit = read("#launch-time", "timeoutLimit", parse_time_limit)
        for selector, key in FIELD_KEYS.items():
            self.query_one(selector, Input).set_class(key in self.unread, "-invalid")
        group = self.query_one("#launch-group", Select).value
        mounts = [(path, path) for path in self.query_one("#launch-mounts", SelectionList).selected]
        spec = plan_launch(
            self.image, now=self._now, group=group if isinstance(group, str) else "",
            name=field("#launch-name") or "-", task_type=str(self.query_one("#launch-type", Select).value),
            cpus=cpus, cards=cards, memory_mb=memory, time_limit=time_limit,
            start_script=self.query_one("#launch-script", TextArea).text.strip(), mounts=mounts,
        )
        if self.limits is None:
            problems.append(_("the group's limits are not known yet"))
        return spec, problems + check_launch(spec, self.limits, self.mount_dirs, self.unread)

    def request_shown(self) -> dict[str, Any]:
        """The request body as the form shows it: a field that could not be read is missing."""
        body = self.spec.body() if self.spec else {}
        return {key: value for key, value in body.items() if key not in self.unread}

    def _refresh(self) -> None:
        self.spec, self.problems = self._spec()
        limits = self.query_one("#launch-limits", Static)
        said = describe_limits(self.limits) if self.limits else _("Limits: loading…")
        group = self.query_one("#launch-group", Select).value
        free = group_free_text(self.capacity, self.cluster_id, group) if isinstance(group, str) else ""
        lines = (said, free, *self.notes) if free else (said, *self.notes)
        limits.update(Text("\n".join(printable(line) for line in lines), style="italic"))
        problems = self.query_one("#launch-problems", Static)
        problems.update(Text("\n".join(f"✗ {printable(problem)}" for problem in self.problems)))
        problems.display = bool(self.problems)
        body = json_safe(json.dumps(self.request_shown(), ensure_ascii=False, indent=2))
        self.query_one("#launch-request", Static).update(Text(body, no_wrap=True, overflow="fold"))
        self.query_one("#launch-go", Button).disabled = bool(self.problems or self.launching)

    # --- sending ----------------------------------------------------------------------------------

    def action_launch(self) -> None:
        if self._still_launching():
            return
        if self.problems or self.spec is None:
            self.notify(_("Fix what the form lists first."), severity="warning")
            return
        spec = self.spec
        request = json_safe(json.dumps(spec.body(), ensure_ascii=False, indent=2))

        def answered(yes: bool | None) -> None:
            if not yes:
                self.notify(_("Not launched: nothing was sent."), timeout=4)
                # Back on the Launch button, not in a field whose text focus selects: a second
                # "n" typed there would have replaced the name.
                self.call_after_refresh(self.query_one("#launch-go", Button).focus)
            elif not self._still_launching():
                self._hide_error()
                self.show_launching(spec.name)
                self.source.create(spec)

        self.app.push_screen(
            ConfirmDialog(
                _("Launch an instance"),
                fill(_("Send this request to {region}? It starts {name}, which counts against your quota "
                       "until it is stopped."), region=self.where, name=spec.name),
                request,
                confirm=_("Launch"),
                focus_confirm=True,
            ),
            answered,
        )

    def _still_launching(self) -> bool:
        """While a create is in flight nothing else is sent and the form stays: say so."""
        if self.launching:
            self.notify(_("Launching {name}: waiting for the platform's answer. Nothing more is sent meanwhile.").format(
                name=printable(self.launching)), severity="warning", markup=False)
        return bool(self.launching)

    def show_launching(self, name: str) -> None:
        """Say that the create of `name` is in flight: nothing more is sent, the form stays
        (and quitting asks first: the app knows it waits)."""
        self.launching = name
        self._in_flight = services(self).begin_action(_("the launch of {name}").format(name=name))
        self._sending(True)

    def _launched(self) -> None:
        """The create was answered (or never left): the form is free again."""
        self.launching = ""
        services(self).end_action(getattr(self, "_in_flight", None))

    def _sending(self, sending: bool) -> None:
        """Show (or stop showing) that the create is in flight; the Launch button waits for it."""
        line = self.query_one("#launch-sending", Static)
        line.update(Text(_("Launching {name}… waiting for the platform's answer.").format(
            name=printable(self.launching)), style="bold") if sending else "")
        line.display = sending
        button = self.query_one("#launch-go", Button)
        button.label = _("Launching…") if sending else _("Launch…")
        self._refresh()
        if sending:
            line.scroll_visible()

    def action_cancel(self) -> None:
        """Close without launching; with edits made, after asking whether to lose them."""
        if self._still_launching():
            return
        if self._values() == self._pristine:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog(_("Discard the changes?"), _("The values you changed in this form are "
                                                                       "lost; nothing is launched."),
                                           confirm=_("Discard"), danger=True), answered)

    def _values(self) -> tuple[Any, ...]:
        """What the user can change in the form, to tell whether anything was changed."""
        inputs = tuple(self.query_one(selector, Input).value for selector in
                       ("#launch-name", "#launch-cpus", "#launch-cards", "#launch-memory", "#launch-time"))
        return (*inputs, self.query_one("#launch-type", Select).value, self.query_one("#launch-group", Select).value,
                self.query_one("#launch-script", TextArea).text,
                tuple(self.query_one("#launch-mounts", SelectionList).selected))

    @on(Button.Pressed, "#launch-go")
    def _go(self) -> None:
        self.action_launch()

    @on(Button.Pressed, "#launch-close")
    def _close(self) -> None:
        self.action_cancel()
