"""followaudit's own CSV layout ("csv" format) -> canonical rows.

One header row, then one account per row, comma separated (semicolon or tab
when the header holds no comma), UTF-8. Column order does not matter, names
are matched ignoring case and surrounding spaces, unknown columns are ignored.

Required columns (the file is refused without them):

- ``posts``, ``followers``, ``following``: counts. A row whose cell is empty
  or not a number is skipped with the reason.
- ``created_at``: ISO 8601 (``2019-04-06``, ``2019-04-06T10:58:22Z``; no
  offset means UTC) or X's ``Fri Apr 06 10:58:22 +0000 2019``. An empty cell
  means the creation date is unknown (the age features are then unknown).

Optional columns (a missing column makes the value unknown, NaN, for every
row, with one warning; never zero):

- ``handle`` (``@`` optional), ``id``, ``platform`` (``x``, ``bluesky``,
  ``mastodon``; empty or absent means ``unknown``)
- ``likes``, ``listed``: counts; empty cell = unknown
- ``bio`` (text) or ``bio_length`` (number)
- ``name`` (text) or ``name_length`` (number)
- ``url`` (text) or ``has_url`` (boolean)
- ``location`` (text) or ``has_location`` (boolean)
- ``default_avatar`` (boolean: the profile picture is the platform default)
- ``handle_digits`` (number; used only when there is no ``handle`` column)
- ``last_post_at``: when the account last posted, as ``created_at``; not
  warned about when absent (only inactive followers need it: see docs/outputs.md)

A cell followaudit's own export neutralised for spreadsheets (``'@alice``)
is read as the original text (``@alice``), so an export can be scored again.
An empty text cell (``bio``, ``name``, ``url``, ``location``) means empty:
CSV cannot tell it from unknown, and an exported profile with no bio has an
empty cell. An empty number or boolean cell means unknown (NaN). Booleans are
``true``/``false``, ``1``/``0``, ``1.0``/``0.0``, ``yes``/``no``, ``t``/``f``,
``y``/``n`` in any case; anything else skips the row with the reason.

The same columns as JSON records (what ``score --json`` and ``scan --json``
write under ``accounts``: numbers as numbers, unknown as ``null``, booleans
as 1/0 or true/false) are read by ``add_record``; their text is never
escaped, so it is taken as it is.

Public converters::

    add_row(builder: TableBuilder, row: dict[str, str], line: int) -> None
    add_record(builder: TableBuilder, record: dict[str, Any], line: int) -> None
"""

from __future__ import annotations

import math
from typing import Any

from followaudit.accounts import TableBuilder, digit_count
from followaudit.formats._common import (
    RecordError,
    optional_count,
    parse_flag,
    parse_twitter_datetime,
    required_count,
)
from followaudit.formats.cells import unescape_cell

NAN = math.nan
REQUIRED_COLUMNS: tuple[str, ...] = ("posts", "followers", "following", "created_at")
PLATFORMS = frozenset({"x", "bluesky", "mastodon", "unknown"})

# canonical column -> the CSV columns that can provide it (text form first).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "likes": ("likes",),
    "listed": ("listed",),
    "bio_length": ("bio", "bio_length"),
    "name_length": ("name", "name_length"),
    "handle_digits": ("handle", "handle_digits"),
    "has_url": ("url", "has_url"),
    "has_location": ("location", "has_location"),
    "default_avatar": ("default_avatar",),
}


def missing_optional(columns: list[str]) -> list[str]:
    """Return the canonical columns no CSV column provides (they will be NaN)."""
    present = set(columns)
    return [
        canonical
        for canonical, sources in OPTIONAL_COLUMNS.items()
        if not present.intersection(sources)
    ]


def _length(row: dict[str, str], text_column: str, number_column: str) -> float:
    text = row.get(text_column)
    if text is not None:
        return float(len(text.strip()))
    return optional_count(row.get(number_column), number_column)


def _presence(row: dict[str, str], text_column: str, flag_column: str) -> float:
    text = row.get(text_column)
    if text is not None:
        return 1.0 if text.strip() else 0.0
    cell = row.get(flag_column)
    return NAN if cell is None else parse_flag(cell, flag_column, NAN)


def add_row(builder: TableBuilder, row: dict[str, str], line: int) -> None:
    """Append the canonical row of one followaudit CSV row (column -> cell) to ``builder``."""
    # followaudit's own exports write '@alice for @alice (spreadsheet safety):
    # read back, the cell is the original text again.
    _add(builder, {name: unescape_cell(cell) if cell else cell for name, cell in row.items()}, line)


def add_record(builder: TableBuilder, record: dict[str, Any], line: int) -> None:
    """Append the canonical row of one JSON record with followaudit's own columns to ``builder``."""
    _add(builder, {str(name): _cell(value) for name, value in record.items()}, line)


def _cell(value: Any) -> str:
    """Return a JSON value as the CSV cell that means the same (null is an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        return ""  # reasons and other lists are what was said about a score, not inputs
    return str(value)


def _add(builder: TableBuilder, row: dict[str, str], line: int) -> None:
    posts = required_count(row.get("posts"), "posts")
    followers = required_count(row.get("followers"), "followers")
    following = required_count(row.get("following"), "following")
    platform = (row.get("platform") or "").strip().lower() or "unknown"
    if platform not in PLATFORMS:
        raise RecordError(f"platform must be x, bluesky or mastodon, not {platform!r}")
    handle = (row.get("handle") or "").strip().lstrip("@")
    if "handle" in row:
        handle_digits = digit_count(handle.split("@")[0]) if handle else NAN
    else:
        handle_digits = optional_count(row.get("handle_digits"), "handle_digits")
    avatar = row.get("default_avatar")
    builder.append(
        platform=platform,
        id=(row.get("id") or "").strip(),
        handle=handle,
        line=line,
        created_at=parse_twitter_datetime((row.get("created_at") or "").strip()),
        posts=posts,
        followers=followers,
        following=following,
        likes=optional_count(row.get("likes"), "likes"),
        listed=optional_count(row.get("listed"), "listed"),
        bio_length=_length(row, "bio", "bio_length"),
        name_length=_length(row, "name", "name_length"),
        handle_digits=handle_digits,
        has_url=_presence(row, "url", "has_url"),
        has_location=_presence(row, "location", "has_location"),
        default_avatar=NAN if avatar is None else parse_flag(avatar, "default_avatar", NAN),
        last_post_at=parse_twitter_datetime(
            (row.get("last_post_at") or "").strip(), "last_post_at"
        ),
    )


def looks_like_csv(columns: list[str]) -> bool:
    """Return True if a CSV header names followaudit's own columns."""
    return bool({"posts", "followers", "following"}.intersection(columns))


def looks_like(record: dict[str, Any]) -> bool:
    """Return True if a JSON record has followaudit's own count columns (an export's account)."""
    return all(key in record for key in ("posts", "followers", "following"))
