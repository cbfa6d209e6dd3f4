"""Every region at once: the figures of the every-region issue.

    python benchmarks/every_region.py                          # 6 regions of 20,000 images
    python benchmarks/every_region.py --images 500 --regions 3 --runs 1    # a smoke run

A demo API serves `--regions` regions of `--images` synthetic images each (half of them
under a registry of their own) in a process of its own; a config file stores one profile
per region, as `login` would; `list --all-regions` fills every region's cache. Then, in a
fresh process each time, the browser starts on every region (`browse --all-regions`):

- launch to first rows painted, from the caches (target <= 300 ms), median of `--runs`;
- once every region's server has answered and the catalogs are merged, the search typed a
  key at a time: keystroke to table painted, median and worst (targets <= 50 / 150 ms);
- the process's peak memory.

And `scnet-images --offline where` answered from the caches (their lookup indexes) against
the page's own Python example asking one region, alternately, `--runs` x 5 times: the ratio
of the medians (target <= 0.6); and `where` as it runs by default, the catalogs from the
caches and the free cards asked of the platform.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

KEY = b"every-region-benchmark-signing!!"  # the demo's signing key: tokens made here are its own
SIZE = (160, 45)
QUERY = "pytorch ubuntu22.04 dtk25"  # typed one key at a time: 25 keystrokes
TERMS = ("pytorch:2.1.0-ubuntu20.04-dtk24.04-py3.10",)  # one image a region: what a script asks


def regions_of(count: int) -> list[Any]:
    from tui.demo.accounts import DemoRegion

    return [DemoRegion(str(11250 + index * 1111), f"区域{index + 1}【基准】", ("get", "post"),
                       registry="harbor-r.sourcefind.cn:5443" if index % 2 else "") for index in range(count)]


# --- the processes ------------------------------------------------------------------------


def mode_server(images: int, regions: int) -> None:
    """The demo API with `regions` regions of the same synthetic catalog; prints its address."""
    import tui.demo.accounts as accounts
    from tui.demo.catalog import synthetic_catalog
    from tui.demo.server import DemoServer

    accounts.DEMO_REGIONS = tuple(regions_of(regions))
    server = DemoServer(synthetic_catalog(images), signing_key=KEY, seed_instances=False)
    print(server.base_url, flush=True)
    server.serve_forever()


def mode_launch() -> dict[str, Any]:
    """Start the browser on every region; time to the first rows, then the search typed."""
    from large_catalog import PaintClock, painted_after

    from tui.app import ScnetImagesApp
    from tui.config import load_settings
    from textual.worker import WorkerCancelled, WorkerFailed

    from tui.widgets.image_table import ImageTable

    clock = PaintClock(ImageTable)
    start = time.perf_counter()
    app = ScnetImagesApp(load_settings(), every_region=True)
    out: dict[str, Any] = {}

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            table = None
            while True:
                await pilot.pause(0.002)
                tables = app.screen.query(ImageTable)
                if tables and tables.first().row_count:
                    table = tables.first()
                    break
            painted = clock.first_after(start)
            while painted is None:
                await pilot.pause(0.002)
                painted = clock.first_after(start)
            out["rows_s"] = painted - start
            out["first_rows"] = table.row_count
            # Every region's server, then the merge: wait for all of it.
            for _round in range(50):
                with contextlib.suppress(WorkerCancelled, WorkerFailed):  # a merge replaced by a newer one
                    await app.workers.wait_for_complete()
                await pilot.pause()
                if all(worker.is_finished for worker in app.workers):
                    break
            out["rows"] = table.row_count
            await pilot.press("slash")
            keys = []
            for char in QUERY:
                pressed = time.perf_counter()
                await pilot.press("space" if char == " " else char)
                keys.append(time.perf_counter() - pressed if char == " " else await painted_after(pilot, clock, pressed))
            out["keystroke_s"] = keys
            out["rows_after_query"] = table.row_count

    asyncio.run(run())
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


# --- the run ------------------------------------------------------------------------------


def run_json(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command}: {done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--regions", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--mode", choices=("server", "launch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "server":
        mode_server(args.images, args.regions)
        return 0
    if args.mode == "launch":
        print(json.dumps(mode_launch()))
        return 0

    from tui.demo.accounts import DEMO_ACCOUNTS, TokenIssuer
    from tui.profiles import save_login

    server = subprocess.Popen([sys.executable, __file__, "--mode", "server", "--images", str(args.images),
                               "--regions", str(args.regions)], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    issuer = TokenIssuer(key=KEY)
    figures: dict[str, Any] = {"images": args.images, "regions": args.regions}
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "config.toml"
            profiles = {
                f"bench-{region.cluster_id}": {
                    "region": region.name, "cluster_id": region.cluster_id, "user": "demo",
                    "base_url": f"{base_url}{region.prefix}", "ac_url": base_url,
                    "token": issuer.issue(DEMO_ACCOUNTS[0], region.cluster_id),
                }
                for region in regions_of(args.regions)
            }
            save_login(config, profiles, next(iter(profiles)))
            env = {**os.environ, "SCNET_CONFIG": str(config), "XDG_CACHE_HOME": str(Path(folder) / "cache"),
                   "PYTHONDONTWRITEBYTECODE": ""}
            for name in ("SCNET_BASE_URL", "SCNET_TOKEN", "SCNET_PROFILE"):
                env.pop(name, None)
            # Fill every region's cache (and warm the server's encoded answers).
            timed([sys.executable, "-m", "tui", "list", "--all-regions", "--format", "json"], env)
            launches = [run_json([sys.executable, __file__, "--mode", "launch"], env) for _ in range(args.runs)]
            figures["rows_s"] = statistics.median(run["rows_s"] for run in launches)
            keys = [key for run in launches for key in run["keystroke_s"]]
            figures["keystroke_median_s"] = statistics.median(keys)
            figures["keystroke_worst_s"] = max(keys)
            figures["keystrokes"] = len(keys)
            figures["rows"] = launches[-1]["rows"]
            figures["peak_mb"] = max(run["peak_mb"] for run in launches)
            where = [sys.executable, "-m", "tui", "--offline", "where", *TERMS]
            live = [sys.executable, "-m", "tui", "where", *TERMS]
            first = next(iter(profiles.values()))
            example = [sys.executable, str(ROOT / "benchmarks" / "page_example.py"), first["base_url"], first["token"]]
            ours, theirs, asking = [], [], []
            for _ in range(args.runs * 5):
                ours.append(timed(where, env))
                theirs.append(timed(example, env))
                asking.append(timed(live, env))
            figures["where_s"] = statistics.median(ours)
            figures["where_live_s"] = statistics.median(asking)
            figures["example_s"] = statistics.median(theirs)
            figures["where_ratio"] = figures["where_s"] / figures["example_s"]
    finally:
        server.terminate()
        server.wait()
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {args.regions} regions of "
          f"{args.images:,} images ({figures['rows']:,} rows merged); median of {args.runs}")
    for label, seconds, note in (
        ("launch to first rows, every region, from the caches", figures["rows_s"], "(target <= 300 ms)"),
        (f"keystroke -> table painted, median of {figures['keystrokes']}", figures["keystroke_median_s"],
         "(target <= 50 ms)"),
        ("keystroke -> table painted, worst", figures["keystroke_worst_s"], "(target <= 150 ms)"),
        ("`--offline where` from the caches, median", figures["where_s"], ""),
        ("page example, one region, median", figures["example_s"], "(baseline, same run)"),
        ("`where` (caches, free cards asked of the platform), median", figures["where_live_s"], ""),
    ):
        print(f"{label:56} {seconds * 1000:7.0f} ms   {note}")
    print(f"{'ratio where / example (target <= 0.6)':56} {figures['where_ratio']:7.2f}")
    print(f"{'peak memory of the browser':56} {figures['peak_mb']:7.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
