"""Every region's catalog as one: a source that owns one `CatalogSource` per region.

Each region's source reads its cache first and then asks its server, a few regions at once
(`regions.IN_FLIGHT`: a gate the loading threads share); its images carry the region's label
(`Image.region`). What they announce stops here: this source merges the regions' images on
a thread (sorted as the screen shows them) and announces the merged catalog with the same
messages a single region's source does, so the screen shows it the same way. A region that
fails is kept in `failures` and said in one `Failed` that names every failing region; the
others are shown all the same, and `load` with the same filters asks only the failed ones
again. The free cards of every region (`api/capacity.py`) are asked beside the catalogs.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from ..api.errors import ScnetError
from ..api.models import Image, ImageList
from ..catalog import Prepared, prepare
from ..i18n import N_, _, ngettext
from ..regions import IN_FLIGHT, RegionRef, region_connection
from .catalog_source import FIRST_SORT, CatalogSource

if TYPE_CHECKING:
    from ..api.capacity import Capacity
    from ..api.drivers import ScnetClient
    from ..connection import Connection

# The key that asks the failed regions again, as the banner says it.
RETRY_FAILED = N_("r asks them again")


class Holder(NamedTuple):
    """A region that has an image: its label, and the image as listed there."""

    region: str
    image: Image


class RegionsFailed(ScnetError):
    """Some regions could not be asked (the others are shown): one line each."""

    def __init__(self, failures: dict[str, BaseException]) -> None:
        lines = []
        for label, error in failures.items():
            said = error.message if isinstance(error, ScnetError) else f"{type(error).__name__}: {error}"
            hint = error.hint if isinstance(error, ScnetError) else ""
            lines.append(_("{region}: {problem}").format(region=label, problem=said) + (f" → {hint}" if hint else ""))
        count = len(failures)
        title = ngettext("{count} region could not be asked; the others are shown:",
                         "{count} regions could not be asked; the others are shown:", count).format(count=count)
        super().__init__(title + "\n" + "\n".join(lines))
        self.failures = dict(failures)


def labels_of(regions: Sequence[RegionRef]) -> list[str]:
    """A label per region, told apart: its name, and the profile's when two share a name."""
    names = [region.name for region in regions]
    return [region.name if names.count(region.name) == 1 else f"{region.name} · {region.profile or region.cluster_id}"
            for region in regions]


