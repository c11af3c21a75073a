"""Fake Bluesky AppView: getProfile, getFollowers, getProfiles, getAuthorFeed.

Shapes follow the lexicons: getFollowers returns ``profileView`` objects
(no counts), getProfiles returns ``profileViewDetailed`` (at most 25 actors
per call, repeated ``actors`` parameters) and silently leaves out accounts
that are gone. Errors are ``{"error", "message"}`` with 400.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from . import ADDED_BASE, FakeServer, Faults, Reply, Roster, first

SUBJECT_DID = "did:plc:subjectsubjectsubjectaaa"  # a valid did:plc (24 base32 characters)
SUBJECT_HANDLE = "subject.bsky.social"
# BlueskyServer(twin=HANDLE): a second account with the same followers, under this DID.
TWIN_DID = "did:plc:twintwintwintwintwintwin"
POSTS_PER_USER = 12
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def follower_did(i: int) -> str:
    """Return the DID of follower ``i`` (0 = newest): did:plc + 24 base32 characters."""
    digits = []
    n = i
    for _ in range(24):
        digits.append(_B32[n % 32])
        n //= 32
    return "did:plc:" + "".join(reversed(digits))


@cache  # deterministic, and regenerating dominates a 10,000-follower test
def _follower(i: int, kind: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (profileView, profileViewDetailed) of follower ``i``.

    ``kind`` "bot" or "human" overrides the follower's own draw (Roster.kind).
    """
    rng = random.Random(f"bsky-{i}")
    bot = rng.random() < 0.3 if kind is None else kind == "bot"
    created = datetime(2023, 2, 1, tzinfo=UTC) + timedelta(days=rng.randrange(900))
    handle = f"user{rng.randrange(10**6)}.bsky.social" if bot else f"follower-{i}.example.com"
    view: dict[str, Any] = {
        "did": follower_did(i),
        "handle": handle,
        "labels": [],
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "indexedAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "viewer": {"muted": False, "blockedBy": False},
    }
    if not bot:  # the AppView omits unset strings
        view["displayName"] = f"Follower {i}"
        view["description"] = f"Posts about topic {i % 11}."
        view["avatar"] = f"https://cdn.bsky.app/img/avatar/plain/{follower_did(i)}/a@jpeg"
    detailed = dict(view)
    detailed.update(
        {
            "followersCount": rng.randrange(3) if bot else rng.randrange(20, 3000),
            "followsCount": rng.randrange(1000, 4000) if bot else rng.randrange(20, 700),
            "postsCount": 0 if bot else rng.randrange(5, 9000),
            "associated": {"lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": False},
        }
    )
    if not bot and i % 4 == 0:
        detailed["website"] = f"https://follower-{i}.example.com"
    return view, detailed


def profile_view(i: int, kind: str | None = None) -> dict[str, Any]:
    return _follower(i, kind)[0]


def profile_detailed(i: int, kind: str | None = None) -> dict[str, Any]:
    return _follower(i, kind)[1]


