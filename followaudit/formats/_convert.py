"""Records -> canonical rows: the converter for each format and the loop that applies it."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from followaudit.accounts import BUILT_COLUMNS, NUMERIC_COLUMNS, Skipped, TableBuilder
from followaudit.formats import bluesky, mastodon, native, x_v1, x_v2
from followaudit.formats._common import RecordError
from followaudit.formats._containers import Broken, Item

JsonConverter = Callable[[TableBuilder, dict[str, Any], int], None]
CsvConverter = Callable[[TableBuilder, dict[str, str], int], None]

JSON_CONVERTERS: dict[str, JsonConverter] = {
    "x-v2": x_v2.add_user,
    "x-v1": x_v1.add_user,
    "bluesky": bluesky.add_profile,
    "mastodon": mastodon.add_account,
    # followaudit's own columns, as score --json and scan --json write their accounts.
    "csv": native.add_record,
}
CSV_CONVERTERS: dict[str, CsvConverter] = {"x-v1": x_v1.add_csv_row, "csv": native.add_row}

# Optional keys whose absence from every record of a file means the export
# left them out, so the column is unknown rather than "not set".
PRESENCE_KEYS: dict[str, dict[str, str]] = {
    "x-v2": x_v2.PRESENCE_KEYS,
    "bluesky": bluesky.PRESENCE_KEYS,
}


def new_builder() -> TableBuilder:
    """Return an empty TableBuilder whose number columns are packed arrays.

    A float in a list costs a 24-byte object plus an 8-byte pointer; in an
    ``array("d")`` it costs 8 bytes, which saves about 250 MB on a million
    followers and makes the final conversion to numpy a plain copy. Every
    converter hands ``append`` floats, which is what the arrays hold.
    """
    columns: dict[str, Any] = {}
    for name in BUILT_COLUMNS:
        if name in NUMERIC_COLUMNS:
            columns[name] = array("d")
        elif name == "line":
            columns[name] = array("q")
        else:
            columns[name] = []
    return TableBuilder(columns=columns)


def detect_format(record: dict[str, Any]) -> str | None:
    """Return the format name whose keys ``record`` has, or None."""
    if bluesky.looks_like(record):
        return "bluesky"
    if mastodon.looks_like(record):
        return "mastodon"
    if x_v1.looks_like(record):
        return "x-v1"
    if x_v2.looks_like(record):
        return "x-v2"
    if native.looks_like(record):
        return "csv"
    return None


def reason(error: Exception) -> str:
    """Return the skip reason for a converter's exception."""
    if isinstance(error, RecordError):
        return str(error)
    if isinstance(error, KeyError):
        return f"no {error.args[0]} field"
    return f"malformed record ({error})"


def convert_items(
    items: Iterable[Item], fmt: str
) -> tuple[TableBuilder, list[Skipped], dict[str, str]]:
    """Return (rows, skipped records, presence keys no record carried) for JSON records.

    The records of a line that holds several (an API page on one line) are
    numbered in ``record`` (see ``number_records``), rows and skipped alike.
    """
    convert = JSON_CONVERTERS[fmt]
    builder = new_builder()
    skipped: list[Skipped] = []
    # How many rows had been built when each skipped record came: where it stood among them.
    skipped_at: list[int] = []
    missing = dict(PRESENCE_KEYS.get(fmt, {}))
    for line, record in items:
        if type(record) is Broken:
            skipped.append(Skipped(line, record.reason))
            skipped_at.append(len(builder))
            continue
        if missing and isinstance(record, dict):
            for key in [key for key in missing if key in record]:
                del missing[key]
        try:
            convert(builder, record, line)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            skipped.append(Skipped(line, reason(error)))
            realign(builder)
            skipped_at.append(len(builder))
    rows, skips = number_records(
        np.asarray(builder.columns["line"], dtype=np.int64),
        np.asarray([s.line for s in skipped], dtype=np.int64),
        np.asarray(skipped_at, dtype=np.int64),
    )
    builder.columns["record"] = rows
    if skips.any():
        skipped = [
            Skipped(s.line, s.reason, record)
            for s, record in zip(skipped, skips.tolist(), strict=True)
        ]
    return builder, skipped, missing


def number_records(
    lines: np.ndarray, skipped_lines: np.ndarray, skipped_at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (each row's record number, each skipped record's) within its line.

    ``lines`` are the rows' lines in reading order; skipped record ``i`` (on
    ``skipped_lines[i]``) came after the first ``skipped_at[i]`` rows. The
    records of one line come one after another, so the n-th record of a line
    holding several is numbered n (1-based) and the only record of a line 0.
    Vectorised: no Python per row.
    """
    total = len(lines) + len(skipped_lines)
    # Every record in reading order, rows and skipped ones together.
    merged = np.insert(lines, skipped_at, skipped_lines) if len(skipped_lines) else lines
    number = np.zeros(total, np.int64)
    continues = merged[1:] == merged[:-1]  # record i is on the line of record i - 1
    if continues.any():
        starts = np.flatnonzero(np.concatenate(([True], ~continues)))
        sizes = np.diff(np.append(starts, total))
        number = np.arange(1, total + 1, dtype=np.int64) - np.repeat(starts, sizes)
        number[np.repeat(sizes == 1, sizes)] = 0
    if not len(skipped_lines):
        return number, number[:0]
    is_skipped = np.insert(np.zeros(len(lines), bool), skipped_at, True)
    return number[~is_skipped], number[is_skipped]


def realign(builder: TableBuilder) -> None:
    """Drop the part of a row that a failed ``append`` left in some columns only."""
    rows = min(len(values) for values in builder.columns.values())
    for values in builder.columns.values():
        del values[rows:]
