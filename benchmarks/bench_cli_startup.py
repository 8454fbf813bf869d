"""Benchmark: how long `kambot --help` takes, against a bare Python start.

Usage: uv run --frozen python benchmarks/bench_cli_startup.py [--runs 20]
Target (issue 2): at most 0.3 s median on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Time `kambot --help` and `python -c pass`, print medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    _median_seconds([sys.executable, "-m", "kambot", "--help"], 2)  # warm the file cache
    bare = _median_seconds([sys.executable, "-c", "pass"], args.runs)
    help_ = _median_seconds([sys.executable, "-m", "kambot", "--help"], args.runs)
    print(f"python -c pass : median {bare * 1000:7.1f} ms")
    print(f"kambot --help  : median {help_ * 1000:7.1f} ms  (target <= 300 ms; "
          f"{help_ / bare:.1f}x a bare interpreter start)")


if __name__ == "__main__":
    main()
