"""Render screenshots/web-demo.png: `scnet-images serve` opened in headless Chromium.

    python scripts/web_screenshot.py

Needs the web and test extras (`pip install -e '.[test]'`) and Debian's chromium. The
server runs with a config and cache folders of its own, so your profiles play no part.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.web import launch_chromium, open_page, serving, wait_for_rows  # noqa: E402


def main() -> int:
    target = ROOT / "screenshots" / "web-demo.png"
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "SCNET_CONFIG": os.path.join(folder, "config.toml"),
            "XDG_CACHE_HOME": os.path.join(folder, "cache"),
            "XDG_DATA_HOME": os.path.join(folder, "data"),
        }
        with serving(env=env) as served, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = open_page(browser, served.url, width=1280, height=720)
            page.goto(served.url)
            wait_for_rows(page)
            # The page fades the terminal in (0.3 s): wait until it is fully shown.
            page.wait_for_function("getComputedStyle(document.querySelector('.textual-terminal')).opacity === '1'")
            page.screenshot(path=str(target))
            browser.close()
    print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
