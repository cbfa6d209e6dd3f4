"""The app's visible states, as steps a Pilot takes. Used by the snapshot tests and by
scripts/screenshots.py, so the README's pictures and the tests show the same screens."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from textual.pilot import Pilot
from textual.worker import WorkerFailed

from tui.demo.server import DemoServer

WIDE = (200, 50)
STANDARD = (160, 45)

HOSTILE: list[dict[str, Any]] = [
    {"name": "[bold]x[/]", "tag": "[red]1[/red]", "path": "r/[bold]x[/]:[red]1[/red]", "user": "[link=http://e]u[/]"},
    {"name": "esc\x1b[31mred", "tag": "bell\x07", "path": "r/esc:1", "user": "\u202eevil"},
    {"name": "long-" + "n" * 500, "tag": "t" * 2000, "path": "r/" + "p" * 3000 + ":1"},
    {"name": "中文镜像", "tag": "深度学习-1", "path": "r/中文镜像:深度学习-1", "user": "用户"},
    {"path": "r/only-a-path:1"},
]


async def settle(pilot: Pilot) -> None:
    """Let every worker (the network load) finish, then let the screen catch up."""
    await pilot.pause()
    # A failed load is an expected outcome here; the screen shows it, the test checks that.
    with contextlib.suppress(WorkerFailed):
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@dataclass(frozen=True)
class Scenario:
    size: tuple[int, int]
    keys: tuple[str, ...] = ()
    images: list[dict[str, Any]] | None = None
    before: Callable[[DemoServer], None] | None = None  # faults to inject after the first load
    reload: bool = field(default=False)

    def steps(self, server: DemoServer) -> Callable[[Pilot], Awaitable[None]]:
        async def run(pilot: Pilot) -> None:
            await settle(pilot)
            if self.before is not None:
                self.before(server)
            if self.keys:
                await pilot.press(*self.keys)
            await settle(pilot)

        return run


SCENARIOS: dict[str, Scenario] = {
    "loaded": Scenario(STANDARD),
    "search": Scenario(STANDARD, ("slash", *"vllm dtk25", "enter", "down")),
    "details": Scenario(WIDE, ("down", "down", "down")),
    "details-hidden": Scenario(STANDARD, ("d",)),
    "error": Scenario(STANDARD, ("r",), before=lambda server: server.inject("code", "10008")),
    "empty": Scenario(STANDARD, ("slash", *"tensorflow cuda99")),
    "help": Scenario(STANDARD, ("question_mark",)),
    "copy-menu": Scenario(STANDARD, ("y",)),
    "small-80x24": Scenario((80, 24)),
    "hostile-data": Scenario(WIDE, images=HOSTILE),
}
