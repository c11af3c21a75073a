"""Measure the checks added to reading a follower file: repeats and binary refusal.

    python benchmarks/bench_input_checks.py [--rows 1000000]

Prints the time ``drop_duplicates`` takes on a table of N accounts with no
repeat (ids), 0.1% repeats, and no ids (handles only), and the time and
peak memory of refusing a 2 GB sparse file of NUL bytes in a fresh process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from followaudit.formats._checks import drop_duplicates


def table(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": ["x"] * rows,
            "id": [str(10**9 + i) for i in range(rows)],
            "handle": [f"user{i}" for i in range(rows)],
            "line": np.arange(1, rows + 1),
        }
    )


def timed(frame: pd.DataFrame, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        drop_duplicates(frame)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    base = table(args.rows)
    repeats = pd.concat([base, base.iloc[: args.rows // 1000]], ignore_index=True)
    print(f"drop_duplicates, {args.rows:,} rows, no repeat:   {timed(base):.2f} s")
    print(f"drop_duplicates, {args.rows:,} rows, 0.1% repeats: {timed(repeats):.2f} s")
    print(f"drop_duplicates, {args.rows:,} rows, handles only: {timed(base.assign(id='')):.2f} s")
    with tempfile.TemporaryDirectory() as folder:
        zeros = Path(folder) / "zeros.bin"
        with open(zeros, "wb") as stream:
            stream.truncate(2 * 2**30)
        script = (
            "import time; started = time.perf_counter()\n"
            "from followaudit.cli.commands import _run\n"
            f"code = _run(['score', {str(zeros)!r}])\n"
            "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
            "print(code, peak.split()[1], round(time.perf_counter() - started, 2))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        code, peak_kb, seconds = done.stdout.split()
        print(
            f"2 GB of NUL bytes: exit {code} in {seconds} s (imports included), "
            f"peak memory {int(peak_kb) / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