class MergedSource(Widget):
    """The catalogs of `regions`, merged (see the module's docstring). Duck-types the parts of
    `CatalogSource` a screen uses, and posts `CatalogSource`'s messages."""

    DEFAULT_CSS = "MergedSource { display: none; }"

    class CapacityRead(Message):
        """The free cards of the regions, as the platform said them (or None: it did not)."""

        def __init__(self, capacity: Capacity | None) -> None:
            super().__init__()
            self.capacity = capacity

    def __init__(self, regions: Sequence[RegionRef], *, sort: tuple[str, bool] = FIRST_SORT) -> None:
        super().__init__()
        self._sort = sort
        self.regions = dict(zip(labels_of(regions), regions))
        gate = threading.BoundedSemaphore(IN_FLIGHT)
        self._parts: dict[str, CatalogSource] = {
            label: CatalogSource(region_connection(region), sort=sort, tag=label, gate=gate)
            for label, region in self.regions.items()
        }
        self._images: dict[str, list[Image]] = {}
        self._cached_at: dict[str, float | None] = {}
        self._received: dict[str, tuple[int, int | None]] = {}
        self.failures: dict[str, BaseException] = {}
        self.filters: tuple[str | None, str | None] = (None, None)
        self.switching_to = ""
        self.capacity: Capacity | None = None
        self.holders: dict[str, list[Holder]] = {}  # by name:tag, every region that has it
        self._merge_due = False

    def compose(self) -> ComposeResult:
        yield from self._parts.values()

    # --- what a screen asks (as of a CatalogSource) ----------------------------------------

    @property
    def sort(self) -> tuple[str, bool]:
        return self._sort

    @sort.setter
    def sort(self, value: tuple[str, bool]) -> None:
        self._sort = value
        for part in self._parts.values():
            part.sort = value

    @property
    def connection(self) -> Connection:
        """The first region's (the screen's header says "every region")."""
        return next(iter(self._parts.values())).connection

    def connection_of(self, label: str) -> Connection:
        """The connection of the region an image was listed in (its `region`)."""
        part = self._parts.get(label)
        return part.connection if part is not None else self.connection

    def client(self) -> ScnetClient:
        return next(iter(self._parts.values())).client()

    def client_of(self, label: str) -> ScnetClient:
        part = self._parts.get(label)
        return part.client() if part is not None else self.client()

    @property
    def loading(self) -> bool:
        return any(part.loading for part in self._parts.values())

    @property
    def asked(self) -> bool:
        return any(part.asked for part in self._parts.values())

    @property
    def reading_cache(self) -> bool:
        return any(part.reading_cache for part in self._parts.values())

    def start(self) -> None:
        for part in self._parts.values():
            part.start()
        self.read_capacity()

    def load(self, accelerator: str | None = None, image_type: str | None = None, *,
             switch_to: Any = None) -> None:
        """Ask again: with the same filters, only the regions that failed (all of them when none
        did); with other filters, every region."""
        again = (accelerator, image_type) == self.filters and self.failures
        self.filters = (accelerator, image_type)
        for label, part in self._parts.items():
            if not again or label in self.failures:
                part.load(accelerator, image_type)
        self.read_capacity()

    def stop(self) -> bool:
        return any([part.stop() for part in self._parts.values()])

    def warm(self, images: list[Image]) -> None:
        next(iter(self._parts.values())).warm(images)

    def settle_catalog(self, shown: list[Image], replaced: list[Image]) -> None:
        next(iter(self._parts.values())).settle_catalog(shown, replaced)

    async def wait_for_load(self) -> None:
        for part in self._parts.values():
            await part.wait_for_load()

    def holders_of(self, image: Image) -> list[Holder]:
        """Every region that has this image's name:tag (the same digest, when both say one)."""
        return [holder for holder in self.holders.get(image.version, [])
                if not (image.image_id and holder.image.image_id) or holder.image.image_id == image.image_id]

    # --- what the regions announce ------------------------------------------------------

    @on(CatalogSource.Loaded)
    def _region_loaded(self, message: CatalogSource.Loaded) -> None:
        if message.source is self:
            return  # the merged catalog, on its way to the screen
        message.stop()
        label = message.source.tag
        self._images[label] = message.prepared.images
        self._cached_at[label] = message.cached_at
        if message.cached_at is None:  # the server answered
            if self.failures.pop(label, None) is not None:
                self._say_failures()
        self._merge_soon()

    @on(CatalogSource.Failed)
    def _region_failed(self, message: CatalogSource.Failed) -> None:
        if message.source is self:
            return
        message.stop()
        self.failures[message.source.tag] = message.error
        if message.withdrawn and self._images.pop(message.source.tag, None) is not None:
            self._cached_at.pop(message.source.tag, None)
            self._merge_soon()  # its cached catalog is not that token's to see
        self._say_failures()

    @on(CatalogSource.Progress)
    def _region_progress(self, message: CatalogSource.Progress) -> None:
        if message.source is self:
            return
        message.stop()
        label = message.source.tag
        if message.received is None:
            self._received.pop(label, None)
        else:
            self._received[label] = (message.received, message.expected)
        received = sum(got for got, _of in self._received.values())
        expected = sum(of or 0 for _got, of in self._received.values()) or None
        self.post_message(CatalogSource.Progress(self, received if self._received else None, expected))  # type: ignore[arg-type]

    @on(CatalogSource.Settled)
    def _region_settled(self, message: CatalogSource.Settled) -> None:
        if message.source is self:
            return
        message.stop()
        if not self.loading:
            self._received.clear()
            self.post_message(CatalogSource.Settled(self))  # type: ignore[arg-type]

    def _say_failures(self) -> None:
        if self.failures:
            self.post_message(CatalogSource.Failed(self, RegionsFailed(self.failures)))  # type: ignore[arg-type]

    # --- merging ------------------------------------------------------------------------

    def _merge_soon(self) -> None:
        """Merge once the messages already waiting are handled (a start brings several at once)."""
        if not self._merge_due:
            self._merge_due = True
            self.call_later(self._merge)

    def _merge(self) -> None:
        self._merge_due = False
        parts = [self._images[label] for label in self._parts if label in self._images]
        self._merged(parts, self.sort)

    @work(thread=True, exclusive=True, group="merge", exit_on_error=False, description="merge the regions")
    def _merged(self, parts: list[list[Image]], sort: tuple[str, bool]) -> tuple[Prepared, dict[str, list[Holder]]] | None:
        images = tuple(image for part in parts for image in part)
        holders: dict[str, list[Holder]] = {}
        for image in images:
            holders.setdefault(image.version, []).append(Holder(image.region, image))
        worker = get_current_worker()
        prepared = prepare(ImageList(images), *sort)
        return None if worker.is_cancelled else (prepared, holders)  # None: a newer merge replaced it

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "merge" and event.state == WorkerState.SUCCESS and event.worker.result is not None:
            prepared, self.holders = event.worker.result
            cached = [moment for moment in self._cached_at.values() if moment is not None]
            self.post_message(CatalogSource.Loaded(self, prepared, cached_at=min(cached) if cached else None,  # type: ignore[arg-type]
                                                   keep_error=bool(self.failures)))
        elif event.worker.group == "capacity" and event.state == WorkerState.SUCCESS:
            self.capacity = event.worker.result
            self.post_message(self.CapacityRead(self.capacity))

    # --- free cards -----------------------------------------------------------------------

    def read_capacity(self) -> None:
        """Ask every region's free cards again (`CapacityRead` says what came)."""
        regions = list(self.regions.values())
        if any(region.settings.ac_url for region in regions):
            self._capacity(regions)

    @work(thread=True, exclusive=True, group="capacity", exit_on_error=False, description="read the free cards")
    def _capacity(self, regions: list[RegionRef]) -> Capacity | None:
        """The free cards of every region, from the first platform host that answers; None when
        none does (nothing is invented)."""
        from ..api.capacity import read_capacity
        from ..api.drivers import ScnetSyncClient

        for region in regions:
            settings = region.settings
            if not settings.ac_url:
                continue
            try:
                with ScnetSyncClient(settings.ac_url, settings.token, settings.options) as client:
                    return read_capacity(client, settings.ac_url, [r.cluster_id for r in regions])
            except ScnetError:
                continue
        return None

