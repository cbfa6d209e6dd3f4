"""Render the app's main states to screenshots/*.svg against the embedded demo API.

    python scripts/screenshots.py

The states are the snapshot tests' scenarios (tests/ui/scenarios.py).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ui.scenarios import SCENARIOS  # noqa: E402

SHOWN = (
    "loaded", "search", "details", "error", "empty", "help", "copy-menu", "token-expiring", "small-80x24",
    "region-picker", "region-switch-failed", "token-renewed", "loading-pages",
    "launch-form", "launch-refused", "instances", "instances-following", "instance-stop",
    "filter-open", "wide-200x50", "cached-server-down", "every-region-200x50",
)
# The same states in Chinese, in screenshots/zh-CN/ (README.zh-CN.md shows them).
SHOWN_CHINESE = (
    "loaded", "search", "details", "error", "help", "copy-menu", "small-80x24", "small-80x24-help", "wide-200x50",
    "region-picker", "launch-form", "instances", "instance-stop", "cached-server-down", "every-region-200x50",
)


async def render(name: str, out: Path) -> None:
    scenario = SCENARIOS[name]
    with scenario.running() as (app, steps):
        async with app.run_test(size=scenario.size) as pilot:
            await steps(pilot)
            await pilot.wait_for_scheduled_animations()
            out.write_text(app.export_screenshot(title=f"scnet-images · {name}"))


def main() -> int:
    folder = ROOT / "screenshots"
    folder.mkdir(exist_ok=True)
    (folder / "zh-CN").mkdir(exist_ok=True)
    shots = [(name, folder / f"{name}.svg") for name in SHOWN]
    shots += [(f"zh-{name}", folder / "zh-CN" / f"{name}.svg") for name in SHOWN_CHINESE]
    for name, target in shots:
        asyncio.run(render(name, target))
        print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
