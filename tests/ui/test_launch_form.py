"""The launch form as a new user meets it: one error per field and a request that never shows
a value nobody typed, Enter on the highlighted Launch launches, closing without launching says
so, and Esc asks before losing edits."""

from __future__ import annotations

import json
from typing import Iterator

import pytest
from textual.widgets import Button, Input

from tui.app import ScnetImagesApp
from tui.demo.server import DemoServer
from tui.screens.confirm import ConfirmDialog
from tui.screens.containers import ContainersScreen
from tui.screens.launch_form import LaunchForm

from ..conftest import FakeClock, demo_connection
from .conftest import STANDARD, settle
from .test_containers import notifications, open_form


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(clock=FakeClock(), deploy_seconds=10) as demo:
        yield demo


def creates(server: DemoServer) -> int:
    return sum(1 for r in server.requests if r.method == "POST" and r.path.endswith("/instance-service/task"))


@pytest.mark.parametrize(("selector", "typed", "key"), [("#launch-time", "99:99", "timeoutLimit"),
                                                        ("#launch-memory", "32X", "ramSize"),
                                                        ("#launch-cpus", "two", "cpuNumber")])
async def test_an_unreadable_field_is_one_error_and_missing_from_the_request(server: DemoServer, selector: str,
                                                                            typed: str, key: str) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        form.query_one(selector, Input).value = typed
        await pilot.pause()
        assert len(form.problems) == 1 and (typed in form.problems[0] or "whole number" in form.problems[0])
        assert key not in form.request_shown() and "168" not in " ".join(form.problems)
        shown = str(form.query_one("#launch-request").render())
        assert f'"{key}"' not in shown and json.dumps(form.request_shown(), ensure_ascii=False, indent=2)
        assert form.query_one(selector, Input).has_class("-invalid")


async def test_enter_on_the_highlighted_launch_button_launches(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await open_form(app, pilot)
        await pilot.press("ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog) and dialog.focused is not None and dialog.focused.id == "confirm-yes"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContainersScreen)
    assert creates(server) == 1


@pytest.mark.parametrize("size", [(80, 24), (80, 18), STANDARD])
async def test_the_confirmation_keeps_its_buttons_on_screen(server: DemoServer, size: tuple[int, int]) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=size) as pilot:
        await open_form(app, pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        box = dialog.query_one("#confirm-box").region
        for button in dialog.query("#confirm-buttons Button"):
            assert box.contains_region(button.region) and button.region.bottom <= size[1], (button.region, box)
        detail = dialog.query_one("#confirm-detail")
        assert detail.max_scroll_y > 0 or size == STANDARD  # the request scrolls where it cannot all show


@pytest.mark.parametrize("key", ["escape", "n"])
async def test_closing_the_confirmation_without_launching_says_so(server: DemoServer, key: str) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("ctrl+s", key)
        await settle(pilot)
        assert app.screen is form and "Not launched: nothing was sent." in "\n".join(notifications(app))
    assert creates(server) == 0


async def test_a_key_typed_again_after_declining_changes_no_field(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        name = form.query_one("#launch-name", Input).value
        await pilot.press("ctrl+s", "n")
        await settle(pilot)
        await pilot.press("n")  # "no" once more, as people do: the focus is on Launch, not in the name
        await settle(pilot)
        assert form.query_one("#launch-name", Input).value == name
        assert app.focused is form.query_one("#launch-go", Button)
    assert creates(server) == 0


async def test_esc_asks_before_losing_edits_and_closes_at_once_without(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await open_form(app, pilot)
        await pilot.press("escape")
        assert not isinstance(app.screen, (LaunchForm, ConfirmDialog))  # nothing changed: closed
        form = await open_form(app, pilot)
        form.query_one("#launch-cpus", Input).value = "4"
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # keep editing
        assert app.screen is form and form.query_one("#launch-cpus", Input).value == "4"
        await pilot.press("escape", "y")
        assert not isinstance(app.screen, (LaunchForm, ConfirmDialog))


async def test_the_users_home_is_offered_first_to_mount(server: DemoServer) -> None:
    from tui.config import Settings
    from tui.connection import Connection
    from tui.launch import offered_mounts

    assert offered_mounts(["/public/home/demo", "/work/demo"], "/work/demo/alice") == [
        "/work/demo/alice", "/public/home/demo", "/work/demo"]
    assert offered_mounts(["/work/demo"], "/elsewhere/alice") == ["/work/demo"]  # not allowed: not offered
    settings = Settings(base_url=server.base_url, token=server.token, demo=True, home_path="/public/home/demo/alice")
    app = ScnetImagesApp(connection=Connection(settings, server.base_url, server.token))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        from textual.widgets import SelectionList

        mounts = form.query_one("#launch-mounts", SelectionList)
        first = mounts.get_option_at_index(0)
        assert first.value == "/public/home/demo/alice" and "your home" in str(first.prompt)
        mounts.select(first.value)
        await pilot.pause()
        assert form.problems == [] and form.request_shown()["mountInfoList"][0]["sourcePath"] == first.value


async def test_space_on_the_mounts_reached_by_tab_ticks_the_first(server: DemoServer) -> None:
    from textual.widgets import SelectionList

    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        mounts = form.query_one("#launch-mounts", SelectionList)
        mounts.focus()  # as Tab brings it
        await pilot.press("space")
        await pilot.pause()
        assert mounts.selected == [mounts.get_option_at_index(0).value]
