"""Fake X API v2: users by username, followers (pagination_token), users' posts.

Shapes follow the X OpenAPI spec (User, UserPublicMetrics, Problem) and the
error bodies X sends: 200 with ``errors`` for unknown or suspended users,
``application/problem+json`` for 401/403. Only the ``user.fields`` a request
asks for are returned, as on the live API.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from . import ADDED_BASE, FakeServer, Faults, Reply, Roster, first

SUBJECT_ID = "1001"
TWIN_ID = "1002"  # XServer(twin=NAME): a second account with the same followers
TOKEN = "test-bearer-token-0123456789"
POSTS_PER_USER = 12
ALWAYS = ("id", "name", "username")
NOT_FOUND_TYPE = "https://api.twitter.com/2/problems/resource-not-found"
AGAIN = "zz"  # suffix of the fresh cursor that serves a page again (Faults.repeat_page)


GURU_SITE = "https://guru.example"
POST_FIELDS_KNOWN = {"created_at", "entities", "note_post", "public_metrics", "text", "id"}
EXPANSIONS_KNOWN = {"in_reply_to_user_id", "referenced_posts", "author_id"}
TWEETS_PARAMETERS = {
    "max_results",
    "pagination_token",
    "post.fields",
    "expansions",
    "user.fields",
    "exclude",
    "start_time",
    "end_time",
    "since_id",
    "until_id",
}


def _link(url: str, start: int, code: str) -> dict[str, Any]:
    return {
        "start": start,
        "end": start + len(f"https://t.co/{code}"),
        "url": f"https://t.co/{code}",
        "expanded_url": url,
        "display_url": url.split("//", 1)[-1],
    }


def guru_posts(kind: str, n: int = 30) -> list[dict[str, Any]]:
    """Return the audited account's recent posts (complete Post objects), newest first.

    ``"self-promoter"``: 90% link to its own site (GURU_SITE), none answers anyone.
    ``"conversational"``: a third answer other people, links point to many other sites.
    """
    posts = []
    for k in range(n):
        post: dict[str, Any] = {
            "id": f"{SUBJECT_ID}{k:05d}",
            "created_at": (datetime(2025, 1, 28, 12, tzinfo=UTC) - timedelta(hours=7 * k)).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z"
            ),
            "public_metrics": {
                "repost_count": 2,
                "reply_count": 3,
                "like_count": 40,
                "quote_count": 0,
                "bookmark_count": 1,
                "impression_count": 900,
            },
        }
        if kind == "self-promoter":
            if k % 10 != 9:
                text = "My course changes lives, join now: https://t.co/g" + f"{k:04d}"
                post["entities"] = {"urls": [_link(f"{GURU_SITE}/course?k={k}", 35, f"g{k:04d}")]}
            else:
                text = "Grateful for this community."
        elif kind == "conversational":
            if k % 3 == 0:
                text = f"@someone{k} good point, thanks for sharing"
                post["in_reply_to_user_id"] = str(500 + k)
                post["referenced_posts"] = [{"type": "replied_to", "id": str(9000 + k)}]
            elif k % 3 == 1:
                text = f"Worth reading: https://t.co/n{k:04d}"
                post["entities"] = {"urls": [_link(f"https://news{k}.example/a", 15, f"n{k:04d}")]}
            else:
                text = f"Thinking about topic {k} today."
        else:
            raise ValueError(f"unknown guru kind {kind!r}")
        post["text"] = text
        posts.append(post)
    return posts


# Follower activity is drawn relative to when the tests run, so "no post in 12 months"
# splits the followers the same way whatever the date.
NOW = datetime.now(UTC)
SNOWFLAKE_EPOCH_MS = 1_288_834_974_657


def post_id_at(moment: datetime, sequence: int = 0) -> str:
    """Return an X post id (a snowflake) made at ``moment``."""
    ms = int(moment.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS
    return str((ms << 22) | (sequence % 4096))


def follower_id(i: int) -> str:
    """Return the user id of follower ``i`` (0 = newest)."""
    return str(2_000_000 + i)


@cache  # deterministic, and regenerating dominates a 10,000-follower test
def x_user(i: int, force_bot: bool = False, force_human: bool = False) -> dict[str, Any]:
    """Return follower ``i`` as a complete X API v2 User object (every field the fake knows).

    ``force_bot`` makes it a bot-like account whatever its draw (a purchased batch),
    ``force_human`` an authentic-looking one.
    """
    rng = random.Random(f"x-{i}")
    bot = (rng.random() < 0.3 or force_bot) and not force_human
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
        # Bots never posted, so they have no most recent post; people last posted up to
        # about 2.5 years ago (a third of them over a year ago).
        last_post = NOW - timedelta(days=rng.randrange(1, 900), minutes=rng.randrange(1440))
        user["most_recent_post_id"] = post_id_at(last_post, i)
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
        subject_posts: list[dict[str, Any]] | None = None,  # see guru_posts(); default 12 generic
        subject_url: str | None = None,  # the website the subject's profile links to
        bot_block: range | None = None,  # 0-based positions that are all bot-like (a bought batch)
        silent_bots: bool = False,  # followers whose profile shows 0 posts serve no posts
        echo_token: tuple[str, str] | None = None,  # (shape, endpoint): see echo_reply()
        twin: str | None = None,  # username of a 2nd account (id TWIN_ID), same followers
        # Which generation of post parameter names the API takes: "post" (post.fields,
        # referenced_posts, note_post: the 2026 spec), "tweet" (tweet.fields,
        # referenced_tweets, note_tweet: every recorded answer), or "both".
        post_names: str = "post",
        # False: the API follows the spec's user.fields list, which omits most_recent_post_id,
        # and answers 400 to it.
        last_post_field: bool = True,
        added: int = 0,  # followers added at the top since (see fakes.Roster)
        added_bought: int = 0,  # ... the first this many of them bought-looking
        departed: set[int] | None = None,  # original followers no longer in the list
        reorder: bool = False,  # the list in a seeded shuffled order
    ) -> None:
        super().__init__(
            faults=faults,
            roster=Roster(
                n, added=added, added_bought=added_bought, departed=departed, reorder=reorder
            ),
        )
        self.username = username
        self.protected = protected
        self.suspended = {s.lower() for s in (suspended or set())}
        self.auth_status = auth_status
        self.count_override = followers_count
        self.subject_posts = subject_posts
        self.subject_url = subject_url
        self.bot_block = bot_block or range(0)
        self.silent_bots = silent_bots
        self.echo_token = echo_token
        self.twin = twin
        self.post_names = post_names
        self.last_post_field = last_post_field

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
        user = {
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
        if self.subject_url:
            user["url"] = "https://t.co/site0001"
            user["entities"] = {"url": {"urls": [_link(self.subject_url, 0, "site0001")]}}
        return user

    def route(self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Reply:
        if self.auth_status is not None:
            return self._auth_failure(self.auth_status)
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return self._auth_failure(401)
        parts = path.strip("/").split("/")
        fields = first(query, "user.fields")
        if not self.last_post_field and "most_recent_post_id" in (fields or "").split(","):
            return self._invalid("user.fields", "most_recent_post_id")
        if self.echo_token is not None:
            shape, endpoint = self.echo_token
            if parts[-1] == endpoint or (endpoint == "lookup" and "by" in parts):
                return echo_reply(shape, headers.get("authorization") or "")
        if parts[:3] == ["2", "users", "by"] and len(parts) == 5 and parts[3] == "username":
            refused = self._refused_names(query)
            if refused is not None:
                return refused
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
        if self.twin and username.lower() == self.twin.lower():
            twin = {**self.subject(), "id": TWIN_ID, "username": self.twin}
            return Reply(200, {"data": only_fields(twin, fields)})
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
        if user_id != SUBJECT_ID and not (self.twin and user_id == TWIN_ID):
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
        page = [only_fields(self.user(key), fields) for key in self.roster.keys[start:end]]
        meta: dict[str, Any] = {"result_count": len(page)}
        if end < self.n:
            meta["next_token"] = _encode_token(end)
        number = start // size + 1  # which page this is
        if self.faults.cursor_cycle and number == 3:
            meta["next_token"] = _encode_token(size)  # the 2nd page's cursor: A, B, A
        if self.faults.repeat_page and number == 2 and not (token or "").endswith(AGAIN):
            meta["next_token"] = _encode_token(start) + AGAIN  # this page once more
        again = self.repeat_first_page(start)
        if again is not None:  # a fresh cursor that serves the 1st page again
            meta["next_token"] = _encode_token(0) + f"{again:x}{AGAIN}"
        if start > 0:
            meta["previous_token"] = _encode_token(max(0, start - size))
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
        return Reply(200, body)

    def _refused_names(self, query: Mapping[str, list[str]]) -> Reply | None:
        """Return X's 400 for a post-fields parameter of the generation this API does not take."""
        refused = {"post": "tweet.fields", "tweet": "post.fields"}.get(self.post_names)
        if refused is not None and refused in query:
            return self._unknown_parameter(refused, first(query, refused) or "")
        return None

    def _tweets(self, user_id: str, query: Mapping[str, list[str]]) -> Reply:
        refused = self._refused_names(query)
        if refused is not None:
            return refused
        known = TWEETS_PARAMETERS | {"tweet.fields"}
        unknown = sorted(set(query) - known)
        if unknown:  # as the live API does for a parameter it does not define
            return self._unknown_parameter(unknown[0], first(query, unknown[0]) or "")
        old = "tweet.fields" in query
        fields = set((first(query, "tweet.fields" if old else "post.fields") or "").split(","))
        fields -= {""}
        expansions = set((first(query, "expansions") or "").split(",")) - {""}
        if old:  # the older names: the reply and repost markers are fields
            fields = {_NEW_NAMES.get(f, f) for f in fields}
            expansions |= fields & {"in_reply_to_user_id", "referenced_posts"}
            fields -= {"in_reply_to_user_id", "referenced_posts"}
        if fields - POST_FIELDS_KNOWN:
            name = "tweet.fields" if old else "post.fields"
            return self._invalid(name, ",".join(sorted(fields - POST_FIELDS_KNOWN)))
        if expansions - EXPANSIONS_KNOWN:
            return self._invalid("expansions", ",".join(sorted(expansions - EXPANSIONS_KNOWN)))
        size = int(first(query, "max_results", "10") or 10)
        if not 5 <= size <= 100:
            return self._invalid("max_results", str(size))
        token = first(query, "pagination_token")
        start = _decode_token(token) if token else 0
        assert start is not None
        if user_id == SUBJECT_ID and self.subject_posts is not None:
            every = self.subject_posts
        elif self.silent_bots and self._posts_nothing(user_id):
            every = []
        else:
            every = [_generic_post(user_id, k) for k in range(POSTS_PER_USER)]
        end = min(len(every), start + size)
        # Only the requested fields, and the reply/repost markers only when expanded.
        wanted = {"id", "text"} | fields | (expansions & {"in_reply_to_user_id"})
        if "referenced_posts" in expansions:
            wanted.add("referenced_posts")
        posts = [{k: v for k, v in p.items() if k in wanted} for p in every[start:end]]
        if old:  # answered in the names asked in
            posts = [{_OLD_NAMES.get(k, k): v for k, v in p.items()} for p in posts]
        meta: dict[str, Any] = {"result_count": len(posts)}
        if end < len(every):
            meta["next_token"] = _encode_token(end)
        return Reply(200, {"data": posts, "meta": meta} if posts else {"meta": meta})

    def user(self, key: int) -> dict[str, Any]:
        """Return the follower of roster key ``key`` as a complete User object."""
        kind = self.roster.kind(key)
        bot = kind == "bot" or (kind is None and key in self.bot_block)
        return x_user(key, bot, kind == "human")

    def _posts_nothing(self, user_id: str) -> bool:
        """Return whether a follower's profile says it never posted (bot-like followers)."""
        key = int(user_id) - int(follower_id(0)) if user_id.isdigit() else -1
        known = 0 <= key < self.roster.original or 0 <= key - ADDED_BASE < self.roster.added
        if not known:
            return False
        return self.user(key)["public_metrics"]["post_count"] == 0

    def _unknown_parameter(self, parameter: str, value: str) -> Reply:
        """Return X's 400 for a query parameter it does not define (its recorded wording)."""
        return Reply(
            400,
            {
                "errors": [
                    {
                        "parameters": {parameter: [value]},
                        "message": f"The query parameter [{parameter}] is not one of [id,"
                        "max_results,pagination_token,expansions,user.fields,...]",
                    }
                ],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )

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


ECHO_SHAPES = ("400", "403", "422", "500", "200-errors", "200-partial", "200-profile")


def echo_reply(shape: str, auth: str) -> Reply:
    """Return an answer that repeats the request's Authorization header ``auth`` back.

    A careless proxy or API version does this; every field a client might show
    (detail, title, message, value, nested objects, keys) carries it.
    ``"200-profile"`` hides it in a follower's bio, name and username, ``"200-partial"``
    in the errors beside good data.
    """
    token = auth.partition(" ")[2]
    problem = {
        "title": f"Invalid Request for {auth}",
        "detail": f"The header Authorization: {auth} was not accepted",
        "type": "https://api.twitter.com/2/problems/invalid-request",
        "errors": [
            {
                "message": f"Unknown token {token}",
                "value": token,
                "parameters": {"Authorization": [auth], token: [token]},
            }
        ],
        "request": {"headers": {"Authorization": auth}},
    }
    if shape in ("400", "403", "422", "500"):
        return Reply(int(shape), problem, content_type="application/problem+json")
    if shape == "200-errors":
        return Reply(
            200,
            {
                "errors": [
                    {**problem["errors"][0], "detail": problem["detail"], "title": problem["title"]}
                ]
            },
        )
    users = [only_fields(x_user(i), USER_FIELDS_ALL) for i in range(3)]
    if shape == "200-partial":
        return Reply(200, {"data": users, "errors": problem["errors"], "meta": {"result_count": 3}})
    if shape == "200-profile":
        users[0] = {
            **users[0],
            "description": f"my key is {auth} and {token}",
            "name": token,
            "username": token,
        }
        text = json.dumps({"data": users, "meta": {"result_count": 3}})
        # The name spells the token in JSON escapes: its bytes never appear as such.
        escaped = "".join(f"\\u{ord(c):04x}" for c in token)
        return Reply(200, text.replace(f'"name": "{token}"', f'"name": "{escaped}"').encode())
    raise ValueError(f"unknown echo shape {shape!r}")


USER_FIELDS_ALL = (
    "created_at,description,location,most_recent_post_id,profile_image_url,public_metrics,url"
)


def _generic_post(user_id: str, k: int) -> dict[str, Any]:
    """Return post ``k`` (0 = newest) of an account: every third answers someone else."""
    post: dict[str, Any] = {
        "id": f"{user_id}{k:04d}",
        "text": f"post {k} by {user_id}",
        "created_at": f"2025-01-{28 - k:02d}T12:00:00.000Z",
        "public_metrics": {
            "repost_count": 0,
            "reply_count": 1,
            "like_count": 2,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 50,
        },
    }
    if k % 3 == 0:
        post["in_reply_to_user_id"] = "42"
        post["referenced_posts"] = [{"type": "replied_to", "id": "9"}]
    return post


# The older generation's names of the fields the fake serves, and back.
_NEW_NAMES = {"referenced_tweets": "referenced_posts", "note_tweet": "note_post"}
_OLD_NAMES = {v: k for k, v in _NEW_NAMES.items()}


def _encode_token(offset: int) -> str:
    # Opaque and at least 16 characters, like the spec's pagination_token.
    return f"7140w9gefhslx3{offset:08x}"


def _decode_token(token: str) -> int | None:
    if not token.startswith("7140w9gefhslx3"):
        return None
    try:
        return int(token[14:22], 16)
    except ValueError:
        return None
