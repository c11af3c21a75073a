"""Time followaudit on a large synthetic follower file and print the figures.

    python benchmarks/bench_score.py --n 1000000            # `followaudit score` end to end
    python benchmarks/bench_score.py --n 1000000 --stage read  # read_accounts only

Writes ``--n`` synthetic X API v2 user objects as JSONL into a temporary
folder (not timed), then either runs ``followaudit score FILE --csv OUT`` as
a child process (``--stage score``: wall time of the child; peak resident
memory from ``getrusage(RUSAGE_CHILDREN)``, i.e. the largest of the child and
the reader processes it forks) or calls ``read_accounts`` in this process
(``--stage read``: wall time of the call; this process's peak plus its
largest worker's). Prints accounts per second, wall seconds and peak MB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate


def peak_mb(who: int) -> float:
    """Return the peak resident memory of ``who`` (RUSAGE_SELF/CHILDREN) in MB."""
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(who).ru_maxrss / 1024


def write_followers(path: Path, n: int, seed: int) -> float:
    """Write ``n`` synthetic followers to ``path``; return the seconds it took."""
    start = time.perf_counter()
    with path.open("wb") as out:
        out.writelines(generate(n, seed))
    return time.perf_counter() - start


def bench_read(path: Path) -> tuple[int, float, float]:
    """Return (accounts read, wall seconds, peak MB) for read_accounts in this process.

    Large files are read by this process and forked workers together; the
    peak is this process's plus the largest worker's, an upper bound on what
    they held at once.
    """
    from followaudit.formats import read_accounts

    start = time.perf_counter()
    result = read_accounts(path)
    seconds = time.perf_counter() - start
    return len(result.table), seconds, peak_mb(resource.RUSAGE_SELF) + peak_mb(
        resource.RUSAGE_CHILDREN
    )


def bench_score(path: Path, out: Path) -> tuple[int, float, float]:
    """Return (accounts, wall seconds, peak MB of the child) for `followaudit score`."""
    command = [sys.executable, "-m", "followaudit", "score", str(path), "--csv", str(out)]
    start = time.perf_counter()
    finished = subprocess.run(command, check=False, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if finished.returncode != 0:
        sys.stderr.write(finished.stderr)
        raise SystemExit(
            f"`followaudit score` exited with {finished.returncode}; "
            "use --stage read to time reading alone"
        )
    with out.open("rb") as scored:
        accounts = sum(1 for _ in scored) - 1
    return accounts, seconds, peak_mb(resource.RUSAGE_CHILDREN)


def main() -> None:
    """Parse the options, run the benchmark, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="followers to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stage", choices=("score", "read"), default="score")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="followaudit-bench-") as folder:
        path = Path(folder) / "followers.jsonl"
        generated = write_followers(path, args.n, args.seed)
        size_mb = path.stat().st_size / 1e6
        print(
            f"generated {args.n:,} followers ({size_mb:,.0f} MB) in {generated:.1f} s (not timed)"
        )
        if args.stage == "read":
            accounts, seconds, peak = bench_read(path)
            what = "read_accounts"
        else:
            accounts, seconds, peak = bench_score(path, Path(folder) / "scores.csv")
            what = "followaudit score"
    print(f"stage:           {what}")
    print(f"accounts:        {accounts:,}")
    print(f"wall seconds:    {seconds:.1f}")
    print(f"accounts/second: {accounts / seconds:,.0f}")
    print(f"peak memory MB:  {peak:,.0f}")


if __name__ == "__main__":
    main()
