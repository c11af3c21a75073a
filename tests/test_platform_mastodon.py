"""Scanning Mastodon against a fake home server: Link paging, hidden lists, failures, resume."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fakes import DyingTransport, Faults, Interrupted, no_wait_http
from fakes.mastodon_server import SUBJECT_ID, MastodonServer, follower_account_id

from followaudit.errors import AuthError, HiddenFollowersError, NotFoundError
from followaudit.handles import Handle
from followaudit.live.cache import Cache
from followaudit.live.platforms.mastodon import MastodonPlatform, parse_link_header
from followaudit.live.scan import ScanOptions, run_scan

SUBJECT = Handle("mastodon", "subject", "mastodon.example")
LOOKUP = "/api/v1/accounts/lookup"
FOLLOWERS = f"/api/v1/accounts/{SUBJECT_ID}/followers"


@pytest.fixture
def server() -> Iterator[MastodonServer]:
    with MastodonServer(n=2500) as fake:
        yield fake


def scan(server: MastodonServer, handle: Handle = SUBJECT, **kwargs: object):  # type: ignore[no-untyped-def]
    http = kwargs.pop("http", None) or no_wait_http()
    options = ScanOptions(**kwargs)  # type: ignore[arg-type]
    return run_scan(
        handle, http=http, options=options, token="x-token-must-not-leak", api_url=server.url
    )


def test_follows_the_link_header_80_followers_at_a_time(server: MastodonServer) -> None:
    result = scan(server)

    assert dict(server.requests) == {LOOKUP: 1, FOLLOWERS: 32}  # 1 + ceil(2500 / 80)
    assert result.listed == 2500 and len(result.table) == 2500 and result.skipped == []
    assert result.table["line"].tolist() == list(range(1, 2501))
    assert result.table["id"].iloc[0] == follower_account_id(0)
    assert result.table["id"].iloc[-1] == follower_account_id(2499)
    pages = [t for t in server.log if t.startswith(FOLLOWERS)]
    assert pages[0] == f"{FOLLOWERS}?limit=80"
    assert all("max_id=" in t for t in pages[1:])
    assert result.subject.handle == "subject@mastodon.example"
    assert result.subject.profile_url == "https://mastodon.example/@subject"


def test_never_sends_the_x_token_to_a_mastodon_server() -> None:
    with MastodonServer(n=200) as fake:
        scan(fake)
        assert fake.total == 4 and set(fake.auth_headers) == {None}


def test_survives_rate_limits_outages_and_a_truncated_body_with_the_same_table() -> None:
    with MastodonServer(n=500) as clean:
        expected = scan(clean).table
        minimum = clean.total
    faults = Faults(rate_limit_at={2}, unavailable_at={4, 5}, truncate_at={7})
    with MastodonServer(n=500, faults=faults) as flaky:
        http = no_wait_http()
        result = scan(flaky, http=http)
        assert flaky.total == minimum + 4

    pd.testing.assert_frame_equal(result.table, expected)
    assert http.slept


def test_resumes_from_the_cache_without_repeating_a_request(
    server: MastodonServer, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache.sqlite3")
    with pytest.raises(Interrupted):
        scan(server, http=no_wait_http(cache=cache, transport=DyingTransport(die_at=11)))
    assert server.total == 10

    result = scan(server, http=no_wait_http(cache=cache))

    assert server.total == 33 and server.duplicates() == []
    assert result.stats.cached == 10 and result.stats.made == 23
    assert len(result.table) == 2500


@pytest.mark.parametrize(("hidden", "requests"), [("flag", 1), ("empty", 2)])
def test_a_hidden_follower_list_is_a_hidden_followers_error(hidden: str, requests: int) -> None:
    # Mastodon 4.3+ says so in the account (no list request needed); older servers
    # answer an empty list although followers_count is positive.
    with MastodonServer(n=50, hidden=hidden) as fake, pytest.raises(HiddenFollowersError) as caught:
        scan(fake)
    assert fake.total == requests
    assert str(caught.value) == "@subject@mastodon.example hides its follower list"


@pytest.mark.parametrize(
    ("handle", "kwargs", "error", "message"),
    [
        (
            Handle("mastodon", "nobody", "mastodon.example"),
            {},
            NotFoundError,
            "@nobody@mastodon.example was not found",
        ),
        (SUBJECT, {"suspended": True}, NotFoundError, "@subject@mastodon.example is suspended"),
        (
            SUBJECT,
            {"signed_in_only": True},
            AuthError,
            (
                "mastodon.example only answers signed-in requests (401): it runs in "
                "limited-federation or authorized-fetch mode"
            ),
        ),
    ],
)
def test_unreadable_accounts_say_why(
    handle: Handle, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with MastodonServer(n=10, **kwargs) as fake:  # type: ignore[arg-type]
        with pytest.raises(error) as caught:
            scan(fake, handle)
        assert fake.total == 1
    assert str(caught.value) == message


def test_parse_link_header_reads_rfc_8288_relations() -> None:
    header = (
        '<https://m.example/api/v1/accounts/1/followers?limit=2&max_id=7486869>; rel="next", '
        "<https://m.example/api/v1/accounts/1/followers?limit=2&since_id=7489740>; rel=prev"
    )
    assert parse_link_header(header) == {
        "next": "https://m.example/api/v1/accounts/1/followers?limit=2&max_id=7486869",
        "prev": "https://m.example/api/v1/accounts/1/followers?limit=2&since_id=7489740",
    }
    assert parse_link_header(None) == {} and parse_link_header("garbage") == {}


def test_recent_posts_follow_the_link_header(server: MastodonServer) -> None:
    platform = MastodonPlatform(no_wait_http(), "mastodon.example", base_url=server.url)

    posts = platform.recent_posts("5", 12)
    assert [p["id"] for p in posts] == [str(12 - k) for k in range(12)]
    assert server.requests["/api/v1/accounts/5/statuses"] == 1
    assert len(platform.recent_posts("5", 5)) == 5


def test_issue_scale_ten_thousand_followers_in_126_requests() -> None:
    with MastodonServer(n=10_000) as fake:
        result = scan(fake)
        assert dict(fake.requests) == {LOOKUP: 1, FOLLOWERS: 125}
    assert len(result.table) == 10_000
