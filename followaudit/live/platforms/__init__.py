"""One adapter per platform behind the interface in ``base``; ``make_platform`` picks one.

``platform_kind`` gives a platform's adapter class by name, for what differs
by platform and needs no connection (display name, how a handle is written,
prices, posts as Post records). How a handle is written and a platform named,
for data that only carries the name, is ``followaudit.handles``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from followaudit.errors import UsageError
from followaudit.handles import PLATFORMS
from followaudit.live.platforms.base import (
    FollowerPage,
    Pages,
    Platform,
    PlatformKind,
    Subject,
    paginate,
)

if TYPE_CHECKING:
    from followaudit.handles import Handle
    from followaudit.live.http import Http

__all__ = [
    "PLATFORMS",
    "FollowerPage",
    "Pages",
    "Platform",
    "PlatformKind",
    "Subject",
    "bills_reads",
    "make_platform",
    "paginate",
    "platform_kind",
]

# Imported when first asked for: reading a file never loads the network adapters.
_ADAPTERS = {
    "x": ("followaudit.live.platforms.x", "XPlatform"),
    "bluesky": ("followaudit.live.platforms.bluesky", "BlueskyPlatform"),
    "mastodon": ("followaudit.live.platforms.mastodon", "MastodonPlatform"),
}


def platform_kind(name: str) -> type[PlatformKind]:
    """Return the adapter class of platform ``name`` ("x", "bluesky", "mastodon")."""
    where = _ADAPTERS.get(name)
    if where is None:
        raise UsageError(f"followaudit cannot scan {name!r} accounts")
    kind: type[PlatformKind] = getattr(importlib.import_module(where[0]), where[1])
    return kind


def bills_reads(platform: str) -> bool:
    """Return whether ``platform`` charges for what a scan reads (X's pay-per-use API)."""
    if platform not in _ADAPTERS:
        return False
    kind = platform_kind(platform)
    return bool(kind.user_read_price or kind.post_read_price)


def make_platform(
    handle: Handle, *, http: Http, token: str | None = None, api_url: str | None = None
) -> Platform:
    """Return the adapter for ``handle``'s platform.

    ``token`` is the X bearer token: required for X, and never sent to any
    other platform, so a caller may pass it whatever the handle. ``api_url``
    replaces the platform's base URL (X API, Bluesky AppView, or the Mastodon
    home server).
    """
    return platform_kind(handle.platform).connect(handle, http=http, token=token, api_url=api_url)
