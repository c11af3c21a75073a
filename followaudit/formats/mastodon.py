"""Mastodon ``Account`` entities -> canonical rows.

Public functions, also used by the live Mastodon adapter::

    add_account(builder: TableBuilder, account: dict, line: int) -> None
    is_default_avatar(url: str | None) -> bool

``add_account`` appends one canonical row or raises ``RecordError`` (a
``ValueError``) with the reason. Field mapping:

- posts / followers / following: ``statuses_count`` / ``followers_count`` /
  ``following_count`` (all three required)
- created_at: ``created_at`` (since Mastodon 3.4 a midnight time or a date)
- handle: ``acct`` (``user`` or ``user@server``); id: ``id``;
  handle_digits counts the digits of the user part only, not the server's
- bio_length: characters of ``note`` once its HTML is reduced to text (tags
  dropped, entities decoded, line breaks kept as one character)
- name_length: ``display_name``
- has_url: 1 when a profile field or the note links a web page, i.e. holds an
  ``<a href="http...">`` that is not a mention or hashtag link (Mastodon marks
  those with a ``mention`` class). Mastodon has no dedicated website field;
  people put their site in a profile field ("Website", "Blog", ...).
- default_avatar: ``is_default_avatar(avatar)``
- last_post_at: ``last_status_at`` (a date since Mastodon 3.1, midnight UTC;
  null when the account has no status, or the server does not know it)
- likes, listed, has_location: NaN; Mastodon publishes no like or list
  counts and has no location field.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any
from urllib.parse import urlsplit

from followaudit.accounts import TableBuilder, digit_count
from followaudit.formats._common import (
    RecordError,
    parse_iso_datetime,
    required_count,
    text_or_none,
)

NAN = math.nan
DEFAULT_AVATAR_NAME = "missing.png"

_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_ANCHOR = re.compile(r"<a\s([^>]*)>", re.IGNORECASE)
_HREF = re.compile(r"""href\s*=\s*["']\s*(https?://[^"']+)["']""", re.IGNORECASE)
_CLASS = re.compile(r"""class\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def is_default_avatar(url: str | None) -> bool:
    """Return True if ``url`` is a Mastodon server's stand-in avatar (``.../missing.png``).

    Mastodon serves ``/avatars/original/missing.png`` (possibly from a media
    host or CDN) to accounts that never set a picture. None or empty is also
    no picture.
    """
    if not url:
        return True
    path = urlsplit(url).path
    return path.rsplit("/", 1)[-1] == DEFAULT_AVATAR_NAME


def html_to_text(fragment: str) -> str:
    """Return the visible text of a Mastodon HTML fragment (a note or field value)."""
    text = _BREAK.sub("\n", fragment)
    text = _TAG.sub("", text)
    return html.unescape(text).strip()


def links_web_page(fragment: str) -> bool:
    """Return True if the HTML fragment links a web page (not a mention or hashtag)."""
    for match in _ANCHOR.finditer(fragment):
        attributes = match.group(1)
        if not _HREF.search(attributes):
            continue
        classes = _CLASS.search(attributes)
        if classes and ("mention" in classes.group(1) or "hashtag" in classes.group(1)):
            continue
        return True
    return False


def add_account(builder: TableBuilder, account: dict[str, Any], line: int) -> None:
    """Append the canonical row of one Mastodon ``Account`` entity to ``builder``."""
    if not isinstance(account, dict):
        raise RecordError("not a JSON object")
    posts = required_count(account.get("statuses_count"), "statuses_count")
    followers = required_count(account.get("followers_count"), "followers_count")
    following = required_count(account.get("following_count"), "following_count")
    handle = text_or_none(account.get("acct"), "acct")
    if handle is None:
        handle = text_or_none(account.get("username"), "username") or ""
    name = text_or_none(account.get("display_name"), "display_name") or ""
    note = text_or_none(account.get("note"), "note") or ""
    fields = account.get("fields") or []
    if not isinstance(fields, list):
        raise RecordError("fields is not a list")
    values = [field.get("value") for field in fields if isinstance(field, dict)]
    has_url = links_web_page(note) or any(
        isinstance(value, str) and links_web_page(value) for value in values
    )
    avatar = text_or_none(account.get("avatar"), "avatar")
    raw_id = account.get("id")
    builder.append(
        platform="mastodon",
        id="" if raw_id is None else str(raw_id),
        handle=handle.lstrip("@"),
        line=line,
        created_at=parse_iso_datetime(account.get("created_at")),
        posts=posts,
        followers=followers,
        following=following,
        likes=NAN,
        listed=NAN,
        bio_length=float(len(html_to_text(note))),
        name_length=float(len(name.strip())),
        handle_digits=digit_count(handle.split("@")[0]) if handle else NAN,
        has_url=1.0 if has_url else 0.0,
        has_location=NAN,
        default_avatar=NAN if avatar is None else float(is_default_avatar(avatar)),
        last_post_at=parse_iso_datetime(account.get("last_status_at"), "last_status_at"),
    )


def looks_like(record: dict[str, Any]) -> bool:
    """Return True if ``record`` has the keys of a Mastodon Account entity."""
    return "acct" in record and ("statuses_count" in record or "note" in record)
