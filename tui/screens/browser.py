"""The main screen: filters, the image table, the details pane, copying.

How it loads its catalog (the cache, the server, their errors) is its other half,
`catalog_loading.py`.
"""

from __future__ import annotations

import gc
import threading
import time
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Select
from textual.worker import Worker

from .. import cache
from ..api.images import list_warnings
from ..api.models import Image, ImageList
from ..catalog import ImageView, SortedSearch, let_go, parse_terms, warm_sort_keys
from ..columns import COLUMNS, FIELD, SORT_FIELDS
from ..clipboard import path_to_copy
from ..connection import DEMO_PROFILE, Connection
from ..i18n import _, ngettext
from ..safe_text import printable
from ..widgets.connection_header import ConnectionHeader
from ..widgets.detail_pane import NARROW_WIDTH, DetailPane
from ..widgets.empty_message import EmptyMessage
from ..widgets.error_banner import RETRY, ErrorBanner, error_title
from ..widgets.filter_bar import ALL, FilterBar
from ..widgets.image_table import ImageTable
from ..widgets.key_footer import KeyFooter
from ..widgets.status_line import StatusLine
from .browser_keys import BROWSER_KEYS
from .catalog_loading import (
    FIRST_DESCENDING,
    FIRST_SORT,
    CatalogLoading,
    Prepared,
    chore,
    _Loaded,
    prepare,
)
from .copy_menu import CopyMenu
from .help import HelpScreen
from .region_picker import RegionPicker

if TYPE_CHECKING:
    from ..api.drivers import ScnetClient
    from .launch_form import Launched

# From this many images on, work after a load is worth a thread of its own (below it,
# warming sort keys or freeing the old catalog takes less than a frame).
LARGE_CATALOG = 2000


