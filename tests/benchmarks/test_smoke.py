"""The benchmarks run in CI at a small size, so they cannot rot. Their figures are not
checked here (timed tests on shared machines are noise); that they run and report is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_large_catalog_benchmark_runs_small() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "large_catalog.py"), "--images", "2000", "--startup-runs", "1", "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["images"] == 2000
    assert figures["fast_path"] is True  # 1.2 MB of JSON: the typed path reads it
    assert figures["keystrokes"] == 25
    for key in ("parse_s", "tolerant_s", "msgspec_typed_s", "msgspec_documented_s", "first_paint_s", "datatable_first_paint_s", "keystroke_median_s", "sort_worst_s",
                "cursor_worst_s", "peak_mb", "startup_s", "startup_bare_s"):
        assert figures[key] > 0, key
    assert set(figures["sort_s"]) == {"name", "tag", "accelerator", "type", "access", "preset", "created", "user"}


def test_cli_speed_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "cli_speed.py"), "--runs", "1", "--completion-images", "2000"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ratio (median, ours / example)" in done.stdout and "ratio from the cache" in done.stdout
    assert "completion of an image name, 2,000 cached images" in done.stdout


def test_instant_benchmark_runs_small() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "instant.py"), "--images", "1000", "--small", "100", "--runs", "1",
         "--json"],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("small_cold_s", "large_cold_s", "small_warm_s", "large_warm_s"):
        assert figures[key] > 0, key


def test_paged_fetch_benchmark_runs_small() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "paged_fetch.py"), "--images", "1000", "--latency", "0.005",
         "--runs", "1", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["images"] == 1000 and figures["pages"] == 10
    for key in ("get", "post_1", "post_4", "post_8", "speedup_4", "speedup_8"):
        assert figures[key] > 0, key


def test_every_region_benchmark_runs_small() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "every_region.py"), "--images", "300", "--regions", "3", "--runs", "1",
         "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["regions"] == 3 and figures["rows"] == 900 and figures["keystrokes"] == 25
    for key in ("rows_s", "keystroke_median_s", "keystroke_worst_s", "where_s", "example_s", "where_ratio", "peak_mb"):
        assert figures[key] > 0, key
