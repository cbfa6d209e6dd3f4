"""The main screen: filters, the image table, the details pane, copying.

Network work runs in one exclusive worker, so a newer request cancels an
older one; every failure ends in `on_worker_state_changed`, the single place
that turns errors into what the user sees.
"""

from __future__ import annotations

import gc
import time
from datetime import datetime
from functools import partial
from typing import Callable, NamedTuple

from textual import on, work
from textual.message import Message
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Select
from textual.worker import Worker, WorkerState

from .. import cache
from ..api.drivers import ScnetClient
from ..api.errors import ScnetError
from ..api.images import list_warnings
from ..api.models import Image, ImageList
from ..catalog import SORT_FIELDS, ImageView, SortedSearch, parse_terms
from ..clipboard import path_to_copy
from ..connection import DEMO_PROFILE, Connection
from ..safe_text import printable
from ..widgets.connection_header import ConnectionHeader
from ..widgets.detail_pane import NARROW_WIDTH, DetailPane
from ..widgets.empty_message import EmptyMessage
from ..widgets.error_banner import ErrorBanner, error_message, error_title
from ..widgets.filter_bar import ALL, FilterBar
from ..widgets.image_table import COLUMNS, ImageTable
from ..widgets.status_line import StatusLine
from .browser_keys import BROWSER_KEYS
from .copy_menu import CopyMenu
from .containers import ContainersScreen
from .help import HelpScreen
from .launch_form import LaunchForm
from .region_picker import RegionPicker

class _Loaded(NamedTuple):
    """What a load brings back: the list, and for a region switch the connection it came
    through (adopted only when the list is shown)."""

    result: ImageList
    connection: Connection | None = None


class _Progress(Message):
    """Images received so far (sent from the loading thread; only the newest matters)."""

    def __init__(self, received: int, expected: int | None) -> None:
        super().__init__()
        self.received, self.expected = received, expected

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, _Progress)




