"""Where the browser's catalog comes from: the cache at once, the server on a thread.

`CatalogSource` (a widget nothing draws) owns a region's connection, its clients, the load
in flight and the cached catalog of the connection's account. It announces what it has with
messages, the way frogmouth's viewer announces what it loaded: `Loaded` (a catalog to show,
prepared on the thread that loaded it), `Progress` (a load started, or images received so
far), `Failed` (what went wrong; the catalog shown stays) and `Settled` (a load is over).
The screen that owns a source handles those; a screen may own several (one per region).

The cached catalog's first rows come first (read on a thread of their own, the first frame
waiting a moment for them), then the rest (on a worker), and the server is asked then: a
newer load cancels an older one, and a region switch is adopted only once the new region
has answered. Nothing of the cache is read on the screen's thread.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState, get_current_worker

from .. import cache
from ..api.errors import ScnetError, TokenRefused
from ..api.models import Image, ImageList
from ..catalog import Prepared, let_go, prepare, warm_sort_keys
from ..cached_catalog import FIRST_SORT, HeadRead, HeadReading, tagged, write_cache
from ..connection import Connection
from ..i18n import _
from ..screens.base import services

if TYPE_CHECKING:
    from ..api.drivers import ScnetClient

# From this many images on, work after a load is worth a thread of its own (below it,
# warming sort keys or freeing the old catalog takes less than a frame).
LARGE_CATALOG = 2000
# How long the first frame waits for the cached catalog's first rows, read on a thread (a few
# milliseconds from a local disk; a slow one is not waited out: the rows come when they come).
HEAD_WAIT = 0.5

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


class _Fetched(NamedTuple):
    """What a load brings back: the catalog, and for a region switch the connection it came
    through (adopted only when the catalog is shown)."""

    prepared: Prepared
    connection: Connection | None = None


class CatalogSource(Widget):
    """A region's catalog, from the cache and from its server (see the module's docstring).
    `sort` is the order a catalog is prepared in (the screen keeps it up to date)."""

    DEFAULT_CSS = "CatalogSource { display: none; }"

    class Loaded(Message):
        """A catalog to show. `cached_at`: it is the cached one, saved then (None: the server's);
        `keep_error`: the server's failure still stands (the rest of a cached catalog);
        `switched`: it came from the region switched to, now the source's connection."""

        def __init__(self, source: CatalogSource, prepared: Prepared, *, cached_at: float | None = None,
                     keep_error: bool = False, switched: bool = False) -> None:
            super().__init__()
            self.source, self.prepared, self.cached_at = source, prepared, cached_at
            self.keep_error, self.switched = keep_error, switched

    class Progress(Message):
        """A load started (`received` None), or images received so far (only the newest matters)."""

        def __init__(self, source: CatalogSource, received: int | None = None, expected: int | None = None) -> None:
            super().__init__()
            self.source, self.received, self.expected = source, received, expected

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, CatalogSource.Progress) and message.source is self.source

    class Failed(Message):
        """A load failed (what was shown stays). `switching_to` names the region a switch was to;
        `withdrawn`: the catalog shown was the cached one and the server refused the token, so
        it is no longer to be shown (no cache answers for a token the server did not take)."""

        def __init__(self, source: CatalogSource, error: BaseException, switching_to: str = "", *,
                     withdrawn: bool = False) -> None:
            super().__init__()
            self.source, self.error, self.switching_to, self.withdrawn = source, error, switching_to, withdrawn

    class Settled(Message):
        """A load is over (answered, failed or stopped); the cache may still be being read."""

        def __init__(self, source: CatalogSource) -> None:
            super().__init__()
            self.source = source

    def __init__(self, connection: Connection, *, sort: tuple[str, bool] = FIRST_SORT, tag: str = "",
                 gate: threading.Semaphore | None = None) -> None:
        """`tag`: the region its images are said to come from (`Image.region`), when several
        regions are shown at once; `gate`: taken while the server is asked (a few regions at once)."""
        super().__init__()
        self.connection = connection
        self.sort = sort
        self.tag = tag
        self._gate = gate
        self.filters: tuple[str | None, str | None] = (None, None)  # accelerator, image type of the last load
        self.switching_to = ""  # the region a running load is switching to, for its messages
        self.reading_cache = False  # the cached catalog's first rows are shown, the rest is being read
        self._showing_cache = False  # the catalog delivered last is the cached one
        self._delivered = False  # a catalog has been delivered (cached or not)
        self._refused = False  # the server refused the token: no cached catalog is shown until it answers
        self._client: ScnetClient | None = None
        self._worker: Worker[_Fetched] | None = None
        self._stop_waiting = threading.Event()

    # --- what the owner asks ------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """Whether the server is being asked."""
        return self._worker is not None and self._worker.is_running

    @property
    def asked(self) -> bool:
        """Whether the server has been asked at all (it waits for the cache to be read first)."""
        return self._worker is not None

    async def wait_for_load(self) -> None:
        """Return once the load in flight (if any) is over, whatever its outcome."""
        if self._worker is not None:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await self._worker.wait()

    def client(self) -> ScnetClient:
        """The async client of the current connection (made on first use; closed with the source)."""
        if self._client is None:
            self._client = self.connection.client()
        return self._client

    def start(self) -> None:
        """The cached catalog first, when there is one (the server is asked once it is read),
        else the server at once."""
        if not cache.folder().is_dir():  # a stat: no file is opened on the screen's thread
            self.load()
            return
        self.reading_cache = True
        reading = HeadReading(self.connection, self.sort, late=partial(self.app.call_from_thread, self._head_read),
                              tag=self.tag)
        read = reading.within(HEAD_WAIT)
        if read is not None:
            self._head_read(read)

    def load(self, accelerator: str | None = None, image_type: str | None = None, *,
             switch_to: Connection | None = None) -> None:
        """Ask the server (in the background) for these filters; with `switch_to`, ask that
        connection's server and move to it only once it has answered."""
        self.filters = (accelerator, image_type)
        self.switching_to = switch_to.short_label if switch_to is not None else ""
        self.post_message(self.Progress(self))
        self._worker = self._fetch(accelerator, image_type, switch_to)

    def stop(self) -> bool:
        """Stop a load in progress (what is shown stays); whether there was one."""
        if self._worker is None or self._worker.is_finished:
            return False
        self._worker.cancel()
        return True

    def settle_catalog(self, shown: list[Image], replaced: list[Image]) -> None:
        """After a catalog is shown: keep it (and the lists made for it) out of the cyclic GC's
        reach, free the one it replaced on a thread, and warm its sort keys once no load runs."""
        # The catalog and its lists (sorted, indexed) live until the next load and hold no
        # reference cycles: out of the collector's reach, or each collection walks every
        # 100,000-item list (15 ms a list) mid-keystroke.
        gc.freeze()
        if not self.loading:  # else once the server's catalog is in
            self.warm(shown)
        if len(replaced) > LARGE_CATALOG:  # the list holds the last reference to each image it replaced
            self.run_worker(partial(chore, let_go, replaced), thread=True, group="let-go", exit_on_error=False,
                            description="free the catalog replaced")

    def warm(self, images: list[Image]) -> None:
        """Compute the natural sort keys of a large catalog on a thread, after the paint (small
        catalogs sort at once anyway)."""
        if len(images) > LARGE_CATALOG:
            self.call_after_refresh(self.run_worker, partial(chore, warm_sort_keys, images), thread=True,
                                    group="warm", exclusive=True, exit_on_error=False, description="warm the sort keys")

    async def on_unmount(self) -> None:
        self._stop_waiting.set()  # a loading thread waiting to retry stops waiting, a call in flight is given up
        if self._client is not None:
            await self._client.aclose()

    # --- the cache ------------------------------------------------------------------------

    def _head_read(self, read: HeadRead) -> None:
        if read.head is None:  # none kept (or not safe to read): the whole catalog, if there is one
            self._read_cache_rest(read.connection, read.key, read.problem)
            return
        if not self._delivered and not self._refused:  # else a server's answer (or refusal) came first
            self._deliver(self.Loaded(self, read.head, cached_at=read.saved_at), cached=True)
        self.call_after_refresh(self._read_cache_rest, read.connection, read.key)  # once the rows are painted

    @work(thread=True, group="cache-read", exit_on_error=False, description="read the cached catalog")
    def _read_cache_rest(self, connection: Connection, key: str | None, problem: str = "") -> None:
        prepared, saved_at = None, 0.0
        try:
            if key is not None:
                cached, problem = cache.load(key)
                if cached is not None and cached.answers(None, None):  # a filtered one is a `list -a`'s
                    prepared = prepare(ImageList(tagged(cached.images, self.tag)), *self.sort)
                    saved_at = cached.saved_at
        finally:  # whatever happened, the screen hears of it: the server is asked only then
            self.app.call_from_thread(self._cache_rest_read, prepared, saved_at, problem)

    def _cache_rest_read(self, prepared: Prepared | None, saved_at: float, problem: str) -> None:
        from ..safe_text import printable

        if problem:
            self.notify(printable(problem), title=_("Cache"), severity="warning", markup=False)
        self.reading_cache = False
        asked = self._worker is not None  # a filter chosen meanwhile asked the server already
        if not asked:
            # Now the server: reading 100,000 cached images and receiving, decoding and sorting
            # the server's at once left the screen a third of the interpreter, not half. Asked
            # before the rest is shown, so its sort keys are warmed after the server's answer.
            self.load(*self.filters)
        # Only while the cached catalog is the one shown (its head), or nothing is yet: the
        # server's answer has the last word. A filter chosen meanwhile is the server's to
        # answer; until it does, or when it fails, the whole cached catalog stands in.
        if prepared is not None and not self._refused and (self._showing_cache or not self._delivered):
            self._deliver(self.Loaded(self, prepared, cached_at=saved_at, keep_error=True), cached=True)
        if asked:
            self.post_message(self.Progress(self) if self.loading else self.Settled(self))

    def _deliver(self, loaded: Loaded, *, cached: bool) -> None:
        self._delivered, self._showing_cache = True, cached
        self._refused = self._refused and cached
        self.post_message(loaded)

    # --- the server ---------------------------------------------------------------------

    def _pause(self, seconds: float) -> None:
        """The loading thread's wait between retries: cut short when the source goes, so that
        quitting never waits out a backoff (the embedded demo API stops first)."""
        if self._stop_waiting.wait(seconds):
            raise ScnetError(_("The browser closed while the catalog was loading"), "")

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _fetch(self, accelerator: str | None, image_type: str | None, switch_to: Connection | None) -> _Fetched:
        """On a thread, with the sync client: decoding and parsing 100,000 images must not hold
        the screen still, and a cached catalog may be in use while this runs."""
        connection = switch_to or self.connection
        try:
            with self._turn(), connection.sync_client(sleep=self._pause, abandon=self._stop_waiting) as client:
                result = client.list_images(
                    accelerator, image_type, progress=lambda got, of: self.post_message(self.Progress(self, got, of))
                )
            if self.tag:
                result = result._replace(images=tagged(result.images, self.tag))
        except BaseException:  # failed or cancelled: stay where we were, with what is shown
            if switch_to is not None:
                switch_to.close()
            raise
        if switch_to is not None and get_current_worker().is_cancelled:
            switch_to.close()  # a newer load replaced this switch: its connection is not wanted
        return _Fetched(prepare(result, *self.sort), switch_to)

    @contextlib.contextmanager
    def _turn(self) -> Any:
        """Wait for the gate (a few regions asked at once), as long as the load is wanted."""
        if self._gate is None:
            yield
            return
        worker = get_current_worker()
        while not self._gate.acquire(timeout=0.1):
            if worker.is_cancelled or self._stop_waiting.is_set():
                raise ScnetError(_("The browser closed while the catalog was loading"), "")
        try:
            yield
        finally:
            self._gate.release()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Where a load's outcome becomes a message."""
        if event.worker.group != "load":
            return
        fetched = event.worker.result if event.state == WorkerState.SUCCESS else None
        if event.worker is not self._worker:
            if fetched is not None and fetched.connection is not None:
                fetched.connection.close()  # a switch that finished as a newer load replaced it: not wanted
            return
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        switching_to, self.switching_to = self.switching_to, ""
        if fetched is not None:
            if fetched.connection is not None:
                self._adopt(fetched.connection)
            self._deliver(self.Loaded(self, fetched.prepared, switched=fetched.connection is not None), cached=False)
            self._keep(fetched.prepared)
        elif event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            if isinstance(error, ScnetError):  # what it quotes of the server may quote the token
                error.redacted((self.connection.token,))
            refused = isinstance(error, TokenRefused) and not switching_to
            withdrawn = refused and self._showing_cache
            if refused:  # what the cache still has to give (its rest, read late) is not shown either
                self._refused, self._showing_cache = True, False
            self.post_message(self.Failed(self, error, switching_to, withdrawn=withdrawn))
        self.post_message(self.Settled(self))

    def _adopt(self, connection: Connection) -> None:
        """Move to the connection a switch loaded from (its catalog is about to be shown)."""
        old_client, old_connection = self._client, self.connection
        self._client, self.connection = None, connection
        services(self).adopt_connection(connection)  # the app closes it on exit
        old_connection.close()
        if old_client is not None:
            self.run_worker(old_client.aclose(), group="close", exit_on_error=False)

    def _keep(self, prepared: Prepared) -> None:
        """Cache a whole, unfiltered catalog for the next start (on a thread: 100,000 images
        take a while to write, in short frames the screen does not notice)."""
        result = prepared.result
        if result.missing or result.cut_short or any(self.filters):
            return
        kept = cache.Cached(result.images, time.time(), ("", ""), self.connection.short_label)
        # The head is the start's first view: already in that order when the screen shows it so.
        head = prepared.images[: cache.HEAD_ROWS] if prepared.sorted_by == FIRST_SORT else None
        # A description of our own: Textual's default is the repr of the call, which would
        # spell out every image (2.4 s on the UI thread at 100,000).
        write = partial(chore, write_cache, self.connection, kept, head, required=True)
        self.run_worker(write, thread=True, group="cache", exit_on_error=False, description="write the catalog cache")
