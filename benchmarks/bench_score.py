"""Time `followaudit score` against the fastest reasonable pipeline, on the same files, in one run.

    python benchmarks/bench_score.py                       # 10k, 100k and 1M accounts
    python benchmarks/bench_score.py --sizes 10000 100000  # quicker
    python benchmarks/bench_score.py --markdown            # the table as docs/speed.md shows it

For each size, writes that many synthetic X API v2 user objects as JSONL into
a temporary folder (not timed), then runs, each as a child process timed
from start to exit (Python's start-up and imports included):

- the reference: orjson per line, the fields into Python lists, numpy
  features (``compute_features``), the shipped model's probabilities and
  per-feature contributions (``predict_with_contributions``), in one process,
  writing nothing;
- ``followaudit score FILE --quiet`` with no export, with ``--csv``, with
  ``--json``, and with both.

Prints, per run, the wall seconds, accounts per second, the peak resident
memory of the process and every child it started together (sampled from
/proc every 0.05 s, so Linux only), and the ratio of its time to the
reference's on the same file, and the CPU seconds of the process tree (on a
machine shared with other work, the steadier figure). Also times scoring a one-line file (start-up
cost). ``--repeat N`` runs every command N times and keeps the fastest, for
a busy machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

AS_OF = "2026-01-01"

# The reference pipeline: what a careful engineer would write in one script.
REFERENCE = r"""
import sys
from datetime import UTC, datetime

import numpy as np
import orjson
import pandas as pd

from followaudit.model.features import compute_features
from followaudit.model.forest import load_model

model = load_model(None)
cols = {k: [] for k in ("posts", "followers", "following", "likes", "listed", "created_at",
                        "bio_length", "name_length", "handle_digits", "has_url",
                        "has_location", "default_avatar")}
loads = orjson.loads
with open(sys.argv[1], "rb") as handle:
    for raw in handle:
        user = loads(raw)
        m = user["public_metrics"]
        cols["posts"].append(m.get("post_count", m.get("tweet_count")))
        cols["followers"].append(m["followers_count"])
        cols["following"].append(m["following_count"])
        cols["likes"].append(m.get("like_count"))
        cols["listed"].append(m.get("listed_count"))
        cols["created_at"].append(user.get("created_at", "")[:19])
        cols["bio_length"].append(len(user.get("description", "").strip()))
        cols["name_length"].append(len(user.get("name", "").strip()))
        handle_text = user.get("username", "")
        cols["handle_digits"].append(sum(c.isdigit() for c in handle_text))
        cols["has_url"].append(bool(user.get("url", "").strip()))
        cols["has_location"].append(bool(user.get("location", "").strip()))
        cols["default_avatar"].append("default_profile_images" in user.get("profile_image_url", ""))
table = {k: np.array(v, dtype=np.float64) for k, v in cols.items() if k != "created_at"}
table["created_at"] = np.array(cols["created_at"], dtype="datetime64[s]")
features = compute_features(pd.DataFrame(table), datetime(2026, 1, 1, tzinfo=UTC))
probability, contributions = model.predict_with_contributions(features)
print(len(probability), float(probability.mean()), float(contributions.sum()))
"""


class TreeMemory:
    """Samples the resident memory of a process and all its descendants, keeping the peak.

    getrusage only reports the largest single process; reading /proc every
    0.05 s sees the whole tree (followaudit and its reader workers) at once.
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
        while not self._stop.wait(0.05):
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


@dataclass
class Run:
    name: str
    seconds: float
    peak_mb: float
    cpu_seconds: float  # user + system of the process and every child it waited for


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(name: str, command: list[str], repeat: int) -> Run:
    """Return the fastest of ``repeat`` runs of ``command`` (and the peak memory of that run)."""
    best: Run | None = None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _children_cpu()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with TreeMemory(child.pid) as tree:
            _, errors = child.communicate()
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            sys.stderr.write(errors.decode(errors="replace"))
            raise SystemExit(f"{name} exited with {child.returncode}")
        if best is None or seconds < best.seconds:
            best = Run(name, seconds, tree.peak_bytes / 2**20, _children_cpu() - cpu)
    assert best is not None
    return best


def score_command(path: Path, folder: Path, csv: bool, json: bool) -> list[str]:
    command = [sys.executable, "-m", "followaudit", "score", str(path), "--as-of", AS_OF, "-q"]
    if csv:
        command += ["--csv", str(folder / "scores.csv")]
    if json:
        command += ["--json", str(folder / "scores.json")]
    return command


def bench_size(n: int, folder: Path, repeat: int) -> list[Run]:
    path = folder / f"followers-{n}.jsonl"
    with path.open("wb") as out:
        out.writelines(generate(n, 0))
    runs = [timed("reference", [sys.executable, "-c", REFERENCE, str(path)], repeat)]
    for name, csv, json in (
        ("score", False, False),
        ("score --csv", True, False),
        ("score --json", False, True),
        ("score --csv --json", True, True),
    ):
        runs.append(timed(name, score_command(path, folder, csv, json), repeat))
    with (folder / "scores.csv").open("rb") as scored:
        assert sum(1 for _ in scored) == n + 1, "the CSV export does not hold every account"
    path.unlink()
    return runs


def main() -> None:
    """Parse the options, run every size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per command; the fastest counts"
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()

    rows: list[tuple[int, Run, float]] = []
    with tempfile.TemporaryDirectory(prefix="followaudit-bench-") as name:
        folder = Path(name)
        one = folder / "one.jsonl"
        one.write_bytes(next(iter(generate(1, 0))))
        startup = timed(
            "score (1 account)", score_command(one, folder, False, False), max(3, args.repeat)
        )
        for n in args.sizes:
            runs = bench_size(n, folder, args.repeat)
            reference = runs[0].seconds
            for run in runs:
                rows.append((n, run, run.seconds / reference))
                print(
                    f"{n:>9,}  {run.name:<20} {run.seconds:7.2f} s  {n / run.seconds:>9,.0f}/s"
                    f"  {run.peak_mb:7,.0f} MB  x{run.seconds / reference:.2f}"
                    f"  (CPU {run.cpu_seconds:.2f} s)",
                    flush=True,
                )
    print(
        f"start-up: scoring a one-line file took {startup.seconds:.2f} s "
        f"(fastest of {max(3, args.repeat)}), {startup.peak_mb:,.0f} MB"
    )
    if args.markdown:
        print()
        print(
            "| accounts | run | seconds | accounts/s | peak memory | time / reference "
            "| CPU seconds |"
        )
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
        for n, run, ratio in rows:
            print(
                f"| {n:,} | {run.name} | {run.seconds:.2f} | {n / run.seconds:,.0f} "
                f"| {run.peak_mb:,.0f} MB | {ratio:.2f} | {run.cpu_seconds:.1f} |"
            )


if __name__ == "__main__":
    main()
