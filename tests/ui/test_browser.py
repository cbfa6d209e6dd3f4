"""The browser driven by a Pilot against the demo API: keys, actions, errors, clipboard, hostile data."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from datetime import datetime, timedelta, timezone

import pyperclip
from textual import events
from textual.pilot import Pilot
import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.widgets import Input, Select, Static

from tui.app import ScnetImagesApp
from tui.demo.catalog import demo_catalog
from tui.demo.server import DemoServer
from tui.screens.browser import BrowserScreen
from tui.screens.copy_menu import CopyMenu
from tui.screens.help import HelpScreen
from tui.screens.text_dialog import TextDialog
from tui.widgets.detail_pane import DetailPane
from tui.widgets.key_footer import KeyFooter
from tui.widgets.error_banner import ErrorBanner
from tui.widgets.image_table import ImageTable

from ..conftest import demo_connection
from .conftest import STANDARD, WIDE, make_app, settle
from .scenarios import HOSTILE, details_caught_up


def table(app: ScnetImagesApp) -> ImageTable:
    return app.screen.query_one(ImageTable)


async def details(pilot: Pilot, selector: str) -> str:
    """What the details pane shows once it has caught up with the cursor (a frame later)."""
    await details_caught_up(pilot)
    return text_of(pilot.app, selector)


def text_of(app: ScnetImagesApp, selector: str) -> str:
    """What a Static shows, as plain text (Rich renderables are printed without styles)."""
    content = app.screen.query_one(selector, Static).content
    if isinstance(content, Text):
        return content.plain
    if isinstance(content, str):
        return content
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def notifications(app: ScnetImagesApp) -> list[str]:
    return [f"{title}: {message}" for title, message in app.said]


async def test_loads_the_catalog(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert table(app).row_count == len(server.images)
        assert text_of(app, "#counts").startswith(f"{len(server.images)} of {len(server.images)} images")
        assert "sorted by created ▼" in text_of(app, "#counts")
        assert isinstance(app.screen, BrowserScreen)
        assert app.focused is table(app)


async def test_search_filters_on_every_keystroke(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        counts = []
        for key in "vllm 0.9":
            await pilot.press("space" if key == " " else key)
            counts.append(table(app).row_count)
        assert counts[0] < len(server.images)
        assert counts == sorted(counts, reverse=True)
        images = app.screen.shown_images
        assert images and all("vllm" in i.haystack and "0.9" in i.haystack for i in images)
        assert text_of(app, "#counts").startswith(f"{len(images)} of {len(server.images)}")
        assert len(server.requests) == 1  # searching never asks the server
        await pilot.press("escape")
        assert app.screen.query_one("#search", Input).value == ""
        assert table(app).row_count == len(server.images)
        assert app.focused is table(app)


async def test_clearing_the_search_keeps_the_highlighted_image_in_view(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"vllm 0.9.2 dtk25.04.2", "enter")
        await settle(pilot)
        chosen = table(app).highlighted_image
        await pilot.press("escape")
        await settle(pilot)
        grid = table(app)
        rows_shown = grid.scrollable_content_region.height - 1  # below the header
        assert grid.highlighted_image is chosen and grid.cursor_row > rows_shown  # far down the whole catalog
        top = round(grid.scroll_offset.y)
        assert top <= grid.cursor_row < top + rows_shown  # and shown, not left above the rows in view


async def test_enter_in_search_moves_to_the_table(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("slash", "j", "a", "x", "enter")
        assert app.focused is table(app)
        assert table(app).row_count == len(app.screen.shown_images) > 0


async def test_accelerator_filter_asks_the_server(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("a")  # opens the filter's list at once: its options have the focus
        assert app.screen.query_one("#accelerator", Select).expanded
        await pilot.press("down", "down", "enter")  # All -> dcu -> gpu
        await settle(pilot)
        request = server.requests[-1]
        assert json.loads(request.body) == {"acceleratorType": "gpu"}
        assert all("gpu" in image.accelerators for image in app.screen.shown_images)
        assert "gpu, all types" in text_of(app, "#counts")


async def test_image_type_filter_asks_the_server(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        app.screen.query_one("#image-type", Select).value = "JupyterLab"
        await settle(pilot)
        assert json.loads(server.requests[-1].body) == {"imageType": "JupyterLab"}
        assert {image.type for image in app.screen.shown_images} == {"JupyterLab"}


async def test_values_seen_in_the_data_are_offered(server: DemoServer) -> None:
    server.set_images(demo_catalog() + [{"name": "x", "tag": "1", "acceleratorType": "npu", "type": "RStudio"}])
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        accelerator = app.screen.query_one("#accelerator", Select)
        image_type = app.screen.query_one("#image-type", Select)
        assert "npu" in [value for _, value in accelerator._options]
        assert "RStudio" in [value for _, value in image_type._options]


async def test_a_newer_request_wins_over_a_slow_older_one(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        server.inject("latency", "0.8", times=1)
        app.screen.query_one("#accelerator", Select).value = "gpu"  # slow answer
        await pilot.pause()
        app.screen.query_one("#accelerator", Select).value = "cpu"  # fast answer
        await settle(pilot)
        assert app.screen.shown_images
        assert all("cpu" in image.accelerators for image in app.screen.shown_images)


async def test_sorting_by_keys_and_by_clicking_a_header(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert app.screen.sort_field == "user"
        await pilot.press("s")
        assert app.screen.sort_field == "name"
        names = [image.name.lower() for image in app.screen.shown_images]
        assert names == sorted(names)
        await pilot.press("S")
        names = [image.name.lower() for image in app.screen.shown_images]
        assert names == sorted(names, reverse=True)
        assert table(app).header_label("name") == "Name ▼"
        await pilot.click(ImageTable, offset=(30, 0))  # the Tag header
        assert app.screen.sort_field == "tag" and not app.screen.descending
        await pilot.click(ImageTable, offset=(30, 0))
        assert app.screen.descending
        assert "sorted by tag ▼" in text_of(app, "#counts")


async def test_details_follow_the_cursor(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        visible = app.screen.shown_images
        assert (await details(pilot, "#detail-path")).replace("\n", "") == visible[0].path
        await pilot.press("down", "down")
        assert (await details(pilot, "#detail-path")).replace("\n", "") == visible[2].path
        body = text_of(app, "#detail-body")
        assert visible[2].image_id in body and "Raw JSON" in body


async def test_details_wait_for_the_cursor_to_rest(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys in a run move the cursor at once; the pane lays out only the image it rests on."""
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane, visible = app.screen.query_one(DetailPane), app.screen.shown_images
        shown: list[object] = []
        show_now = pane.show_now
        monkeypatch.setattr(pane, "show_now", lambda image: (shown.append(image), show_now(image)))
        for row in (1, 2, 3, 4):
            table(app).move_cursor(row=row)  # as keys held down move it, faster than it rests
            pane.show(visible[row])
        assert pane.catching_up and not shown
        assert (await details(pilot, "#detail-path")).replace("\n", "") == visible[4].path
        assert shown == [visible[4]]


