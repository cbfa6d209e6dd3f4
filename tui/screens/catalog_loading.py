"""How the browser gets its catalog: from the cache at once, from the server on a thread.

`CatalogLoading` is the loading half of `BrowserScreen` (a mixin): the cached catalog of the
connection's account read on a thread, its first rows shown first (nothing of the cache is
read on the screen's thread: a slow disk, or a FIFO planted in its place, would hold the
screen still); the server asked by one exclusive worker,
so a newer request cancels an older one; every outcome of a load reaches the screen in
`on_worker_state_changed`, the single place that turns errors into what the user sees.
A catalog is sorted and measured on the thread that loaded it (`prepare`), so showing
100,000 images costs the screen little.
"""

from __future__ import annotations

import contextlib
import threading
import time
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from textual import work
from textual.message import Message
from textual.worker import Worker, WorkerState, get_current_worker

from .. import cache
from ..api.gc_pause import gc_paused
from ..api.errors import ScnetError
from ..api.models import Image, ImageList, split_accelerators
from ..catalog import rows_of, sort_images
from ..connection import Connection
from ..i18n import N_, _
from ..safe_text import printable
from ..widgets.connection_header import ConnectionHeader
from ..widgets.error_banner import ErrorBanner, error_message, error_title
from ..widgets.image_table import column_widths
from ..widgets.status_line import StatusLine

if TYPE_CHECKING:
    from ..api.drivers import ScnetClient
    from .browser import BrowserScreen

    _Base = BrowserScreen
else:
    _Base = object

# The order a start shows the catalog in (newest first), and so the order of a cache's head.
FIRST_SORT = "created"
FIRST_DESCENDING = True


class Prepared(NamedTuple):
    """A loaded catalog made ready on the loading thread (sorted, its filter values and
    column widths found), so that showing it costs the screen little: 100,000 images
    land between two keystrokes."""

    result: ImageList
    images: list[Image]  # in `sorted_by` order
    sorted_by: tuple[str, bool]
    accelerators: set[str]
    image_types: set[str]
    widths: list[int]
    rows_by_id: dict[int, int]  # `catalog.rows_of(images)`


def prepare(result: ImageList, field: str, descending: bool) -> Prepared:
    with gc_paused(keep=True):  # the sorted list and the row map live as long as the catalog
        images = sort_images(result.images, field, descending)
        spellings = {image.accelerator_type for image in images}  # a few, however many images
        accelerators = {kind for spelling in spellings for kind in split_accelerators(spelling)}
        return Prepared(result, images, (field, descending), accelerators, {image.type for image in images},
                        column_widths(images), rows_of(images))


# The chores after a load (writing the cache, warming the sort keys, freeing the catalog
# replaced) take turns: each is a few tenths of a second of work on a thread, and each
# thread busy at once takes its share of the interpreter from the screen's (a keystroke
# waits a slice for every busy thread).
_CHORES = threading.Lock()


def chore(work: Callable[..., None], *args: Any, required: bool = False) -> None:
    """Run `work(*args)` on this worker's thread once no other chore runs; when the worker was
    cancelled meanwhile (the screen went), only if it is `required` (a catalog fetched is
    kept even when the user quits while its writing waits its turn)."""
    with _CHORES:
        if required or not get_current_worker().is_cancelled:
            work(*args)


class _Loaded(NamedTuple):
    """What a load brings back: the list, and for a region switch the connection it came
    through (adopted only when the list is shown)."""

    result: Prepared
    connection: Connection | None = None


class _Progress(Message):
    """Images received so far (sent from the loading thread; only the newest matters)."""

    def __init__(self, received: int, expected: int | None) -> None:
        super().__init__()
        self.received, self.expected = received, expected

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, _Progress)


# How long the first frame waits for the cached catalog's first rows, read on a thread (a few
# milliseconds from a local disk; a slow one is not waited out: the rows come when they come).
HEAD_WAIT = 0.5


class HeadRead(NamedTuple):
    """The first rows of a connection's cached catalog as read: None when there are none to
    show; `key` None when the cache cannot be used (`problem` says why)."""

    connection: Connection
    key: str | None
    head: cache.Cached | None
    problem: str = ""


class HeadReading:
    """Reads the head of the cached catalog on a thread of its own: a plain thread, not a worker,
    since the screen waits a moment for it before its first frame (a worker would start only
    after that wait). A read that comes after the screen stopped waiting goes to `late`."""

    def __init__(self, connection: Connection, late: Callable[[HeadRead], object]) -> None:
        self._late = late
        self._lock = threading.Lock()
        self._read: HeadRead | None = None
        self._waited_out = False
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(connection,), name="read the cached catalog's head",
                         daemon=True).start()

    def within(self, seconds: float) -> HeadRead | None:
        """The read, if it comes within `seconds`; else None, and it goes to `late` when it does."""
        self._done.wait(seconds)
        with self._lock:
            self._waited_out = self._read is None
            return self._read

    def _run(self, connection: Connection) -> None:
        try:
            key = cache_key(connection)  # it may read the key of the tokens' hashes: a read, so here
            head = cache.load_head(key)
            read = HeadRead(connection, key, head if head is not None and head.answers(None, None) else None)
        except OSError as exc:  # the folder or the key is not safe to use
            read = HeadRead(connection, None, None, cache.describe(exc))
        except Exception:  # the cache is skipped, the server asked all the same
            read = HeadRead(connection, None, None)
        with self._lock:
            self._read = read
            late = self._waited_out
        self._done.set()
        if late:
            with contextlib.suppress(RuntimeError):  # the app went meanwhile
                self._late(read)


