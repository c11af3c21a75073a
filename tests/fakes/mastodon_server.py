"""Fake Mastodon server: accounts/lookup, followers paged by Link header, statuses.

Shapes follow the Mastodon docs (Account entity, ``Link`` pagination with
follow ids in ``max_id``/``since_id``, ``{"error": "Record not found"}``).
A hidden follower list answers an empty array, as Mastodon does, and (4.3+)
the account says ``hide_collections: true``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from . import FakeServer, Faults, Reply, Roster, first

SUBJECT_ID = "109000000000000001"
TWIN_ID = "109000000000000002"  # MastodonServer(twin=NAME): a 2nd account, same followers
SERVER = "mastodon.example"
TOP_FOLLOW_ID = 90_000_000  # follow ids run downwards from the newest follow
POSTS_PER_USER = 12


# Follower activity is drawn relative to when the tests run (see x_server.NOW).
NOW = datetime.now(UTC)


def follower_account_id(i: int) -> str:
    """Return the account id of follower ``i`` (0 = newest)."""
    return str(110_000_000_000_000_000 + i)


def _letters(i: int) -> str:
    """Return ``i`` written in letters (0 = "a", 26 = "ba"): unique, and no digit in a handle."""
    out = chr(97 + i % 26)
    while i >= 26:
        i //= 26
        out = chr(97 + i % 26) + out
    return out


@cache  # deterministic, and regenerating dominates a 10,000-follower test
def account(i: int, kind: str | None = None) -> dict[str, Any]:
    """Return follower ``i`` as a Mastodon Account entity (some local, some remote).

    ``kind`` "bot" or "human" overrides the follower's own draw (Roster.kind).
    """
    rng = random.Random(f"masto-{i}")
    bot = rng.random() < 0.3 if kind is None else kind == "bot"
    # Every follower its own username, as on a real server (its uri names it), in letters only.
    username = f"user{rng.randrange(10**6)}" if bot else f"follower{_letters(i)}"
    remote = i % 5 == 0
    acct = f"{username}@other.example" if remote else username
    created = datetime(2017, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(2500))
    avatar = (
        f"https://{SERVER}/avatars/original/missing.png"
        if bot
        else f"https://files.{SERVER}/accounts/avatars/{i:09d}/original/a.png"
    )
    fields = []
    if not bot and i % 4 == 0:
        fields.append(
            {
                "name": "Website",
                "value": f'<a href="https://site{i}.example" rel="me nofollow noopener noreferrer" '
                f'target="_blank"><span class="invisible">https://</span>site{i}.example</a>',
                "verified_at": None,
            }
        )
    return {
        "id": follower_account_id(i),
        "username": username,
        "acct": acct,
        "display_name": "" if bot else f"Follower {i}",
        "locked": False,
        "bot": False,
        "discoverable": not bot,
        "group": False,
        "created_at": created.strftime("%Y-%m-%dT00:00:00.000Z"),
        "note": "" if bot else f"<p>Toots about topic {i % 9}.</p>",
        "url": f"https://{'other.example' if remote else SERVER}/@{username}",
        "uri": f"https://{'other.example' if remote else SERVER}/users/{username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": f"https://{SERVER}/headers/original/missing.png",
        "header_static": f"https://{SERVER}/headers/original/missing.png",
        "followers_count": rng.randrange(3) if bot else rng.randrange(10, 2000),
        "following_count": rng.randrange(800, 3000) if bot else rng.randrange(10, 600),
        "statuses_count": 0 if bot else rng.randrange(5, 8000),
        # A date since Mastodon 3.1; null for an account with no status. People last
        # posted up to about 2.5 years before the tests run.
        "last_status_at": (
            None if bot else (NOW - timedelta(days=rng.randrange(1, 900))).date().isoformat()
        ),
        "emojis": [],
        "fields": fields,
    }


class MastodonServer(FakeServer):
    """A Mastodon home server with ``n`` followers of @subject."""

    def __init__(
        self,
        n: int = 2500,
        *,
        faults: Faults | None = None,
        hidden: str | None = None,  # "flag" (4.3+: hide_collections) or "empty" (older)
        suspended: bool = False,
        signed_in_only: bool = False,  # 401 for everything, as in limited-federation mode
        local_domain: str | None = None,  # the domain of its users' addresses, if not its own
        followers_count: int | None = None,  # what the lookup reports (default: n)
        twin: str | None = None,  # username of a 2nd account (id TWIN_ID), same followers
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
        self.hidden = hidden
        self.suspended = suspended
        self.signed_in_only = signed_in_only
        self.local_domain = local_domain
        self.twin = twin

    def rate_limit_headers(self, remaining: int, reset_epoch: float) -> dict[str, str]:
        reset = datetime.fromtimestamp(reset_epoch, tz=UTC)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        }

    def too_many(self) -> Reply:
        return Reply(429, {"error": "Too many requests"})

    def subject(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": SUBJECT_ID,
            "username": "subject",
            "acct": "subject",
            "display_name": "The Subject",
            "locked": False,
            "bot": False,
            "created_at": "2018-03-01T00:00:00.000Z",
            "note": "<p>Audited account.</p>",
            "url": f"https://{SERVER}/@subject",
            "avatar": f"https://files.{SERVER}/accounts/avatars/1/original/me.png",
            "followers_count": self.followers_count,
            "following_count": 40,
            "statuses_count": 900,
            "emojis": [],
            "fields": [],
        }
        if self.hidden == "flag":
            body["hide_collections"] = True
        elif self.hidden is None:
            body["hide_collections"] = False
        if self.suspended:
            body.update(
                {
                    "suspended": True,
                    "followers_count": 0,
                    "following_count": 0,
                    "statuses_count": 0,
                    "note": "",
                    "display_name": "",
                }
            )
        return body

    def route(self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Reply:
        if self.signed_in_only:
            return Reply(401, {"error": "This API requires an authenticated user"})
        parts = path.strip("/").split("/")
        if parts == ["api", "v1", "accounts", "lookup"]:
            known = {"subject"} | ({f"subject@{self.local_domain}"} if self.local_domain else set())
            acct = (first(query, "acct") or "").lower()
            if self.twin and acct == self.twin.lower():
                return Reply(
                    200, {**self.subject(), "id": TWIN_ID, "username": self.twin, "acct": self.twin}
                )
            if acct not in known:
                return Reply(404, {"error": "Record not found"})
            return Reply(200, self.subject())
        if len(parts) == 5 and parts[:3] == ["api", "v1", "accounts"]:
            if parts[4] == "followers":
                return self._followers(parts[3], query)
            if parts[4] == "statuses":
                return self._statuses(parts[3], query)
        return Reply(404, {"error": "Record not found"})

    def _base(self) -> str:
        return self.url

    def _followers(self, account_id: str, query: Mapping[str, list[str]]) -> Reply:
        if account_id != SUBJECT_ID and not (self.twin and account_id == TWIN_ID):
            return Reply(404, {"error": "Record not found"})
        if self.hidden is not None:
            return Reply(200, [])
        limit = min(80, max(1, int(first(query, "limit", "40") or 40)))
        # Follows added since keep the ids of the older ones: newer follows count up from them.
        top = TOP_FOLLOW_ID + self.roster.added
        max_id = first(query, "max_id")
        start = top - int(max_id) + 1 if max_id else 0
        end = min(self.n, start + limit)
        page = [account(key, self.roster.kind(key)) for key in self.roster.keys[start:end]]
        links = []
        base = f"{self._base()}/api/v1/accounts/{account_id}/followers"
        number = start // limit + 1  # which page this is
        if self.faults.cursor_cycle and number == 3:
            # The 2nd page's link again: A, B, A.
            links.append(f'<{base}?limit={limit}&max_id={top - (limit - 1)}>; rel="next"')
        elif self.faults.repeat_page and number == 2 and not first(query, "again"):
            # A fresh link to this page again.
            links.append(f'<{base}?limit={limit}&max_id={top - (start - 1)}&again=1>; rel="next"')
        elif (again := self.repeat_first_page(start)) is not None:
            # A fresh link that serves the 1st page again.
            links.append(f'<{base}?limit={limit}&again={again}>; rel="next"')
        elif end < self.n and page:
            links.append(f'<{base}?limit={limit}&max_id={top - (end - 1)}>; rel="next"')
        if page:
            links.append(f'<{base}?limit={limit}&since_id={top - start}>; rel="prev"')
        return Reply(200, page, {"Link": ", ".join(links)} if links else {})

    def _statuses(self, account_id: str, query: Mapping[str, list[str]]) -> Reply:
        limit = min(40, max(1, int(first(query, "limit", "20") or 20)))
        max_id = first(query, "max_id")
        start = POSTS_PER_USER - int(max_id) + 1 if max_id else 0
        end = min(POSTS_PER_USER, start + limit)
        statuses = []
        for k in range(start, end):
            statuses.append(
                {
                    "id": str(POSTS_PER_USER - k),
                    "created_at": f"2025-01-{28 - k:02d}T12:00:00.000Z",
                    "in_reply_to_id": "77" if k % 3 == 0 else None,
                    "in_reply_to_account_id": "78" if k % 3 == 0 else None,
                    "reblog": None,
                    "content": f"<p>status {k}</p>",
                    "account": {"id": account_id},
                }
            )
        headers = {}
        if end < POSTS_PER_USER and statuses:
            url = f"{self._base()}/api/v1/accounts/{account_id}/statuses"
            headers["Link"] = f'<{url}?limit={limit}&max_id={statuses[-1]["id"]}>; rel="next"'
        return Reply(200, statuses, headers)


class DelegatingDomain(FakeServer):
    """The web site of an address's domain (``@subject@example.com``), not a Mastodon server.

    It answers WebFinger for ``acct:subject@<domain>`` with links to ``home``
    (the base URL of the real server), and every API path with ``api``: a 404
    (``"not-found"``) or an HTML page (``"html"``), as a plain web site does.
    """

    def __init__(self, domain: str, home: str, *, api: str = "not-found") -> None:
        super().__init__()
        self.domain = domain
        self.home = home.rstrip("/")
        self.api = api

    def route(self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Reply:
        if path == "/.well-known/webfinger":
            resource = first(query, "resource") or ""
            if resource.lower() != f"acct:subject@{self.domain}":
                return Reply(404, {}, content_type="application/jrd+json")
            # The shape Mastodon's WebfingerSerializer gives.
            return Reply(
                200,
                {
                    "subject": f"acct:subject@{self.domain}",
                    "aliases": [f"{self.home}/@subject", f"{self.home}/users/subject"],
                    "links": [
                        {
                            "rel": "http://webfinger.net/rel/profile-page",
                            "type": "text/html",
                            "href": f"{self.home}/@subject",
                        },
                        {
                            "rel": "self",
                            "type": "application/activity+json",
                            "href": f"{self.home}/users/subject",
                        },
                        {
                            "rel": "http://ostatus.org/schema/1.0/subscribe",
                            "template": f"{self.home}/authorize_interaction?uri={{uri}}",
                        },
                    ],
                },
                content_type="application/jrd+json; charset=utf-8",
            )
        if self.api == "html":
            return Reply(
                200,
                b"<!doctype html><html><body>My homepage</body></html>",
                content_type="text/html; charset=utf-8",
            )
        return Reply(404, b"<html>Not Found</html>", content_type="text/html")
