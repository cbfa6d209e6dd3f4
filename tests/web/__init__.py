"""Driving `scnet-images serve` in headless Chromium: start the server, open its page, read
the terminal the page draws. Shared by the tests here and `scripts/web_screenshot.py`.

Chromium is Debian's (`apt-get install chromium`), or any Chromium or Chrome on the PATH
(or named by SCNET_TEST_CHROMIUM), driven by the Python `playwright` package: nothing is
downloaded at install time.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

# The browsers looked for on the PATH, in this order, when SCNET_TEST_CHROMIUM names none.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# The page draws the terminal on a canvas, so its text is in no DOM node. The page keeps its
# xterm.js Terminal in a `terminal` property: catch it as it is set, and read its buffer.
SCREEN_HOOK = """
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  set(value) {
    Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.loadAddon) window.__terminal = value;
  },
});
window.__screen = () => {
  if (!window.__terminal) return '';
  const buffer = window.__terminal.buffer.active, lines = [];
  for (let row = 0; row < buffer.length; row++) {
    const line = buffer.getLine(row);
    lines.push(line ? line.translateToString(true) : '');
  }
  return lines.join('\\n');
};
"""

STARTUP_SECONDS = 30


class Served:
    """A running `scnet-images serve`: its page's URL and everything it has printed so far."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.url = ""
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for_url(self) -> str:
        """Read what it prints until the `Serving … on URL` line (an AssertionError if it exits first)."""
        while not self.url:
            try:
                line = self._queue.get(timeout=STARTUP_SECONDS)
            except queue.Empty:
                raise AssertionError(f"serve printed no URL in {STARTUP_SECONDS} s: {self.output!r}") from None
            if line is None:
                raise AssertionError(f"serve exited ({self.process.wait()}) before serving: {self.output!r}")
            self.lines.append(line)
            found = re.match(r"Serving .* on (\S+)", line)
            self.url = found.group(1) if found else ""
        return self.url

    def stop(self) -> str:
        """Stop it (SIGTERM, as Ctrl-C would) and return everything it printed."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=15)
        while not self._queue.empty():
            line = self._queue.get_nowait()
            if line is not None:
                self.lines.append(line)
        return self.output

    @property
    def output(self) -> str:
        return "".join(self.lines)


@contextmanager
def serving(*args: str, env: Mapping[str, str] | None = None) -> Iterator[Served]:
    """`scnet-images serve --port 0 ARGS` (any free port, loopback unless ARGS say otherwise),
    stdout and stderr together, stopped on leaving; yields once its URL is printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})},
    )
    served = Served(process)
    try:
        served.wait_for_url()
        yield served
    finally:
        served.stop()


class NoChromium(RuntimeError):
    """No Chromium to drive: the message says where it was looked for and how to get one."""


def find_chromium(environ: Mapping[str, str] = os.environ) -> str:
    """The Chromium to drive: SCNET_TEST_CHROMIUM (a path, or a name on the PATH), else the
    first of CHROMIUM_NAMES on the PATH. Raises NoChromium saying what to do."""
    import shutil

    named = environ.get("SCNET_TEST_CHROMIUM", "").strip()
    if named:
        found = shutil.which(named, path=environ.get("PATH"))
        if not found:
            raise NoChromium(f"SCNET_TEST_CHROMIUM={named!r} is not an executable file (nor a program on the PATH)")
        return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name, path=environ.get("PATH"))
        if found:
            return found
    raise NoChromium(
        "tests/web drive the served page in a headless Chromium, and none is installed: none of "
        f"{', '.join(CHROMIUM_NAMES)} is on the PATH. Install Debian's (`apt-get install chromium`, "
        "as README.md's test command does) or set SCNET_TEST_CHROMIUM to a Chromium or Chrome binary."
    )


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)


def open_page(browser: Any, url: str, *, width: int = 1400, height: int = 800) -> Any:
    """A fresh page (own context: own clipboard, cookies) that may reach `url` only, with the
    terminal reader installed; the caller navigates."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    # Nothing leaves the machine (the page asks for nothing elsewhere: test_serve.py checks that).
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
    page.add_init_script(SCREEN_HOOK)
    return page


def wait_for_screen(page: Any, condition: str, timeout: float = 20_000) -> Any:
    """Wait until the JavaScript `condition` over `screen` (the terminal's text) is truthy; its value."""
    handle = page.wait_for_function(f"() => {{ const screen = window.__screen(); return {condition}; }}",
                                    timeout=timeout)
    return handle.json_value()


def screen_text(page: Any) -> str:
    return page.evaluate("window.__screen()")


def wait_for_rows(page: Any) -> None:
    """Until the catalog's rows are on screen and its status line counts them all."""
    wait_for_screen(page, "screen.includes('vllm') && screen.includes('pytorch') && /(\\d+) of \\1 images/.test(screen)")


def descendants(pid: int) -> list[int]:
    """The processes started (directly or not) by `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