class BrowserScreen(Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]

    BINDINGS = BROWSER_KEYS

    def __init__(self, connection: Connection, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.connection = connection
        self._clock = clock
        self._client: ScnetClient | None = None
        self._catalog = SortedSearch()
        self._skipped = 0
        self._has_loaded = False
        self._load_worker: Worker[_Loaded] | None = None
        self._switching_to = ""  # the profile a running load is switching to, for its messages
        self._reloading = False  # `r` asked: say how it went
        self._cached_at: float | None = None  # the shown catalog is the cached one, from then
        self.accelerator: str | None = None
        self.image_type: str | None = None
        self.search_text = ""
        self.sort_field = "created"
        self.descending = True

    @property
    def _loaded(self) -> list[Image]:
        return self._catalog.images

    @property
    def _visible(self) -> ImageView:
        return self._catalog.visible

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ConnectionHeader(self.connection, clock=self._clock)
        yield FilterBar()
        yield ErrorBanner()
        with Horizontal(id="main"):
            with Vertical(id="table-area"):
                yield ImageTable()
                yield EmptyMessage()
            yield DetailPane()
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ImageTable).focus()
        cached = self._show_cached()
        self._update_status()
        if cached:
            # Paint the cached rows first: the server's answer is decoded on a thread, but a large
            # one holds the interpreter for a moment, which would hold this first paint too.
            self.call_after_refresh(self.load_images)
        else:
            self.load_images()

    def _cache_key(self, connection: Connection | None = None) -> str:
        settings = (connection or self.connection).settings
        return cache.key_of(settings.base_url, settings.profile, settings.demo)

    def _show_cached(self) -> bool:
        """The region's catalog as it was last fetched, shown at once while the server is asked."""
        cached, problem = cache.load(self._cache_key())
        if problem:
            self.notify(printable(problem), title="Cache", severity="warning", markup=False)
        if cached is None or not cached.answers(None, None):
            return False
        self._cached_at = cached.saved_at
        self._apply_result(ImageList(cached.images))
        return True

    def on_resize(self) -> None:
        self._apply_details_visibility()

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    # --- loading --------------------------------------------------------------

    def _scope(self) -> str:
        # The filter values may be ones the server sent: printable, like all its data.
        return printable(f"{self.accelerator or 'all accelerators'}, {self.image_type or 'all types'}")

    def load_images(self, switch_to: Connection | None = None) -> None:
        """Ask the server (in the background); with `switch_to`, ask that connection's
        server and move to it only once it has answered."""
        self._switching_to = switch_to.short_label if switch_to is not None else ""
        where = f" from {self._switching_to}" if switch_to is not None else ""
        self.query_one(StatusLine).set_loading(printable(f"Loading {self._scope()}{where}…"))
        self._load_worker = self._fetch(self.accelerator, self.image_type, switch_to)

    def client(self) -> ScnetClient:
        """The client of the current connection (made on first use)."""
        if self._client is None:
            self._client = self.connection.client()
        return self._client

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _fetch(self, accelerator: str | None, image_type: str | None, switch_to: Connection | None) -> _Loaded:
        """On a thread, with the sync client: decoding and parsing 100,000 images must not hold
        the screen still, and a cached catalog may be in use while this runs."""
        connection = switch_to or self.connection
        try:
            with connection.sync_client() as client:
                result = client.list_images(
                    accelerator, image_type, progress=lambda got, of: self.post_message(_Progress(got, of))
                )
        except BaseException:  # failed or cancelled: stay where we were, with what is shown
            if switch_to is not None:
                switch_to.close()
            raise
        if switch_to is not None and get_current_worker().is_cancelled:
            switch_to.close()  # a newer load replaced this switch: its connection is not wanted
        return _Loaded(result, switch_to)

    def _adopt(self, loaded: _Loaded) -> None:
        """Move to the connection a switch loaded from (its catalog is about to be shown)."""
        assert loaded.connection is not None
        old_client, old_connection = self._client, self.connection
        self._client, self.connection = None, loaded.connection
        self.app.adopt_connection(loaded.connection)  # type: ignore[attr-defined]  # closed on exit
        old_connection.close()
        if old_client is not None:
            self.run_worker(old_client.aclose(), group="close", exit_on_error=False)

    def on__progress(self, message: _Progress) -> None:
        of = f" of {message.expected:,}" if message.expected else ""
        where = f" from {self._switching_to}" if self._switching_to else ""
        self.query_one(StatusLine).set_loading(
            printable(f"Loading {self._scope()}{where}… {message.received:,}{of} images"))

    def _progress(self, received: int, expected: int | None) -> None:
        self.on__progress(_Progress(received, expected))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a load's outcome reaches the screen."""
        loaded = event.worker.result if event.state == WorkerState.SUCCESS else None
        switched = isinstance(loaded, _Loaded) and loaded.connection is not None
        if event.worker is not self._load_worker:
            if switched:  # a switch that finished just as a newer load replaced it: not wanted
                loaded.connection.close()  # type: ignore[union-attr]
            return
        if switched:
            self._adopt(loaded)  # type: ignore[arg-type]
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.query_one(StatusLine).set_loading(None)
            self._show_connection()
        if isinstance(loaded, _Loaded):
            self._cached_at = None
            self._apply_result(loaded.result)
            self._keep(loaded.result)
        elif event.state == WorkerState.ERROR:
            self._show_error(event.worker.error)
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self._switching_to = ""
            self._reloading = False

    def _keep(self, result: ImageList) -> None:
        """Cache a whole, unfiltered catalog for the next start (on a thread: 100,000 images
        take a while to write, in short frames the screen does not notice)."""
        if result.missing or result.cut_short or self.accelerator or self.image_type:
            return
        kept = cache.Cached(result.images, time.time(), ("", ""), self.connection.short_label)
        self.run_worker(partial(cache.save, self._cache_key(), kept), thread=True, group="cache", exit_on_error=False)

    def _show_connection(self) -> None:
        """The header follows the connection (switched, token renewed); notices become toasts."""
        connection = self.connection
        self.query_one(ConnectionHeader).show(connection)
        for notice in connection.notices:
            self.notify(printable(notice), title="Token", timeout=8, markup=False)
        connection.notices.clear()

    def _show_error(self, error: BaseException | None) -> None:
        if error is None:
            return
        if isinstance(error, ScnetError):  # what it quotes of the server may quote the token
            error.redacted((self.connection.token,))
        if self._switching_to:
            context = f"Still showing {self.connection.label}: could not switch to {self._switching_to}."
            self.query_one(ErrorBanner).show_error(error, context, again="p to try again")
        elif self._cached_at is not None:
            context = f"Showing the catalog cached {cache.describe_age(time.time() - self._cached_at)}: the server could not be asked."
            self.query_one(ErrorBanner).show_error(error, context)
        else:
            self.query_one(ErrorBanner).show_error(error)
        self.notify(printable(error_message(error)), title=error_title(error), severity="error", timeout=8,
                    markup=False)
        if not self._has_loaded:
            self._update_empty_message(failed=True)

    def _apply_result(self, result: ImageList | None) -> None:
        if result is None:
            return
        table = self.query_one(ImageTable)
        place = table.highlighted_image if self._has_loaded else None  # kept across a refresh
        self._has_loaded = True
        self._catalog.replace(result.images)
        # The catalog lives until the next load and holds no reference cycles: move it out of
        # the cyclic GC's reach, or each full collection walks 100,000 images mid-keystroke.
        gc.freeze()
        self._skipped = result.skipped
        self.query_one(ErrorBanner).clear()
        accelerators = {a for image in self._loaded for a in image.accelerators}
        image_types = {image.type for image in self._loaded}
        self.query_one(FilterBar).learn(accelerators, image_types)
        self.query_one(ImageTable).measure(self._loaded)
        self._apply_details_visibility()  # the pane beside the table takes what its columns leave
        self._resort()
        if place is not None:
            table.follow(place)
        if self._reloading:
            self.notify(f"Reloaded: {len(self._loaded):,} images", timeout=2)
        for warning in list_warnings(result):
            self.notify(printable(warning) + ".", title="Incomplete list", severity="warning", timeout=10,
                        markup=False)

    # --- filtering and sorting (no I/O: every keystroke comes through here) -----

    def _resort(self) -> None:
        self._catalog.sort(self.sort_field, self.descending)
        self._refilter()

    def _refilter(self) -> None:
        visible = self._catalog.search(self.search_text)
        self.query_one(ImageTable).show(visible, self.sort_field, self.descending)
        self._update_empty_message()
        self._update_status()

    def _update_status(self) -> None:
        notes = [f"{self._skipped} unusable item(s) skipped" if self._skipped else "",
                 f"cached {cache.describe_age(time.time() - self._cached_at)}" if self._cached_at is not None else ""]
        note = " · ".join(filter(None, notes))
        self.query_one(StatusLine).set_counts(
            len(self._visible), len(self._loaded), self.sort_field, self.descending, self._scope(), note
        )

    def _update_empty_message(self, failed: bool = False) -> None:
        self.query_one(EmptyMessage).explain(
            shown=len(self._visible),
            loaded=len(self._loaded) if self._has_loaded else None,
            failed=failed,
            scope=self._scope(),
            search=self.search_text,
        )

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        unchanged = parse_terms(event.value) == parse_terms(self.search_text)
        self.search_text = event.value
        if not unchanged:
            self._refilter()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self._focus(self.query_one(ImageTable))

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        value = None if event.value in (ALL, Select.BLANK) else str(event.value)
        if event.select.id == "accelerator" and value != self.accelerator:
            self.accelerator = value
        elif event.select.id == "image-type" and value != self.image_type:
            self.image_type = value
        else:
            return
        self._update_status()
        self.load_images()

    def on_image_table_sort_requested(self, event: ImageTable.SortRequested) -> None:
        self.sort_by(event.field)

    # --- details ----------------------------------------------------------------

    def on_image_table_image_highlighted(self, event: ImageTable.ImageHighlighted) -> None:
        self.query_one(DetailPane).show(event.image)
        table = self.query_one(ImageTable)
        self.query_one(StatusLine).set_position(table.cursor_row + 1, table.row_count)

    def on_image_table_image_chosen(self, event: ImageTable.ImageChosen) -> None:
        self.app.copy_text("path", path_to_copy(event.image.path))  # type: ignore[attr-defined]

    def _apply_details_visibility(self) -> None:
        self.query_one(DetailPane).fit(self.size, self.query_one(ImageTable).natural_width)

    def _highlighted(self) -> Image | None:
        image = self.query_one(ImageTable).highlighted_image
        if image is None:
            self.notify("No image is highlighted.", severity="warning")
        return image

    # --- actions ------------------------------------------------------------------

    def action_copy_path(self) -> None:
        image = self._highlighted()
        if image is not None:
            self.app.copy_text("path", path_to_copy(image.path))  # type: ignore[attr-defined]

    def action_copy_menu(self) -> None:
        image = self._highlighted()
        if image is not None:
            self.app.push_screen(CopyMenu(image), lambda chosen: chosen and self.app.copy_text(*chosen))

    def action_launch(self) -> None:
        image = self._highlighted()
        if image is None:
            return

        def launched(instance_id: str | None) -> None:
            if instance_id:
                self.notify(f"Launched {printable(instance_id)}; following it until it runs.", title="Launch",
                            markup=False)
                self._open_instances(follow=instance_id)

        self.app.push_screen(LaunchForm(image, self.client(), self.connection.short_label, clock=self._clock),
                             launched)

    def action_instances(self) -> None:
        self._open_instances()

    def _open_instances(self, follow: str = "") -> None:
        self.app.push_screen(ContainersScreen(self.connection, self.client(), follow=follow, clock=self._clock))

    def action_reload(self) -> None:
        self._reloading = True
        self.load_images()

    def action_switch_region(self) -> None:
        current = DEMO_PROFILE if self.connection.demo else self.connection.settings.profile

        def chosen(connection: Connection | None) -> None:
            if connection is not None:  # load its catalog, and move there once it answers
                self.load_images(switch_to=connection)

        self.app.push_screen(RegionPicker(current, clock=self._clock), chosen)

    def action_cycle_sort(self) -> None:
        index = SORT_FIELDS.index(self.sort_field) if self.sort_field in SORT_FIELDS else -1
        columns = [key for key, _, _ in COLUMNS]
        following = [key for key in columns if SORT_FIELDS.index(key) > index]
        self.sort_field = (following or columns)[0]
        self.descending = self.sort_field == "created"
        self._resort()
        self.notify(f"Sorted by {self.sort_field}", timeout=1.5)

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Besides the keys: "Sort by <column>" for each column, in the command palette."""
        return [
            (f"Sort by {title.lower()}", f"Sort the images by {title.lower()} (again to reverse)",
             partial(self.sort_by, key))
            for key, title, _ in COLUMNS
        ]

    def sort_by(self, field: str) -> None:
        """Sort by `field`; by the same field again, the other way round."""
        if field == self.sort_field:
            self.descending = not self.descending
        else:
            self.sort_field, self.descending = field, field == "created"
        self._resort()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self._resort()

    def action_toggle_details(self) -> None:
        self.query_one(DetailPane).toggle()

    def _focus(self, widget: Widget) -> None:
        """Focus now, not on the next idle, so the very next key already goes to `widget`."""
        self.set_focus(widget)

    def action_focus_search(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search:
            search.insert_text_at_cursor("/")  # priority took the key from the box: paths hold slashes
        else:
            self._focus(search)

    def action_focus_table(self) -> None:
        self._focus(self.query_one(ImageTable))

    def action_open_filter(self, which: str) -> None:
        """`a`/`t`: open the filter's list at once (Enter picks, Esc closes)."""
        select = self.query_one(f"#{which}", Select)
        self._focus(select)
        select.expanded = True

    def action_clear_search(self) -> None:
        """Esc: clear the search; with nothing to clear, stop a load in progress."""
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        elif self._load_worker is not None and not self._load_worker.is_finished:
            self._load_worker.cancel()
            self.notify("Stopped loading; what was shown stays. Press r to ask again.", timeout=4)
        self._focus(self.query_one(ImageTable))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([*self.BINDINGS, *self.app.BINDINGS]))  # type: ignore[list-item]
