"""The browser screen's part about regions: every region at once (the regions that have an
image, their free cards, acting in an image's own region), moving to another region, and
how a failure is said (the regions that failed, each on a line)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from .. import cache
from ..connection import DEMO_PROFILE, Connection
from ..i18n import N_, _
from ..widgets.detail_pane import DetailPane
from ..widgets.merged_source import RETRY_FAILED, MergedSource, RegionsFailed
from ..widgets.region_facts import render_where
from .region_picker import ALL_REGIONS, RegionPicker

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..api.drivers import ScnetClient
    from ..api.models import Image
    from ..demo.server import DemoServer
    from ..widgets.catalog_source import CatalogSource


# Back on the images after this long, the free cards are asked again; their age is said anew this often.
CAPACITY_AGAIN_SECONDS = 5
FACTS_AGE_SECONDS = 15


class RegionsMixin:
    """Mixed into `BrowserScreen` (whose attributes these are)."""

    source: CatalogSource | MergedSource
    regional: bool
    _clock: Callable[[], datetime] | None
    _has_loaded: bool
    _cached_at: float | None

    if TYPE_CHECKING:
        connection: Connection
        app: object

        def client(self) -> ScnetClient: ...
        def query_one(self, selector: object, expect_type: object = None) -> object: ...
        def report(self, *args: object, **kwargs: object) -> None: ...
        services: Any

        def load_images(self, switch_to: Connection | None = None) -> None: ...
        def _update_empty_message(self, failed: bool = False) -> None: ...

    # --- every region at once -----------------------------------------------------

    def _facts(self, image: Image) -> RenderableType:
        """The regions that have `image`, and their free cards (every region shown)."""
        source = self.source
        assert isinstance(source, MergedSource)
        regions = source.regions
        return render_where(image, source.holders_of(image), source.capacity,
                            lambda label: regions[label].cluster_id if label in regions else "")

    def _free_cards_of(self, image: Image) -> dict[str, Any]:
        """What the launch form needs to say the free cards of `image`'s region (every region shown)."""
        if not isinstance(self.source, MergedSource) or image.region not in self.source.regions:
            return {}
        return {"capacity": self.source.capacity, "cluster_id": self.source.regions[image.region].cluster_id}

    def on_merged_source_capacity_read(self) -> None:
        self.query_one(DetailPane).refresh_facts()

    def _facts_aged(self) -> None:
        """Every region shown: the free cards' age said as it grows (the pane said "asked 10 s
        ago" for minutes)."""
        if isinstance(self.source, MergedSource) and self.source.capacity is not None:
            self.query_one(DetailPane).refresh_facts()

    def on_screen_resume(self) -> None:
        """Back from another screen (a launch, the instances view): ask the free cards again, as
        launches and stops there change them."""
        source = self.source
        if isinstance(source, MergedSource) and source.capacity is not None \
                and time.time() - source.capacity.asked_at >= CAPACITY_AGAIN_SECONDS:
            source.read_capacity()

    def _region_of(self, image: Image) -> tuple[Connection, ScnetClient]:
        """Where to act on `image`: the region it was listed in."""
        if isinstance(self.source, MergedSource):
            return self.source.connection_of(image.region), self.source.client_of(image.region)
        return self.connection, self.client()

    def action_switch_region(self) -> None:
        if self.regional:
            current = ALL_REGIONS
        else:
            current = DEMO_PROFILE if self.connection.demo else self.connection.settings.profile

        def chosen(choice: Connection | str | None) -> None:
            if choice == ALL_REGIONS:
                self._show_every_region()
            elif isinstance(choice, Connection):
                if self.regional:  # from every region to one: a screen of its own, on that connection
                    services = self.services
                    previous = services.connection
                    services.adopt_connection(choice)  # closed on exit
                    if previous is not None and previous is not choice:
                        previous.close()  # the demo API every region was the demo's, when it was
                    self.app.switch_screen(self.__class__(choice, clock=self._clock))
                else:  # load its catalog, and move there once it answers
                    self.load_images(switch_to=choice)

        self.app.push_screen(RegionPicker(current, clock=self._clock), chosen)

    def _show_every_region(self) -> None:
        from ..api.errors import ScnetError
        from ..regions import every_region

        try:
            regions = every_region(self.connection.settings, demo_server=self.app_demo_server())
        except ScnetError as error:
            self.report(error, self.connection.token)
            return
        self.app.switch_screen(self.__class__(self.connection, clock=self._clock, regions=regions))

    def app_demo_server(self) -> DemoServer | None:
        """The demo API this app runs (its regions are the demo's "every region"), if any."""
        connection = self.services.connection
        return connection.demo_server if connection is not None else None

    def _show_error(self, error: BaseException, switching_to: str = "", *, withdrawn: bool = False) -> None:
        kept = self._has_loaded or self._cached_at is not None  # else the banner says nothing is kept
        if isinstance(error, RegionsFailed):
            # Every region shown: the failed ones, each on a line; the banner says the others are
            # shown (whether their catalogs came first or not), so no toast covers the table.
            self.report(error, self.connection.token, again=RETRY_FAILED, kept=False)
        elif switching_to:
            label = self.connection.label
            context: Callable[[], str] | str = lambda: _("Still showing {current}: could not switch to {target}.").format(
                current=label, target=switching_to)
            self.report(error, self.connection.token, context, again=N_("p to try again"), kept=kept)
        elif withdrawn:
            self.report(error, self.connection.token, lambda: _(
                "The cached catalog is no longer shown: the server refused this token."), kept=False)
        elif self._cached_at is not None:
            cached_at = self._cached_at
            self.report(error, self.connection.token, lambda: _(
                "Showing the catalog cached {age}: the server could not be asked.").format(
                age=cache.describe_age(time.time() - cached_at)))
        else:
            self.report(error, self.connection.token, kept=kept)
        if not self._has_loaded:
            self._update_empty_message(failed=True)
