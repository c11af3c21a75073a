"""One adapter per platform behind the interface in ``base``; ``make_platform`` picks one.

``platform_kind`` gives a platform's adapter class by name, for what differs
by platform and needs no connection (display name, how a handle is written,
prices, posts as Post records); ``written_handle`` and ``display_name`` serve
data that only carries the name, such as a stored JSON audit.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from followaudit.errors import UsageError
from followaudit.platforms.base import (
    FollowerPage,
    Pages,
    Platform,
    PlatformKind,
    Subject,
    paginate,
)
from followaudit.platforms.handles import PLATFORMS

if TYPE_CHECKING:
    from followaudit.http import Http
    from followaudit.platforms.handles import Handle

__all__ = [
    "PLATFORMS",
    "FollowerPage",
    "Pages",
    "Platform",
    "PlatformKind",
    "Subject",
    "bills_reads",
    "display_name",
    "make_platform",
    "paginate",
    "platform_kind",
    "written_handle",
    "written_handles",
]

# Imported when first asked for: reading a file never loads the network adapters.
_ADAPTERS = {
    "x": ("followaudit.platforms.x", "XPlatform"),
    "bluesky": ("followaudit.platforms.bluesky", "BlueskyPlatform"),
    "mastodon": ("followaudit.platforms.mastodon", "MastodonPlatform"),
}


def platform_kind(name: str) -> type[PlatformKind]:
    """Return the adapter class of platform ``name`` ("x", "bluesky", "mastodon")."""
    where = _ADAPTERS.get(name)
    if where is None:
        raise UsageError(f"followaudit cannot scan {name!r} accounts")
    kind: type[PlatformKind] = getattr(importlib.import_module(where[0]), where[1])
    return kind


def written_handle(platform: str, handle: str) -> str:
    """Return a bare handle as users write it on ``platform`` (unchanged on an unknown one)."""
    if platform not in _ADAPTERS:
        return handle
    return platform_kind(platform).written(handle)


def written_handles(platforms: Sequence[str], handles: Sequence[str]) -> list[str]:
    """Return ``written_handle`` of each (platform, handle) pair, looking each platform up once."""
    writers = {p: platform_kind(p).written for p in set(platforms) if p in _ADAPTERS}
    return [writers[p](h) if p in writers else h for p, h in zip(platforms, handles, strict=True)]


def bills_reads(platform: str) -> bool:
    """Return whether ``platform`` charges for what a scan reads (X's pay-per-use API)."""
    if platform not in _ADAPTERS:
        return False
    kind = platform_kind(platform)
    return bool(kind.user_read_price or kind.post_read_price)


def display_name(platform: str) -> str:
    """Return a platform's name as users write it ("X"); an unknown name is returned as given."""
    return platform_kind(platform).display_name if platform in _ADAPTERS else platform


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
