"""One large JSON Lines file read on several cores, each reading a range of whole lines.

Parsing JSON is most of the time spent on a big follower file, and records
are independent, so the file is cut at line breaks into one range per core.
The calling process reads the first range itself while forked workers read
the others with the same converter; the parts come back as canonical tables.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from followaudit.accounts import Skipped
from followaudit.filesystem import die_with_parent
from followaudit.formats._containers import iter_jsonl
from followaudit.formats._convert import convert_items

# Below this size a worker costs more to start and to send back than it saves.
MIN_BYTES_PER_WORKER = 32 * 2**20
MAX_WORKERS = 4
BLOCK = 16 * 2**20


@dataclass
class Part:
    """The rows read from one range of a file."""

    table: pd.DataFrame
    skipped: list[Skipped]
    missing: dict[str, str]
    warnings: list[str]


def worker_count(size: int) -> int:
    """Return how many processes should read a file of ``size`` bytes (1: no parallelism)."""
    if size < 2 * MIN_BYTES_PER_WORKER:
        return 1
    # Workers are forked: no start-up cost, and, unlike spawn or forkserver, no
    # re-running of the caller's main script in each worker. Forking is only
    # safe while no other Python thread might hold a lock, and only Linux
    # makes it safe for the libraries below us.
    if sys.platform != "linux" or threading.active_count() > 1:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS, size // MIN_BYTES_PER_WORKER))


def _count_newlines(handle: BinaryIO, start: int, end: int) -> int:
    handle.seek(start)
    count = 0
    left = end - start
    while left > 0:
        block = handle.read(min(BLOCK, left))
        if not block:
            break
        count += block.count(b"\n")
        left -= len(block)
    return count


def split(path: Path, parts: int) -> list[tuple[int, int, int]]:
    """Return (first byte, end byte, first line number) of ``parts`` ranges of whole lines."""
    size = path.stat().st_size
    bounds = [0]
    with path.open("rb") as handle:
        for index in range(1, parts):
            handle.seek(max(size * index // parts, bounds[-1]))
            handle.readline()
            position = handle.tell()
            if bounds[-1] < position < size:
                bounds.append(position)
        bounds.append(size)
        lines = [1]
        for begin, end in pairwise(bounds[:-1]):
            lines.append(lines[-1] + _count_newlines(handle, begin, end))
    return [(bounds[i], bounds[i + 1], lines[i]) for i in range(len(bounds) - 1)]


def _lines(handle: BinaryIO, length: int) -> Iterator[bytes]:
    left = length
    for raw in handle:
        yield raw
        left -= len(raw)
        if left <= 0:
            return


def read_range(path: str, begin: int, end: int, first_line: int, fmt: str, last: bool) -> Part:
    """Return the canonical rows of the lines in bytes [begin, end) of a JSON Lines file."""
    warnings: list[str] = []
    with open(path, "rb") as handle:
        handle.seek(begin)
        items = iter_jsonl(_lines(handle, end - begin), first_line, warnings, at_file_end=last)
        builder, skipped, missing = convert_items(items, fmt)
    return Part(builder.to_frame(), skipped, missing, warnings)


def read_parallel(path: Path, fmt: str, workers: int) -> list[Part]:
    """Return the parts of a JSON Lines file read by ``workers`` processes, in file order."""
    ranges = split(path, workers)
    last = len(ranges) - 1
    if last == 0:
        return [read_range(str(path), *ranges[0], fmt, True)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=last,
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        with warnings.catch_warnings():
            # Python >= 3.12 warns on any fork with native threads alive; numpy's
            # BLAS pool is idle here and re-initialises itself in the child.
            warnings.filterwarnings("ignore", "This process .* is multi-threaded")
            futures = [
                pool.submit(read_range, str(path), begin, end, line, fmt, index == last)
                for index, (begin, end, line) in enumerate(ranges)
                if index > 0
            ]
        parts = [read_range(str(path), *ranges[0], fmt, False)]
        parts.extend(future.result() for future in futures)
    return parts
