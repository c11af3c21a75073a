"""Records -> canonical rows: the converter for each format and the loop that applies it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from followaudit.accounts import Skipped, TableBuilder
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
}
CSV_CONVERTERS: dict[str, CsvConverter] = {"x-v1": x_v1.add_csv_row, "csv": native.add_row}

# Optional keys whose absence from every record of a file means the export
# left them out, so the column is unknown rather than "not set".
PRESENCE_KEYS: dict[str, dict[str, str]] = {
    "x-v2": x_v2.PRESENCE_KEYS,
    "bluesky": bluesky.PRESENCE_KEYS,
}


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
    """Return (rows, skipped records, presence keys no record carried) for JSON records."""
    convert = JSON_CONVERTERS[fmt]
    builder = TableBuilder()
    skipped: list[Skipped] = []
    missing = dict(PRESENCE_KEYS.get(fmt, {}))
    for line, record in items:
        if type(record) is Broken:
            skipped.append(Skipped(line, record.reason))
            continue
        if missing and isinstance(record, dict):
            for key in [key for key in missing if key in record]:
                del missing[key]
        try:
            convert(builder, record, line)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            skipped.append(Skipped(line, reason(error)))
    return builder, skipped, missing
