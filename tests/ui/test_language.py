"""The interface in Chinese, and switching language from the command palette without a restart."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Input, Select, Static
from textual.widgets._footer import FooterKey

from tui import i18n
from tui.demo.server import DemoServer
from tui.screens.help import HelpScreen
from tui.widgets.image_table import ImageTable

from .conftest import make_app
from .scenarios import STANDARD, WIDE, settle


def shown(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    content = app.screen.query_one(selector, Static).content
    return content.plain if isinstance(content, Text) else str(content)


def select_label(app) -> str:  # type: ignore[no-untyped-def]
    content = app.screen.query_one("#accelerator", Select).query_one("#label", Static).content
    return content.plain if isinstance(content, Text) else str(content)


def footer(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [key.description for key in app.screen.query(FooterKey)]


async def test_switching_language_keeps_the_catalog_cursor_and_search(server: DemoServer,
                                                                       isolated_environment: Path) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"vllm", "enter", "down")
        table = app.screen.query_one(ImageTable)
        rows, place = table.row_count, table.highlighted_image
        assert "Help" in footer(app) and "images" in shown(app, "#counts")
        await pilot.press("ctrl+p")
        await pilot.press(*"Language")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert i18n.language() == "zh_CN"
        assert "帮助" in footer(app) and "Help" not in footer(app)
        assert "个镜像" in shown(app, "#counts") and "按创建时间排序" in shown(app, "#counts")
        assert table.header_label("name").startswith("名称")
        assert app.screen.query_one("#search", Input).value == "vllm"
        assert app.screen.query_one("#search", Input).placeholder.startswith("搜索")
        assert "全部加速卡" in select_label(app)
        assert table.row_count == rows and table.highlighted_image == place
        assert len(server.requests) == 1  # nothing was asked again
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "按键" in str(app.screen.query_one("#help-box").border_title)
        await pilot.press("escape")
        # And back: the palette offers English, under its own name.
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "界面语言（Language）：English" in titles
        back = next(c for c in app.get_system_commands(app.screen) if c.title.endswith("English"))
        back.callback()
        await settle(pilot)
        assert "Help" in footer(app) and "images" in shown(app, "#counts")
        assert "All accelerators" in select_label(app)
    assert 'language = "en"' in isolated_environment.read_text()  # kept for the next start


async def test_an_error_banner_follows_the_language(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        server.inject("code", "10001")
        await pilot.press("r")
        await settle(pilot)
        assert "previous results kept" in shown(app, "#error-banner")
        app.switch_language("zh_CN")
        await pilot.pause()
        assert "之前的结果已保留" in shown(app, "#error-banner")
        assert app.screen.query_one("#error-banner").display


async def test_an_empty_details_pane_follows_the_language(server: DemoServer) -> None:
    server.set_images([])
    app = make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "No image selected." in shown(app, "#detail-body")
        app.switch_language("zh_CN")
        await pilot.pause()
        assert "未选择镜像。" in shown(app, "#detail-body")


async def test_the_instances_view_follows_the_language_headings_included(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        before = app.export_screenshot()
        assert "Run&#160;time" in before and "运行时长" not in before
        app.switch_language("zh_CN")
        await settle(pilot)
        after = app.export_screenshot()  # what is drawn, the table's cached header row included
        assert "运行时长" in after and "Run&#160;time" not in after
        assert "个实例" in after
        assert "1&#160;个运行中，1&#160;个已停止" in after  # each count said as the console says it


async def test_no_language_command_over_a_dialog_and_ctrl_c_says_how_to_quit(server: DemoServer) -> None:
    i18n.set_language("zh_CN")
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert any("Language" in title for title in titles)
        assert not any(title == "按键" for title in titles)  # Textual's English-only key panel
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert not any("Language" in command.title for command in app.get_system_commands(app.screen))
        await pilot.press("escape")
        app.action_help_quit()
        await pilot.pause()
        messages = [message for _title, message in app.said]
        assert any("按 q 退出" in message for message in messages), messages


async def test_a_switch_says_when_the_environment_still_decides_the_next_start(
    server: DemoServer, monkeypatch, isolated_environment: Path  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("SCNET_LANG", "zh_CN")
    assert i18n.start(None, None, None) == "" and i18n.chosen_by() == "SCNET_LANG"
    app = make_app(server)
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        app.switch_language("en")
        await pilot.pause()
        assert any("SCNET_LANG still chooses" in message for _title, message in app.said)
    assert 'language = "en"' in isolated_environment.read_text()


async def test_at_80x24_in_chinese_the_status_line_keeps_the_row_and_the_footer_every_key(server: DemoServer) -> None:
    i18n.set_language("zh_CN")
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert shown(app, "#position").startswith("第 1 / ") and shown(app, "#position").endswith(" 行")
        region = app.screen.query_one("#position").region
        assert region.right <= 80  # drawn whole, not pushed off by the counts
        keys = [key.key for key in app.screen.query(FooterKey)]
        assert "question_mark" in keys and "q" in keys
        assert all(key.region.right <= 80 for key in app.screen.query(FooterKey))
        await pilot.press("i")
        await settle(pilot)
        keys = [key.key for key in app.screen.query(FooterKey)]
        assert {"question_mark", "q", "x", "D", "escape"} <= set(keys), keys
        assert all(key.region.right <= 80 for key in app.screen.query(FooterKey))
