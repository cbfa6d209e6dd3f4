"""The browser against hostile answers and slow servers: what it copies, shows and lets go of."""

from __future__ import annotations

from textual.widgets import Static

from tui.app import ScnetImagesApp
from tui.config import Settings
from tui.connection import Connection
from tui.demo.server import DemoServer
from tui.screens.copy_menu import CopyMenu
from tui.widgets.error_banner import ErrorBanner
from tui.widgets.image_table import ImageTable

from ..hostile import NASTY, HostileServer, Seen, envelope
from .conftest import STANDARD, make_app, settle

TOKEN = "tok-" + "s3cr3t" * 4


def notifications(app: ScnetImagesApp) -> list[str]:
    return [f"{title}: {message}" for title, message in app.said]


async def test_a_path_that_is_not_a_reference_is_not_copied(server: DemoServer) -> None:
    server.set_images([{"name": "evil", "tag": "1", "path": "reg:5000/a/$(touch pwned):1"}])
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert app.clipboard == ""
        assert any("not a valid image reference" in note and "shell" in note for note in notifications(app))
        await pilot.press("y", "D")  # the docker pull line: refused for the same reason
        await pilot.pause()
        assert app.clipboard == ""


async def test_the_docker_line_of_a_valid_path(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        path = app.screen.query_one(ImageTable).highlighted_image.path  # type: ignore[union-attr]
        await pilot.press("y")
        assert isinstance(app.screen, CopyMenu)
        await pilot.press("D")
        await pilot.pause()
        assert app.clipboard == f"docker pull {path}"


async def test_the_banner_never_shows_the_token_a_server_echoes() -> None:
    def echo(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, envelope(code="10001", msg=f"{NASTY} bad token {seen.headers.get('token')}")

    paths = ("/ai/openapi/v2/instance-service/images", "/ai/openapi/v2/image/images")
    with HostileServer({path: echo for path in paths}) as hostile:
        settings = Settings(base_url=hostile.base_url, token=TOKEN, profile="p")
        app = ScnetImagesApp(connection=Connection(settings, hostile.base_url, TOKEN))
        async with app.run_test(size=STANDARD) as pilot:
            await settle(pilot)
            banner = app.screen.query_one(ErrorBanner)
            shown = str(banner.render()) + " ".join(notifications(app))
            assert banner.display and "10001" in shown
    assert TOKEN not in shown and "\x1b" not in shown and "\u202e" not in shown


async def test_escape_stops_a_slow_load_and_keeps_what_is_shown(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        rows = app.screen.query_one(ImageTable).row_count
        server.inject("latency", "5", times=1)
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one("#loading").display
        await pilot.press("escape")
        await settle(pilot)
        assert not app.screen.query_one("#loading").display
        assert app.screen.query_one(ImageTable).row_count == rows
        assert any("Stopped loading" in note for note in notifications(app))
        assert "Loading" not in str(app.screen.query_one("#activity", Static).render())
