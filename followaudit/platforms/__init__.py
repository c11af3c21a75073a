"""One adapter per platform behind the interface in ``base``; ``make_platform`` picks one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from followaudit.errors import UsageError
from followaudit.platforms.base import FollowerPage, Platform, Subject, at

if TYPE_CHECKING:
    from followaudit.handles import Handle
    from followaudit.http import Http

__all__ = ["FollowerPage", "Platform", "Subject", "at", "make_platform"]


def make_platform(
    handle: Handle, *, http: Http, token: str | None = None, api_url: str | None = None
) -> Platform:
    """Return the adapter for ``handle``'s platform.

    ``token`` is the X bearer token: required for X, and never sent to any
    other platform, so a caller may pass it whatever the handle. ``api_url`` replaces the platform's
    base URL (X API, Bluesky AppView, or the Mastodon home server).
    """
    if handle.platform == "x":
        from followaudit.platforms.x import XPlatform

        return XPlatform(http, token, base_url=api_url)
    if handle.platform == "bluesky":
        from followaudit.platforms.bluesky import BlueskyPlatform

        return BlueskyPlatform(http, base_url=api_url)
    if handle.platform == "mastodon":
        from followaudit.platforms.mastodon import MastodonPlatform

        if not handle.server:
            raise UsageError(f"@{handle.name}: a Mastodon handle needs its server, as @name@server")
        return MastodonPlatform(http, handle.server, base_url=api_url)
    raise UsageError(f"followaudit cannot scan {handle.platform!r} accounts")
