"""X API v1.1 user objects (JSON, or flattened to CSV columns) -> canonical rows.

Public converters::

    add_user(builder: TableBuilder, user: dict, line: int) -> None
    add_csv_row(builder: TableBuilder, row: dict[str, str], line: int) -> None

``add_user`` takes a v1.1 user object as JSON decoded it; ``add_csv_row`` takes
one row of a flattened CSV export (the cresci-2015 ``users.csv`` layout: one
column per top-level user field). Both append one canonical row or raise
``RecordError`` (a ``ValueError``) with the reason.

Field mapping: ``statuses_count`` -> posts, ``followers_count``,
``friends_count`` -> following, ``favourites_count`` -> likes,
``listed_count``, ``created_at`` ("Fri Apr 06 10:58:22 +0000 2007"; ISO 8601
accepted too), ``default_profile_image`` -> default_avatar, ``url``,
``location``, ``description``, ``name``, ``screen_name``; the embedded
``status`` (the user's most recent post) gives last_post_at from its
``created_at`` (no ``status``: NaT; v1.1 leaves it out for accounts that never
posted, and for protected ones).

v1.1 returns every field on every user, with ``null`` for an unset URL, so in
JSON a null or empty text field means "not set" (0). In CSV an empty cell
cannot tell "empty" from "unknown"; for text fields it means empty, and for
``default_profile_image`` it means false (cresci-2015 writes booleans as
``1``/``1.0`` or an empty cell). A CSV without one of these columns leaves the
whole column unknown (NaN) and the reader warns once. Followers, following
and posts are required: a record without them is rejected.
"""

from __future__ import annotations

import math
from typing import Any

from followaudit.accounts import TableBuilder, digit_count
from followaudit.formats._common import (
    RecordError,
    json_flag,
    optional_count,
    parse_flag,
    parse_twitter_datetime,
    required_count,
    text_or_none,
)

NAN = math.nan

# CSV columns this reader understands; a missing optional one is NaN for every row.
REQUIRED_CSV_COLUMNS: tuple[str, ...] = ("statuses_count", "followers_count", "friends_count")
OPTIONAL_CSV_COLUMNS: dict[str, str] = {
    "favourites_count": "likes",
    "listed_count": "listed",
    "created_at": "created_at",
    "description": "bio_length",
    "name": "name_length",
    "screen_name": "handle_digits",
    "url": "has_url",
    "location": "has_location",
    "default_profile_image": "default_avatar",
}


def _length(text: str | None) -> float:
    return float(len(text.strip())) if text else 0.0


def _present(text: str | None) -> float:
    return 1.0 if text and text.strip() else 0.0


def add_user(builder: TableBuilder, user: dict[str, Any], line: int) -> None:
    """Append the canonical row of one X API v1.1 user object (decoded JSON) to ``builder``."""
    if not isinstance(user, dict):
        raise RecordError("not a JSON object")
    posts = required_count(user.get("statuses_count"), "statuses_count")
    followers = required_count(user.get("followers_count"), "followers_count")
    following = required_count(user.get("friends_count"), "friends_count")
    likes = optional_count(user.get("favourites_count"), "favourites_count")
    listed = optional_count(user.get("listed_count"), "listed_count")
    handle = text_or_none(user.get("screen_name"), "screen_name") or ""
    name = text_or_none(user.get("name"), "name")
    raw_id = user.get("id_str", user.get("id"))
    status = user.get("status")
    if status is not None and not isinstance(status, dict):
        raise RecordError("status is not an object")
    builder.append(
        platform="x",
        id="" if raw_id is None else str(raw_id),
        handle=handle,
        line=line,
        created_at=parse_twitter_datetime(user.get("created_at")),
        posts=posts,
        followers=followers,
        following=following,
        likes=likes,
        listed=listed,
        bio_length=_length(text_or_none(user.get("description"), "description")),
        name_length=NAN if name is None else _length(name),
        handle_digits=digit_count(handle) if handle else NAN,
        has_url=_present(text_or_none(user.get("url"), "url")),
        has_location=_present(text_or_none(user.get("location"), "location")),
        default_avatar=json_flag(user.get("default_profile_image"), "default_profile_image"),
        last_post_at=(
            None
            if status is None
            else parse_twitter_datetime(status.get("created_at"), "status.created_at")
        ),
    )


def add_csv_row(builder: TableBuilder, row: dict[str, str], line: int) -> None:
    """Append the canonical row of one flattened v1.1 CSV row (column -> cell text).

    A column absent from ``row`` is unknown (NaN); an empty cell follows the
    CSV rules in the module docstring.
    """
    posts = required_count(row.get("statuses_count"), "statuses_count")
    followers = required_count(row.get("followers_count"), "followers_count")
    following = required_count(row.get("friends_count"), "friends_count")
    likes = optional_count(row.get("favourites_count"), "favourites_count")
    listed = optional_count(row.get("listed_count"), "listed_count")
    handle = row.get("screen_name")
    name = row.get("name")
    description = row.get("description")
    url = row.get("url")
    location = row.get("location")
    avatar = row.get("default_profile_image")
    builder.append(
        platform="x",
        id=row.get("id", "") or "",
        handle=handle or "",
        line=line,
        created_at=parse_twitter_datetime(row.get("created_at")),
        posts=posts,
        followers=followers,
        following=following,
        likes=likes,
        listed=listed,
        bio_length=NAN if description is None else _length(description),
        name_length=NAN if name is None else _length(name),
        handle_digits=digit_count(handle) if handle else NAN,
        has_url=NAN if url is None else _present(url),
        has_location=NAN if location is None else _present(location),
        default_avatar=(
            NAN if avatar is None else parse_flag(avatar, "default_profile_image", 0.0)
        ),
    )


def looks_like(record: dict[str, Any]) -> bool:
    """Return True if ``record`` has the keys of an X API v1.1 user object."""
    return "screen_name" in record or "friends_count" in record


def looks_like_csv(columns: list[str]) -> bool:
    """Return True if a CSV header is a flattened v1.1 user object."""
    return "screen_name" in columns or "friends_count" in columns
