"""What a served page may take of this machine: tabs open at once, tabs left idle, the terminal
size a page asks for.

Each test starts the real `scnet-images serve` on a free loopback port and speaks to it as the
page does, over its websocket (aiohttp's client, which comes with textual-serve); it waits on
what the server answers or on /proc, never on time.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from time import monotonic
from typing import Awaitable, Callable

import aiohttp
import pytest
from rich.cells import cell_len

from tui.commands.serve_page import _bounded_resize

from . import descendants, serving

ENDED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)
MOVE = re.compile(r"\x1b\[(\d+);(\d+)H((?:(?!\x1b\[\d+;\d+H).)*)", re.DOTALL)
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\n")


async def until(check: Callable[[], Awaitable[bool] | bool], seconds: float = 20) -> bool:
    """Whether `check` comes true within `seconds`, asked again every 50 ms."""
    deadline = monotonic() + seconds
    while True:
        answer = check()
        if await answer if isinstance(answer, Awaitable) else answer:
            return True
        if monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)


async def open_tab(session: aiohttp.ClientSession, url: str, query: str = "") -> aiohttp.ClientWebSocketResponse:
    """The websocket a page of `url` opens (its own origin), once the tab's app has drawn something."""
    tab = await session.ws_connect(f"{url}/ws{query}", origin=url)
    message = await tab.receive(timeout=30)
    assert message.type == aiohttp.WSMsgType.BINARY, message
    return tab


class Drawing:
    """What a tab's app draws: Textual moves the cursor to a row and column, then writes a line."""

    def __init__(self) -> None:
        self.output = b""

    def lines(self) -> list[tuple[int, int, str]]:
        """(row, column, text) of each line drawn, the text without colours."""
        text = self.output.decode("utf-8", "replace")
        return [(int(row), int(column), CONTROL.sub("", line)) for row, column, line in MOVE.findall(text)]

    def footer_row(self) -> int:
        """The row the key bar (the last row) was drawn on last, 0 before it is."""
        return next((row for row, _, line in reversed(self.lines()) if "^p palette" in line), 0)

    def widest(self) -> int:
        """The last column any line reached."""
        return max(column - 1 + cell_len(line) for _, column, line in self.lines())

    async def read(self, tab: aiohttp.ClientWebSocketResponse, done: Callable[[], bool]) -> None:
        """Add what `tab` draws until `done()` (an AssertionError after 30 s)."""
        deadline = monotonic() + 30
        while not done():
            message = await tab.receive(timeout=max(0.1, deadline - monotonic()))
            assert message.type not in ENDED, "the tab ended"
            if message.type == aiohttp.WSMsgType.BINARY:
                self.output += message.data


def test_a_resize_is_kept_within_500_by_200_and_above_0() -> None:
    assert _bounded_resize('["resize", {"width": 20000, "height": 20000}]') == \
        '["resize", {"width": 500, "height": 200}]'
    assert _bounded_resize('["resize", {"width": 0, "height": -7}]') == '["resize", {"width": 1, "height": 1}]'
    assert _bounded_resize('["resize", {"width": "wide", "height": 1e999}]') == \
        '["resize", {"width": 80, "height": 24}]'
    assert _bounded_resize('["resize", {"width": 132, "height": 43}]') == '["resize", {"width": 132, "height": 43}]'
    for other in ('["stdin", "q"]', '["ping", "1"]', "not json", "[]", '["resize", [1, 2]]'):
        assert _bounded_resize(other) is None


async def test_a_page_gets_no_terminal_larger_than_500_by_200() -> None:
    with serving() as served:
        async with aiohttp.ClientSession() as session:
            tab = await open_tab(session, served.url, "?width=1000&height=1000")  # the size it asks for first
            first = Drawing()
            await first.read(tab, lambda: first.footer_row() > 0)
            apps = [pid for pid in descendants(served.process.pid)
                    if b"browse" in Path(f"/proc/{pid}/cmdline").read_bytes()]
            environ = Path(f"/proc/{apps[-1]}/environ").read_bytes().split(b"\0")
            assert b"COLUMNS=500" in environ and b"ROWS=200" in environ
            assert (first.footer_row(), first.widest()) == (200, 500)

            await tab.send_json(["resize", {"width": 100, "height": 30}])
            small = Drawing()
            await small.read(tab, lambda: small.footer_row() == 30)
            await tab.send_json(["resize", {"width": 2000, "height": 1000}])
            large = Drawing()
            await large.read(tab, lambda: large.footer_row() not in (0, 30))
            assert (large.footer_row(), large.widest()) == (200, 500)
            await tab.close()


async def test_a_visitor_past_the_cap_is_told_the_demo_is_full_and_starts_no_process() -> None:
    with serving("--max-sessions", "1") as served:
        async with aiohttp.ClientSession() as session:
            first = await open_tab(session, served.url)
            tabs = sorted(descendants(served.process.pid))
            assert tabs, "the tab runs in a process of its own"

            async with session.get(served.url) as page:  # the page of a second visitor
                assert page.status == 503 and page.content_type == "text/html"
                assert page.headers["Retry-After"] == "60"
                text = await page.text()
            assert "The demo is full" in text and "try again in a few minutes" in text and "演示已满" in text
            assert "http" not in text  # it too loads nothing from elsewhere
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"{served.url}/ws", origin=served.url)
            assert refused.value.status == 503
            assert sorted(descendants(served.process.pid)) == tabs  # the refused websocket started nothing

            await first.close()

            async def served_again() -> bool:
                async with session.get(served.url) as page:
                    return page.status == 200

            assert await until(served_again), "the closed tab's place is free again"
            second = await open_tab(session, served.url)
            await second.close()


async def test_a_tab_without_input_is_closed_and_its_process_ended() -> None:
    idle = 0.03 * 60
    with serving("--idle-minutes", "0.03") as served:
        async with aiohttp.ClientSession() as session:
            tab = await open_tab(session, served.url)
            # Input keeps it open: a ping as each pong comes back, for longer than the idle time.
            started = last_input = monotonic()
            await tab.send_json(["ping", "0"])
            while True:
                message = await tab.receive(timeout=30)
                assert message.type not in ENDED, "closed while the page sent input"
                if message.type == aiohttp.WSMsgType.TEXT and message.json()[0] == "pong":
                    if monotonic() - started > 1.5 * idle:
                        break
                    await tab.send_json(["ping", "0"])
                    last_input = monotonic()
            assert descendants(served.process.pid)

            while (message := await tab.receive(timeout=30)).type not in ENDED:
                pass  # what the app still draws
            assert monotonic() - last_input >= idle
            assert await until(lambda: not descendants(served.process.pid)), "the tab's process ended"
