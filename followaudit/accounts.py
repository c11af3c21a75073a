"""The canonical account table every reader and platform adapter produces.

One row per account, whatever the platform. Text is reduced to the numbers
the model uses (lengths, digit counts, presence flags) at read time, so the
table, the shipped training data and the feature matrix all speak the same
columns. A value a platform does not provide is NaN, never zero.

Columns (fixed order, see ``CANONICAL_COLUMNS``):

=============== ========== ===================================================
column          dtype      meaning
=============== ========== ===================================================
platform        str        "x", "bluesky", "mastodon" or "unknown"
id              str        the platform's account id ("" if unknown)
handle          str        the handle without "@" ("" if unknown)
line            int64      1-based line (or row) number in the source
record          int64      1-based position among the records of its line when
                           the line holds several (a one-line API page), else 0
created_at      datetime   account creation time, UTC (NaT if unknown)
last_post_at    datetime   when it last posted, UTC (NaT if the platform does not say)
posts           float64    posts published (X counts reposts too)
followers       float64    accounts following it
following       float64    accounts it follows
likes           float64    posts it has liked (X only; NaN elsewhere)
listed          float64    lists that include it (X only; NaN elsewhere)
bio_length      float64    characters in the bio (0 if empty)
name_length     float64    characters in the display name (0 if empty)
handle_digits   float64    decimal digits in the handle
has_url         float64    1 if the profile links a website, else 0
has_location    float64    1 if the profile states a location, else 0
default_avatar  float64    1 if the profile picture is the platform default
=============== ========== ===================================================

A place in a file is written ``line 12`` or, for one of several records on
one line, ``line 1:40`` (``place``): in warnings, skipped records and the
terminal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from followaudit.errors import whole_text

DISPLAY_COLUMNS: tuple[str, ...] = ("platform", "id", "handle", "line", "record")
COUNT_COLUMNS: tuple[str, ...] = ("posts", "followers", "following", "likes", "listed")
PROFILE_COLUMNS: tuple[str, ...] = (
    "bio_length",
    "name_length",
    "handle_digits",
    "has_url",
    "has_location",
    "default_avatar",
)
NUMERIC_COLUMNS: tuple[str, ...] = COUNT_COLUMNS + PROFILE_COLUMNS
# When an account was created and when it last posted: UTC times, NaT when unknown.
TIME_COLUMNS: tuple[str, ...] = ("created_at", "last_post_at")
CANONICAL_COLUMNS: tuple[str, ...] = DISPLAY_COLUMNS + TIME_COLUMNS + NUMERIC_COLUMNS
# What converters append row by row: ``record`` is numbered by the reader, which
# sees the whole line (``formats._convert``), and is 0 wherever it is not given.
BUILT_COLUMNS: tuple[str, ...] = tuple(name for name in CANONICAL_COLUMNS if name != "record")

NAN = math.nan


def digit_count(text: str | None) -> float:
    """Return the number of decimal digits in ``text`` (NaN if unknown)."""
    if text is None:
        return NAN
    return float(sum(ch.isdigit() for ch in text))


# No account has a trillion followers, posts or likes: a larger count is garbage.
MAX_COUNT = 1e12


def count(value: Any) -> float:
    """Return a count as float; None or "" stays NaN.

    Raises ValueError on anything that cannot be a count: not a number, not
    finite, not whole, or implausibly large. (Negative counts are caught by
    ``validate``, which reports them per row.)
    """
    if value is None or value == "":
        return NAN
    if isinstance(value, bool):
        # A boolean where a count belongs is bad data, reported like any other.
        raise ValueError(f"expected a count, got {value!r}")  # noqa: TRY004
    if isinstance(value, int) and abs(value) > MAX_COUNT:
        # Checked before float(), which cannot hold an integer of 400 digits.
        raise ValueError(f"not a plausible count: {shown_number(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"not a plausible count: {shown_number(value)}") from None
    if math.isnan(number):
        return NAN
    if not math.isfinite(number) or abs(number) > MAX_COUNT:
        raise ValueError(f"not a plausible count: {shown_number(value)}")
    if not number.is_integer():
        raise ValueError(f"not a whole number: {shown_number(value)}")
    return number


def shown_number(value: Any) -> str:
    """Return a value for a sentence: as it is when short, else how long it is.

    Python refuses to write an integer of more than 4,300 digits at all, and a
    sentence quoting 400 digits says nothing.
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"an integer of about {int(abs(value).bit_length() * math.log10(2)) + 1:,} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def line_number(line: int, record: int = 0) -> str:
    """Return "12", or "1:40" for the 40th record of a line holding several (record 0: alone)."""
    return f"{line}:{record}" if record else str(line)


def place(line: int, record: int = 0) -> str:
    """Return where a record is, for a sentence: "line 12", or "line 1:40" on a one-line page."""
    return f"line {line_number(line, record)}"


@dataclass(frozen=True)
class Skipped:
    """A record that was not scored, and why (shown in the summary)."""

    line: int
    reason: str
    # Its position among the records of its line, when the line holds several (else 0).
    record: int = 0

    @property
    def place(self) -> str:
        """Return "line 12", or "line 1:40" for the 40th record of a one-line page."""
        return place(self.line, self.record)


