"""The app's visible states, as steps a Pilot takes. Used by the snapshot tests and by
scripts/screenshots.py, so the README's pictures and the tests show the same screens."""

from __future__ import annotations

import base64
import contextlib
import time
import json
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Iterator

import tempfile
from pathlib import Path

import pyperclip
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tui import i18n
from tui.app import ScnetImagesApp
from tui.config import Settings
from tui.connection import Connection
from tui.demo.server import DemoServer
from tui.api.models import ImageList
from tui.catalog import prepare
from tui.widgets.catalog_source import CatalogSource
from tui.profiles import save_login
from tui.widgets.detail_pane import DetailPane

WIDE = (200, 50)
STANDARD = (160, 45)
# A fixed "now", so a token's time left is the same in every snapshot.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)

HOSTILE: list[dict[str, Any]] = [
    {"name": "[bold]x[/]", "tag": "[red]1[/red]", "path": "r/[bold]x[/]:[red]1[/red]", "user": "[link=http://e]u[/]"},
    {"name": "esc\x1b[31mred", "tag": "bell\x07", "path": "r/esc:1", "user": "\u202eevil"},
    {"name": "long-" + "n" * 500, "tag": "t" * 2000, "path": "r/" + "p" * 3000 + ":1"},
    {"name": "中文镜像", "tag": "深度学习-1", "path": "r/中文镜像:深度学习-1", "user": "用户"},
    {"path": "r/only-a-path:1"},
]


REGION_HOST = "https://ai01.scnet.example:65011"
PUBLIC_URL = "http://127.0.0.1:8765"


def region_profiles(server: DemoServer) -> dict[str, dict[str, str]]:
    """What `scnet-images login` stores, as the picker lists it (hosts that stay the same)."""
    return {
        "demo-11250": {"region": "华东一区【昆山】", "cluster_id": "11250", "user": "demo", "base_url": REGION_HOST,
                       "ac_url": "https://ac.scnet.example", "token": jwt("demo", NOW + timedelta(hours=5))},
        "demo-20091": {"region": "华中一区【A区】", "cluster_id": "20091", "user": "demo",
                       "base_url": "https://ai02.scnet.example:65011", "ac_url": "https://ac.scnet.example",
                       "token": jwt("demo", NOW + timedelta(hours=5, minutes=10))},
        "lab-mirror": {"user": "zhangwei", "base_url": "https://mirror.lab.example", "token": "opaque-token-0001"},
    }


def unusable_region(server: DemoServer) -> dict[str, dict[str, str]]:
    """A second region whose stored token the server refuses: the switch fails."""
    profiles = region_profiles(server)
    profiles["demo-20091"].update(
        base_url=f"{server.base_url}/r/20091", ac_url=server.base_url, token="no-longer-valid-token"
    )
    return profiles


def expired_region_token(server: DemoServer) -> str:
    """A demo token for region 11250 that expired five minutes before NOW: it gets renewed."""
    from tui.demo.accounts import DEMO_ACCOUNTS

    return server.issuer.issue(DEMO_ACCOUNTS[0], "11250", expires_in=-300)


def loading_pages(app: ScnetImagesApp) -> None:
    """The status line as the paginated call's pages arrive (the spinner shown, a count so far)."""
    screen = app.screen
    app.animation_level = "none"  # the spinner drawn still, so the picture is the same every run
    screen.post_message(CatalogSource.Progress(screen.source, 1200, 5000))  # type: ignore[attr-defined]


def jwt(user: str, expires: datetime) -> str:
    """An unsigned token shaped like the platform's (the client never checks signatures)."""
    payload = {"user": user, "clusterId": "11250", "expireTime": str(int(expires.timestamp() * 1000))}
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{encoded}.c2lnbmF0dXJl"


