"""The browser starts from the cached catalog at once, then swaps in the server's answer."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time

import pytest
from textual.widgets import Select, Static

from tui import cache
from tui.api.models import parse_image
from tui.app import ScnetImagesApp
from tui.catalog import sort_images
from tui.demo.server import DemoServer
from tui.widgets.image_table import ImageTable

from ..conftest import demo_connection
from .conftest import STANDARD, settle


def counts(app: ScnetImagesApp) -> str:
    return str(app.screen.query_one("#counts", Static).render())


def seed(server: DemoServer, count: int, minutes_old: float = 12) -> None:
    images = tuple(parse_image(item) for item in server.images[:count])
    cache.save("demo", cache.Cached(images, time.time() - minutes_old * 60, ("", ""), "the demo API"))


async def test_the_cached_catalog_is_shown_at_once_then_the_servers(server: DemoServer) -> None:
    seed(server, 100)
    server.inject("latency", "1", times=1)
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ImageTable)
        assert table.row_count == 100 and "cached 12 min ago" in counts(app)
        await pilot.press("down", "down", "down")
        place = table.highlighted_image
        await settle(pilot)
        assert table.row_count == len(server.images) and "cached" not in counts(app)
        assert table.highlighted_image is not None and place is not None
        assert (table.highlighted_image.id, table.highlighted_image.path) == (place.id, place.path)
        await app.workers.wait_for_complete()  # the cache is written on a thread
    kept, _ = cache.load("demo")
    assert kept is not None and len(kept.images) == len(server.images)
    head = cache.load_head("demo")  # the first rows of the next start's view, newest first
    assert head is not None and list(head.images) == sort_images(kept.images, "created", True)[: len(head.images)]


async def test_the_cache_keeps_the_starts_first_rows_whatever_the_sort_shown(server: DemoServer) -> None:
    seed(server, 100)
    server.inject("latency", "1", times=1)
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await pilot.pause()
        await pilot.press("S")  # oldest first while the server's answer is on its way
        await settle(pilot)
        assert app.screen.sort_field == "created" and not app.screen.descending
        await app.workers.wait_for_complete()
    kept, _ = cache.load("demo")
    head = cache.load_head("demo")
    assert kept is not None and head is not None
    assert list(head.images) == sort_images(kept.images, "created", True)[: len(head.images)]


async def test_with_the_server_down_the_cached_catalog_stays(server: DemoServer) -> None:
    seed(server, 50, minutes_old=90)
    connection = demo_connection(server)
    server.stop()
    app = ScnetImagesApp(connection=connection)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ImageTable).row_count == 50
        banner = str(app.screen.query_one("#error-banner", Static).render())
        assert "Showing the catalog cached 2 h ago" in banner and "refused the connection" in banner


async def test_a_cached_catalogs_first_rows_show_before_the_rest_is_read(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = tuple(parse_image(item) for item in server.images)
    head = sort_images(images, "created", True)[:20]
    cache.save("demo", cache.Cached(images, time.time() - 300, ("", ""), "the demo API"), head)
    connection = demo_connection(server)
    server.stop()  # only the cache answers
    gate, read = threading.Event(), cache.load

    def held(key: str) -> tuple[cache.Cached | None, str]:
        gate.wait(30)  # the rest is read only when the test has looked at the head
        return read(key)

    monkeypatch.setattr(cache, "load", held)
    app = ScnetImagesApp(connection=connection)
    async with app.run_test(size=STANDARD) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ImageTable)
        assert table.row_count == 20 and table.highlighted_image == head[0]
        assert "Reading the cached catalog" in str(app.screen.query_one("#activity", Static).render())
        await pilot.press("down")
        place = table.highlighted_image
        gate.set()
        await settle(pilot)
        assert table.row_count == len(images) and "cached 5 min ago" in counts(app)
        assert place is not None and table.highlighted_image is not None
        assert (table.highlighted_image.id, table.highlighted_image.path) == (place.id, place.path)


async def test_quitting_does_not_wait_out_a_retry(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loading thread's pause between retries ends when the screen goes (a one-minute
    backoff here): quitting is never held up by a region that is down."""
    from tui.api.options import ClientOptions
    from tui.config import Settings
    from tui.connection import Connection
    from tui.widgets.catalog_source import CatalogSource

    options = ClientOptions(backoff=60.0, tries=3, connect_timeout=2.0, read_timeout=5.0)
    connection = Connection(Settings(base_url=server.base_url, token=server.token, demo=True, options=options),
                            server.base_url, server.token)
    server.stop()
    pausing, ended = threading.Event(), threading.Event()
    pause = CatalogSource._pause

    def watched(self: CatalogSource, seconds: float) -> None:
        pausing.set()
        try:
            pause(self, seconds)
        finally:
            ended.set()

    monkeypatch.setattr(CatalogSource, "_pause", watched)
    app = ScnetImagesApp(connection=connection)
    async with app.run_test(size=STANDARD):
        assert await asyncio.to_thread(pausing.wait, 30)  # refused, and now waiting to retry
        assert not ended.is_set()
    assert await asyncio.to_thread(ended.wait, 5)  # the screen went: the wait ended at once


