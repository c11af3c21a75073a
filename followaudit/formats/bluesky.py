"""Bluesky ``app.bsky.actor.defs#profileViewDetailed`` objects -> canonical rows.

Public converter, also used by the live Bluesky adapter::

    add_profile(builder: TableBuilder, profile: dict, line: int) -> None

appends one canonical row or raises ``RecordError`` (a ``ValueError``) with
the reason. Field mapping:

- posts / followers / following: ``postsCount`` / ``followersCount`` /
  ``followsCount`` (all three required)
- created_at: ``createdAt`` (optional in the lexicon; absent -> NaT)
- default_avatar: 1 when ``avatar`` is absent (Bluesky then shows its default)
- bio_length: ``description``; name_length: ``displayName`` (absent -> 0:
  the AppView omits unset strings)
- handle: ``handle``; id: ``did``
- has_url: 1 when the ``website`` field (added to the lexicon in 2025) is set,
  else 0. Exports made before the field existed never carry it, so when no
  profile in a whole file has ``website`` the file reader marks the column
  unknown (NaN) with a warning.
- likes, listed, has_location: NaN; Bluesky publishes no like or list counts
  and has no location field.
- last_post_at: NaT; a profile does not say when its account last posted
  (only ``postsCount`` 0 tells an account that never did).

``app.bsky.graph.getFollowers`` returns ``profileView`` objects, which have no
counts: they are refused with ``PROFILE_VIEW_MESSAGE`` rather than scored as
zeros.
"""

from __future__ import annotations

import math
from typing import Any

from followaudit.accounts import TableBuilder, digit_count
from followaudit.formats._common import (
    RecordError,
    parse_iso_datetime,
    required_count,
    text_or_none,
)

NAN = math.nan
COUNT_KEYS: tuple[str, ...] = ("postsCount", "followersCount", "followsCount")
# This input format's name in ``formats.FORMATS`` and ``--format``.
FORMAT = "bluesky"

PROFILE_VIEW_MESSAGE = (
    "these are profileView objects without counts; fetch them with "
    "app.bsky.actor.getProfiles or use followaudit scan"
)
PRESENCE_KEYS: dict[str, str] = {"website": "has_url"}


def is_profile_view(record: dict[str, Any]) -> bool:
    """Return True for a Bluesky profile object that carries none of the counts."""
    return "did" in record and not any(key in record for key in COUNT_KEYS)


def add_profile(builder: TableBuilder, profile: dict[str, Any], line: int) -> None:
    """Append the canonical row of one ``profileViewDetailed`` object to ``builder``."""
    if not isinstance(profile, dict):
        raise RecordError("not a JSON object")
    if is_profile_view(profile):
        raise RecordError(PROFILE_VIEW_MESSAGE)
    posts = required_count(profile.get("postsCount"), "postsCount")
    followers = required_count(profile.get("followersCount"), "followersCount")
    following = required_count(profile.get("followsCount"), "followsCount")
    handle = text_or_none(profile.get("handle"), "handle") or ""
    name = text_or_none(profile.get("displayName"), "displayName") or ""
    description = text_or_none(profile.get("description"), "description") or ""
    website = text_or_none(profile.get("website"), "website")
    avatar = text_or_none(profile.get("avatar"), "avatar")
    builder.append(
        platform="bluesky",
        id=text_or_none(profile.get("did"), "did") or "",
        handle=handle,
        line=line,
        created_at=parse_iso_datetime(profile.get("createdAt"), "createdAt"),
        posts=posts,
        followers=followers,
        following=following,
        likes=NAN,
        listed=NAN,
        bio_length=float(len(description.strip())),
        name_length=float(len(name.strip())),
        handle_digits=digit_count(handle) if handle else NAN,
        has_url=1.0 if website and website.strip() else 0.0,
        has_location=NAN,
        default_avatar=0.0 if avatar else 1.0,
    )


def looks_like(record: dict[str, Any]) -> bool:
    """Return True if ``record`` has the keys of a Bluesky profile view."""
    return "did" in record and "handle" in record