class CatalogLoading(_Base):
    """The loading half of BrowserScreen (see the module's docstring)."""

    _stop_waiting: threading.Event  # set when the screen goes (BrowserScreen makes and sets it)

    def _pause(self, seconds: float) -> None:
        """The loading thread's wait between retries: cut short when the screen goes, so that
        quitting never waits out a backoff (the embedded demo API stops first)."""
        if self._stop_waiting.wait(seconds):
            raise ScnetError(_("The browser closed while the catalog was loading"), "")

    def _show_cached_head(self) -> bool:
        """The first rows of the cached catalog in the first frame, read on a thread of their own
        (the first frame waits a moment for them, never for a slow disk: then they are shown when
        they come); the rest is read on a worker after they are painted, and the server is
        asked then. False when there is no cache folder at all (a stat: no file is opened on
        the screen's thread), so the server is asked at once."""
        if not cache.folder().is_dir():
            return False
        self._reading_cache = True
        self.query_one(StatusLine).set_loading(_("Reading the cached catalog…"))
        reading = HeadReading(self.connection, late=partial(self.app.call_from_thread, self._show_cache_head))
        read = reading.within(HEAD_WAIT)
        if read is not None:
            self._show_cache_head(read)
        return True

    def _show_cached(self) -> bool:
        """Nothing: the whole cached catalog, like its head, is read off the screen's thread
        (`_show_cached_head`). False, so the server is asked."""
        return False

    def _show_cache_head(self, read: HeadRead) -> None:
        if read.head is None:  # none kept (or not safe to read): the whole catalog, if there is one
            self._read_cache_rest(read.connection, read.key, read.problem)
            return
        if not self._has_loaded:  # else a server's answer came first (a filter chosen meanwhile)
            self._cached_at = read.head.saved_at
            self._apply_result(ImageList(read.head.images))
        self.call_after_refresh(self._read_cache_rest, read.connection, read.key)  # once the rows are painted

    @work(thread=True, group="cache-read", exit_on_error=False, description="read the cached catalog")
    def _read_cache_rest(self, connection: Connection, key: str | None, problem: str = "") -> None:
        prepared, saved_at = None, 0.0
        try:
            if key is not None:
                cached, problem = cache.load(key)
                if cached is not None and cached.answers(None, None):  # a filtered one is a `list -a`'s
                    prepared = prepare(ImageList(cached.images), self.sort_field, self.descending)
                    saved_at = cached.saved_at
        finally:  # whatever happened, the screen hears of it: it asks the server only then
            self.app.call_from_thread(self._show_cache_rest, prepared, saved_at, problem)

    def _show_cache_rest(self, prepared: Prepared | None, saved_at: float, problem: str) -> None:
        if problem:
            self.notify(printable(problem), title=_("Cache"), severity="warning", markup=False)
        self._reading_cache = False
        running = self._load_worker  # a filter chosen meanwhile asked the server already
        if running is None:
            # Now the server: reading 100,000 cached images and receiving, decoding and sorting
            # the server's at once left the screen a third of the interpreter, not half. Asked
            # before the rest is shown, so its sort keys are warmed after the server's answer.
            self.load_images()
        # Only while the cached catalog is the one shown (its head), or nothing is yet: the
        # server's answer has the last word. A filter chosen meanwhile is the server's to
        # answer; until it does, or when it fails, the whole cached catalog stands in.
        if prepared is not None and (self._cached_at is not None or not self._has_loaded):
            self._cached_at = saved_at
            self._apply_result(prepared, keep_error=True)
        if running is not None and not running.is_running:
            self.query_one(StatusLine).set_loading(None)

    # --- loading --------------------------------------------------------------

    def _scope(self) -> str:
        # The filter values may be ones the server sent: printable, like all its data.
        return printable(_("{accelerator}, {image_type}").format(
            accelerator=self.accelerator or _("all accelerators"), image_type=self.image_type or _("all types")))

    def _loading_text(self, received: int | None = None, expected: int | None = None) -> str:
        """`Loading dcu, all types from <region>… 12,000 of 100,000 images`, as far as it is known."""
        values = {"scope": self._scope(), "region": self._switching_to, "received": received, "expected": expected}
        if received is None:
            text = _("Loading {scope} from {region}…") if self._switching_to else _("Loading {scope}…")
        elif expected:
            text = (_("Loading {scope} from {region}… {received:,} of {expected:,} images") if self._switching_to
                    else _("Loading {scope}… {received:,} of {expected:,} images"))
        else:
            text = (_("Loading {scope} from {region}… {received:,} images") if self._switching_to
                    else _("Loading {scope}… {received:,} images"))
        return printable(text.format(**values))

    def load_images(self, switch_to: Connection | None = None) -> None:
        """Ask the server (in the background); with `switch_to`, ask that connection's
        server and move to it only once it has answered."""
        self._switching_to = switch_to.short_label if switch_to is not None else ""
        self.query_one(StatusLine).set_loading(self._loading_text())
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
            with connection.sync_client(sleep=self._pause, abandon=self._stop_waiting) as client:
                result = client.list_images(
                    accelerator, image_type, progress=lambda got, of: self.post_message(_Progress(got, of))
                )
        except BaseException:  # failed or cancelled: stay where we were, with what is shown
            if switch_to is not None:
                switch_to.close()
            raise
        if switch_to is not None and get_current_worker().is_cancelled:
            switch_to.close()  # a newer load replaced this switch: its connection is not wanted
        return _Loaded(prepare(result, self.sort_field, self.descending), switch_to)

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
        self.query_one(StatusLine).set_loading(self._loading_text(message.received, message.expected))

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
            self.query_one(StatusLine).set_loading(_("Reading the cached catalog…") if self._reading_cache else None)
            self._show_connection()
        if isinstance(loaded, _Loaded):
            self._cached_at = None
            self._apply_result(loaded.result)
            self._keep(loaded.result)
        elif event.state == WorkerState.ERROR:
            self._show_error(event.worker.error)
            self._warm_sort_keys()  # of the catalog that stays (the cached one), now the load is over
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self._switching_to = ""
            self._reloading = False

    def _keep(self, prepared: Prepared) -> None:
        """Cache a whole, unfiltered catalog for the next start (on a thread: 100,000 images
        take a while to write, in short frames the screen does not notice)."""
        result = prepared.result
        if result.missing or result.cut_short or self.accelerator or self.image_type:
            return
        kept = cache.Cached(result.images, time.time(), ("", ""), self.connection.short_label)
        # The head is the start's first view: already in that order when the screen shows it so.
        head = prepared.images[: cache.HEAD_ROWS] if prepared.sorted_by == (FIRST_SORT, FIRST_DESCENDING) else None
        # A description of our own: Textual's default is the repr of the call, which would
        # spell out every image (2.4 s on the UI thread at 100,000).
        write = partial(chore, _write_cache, self.connection, kept, head, required=True)
        self.run_worker(write, thread=True, group="cache", exit_on_error=False, description="write the catalog cache")

    def _show_connection(self) -> None:
        """The header follows the connection (switched, token renewed); notices become toasts."""
        connection = self.connection
        self.query_one(ConnectionHeader).show(connection)
        for notice in connection.notices:
            self.notify(printable(notice), title=_("Token"), timeout=8, markup=False)
        connection.notices.clear()

    def _show_error(self, error: BaseException | None) -> None:
        if error is None:
            return
        if isinstance(error, ScnetError):  # what it quotes of the server may quote the token
            error.redacted((self.connection.token,))
        if self._switching_to:
            label, target = self.connection.label, self._switching_to
            self.query_one(ErrorBanner).show_error(
                error, lambda: _("Still showing {current}: could not switch to {target}.").format(current=label,
                                                                                                  target=target),
                again=N_("p to try again"))
        elif self._cached_at is not None:
            cached_at = self._cached_at
            self.query_one(ErrorBanner).show_error(
                error, lambda: _("Showing the catalog cached {age}: the server could not be asked.").format(
                    age=cache.describe_age(time.time() - cached_at)))
        else:
            self.query_one(ErrorBanner).show_error(error)
        self.notify(printable(error_message(error)), title=error_title(error), severity="error", timeout=8,
                    markup=False)
        if not self._has_loaded:
            self._update_empty_message(failed=True)


def cache_key(connection: Connection) -> str:
    """The cache file of the connection's region and account (its token now: a renewed JWT names
    the same account). Raises OSError when the folder or the key cannot be used."""
    key = cache.key_of(connection.settings.base_url, connection.token, connection.settings.demo)
    assert key is not None  # made when missing
    return key


def _write_cache(connection: Connection, kept: cache.Cached, head: list[Image] | None = None) -> None:
    """Write a catalog of `connection`'s account with the first rows of the view a start shows
    (see `cache.save`), sorted here unless `head` already holds them."""
    if head is None:
        head = sort_images(kept.images, FIRST_SORT, FIRST_DESCENDING)[: cache.HEAD_ROWS]
    cache.save(cache_key(connection), kept, head)
