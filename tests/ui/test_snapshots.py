"""An SVG snapshot of every visible state (tests/ui/scenarios.py).

Regenerate after an intended change: pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from tui.app import ScnetImagesApp
from tui.demo.server import DemoServer

from ..conftest import demo_connection
from .scenarios import SCENARIOS


@pytest.mark.parametrize("name", SCENARIOS)
def test_snapshot(snap_compare, name: str) -> None:
    scenario = SCENARIOS[name]
    with DemoServer(scenario.images) as server:
        app = ScnetImagesApp(connection=demo_connection(server))
        assert snap_compare(app, terminal_size=scenario.size, run_before=scenario.steps(server))
