"""X API v2 user objects (the ``User`` schema) -> canonical rows.

Public converter, also used by the live X adapter::

    add_user(builder: TableBuilder, user: dict, line: int) -> None

appends one canonical row for one v2 ``User`` object, or raises
``RecordError`` (a ``ValueError``) whose message is the reason it cannot be
scored. Field mapping (``UserPublicMetrics`` in the X OpenAPI spec):

- posts: ``public_metrics.post_count``, or ``tweet_count`` in older responses
- followers / following / listed: ``followers_count`` / ``following_count`` /
  ``listed_count``
- likes: ``like_count`` (likes given); the spec marks it nullable, so an
  absent or null value is NaN, never 0
- created_at: ISO 8601 ``created_at``; absent -> NaT (age unknown)
- default_avatar: ``profile_image_url`` contains ``default_profile_images``;
  absent -> NaN (the field was not requested)
- bio_length, has_url, has_location: from ``description``, ``url``,
  ``location``. The spec documents these as present only "if the User
  provided one", so an absent key in one object means empty (0). A file in
  which *no* object carries the key was fetched without that ``user.fields``;
  the file reader then marks the column unknown (NaN) with a warning.
- name_length: ``name`` (always returned by the API; absent -> NaN)

A record without ``public_metrics``, or without one of the followers,
following or post counts, cannot be scored and is rejected: zeros would make
it look like a bought follower.
"""

from __future__ import annotations

import math
from typing import Any

from followaudit.accounts import TableBuilder, digit_count
from followaudit.formats._common import (
    RecordError,
    optional_count,
    parse_iso_datetime,
    required_count,
    text_or_none,
)

NAN = math.nan
DEFAULT_AVATAR_MARK = "default_profile_images"

# Optional profile keys whose absence in a whole file means "not requested".
PRESENCE_KEYS: dict[str, str] = {
    "description": "bio_length",
    "url": "has_url",
    "location": "has_location",
}


def add_user(builder: TableBuilder, user: dict[str, Any], line: int) -> None:
    """Append the canonical row of one X API v2 ``User`` object to ``builder``.

    Raises RecordError (a ValueError) with the reason when the object cannot
    be scored; nothing is appended then.
    """
    if not isinstance(user, dict):
        raise RecordError("not a JSON object")
    metrics = user.get("public_metrics")
    if metrics is None:
        raise RecordError("no public_metrics (request user.fields=public_metrics)")
    if not isinstance(metrics, dict):
        raise RecordError("public_metrics is not an object")
    posts = metrics.get("post_count")
    if posts is None:
        posts = metrics.get("tweet_count")
    posts_n = required_count(posts, "post_count")
    followers = required_count(metrics.get("followers_count"), "followers_count")
    following = required_count(metrics.get("following_count"), "following_count")
    likes = optional_count(metrics.get("like_count"), "like_count")
    listed = optional_count(metrics.get("listed_count"), "listed_count")

    handle = text_or_none(user.get("username"), "username") or ""
    name = text_or_none(user.get("name"), "name")
    description = text_or_none(user.get("description"), "description")
    url = text_or_none(user.get("url"), "url")
    location = text_or_none(user.get("location"), "location")
    image = text_or_none(user.get("profile_image_url"), "profile_image_url")
    raw_id = user.get("id")

    builder.append(
        platform="x",
        id="" if raw_id is None else str(raw_id),
        handle=handle,
        line=line,
        created_at=parse_iso_datetime(user.get("created_at")),
        posts=posts_n,
        followers=followers,
        following=following,
        likes=likes,
        listed=listed,
        bio_length=float(len(description.strip())) if description else 0.0,
        name_length=NAN if name is None else float(len(name.strip())),
        handle_digits=digit_count(handle) if handle else NAN,
        has_url=1.0 if url and url.strip() else 0.0,
        has_location=1.0 if location and location.strip() else 0.0,
        default_avatar=NAN if image is None else float(DEFAULT_AVATAR_MARK in image),
    )


def looks_like(record: dict[str, Any]) -> bool:
    """Return True if ``record`` has the keys of an X API v2 user object."""
    return "public_metrics" in record or (
        "username" in record and "id" in record and "screen_name" not in record
    )
