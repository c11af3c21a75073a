"""Time `followaudit.score` on DataFrames: what one Dask partition costs.

    python benchmarks/bench_api.py                 # 100,000 accounts
    python benchmarks/bench_api.py --n 400000

Builds N synthetic X API v2 user objects (``synthetic.generate``, not timed)
and times, in this process, ``followaudit.score`` on:

- the records as a DataFrame of nested objects (``pandas.DataFrame(records)``,
  what Parquet written from JSON holds);
- the same flattened with dots (``pandas.json_normalize``);
- the canonical table ``followaudit.read_accounts`` gives for them
  (followaudit's own columns, what ``--parquet`` writes).

Prints seconds and accounts per second for each, best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

import followaudit

AS_OF = "2026-01-31"


def best_of(repeat: int, frame: pd.DataFrame) -> float:
    """Return the fastest of ``repeat`` timed ``followaudit.score(frame)`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", followaudit.FollowauditWarning)
            followaudit.score(frame, as_of=AS_OF)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="accounts (default 100,000)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per case; the best is kept")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "users.jsonl"
        path.write_bytes(b"".join(generate(args.n, seed=1)))
        records = [json.loads(line) for line in path.read_bytes().splitlines()]
        canonical = followaudit.read_accounts(path).table
    cases = {
        "X API v2, nested (DataFrame(records))": pd.DataFrame(records),
        "X API v2, flattened (json_normalize)": pd.json_normalize(records),
        "followaudit's own columns (canonical)": canonical,
    }
    followaudit.score(cases["followaudit's own columns (canonical)"].head(10), as_of=AS_OF)
    print(f"followaudit.score, {args.n:,} accounts, best of {args.repeat}")
    print(f"{'input':<42} {'seconds':>8} {'accounts/s':>11}")
    for name, frame in cases.items():
        seconds = best_of(args.repeat, frame)
        print(f"{name:<42} {seconds:>8.2f} {args.n / seconds:>11,.0f}")


if __name__ == "__main__":
    main()
