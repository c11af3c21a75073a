"""A fake clock whose sleep advances time, so waits cost nothing in tests."""

from __future__ import annotations

import random
import threading

START = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


class FakeClock:
    """Call it for the time; ``sleep`` records the wait and advances the time."""

    def __init__(self, now: float = START) -> None:
        self.now = now
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class TopRng(random.Random):
    """A random source whose uniform() always returns the top of the range."""

    def uniform(self, a: float, b: float) -> float:
        return b
