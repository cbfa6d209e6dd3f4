"""An SVG snapshot of every visible state (tests/ui/scenarios.py).

Regenerate after an intended change: pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from .scenarios import SCENARIOS


@pytest.mark.parametrize("name", SCENARIOS)
def test_snapshot(snap_compare, name: str) -> None:
    scenario = SCENARIOS[name]
    with scenario.running() as (app, steps):
        assert snap_compare(app, terminal_size=scenario.size, run_before=steps)