async def settle(pilot: Pilot) -> None:
    """Let every worker (the network load) finish, then let the screen catch up; again while
    what they answered starts more (every region's catalogs, then their merge)."""
    await pilot.pause()
    for _round in range(10):
        # A failed load is an expected outcome here; the screen shows it, the test checks that.
        # A cancelled worker (a merge, replaced by a newer one) is too.
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in pilot.app.workers):
            break
    await details_caught_up(pilot)


async def details_caught_up(pilot: Pilot) -> None:
    """Wait for the details pane to show the image under the cursor (it follows a frame later)."""
    for pane in pilot.app.screen.query(DetailPane):
        while pane.catching_up:
            await pilot.pause()


def _no_pyperclip(text: str) -> None:
    raise pyperclip.PyperclipException("no clipboard mechanism in this scenario")


@dataclass(frozen=True)
class Scenario:
    size: tuple[int, int]
    keys: tuple[str, ...] = ()
    images: list[dict[str, Any]] | None = None
    first_load: Callable[[DemoServer], None] | None = None  # faults for the very first request
    then: Callable[[DemoServer], None] | None = None  # faults injected after the first load
    token: str | None = None  # a real-looking token: the header shows a profile, not DEMO
    term: str = "xterm-256color"
    profiles: Callable[[DemoServer], dict[str, dict[str, str]]] | None = None  # a stored config file
    # A region token the demo issued (on its clock, NOW): the app talks to region 11250 with it.
    region_token: Callable[[DemoServer], str] | None = None
    act: Callable[[ScnetImagesApp], None] | None = None  # a state no key reaches on cue (mid-load)
    cached_minutes: float | None = None  # a cached catalog this old (the first 120 images) before start
    language: str = "en"  # the interface's language
    demo_regions: bool = False  # the demo's regions are this server's ("All regions" in the picker)

    @contextlib.contextmanager
    def running(self) -> Iterator[tuple[ScnetImagesApp, Callable[[Pilot], Awaitable[None]]]]:
        """The app on its own demo server, and the steps to take; the environment restored after."""
        saved = {name: os.environ.get(name) for name in ("TERM", "TMUX", "SCNET_CONFIG", "XDG_CACHE_HOME")}
        os.environ["TERM"] = self.term
        os.environ.pop("TMUX", None)
        copy = pyperclip.copy
        pyperclip.copy = _no_pyperclip  # no scenario depends on this machine's clipboard
        i18n.set_language(self.language)
        try:
            # Access URLs name a fixed host, not the server's random port: pictures stay the same.
            with DemoServer(self.images, token=self.token, clock=NOW.timestamp, public_url=PUBLIC_URL) as server, \
                    tempfile.TemporaryDirectory() as folder:
                os.environ["SCNET_CONFIG"] = str(Path(folder) / "config.toml")  # never the user's own
                os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache")  # nor their cached catalogs
                if self.profiles is not None:
                    save_login(Path(os.environ["SCNET_CONFIG"]), self.profiles(server), "demo-11250")
                if self.cached_minutes is not None:
                    from tui import cache
                    from tui.api.models import parse_image

                    kept = tuple(parse_image(item) for item in server.images[:120])
                    cache.save("demo", cache.Cached(kept, time.time() - self.cached_minutes * 60, ("", ""), "demo"))
                if self.first_load is not None:
                    self.first_load(server)
                yield self._app(server), self._steps(server)
        finally:
            i18n.set_language("en")
            pyperclip.copy = copy
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def _app(self, server: DemoServer) -> ScnetImagesApp:
        if self.region_token is not None:
            # Logged in to region 11250 of the demo, as a stored profile; the header names a fixed host.
            token = self.region_token(server)
            settings = Settings(base_url=REGION_HOST, token=token, profile="demo-11250", region="华东一区【昆山】",
                                cluster_id="11250", ac_url=server.base_url, token_from="profile",
                                config_file=Path(os.environ["SCNET_CONFIG"]))
            connection = Connection(settings, server.base_url + "/r/11250", token)
            return ScnetImagesApp(connection=connection, clock=lambda: NOW)
        if self.token is None:
            settings = Settings(base_url=server.base_url, token=server.token, demo=True)
            if self.demo_regions:
                return ScnetImagesApp(connection=Connection(settings, server.base_url, server.token, server),
                                      clock=lambda: NOW)
        elif self.profiles is not None:
            # Logged in: the header names the region; the requests go to the local server.
            settings = Settings(base_url=REGION_HOST, token=self.token, profile="demo-11250", region="华东一区【昆山】",
                                cluster_id="11250", ac_url="https://ac.scnet.example", token_from="profile")
        else:
            # The header names the configured address; the requests go to the local server.
            settings = Settings(base_url="https://ai01.scnet.example:65011", token=self.token, profile="kunshan")
        return ScnetImagesApp(connection=Connection(settings, server.base_url, server.token), clock=lambda: NOW)

    def _steps(self, server: DemoServer) -> Callable[[Pilot], Awaitable[None]]:
        async def run(pilot: Pilot) -> None:
            await settle(pilot)
            if self.then is not None:
                self.then(server)
            if self.keys:
                await pilot.press(*self.keys)
            await settle(pilot)
            if self.act is not None:
                self.act(pilot.app)  # type: ignore[arg-type]
                await pilot.pause()

        return run


