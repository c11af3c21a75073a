"""Fake X API v2: users by username, followers (pagination_token), users' posts.

Shapes follow the X OpenAPI spec (User, UserPublicMetrics, Problem) and the
error bodies X sends: 200 with ``errors`` for unknown or suspended users,
``application/problem+json`` for 401/403. Only the ``user.fields`` a request
asks for are returned, as on the live API.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from . import FakeServer, Faults, Reply, first

SUBJECT_ID = "1001"
TOKEN = "test-bearer-token-0123456789"
POSTS_PER_USER = 12
ALWAYS = ("id", "name", "username")
NOT_FOUND_TYPE = "https://api.twitter.com/2/problems/resource-not-found"


def follower_id(i: int) -> str:
    """Return the user id of follower ``i`` (0 = newest)."""
    return str(2_000_000 + i)


@cache  # deterministic, and regenerating dominates a 10,000-follower test
def x_user(i: int) -> dict[str, Any]:
    """Return follower ``i`` as a complete X API v2 User object (every field the fake knows)."""
    rng = random.Random(f"x-{i}")
    bot = rng.random() < 0.3
    created = datetime(2009, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(5000))
    user: dict[str, Any] = {
        "id": follower_id(i),
        "name": "" if bot else f"Follower {i}",
        "username": f"user{rng.randrange(10**8)}" if bot else f"follower_{chr(97 + i % 26)}",
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "protected": False,
        "verified": False,
        "profile_image_url": (
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
            if bot
            else f"https://pbs.twimg.com/profile_images/{i}/photo_normal.jpg"
        ),
        "public_metrics": {
            "followers_count": rng.randrange(3) if bot else rng.randrange(50, 5000),
            "following_count": rng.randrange(1000, 5000) if bot else rng.randrange(50, 900),
            "post_count": 0 if bot else rng.randrange(10, 20000),
            "listed_count": 0 if bot else rng.randrange(20),
            "like_count": rng.randrange(5) if bot else rng.randrange(100, 9000),
            "media_count": 0 if bot else rng.randrange(200),
        },
    }
    if not bot:  # the API omits description/location/url when the user left them empty
        user["description"] = f"Writes about topic {i % 17}."
        if i % 3:
            user["location"] = "Lisbon"
        if i % 4 == 0:
            user["url"] = f"https://t.co/{i:08d}"
    return user


def only_fields(user: Mapping[str, Any], fields: str | None) -> dict[str, Any]:
    """Return ``user`` reduced to the default fields plus the requested ``user.fields``."""
    wanted = set(ALWAYS) | set((fields or "").split(","))
    return {k: v for k, v in user.items() if k in wanted}


class XServer(FakeServer):
    """X API v2 with ``n`` followers of @subject (id 1001)."""

    def __init__(
        self,
        n: int = 2500,
        *,
        faults: Faults | None = None,
        username: str = "subject",
        protected: bool = False,
        suspended: set[str] | None = None,
        auth_status: int | None = None,  # 401, 402 or 403 for every request
        followers_count: int | None = None,
    ) -> None:
        super().__init__(faults=faults)
        self.n = n
        self.username = username
        self.protected = protected
        self.suspended = {s.lower() for s in (suspended or set())}
        self.auth_status = auth_status
        self.followers_count = n if followers_count is None else followers_count

    def rate_limit_headers(self, remaining: int, reset_epoch: float) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "300",
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(reset_epoch)),
        }

    def too_many(self) -> Reply:
        return Reply(
            429,
            {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            },
            content_type="application/problem+json",
        )

    def subject(self) -> dict[str, Any]:
        return {
            "id": SUBJECT_ID,
            "name": "The Subject",
            "username": self.username,
            "created_at": "2012-05-01T10:00:00.000Z",
            "protected": self.protected,
            "description": "Audited account.",
            "profile_image_url": "https://pbs.twimg.com/profile_images/1/me_normal.jpg",
            "public_metrics": {
                "followers_count": self.followers_count,
                "following_count": 10,
                "post_count": 100,
                "listed_count": 3,
                "like_count": 5,
                "media_count": 1,
            },
        }

    def route(self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Reply:
        if self.auth_status is not None:
            return self._auth_failure(self.auth_status)
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return self._auth_failure(401)
        parts = path.strip("/").split("/")
        fields = first(query, "user.fields")
        if parts[:3] == ["2", "users", "by"] and len(parts) == 5 and parts[3] == "username":
            return self._by_username(parts[4], fields)
        if len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "followers":
            return self._followers(parts[2], query, fields)
        if len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "tweets":
            return self._tweets(parts[2], query)
        return Reply(
            404,
            {"title": "Not Found", "type": "about:blank", "status": 404, "detail": "Not Found"},
            content_type="application/problem+json",
        )

    def _auth_failure(self, status: int) -> Reply:
        if status == 401:
            return Reply(
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
                content_type="application/problem+json",
            )
        if status == 402:
            return Reply(
                402,
                {
                    "title": "CreditsDepleted",
                    "type": "about:blank",
                    "status": 402,
                    "detail": "Your enrolled account does not have any credits.",
                },
                content_type="application/problem+json",
            )
        return Reply(
            403,
            {
                "client_id": "31415926",
                "detail": "When authenticating requests to the Twitter API v2 endpoints, you "
                "must use keys and tokens from a Twitter developer App that is attached to a "
                "Project. You can create a project via the developer portal.",
                "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                "title": "Client Forbidden",
                "required_enrollment": "Appropriate Level of API Access",
                "reason": "client-not-enrolled",
                "type": "https://api.twitter.com/2/problems/client-forbidden",
            },
            content_type="application/problem+json",
        )

    def _by_username(self, username: str, fields: str | None) -> Reply:
        if username.lower() in self.suspended:
            return Reply(
                200,
                {
                    "errors": [
                        {
                            "value": username,
                            "detail": f"User has been suspended: [{username}].",
                            "title": "Forbidden",
                            "resource_type": "user",
                            "parameter": "username",
                            "resource_id": username,
                            "type": NOT_FOUND_TYPE,
                        }
                    ]
                },
            )
        if username.lower() != self.username.lower():
            return Reply(
                200,
                {
                    "errors": [
                        {
                            "value": username,
                            "detail": f"Could not find user with username: [{username}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "username",
                            "resource_id": username,
                            "type": NOT_FOUND_TYPE,
                        }
                    ]
                },
            )
        return Reply(200, {"data": only_fields(self.subject(), fields)})

    def _followers(self, user_id: str, query: Mapping[str, list[str]], fields: str | None) -> Reply:
        if user_id != SUBJECT_ID:
            return Reply(
                200,
                {
                    "errors": [
                        {
                            "value": user_id,
                            "detail": f"Could not find user with id: [{user_id}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": user_id,
                            "type": NOT_FOUND_TYPE,
                        }
                    ]
                },
            )
        if self.protected:
            return Reply(
                200,
                {
                    "errors": [
                        {
                            "value": user_id,
                            "detail": f"Sorry, you are not authorized to see the user with id: [{user_id}].",
                            "title": "Authorization Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": user_id,
                            "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
                        }
                    ]
                },
            )
        size = int(first(query, "max_results", "100") or 100)
        if not 1 <= size <= 1000:
            return self._invalid("max_results", str(size))
        token = first(query, "pagination_token")
        start = _decode_token(token) if token else 0
        if start is None:
            return self._invalid("pagination_token", token or "")
        end = min(self.n, start + size)
        page = [only_fields(x_user(i), fields) for i in range(start, end)]
        meta: dict[str, Any] = {"result_count": len(page)}
        if end < self.n:
            meta["next_token"] = _encode_token(end)
        if start > 0:
            meta["previous_token"] = _encode_token(max(0, start - size))
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
        return Reply(200, body)

    def _tweets(self, user_id: str, query: Mapping[str, list[str]]) -> Reply:
        size = int(first(query, "max_results", "10") or 10)
        if not 5 <= size <= 100:
            return self._invalid("max_results", str(size))
        token = first(query, "pagination_token")
        start = _decode_token(token) if token else 0
        assert start is not None
        end = min(POSTS_PER_USER, start + size)
        posts = []
        for k in range(start, end):
            post: dict[str, Any] = {
                "id": f"{user_id}{k:04d}",
                "text": f"post {k} by {user_id}",
                "created_at": f"2025-01-{28 - k:02d}T12:00:00.000Z",
            }
            if k % 3 == 0:
                post["in_reply_to_user_id"] = "42"
                post["referenced_tweets"] = [{"type": "replied_to", "id": "9"}]
            posts.append(post)
        meta: dict[str, Any] = {"result_count": len(posts)}
        if end < POSTS_PER_USER:
            meta["next_token"] = _encode_token(end)
        return Reply(200, {"data": posts, "meta": meta} if posts else {"meta": meta})

    def _invalid(self, parameter: str, value: str) -> Reply:
        return Reply(
            400,
            {
                "errors": [
                    {
                        "parameters": {parameter: [value]},
                        "message": f"The `{parameter}` query parameter value [{value}] is not valid",
                    }
                ],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )


def _encode_token(offset: int) -> str:
    # Opaque and at least 16 characters, like the spec's pagination_token.
    return f"7140w9gefhslx3{offset:08x}"


def _decode_token(token: str) -> int | None:
    if not token.startswith("7140w9gefhslx3"):
        return None
    try:
        return int(token[14:], 16)
    except ValueError:
        return None
