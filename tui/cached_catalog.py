"""The browser's reads and writes of a connection's cached catalog (the file format is
`cache.py`'s): the first rows read on a thread of their own before the first frame, the key
of the connection's account, and the catalog written with the first rows of a start's view."""

from __future__ import annotations

import contextlib
import threading
from typing import Callable, NamedTuple

from . import cache
from .api.models import Image, ImageList
from .catalog import Prepared, prepare, sort_images
from .connection import Connection

# The order a start shows the catalog in (newest first), and so the order of a cache's head.
FIRST_SORT = ("created", True)


class HeadRead(NamedTuple):
    """The first rows of a connection's cached catalog as read (prepared), None when there are
    none to show; `key` None when the cache cannot be used (`problem` says why)."""

    connection: Connection
    key: str | None
    head: Prepared | None
    saved_at: float = 0.0
    problem: str = ""


class HeadReading:
    """Reads the head of the cached catalog on a thread of its own: a plain thread, not a worker,
    since the screen waits a moment for it before its first frame (a worker would start only
    after that wait). A read that comes after the screen stopped waiting goes to `late`."""

    def __init__(self, connection: Connection, sort: tuple[str, bool], late: Callable[[HeadRead], object],
                 tag: str = "") -> None:
        self._late = late
        self._tag = tag
        self._lock = threading.Lock()
        self._read: HeadRead | None = None
        self._waited_out = False
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(connection, sort), name="read the cached catalog's head",
                         daemon=True).start()

    def within(self, seconds: float) -> HeadRead | None:
        """The read, if it comes within `seconds`; else None, and it goes to `late` when it does."""
        self._done.wait(seconds)
        with self._lock:
            self._waited_out = self._read is None
            return self._read

    def _run(self, connection: Connection, sort: tuple[str, bool]) -> None:
        try:
            key = cache_key(connection)  # it may read the key of the tokens' hashes: a read, so here
            head = cache.load_head(key)
            if head is not None and head.answers(None, None):
                read = HeadRead(connection, key, prepare(ImageList(tagged(head.images, self._tag)), *sort), head.saved_at)
            else:
                read = HeadRead(connection, key, None)
        except OSError as exc:  # the folder or the key is not safe to use
            read = HeadRead(connection, None, None, problem=cache.describe(exc))
        except Exception:  # the cache is skipped, the server asked all the same
            read = HeadRead(connection, None, None)
        with self._lock:
            self._read = read
            late = self._waited_out
        self._done.set()
        if late:
            with contextlib.suppress(RuntimeError):  # the app went meanwhile
                self._late(read)


def tagged(images: tuple[Image, ...], tag: str) -> tuple[Image, ...]:
    """The images as listed in the region `tag` (unchanged when there is none)."""
    if not tag or all(image.region == tag for image in images):  # as the cache keeps them, often
        return images
    return tuple(image._replace(region=tag) for image in images)


def cache_key(connection: Connection) -> str:
    """The cache file of the connection's region and account (its token now: a renewed JWT names
    the same account). Raises OSError when the folder or the key cannot be used."""
    key = cache.key_of(connection.settings.base_url, connection.token, connection.settings.demo,
                       demo_region=connection.settings.cluster_id)
    assert key is not None  # made when missing
    return key


def write_cache(connection: Connection, kept: cache.Cached, head: list[Image] | None = None) -> None:
    """Write a catalog of `connection`'s account with the first rows of the view a start shows
    (see `cache.save`), sorted here unless `head` already holds them."""
    if head is None:
        head = sort_images(kept.images, *FIRST_SORT)[: cache.HEAD_ROWS]
    cache.save(cache_key(connection), kept, head)
