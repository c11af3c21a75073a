"""Helpers for hostile-server tests: runs of the real CLI that never really wait."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import followaudit.http
from followaudit.http import Http

from .clock import FakeClock


def no_waiting(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Make every Http the CLI builds wait on a fake clock: retries and backoffs cost nothing.

    Returns the clock, whose ``sleeps`` list the waits.
    """
    clock = FakeClock(time.time())  # the cache's own clock is real: answers stay fresh

    class NoWaitHttp(Http):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("clock", clock)
            kwargs.setdefault("sleep", clock.sleep)
            super().__init__(**kwargs)

    monkeypatch.setattr(followaudit.http, "Http", NoWaitHttp)
    return clock


def every_byte(folder: Path) -> bytes:
    """Return the bytes of every file under ``folder`` (exports, cache database, WAL)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
