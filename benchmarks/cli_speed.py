"""Time `scnet-images path ...` against the page's own Python example, in the same run.

    python benchmarks/cli_speed.py [--runs 30]

Starts the standalone demo API, then alternates the two commands (so machine
noise hits both alike) and prints the median and best wall time of each and
their ratio. Target: ratio <= 1.0. Needs `requests`: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOKEN = "bench-token"


def start_demo() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "demo-server", "--token", TOKEN], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().split()[4]
    return process, base_url


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def compile_package() -> None:
    """Write the package's bytecode, as `pip install .` does; an editable install (or
    PYTHONDONTWRITEBYTECODE) would otherwise recompile every module on every run."""
    import compileall

    import tui

    compileall.compile_dir(str(Path(tui.__file__).parent), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    script = shutil.which("scnet-images") or ""
    ours = [script] if script else [sys.executable, "-m", "tui"]
    ours += ["path", "--accelerator", "dcu", "--image-type", "Base", "pytorch", "2.1.0", "ubuntu20.04", "dtk24.04"]
    compile_package()
    process, base_url = start_demo()
    env = dict(os.environ, SCNET_BASE_URL=base_url, SCNET_TOKEN=TOKEN)
    baseline = [sys.executable, str(HERE / "page_example.py"), base_url, TOKEN]
    try:
        timed(ours, env), timed(baseline, env)  # warm the file cache for both
        ours_times, base_times = [], []
        for _ in range(args.runs):
            ours_times.append(timed(ours, env))
            base_times.append(timed(baseline, env))
    finally:
        process.terminate()
        process.wait()
    ours_median, base_median = statistics.median(ours_times), statistics.median(base_times)
    print(f"runs: {args.runs} each, alternating; machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'command':44} {'median':>8} {'best':>8}")
    print(f"{'scnet-images path ... (this project)':44} {ours_median * 1000:7.0f}ms {min(ours_times) * 1000:7.0f}ms")
    print(f"{'page example (requests, one call, print)':44} {base_median * 1000:7.0f}ms {min(base_times) * 1000:7.0f}ms")
    print(f"ratio (median, ours / example): {ours_median / base_median:.2f}  (target <= 1.00)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
