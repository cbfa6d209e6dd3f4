"""Every region at once in the browser: the regions' catalogs merged with a Region column, a
region that fails said on its own line (the others shown), `r` asking only the failed ones,
the regions that have an image and their free cards in the details pane, and a launch sent
to the highlighted image's region."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path


from tui.app import ScnetImagesApp
from tui.demo.server import DemoServer
from tui.screens.browser import BrowserScreen
from tui.screens.confirm import ConfirmDialog
from tui.screens.containers import ContainersScreen
from tui.screens.launch_form import LaunchForm
from tui.widgets.image_table import ImageTable
from tui.widgets.merged_source import MergedSource

from ..conftest import demo_connection
from .conftest import STANDARD, settle
from .test_browser import text_of

SGLANG = "harbor-cd.sourcefind.cn:5443/dcu/admin/base/sglang:0.4.9-ubuntu22.04-dtk25.04.2-py3.10"


def every_region_app(server: DemoServer) -> ScnetImagesApp:
    """The app on the demo (no account), the demo API being `server`: its regions are "every region"."""
    connection = demo_connection(server)
    connection.demo_server = server
    return ScnetImagesApp(connection=connection)


async def open_every_region(pilot) -> BrowserScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("p")
    await pilot.pause()
    await pilot.press("home", "enter")  # "All regions" is the first choice
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen) and screen.regional
    return screen


def region_requests(server: DemoServer, cluster: str) -> int:
    return sum(1 for request in server.requests if request.path.startswith(f"/r/{cluster}/ai/openapi/v2/")
               and "image" in request.path)


async def test_every_region_merged_with_the_failed_one_said_apart(demo_server: DemoServer) -> None:
    app = every_region_app(demo_server)
    async with app.run_test(size=STANDARD) as pilot:
        screen = await open_every_region(pilot)
        assert text_of(app, "#where").startswith("DEMO  All regions (4)")
        regions = {image.region for image in screen.loaded_images}
        assert regions == {"华东一区【昆山】", "华中一区【A区】", "西南一区【成都】"}
        assert len(screen.loaded_images) == 265 + 99 + 147
        assert screen.query_one(ImageTable).header_label("region") == "Region"
        banner = text_of(app, "#error-banner")
        assert "1 region could not be asked; the others are shown:" in banner
        assert "华北一区【雄安】: " in banner and "scnet-images login" in banner and "r asks them again" in banner
        # The same name:tag in every region sorts together (same creation time), each with its region.
        await pilot.press("slash", *"vllm 0.9.2 dtk25.04.2", "enter")
        await settle(pilot)
        assert [image.region for image in screen.shown_images] == ["华东一区【昆山】", "华中一区【A区】", "西南一区【成都】"]
        assert screen.shown_images[2].path.startswith("harbor-cd.")
        pane = text_of(app, "#detail-body")
        assert "In 3 regions" in pane and "4 free (dcu-k100-4 3, dcu-z100-2 1)" in pane
        assert "resources/accelerators · maxFreeNum" in pane


async def test_r_asks_only_the_regions_that_failed(demo_server: DemoServer) -> None:
    app = every_region_app(demo_server)
    async with app.run_test(size=STANDARD) as pilot:
        await open_every_region(pilot)
        before = {cluster: region_requests(demo_server, cluster) for cluster in ("11250", "40017")}
        await pilot.press("r")
        await settle(pilot)
        assert region_requests(demo_server, "40017") > before["40017"]
        assert region_requests(demo_server, "11250") == before["11250"]
        assert "华北一区【雄安】" in text_of(app, "#error-banner")  # still refused: still said


async def test_a_launch_goes_to_the_highlighted_images_region(demo_server: DemoServer) -> None:
    app = every_region_app(demo_server)
    async with app.run_test(size=STANDARD) as pilot:
        screen = await open_every_region(pilot)
        await pilot.press("slash", *"sglang", "enter")
        await settle(pilot)
        assert [image.region for image in screen.shown_images] == ["西南一区【成都】"]  # it alone has it
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LaunchForm)
        # The chosen group's free cards in that region, with where the figure comes from and its age.
        group = app.screen.limits.group if app.screen.limits else "?"
        assert re.search(rf"Free now in {group}: \d+ cards? \(resources/accelerators · maxFreeNum, asked just now\)",
                         text_of(app, "#launch-limits"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ContainersScreen)
        assert "西南一区【成都】" in text_of(app, "#where")  # the instances view says which region it is
        # Back on the images, the free cards are asked again: the launch took one.
        source = screen.source
        assert isinstance(source, MergedSource) and source.capacity is not None
        accelerator = screen.shown_images[0].accelerator_type
        before = sum(group.free for group in source.capacity.in_region("30042", accelerator))
        source.capacity = source.capacity._replace(asked_at=source.capacity.asked_at - 60)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and time.time() - source.capacity.asked_at < 30
        assert sum(group.free for group in source.capacity.in_region("30042", accelerator)) == before - 1
        assert f"{before - 1} free (" in text_of(app, "#detail-body")
    creates = [r for r in demo_server.requests if r.method == "POST" and r.path.endswith("/instance-service/task")]
    assert [r.path.split("/")[2] for r in creates] == ["30042"]
    assert json.loads(creates[0].body)["imagePath"] == SGLANG


async def test_back_to_one_region_from_every_region(demo_server: DemoServer) -> None:
    app = every_region_app(demo_server)
    async with app.run_test(size=STANDARD) as pilot:
        await open_every_region(pilot)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("end", "enter")  # the demo API, one region
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen) and not screen.regional
        assert len(screen.loaded_images) == 265 and not any(image.region for image in screen.loaded_images)
        assert not screen.query(MergedSource)
        assert screen.query_one(ImageTable).natural_width < 200  # no Region column


async def test_every_stored_profile_is_a_region(demo_server: DemoServer, isolated_environment: Path) -> None:
    from tui.config import load_settings

    from .test_regions import _profiles

    _profiles(demo_server, isolated_environment)  # two stored profiles: 11250 and 20091
    app = ScnetImagesApp(load_settings())
    async with app.run_test(size=STANDARD) as pilot:
        screen = await open_every_region(pilot)
        assert {image.region for image in screen.loaded_images} == {"华东一区【昆山】", "华中一区【A区】"}
        assert text_of(app, "#where").startswith("All regions (2)")
        assert not screen.query("#error-banner").first().display


async def test_a_region_whose_token_is_refused_shows_none_of_its_cached_catalog(demo_server: DemoServer) -> None:
    import time

    from tui import cache
    from tui.api.models import parse_image
    from tui.cached_catalog import cache_key
    from tui.regions import every_region, region_connection

    lapsed = next(region for region in every_region(demo_connection(demo_server).settings, demo_server=demo_server)
                  if region.cluster_id == "40017")
    images = tuple(parse_image(item) for item in demo_server.images[:30])
    cache.save(cache_key(region_connection(lapsed)), cache.Cached(images, time.time() - 600, ("", ""), "its region"))
    app = every_region_app(demo_server)
    async with app.run_test(size=STANDARD) as pilot:
        screen = await open_every_region(pilot)
        assert "华北一区【雄安】" not in {image.region for image in screen.loaded_images}
        assert "华北一区【雄安】: " in text_of(app, "#error-banner")
        assert "cached" not in text_of(app, "#counts")  # none of the rows shown is the cache's
