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
- last_post_at: the time in the snowflake id ``most_recent_post_id`` (the
  User schema's name; ``most_recent_tweet_id`` in older responses); absent
  (not requested, or the account never posted) -> NaT

A record without ``public_metrics``, or without one of the followers,
following or post counts, cannot be scored and is rejected: zeros would make
it look like a bought follower.
"""

from __future__ import annotations

import math
from typing import Any

from followaudit.accounts import MAX_COUNT, TableBuilder
from followaudit.formats._common import (
    RecordError,
    handle_digits,
    optional_count,
    parse_iso_datetime,
    required_count,
    snowflake_time,
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
    # This runs once per follower (a million times for a large account), so the
    # common case (ints and strings where the spec puts them) is checked
    # inline and anything else goes through the strict, slower helpers.
    if type(user) is not dict:
        raise RecordError("not a JSON object")
    metrics = user.get("public_metrics")
    if type(metrics) is not dict:
        if metrics is None:
            raise RecordError("no public_metrics (request user.fields=public_metrics)")
        raise RecordError("public_metrics is not an object")
    posts = metrics.get("post_count")
    if posts is None:
        posts = metrics.get("tweet_count")
    followers = metrics.get("followers_count")
    following = metrics.get("following_count")
    likes = metrics.get("like_count")
    listed = metrics.get("listed_count")
    if (
        type(posts) is int
        and type(followers) is int
        and type(following) is int
        # The fast path takes plausible counts only: float() cannot hold 400 digits.
        and max(abs(posts), abs(followers), abs(following)) <= MAX_COUNT
    ):
        posts, followers, following = float(posts), float(followers), float(following)
    else:
        posts = required_count(posts, "post_count")
        followers = required_count(followers, "followers_count")
        following = required_count(following, "following_count")
    likes = (
        float(likes)
        if type(likes) is int and abs(likes) <= MAX_COUNT
        else optional_count(likes, "like_count")
    )
    listed = (
        float(listed)
        if type(listed) is int and abs(listed) <= MAX_COUNT
        else optional_count(listed, "listed_count")
    )

    handle = user.get("username")
    if type(handle) is not str:
        handle = text_or_none(handle, "username") or ""
    name = user.get("name")
    if name is not None and type(name) is not str:
        text_or_none(name, "name")
    image = user.get("profile_image_url")
    if image is not None and type(image) is not str:
        text_or_none(image, "profile_image_url")
    raw_id = user.get("id")
    last_post = user.get("most_recent_post_id")
    if last_post is None:
        last_post = user.get("most_recent_tweet_id")

    builder.append(
        platform="x",
        id=raw_id if type(raw_id) is str else "" if raw_id is None else str(raw_id),
        handle=handle,
        line=line,
        created_at=parse_iso_datetime(user.get("created_at")),
        posts=posts,
        followers=followers,
        following=following,
        likes=likes,
        listed=listed,
        bio_length=_length(user.get("description"), "description"),
        name_length=NAN if name is None else float(len(name.strip())),
        handle_digits=handle_digits(handle),
        has_url=_present(user.get("url"), "url"),
        has_location=_present(user.get("location"), "location"),
        default_avatar=NAN if image is None else float(DEFAULT_AVATAR_MARK in image),
        last_post_at=snowflake_time(last_post, "most_recent_post_id"),
    )


def _length(text: Any, name: str) -> float:
    if type(text) is str:
        return float(len(text.strip()))
    if text is None:
        return 0.0
    raise RecordError(f"{name} is not text")


def _present(text: Any, name: str) -> float:
    if type(text) is str:
        return 1.0 if text.strip() else 0.0
    if text is None:
        return 0.0
    raise RecordError(f"{name} is not text")


def looks_like(record: dict[str, Any]) -> bool:
    """Return True if ``record`` has the keys of an X API v2 user object."""
    return "public_metrics" in record or (
        "username" in record and "id" in record and "screen_name" not in record
    )
