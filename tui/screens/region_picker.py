"""`p`: move to another stored profile (a region) without restarting.

The picker lists the stored profiles (and the demo API) and dismisses with a connection
to the one chosen, or None; a profile that cannot be used is said here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..api.addresses import host_of
from ..api.errors import ScnetError
from ..api.token import describe_expiry
from ..config import config_path
from ..connection import DEMO_PROFILE as DEMO_CHOICE
from ..connection import connection_for_profile
from ..demo.accounts import DEMO_REGIONS
from ..i18n import N_, _
from ..profiles import StoredProfile, read_profiles
from ..safe_text import printable
from ..served import served


# The choice of every region at once (profile names cannot start with a colon).
ALL_REGIONS = ":all"


class RegionPicker(ModalScreen["Connection | str | None"]):
    """Dismisses with a connection to the chosen profile (or the demo), ALL_REGIONS, or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Close"), id="region-picker-close")]

    def __init__(self, current: str, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.problem = ""
        try:
            self.profiles: Sequence[StoredProfile] = read_profiles(config_path())
        except ScnetError as error:
            self.profiles, self.problem = [], str(error)
        if served():
            # Served to a web page: a visitor reaches no stored profile but the one being served.
            self.profiles = [profile for profile in self.profiles if profile.name == current]
        self.current = current
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def compose(self) -> ComposeResult:
        now = self._clock()
        options = []
        for profile in self.profiles:
            title = Text(printable(profile.region or profile.name), style="bold")
            if profile.region:
                title.append("  " + printable(profile.name), style="dim")
            details = [printable(profile.user), printable(host_of(profile.base_url))]
            if profile.expires_at is not None:
                details.append(_("token {expiry}").format(expiry=describe_expiry((profile.expires_at - now).total_seconds())))
            elif not profile.token and not profile.token_command:
                details.append(_("logged out"))
            options.append(self._option(profile.name, title, " · ".join(part for part in details if part)))
        demo = Text(_("Demo API"), style="bold")
        every = Text(_("All regions"), style="bold")
        if len(self.profiles) != 1:  # one profile: "all" is that one
            count = len(self.profiles) or len(DEMO_REGIONS)
            said = (_("{count} regions at once: where an image is, and where cards are free").format(count=count)
                    if self.profiles else _("the demo's {count} regions at once").format(count=count))
            options.insert(0, self._option(ALL_REGIONS, every, said))
        options.append(self._option(DEMO_CHOICE, demo, _("the embedded catalog, no account")))
        with Vertical(id="region-box") as box:  # the hint sits inside the same border as the list
            box.border_title = _("Region")
            box.border_subtitle = _("Enter switches · Esc closes")
            yield OptionList(*options, id="region-list")
            if not self.profiles:
                yield Static(
                    Text(_("No stored profiles yet. Run `scnet-images login` in a shell to add your regions.")),
                    id="region-hint",
                )

    def _option(self, choice: str, title: Text, details: str) -> Option:
        """Two lines, the second under the first, with a dot before the current choice."""
        here = choice == self.current
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)
        grid.add_column()
        grid.add_row(Text("●" if here else " ", style="bold green"), Text.assemble(title, "\n", (details, "dim")))
        return Option(grid, id=choice)

    def on_mount(self) -> None:
        if self.problem:
            self.notify(printable(self.problem), title=_("Configuration"), severity="error", markup=False)
        menu = self.query_one(OptionList)
        ids = [str(option.id) for option in menu.options]
        menu.highlighted = ids.index(self.current) if self.current in ids else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        name = str(event.option.id)
        if name == self.current:
            self.dismiss(None)
            return
        if name == ALL_REGIONS:
            self.dismiss(ALL_REGIONS)
            return
        try:
            connection = connection_for_profile(name)
        except ScnetError as error:
            self.notify(printable(str(error)), title=printable(_("Cannot switch to {profile}").format(profile=name)),
                        severity="error", markup=False)
            return
        self.dismiss(connection)