@dataclass
class TableBuilder:
    """Accumulates canonical rows column by column (fast for millions of rows)."""

    # Lists, or packed arrays (``formats._convert.new_builder``); a reader that
    # numbers the records of its lines adds ``record`` at the end, as an array.
    columns: dict[str, Any] = field(default_factory=lambda: {name: [] for name in BUILT_COLUMNS})

    def append(
        self,
        *,
        platform: str,
        id: str,
        handle: str,
        line: int,
        created_at: datetime | None,
        posts: float,
        followers: float,
        following: float,
        likes: float,
        listed: float,
        bio_length: float,
        name_length: float,
        handle_digits: float,
        has_url: float,
        has_location: float,
        default_avatar: float,
        last_post_at: datetime | None = None,
    ) -> None:
        c = self.columns
        c["platform"].append(platform)
        c["id"].append(id)
        c["handle"].append(handle)
        c["line"].append(line)
        c["created_at"].append(created_at)
        c["last_post_at"].append(last_post_at)
        c["posts"].append(posts)
        c["followers"].append(followers)
        c["following"].append(following)
        c["likes"].append(likes)
        c["listed"].append(listed)
        c["bio_length"].append(bio_length)
        c["name_length"].append(name_length)
        c["handle_digits"].append(handle_digits)
        c["has_url"].append(has_url)
        c["has_location"].append(has_location)
        c["default_avatar"].append(default_avatar)

    def __len__(self) -> int:
        return len(self.columns["line"])

    def to_frame(self) -> pd.DataFrame:
        """Return the rows as a canonical table (see module docstring)."""
        return make_table(self.columns)


def make_table(columns: dict[str, Any]) -> pd.DataFrame:
    """Return a canonical table from column arrays, coercing each column's dtype.

    Missing numeric columns become NaN (unknown), never zero.
    """
    n = len(next(iter(columns.values()))) if columns else 0
    out: dict[str, Any] = {}
    for name in ("platform", "id", "handle"):
        values = columns.get(name)
        out[name] = pd.Series(whole_text(values) if values is not None else [""] * n, dtype=object)
    out["line"] = np.asarray(columns.get("line", np.arange(1, n + 1)), dtype=np.int64)
    record = columns.get("record")
    out["record"] = np.zeros(n, dtype=np.int64) if record is None else np.asarray(record, np.int64)
    for name in TIME_COLUMNS:
        times = columns.get(name)
        if times is None:
            out[name] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
        else:
            out[name] = pd.to_datetime(pd.Series(times, dtype=object), utc=True).astype(
                "datetime64[ns, UTC]"
            )
    for name in NUMERIC_COLUMNS:
        values = columns.get(name)
        if values is None:
            out[name] = np.full(n, np.nan)
        else:
            out[name] = np.asarray(values, dtype=np.float64)
    frame = pd.DataFrame(out, columns=list(CANONICAL_COLUMNS))
    frame.index = pd.RangeIndex(n)
    return frame


# A follower that has not posted for this long (or never) is inactive.
INACTIVE_DAYS = 365
INACTIVE_MONTHS = 12


def inactive(table: pd.DataFrame, as_of: datetime) -> np.ndarray:
    """Return 1.0 for inactive accounts, 0.0 for active ones, NaN where it cannot be told.

    Inactive: no post in the ``INACTIVE_DAYS`` before ``as_of`` (by
    ``last_post_at``), or none ever (0 posts). A last post within that time
    makes an account active whatever its post count says (counts can lag);
    with posts but no last-post time (Bluesky, or a file without it) it is
    unknown.
    """
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    cutoff = pd.Timestamp(as_of) - pd.Timedelta(days=INACTIVE_DAYS)
    if "last_post_at" in table.columns:
        last = pd.to_datetime(table["last_post_at"], utc=True)
    else:
        last = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns, UTC]")
    known = last.notna().to_numpy()
    recent = (last >= cutoff).to_numpy() & known
    never = (table["posts"].to_numpy(dtype=np.float64) == 0) & ~recent
    result: np.ndarray = np.where(recent, 0.0, np.where(never | known, 1.0, np.nan))
    return result


def validate(table: pd.DataFrame, as_of: datetime) -> tuple[pd.DataFrame, list[Skipped]]:
    """Return (rows that can be scored, skipped rows with reasons).

    Impossible values are never scored: negative or implausibly large counts,
    and accounts created after the observation time ``as_of``.
    """
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    bad_reason = pd.Series("", index=table.index, dtype=object)
    for name in COUNT_COLUMNS + ("bio_length", "name_length", "handle_digits"):
        values = table[name].to_numpy()
        negative = values < 0
        if negative.any():
            bad_reason[negative & (bad_reason == "")] = f"negative {name}"
        # Converters' fast paths take whole numbers as they come: the bound is checked here.
        huge = values > MAX_COUNT
        if huge.any():
            bad_reason[huge & (bad_reason == "")] = (
                f"{name} is not a plausible count (a whole number below a trillion)"
            )
    future = (table["created_at"] > pd.Timestamp(as_of)).to_numpy()
    if future.any():
        bad_reason[future & (bad_reason == "")] = (
            f"created_at is after the observation time {as_of:%Y-%m-%d}"
        )
    bad = (bad_reason != "").to_numpy()
    skipped = [
        Skipped(int(line), str(reason), int(record))
        for line, record, reason in zip(
            table["line"].to_numpy()[bad],
            table["record"].to_numpy()[bad],
            bad_reason.to_numpy()[bad],
            strict=True,
        )
    ]
    good = table.loc[~bad].reset_index(drop=True)
    return good, skipped
