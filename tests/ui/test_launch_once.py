"""In the browser, a launch, stop, restart or delete is sent at most once: the form cannot
send it twice nor be closed while it is in flight, an action repeated in the instances view
is sent once, and an unknown outcome is said as such and looked for in the list."""

from __future__ import annotations

from typing import Iterator

import pytest
from textual.widgets import Button, Static

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


def sent(server: DemoServer, method: str, suffix: str) -> int:
    return sum(1 for r in server.requests if r.method == method and r.path.endswith(suffix))


async def test_a_slow_create_confirmed_twice_is_sent_once(server: DemoServer) -> None:
    server.inject("latency", "1.5", call="create")  # the create takes a while to answer
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("ctrl+s", "y")
        assert form.launching and form.query_one("#launch-sending", Static).display
        assert form.query_one("#launch-go", Button).disabled
        assert str(form.query_one("#launch-go", Button).label) == "Launching…"
        await pilot.press("ctrl+s", "y")  # again, before the answer came
        assert app.screen is form and not isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # closing now would cancel the create and lose its id
        assert app.screen is form
        assert any("waiting for the platform's answer" in note for note in notifications(app))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContainersScreen) and screen.following in screen.instances
    assert creates(server) == 1


async def test_a_create_whose_answer_is_lost_opens_the_list_and_finds_it(server: DemoServer) -> None:
    server.inject("status", "504", times=1, call="create")  # created, then the gateway gave up
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        name = form.query_one("#launch-name").value  # type: ignore[attr-defined]
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContainersScreen)
        said = "\n".join(notifications(app))
        assert "may have been launched" in said and "Nothing was launched" not in said and "try again" not in said
        found = [i for i in screen.instances.values() if i.name == name]
        assert len(found) == 1 and screen.following == found[0].id
        assert screen._highlighted_id() == found[0].id
        assert "the launch went through" in "\n".join(notifications(app))
    assert creates(server) == 1


async def test_an_unanswered_launch_not_in_the_list_is_looked_for_then_said(server: DemoServer) -> None:
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        screen = ContainersScreen(demo_connection(server), app.screen.client(), look_for="never-launched")  # type: ignore[attr-defined]
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.look_for == "never-launched"
        for _ in range(20):
            if not screen.look_for:
                break
            screen.action_refresh()
            await settle(pilot)
        assert screen.look_for == ""
        assert any("No instance named never-launched is listed" in note for note in notifications(app))


@pytest.mark.parametrize("list_before", ["read", "unreadable"])
async def test_an_older_instance_of_the_name_is_not_taken_for_a_launch_that_went_nowhere(
        server: DemoServer, list_before: str) -> None:
    from tests.proxy import RewritingProxy

    from tui.config import Settings
    from tui.connection import Connection

    from ..conftest import FAST

    older = "vllm-serve-test"  # one of the instances every demo region starts with, stopped a day ago
    launching = False  # from the key that sends the launch until its create is sent

    def intercept(method: str, path: str) -> tuple[int, bytes] | None:
        nonlocal launching
        if method == "GET" and "/instance-service/task" in path and launching and list_before == "unreadable":
            return 503, b"busy"  # the list asked just before the create, and each retry of it
        if method == "POST" and path.endswith("/instance-service/task"):
            launching = False
            return 504, b"<html>Gateway Timeout</html>"  # the gateway gave up: the platform never saw it
        return None

    with RewritingProxy(server.base_url, lambda exchange: None, intercept) as proxy:
        settings = Settings(base_url=proxy.base_url, token=server.token, demo=True, options=FAST)
        app = ScnetImagesApp(connection=Connection(settings, proxy.base_url, server.token))
        async with app.run_test(size=STANDARD) as pilot:
            form = await open_form(app, pilot)
            form.query_one("#launch-name").value = older  # type: ignore[attr-defined]
            await pilot.pause()
            launching = True
            await pilot.press("ctrl+s", "y")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ContainersScreen)
            said = "\n".join(notifications(app))
            if list_before == "read":  # the older one was listed before: it is not this launch
                assert screen.look_for == older and screen.following == "" and "went through" not in said
            else:  # not known what was there before: the stopped one of that name is not taken for it
                assert screen.look_for == older and screen.following == "" and "went through" not in said
                assert "did not start" not in said
    assert creates(server) == 0


