"""How long the whole catalog takes through the paginated call, by pages in flight.

    python benchmarks/paged_fetch.py                      # 20,000 images, 50 ms a page
    python benchmarks/paged_fetch.py --images 2000 --json # a quick smoke run

The demo API (in its own process) adds `--latency` seconds to every answer, standing
in for the round trip to a region across the country; each page is 100 images. The
baseline, in the same run, is the same client fetching one page at a time. The
documented GET (one request for everything) is timed too, for scale.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.api.drivers import ScnetSyncClient  # noqa: E402
from tui.api.options import Account, ClientOptions  # noqa: E402

TOKEN = "bench-token"


def start_demo(images: int, latency: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "demo-server", "--token", TOKEN, "--images", str(images),
         "--fault", f"latency:{latency}"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().split()[4]


def fetch(base_url: str, api: str, in_flight: int) -> tuple[float, int]:
    options = ClientOptions(pages_in_flight=in_flight, page_size=100)
    with ScnetSyncClient(base_url, TOKEN, options, Account(image_api=api)) as client:
        started = time.perf_counter()
        result = client.list_images()
        return time.perf_counter() - started, len(result.images)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the server waits before each answer")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    process, base_url = start_demo(args.images, args.latency)
    try:
        cases = {"get": ("get", 1), "post_1": ("post", 1), "post_4": ("post", 4), "post_8": ("post", 8)}
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):  # interleaved, so machine noise hits every case alike
            for name, (api, in_flight) in cases.items():
                seconds, count = fetch(base_url, api, in_flight)
                assert count == args.images, (name, count)
                times[name].append(seconds)
    finally:
        process.terminate()
        process.wait(timeout=10)
    median = {name: statistics.median(values) for name, values in times.items()}
    figures = {"images": args.images, "latency_s": args.latency, "pages": -(-args.images // 100), **median,
               "speedup_4": median["post_1"] / median["post_4"], "speedup_8": median["post_1"] / median["post_8"]}
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"{args.images:,} images, {figures['pages']} pages of 100 (public + private), "
          f"{args.latency * 1000:.0f} ms added to each answer, median of {args.runs} runs")
    print(f"  documented GET, one request       {median['get'] * 1000:8.0f} ms")
    print(f"  paginated POST, 1 page in flight   {median['post_1'] * 1000:8.0f} ms  (baseline)")
    print(f"  paginated POST, 4 pages in flight  {median['post_4'] * 1000:8.0f} ms  ({figures['speedup_4']:.1f}x faster)")
    print(f"  paginated POST, 8 pages in flight  {median['post_8'] * 1000:8.0f} ms  ({figures['speedup_8']:.1f}x faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
