"""Bluesky adapter: the public AppView, no account needed.

Follower pages hold profileView objects, which lack the counts the model
reads, so each follower that is scored also needs app.bsky.actor.getProfiles
(25 accounts per call). Sampling before that step is what keeps a Bluesky
scan cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode, urlsplit

from followaudit.errors import (
    AuthError,
    FollowauditError,
    HttpStatusError,
    InvalidResponseError,
    NetworkError,
    NotFoundError,
    error_text,
)
from followaudit.formats import bluesky as bluesky_format
from followaudit.formats.posts import Post, posts_from_bluesky, website_from_bluesky_profile
from followaudit.live.platforms.base import (
    REQUEST_KINDS,
    Pages,
    Platform,
    PlatformKind,
    RateLimit,
    Subject,
    field_key,
    optional_count,
    paginate,
    required_id,
)

if TYPE_CHECKING:
    from followaudit.accounts import TableBuilder
    from followaudit.handles import Handle
    from followaudit.live.http import Http

DEFAULT_BASE_URL = "https://public.api.bsky.app"
PAGE_SIZE = 100  # getFollowers maximum
PROFILES_PER_CALL = 25  # getProfiles maximum
FEED_PAGE_SIZE = 100  # getAuthorFeed maximum


class BlueskyPlatform(PlatformKind):
    """Reads Bluesky through the public AppView's XRPC queries."""

    name = "bluesky"
    display_name = "Bluesky"
    needs_profiles = True
    profile_batch_size = PROFILES_PER_CALL
    follower_page_size = PAGE_SIZE
    post_page_size = FEED_PAGE_SIZE
    # docs.bsky.app "Rate Limits": 3,000 API requests per 5 minutes per IP (the
    # public AppView may allow more; its ratelimit-* headers are obeyed either way).
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {
        kind: RateLimit(3000, 300, "per IP") for kind in REQUEST_KINDS
    }
    rate_limits_source = "Bluesky: 3,000 requests per 5 min per IP"

    @classmethod
    def connect(
        cls, handle: Handle, *, http: Http, token: str | None, api_url: str | None
    ) -> Platform:
        """Return the adapter (the public AppView needs no token: it is never sent)."""
        return cls(http, base_url=api_url)

    @classmethod
    def canonical_posts(cls, raw: list[dict[str, Any]], author_id: str) -> list[Post]:
        """Return feedViewPost items of app.bsky.feed.getAuthorFeed as Post records."""
        return posts_from_bluesky(raw, author_id)

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
        who = handle.display
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

    def follower_pages(self, subject: Subject, limit: int | None = None) -> Pages:
        """Return followers as profileView objects: app.bsky.graph.getFollowers (100 per call).

        An empty page that carries a cursor is legal: paging goes on.
        """
        who = self.written(subject.handle)

        def fetch(cursor: str | None, received: int) -> tuple[list[dict[str, Any]], str | None]:
            size = PAGE_SIZE if limit is None else max(1, min(PAGE_SIZE, limit - received))
            params: dict[str, str | int] = {"actor": subject.id, "limit": size}
            if cursor:
                params["cursor"] = cursor
            body = self._get("app.bsky.graph.getFollowers", params, who)
            followers = body.get("followers")
            if not isinstance(followers, list):
                raise InvalidResponseError("Bluesky answered getFollowers without a follower list")
            return followers, _cursor(body)

        return paginate(
            fetch,
            what=f"followers of {who} on Bluesky",
            source=urlsplit(self._xrpc).netloc,
            total=subject.followers_count,
            key=field_key("did"),
        )

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
            if exc.status in (401, 403):
                raise _translate(exc.status, exc.data, "a batch of followers") from None
            # One account of the batch (taken down, say) is no reason to say the audited
            # account is missing: the batch failed, which is the server's doing.
            detail = error_text(exc.data if isinstance(exc.data, Mapping) else {})
            raise NetworkError(
                f"Bluesky answered {exc.status} to a batch of follower profiles"
                + (f" ({detail})" if detail else "")
                + ": getProfiles should leave out an account it cannot show, not fail"
            ) from None
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
        if limit < 1:
            return []

        def fetch(cursor: str | None, received: int) -> tuple[list[dict[str, Any]], str | None]:
            params: dict[str, str | int] = {
                "actor": account_id,
                "limit": min(FEED_PAGE_SIZE, limit - received),
                "filter": "posts_with_replies",
            }
            if cursor:
                params["cursor"] = cursor
            body = self._get("app.bsky.feed.getAuthorFeed", params, account_id)
            feed = body.get("feed")
            if not isinstance(feed, list):
                raise InvalidResponseError("Bluesky answered getAuthorFeed without a feed")
            return feed, _cursor(body)

        pages = paginate(
            fetch,
            what=f"posts of {account_id} on Bluesky",
            limit=limit,
            stop_on_empty=True,
            source=urlsplit(self._xrpc).netloc,
        )
        return pages.collect(limit)


def _cursor(body: Mapping[str, Any]) -> str | None:
    """Return the cursor of the next page (None on the last page)."""
    cursor = body.get("cursor")
    return str(cursor) if cursor else None


def _translate(status: int, data: Any, who: str) -> FollowauditError:
    """Return the user-facing exception for a Bluesky XRPC error."""
    body = data if isinstance(data, Mapping) else {}
    error = str(body.get("error") or "")
    message = str(body.get("message") or "")
    if status in (401, 403):
        detail = ": ".join(filter(None, [error, message]))
        return AuthError(
            f"Bluesky answered {status}" + (f" ({detail})" if detail else "") + ": that "
            "server wants a signed-in request, and followaudit reads the public AppView "
            "(https://public.api.bsky.app) with none; check --api-url"
        )
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
