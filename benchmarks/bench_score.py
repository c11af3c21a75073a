"""Time followaudit on a large synthetic follower file and print the figures.

    python benchmarks/bench_score.py --n 1000000            # `followaudit score` end to end
    python benchmarks/bench_score.py --n 1000000 --stage read  # read_accounts only

Writes ``--n`` synthetic X API v2 user objects as JSONL into a temporary
folder (not timed), then either runs ``followaudit score FILE --csv OUT`` as
a child process (``--stage score``) or times only the ``read_accounts``
call, also in a child process (``--stage read``). Prints accounts per
second, wall seconds, the peak resident memory of all the processes involved
together (the command, and the worker processes that read a large file in
parallel; sampled from /proc, so Linux only) and of the largest single one
(getrusage).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate


class TreeMemory:
    """Samples the resident memory of a process and all its descendants, keeping the peak.

    getrusage only reports the largest single process, and not at all the
    reader workers that a fork server starts; reading /proc every 0.1 s sees
    the whole tree (followaudit, its fork server and workers) at once.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.wait(0.1):
            parents: dict[int, int] = {}
            rss: dict[int, int] = {}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                        fields = stat.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue  # the process ended meanwhile
                parents[int(entry)] = int(fields[1])
                rss[int(entry)] = int(fields[21]) * page
            total = 0
            for pid, size in rss.items():
                ancestor = pid
                while ancestor not in (self.root, 0, 1) and ancestor in parents:
                    ancestor = parents[ancestor]
                if ancestor == self.root:
                    total += size
            self.peak_bytes = max(self.peak_bytes, total)

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20


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


READ_SCRIPT = """
import json, sys, time
from followaudit.formats import read_accounts
start = time.perf_counter()
result = read_accounts(sys.argv[1])
print(json.dumps({"accounts": len(result.table), "seconds": time.perf_counter() - start}))
"""


def bench_read(path: Path) -> tuple[int, float, float, float]:
    """Return (accounts, seconds, largest process MB, process tree MB) for read_accounts.

    The call runs in a child process: a reader with other threads alive (such
    as this script's memory sampler) reads on one core only. The seconds are
    the call's own, measured in the child, without Python's start-up.
    """
    command = [sys.executable, "-c", READ_SCRIPT, str(path)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeMemory(child.pid) as tree:
        output, errors = child.communicate()
    if child.returncode != 0:
        sys.stderr.write(errors)
        raise SystemExit(f"reading failed with exit code {child.returncode}")
    figures = json.loads(output)
    return figures["accounts"], figures["seconds"], peak_mb(resource.RUSAGE_CHILDREN), tree.peak_mb


def bench_score(path: Path, out: Path) -> tuple[int, float, float, float]:
    """Return (accounts, wall seconds, largest process MB, process tree MB) for the command."""
    command = [sys.executable, "-m", "followaudit", "score", str(path), "--csv", str(out)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with TreeMemory(child.pid) as tree:
        _, errors = child.communicate()
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        sys.stderr.write(errors)
        raise SystemExit(
            f"`followaudit score` exited with {child.returncode}; "
            "use --stage read to time reading alone"
        )
    with out.open("rb") as scored:
        accounts = sum(1 for _ in scored) - 1
    return accounts, seconds, peak_mb(resource.RUSAGE_CHILDREN), tree.peak_mb


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
            accounts, seconds, largest, tree = bench_read(path)
            what = "read_accounts"
        else:
            accounts, seconds, largest, tree = bench_score(path, Path(folder) / "scores.csv")
            what = "followaudit score"
    print(f"stage:           {what}")
    print(f"accounts:        {accounts:,}")
    print(f"wall seconds:    {seconds:.1f}")
    print(f"accounts/second: {accounts / seconds:,.0f}")
    print(f"peak memory MB:  {tree:,.0f} (all processes together, sampled every 0.1 s)")
    print(f"largest process: {largest:,.0f} MB")


if __name__ == "__main__":
    main()