async def test_the_footer_is_rebuilt_only_when_its_keys_change(server: DemoServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        rebuilt: list[bool] = []
        monkeypatch.setattr(footer, "recompose", lambda: rebuilt.append(True) or asyncio.sleep(0))
        app.screen.bindings_updated_signal.publish(app.screen)  # looked at again, nothing changed
        await pilot.pause()
        assert not rebuilt
        footer._shown = ()  # as if it showed other keys
        app.screen.bindings_updated_signal.publish(app.screen)
        await pilot.pause()
        assert rebuilt


async def test_details_show_unknown_fields(server: DemoServer) -> None:
    server.set_images([{"name": "a", "tag": "1", "path": "r/a:1", "imageSize": "123", "status": "Completed"}])
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        body = text_of(app, "#detail-body")
        assert "Other fields from the server" in body and "imageSize" in body and "Completed" in body


async def test_details_can_be_hidden_and_hide_themselves_when_small(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        assert pane.display
        await pilot.press("d")
        assert not pane.display
        await pilot.press("d")
        assert pane.display
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(DetailPane).display
        await pilot.press("d")
        assert app.screen.query_one(DetailPane).display


async def test_reload(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert len(server.requests) == 2


# --- copying -----------------------------------------------------------------------------


async def test_copy_path_through_the_system_clipboard(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("down", "c")
        expected = app.screen.shown_images[1].path
        assert copied == [expected]
        assert app.clipboard == expected
        said = next(n for n in notifications(app) if "system clipboard" in n)
        shown = said.splitlines()[0].split(": ", 1)[1]  # the path on one line: its start and its tag, never wrapped
        assert "…" in shown and expected.startswith(shown.split("…")[0]) and expected.endswith(shown.split("…")[1])
        assert cell_len(shown) <= app._toast_width()


@pytest.mark.parametrize("size", [(80, 24), WIDE])
async def test_copy_menu_previews_take_the_width_there_is(server: DemoServer, size: tuple[int, int]) -> None:
    app = make_app(server)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        image = app.screen.shown_images[0]
        await pilot.press("y")
        menu = app.screen.query_one("#copy-menu")
        lines = [line for line in menu.render_lines(menu.region.reset_offset) if line.text.strip()]
        assert menu.region.right <= size[0] and menu.region.width >= 60
        path_line = next(line.text.strip(" │") for line in lines if line.text.strip(" │").startswith(image.path[:12]))
        if size == WIDE:
            assert path_line == image.path  # whole when there is room
        else:
            head, tail = path_line.split("…")
            assert image.path.startswith(head) and image.path.endswith(tail) and len(tail) > len(image.tag)


async def test_enter_copies_through_osc52_when_pyperclip_cannot(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert app.clipboard == app.screen.shown_images[0].path
        assert any("OSC 52" in n for n in notifications(app))


async def test_osc52_is_wrapped_for_tmux(server: DemoServer, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    # Inside tmux, where tmux itself cannot take the text (no tmux to run here): OSC 52 through
    # its passthrough, and the notice says what that needs.
    monkeypatch.setenv("TMUX", "/tmp/tmux-test/default,1,0")
    monkeypatch.setenv("PATH", str(tmp_path))
    written: list[str] = []
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app._driver, "write", written.append)
        await pilot.press("c")
        path = app.screen.shown_images[0].path
        payload = base64.b64encode(path.encode()).decode()
        assert f"\x1bPtmux;\x1b\x1b]52;c;{payload}\a\x1b\\" in written
        assert app.clipboard == path
        assert any("allow-passthrough" in note for note in notifications(app))


async def test_no_clipboard_at_all_shows_the_text_to_select(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, TextDialog)
        assert app.screen.query_one("#text-dialog-text").text == app.screen._text
        await pilot.press("escape")
        assert isinstance(app.screen, BrowserScreen)


async def test_copy_menu_choices(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        image = app.screen.shown_images[0]
        await pilot.press("y")
        assert isinstance(app.screen, CopyMenu)
        await pilot.press("v")
        assert app.clipboard == image.version
        await pilot.press("y", "D")
        assert app.clipboard == f"docker pull {image.path}"
        await pilot.press("y", "d")
        assert app.clipboard == image.image_id
        await pilot.press("y", "i")
        assert app.clipboard == image.id
        await pilot.press("y", "j")
        assert json.loads(app.clipboard)["path"] == image.path
        await pilot.press("y", "down", "enter")  # the menu by cursor: second entry is the version
        assert app.clipboard == image.version
        await pilot.press("y", "escape")
        assert isinstance(app.screen, BrowserScreen)


async def test_values_with_control_characters_are_never_copied(server: DemoServer) -> None:
    server.set_images([{"name": "evil", "tag": "1", "path": "r/evil:1\nrm -rf ~"}])
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert app.clipboard == ""
        assert any("not copied" in n and "line break" in n for n in notifications(app))


# --- errors --------------------------------------------------------------------------------


async def test_errors_keep_the_previous_results(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        before = table(app).row_count
        server.inject("code", "10008")
        await pilot.press("r")
        await settle(pilot)
        banner = app.screen.query_one(ErrorBanner)
        assert banner.display
        assert "Token refused" in text_of(app, "#error-banner") and "10008" in text_of(app, "#error-banner")
        assert "r retry" in text_of(app, "#error-banner")
        assert table(app).row_count == before
        assert any("10008" in n for n in notifications(app))
        server.clear_faults()
        await pilot.press("r")
        await settle(pilot)
        assert not banner.display


@pytest.mark.parametrize(
    "fault, words",
    [
        (("status", "502"), ["HTTP 502"]),
        (("malformed", "html"), ["not JSON"]),
        (("code", "10001"), ["10001", "内部异常"]),
        (("malformed", "data-string"), ["`data`"]),
    ],
)
async def test_first_load_failure_says_why(server: DemoServer, fault: tuple[str, str], words: list[str]) -> None:
    server.inject(*fault)
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        banner = text_of(app, "#error-banner")
        for word in words:
            assert word in banner
        assert "Nothing loaded yet" in text_of(app, "#empty-message")
        assert "previous results kept" not in banner  # nothing was ever loaded
        assert not app.screen.query("Toast")  # no toast over the empty table's message: the banner says it
        assert app.is_running


async def test_network_failure(server: DemoServer) -> None:
    connection = demo_connection(server)
    server.stop()
    app = ScnetImagesApp(connection=connection)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert "refused the connection" in text_of(app, "#error-banner")


async def test_an_unexpected_exception_does_not_end_the_app(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.api.drivers import ScnetSyncClient

    def broken(self: ScnetSyncClient, *args: object, **kwargs: object) -> None:
        raise RuntimeError("surprise")

    monkeypatch.setattr(ScnetSyncClient, "list_images", broken)
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert "Unexpected error" in text_of(app, "#error-banner")
        assert app.is_running


async def test_empty_results_name_the_filters(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"nothing-like-this")
        message = text_of(app, "#empty-message")
        assert "nothing-like-this" in message and "Esc clears" in message
    empty = DemoServer([]).start()
    try:
        app = make_app(empty)
        async with app.run_test(size=STANDARD) as pilot:
            await settle(pilot)
            assert "The server has no images for all accelerators, all types" in text_of(app, "#empty-message")
    finally:
        empty.stop()


async def test_skipped_items_are_reported(server: DemoServer) -> None:
    server.set_images([{"name": "ok", "tag": "1"}, {"user": "nobody"}])
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert table(app).row_count == 1
        assert "1 unusable item skipped" in text_of(app, "#counts")


# --- hostile data ------------------------------------------------------------------------------

async def test_hostile_values_show_as_literal_text(server: DemoServer) -> None:
    server.set_images(HOSTILE)
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert table(app).row_count == len(HOSTILE)
        rows = {table(app).get_row_at(i)[0].plain: i for i in range(len(HOSTILE))}
        assert "[bold]x[/]" in rows  # markup shown as its characters
        assert "esc\\x1b[31mred" in rows  # the escape is visible, never sent
        assert "中文镜像" in rows
        row = rows["[bold]x[/]"]
        assert table(app).get_row_at(row)[1].plain == "[red]1[/red]"
        for cell in table(app).get_row_at(rows["esc\\x1b[31mred"]):
            assert "\x1b" not in cell.plain and "\x07" not in cell.plain and "\u202e" not in cell.plain
        long_row = next(i for name, i in rows.items() if name.startswith("long-"))
        assert all(cell.cell_len <= 44 for cell in table(app).get_row_at(long_row))
        table(app).move_cursor(row=row)
        await pilot.pause()
        assert (await details(pilot, "#detail-path")).replace("\n", "") == "r/[bold]x[/]:[red]1[/red]"
        assert "[link=http://e]u[/]" in text_of(app, "#detail-body")
        table(app).move_cursor(row=rows["esc\\x1b[31mred"])
        await pilot.pause()
        assert "\\u202eevil" in await details(pilot, "#detail-body")
        await pilot.press("slash", *"中文")
        assert table(app).row_count == 1


# --- help, palette, header, quitting -------------------------------------------------------------


async def test_help_lists_every_key(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = [b.description for b in app.screen._keys]
        for binding in BrowserScreen.BINDINGS:
            assert binding.description in listed
        await pilot.press("escape")
        assert isinstance(app.screen, BrowserScreen)


async def test_every_action_is_in_the_command_palette(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in ("Copy path", "Copy…", "Reload", "Sort", "Reverse", "Details", "Search", "Help", "Accelerator", "Image type", "Region"):
            assert title in titles
        reload = next(c for c in app.get_system_commands(app.screen) if c.title == "Reload")
        await reload.callback()
        await settle(pilot)
        assert len(server.requests) == 2


async def test_bindings_carry_ids_for_keymaps() -> None:
    assert all(binding.id for binding in BrowserScreen.BINDINGS)


def _jwt(payload: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(payload)}.c2lnbmF0dXJl"


NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "left, words, css",
    [(timedelta(hours=20), "19h 59m left", None), (timedelta(minutes=30), "30m left", "-warning"),
     (timedelta(minutes=-5), "expired 5m ago", "-expired")],
)
async def test_header_shows_user_and_token_time_left(left: timedelta, words: str, css: str | None) -> None:
    expiry = int((NOW + left).timestamp() * 1000) - (60_000 if left > timedelta(hours=1) else 0)
    token = _jwt({"user": "alice", "expireTime": str(expiry)})
    with DemoServer(token=token) as jwt_server:
        app = ScnetImagesApp(connection=demo_connection(jwt_server, demo=False), clock=lambda: NOW)
        async with app.run_test(size=STANDARD) as pilot:
            await settle(pilot)
            info = app.screen.query_one("#token-info", Static)
            assert f"alice · token {words}" == text_of(app, "#token-info")
            if css:
                assert info.has_class(css)
            assert token not in text_of(app, "#where")
            assert "127.0.0.1" in text_of(app, "#where")


async def test_q_quits(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_table_navigation_keys_and_double_click(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        grid = table(app)
        await pilot.press("j", "j", "k")
        assert grid.cursor_row == 1
        await pilot.press("pagedown")
        page = grid.cursor_row - 1
        assert page > 5
        assert grid.scroll_offset.y > 0  # the cursor stays in view
        await pilot.press("pageup")
        assert grid.cursor_row == 1
        await pilot.press("end")
        assert grid.cursor_row == grid.row_count - 1
        assert (await details(pilot, "#detail-path")).replace("\n", "") == app.screen.shown_images[-1].path
        await pilot.press("home")
        assert grid.cursor_row == 0 and grid.scroll_offset.y == 0
        await pilot.click(ImageTable, offset=(5, 3))  # the third data row
        assert grid.cursor_row == 2
        await pilot.click(ImageTable, offset=(5, 3), times=2)
        assert app.clipboard == app.screen.shown_images[2].path


async def test_configuration_warnings_show_in_the_app(server: DemoServer) -> None:
    from tui.config import Settings
    from tui.connection import Connection

    settings = Settings(base_url=server.base_url, token=server.token, demo=True,
                        warnings=("config.toml holds a token and is readable by others; run: chmod 600 config.toml",))
    app = ScnetImagesApp(connection=Connection(settings, server.base_url, server.token))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert any("chmod 600" in n for n in notifications(app))


async def test_a_served_tab_names_no_file_of_the_machine_serving_it(server: DemoServer,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.config import Settings
    from tui.connection import Connection

    monkeypatch.setenv("SCNET_SERVED", "1")
    warning = "/home/owner/.config/scnet-images/config.toml holds a token and is readable by others; run: chmod 600 …"
    settings = Settings(base_url=server.base_url, token=server.token, demo=True, warnings=(warning,))
    app = ScnetImagesApp(connection=Connection(settings, server.base_url, server.token))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        said = "\n".join(notifications(app))
        assert "needs its owner's attention" in said and "/home/owner" not in said and "config.toml" not in said


async def test_loading_is_shown_while_a_request_is_in_flight(server: DemoServer) -> None:
    server.inject("latency", "1.0", times=1)
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#loading").display
        assert text_of(app, "#activity") == "Loading all accelerators, all types…"
        assert "Loading the catalog" in text_of(app, "#empty-message")
        await pilot.press("down", "slash", "x")  # the UI keeps answering meanwhile
        assert app.screen.query_one("#search", Input).value == "x"
        await settle(pilot)
        assert not app.screen.query_one("#loading").display
        assert table(app).row_count > 0


async def test_keys_typed_right_after_slash_reach_the_search_box(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        # Queue every key at once, as a fast typist or a paste does: none may reach the table.
        for key in ("slash", "v", "l", "l", "m", "space", "c", "y"):
            event = events.Key(key, "/" if key == "slash" else " " if key == "space" else key)
            event.set_sender(app)
            app._driver.send_message(event)  # as the terminal delivers them, no waiting between
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == "vllm cy"
        assert app.clipboard == ""


async def test_a_slash_in_the_search_box_is_a_slash(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"base", "slash", *"vllm")
        assert app.screen.query_one("#search", Input).value == "base/vllm"
        assert all("base/vllm" in image.path for image in app.screen.shown_images)
        assert table(app).row_count > 0
