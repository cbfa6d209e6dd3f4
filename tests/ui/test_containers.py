"""From image to container in the browser, driven by a Pilot against the demo API: launch,
follow to Running, open, copy, stop, delete; the form's checks and the platform's refusals."""

from __future__ import annotations

from typing import Iterator

import pytest
from textual.widgets import Button, DataTable, Input, Select

from tui.app import ScnetImagesApp
from tui.demo.server import DemoServer
from tui.screens.confirm import ConfirmDialog
from tui.screens.containers import ContainersScreen
from tui.screens.launch_form import LaunchForm

from ..conftest import FakeClock, demo_connection
from .conftest import STANDARD, settle

VLLM = "vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[DemoServer]:
    with DemoServer(clock=clock, deploy_seconds=10) as demo:
        yield demo


def notifications(app: ScnetImagesApp) -> list[str]:
    return [f"{title}: {message}" for title, message in app.said]


async def open_form(app: ScnetImagesApp, pilot) -> LaunchForm:  # type: ignore[no-untyped-def]
    await settle(pilot)
    app.screen.query_one("#search", Input).value = VLLM  # typing it is tested elsewhere, and slow
    await pilot.pause()
    await pilot.press("l")
    await settle(pilot)
    assert isinstance(app.screen, LaunchForm)
    return app.screen


def instance_rows(app: ScnetImagesApp) -> dict[str, str]:
    screen = app.screen
    assert isinstance(screen, ContainersScreen)
    return {key: instance.status for key, instance in screen.instances.items()}


async def test_launch_follow_open_stop_delete(server: DemoServer, clock: FakeClock,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        assert form.problems == [] and not form.query_one("#launch-go", Button).disabled
        assert form.spec is not None and form.spec.version == VLLM and form.spec.group == "dcu-k100-4"
        form.query_one("#launch-type").value = "jupyter"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContainersScreen)
        new = screen.following
        assert instance_rows(app)[new] == "Deploying"
        assert screen._highlighted_id() == new  # the just-launched one is highlighted and followed

        clock.advance(11)
        await pilot.press("r")
        await settle(pilot)
        assert instance_rows(app)[new] == "Running" and screen.following == ""
        assert any("is running" in note for note in notifications(app))

        await pilot.press("u")
        await settle(pilot)
        assert f"/jupyter-forward/{new}/?token=sothisai_" in app.clipboard
        assert not any("sothisai_" in note for note in notifications(app))  # shown masked

        opened: list[str] = []
        monkeypatch.setattr("tui.app._has_browser", lambda: True)
        monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
        await pilot.press("o")
        await settle(pilot)
        assert opened == [app.clipboard]

        await pilot.press("s")
        assert app.clipboard.startswith("ssh -p ") and app.clipboard.endswith("root@127.0.0.1")

        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert instance_rows(app)[new] == "Terminated"

        await pilot.press("D", "y")
        await settle(pilot)
        assert new not in instance_rows(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, ContainersScreen)


async def test_the_form_checks_before_anything_is_sent(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        cpus = form.query_one("#launch-cpus", Input)
        cpus.value = "99"
        await pilot.pause()
        assert any("CPU cores: 99 is outside 1-32" in problem for problem in form.problems)
        assert form.query_one("#launch-go", Button).disabled
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, LaunchForm)  # nothing to confirm: the form says what to fix
        form.query_one("#launch-group").value = "dcu-z100-2"  # type: ignore[attr-defined]
        await settle(pilot)
        assert form.limits is not None and form.limits.group == "dcu-z100-2"
        assert any("outside 1-16" in problem for problem in form.problems)
    assert not [r for r in server.requests if r.method == "POST" and r.path.endswith("/task")]


async def test_the_group_cannot_be_left_blank_once_the_groups_are_known(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        group = form.query_one("#launch-group", Select)
        # "Loading…" picked after the groups came would show while the request still sends a group.
        group.focus()
        await pilot.press("enter", "home", "enter")
        await settle(pilot)
        assert group.value == "dcu-k100-4" and form.request_shown()["resourceGroup"] == "dcu-k100-4"
        assert not group.is_blank() and "Loading…" not in str(group.render())
        # One region shown: no free figure was asked, so none is said.
        assert "Free now" not in str(form.query_one("#launch-limits").render())


async def test_a_refusal_keeps_every_value(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#launch-name", Input).value = "keep-me"
        form.query_one("#launch-memory", Input).value = "8G"
        await pilot.pause()
        server.inject("code", "716865", times=1, call="create")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#launch-error").display
        assert "716865" in str(form.query_one("#launch-error").render())
        assert form.query_one("#launch-name", Input).value == "keep-me"
        assert form.query_one("#launch-memory", Input).value == "8G"
        await pilot.press("ctrl+s", "y")  # the same request, once the cause is gone
        await settle(pilot)
        assert isinstance(app.screen, ContainersScreen)


async def test_a_failed_instance_is_announced(server: DemoServer, clock: FakeClock) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#launch-name", Input).value = "will-fail"
        await pilot.pause()
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        clock.advance(11)
        await pilot.press("r")
        await settle(pilot)
        assert any("did not start" in note for note in notifications(app))


async def test_the_instances_view_from_the_key_and_its_refusals(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert sorted(instance_rows(app).values()) == ["Running", "Terminated"]
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        running = next(key for key, status in instance_rows(app).items() if status == "Running")
        stopped = next(key for key, status in instance_rows(app).items() if status == "Terminated")
        table.move_cursor(row=table.get_row_index(running))
        await pilot.press("D")  # a running instance cannot be deleted: said here, nothing is asked or sent
        assert not isinstance(app.screen, ConfirmDialog)
        assert any("stop it first" in note for note in notifications(app))
        table.move_cursor(row=table.get_row_index(stopped))
        await pilot.press("x")  # nor stopped twice
        assert not isinstance(app.screen, ConfirmDialog)
        assert any("has already stopped" in note for note in notifications(app))
        server.inject("code", "716866", times=1)
        await pilot.press("D", "y")  # the platform refuses: it says why, the row stays
        await settle(pilot)
        assert any("716866" in note for note in notifications(app))
        assert instance_rows(app)[stopped] == "Terminated"
        server.inject("status", "502", times=3)
        await pilot.press("r")
        await settle(pilot)
        assert table.row_count == 2  # the previous rows stay
        assert app.screen.query_one("#error-banner").display
