"""Time `scnet-images path ...` against the page's own Python example, in the same run.

    python benchmarks/cli_speed.py [--runs 30] [--completion-images 100000]

Starts the standalone demo API, then alternates the commands (so machine noise hits
them alike) and prints the median and best wall time of each and their ratios:
`path --refresh` (always asks the server; target <= 1.0x the example) and `path`
answered from a fresh cached catalog (target <= 0.6x). Then a <TAB> completion of
an image name with a cache of `--completion-images` images (target <= 100 ms).
Needs `requests`: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    parser.add_argument("--completion-images", type=int, default=100_000)
    args = parser.parse_args()
    script = shutil.which("scnet-images") or ""
    ours = [script] if script else [sys.executable, "-m", "tui"]
    lookup = ["path", "--accelerator", "dcu", "--image-type", "Base", "pytorch", "2.1.0", "ubuntu20.04", "dtk24.04"]
    compile_package()
    process, base_url = start_demo()
    cache_dir = tempfile.mkdtemp()  # a cache of this run's own, never the user's
    env = dict(os.environ, SCNET_BASE_URL=base_url, SCNET_TOKEN=TOKEN, XDG_CACHE_HOME=cache_dir)
    commands = {
        "scnet-images path --refresh ... (asks the server)": [*ours, lookup[0], "--refresh", *lookup[1:]],
        "scnet-images path ... (from the cached catalog)": [*ours, *lookup],
        "page example (requests, one call, print)": [sys.executable, str(HERE / "page_example.py"), base_url, TOKEN],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for command in commands.values():
            timed(command, env)  # warm the file cache for each, and fill the catalog cache
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    finally:
        process.terminate()
        process.wait()
    medians = {name: statistics.median(values) for name, values in times.items()}
    example = medians["page example (requests, one call, print)"]
    print(f"runs: {args.runs} each, alternating; machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'command':52} {'median':>8} {'best':>8}")
    for name, values in times.items():
        print(f"{name:52} {medians[name] * 1000:7.0f}ms {min(values) * 1000:7.0f}ms")
    network, cached = list(medians.values())[:2]
    print(f"ratio (median, ours / example): {network / example:.2f}  (target <= 1.00)")
    print(f"ratio from the cache (median, ours / example): {cached / example:.2f}  (target <= 0.60)")
    completion = time_completion(ours, cache_dir, args.completion_images, max(5, args.runs))
    print(f"completion of an image name, {args.completion_images:,} cached images: median "
          f"{completion * 1000:.0f} ms  (target <= 100 ms)")
    return 0


def time_completion(ours: list[str], cache_dir: str, images: int, runs: int) -> float:
    """Median seconds for the shell's <TAB> on `scnet-images path pytorch:2.` with `images` cached."""
    env = dict(os.environ, XDG_CACHE_HOME=cache_dir, SCNET_CONFIG=os.path.join(cache_dir, "none.toml"))
    for name in ("SCNET_BASE_URL", "SCNET_TOKEN", "SCNET_PROFILE"):
        env.pop(name, None)
    # The catalog is made and cached by a process of its own: a parent holding 100,000 images
    # makes every fork of the timed commands slower (10-30 ms here), which no shell pays.
    subprocess.run([sys.executable, "-c", (
        "import time\n"
        "from tui import cache\n"
        "from tui.api.models import parse_image\n"
        "from tui.demo.catalog import synthetic_catalog\n"
        f"catalog = tuple(parse_image(item) for item in synthetic_catalog({images}))\n"
        "cache.save('demo', cache.Cached(catalog, time.time(), ('', ''), 'the demo API'))\n"
    )], env=env, check=True, cwd=HERE.parent)
    line = "scnet-images path pytorch:2."
    out = os.path.join(cache_dir, "completion.txt")
    env.update(_ARGCOMPLETE="1", COMP_LINE=line, COMP_POINT=str(len(line)), _ARGCOMPLETE_STDOUT_FILENAME=out)
    times = [timed(ours, env) for _ in range(runs + 1)][1:]  # the first warms the file cache
    with open(out, encoding="utf-8") as answer:
        if not answer.read().strip():
            raise SystemExit("completion offered nothing")
    return statistics.median(times)


if __name__ == "__main__":
    raise SystemExit(main())