VLLM_SEARCH = ("slash", *"vllm 0.9.2 dtk25.04.2", "enter")

SCENARIOS: dict[str, Scenario] = {
    "loaded": Scenario(STANDARD),
    "search": Scenario(STANDARD, ("slash", *"vllm dtk25", "enter", "down")),
    "details": Scenario(WIDE, ("down", "down", "down")),
    "details-hidden": Scenario(STANDARD, ("d",)),
    "error": Scenario(STANDARD, ("r",), then=lambda server: server.inject("code", "10008")),
    # An API code: its message names no host, whose port would change from run to run.
    "first-load-failed": Scenario(STANDARD, first_load=lambda server: server.inject("code", "10001")),
    "first-load-failed-80x24": Scenario((80, 24), first_load=lambda server: server.inject("code", "10001")),
    "empty": Scenario(STANDARD, ("slash", *"tensorflow cuda99")),
    # Every region at once: the same image in three regions, the fourth's lapsed token said apart.
    "every-region-200x50": Scenario(WIDE, ("p", "home", "enter", "slash", *"vllm 0.9.2 dtk25.04.2", "enter"),
                                    demo_regions=True),
    "every-region-80x24": Scenario((80, 24), ("p", "home", "enter"), demo_regions=True),
    "server-empty": Scenario(STANDARD, images=[]),
    "help": Scenario(STANDARD, ("question_mark",)),
    "copy-menu": Scenario(STANDARD, ("y",)),
    "no-clipboard": Scenario(STANDARD, ("c",), term="dumb"),
    "token-expiring": Scenario(STANDARD, token=jwt("zhangwei", NOW + timedelta(minutes=42))),
    "small-80x24": Scenario((80, 24)),
    "hostile-data": Scenario(WIDE, images=HOSTILE),
    "region-picker": Scenario(
        STANDARD, ("p",), token=jwt("demo", NOW + timedelta(hours=5)), profiles=region_profiles
    ),
    "region-picker-empty": Scenario(STANDARD, ("p",)),
    "token-renewed": Scenario(STANDARD, profiles=region_profiles, region_token=expired_region_token),
    "loading-pages": Scenario(STANDARD, act=lambda app: loading_pages(app)),
    "incomplete-list": Scenario(STANDARD, act=lambda app: app.screen.post_message(CatalogSource.Loaded(
        app.screen.source, prepare(ImageList(tuple(app.screen.loaded_images), 0, "", "post", missing=15),  # type: ignore[attr-defined]
                                   "created", True)))),
    # The accelerator list, opened by its key; the search box's own keys in the footer.
    "filter-open": Scenario(STANDARD, ("a",)),
    "search-keys": Scenario(STANDARD, ("slash", *"vllm")),
    "wide-200x50": Scenario(WIDE),
    "small-80x24-help": Scenario((80, 24), ("question_mark",)),
    # A path that is not an image reference: copying it is refused, with the reason.
    "copy-refused": Scenario(STANDARD, ("c",), images=[
        {"name": "evil", "tag": "1", "path": "reg.example:5000/a/$(touch pwned):1", "createTime": "2026-11-01 10:00:00"},
    ]),
    # Esc while a slow answer is on its way: the load stops, what was shown stays.
    "load-stopped": Scenario(STANDARD, ("r", "escape"), then=lambda server: server.inject("latency", "3", times=1)),
    # Containers: the launch form for the highlighted image, its checks, a refusal, the instances view.
    "launch-form": Scenario(STANDARD, (*VLLM_SEARCH, "l")),
    "launch-problems": Scenario(STANDARD, (*VLLM_SEARCH, "l"), act=lambda app: setattr(
        app.screen.query_one("#launch-cpus"), "value", "99")),
    "launch-confirm": Scenario(STANDARD, (*VLLM_SEARCH, "l", "ctrl+s")),
    "launch-confirm-80x24": Scenario((80, 24), (*VLLM_SEARCH, "l", "ctrl+s")),
    "launch-refused": Scenario(STANDARD, (*VLLM_SEARCH, "l", "ctrl+s", "y"),
                               then=lambda server: server.inject("code", "716865", times=1, call="create")),
    # A create in flight: the form says so and sends nothing more (drawn as it stands while waiting).
    "launching": Scenario(STANDARD, (*VLLM_SEARCH, "l"), act=lambda app: app.screen.show_launching(
        app.screen.query_one("#launch-name").value)),
    # The create's outcome unknown (the platform's "connection interrupted"): the instances view
    # looks for it (here it never came: the code strikes before the demo creates anything).
    "launch-unknown": Scenario(STANDARD, (*VLLM_SEARCH, "l", "ctrl+s", "y"),
                               then=lambda server: server.inject("code", "10012", times=1, call="create")),
    # An error code no page lists: the banner points at `scnet-images doctor`.
    "unknown-code": Scenario(STANDARD, ("r",), then=lambda server: server.inject("code", "817140")),
    "instances": Scenario(STANDARD, ("i",)),
    "instances-following": Scenario(STANDARD, (*VLLM_SEARCH, "l", "ctrl+s", "y")),
    "instance-stop": Scenario(STANDARD, ("i", "x")),
    "instances-80x24": Scenario((80, 24), ("i",)),
    # The server fails (an API code: its message names no host, whose port changes per run):
    # the catalog cached 12 minutes ago stays, and says so.
    "cached-server-down": Scenario(STANDARD, cached_minutes=12,
                                   first_load=lambda server: server.inject("code", "10001", times=1)),
    "region-switch-failed": Scenario(
        STANDARD, ("p", "down", "enter"), token=jwt("demo", NOW + timedelta(hours=5)), profiles=unusable_region
    ),
}

# The main states again in Chinese (CJK text is two cells wide: the layout must hold).
CHINESE = ("loaded", "search", "details", "error", "first-load-failed", "first-load-failed-80x24", "empty",
           "every-region-200x50", "every-region-80x24", "help", "copy-menu",
           "token-expiring", "small-80x24", "small-80x24-help", "wide-200x50", "region-picker", "filter-open",
           "launch-form", "launch-confirm-80x24", "launch-refused", "launching", "launch-unknown", "instances", "instances-80x24", "instance-stop", "cached-server-down",
           "region-switch-failed")
SCENARIOS.update({f"zh-{name}": replace(SCENARIOS[name], language="zh_CN") for name in CHINESE})
