"""Bluesky adapter: the public AppView, no account needed.

Follower pages hold profileView objects, which lack the counts the model
reads, so each follower that is scored also needs app.bsky.actor.getProfiles
(25 accounts per call). Sampling before that step is what keeps a Bluesky
scan cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from followaudit.errors import (
    FollowauditError,
    InvalidResponseError,
    NetworkError,
    NotFoundError,
)
from followaudit.formats import bluesky as bluesky_format
from followaudit.http import HttpStatusError
from followaudit.platforms.base import (
    FollowerPage,
    Subject,
    at,
    error_text,
    optional_count,
    required_id,
)
from followaudit.posts import website_from_bluesky_profile

if TYPE_CHECKING:
    from followaudit.accounts import TableBuilder
    from followaudit.handles import Handle
    from followaudit.http import Http

DEFAULT_BASE_URL = "https://public.api.bsky.app"
PAGE_SIZE = 100  # getFollowers maximum
PROFILES_PER_CALL = 25  # getProfiles maximum
FEED_PAGE_SIZE = 100  # getAuthorFeed maximum


class BlueskyPlatform:
    """Reads Bluesky through the public AppView's XRPC queries."""

    name = "bluesky"
    needs_profiles = True
    profile_batch_size = PROFILES_PER_CALL

    def __init__(self, http: Http, *, base_url: str | None = None) -> None:
        self._http = http
        self._xrpc = (base_url or DEFAULT_BASE_URL).rstrip("/") + "/xrpc/"

    def __repr__(self) -> str:
        return f"BlueskyPlatform(xrpc={self._xrpc!r})"

    def _get(self, method: str, params: Mapping[str, str | int], who: str) -> dict[str, Any]:
        try:
            response = self._http.get(self._xrpc + method, params=params)
        except HttpStatusError as exc:
            raise _translate(exc.status, exc.data, who) from None
        if not isinstance(response.data, dict):
            raise InvalidResponseError(
                f"Bluesky answered {method} with something other than an object"
            )
        return response.data

    def resolve(self, handle: Handle) -> Subject:
        """Return the account behind a handle or DID: app.bsky.actor.getProfile."""
        who = at(handle)
        profile = self._get("app.bsky.actor.getProfile", {"actor": handle.name}, who)
        did = required_id(profile, "did", "Bluesky answered getProfile")
        name = str(profile.get("handle") or handle.name)
        return Subject(
            platform="bluesky",
            id=did,
            handle=name,
            display_name=str(profile.get("displayName") or ""),
            followers_count=optional_count(
                profile.get("followersCount"), "Bluesky answered getProfile with"
            ),
            profile_url=f"https://bsky.app/profile/{name}",
            # The lexicon offers sort=latest|top but documents no default order.
            order_known=False,
            website=website_from_bluesky_profile(profile),
        )

    def follower_pages(self, subject: Subject, limit: int | None = None) -> Iterator[FollowerPage]:
        """Yield followers as profileView objects: app.bsky.graph.getFollowers (100 per call)."""
        who = f"@{subject.handle}"
        cursor: str | None = None
        fetched = 0
        while True:
            size = PAGE_SIZE if limit is None else max(1, min(PAGE_SIZE, limit - fetched))
            params: dict[str, str | int] = {"actor": subject.id, "limit": size}
            if cursor:
                params["cursor"] = cursor
            body = self._get("app.bsky.graph.getFollowers", params, who)
            followers = body.get("followers")
            if not isinstance(followers, list):
                raise InvalidResponseError("Bluesky answered getFollowers without a follower list")
            next_cursor = body.get("cursor") or None
            fetched += len(followers)
            yield FollowerPage(items=followers, next_cursor=next_cursor)
            # A repeated cursor would loop forever; an empty page with a cursor is legal.
            if not next_cursor or next_cursor == cursor:
                return
            cursor = str(next_cursor)

    def follower_id(self, raw: Mapping[str, Any]) -> str:
        """Return a profile's DID (stable, unlike handles)."""
        return required_id(raw, "did", "Bluesky sent a profile")

    def fetch_profiles(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return profileViewDetailed objects for DIDs: app.bsky.actor.getProfiles, 25 per call.

        The calls run concurrently; deleted, deactivated or taken-down accounts
        are simply absent from the answer.
        """
        requests: list[tuple[str, Mapping[str, str | int]]] = [
            # `actors` repeats, which a params mapping cannot express: build the query here.
            (
                self._xrpc
                + "app.bsky.actor.getProfiles?"
                + urlencode([("actors", did) for did in ids[start : start + PROFILES_PER_CALL]]),
                {},
            )
            for start in range(0, len(ids), PROFILES_PER_CALL)
        ]
        if not requests:
            return []
        try:
            responses = self._http.get_many(requests)
        except HttpStatusError as exc:
            raise _translate(exc.status, exc.data, "a batch of followers") from None
        profiles: list[dict[str, Any]] = []
        for response in responses:
            batch = response.data.get("profiles") if isinstance(response.data, dict) else None
            if not isinstance(batch, list):
                raise InvalidResponseError("Bluesky answered getProfiles without a profile list")
            profiles.extend(batch)
        return profiles

    def add_account(self, builder: TableBuilder, raw: dict[str, Any], line: int) -> None:
        """Append the canonical row of a profileViewDetailed object."""
        bluesky_format.add_profile(builder, raw, line)

    def recent_posts(self, account_id: str, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` feedViewPost items, newest first: app.bsky.feed.getAuthorFeed."""
        posts: list[dict[str, Any]] = []
        cursor: str | None = None
        while len(posts) < limit:
            params: dict[str, str | int] = {
                "actor": account_id,
                "limit": min(FEED_PAGE_SIZE, limit - len(posts)),
                "filter": "posts_with_replies",
            }
            if cursor:
                params["cursor"] = cursor
            body = self._get("app.bsky.feed.getAuthorFeed", params, account_id)
            feed = body.get("feed")
            if not isinstance(feed, list):
                raise InvalidResponseError("Bluesky answered getAuthorFeed without a feed")
            posts.extend(feed)
            next_cursor = body.get("cursor")
            if not next_cursor or not feed or next_cursor == cursor:
                break
            cursor = str(next_cursor)
        return posts[:limit]


def _translate(status: int, data: Any, who: str) -> FollowauditError:
    """Return the user-facing exception for a Bluesky XRPC error."""
    body = data if isinstance(data, Mapping) else {}
    error = str(body.get("error") or "")
    message = str(body.get("message") or "")
    if error == "AccountTakedown":
        return NotFoundError(f"{who} has been taken down by Bluesky moderation")
    if error == "AccountDeactivated":
        return NotFoundError(f"{who} has deactivated their Bluesky account")
    if error in {"BlockedActor", "BlockedByActor"}:
        return NotFoundError(f"{who} blocks public viewing of their Bluesky account")
    if status in (400, 404) and (
        "not found" in message.lower() or "could not find" in message.lower() or not message
    ):
        return NotFoundError(f"{who} was not found on Bluesky")
    if status == 400 and "actor" in message.lower():
        return NotFoundError(f"{who} is not a valid Bluesky handle or DID")
    detail = error_text(body)
    return NetworkError(f"Bluesky answered {status}" + (f": {detail}" if detail else ""))