@pytest.mark.parametrize("filtered", [False, True], ids=["as started", "filter chosen meanwhile"])
async def test_the_rest_of_the_cache_keeps_the_servers_error_and_follows_a_filter(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, filtered: bool
) -> None:
    """The server is asked once the rest of the cache is read, or at once for a filter
    chosen while the head is shown; either way a failure stays said with the whole cached
    catalog shown (a filter chosen in between is the server's to answer, and it is down)."""
    images = tuple(parse_image(item) for item in server.images)
    cache.save("demo", cache.Cached(images, time.time() - 300, ("", ""), "the demo API"),
               sort_images(images, "created", True)[:20])
    connection = demo_connection(server)
    server.stop()
    gate, read = threading.Event(), cache.load
    monkeypatch.setattr(cache, "load", lambda key: (gate.wait(30), read(key))[1])
    app = ScnetImagesApp(connection=connection)
    async with app.run_test(size=STANDARD) as pilot:
        await pilot.pause()
        screen = app.screen
        banner = screen.query_one("#error-banner", Static)
        if filtered:  # the filter's load starts while the rest is read, and fails first
            screen.query_one("#accelerator", Select).value = "dcu"
            await pilot.pause()
            await screen.source.wait_for_load()
            await pilot.pause()
            assert "refused the connection" in str(banner.render())
        else:  # the server is asked once the rest is read: two threads never compete for it
            assert not screen.source.asked
        assert screen.query_one(ImageTable).row_count == 20
        gate.set()
        await settle(pilot)
        assert screen.source.asked and not screen.source.loading
        assert screen.query_one(ImageTable).row_count == len(images)
        assert "refused the connection" in str(banner.render()) and banner.display


