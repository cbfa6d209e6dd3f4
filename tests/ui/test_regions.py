"""Regions in the browser: switching stored profiles without a restart, renewal, progress."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from tui.app import ScnetImagesApp
from tui.catalog import prepare
from tui.widgets.catalog_source import CatalogSource
from tui.config import load_settings
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.server import DemoServer
from tui.profiles import read_profiles, save_login
from tui.screens.browser import BrowserScreen
from tui.screens.region_picker import RegionPicker
from tui.widgets.image_table import ImageTable

import pytest

from .conftest import STANDARD, settle
from .scenarios import region_profiles
from .test_browser import notifications, text_of

DEMO = DEMO_ACCOUNTS[0]


def _profiles(server: DemoServer, path: Path, **tokens: str) -> None:
    """What `scnet-images login` writes for the demo account, with tokens of the test's choosing."""
    regions = {"11250": "华东一区【昆山】", "20091": "华中一区【A区】"}
    save_login(path, {
        f"demo-{cluster}": {
            "region": name, "cluster_id": cluster, "user": "demo", "base_url": f"{server.base_url}/r/{cluster}",
            "ac_url": server.base_url, "token": tokens.get(f"t{cluster}") or server.issuer.issue(DEMO, cluster),
        }
        for cluster, name in regions.items()
    }, "demo-11250")


def _logged_in(server: DemoServer, path: Path, **tokens: str) -> ScnetImagesApp:
    """The app as `scnet-images` starts after a login: on the default profile, from the file."""
    _profiles(server, path, **tokens)
    return ScnetImagesApp(load_settings())


def _rows(app: ScnetImagesApp) -> int:
    return app.screen.query_one(ImageTable).row_count


async def _pick(pilot, app: ScnetImagesApp, *keys: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("p")
    await pilot.pause()
    assert isinstance(app.screen, RegionPicker)
    await pilot.press(*keys)
    await settle(pilot)


async def test_switching_region_loads_it_and_the_header_follows(server: DemoServer, isolated_environment: Path) -> None:
    app = _logged_in(server, isolated_environment)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert _rows(app) == 265
        assert text_of(app, "#where").startswith("华东一区【昆山】 · profile demo-11250")
        first = app.screen.connection
        await _pick(pilot, app, "down", "enter")
        assert isinstance(app.screen, BrowserScreen)
        assert text_of(app, "#where").startswith("华中一区【A区】 · profile demo-20091")
        assert _rows(app) == 99  # the other region's catalog (every third image, and the well-known ones)
        assert app.connection is app.screen.connection is not first
        assert read_profiles(isolated_environment)[1].detected_image_api == "post"  # auto found the POST form
        await _pick(pilot, app, "up", "enter")
        assert _rows(app) == 265 and text_of(app, "#where").startswith("华东一区【昆山】")


async def test_a_failed_switch_keeps_the_region_and_results_on_screen(
    server: DemoServer, isolated_environment: Path
) -> None:
    app = _logged_in(server, isolated_environment, t20091="not-a-token-of-this-server")
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        before = app.screen.connection
        await _pick(pilot, app, "down", "enter")
        assert app.screen.connection is before and _rows(app) == 265
        banner = text_of(app, "#error-banner")
        assert "Still showing 华东一区【昆山】" in banner and "could not switch to 华中一区【A区】 · profile demo-20091" in banner
        assert "10008" in banner and "p to try again" in banner
        assert text_of(app, "#where").startswith("华东一区【昆山】")


async def test_escape_leaves_everything_as_it_was(server: DemoServer, isolated_environment: Path) -> None:
    app = _logged_in(server, isolated_environment)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        before = app.screen.connection
        await _pick(pilot, app, "escape")
        assert app.screen.connection is before
        assert [r.path for r in server.requests].count("/r/11250/ai/openapi/v2/instance-service/images") == 1


async def test_the_demo_is_always_a_choice_and_is_stopped_on_exit(
    server: DemoServer, isolated_environment: Path
) -> None:
    app = _logged_in(server, isolated_environment)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await _pick(pilot, app, "down", "down", "enter")
        assert app.connection is not None and app.connection.demo
        assert text_of(app, "#where").startswith("DEMO")
        demo_server = app.connection.demo_server
        assert demo_server is not None and _rows(app) == 265
    assert app.connection.demo_server is None  # closed with the app


async def test_without_profiles_the_picker_says_how_to_get_them(server: DemoServer, isolated_environment: Path) -> None:
    app = ScnetImagesApp(load_settings())  # nothing configured: the demo
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, RegionPicker)
        assert "scnet-images login" in text_of(app, "#region-hint")
        assert app.screen.query_one(OptionList).option_count == 2  # the demo's regions at once, and the demo


async def test_an_expired_token_is_renewed_and_the_user_told(server: DemoServer, isolated_environment: Path) -> None:
    app = _logged_in(server, isolated_environment, t11250=server.issuer.issue(DEMO, "11250", expires_in=-300))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert _rows(app) == 265
        assert any("renewed it and stored the new one in profile demo-11250" in n for n in notifications(app))
        assert not any("The token expired" in n for n in notifications(app))  # no stale warning before it
        assert "token 23h 59m left" in text_of(app, "#token-info")


async def test_a_token_about_to_expire_is_announced_once(server: DemoServer, isolated_environment: Path) -> None:
    app = _logged_in(server, isolated_environment, t11250=server.issuer.issue(DEMO, "11250", expires_in=1800))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        warned = [n for n in notifications(app) if n.startswith("Token: The token expires in")]
        assert len(warned) == 1 and "renewed automatically" in warned[0]


async def test_progress_shows_images_received(server: DemoServer) -> None:
    from .conftest import make_app

    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        app.screen.post_message(CatalogSource.Progress(app.screen.source, 1200, 5000))
        await pilot.pause()
        assert text_of(app, "#activity") == "Loading all accelerators, all types… 1,200 of 5,000 images"


async def test_an_incomplete_paginated_list_is_announced(server: DemoServer) -> None:
    from tui.api.models import ImageList

    from .conftest import make_app

    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        app.screen.post_message(CatalogSource.Loaded(app.screen.source, prepare(ImageList((), 0, "", "post", missing=15),
                                                                                 "created", True)))
        await pilot.pause()
        assert any(n.startswith("Incomplete list: The server announced 15 more image(s)") for n in notifications(app))


async def test_a_reload_during_a_switch_cancels_the_switch(server: DemoServer, isolated_environment: Path) -> None:
    app = _logged_in(server, isolated_environment)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        before = app.screen.connection
        server.inject("latency", "0.5", times=1)  # the switch's request is slow ...
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("down", "enter", "r")  # ... and a reload replaces it
        await settle(pilot)
        assert app.screen.connection is before and app.connection is before
        assert text_of(app, "#where").startswith("华东一区【昆山】") and _rows(app) == 265
        assert not app.screen.query_one("#error-banner").display


async def test_served_to_a_web_page_no_other_profile_is_offered(
    server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_login(isolated_environment, region_profiles(server), "demo-11250")
    monkeypatch.setenv("SCNET_SERVED", "1")  # as `scnet-images serve --profile demo-11250` runs its tabs
    picker = RegionPicker("demo-11250")
    assert [profile.name for profile in picker.profiles] == ["demo-11250"]