class BlueskyServer(FakeServer):
    """Public AppView with ``n`` followers of subject.bsky.social."""

    def __init__(
        self,
        n: int = 2500,
        *,
        faults: Faults | None = None,
        gone: set[int] | None = None,  # follower positions getProfiles leaves out
        taken_down: bool = False,
        followers_count: int | None = None,  # what getProfile reports (default: the list's)
        count_hidden: bool = False,  # getProfile leaves followersCount out
        twin: str | None = None,  # handle of a 2nd account (TWIN_DID), same followers
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
        self.count_override = followers_count
        self.count_hidden = count_hidden
        self.twin = twin
        self.gone = gone or set()  # by key: an original follower's position in the first list
        self.taken_down = taken_down

    def _key_of(self, did: str) -> int | None:
        """Return the roster key of a follower's DID (None: not a follower now)."""
        digits = did.removeprefix("did:plc:")
        if len(digits) != 24 or any(c not in _B32 for c in digits):
            return None
        key = 0
        for c in digits:
            key = key * 32 + _B32.index(c)
        if key < self.roster.original:
            return None if key in self.roster.departed else key
        added = key - ADDED_BASE
        return key if 0 <= added < self.roster.added else None

    def rate_limit_headers(self, remaining: int, reset_epoch: float) -> dict[str, str]:
        return {
            "ratelimit-limit": "3000",
            "ratelimit-remaining": str(remaining),
            "ratelimit-reset": str(int(reset_epoch)),
            "ratelimit-policy": "3000;w=300",
        }

    def subject(self) -> dict[str, Any]:
        body = {
            "did": SUBJECT_DID,
            "handle": SUBJECT_HANDLE,
            "displayName": "The Subject",
            "description": "Audited account.",
            "avatar": "https://cdn.bsky.app/img/avatar/plain/subject/a@jpeg",
            "followersCount": self.followers_count,
            "followsCount": 12,
            "postsCount": 340,
            "createdAt": "2023-04-01T00:00:00.000Z",
            "indexedAt": "2023-04-01T00:00:00.000Z",
            "labels": [],
        }
        if self.count_hidden:
            del body["followersCount"]
        return body

    def route(self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Reply:
        method = path.removeprefix("/xrpc/")
        if method == "app.bsky.actor.getProfile":
            return self._get_profile(first(query, "actor") or "")
        if method == "app.bsky.graph.getFollowers":
            return self._get_followers(query)
        if method == "app.bsky.actor.getProfiles":
            return self._get_profiles(query.get("actors", []))
        if method == "app.bsky.feed.getAuthorFeed":
            return self._get_author_feed(query)
        return Reply(501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"})

    def _is_subject(self, actor: str) -> bool:
        return actor in (SUBJECT_DID, SUBJECT_HANDLE) or self._is_twin(actor)

    def _is_twin(self, actor: str) -> bool:
        return self.twin is not None and actor in (TWIN_DID, self.twin)

    def _get_profile(self, actor: str) -> Reply:
        if not actor:
            return _invalid('Error: Params must have the property "actor"')
        if not self._is_subject(actor):
            return _invalid("Profile not found")
        if self.taken_down:
            return Reply(400, {"error": "AccountTakedown", "message": "Account has been suspended"})
        if self._is_twin(actor):
            return Reply(200, {**self.subject(), "did": TWIN_DID, "handle": self.twin})
        return Reply(200, self.subject())

    def _get_followers(self, query: Mapping[str, list[str]]) -> Reply:
        actor = first(query, "actor") or ""
        if not self._is_subject(actor):
            return _invalid("Profile not found")
        limit = int(first(query, "limit", "50") or 50)
        if not 1 <= limit <= 100:
            return _invalid("Error: limit can not be greater than 100")
        cursor = first(query, "cursor")
        start = int(cursor.split("::")[1], 16) if cursor else 0
        end = min(self.n, start + limit)
        subject_view = {k: v for k, v in self.subject().items() if not k.endswith("Count")}
        body: dict[str, Any] = {
            "subject": subject_view,
            "followers": [
                profile_view(key, self.roster.kind(key)) for key in self.roster.keys[start:end]
            ],
        }
        if end < self.n:
            # Opaque to clients; shaped like the AppView's time::cid cursors.
            body["cursor"] = f"1700000000000::{end:x}"
        number = start // limit + 1  # which page this is
        if self.faults.cursor_cycle and number == 3:
            body["cursor"] = f"1700000000000::{limit:x}"  # the 2nd page's cursor: A, B, A
        if (
            self.faults.repeat_page
            and number == 2
            and not (cursor or "").startswith("1700000000111::")
        ):
            body["cursor"] = f"1700000000111::{start:x}"  # a fresh cursor for this page again
        again = self.repeat_first_page(start)
        if again is not None:  # a fresh cursor that serves the 1st page again
            body["cursor"] = f"1700000000222::0::{again}"
        return Reply(200, body)

    def _get_profiles(self, actors: list[str]) -> Reply:
        if not actors:
            return _invalid('Error: Params must have the property "actors"')
        if len(actors) > 25:
            return _invalid("Error: actors must not have more than 25 elements")
        profiles = []
        for actor in actors:
            key = self._key_of(actor)
            if key is not None and key not in self.gone:
                profiles.append(profile_detailed(key, self.roster.kind(key)))
        return Reply(200, {"profiles": profiles})

    def _get_author_feed(self, query: Mapping[str, list[str]]) -> Reply:
        actor = first(query, "actor") or ""
        limit = int(first(query, "limit", "50") or 50)
        if not 1 <= limit <= 100:
            return _invalid("Error: limit can not be greater than 100")
        cursor = first(query, "cursor")
        start = int(cursor) if cursor else 0
        end = min(POSTS_PER_USER, start + limit)
        feed = []
        for k in range(start, end):
            record: dict[str, Any] = {
                "$type": "app.bsky.feed.post",
                "text": f"post {k}",
                "createdAt": f"2025-01-{28 - k:02d}T12:00:00.000Z",
            }
            if k % 3 == 0:
                parent = {"uri": "at://did:plc:other/app.bsky.feed.post/1", "cid": "bafy1"}
                record["reply"] = {"root": parent, "parent": parent}
            feed.append(
                {
                    "post": {
                        "uri": f"at://{actor}/app.bsky.feed.post/{k}",
                        "cid": f"bafy{k}",
                        "author": {"did": actor, "handle": "someone.bsky.social"},
                        "record": record,
                        "indexedAt": record["createdAt"],
                    }
                }
            )
        body: dict[str, Any] = {"feed": feed}
        if end < POSTS_PER_USER:
            body["cursor"] = str(end)
        return Reply(200, body)


def _invalid(message: str) -> Reply:
    return Reply(400, {"error": "InvalidRequest", "message": message})