class BrowserScreen(CatalogLoading, Screen[None]):
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
        self._stop_waiting = threading.Event()
        self._switching_to = ""  # the profile a running load is switching to, for its messages
        self._reloading = False  # `r` asked: say how it went
        self._cached_at: float | None = None  # the shown catalog is the cached one, from then
        self._reading_cache = False  # its first rows are shown, the rest is being read
        self.accelerator: str | None = None
        self.image_type: str | None = None
        self.search_text = ""
        self.sort_field = FIRST_SORT
        self.descending = FIRST_DESCENDING

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
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(ImageTable).focus()
        cached = self._show_cached_head() or self._show_cached()
        self._update_status()
        if self._reading_cache:
            return  # the server is asked once the rest is read (`_show_cache_rest`), not beside it
        if cached:
            # Paint the cached rows first: the server's answer is decoded on a thread, but a large
            # one holds the interpreter for a moment, which would hold this first paint too.
            self.call_after_refresh(self.load_images)
        else:
            self.load_images()

    def on_resize(self) -> None:
        self._apply_details_visibility()

    async def on_unmount(self) -> None:
        self._stop_waiting.set()  # a loading thread waiting to retry stops waiting
        if self._client is not None:
            await self._client.aclose()

    def _apply_result(self, loaded: ImageList | Prepared | None, *, keep_error: bool = False) -> None:
        """Show a loaded catalog (prepared on its loading thread, or here when it is small).
        A server's answer clears the error banner; the rest of the cached catalog
        (`keep_error`) does not, since the server's failure still stands."""
        if loaded is None:
            return
        prepared = loaded if isinstance(loaded, Prepared) else prepare(loaded, self.sort_field, self.descending)
        result = prepared.result
        table = self.query_one(ImageTable)
        place = table.highlighted_image if self._has_loaded else None  # kept across a refresh
        self._has_loaded = True
        replaced = self._catalog.images  # freed on a thread, below
        self._catalog.replace(prepared.images, prepared.sorted_by, prepared.rows_by_id)
        self._skipped = result.skipped
        if not keep_error:
            self.query_one(ErrorBanner).clear()
        self.query_one(FilterBar).learn(prepared.accelerators, prepared.image_types)
        self.query_one(ImageTable).measure(prepared.images, prepared.widths)
        self._apply_details_visibility()  # the pane beside the table takes what its columns leave
        self._resort()
        if place is not None:
            table.follow(place)
        # The catalog and its lists (sorted, indexed) live until the next load and hold no
        # reference cycles: move them out of the cyclic GC's reach, or each collection walks
        # every 100,000-item list made here (15 ms a list) mid-keystroke.
        gc.freeze()
        if self._load_worker is None or not self._load_worker.is_running:  # else once the server's catalog is in
            self._warm_sort_keys()
        if len(replaced) > LARGE_CATALOG:  # the list holds the last reference to each image it replaced
            self.run_worker(partial(chore, let_go, replaced), thread=True, group="let-go", exit_on_error=False,
                            description="free the catalog replaced")
        if self._reloading:
            count = len(self._loaded)
            self.notify(ngettext("Reloaded: {count:,} image", "Reloaded: {count:,} images", count).format(count=count),
                        timeout=2)
        for warning in list_warnings(result):
            # Translators: a warning about the list, as a sentence (the warning is already translated).
            self.notify(printable(_("{warning}.").format(warning=warning)), title=_("Incomplete list"),
                        severity="warning", timeout=10, markup=False)

    # --- filtering and sorting (no I/O: every keystroke comes through here) -----

    def _resort(self) -> None:
        self._catalog.sort(self.sort_field, self.descending)
        self._refilter()

    def _refilter(self) -> None:
        visible = self._catalog.search(self.search_text)
        self.query_one(ImageTable).show(visible, self.sort_field, self.descending)
        self._update_empty_message()
        self._update_status()

    def _warm_sort_keys(self) -> None:
        """Compute the shown catalog's natural sort keys on a thread, after the paint (small
        catalogs sort at once anyway)."""
        images = self._catalog.images
        if len(images) > LARGE_CATALOG:
            self.call_after_refresh(self.run_worker, partial(chore, warm_sort_keys, images), thread=True,
                                    group="warm", exclusive=True, exit_on_error=False, description="warm the sort keys")

    def _update_status(self) -> None:
        notes = [
            ngettext("{count} unusable item skipped", "{count} unusable items skipped", self._skipped).format(
                count=self._skipped) if self._skipped else "",
            _("cached {age}").format(age=cache.describe_age(time.time() - self._cached_at))
            if self._cached_at is not None else "",
        ]
        note = " · ".join(filter(None, notes))
        self.query_one(StatusLine).set_counts(
            len(self._visible), len(self._loaded),
            _(FIELD[self.sort_field].name) if self.sort_field in FIELD else self.sort_field,
            self.descending, self._scope(), note
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
        self.app.copy_text(_("path"), path_to_copy(event.image.path))  # type: ignore[attr-defined]

    def _apply_details_visibility(self) -> None:
        self.query_one(DetailPane).fit(self.size, self.query_one(ImageTable).natural_width)

    def _highlighted(self) -> Image | None:
        image = self.query_one(ImageTable).highlighted_image
        if image is None:
            self.notify(_("No image is highlighted."), severity="warning")
        return image

    # --- actions ------------------------------------------------------------------

    def action_copy_path(self) -> None:
        image = self._highlighted()
        if image is not None:
            self.app.copy_text(_("path"), path_to_copy(image.path))  # type: ignore[attr-defined]

    def action_copy_menu(self) -> None:
        image = self._highlighted()
        if image is not None:
            self.app.push_screen(CopyMenu(image), lambda chosen: chosen and self.app.copy_text(*chosen))

    def action_launch(self) -> None:
        image = self._highlighted()
        if image is None:
            return

        def launched(outcome: Launched | None) -> None:
            if outcome is None:
                return
            if outcome.unsure is None:
                self.notify(_("Launched {instance}; following it until it runs.").format(
                    instance=printable(outcome.instance_id)), title=_("Launch"), markup=False)
                self._open_instances(follow=outcome.instance_id)
                return
            # It may (or very probably did) happen: the list shows whether, and nothing is sent again.
            self.notify(printable(outcome.unsure.message) + "\n" + _("The instances view shows whether it did."),
                        title=error_title(outcome.unsure), severity="warning", timeout=15, markup=False)
            self._open_instances(look_for=outcome.name)

        from .launch_form import LaunchForm  # the container screens load when first used

        self.app.push_screen(LaunchForm(image, self.client(), self.connection.short_label, clock=self._clock,
                                        home=self.connection.settings.home_path),
                             launched)

    def action_instances(self) -> None:
        self._open_instances()

    def _open_instances(self, follow: str = "", look_for: str = "") -> None:
        from .containers import ContainersScreen  # the container screens load when first used

        self.app.push_screen(ContainersScreen(self.connection, self.client(), follow=follow, look_for=look_for,
                                              clock=self._clock))

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
        columns = [column.key for column in COLUMNS]
        following = [key for key in columns if SORT_FIELDS.index(key) > index]
        self.sort_field = (following or columns)[0]
        self.descending = self.sort_field == "created"
        self._resort()
        self.notify(_("Sorted by {field}").format(field=_(FIELD[self.sort_field].name)), timeout=1.5)

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Besides the keys: "Sort by <column>" for each column, in the command palette."""
        return [
            (_("Sort by {field}").format(field=_(column.name)),
             _("Sort the images by {field} (again to reverse)").format(field=_(column.name)),
             partial(self.sort_by, column.key))
            for column in COLUMNS
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
            self.notify(_("Stopped loading; what was shown stays. Press r to ask again."), timeout=4)
        self._focus(self.query_one(ImageTable))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([*self.BINDINGS, *self.app.BINDINGS]))  # type: ignore[list-item]

    def retranslate(self) -> None:
        """Say everything again in the language now chosen; the catalog, the cursor, the search
        and the filters stay as they are."""
        self.query_one(ConnectionHeader).retranslate(self.connection)
        for widget in (self.query_one(FilterBar), self.query_one(ImageTable), self.query_one(DetailPane),
                       self.query_one(ErrorBanner), self.query_one(KeyFooter)):
            widget.retranslate()
        self._apply_details_visibility()
        self._update_status()
        self._update_empty_message(failed=self.query_one(EmptyMessage).failed)
        table, status = self.query_one(ImageTable), self.query_one(StatusLine)
        status.set_position(table.cursor_row + 1, table.row_count)
        if self._load_worker is not None and self._load_worker.is_running:
            status.set_loading(self._loading_text())
        elif self._reading_cache:
            status.set_loading(_("Reading the cached catalog…"))
        elif self.query_one(ErrorBanner).again == RETRY:
            # The failure's own words were said in the old language: ask again, and the answer
            # (or the failure) is said in the new one. What is shown stays meanwhile.
            self.load_images()

