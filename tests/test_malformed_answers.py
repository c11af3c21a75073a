"""An answer missing a documented field is a sentence and exit code 7, and loses no other account."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest
from clirun import run_flat
from fakes import Reply, first, no_wait_http
from fakes.bluesky_server import BlueskyServer

from followaudit.errors import ExitCode, InvalidResponseError
from followaudit.handles import Handle
from followaudit.live.platforms.bluesky import BlueskyPlatform
from followaudit.live.platforms.mastodon import MastodonPlatform
from followaudit.live.platforms.x import XPlatform
from followaudit.live.scan import run_scan

NO_DID = "nodid.bsky.social"  # its followers lack their DIDs
NO_POSTS = "noposts.bsky.social"  # its feed items lack their posts
NO_DID_ID = "did:plc:nodidnodidnodidnodidaaaa"
NO_POSTS_ID = "did:plc:nopostsnopostsnopostsaa"


class HalfBrokenServer(BlueskyServer):
    """The usual subject, plus two accounts whose answers miss documented fields."""

    def _get_profile(self, actor: str) -> Reply:
        for handle, did in ((NO_DID, NO_DID_ID), (NO_POSTS, NO_POSTS_ID)):
            if actor == handle:
                return Reply(200, {**self.subject(), "did": did, "handle": handle})
        return super()._get_profile(actor)

    def _get_followers(self, query: Mapping[str, list[str]]) -> Reply:
        actor = first(query, "actor")
        if actor == NO_DID_ID:
            return Reply(
                200, {"subject": {"did": actor}, "followers": [{"handle": "x.bsky.social"}]}
            )
        if actor == NO_POSTS_ID:
            query = {**query, "actor": [self.subject()["did"]]}
        return super()._get_followers(query)

    def _get_author_feed(self, query: Mapping[str, list[str]]) -> Reply:
        if first(query, "actor") == NO_POSTS_ID:
            return Reply(200, {"feed": [{"reason": None}]})
        return super()._get_author_feed(query)


def test_a_batch_keeps_every_account_whose_answers_were_sound(capsys, tmp_path):
    out_json = tmp_path / "scan.json"
    with HalfBrokenServer(n=40) as server:
        code, _, err = run_flat(
            capsys,
            "scan",
            NO_DID,
            NO_POSTS,
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--json",
            out_json,
        )
    assert code == ExitCode.NETWORK, err
    assert "Traceback" not in err and "unexpected" not in err
    document = json.loads(out_json.read_text())
    # A feed item without a post record costs that account its behaviour findings,
    # not the follower audit it already paid for (issue 16).
    assert [a["handle"] for a in document["audits"]] == [NO_POSTS, "subject.bsky.social"]
    assert [(e["handle"], e["exit_code"], e["error"]) for e in document["errors"]] == [
        (
            NO_DID,
            ExitCode.NETWORK,
            "Bluesky sent a profile without the 'did' field its API documents",
        ),
    ]
    kept = document["audits"][0]
    assert kept["behaviour"] is None
    assert kept["posts_error"]["exit_code"] == ExitCode.NETWORK
    assert kept["posts_error"]["error"] == "Bluesky sent a feed item without a post record"
    assert kept["behaviour_missing"] == (
        "The account's own posts could not be read (Bluesky sent a feed item without a "
        "post record), so there are no behaviour findings; the follower audit above is complete."
    )


def answering(body: Any) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


CASES: list[tuple[str, Any, Callable[[httpx.MockTransport], Any], str]] = [
    (
        "x user without id",
        {"data": {"username": "subject", "public_metrics": {"followers_count": 3}}},
        lambda t: XPlatform(no_wait_http(transport=t), "token").resolve(Handle("x", "subject")),
        "X answered the user lookup without the 'id' field its API documents",
    ),
    (
        "x count that is no count",
        {"data": {"id": "1", "public_metrics": {"followers_count": "many"}}},
        lambda t: XPlatform(no_wait_http(transport=t), "token").resolve(Handle("x", "subject")),
        "X answered the user lookup with a count that is not a number: 'many'",
    ),
    (
        "bluesky profile without did",
        {"handle": "subject.bsky.social"},
        lambda t: BlueskyPlatform(no_wait_http(transport=t)).resolve(
            Handle("bluesky", "subject.bsky.social")
        ),
        "Bluesky answered getProfile without the 'did' field its API documents",
    ),
    (
        "bluesky profiles batch with a profile without did",
        {"profiles": [{"handle": "a.bsky.social"}]},
        lambda t: run_scan(
            Handle("bluesky", "subject.bsky.social"),
            http=no_wait_http(transport=t),
            platform=_FixedFollowers(BlueskyPlatform(no_wait_http(transport=t))),
        ),
        "Bluesky sent a profile without the 'did' field its API documents",
    ),
    (
        "mastodon account without id",
        {"username": "subject", "followers_count": 1},
        lambda t: MastodonPlatform(
            no_wait_http(transport=t), "mastodon.example", base_url="https://mastodon.example"
        ).resolve(Handle("mastodon", "subject", "mastodon.example")),
        "mastodon.example answered the lookup without an account",
    ),
]


class _FixedFollowers:
    """A Bluesky adapter whose subject and follower list are given, so only getProfiles is asked."""

    def __init__(self, inner: BlueskyPlatform) -> None:
        self._inner = inner
        self.name = inner.name
        self.needs_profiles = inner.needs_profiles
        self.profile_batch_size = inner.profile_batch_size

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def resolve(self, handle: Handle) -> Any:
        from followaudit.live.platforms.base import Subject

        return Subject("bluesky", "did:plc:s", "s.bsky.social", "", 1, "", False)

    def follower_pages(self, subject: Any, limit: int | None = None) -> Any:
        from followaudit.live.platforms.base import paginate

        return paginate(
            lambda cursor, received: ([{"did": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}], None),
            what="followers",
        )


@pytest.mark.parametrize(
    ("body", "call", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_missing_field_is_an_invalid_response(body, call, message):
    with pytest.raises(InvalidResponseError) as caught:
        call(answering(body))
    assert caught.value.message == message
    assert caught.value.exit_code == ExitCode.NETWORK