async def test_a_refused_create_says_nothing_was_launched_and_keeps_the_form(server: DemoServer) -> None:
    server.inject("code", "716865", times=1, call="create")  # an answer: after the call, yet a refusal
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert app.screen is form and not form.launching
        banner = str(form.query_one("#launch-error", Static).render())
        assert "716865" in banner and "Nothing was launched" in banner
        assert not form.query_one("#launch-go", Button).disabled


async def test_a_stop_confirmed_twice_is_sent_once(server: DemoServer) -> None:
    server.inject("latency", "1.5", call="stop")
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContainersScreen)
        running = next(i for i in screen.instances.values() if i.status == "Running")
        screen.query_one("#instances").move_cursor(row=screen.query_one("#instances").get_row_index(running.id))  # type: ignore[attr-defined]
        await pilot.press("x", "y")
        assert screen.acting == {running.id: "stop"}
        await pilot.press("x", "y", "x")
        assert not isinstance(app.screen, ConfirmDialog)
        assert any("still waiting for the platform's answer" in note for note in notifications(app))
        await settle(pilot)
        assert screen.acting == {} and screen.instances[running.id].status == "Terminated"
    assert sent(server, "POST", "/actions/stop") == 1


@pytest.mark.parametrize("fault", [("status", "504"), ("drop", "")])
async def test_a_delete_whose_answer_is_lost_says_so_and_looks_again(server: DemoServer,
                                                                     fault: tuple[str, str]) -> None:
    server.inject(*fault, times=1, call="delete")
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContainersScreen)
        stopped = next(i for i in screen.instances.values() if i.status == "Terminated")
        screen.query_one("#instances").move_cursor(row=screen.query_one("#instances").get_row_index(stopped.id))  # type: ignore[attr-defined]
        await pilot.press("D", "y")
        await settle(pilot)
        said = "\n".join(notifications(app))
        assert "may have been deleted" in said and "try again" not in said
        assert stopped.id not in screen.instances  # the list was asked again: it is gone
    assert sent(server, "DELETE", "/task") == 1


async def test_the_palette_open_when_the_create_is_answered_closes_with_the_form(server: DemoServer) -> None:
    server.inject("latency", "1.0", call="create")
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("ctrl+s", "y")
        assert form.launching
        await pilot.press("ctrl+p")  # the palette over the form while the create is in flight
        assert app.screen is not form
        await settle(pilot)
        assert isinstance(app.screen, ContainersScreen) and form not in app.screen_stack
        await pilot.press("escape")
        assert not isinstance(app.screen, LaunchForm)  # no form left behind to launch again
    assert creates(server) == 1


async def test_the_instances_view_stays_while_an_action_waits(server: DemoServer) -> None:
    server.inject("latency", "1.0", call="restart")
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContainersScreen)
        stopped = next(i for i in screen.instances.values() if i.status == "Terminated")
        screen.query_one("#instances").move_to(stopped.id)  # type: ignore[attr-defined]
        await pilot.press("R", "escape")
        assert app.screen is screen and "the view stays until it comes" in "\n".join(notifications(app))
        await settle(pilot)
        assert screen.acting == {}
        await pilot.press("escape")
        assert app.screen is not screen
    assert sent(server, "POST", "/actions/restart") == 1


async def test_quitting_while_a_create_waits_asks_and_then_says_it_may_have_happened(server: DemoServer) -> None:
    server.inject("latency", "2.0", call="create")
    app = ScnetImagesApp(connection=demo_connection(server))
    async with app.run_test(size=STANDARD) as pilot:
        await open_form(app, pilot)
        await pilot.press("ctrl+s", "y", "ctrl+q")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog) and "The launch of" in dialog._question
        await pilot.press("y")
    assert app.return_value and "the launch of" in app.return_value[0]
