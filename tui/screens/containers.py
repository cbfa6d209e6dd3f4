"""`i`: the account's container instances in this region, and what can be done to them.

The list refreshes on `r`, and on its own every few seconds while an instance is on its
way (Deploying, Waiting) or one just launched is being followed: rows are updated in
place, so nothing flickers and the cursor stays on its instance. Every call runs in a
call of the screen's `InstanceSource`, whose messages (`Listed`, `Detailed`, `UrlFetched`,
`Acted`, `Failed`) are where answers and failures reach the screen.

An action is sent at most once: while one is in flight for an instance, no other is sent
for it. One whose outcome is unknown says so, and the list is asked again to show where
the instance stands. A launch whose outcome is unknown opens this view `look_for` its
name: the list is asked a few times, and the instance is highlighted once it shows.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from ..api import containers
from ..api.container_models import Instance
from ..api.errors import OutcomeUnknown
from ..clipboard import Copyable
from ..connection import Connection
from .. import i18n
from ..i18n import N_, _
from ..launch_watch import Said, found_launch, how_it_ended, not_found
from ..links import masked, ssh_command, url_problem
from ..safe_text import printable
from ..widgets.connection_header import ConnectionHeader
from ..widgets.error_banner import ErrorBanner, error_title
from ..widgets.instance_pane import InstancePane
from ..widgets.instance_source import InstanceSource
from ..widgets.launch_source import Launched
from ..widgets.instance_table import InstanceTable, status_summary, status_word
from ..widgets.key_footer import KeyFooter
from .base import AppScreen
from .confirm import ConfirmDialog
from .help import HelpScreen

REFRESH_SECONDS = 3.0
# While nothing is on its way, the list is still asked again now and then (another session,
# the console, or a time limit may change it).
IDLE_REFRESH_SECONDS = 30.0
# How many lists a launch whose outcome is unknown is looked for in (one every REFRESH_SECONDS).
LOOK_FOR_LISTS = 10


class ContainersScreen(AppScreen[None]):
    # Narrower than this, the pane goes under the table, as the images' details pane does.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (180, "-wide")]
    BINDINGS = [
        Binding("question_mark", "help", N_("Help"), key_display="?", id="containers-help", tooltip=N_("Every key")),
        Binding("r", "refresh", N_("Refresh"), id="containers-refresh", tooltip=N_("Ask the platform again")),
        Binding("o", "open_url", N_("Open"), id="containers-open",
                tooltip=N_("Open the access URL in the system browser (copied where there is none)")),
        Binding("u", "copy_url", N_("Copy URL"), id="containers-copy-url", tooltip=N_("Copy the access URL")),
        Binding("s", "copy_ssh", N_("Copy ssh"), id="containers-copy-ssh", tooltip=N_("Copy the ssh command of an SSH port")),
        Binding("R", "restart", N_("Restart"), key_display="R", id="containers-restart",
                tooltip=N_("Start a stopped or failed instance again")),
        Binding("x", "stop", N_("Stop"), id="containers-stop", tooltip=N_("Stop the instance (asks first)")),
        Binding("D", "delete", N_("Delete"), key_display="D", id="containers-delete",
                tooltip=N_("Delete a stopped, failed or finished instance (asks first)")),
        Binding("j", "cursor('down')", N_("Down"), show=False, id="containers-down", tooltip=N_("The next instance (↓ too)")),
        Binding("k", "cursor('up')", N_("Up"), show=False, id="containers-up", tooltip=N_("The previous instance (↑ too)")),
        Binding("escape,i", "back", N_("Images"), key_display="Esc", id="containers-back",
                tooltip=N_("Back to the images (i too)")),
    ]

    FOOTER_GIVES_WAY = ("copy_url", "copy_ssh", "refresh", "restart", "delete", "open_url", "stop")

    def __init__(self, connection: Connection, client: Any, *, follow: str = "", look_for: str = "",
                 launched: Launched | None = None, clock: Callable[[], datetime] | None = None) -> None:
        """`follow` an instance until it runs, or `look_for` one whose launch's outcome is not
        known; `launched` (a launch just sent, from the form) says which, and says so."""
        super().__init__()
        if launched is not None:
            follow, look_for = ("", launched.name) if launched.unsure is not None else (launched.instance_id, "")
        self.launched = launched
        self.connection = connection
        self.source = InstanceSource(client)
        self.following = follow  # a just-launched instance, watched until it runs or fails
        self.look_for = look_for  # the name of a launch whose outcome is unknown
        # The ids listed just before that launch was sent (none of them is it); None: not known.
        self._existing = launched.existing if launched is not None else None
        self._lists_left = LOOK_FOR_LISTS
        self.acting: dict[str, str] = {}  # instance id -> the action in flight for it
        self._in_flight: dict[str, object] = {}  # instance id -> the app's note of it (see App.begin_action)
        self._moved_to_follow = False
        self._clock = clock
        self.instances: dict[str, Instance] = {}
        self._listed = False  # the platform has answered the list at least once
        self._last_list = 0.0  # when the list was last asked (time.monotonic)
        self._warned: list[str] = []  # what was said about the last list (said again only when it changes)

    def compose(self) -> ComposeResult:
        yield self.source
        yield ConnectionHeader(self.connection, clock=self._clock)
        yield ErrorBanner()
        with Horizontal(id="containers-main"):
            yield InstanceTable()
            yield InstancePane()
        yield Static(id="containers-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(InstanceTable).focus()
        self._status(_("Loading your instances…"))
        launched = self.launched
        if launched is not None and launched.unsure is None:
            self.notify(_("Launched {instance}; following it until it runs.").format(
                instance=printable(launched.instance_id)), title=_("Launch"), markup=False)
        elif launched is not None and launched.unsure is not None:
            # It may (or very probably did) happen: the list shows whether, and nothing is sent again.
            self.notify(printable(launched.unsure.message) + "\n" + _("The instances view shows whether it did."),
                        title=error_title(launched.unsure), severity="warning", timeout=15, markup=False)
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self._tick)

    # --- loading ---------------------------------------------------------------------------------

    def _tick(self) -> None:
        watching = self.following or self.look_for or any(i.busy for i in self.instances.values())
        due = time.monotonic() - self._last_list >= IDLE_REFRESH_SECONDS
        if not self.source.listing and (watching or due):
            self.action_refresh()

    def action_refresh(self) -> None:
        self._last_list = time.monotonic()
        self.source.list()

    @on(InstanceSource.Listed)
    def _listed_now(self, message: InstanceSource.Listed) -> None:
        self._listed = True
        self.query_one(ErrorBanner).clear()
        self._show(message.listed.instances)
        warnings = containers.list_warnings(message.listed)
        if warnings and warnings != self._warned:
            self.notify(printable("\n".join(warnings)), severity="warning", timeout=10, markup=False)
        self._warned = warnings

    @on(InstanceSource.Detailed)
    def _detailed(self, message: InstanceSource.Detailed) -> None:
        if message.instance.id == self._highlighted_id():
            self.query_one(InstancePane).show(message.instance)

    @on(InstanceSource.UrlFetched)
    def _url_fetched(self, message: InstanceSource.UrlFetched) -> None:
        self._deliver(message)

    @on(InstanceSource.Failed)
    def _call_failed(self, message: InstanceSource.Failed) -> None:
        self._failed(message.error)

    @on(InstanceSource.Acted)
    def _acted(self, message: InstanceSource.Acted) -> None:
        """Say how an action ended, then look again: the list shows where the instance stands."""
        self.acting.pop(message.instance.id, None)
        self.services.end_action(self._in_flight.pop(message.instance.id, None))
        name = printable(message.instance.name or message.instance.id)
        error = message.error
        if error is None:
            said = {"restart": N_("Restarting {name}"), "stop": N_("Stopping {name}"), "delete": N_("Deleted {name}")}
            self.notify(_(said[message.action]).format(name=name), timeout=4, markup=False)
        elif isinstance(error, OutcomeUnknown):
            error.redacted((self.connection.token,))
            self.notify(printable(error.message) + "\n" + _("The list is asked again to show where it stands."),
                        title=error_title(error), severity="warning", timeout=15, markup=False)
        else:
            self._failed(error)
        self.action_refresh()

    def _failed(self, error: BaseException) -> None:
        self.report(error, self.connection.token, kept=bool(self.instances))
        if not self.instances:
            self._status(_("No instances shown: see the error above. Press r to try again."))

    # --- the table -----------------------------------------------------------------------------------

    def _show(self, instances: list[Instance]) -> None:
        """Update the rows in place: the cursor stays on its instance, nothing is redrawn needlessly."""
        table = self.query_one(InstanceTable)
        table.show(instances)
        fresh = table.instances
        self.instances = fresh
        self._look_for_launch(instances)
        if self.following in fresh and not self._moved_to_follow:
            self._moved_to_follow = True
            table.move_to(self.following)
        self._follow_up()
        self._status_counts()
        highlighted = self._highlighted_id()
        if highlighted:
            self.query_one(InstancePane).show(fresh[highlighted])
            self.source.detail(highlighted)

    def _look_for_launch(self, instances: list[Instance]) -> None:
        """A launch whose outcome was unknown: once it is listed, follow it; after LOOK_FOR_LISTS
        lists without it, say so and stop looking."""
        if not self.look_for:
            return
        found = found_launch(instances, self.look_for, self._existing)
        self._lists_left -= 1
        if found is not None:
            self.following, self._moved_to_follow, self.look_for = found[0].id, False, ""
            self._say(found[1], timeout=10)
        elif self._lists_left <= 0:
            self._say(not_found(self.look_for), timeout=15)
            self.look_for = ""

    def _follow_up(self) -> None:
        """Say once how the followed instance ended up."""
        instance = self.instances.get(self.following)
        said = how_it_ended(instance) if instance is not None else None
        if said is not None:
            self.following = ""
            self._say(said, timeout=10 if said.severity == "information" else 12)

    def _say(self, said: Said, *, timeout: float) -> None:
        self.notify(said.message, title=said.title, severity=said.severity, timeout=timeout, markup=False)  # type: ignore[arg-type]

    def _status_counts(self) -> None:
        self._status(status_summary(list(self.instances.values()), self.look_for))

    def _status(self, text: str) -> None:
        self.query_one("#containers-status", Static).update(Text(text))

    def _highlighted_id(self) -> str:
        return self.query_one(InstanceTable).highlighted_id

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        instance = self.instances.get(str(event.row_key.value))
        self.query_one(InstancePane).show(instance)
        if instance is not None:
            self.source.detail(instance.id)

    def _chosen(self) -> Instance | None:
        instance = self.instances.get(self._highlighted_id())
        if instance is None:
            self.notify(_("No instance is highlighted."), severity="warning")
        return instance

    # --- actions -----------------------------------------------------------------------------------------

    def action_open_url(self) -> None:
        instance = self._reachable()
        if instance is not None:
            self.source.fetch_url(instance, True)

    def action_copy_url(self) -> None:
        instance = self._reachable()
        if instance is not None:
            self.source.fetch_url(instance, False)

    def _reachable(self) -> Instance | None:
        """The highlighted instance, when it may have an access URL: one that has stopped has
        none (said here; the platform is not asked)."""
        instance = self._chosen()
        if instance is not None and instance.final:
            self.notify(_("{name} has stopped ({status}): it has no access URL. R restarts it.").format(
                name=printable(instance.name or instance.id), status=status_word(instance.status)),
                severity="warning", markup=False)
            return None
        return instance

    def _deliver(self, result: InstanceSource.UrlFetched) -> None:
        problem = url_problem(result.url)
        if problem and result.url.startswith("ssh://"):
            self.notify(_("This instance is reached over SSH: press s to copy its ssh command."), timeout=6)
        elif problem:
            self.notify(_("The access URL {url} was not used: {reason}.").format(
                url=repr(printable(masked(result.url[:80]))), reason=problem), severity="warning", markup=False)
        elif result.open_it:
            self.services.open_link(_("access URL"), result.url)
        else:
            self.services.copy_text(_("access URL"), Copyable(result.url))

    def action_copy_ssh(self) -> None:
        instance = self._chosen()
        if instance is None:
            return
        port = next((port for port in instance.ports if port.protocol == "SSH"), None)
        if port is None:
            self.notify(_("This instance exposes no SSH port (it may not be running yet)."), severity="warning")
            return
        line = ssh_command(port.access_url)
        self.services.copy_text(_("ssh command"), Copyable(line.text, line.problem))

    def action_restart(self) -> None:
        instance = self._chosen()
        if instance is not None and self._fits(instance, "restart"):
            self._start("restart", instance)

    def _start(self, action: str, instance: Instance) -> None:
        """Send `action` for `instance`, once: until it is answered, nothing else is sent for it."""
        if instance.id in self.acting:
            return
        self.acting[instance.id] = action
        said = {"restart": N_("the restart of {name}"), "stop": N_("the stop of {name}"),
                "delete": N_("the deletion of {name}")}
        self._in_flight[instance.id] = self.services.begin_action(_(said[action]).format(name=instance.name or instance.id))
        self.source.act(action, instance)

    def _fits(self, instance: Instance, action: str) -> bool:
        """Whether `action` makes sense in the instance's state; if not, say why (and ask nothing)."""
        name = printable(instance.name or instance.id)
        if instance.id in self.acting:
            self.notify(_("{name}: the last action is still waiting for the platform's answer; nothing more is "
                          "sent meanwhile.").format(name=name), severity="warning", markup=False)
            return False
        if action == "stop" and instance.final:
            message = _("{name} has already stopped ({status}): R restarts it, D deletes it.")
        elif action in ("restart", "delete") and (instance.busy or instance.status == "Running"):
            message = (_("{name} is still {status}: stop it first (x), then restart it.") if action == "restart"
                       else _("{name} is still {status}: stop it first (x), then delete it."))
        else:
            return True
        self.notify(message.format(name=name, status=status_word(instance.status)), severity="warning", markup=False)
        return False

    def action_stop(self) -> None:
        self._confirmed("stop", _("Stop the instance"),
                        _("Stop {name}? Whatever runs in it ends; it can be restarted later."), _("Stop"))

    def action_delete(self) -> None:
        self._confirmed("delete", _("Delete the instance"),
                        _("Delete {name}? It is removed from the list for good."), _("Delete"))

    def _confirmed(self, action: str, title: str, question: str, label: str) -> None:
        instance = self._chosen()
        if instance is None or not self._fits(instance, action):
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                self.notify(_("Nothing was done."), timeout=4)
            elif self._fits(instance, action):  # asked twice, answered twice: sent once
                self._start(action, instance)

        name = instance.name or instance.id
        # A line each: joined by " · ", a long version wrapped and left a "·" dangling at a line's end.
        detail = "\n".join(part for part in (instance.id, status_word(instance.status), instance.version) if part)
        self.app.push_screen(ConfirmDialog(title, question.format(name=name), detail, confirm=label, danger=True),
                             answered)

    def action_cursor(self, direction: str) -> None:
        table = self.query_one(InstanceTable)
        table.action_cursor_down() if direction == "down" else table.action_cursor_up()

    def action_back(self) -> None:
        if self.acting:  # leaving would cancel the calls and lose their answers
            self.notify(_("Waiting for the platform's answer to {what}; the view stays until it comes.").format(
                what=i18n.join(self._in_flight_words())), severity="warning", markup=False)
            return
        self.dismiss()

    def _in_flight_words(self) -> list[str]:
        in_flight = self.services.in_flight
        return [in_flight[key] for key in self._in_flight.values() if key in in_flight]

    def retranslate(self) -> None:
        """Say everything again in the language now chosen; the rows and the cursor stay. A
        failure on show is asked again, so that its message is said in the new language too."""
        self.query_one(ConnectionHeader).retranslate(self.connection)
        for widget in (self.query_one(InstancePane), self.query_one(KeyFooter), self.query_one(InstanceTable)):
            widget.retranslate()
        if self._listed:
            self._status_counts()  # it says when there are none
        else:
            self._status(_("Loading your instances…"))
        if self.query_one(ErrorBanner).display:
            self.query_one(ErrorBanner).retranslate()
            self.action_refresh()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([*self.BINDINGS, *self.app.BINDINGS], table_keys=False))  # type: ignore[list-item]
