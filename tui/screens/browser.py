"""The main screen: filters, the image table, the details pane, copying.

Its catalog comes from a `CatalogSource` it owns (the cache, the server, a region switch),
which announces what it has with messages: `Loaded`, `Progress`, `Failed`, `Settled`.
"""

from __future__ import annotations

import time
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select

from .. import cache
from ..api.images import list_warnings
from ..api.models import Image, ImageList
from ..catalog import ImageView, Prepared, SortedSearch, parse_terms, prepare
from ..columns import COLUMNS, FIELD, SORT_FIELDS
from ..clipboard import path_to_copy
from ..connection import Connection
from ..i18n import _, ngettext
from ..safe_text import printable
from ..widgets.catalog_source import FIRST_SORT, CatalogSource
from ..widgets.merged_source import MergedSource
from ..widgets.connection_header import ConnectionHeader
from ..widgets.detail_pane import NARROW_WIDTH, DetailPane
from ..widgets.empty_message import EmptyMessage
from ..widgets.error_banner import RETRY, ErrorBanner
from ..widgets.filter_bar import ALL, FilterBar
from ..widgets.image_table import ImageTable
from ..widgets.key_footer import KeyFooter
from ..widgets.status_line import StatusLine
from .base import AppScreen, PaletteCommand
from .browser_keys import BROWSER_GIVES_WAY, BROWSER_KEYS
from .browser_regions import FACTS_AGE_SECONDS, RegionsMixin
from .copy_menu import CopyMenu
from .help import HelpScreen

if TYPE_CHECKING:

    from ..api.drivers import ScnetClient
    from ..regions import RegionRef
    from ..widgets.launch_source import Launched

