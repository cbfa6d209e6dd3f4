"""`scnet-images serve`: the browser as a web page, driven in headless Chromium.

Each test starts the real command in a subprocess on a free loopback port (the isolated
config and XDG folders of tests/conftest.py) and waits on what the page's terminal shows,
never on time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Route, sync_playwright

from tui.demo.server import DemoServer

from . import NoChromium, descendants, find_chromium, launch_chromium, open_page, screen_text, serving, wait_for_rows, wait_for_screen


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        find_chromium()
    except NoChromium as missing:
        pytest.fail(str(missing), pytrace=False)  # a failure that says why, never a silent skip
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def store_profile(config: Path, name: str, base_url: str, token: str) -> None:
    config.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    config.write_text(
        f'default_profile = "{name}"\n\n[profiles.{name}]\nbase_url = "{base_url}"\ntoken = "{token}"\n'
    )
    config.chmod(0o600)


def shown_count(page) -> int:
    return int(re.search(r"(\d+) of 265 images", screen_text(page)).group(1))


def test_a_visitor_searches_copies_and_reads_the_help(browser: Browser) -> None:
    with serving() as served:
        assert served.output.startswith("Serving the demo catalog on http://127.0.0.1:")
        page = open_page(browser, served.url)
        page.goto(served.url)
        wait_for_rows(page)
        assert shown_count(page) == 265
        page.focus(".xterm-helper-textarea")
        page.keyboard.type("/vllm")
        narrowed = wait_for_screen(page, "Number((screen.match(/(\\d+) of 265 images/) || [])[1]) < 265")
        assert narrowed and 0 < shown_count(page) < 265
        rows = [line for line in screen_text(page).splitlines() if re.match(r" \S+ +\S+ +(dcu|gpu|cpu) ", line)]
        assert rows and all("vllm" in row for row in rows)

        page.keyboard.press("Enter")  # back to the table
        page.keyboard.press("c")  # copy the highlighted image's path: to the visitor's clipboard
        wait_for_screen(page, "screen.includes('Copied the path') && screen.includes(\"your browser's clipboard\")")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert re.fullmatch(r"[a-z0-9.:-]+(/[a-z0-9._-]+)+:[A-Za-z0-9._-]+", copied) and "/vllm:" in copied
        assert copied in screen_text(page)  # the details pane's first line: the highlighted image

        page.keyboard.press("?")
        wait_for_screen(page, "screen.includes('Keys')")
        assert "search" in screen_text(page).lower()
        page.context.close()


def test_the_demo_is_served_whatever_profiles_exist(browser: Browser, isolated_environment: Path) -> None:
    store_profile(isolated_environment, "alice-11250", "http://127.0.0.1:9", "alice-secret-token-0123456789")
    temporary = isolated_environment.parent.parent / "tmp"
    temporary.mkdir()
    with serving(env={"SCNET_PROFILE": "alice-11250", "TMPDIR": str(temporary)}) as served:
        assert served.output.startswith("Serving the demo catalog") and "warning" not in served.output
        # The demo tabs' own empty config lives there while serving, and only then.
        assert [path.name[:19] for path in temporary.iterdir()] == ["scnet-images-serve-"]
        page = open_page(browser, served.url)
        page.goto(served.url)
        wait_for_rows(page)
        assert "DEMO" in screen_text(page).splitlines()[0]
        page.focus(".xterm-helper-textarea")
        page.keyboard.press("p")  # the region switcher lists no stored profile to a visitor
        wait_for_screen(page, "screen.includes('Demo API')")
        assert "alice" not in screen_text(page)
        page.context.close()
    assert not list(temporary.iterdir())


def test_the_page_asks_no_other_site_for_anything(browser: Browser) -> None:
    with serving() as served:
        page = open_page(browser, served.url)
        outside: list[str] = []

        def loopback_only(route: Route) -> None:
            # Registered last, so asked first: this machine's requests go on to open_page's route.
            if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost", "::1"):
                route.fallback()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", loopback_only)
        refused: list[str] = []  # what the page's policy kept it from loading, had it tried
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        answer = page.goto(served.url)
        wait_for_rows(page)  # the app appears
        assert outside == [] and refused == []
        assert answer is not None and "default-src 'self'" in answer.headers["content-security-policy"]
        page.context.close()


def test_a_served_profile_keeps_its_token_off_the_page(browser: Browser, isolated_environment: Path) -> None:
    secret = "tok-" + os.urandom(16).hex()
    elsewhere = "env-" + os.urandom(16).hex()  # a token in serve's environment reaches no tab either
    with DemoServer(token=secret) as region:
        store_profile(isolated_environment, "kunshan", region.base_url, secret)
        with serving("--profile", "kunshan", env={"SCNET_TOKEN": elsewhere}) as served:
            assert "every visitor of" in served.output and "acts with your SCNet account" in served.output
            page = open_page(browser, served.url)
            frames: list[bytes] = []

            def watch(socket) -> None:
                for event in ("framereceived", "framesent"):
                    socket.on(event, lambda payload: frames.append(payload if isinstance(payload, bytes)
                                                                    else payload.encode()))

            page.on("websocket", watch)
            html = page.goto(served.url).text()
            wait_for_rows(page)  # the region answered: the tab read the token from the profile
            assert "profile kunshan" in screen_text(page).splitlines()[0]
            assert frames and b"".join(frames).count(b"265") > 0
            tabs = descendants(served.process.pid)
            assert tabs, "a tab runs in a process of its own"
            for pid in tabs:
                for what in ("cmdline", "environ"):
                    seen = Path(f"/proc/{pid}/{what}").read_bytes()
                    assert secret.encode() not in seen and elsewhere.encode() not in seen, what
            assert any(b"--profile\0kunshan" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in tabs)
            dom = page.content()
            page.context.close()
        log = served.output
    for text in (html, dom, log):
        assert secret not in text and elsewhere not in text
    assert all(secret.encode() not in frame for frame in frames)
    assert region.requests and all(request.token_ok for request in region.requests)  # it was the profile's token


def test_loopback_serves_no_warning() -> None:
    with serving() as served:
        assert len(served.lines) == 1 and "warning" not in served.output


def test_other_sites_cannot_drive_the_page() -> None:
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    with serving() as served:
        assert httpx.get(served.url).status_code == 200
        # A site's own name pointed at 127.0.0.1 (DNS rebinding): its Host is not ours.
        assert httpx.get(served.url, headers={"Host": "evil.example"}).status_code == 403
        # A page from another site opening our websocket (browsers allow that): refused.
        refused = httpx.get(served.url + "/ws", headers={**upgrade, "Origin": "http://evil.example"})
        assert refused.status_code == 403
        assert httpx.get(served.url + "/ws", headers=upgrade).status_code == 403  # no Origin at all


def run_cli(*args: str, program: str = "") -> subprocess.CompletedProcess[str]:
    code = program + "from tui.cli import main\nraise SystemExit(main(sys.argv[1:]))\n"
    return subprocess.run([sys.executable, "-c", "import sys\n" + code, *args],
                          capture_output=True, text=True, timeout=30, check=False)


def test_without_textual_serve_one_line_says_how_to_install() -> None:
    done = run_cli("serve", "--port", "0", program="sys.modules['textual_serve'] = None  # the import fails\n")
    assert done.returncode == 7
    assert done.stderr.splitlines() == ["scnet-images: serving a web page needs the web extra: "
                                        "pip install 'scnet-images[web]'"]


def test_serve_refuses_a_token_and_an_unknown_profile() -> None:
    done = run_cli("--token", "tok-on-the-command-line", "serve", "--port", "0")
    assert done.returncode == 64 and "never --token" in done.stderr
    assert "tok-on-the-command-line" not in done.stderr
    done = run_cli("serve", "--port", "0", "--profile", "nobody")
    assert done.returncode == 7 and "no profile 'nobody'" in done.stderr


def test_the_cli_imports_no_web_server() -> None:
    program = ("from tui.cli import build_parser\nbuild_parser()\n"
               "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual_serve', 'aiohttp', 'jinja2')))\n"
               "sys.exit(0)\n")
    done = subprocess.run([sys.executable, "-c", "import sys\n" + program], capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0 and done.stdout == "[]\n", done.stdout + done.stderr
    helped = run_cli("serve", "--help")
    assert helped.returncode == 0 and "--public-url" in helped.stdout and "--profile" in helped.stdout
