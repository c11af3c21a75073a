"""Survey what the issue-17 property tests find: every distinct crash, not just the first.

Hypothesis stops at the first failing example; this runs the same
examples as ``tests/test_hostile3_fuzz.py`` from a plain seeded random
source, groups the exceptions that break the property by type and by the
followaudit line that raised them, and prints one example of each::

    cd tests && python fuzz_survey.py [EXAMPLES_PER_TEST] [SEED]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from pathlib import Path

import test_hostile3_fuzz as fuzz

FILE_KINDS = sorted(fuzz.RECORDS)
PLATFORMS = sorted(fuzz.ENDPOINTS)


def _value(rng: random.Random) -> object:
    if rng.random() < 0.7:
        return rng.choice(fuzz.HOSTILE)
    return rng.choice([rng.randint(-(2**70), 2**70), "".join(rng.choices("aé1 \x00", k=4)), 1e308])


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/followaudit/" in f.filename]
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.split('/followaudit/')[-1]}:{last.lineno} ({last.name})"


def survey(examples: int, seed: int) -> None:
    rng = random.Random(seed)
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp())
    file_test = fuzz.test_a_follower_file_with_one_hostile_value.hypothesis.inner_test
    answer_test = fuzz.test_a_platform_answer_with_one_hostile_value.hypothesis.inner_test

    class Draw:
        def __init__(self, mutation: object) -> None:
            self.mutation = mutation

        def draw(self, strategy: object, label: str | None = None) -> object:
            return self.mutation

    for _ in range(examples):
        kind, which = rng.choice(FILE_KINDS), rng.randrange(5)
        record = fuzz.RECORDS[kind](which)
        mutation = fuzz.Mutation(rng.choice(fuzz._paths(record)), _value(rng))
        try:
            file_test(folder, kind, which, Draw(mutation))
        except AssertionError as exc:
            cause = exc.__cause__ or exc
            found[(type(cause).__name__, _where(cause))].append(f"file {kind}: {mutation}"[:200])
    files_done = time.monotonic()
    for _ in range(examples):
        platform = rng.choice(PLATFORMS)
        endpoint, nth = rng.randrange(4), rng.choice([1, 2])
        mutation = fuzz.SomeMutation(rng.randrange(2**32), _value(rng))
        try:
            answer_test(platform, endpoint, nth, mutation)
        except AssertionError as exc:
            cause = exc.__cause__ or exc
            endpoints = fuzz.ENDPOINTS[platform]
            where = endpoints[endpoint % len(endpoints)]
            found[(type(cause).__name__, _where(cause))].append(
                f"{platform} {where} #{nth}: {mutation}"[:200]
            )
    done = time.monotonic()
    print(
        f"{examples} file examples in {files_done - started:.1f} s, "
        f"{examples} answer examples in {done - files_done:.1f} s"
    )
    for (kind, where), examples_seen in sorted(found.items(), key=lambda kv: -len(kv[1])):
        print(f"{len(examples_seen):4d}  {kind:22s} {where}\n      e.g. {examples_seen[0]}")


if __name__ == "__main__":
    survey(
        int(sys.argv[1]) if len(sys.argv) > 1 else 300, int(sys.argv[2]) if len(sys.argv) > 2 else 0
    )
