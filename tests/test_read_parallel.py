"""A large JSON Lines file read on several cores gives exactly what one core gives."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from followaudit import formats
from followaudit.formats import _parallel, read_accounts

GOOD = {
    "id": "1",
    "username": "demo_a1",
    "created_at": "2019-01-01T00:00:00.000Z",
    "public_metrics": {"followers_count": 1, "following_count": 2, "post_count": 3},
}


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    lines = []
    for index in range(600):
        user = dict(GOOD, id=str(index), username=f"demo_{index}")
        if index == 250:
            user["location"] = "Westmere"  # the only record that has a location
        lines.append(json.dumps(user))
    lines[300] = lines[300][:25]  # broken in the middle
    lines[450] = ""  # a blank line
    text = "\n".join(lines) + "\n" + json.dumps(GOOD)[:30]  # cut off at the end
    path = tmp_path / "followers.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


def test_parallel_read_equals_serial_read(big_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "worker_count", lambda size: 1)
    serial = read_accounts(big_file)
    monkeypatch.setattr(formats, "worker_count", lambda size: 3)
    parallel = read_accounts(big_file)
    pd.testing.assert_frame_equal(parallel.table, serial.table)
    assert parallel.skipped == serial.skipped
    assert parallel.warnings == serial.warnings
    assert [item.line for item in parallel.skipped] == [301, 601]
    assert parallel.table["has_location"].sum() == 1
    assert parallel.table["line"].is_monotonic_increasing


def test_ranges_cover_the_file_at_line_starts(big_file: Path) -> None:
    ranges = _parallel.split(big_file, 4)
    data = big_file.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (_, end, _), (begin, _, line) in pairwise(ranges):
        assert end == begin and data[begin - 1 : begin] == b"\n"
        assert line == data[:begin].count(b"\n") + 1


def test_small_files_are_read_by_one_process() -> None:
    assert _parallel.worker_count(1_000_000) == 1
