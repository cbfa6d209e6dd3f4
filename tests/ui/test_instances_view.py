"""The instances view as a new user meets it: every terminal keeps the name, the id (never cut)
and the status in view, the run time ticks, the list is asked again now and then, and what
it offers fits the instance."""

from __future__ import annotations

from typing import Iterator

import pytest
from rich.text import Text

from tui.app import ScnetImagesApp
from tui.demo.server import DemoServer
from tui.screens.confirm import ConfirmDialog
from tui.screens.containers import ContainersScreen
from tui.widgets.instance_table import InstanceTable, short_ids

from ..conftest import FakeClock, demo_connection
from .conftest import settle
from .test_containers import notifications


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(clock=FakeClock(), deploy_seconds=0) as demo:
        yield demo


async def open_view(app: ScnetImagesApp, pilot) -> ContainersScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(app.screen, ContainersScreen)
    return app.screen


def header(table: InstanceTable) -> list[str]:
    return [str(column.label) for column in table.columns.values()]


@pytest.mark.parametrize("size", [(80, 24), (160, 45), (200, 50)])
async def test_the_id_is_never_cut_and_columns_give_way_by_priority(server: DemoServer, size: tuple[int, int]) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=size) as pilot:
        screen = await open_view(app, pilot)
        table = screen.query_one(InstanceTable)
        shown = header(table)
        assert shown[:3] == ["Name", "ID", "Status"]
        widths = sum(column.get_render_width(table) for column in table.columns.values())
        assert widths <= table.size.width  # nothing off-screen: every shown column is in view
        for instance in screen.instances.values():
            cell = table.get_cell(instance.id, "id")
            assert isinstance(cell, Text) and instance.id.startswith(cell.plain) and len(cell.plain) >= 8
            assert "…" not in cell.plain
        if size != (80, 24):
            assert len(shown) >= 6


def test_the_short_id_grows_until_ids_differ() -> None:
    assert short_ids(["abcdef0123", "abcdef0199"]) == 9
    assert short_ids(["a" * 32, "b" * 32]) == 8


async def test_the_run_time_ticks_between_lists(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_view(app, pilot)
        table = screen.query_one(InstanceTable)
        running = next(i for i in screen.instances.values() if i.status == "Running")
        before = table.get_cell(running.id, "time").plain
        listed_at = table.clock()
        table.clock = lambda: listed_at + 65
        table.tick()
        after = table.get_cell(running.id, "time").plain
        hours, minutes, seconds = (int(part) for part in before.split(":"))
        assert after == f"{hours:02d}:{minutes + 1:02d}:{seconds + 5:02d}"


async def test_the_list_is_asked_again_now_and_then(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.screens.containers as view

    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_view(app, pilot)
        lists = sum(1 for r in server.requests if r.path.endswith("/instance-service/task"))
        screen._tick()  # nothing on its way, the last list just now: not asked
        await settle(pilot)
        assert sum(1 for r in server.requests if r.path.endswith("/instance-service/task")) == lists
        monkeypatch.setattr(view, "IDLE_REFRESH_SECONDS", 0.0)
        screen._tick()
        await settle(pilot)
        assert sum(1 for r in server.requests if r.path.endswith("/instance-service/task")) == lists + 1


async def test_an_ssh_instance_that_runs_offers_its_ssh_command(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        from textual.widgets import Input

        app.screen.query_one("#search", Input).value = "vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10"
        await pilot.pause()
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContainersScreen)
        await pilot.press("r")
        await settle(pilot)
        said = "\n".join(notifications(app))
        assert "is running: s copies its ssh command." in said and "o opens it" not in said


async def test_deleting_a_stopped_instance_asks_without_saying_stop_it_first(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_view(app, pilot)
        table = screen.query_one(InstanceTable)
        stopped = next(i for i in screen.instances.values() if i.status == "Terminated")
        table.move_to(stopped.id)
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog) and "stop it first" not in dialog._question


async def test_open_without_a_browser_says_the_url_was_copied(server: DemoServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.app._has_browser", lambda: False)
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_view(app, pilot)
        running = next(i for i in screen.instances.values() if i.status == "Running")
        screen.query_one(InstanceTable).move_to(running.id)
        await pilot.press("o")
        await settle(pilot)
        assert "No system browser was found here, so it was copied instead." in "\n".join(notifications(app))
        assert "jupyter-forward" in app.clipboard


async def test_a_stop_answered_no_says_nothing_was_done(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_view(app, pilot)
        running = next(i for i in screen.instances.values() if i.status == "Running")
        screen.query_one(InstanceTable).move_to(running.id)
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog) and dialog.focused is not None and dialog.focused.id == "confirm-no"
        await pilot.press("enter")  # the focused (safe) answer
        await settle(pilot)
        assert "Nothing was done." in "\n".join(notifications(app))
    assert not any(r.path.endswith("/actions/stop") for r in server.requests)


async def test_a_stopped_instance_has_no_access_url_and_the_platform_is_not_asked(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_view(app, pilot)
        table = screen.query_one(InstanceTable)
        table.move_to(next(key for key, instance in table.instances.items() if instance.status == "Terminated"))
        await pilot.pause()
        before = len(server.requests)
        await pilot.press("o", "u")
        await settle(pilot)
        assert not [r for r in list(server.requests)[before:] if r.path.endswith("/url")]
        assert any("has stopped (Terminated): it has no access URL. R restarts it." in n for n in notifications(app))


async def test_a_status_that_grows_longer_is_drawn_whole(server: DemoServer) -> None:
    """Only Running rows listed, then one is stopped: "Terminated" is wider than the column was."""
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_view(app, pilot)
        table = screen.query_one(InstanceTable)
        stopped = next(i for i in screen.instances.values() if i.status == "Terminated")
        table.move_to(stopped.id)
        await pilot.press("D", "y")  # the stopped one goes: every row left is Running
        await settle(pilot)
        running = next(iter(screen.instances.values()))
        assert [i.status for i in screen.instances.values()] == ["Running"]
        table.move_to(running.id)
        await pilot.press("x", "y")
        await settle(pilot)
        screen.action_refresh()
        await settle(pilot)
        assert screen.instances[running.id].status == "Terminated"
        shown = table.get_cell(running.id, "status")
        assert table.columns["status"].get_render_width(table) - 2 * table.cell_padding >= shown.cell_len  # type: ignore[union-attr]


async def test_a_wide_name_is_measured_in_cells() -> None:
    """A Chinese character takes two cells: a long Chinese name (the console allows one) is cut
    with "…" to its column, not cropped silently."""
    from textual.app import App, ComposeResult

    from tui.api.container_models import parse_instance

    class Table(App[None]):
        def compose(self) -> ComposeResult:
            yield InstanceTable()

    name = "推理服务" * 8  # 32 characters, 64 cells
    listed = parse_instance({"id": "4c1f43ddb030483e89b55413bee6c004", "instanceServiceName": name, "status": "Running"})
    assert listed is not None
    app = Table()
    async with app.run_test(size=(80, 24)) as pilot:  # no room to spare: the name is cut to its cap
        table = app.query_one(InstanceTable)
        table.show([listed])
        await pilot.pause()
        cell = table.get_cell(listed.id, "name")
        width = table.columns["name"].get_render_width(table) - 2 * table.cell_padding  # type: ignore[index]
        assert cell.cell_len <= width and cell.plain.endswith("…")