async def test_the_server_is_asked_even_when_reading_the_rest_of_the_cache_fails(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = tuple(parse_image(item) for item in server.images)
    cache.save("demo", cache.Cached(images, time.time() - 300, ("", ""), "the demo API"),
               sort_images(images, "created", True)[:20])

    def broken(key: str) -> tuple[cache.Cached | None, str]:
        raise MemoryError("no room for the rest")

    monkeypatch.setattr(cache, "load", broken)
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert app.screen.source.asked and not app.screen.source.loading
        assert app.screen.query_one(ImageTable).row_count == len(server.images)
        assert "cached" not in counts(app)


def test_a_fetched_catalog_is_kept_even_when_the_screen_went_while_it_waited(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from tui.catalog import let_go
    from tui.cached_catalog import write_cache
    from tui.widgets import catalog_source

    monkeypatch.setattr(catalog_source, "get_current_worker", lambda: SimpleNamespace(is_cancelled=True))
    images = tuple(parse_image({"name": f"n{i}", "tag": "1", "path": f"r/n{i}:1"}) for i in range(10))
    with DemoServer() as server:
        connection = demo_connection(server)
    catalog_source.chore(write_cache, connection, cache.Cached(images, time.time()), required=True)
    kept, _ = cache.load("demo")
    assert kept is not None and kept.images == images  # written: quitting does not lose it
    replaced = list(images)
    catalog_source.chore(let_go, replaced)
    assert replaced == list(images)  # an optional chore is skipped once the screen went


async def test_nothing_of_the_cache_is_read_on_the_screens_thread(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = tuple(parse_image(item) for item in server.images)
    head = sort_images(images, "created", True)[:20]
    cache.save("demo", cache.Cached(images, time.time() - 300, ("", ""), "the demo API"), head)
    screens = threading.get_ident()
    readers: list[int] = []
    read_head, read = cache.load_head, cache.load
    monkeypatch.setattr(cache, "load_head", lambda key: (readers.append(threading.get_ident()), read_head(key))[1])
    monkeypatch.setattr(cache, "load", lambda key: (readers.append(threading.get_ident()), read(key))[1])
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ImageTable).row_count == len(server.images)
    assert len(readers) == 2 and screens not in readers


async def test_a_fifo_planted_for_the_cache_holds_nothing(server: DemoServer) -> None:
    """Opened without waiting for a writer, and refused with a note. (Should a reader wait all
    the same, a watchdog opens the FIFO for writing every few seconds, which lets it go: the
    test then fails instead of hanging.)"""
    cache.save("demo", cache.Cached(tuple(parse_image(item) for item in server.images[:5]), time.time()))
    planted = cache.folder() / "demo.pickle"
    planted.unlink()
    os.mkfifo(planted, 0o600)
    done, released = threading.Event(), threading.Event()

    def watchdog() -> None:
        while not done.wait(5):
            with contextlib.suppress(OSError):  # no reader waiting: nothing to let go
                os.close(os.open(planted, os.O_WRONLY | os.O_NONBLOCK))
                released.set()

    watching = threading.Thread(target=watchdog, daemon=True)
    watching.start()
    try:
        app = ScnetImagesApp(connection=demo_connection(server))
        async with app.run_test(size=STANDARD) as pilot:
            await settle(pilot)
            assert app.screen.query_one(ImageTable).row_count == len(server.images)
            assert any("is not a regular file" in message for _title, message in app.said)
    finally:
        done.set()
        watching.join(10)
    assert not released.is_set()  # no reader ever waited on it


async def test_first_rows_read_slowly_are_shown_when_they_come(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame waits a moment for the cached rows, not for a slow disk: then the screen
    starts without them, and they are shown when they come."""
    from tui.cached_catalog import write_cache
    from tui.widgets import catalog_source

    images = tuple(parse_image(item) for item in server.images)
    cache.save("demo", cache.Cached(images, time.time() - 300, ("", ""), "the demo API"),
               sort_images(images, "created", True)[:20])
    monkeypatch.setattr(catalog_source, "HEAD_WAIT", 0.0)
    gate, shown, read_head = threading.Event(), threading.Event(), cache.load_head
    monkeypatch.setattr(cache, "load_head", lambda key: (gate.wait(30), read_head(key))[1])
    show = catalog_source.CatalogSource._head_read
    monkeypatch.setattr(catalog_source.CatalogSource, "_head_read",
                        lambda source, read: (show(source, read), shown.set()))
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ImageTable)
        assert table.row_count == 0 and not app.screen.source.asked  # the server waits for the cache
        assert "Reading the cached catalog" in str(app.screen.query_one("#activity", Static).render())
        gate.set()
        assert await asyncio.to_thread(shown.wait, 30)
        await settle(pilot)
        assert table.row_count == len(images) and app.screen.source.asked


async def test_a_served_tab_hears_of_a_broken_cache_without_its_path(server: DemoServer,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCNET_SERVED", "1")  # as `scnet-images serve` runs its tabs
    cache.save("demo", cache.Cached(tuple(parse_image(item) for item in server.images[:5]), time.time()))
    broken = cache.folder() / "demo.pickle"
    broken.write_bytes(broken.read_bytes()[:100])  # cut short: ignored, with a note
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ImageTable).row_count == len(server.images)
        said = "\n".join(message for _title, message in app.said)
    assert "was ignored" in said and "(a file of the serving machine)" in said
    assert str(cache.folder()) not in said and "demo.pickle" not in said


async def test_a_refused_token_takes_the_cached_catalog_off_the_screen(server: DemoServer) -> None:
    """No cache answers for a token the server did not take: the cached rows shown first go."""
    seed(server, 40)
    server.inject("latency", "0.5", times=1)  # the cached rows are on screen before the refusal
    server.inject("code", "10008")  # the token refused (an expired token is answered so too)
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ImageTable)
        assert table.row_count == 40  # the cache first
        await settle(pilot)
        banner = str(app.screen.query_one("#error-banner", Static).render())
        assert table.row_count == 0 and "cached" not in counts(app)
        assert "no longer shown: the server refused this token" in banner and "previous results kept" not in banner


async def test_a_failure_that_is_no_refusal_keeps_the_cached_catalog(server: DemoServer) -> None:
    seed(server, 40)
    server.inject("status", "503")
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        banner = str(app.screen.query_one("#error-banner", Static).render())
        assert app.screen.query_one(ImageTable).row_count == 40 and "Showing the catalog cached" in banner


async def test_the_rest_of_a_cache_read_after_a_refusal_stays_off_the_screen(server: DemoServer,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    images = tuple(parse_image(item) for item in server.images)
    cache.save("demo", cache.Cached(images, time.time() - 300, ("", ""), "the demo API"),
               sort_images(images, "created", True)[:20])
    gate, read = threading.Event(), cache.load
    monkeypatch.setattr(cache, "load", lambda key: (gate.wait(30), read(key))[1])  # the rest, read slowly
    server.inject("code", "10008")
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ImageTable)
        assert table.row_count == 20  # the head
        await pilot.press("r")  # the server is asked before the rest is read: it refuses the token
        await app.screen.source.wait_for_load()
        await pilot.pause()
        assert table.row_count == 0
        gate.set()  # now the rest of the cache comes
        await settle(pilot)
        assert table.row_count == 0 and "cached" not in counts(app)
        assert not any(message.startswith("Reloaded") for _title, message in app.said)