class BrowserScreen(RegionsMixin, AppScreen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]

    BINDINGS = BROWSER_KEYS
    FOOTER_GIVES_WAY = BROWSER_GIVES_WAY

    def __init__(self, connection: Connection, *, clock: Callable[[], datetime] | None = None,
                 regions: Sequence[RegionRef] | None = None) -> None:
        """One region's catalog (`connection`'s), or with `regions`, every one of theirs at once."""
        super().__init__()
        self._clock = clock
        self.regional = regions is not None
        self.source: CatalogSource | MergedSource = (
            MergedSource(regions, sort=FIRST_SORT) if regions is not None else CatalogSource(connection, sort=FIRST_SORT))
        self._catalog = SortedSearch()
        self._skipped = 0
        self._has_loaded = False
        self._reloading = False  # `r` asked: say how it went
        self._cached_at: float | None = None  # the shown catalog is the cached one, from then
        self.accelerator: str | None = None
        self.image_type: str | None = None
        self.search_text = ""
        self.sort_field, self.descending = FIRST_SORT

    @property
    def connection(self) -> Connection:
        """The region shown (the source's: it moves to a region switched to once it answers)."""
        return self.source.connection

    @property
    def loaded_images(self) -> list[Image]:
        """The whole catalog shown, before the search."""
        return self._catalog.images

    @property
    def shown_images(self) -> ImageView:
        """The images the search leaves, in the order shown. (Not `visible`: Textual's own.)"""
        return self._catalog.visible

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.source
        yield ConnectionHeader(self.connection, clock=self._clock,
                               everywhere=len(self.source.regions) if isinstance(self.source, MergedSource) else 0)
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
        if isinstance(self.source, MergedSource):
            self.query_one(DetailPane).facts = self._facts
            self.set_interval(FACTS_AGE_SECONDS, self._facts_aged)
        self.query_one(ImageTable).focus()
        self._update_status()
        self.source.start()  # the cached catalog, then the server (messages below)
        if self.source.reading_cache:
            self.query_one(StatusLine).set_loading(_("Reading the cached catalog…"))

    def on_resize(self) -> None:
        self._apply_details_visibility()

    def client(self) -> ScnetClient:
        """The async client of the region shown."""
        return self.source.client()

    def load_images(self, switch_to: Connection | None = None) -> None:
        """Ask the server for the filters chosen (in the background); with `switch_to`, that
        connection's server, moving there once it has answered."""
        self.source.load(self.accelerator, self.image_type, switch_to=switch_to)

    # --- what the source announces ------------------------------------------------

    @on(CatalogSource.Progress)
    def _loading(self, message: CatalogSource.Progress) -> None:
        self.query_one(StatusLine).set_progress(self._scope(), self.source.switching_to, message.received,
                                                message.expected)

    @on(CatalogSource.Loaded)
    def _loaded(self, message: CatalogSource.Loaded) -> None:
        self._cached_at = message.cached_at
        self._show_catalog(message.prepared, keep_error=message.keep_error)

    @on(CatalogSource.Failed)
    def _failed(self, message: CatalogSource.Failed) -> None:
        if message.withdrawn:  # the token was refused: the cached catalog is not this token's to see
            self._cached_at, self._reloading = None, False  # and no "Reloaded: 0 images"
            self._show_catalog(prepare(ImageList(()), self.sort_field, self.descending))
            self._has_loaded = False
        self._show_error(message.error, message.switching_to, withdrawn=message.withdrawn)
        self.source.warm(self._catalog.images)  # the catalog that stays (the cached one), now the load is over

    @on(CatalogSource.Settled)
    def _settled(self, message: CatalogSource.Settled) -> None:
        self.query_one(StatusLine).set_loading(_("Reading the cached catalog…") if self.source.reading_cache else None)
        self.query_one(ConnectionHeader).show(self.connection)  # switched, or its token renewed
        self._reloading = False

    def _show_catalog(self, prepared: Prepared, *, keep_error: bool = False) -> None:
        """Show a loaded catalog (prepared on its loading thread). A server's answer clears the
        error banner; the rest of the cached catalog (`keep_error`) does not, since the
        server's failure still stands."""
        result = prepared.result
        table = self.query_one(ImageTable)
        # Kept across a refresh, unless the cursor is on the first row: then the first row stays first.
        place = table.highlighted_image if self._has_loaded and table.cursor_row > 0 else None
        self._has_loaded = True
        replaced = self._catalog.images  # freed on a thread, below
        self._catalog.replace(prepared.images, prepared.sorted_by, prepared.rows_by_id)
        self._skipped = result.skipped
        if not keep_error:
            self.query_one(ErrorBanner).clear()
        self.query_one(FilterBar).learn(prepared.accelerators, prepared.image_types)
        self.query_one(ImageTable).measure(prepared.images, prepared.widths)
        self._apply_details_visibility()  # the pane beside the table takes what its columns leave
        at_top = table.cursor_row == 0
        self._resort()
        if place is not None:
            table.follow(place)
        elif at_top and table.cursor_row:
            table.move_cursor(0)  # the same image moved down (rows came in above it): the top stays shown
        self.source.settle_catalog(self._catalog.images, replaced)
        if self._reloading:
            count = len(self.loaded_images)
            self.notify(ngettext("Reloaded: {count:,} image", "Reloaded: {count:,} images", count).format(count=count),
                        timeout=2)
        for warning in list_warnings(result):
            # Translators: a warning about the list, as a sentence (the warning is already translated).
            self.notify(printable(_("{warning}.").format(warning=warning)), title=_("Incomplete list"),
                        severity="warning", timeout=10, markup=False)

    # --- filtering and sorting (no I/O: every keystroke comes through here) -----

    def _resort(self) -> None:
        self.source.sort = (self.sort_field, self.descending)  # a catalog still to come is prepared so
        self._catalog.sort(self.sort_field, self.descending)
        self._refilter()

    def _refilter(self) -> None:
        visible = self._catalog.search(self.search_text)
        self.query_one(ImageTable).show(visible, self.sort_field, self.descending)
        self._update_empty_message()
        self._update_status()

    def _update_status(self) -> None:
        notes = [
            ngettext("{count} unusable item skipped", "{count} unusable items skipped", self._skipped).format(
                count=self._skipped) if self._skipped else "",
            _("cached {age}").format(age=cache.describe_age(time.time() - self._cached_at))
            if self._cached_at is not None else "",
        ]
        note = " · ".join(filter(None, notes))
        self.query_one(StatusLine).set_counts(
            len(self.shown_images), len(self.loaded_images),
            _(FIELD[self.sort_field].name) if self.sort_field in FIELD else self.sort_field,
            self.descending, self._scope(), note
        )

    def _update_empty_message(self, failed: bool = False) -> None:
        self.query_one(EmptyMessage).explain(
            shown=len(self.shown_images),
            loaded=len(self.loaded_images) if self._has_loaded else None,
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
        self.set_focus(self.query_one(ImageTable))

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
        self.services.copy_text(_("path"), path_to_copy(event.image.path))

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
            self.services.copy_text(_("path"), path_to_copy(image.path))

    def action_copy_menu(self) -> None:
        image = self._highlighted()
        if image is not None:
            self.app.push_screen(CopyMenu(image), lambda chosen: chosen and self.services.copy_text(*chosen))

    def action_launch(self) -> None:
        image = self._highlighted()
        if image is None:
            return
        from .launch_form import LaunchForm  # the container screens load when first used

        connection, client = self._region_of(image)

        def launched(outcome: Launched | None) -> None:
            if outcome is not None:  # sent: the instances view follows it, or looks for it
                self._open_instances(connection, client, launched=outcome)

        self.app.push_screen(LaunchForm(image, client, connection.short_label, clock=self._clock,
                                        home=connection.settings.home_path, **self._free_cards_of(image)), launched)

    def action_instances(self) -> None:
        """The instances of the region shown (every region shown: of the highlighted image's)."""
        image = self.query_one(ImageTable).highlighted_image
        connection, client = self._region_of(image) if image is not None else (self.connection, self.client())
        self._open_instances(connection, client)

    def _open_instances(self, connection: Connection, client: ScnetClient, launched: Launched | None = None) -> None:
        from .containers import ContainersScreen  # the container screens load when first used

        self.app.push_screen(ContainersScreen(connection, client, launched=launched, clock=self._clock))

    def action_reload(self) -> None:
        self._reloading = True
        self.load_images()

    def action_cycle_sort(self) -> None:
        index = SORT_FIELDS.index(self.sort_field) if self.sort_field in SORT_FIELDS else -1
        columns = [column.key for column in COLUMNS if self.regional or column.key != "region"]
        following = [key for key in columns if SORT_FIELDS.index(key) > index]
        self.sort_field = (following or columns)[0]
        self.descending = self.sort_field == "created"
        self._resort()
        self.notify(_("Sorted by {field}").format(field=_(FIELD[self.sort_field].name)), timeout=1.5)

    def palette_commands(self) -> list[PaletteCommand]:
        """Besides the keys: "Sort by <column>" for each column, in the command palette."""
        return [
            (_("Sort by {field}").format(field=_(column.name)),
             _("Sort the images by {field} (again to reverse)").format(field=_(column.name)),
             partial(self.sort_by, column.key))
            for column in COLUMNS if self.regional or column.key != "region"
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

    def action_focus_search(self) -> None:
        """`/` (focus is set at once, not on the next idle, here and below: the very next key goes there)."""
        search = self.query_one("#search", Input)
        if self.focused is search:
            search.insert_text_at_cursor("/")  # priority took the key from the box: paths hold slashes
        else:
            self.set_focus(search)

    def action_focus_table(self) -> None:
        self.set_focus(self.query_one(ImageTable))

    def action_open_filter(self, which: str) -> None:
        """`a`/`t`: open the filter's list at once (Enter picks, Esc closes)."""
        select = self.query_one(f"#{which}", Select)
        self.set_focus(select)
        select.expanded = True

    def action_clear_search(self) -> None:
        """Esc: clear the search; with nothing to clear, stop a load in progress."""
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        elif self.source.stop():
            self.notify(_("Stopped loading; what was shown stays. Press r to ask again."), timeout=4)
        self.set_focus(self.query_one(ImageTable))

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
        if self.source.loading:
            status.set_progress(self._scope(), self.source.switching_to)
        elif self.source.reading_cache:
            status.set_loading(_("Reading the cached catalog…"))
        elif self.query_one(ErrorBanner).again == RETRY:
            # The failure's own words were said in the old language: ask again, and the answer
            # (or the failure) is said in the new one. What is shown stays meanwhile.
            self.load_images()

    # --- how the loading is said ---------------------------------------------------

    def _scope(self) -> str:
        # The filter values may be ones the server sent: printable, like all its data.
        return printable(_("{accelerator}, {image_type}").format(
            accelerator=self.accelerator or _("all accelerators"), image_type=self.image_type or _("all types")))
