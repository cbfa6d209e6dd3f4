"""What a new user tripped over in the first ten minutes, in the browser: each one stays fixed."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from textual.widgets import Static

from tui.app import ScnetImagesApp
from tui.demo.server import DemoServer
from tui.widgets.detail_pane import DetailPane
from tui.widgets.image_table import ImageTable

from .conftest import STANDARD, WIDE, make_app, settle


def notifications(app: ScnetImagesApp) -> list[str]:
    return [f"{title}: {message}" for title, message in app.said]


def cursor_visible(table: ImageTable) -> bool:
    top = round(table.scroll_offset.y)
    return top <= table.cursor_row < top + table.scrollable_content_region.height - 1


async def test_the_cursor_stays_in_view_through_layout_changes(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ImageTable)
        await pilot.press("end", "d")
        await pilot.pause()
        assert cursor_visible(table)
        await pilot.press("d")
        await pilot.pause()
        assert cursor_visible(table)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert cursor_visible(table)


async def test_at_80x24_the_table_fits_and_help_is_in_the_footer(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ImageTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        footer_keys = [binding.key for _, binding, _, _ in app.screen.active_bindings.values() if binding.show][:3]
        assert footer_keys[0] == "question_mark"


async def test_d_chooses_for_the_layout_it_is_pressed_in(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        assert not pane.display
        await pilot.press("d")
        assert pane.display
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert pane.display
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not pane.display  # back in the small layout: its own default, not a stale choice


async def test_on_a_wide_terminal_the_pane_takes_what_the_table_leaves(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        table = app.screen.query_one(ImageTable)
        assert pane.outer_size.width > 56 and table.virtual_size.width <= table.size.width
        # No blank columns left of the pane: it starts where the table's columns (and scrollbar) end.
        assert pane.outer_size.width >= WIDE[0] - table.virtual_size.width - 3


async def test_image_size_in_words(server: DemoServer) -> None:
    server.set_images([{"name": "big", "tag": "1", "path": "r/big:1", "imageSize": "17605821176"}])
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#detail-body", Static).content)
        shown = console.export_text()
        assert "16.4 GiB" in shown and "17605821176" in shown  # in words above, as sent in the raw JSON


async def test_reload_says_how_it_went_and_where_the_cursor_is(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        position = app.screen.query_one("#position", Static)
        assert str(position.render()) == f"1 of {len(server.images)}"
        await pilot.press("down", "down")
        assert str(position.render()) == f"3 of {len(server.images)}"
        await pilot.press("r")
        await settle(pilot)
        assert any(f"Reloaded: {len(server.images)} images" in note for note in notifications(app))


async def test_the_search_box_says_how_to_leave_it(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        shown = {binding.key_display for _, binding, _, _ in app.screen.active_bindings.values() if binding.show}
        assert {"Enter/↓", "Esc"} <= shown


async def test_the_palette_sorts_by_a_named_column(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert {"Sort by tag", "Sort by name", "Sort by created"} <= set(commands)
        commands["Sort by tag"].callback()
        await pilot.pause()
        assert app.screen.sort_field == "tag"  # type: ignore[attr-defined]


async def test_the_theme_is_kept(server: DemoServer, isolated_environment: Path) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
    assert 'theme = "nord"' in isolated_environment.read_text()
    again = make_app(server)
    async with again.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_a_logged_out_default_starts_on_the_demo_saying_why(isolated_environment: Path) -> None:
    from tui.config import load_settings
    from tui.profiles import remove_tokens, save_login

    save_login(isolated_environment, {"demo-11250": {"region": "r", "cluster_id": "11250", "user": "demo",
                                                     "base_url": "https://ai.example", "ac_url": "https://ac.example",
                                                     "token": "eyJ.x.y"}}, "demo-11250")
    remove_tokens(isolated_environment)
    app = ScnetImagesApp(load_settings(demo_if_logged_out=True))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert app.connection is not None and app.connection.demo
        assert any("logged out" in note and "scnet-images login" in note for note in notifications(app))
