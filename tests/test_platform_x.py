"""Scanning X against a fake API v2: exact requests, failures survived, resume, error sentences."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fakes import DyingTransport, Faults, Interrupted, no_wait_http
from fakes.x_server import SUBJECT_ID, TOKEN, XServer, follower_id

from followaudit.errors import AuthError, NotFoundError, QuotaError
from followaudit.handles import Handle
from followaudit.live.cache import Cache
from followaudit.live.platforms.base import Subject
from followaudit.live.platforms.x import USER_FIELDS, XPlatform
from followaudit.live.scan import ScanOptions, run_scan

SUBJECT = Handle("x", "subject")
FOLLOWERS = f"/2/users/{SUBJECT_ID}/followers"
LOOKUP = "/2/users/by/username/subject"


@pytest.fixture
def server() -> Iterator[XServer]:
    with XServer(n=2500) as fake:
        yield fake


def scan(server: XServer, handle: Handle = SUBJECT, **kwargs: object):  # type: ignore[no-untyped-def]
    http = kwargs.pop("http", None) or no_wait_http()
    options = ScanOptions(**kwargs)  # type: ignore[arg-type]
    return run_scan(handle, http=http, options=options, token=TOKEN, api_url=server.url)


def test_lists_every_follower_with_one_request_per_thousand(server: XServer) -> None:
    result = scan(server)

    assert dict(server.requests) == {LOOKUP: 1, FOLLOWERS: 3}  # 1 + ceil(2500 / 1000)
    assert result.stats.made == 4
    assert result.listed == 2500 and result.followers_total == 2500 and not result.truncated
    assert len(result.table) == 2500 and result.skipped == []
    assert result.table["line"].tolist() == list(range(1, 2501))
    assert result.table["id"].iloc[0] == follower_id(0)  # newest follower first
    assert result.table["id"].iloc[-1] == follower_id(2499)
    assert result.subject.order_known
    assert result.subject.profile_url == "https://x.com/subject"


def test_asks_for_exactly_the_fields_the_model_reads(server: XServer) -> None:
    result = scan(server)

    pages = [t for t in server.log if t.startswith(FOLLOWERS)]
    assert all("max_results=1000" in t for t in pages)
    assert all("user.fields=" + USER_FIELDS.replace(",", "%2C") in t for t in pages)
    # Nothing reads a follower's `protected` flag: only the subject's lookup asks for it.
    assert "protected" not in USER_FIELDS.split(",")
    assert all("protected" not in t for t in pages)
    lookups = [t for t in server.log if t.startswith(LOOKUP)]
    assert lookups and all("protected" in t for t in lookups)
    # Every column X can provide is known for every follower: no field was forgotten.
    for column in (
        "created_at",
        "posts",
        "followers",
        "following",
        "likes",
        "listed",
        "bio_length",
        "name_length",
        "has_url",
        "has_location",
        "default_avatar",
    ):
        assert result.table[column].notna().all(), column


def test_sends_the_bearer_token_only_as_a_header_and_never_caches_it(
    server: XServer, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache.sqlite3")
    scan(server, http=no_wait_http(cache=cache))
    cache.close()

    assert set(server.auth_headers) == {f"Bearer {TOKEN}"}
    assert not any(TOKEN in target for target in server.log)
    assert TOKEN.encode() not in (tmp_path / "cache.sqlite3").read_bytes()
    assert TOKEN not in repr(XPlatform(no_wait_http(), TOKEN))


def test_max_followers_asks_only_for_the_users_it_will_read(server: XServer) -> None:
    result = scan(server, max_followers=1500)

    pages = [t for t in server.log if t.startswith(FOLLOWERS)]
    assert len(pages) == 2
    assert "max_results=1000" in pages[0] and "max_results=500" in pages[1]
    assert result.listed == 1500 and len(result.table) == 1500 and result.truncated


def test_survives_rate_limits_outages_and_a_truncated_body_with_the_same_table() -> None:
    with XServer(n=2500) as clean:
        expected = scan(clean).table
    faults = Faults(rate_limit_at={2}, unavailable_at={3, 4}, truncate_at={5})
    with XServer(n=2500, faults=faults) as flaky:
        http = no_wait_http()
        result = scan(flaky, http=http)

        assert flaky.total == 4 + 4  # the minimum, plus one retry per injected failure
    pd.testing.assert_frame_equal(result.table, expected)
    assert result.stats.made == 8 and result.stats.retries == 4
    assert http.slept and max(http.slept) <= 4.0  # waited for the announced reset


def test_resumes_from_the_cache_without_repeating_a_request(
    server: XServer, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache.sqlite3")
    with pytest.raises(Interrupted):
        scan(server, http=no_wait_http(cache=cache, transport=DyingTransport(die_at=3)))
    assert server.total == 2

    result = scan(server, http=no_wait_http(cache=cache))

    assert server.total == 4 and server.duplicates() == []
    assert result.stats.cached == 2 and result.stats.made == 2
    assert len(result.table) == 2500


@pytest.mark.parametrize(
    ("kwargs", "handle", "message"),
    [
        ({}, Handle("x", "nobody"), "@nobody was not found on X"),
        ({"suspended": {"gone"}}, Handle("x", "gone"), "@gone is suspended on X"),
        (
            {"protected": True},
            SUBJECT,
            "@subject is protected: X shows its followers only to accounts it approved",
        ),
    ],
)
def test_missing_accounts_are_not_found_errors(
    kwargs: dict[str, object], handle: Handle, message: str
) -> None:
    with XServer(n=10, **kwargs) as fake:  # type: ignore[arg-type]
        with pytest.raises(NotFoundError) as caught:
            scan(fake, handle)
        assert fake.requests[FOLLOWERS] == 0  # no money spent on a list we cannot read
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (401, AuthError, "X rejected the bearer token (401): check X_BEARER_TOKEN"),
        (
            402,
            QuotaError,  # issue 16: money spent, not a bad token; waiting will not help either
            (
                "X refused the request (402 Payment Required): the developer account has no "
                "API credits left; add credits at https://console.x.com (waiting will not help)"
            ),
        ),
        (
            403,
            AuthError,
            (
                "X refused the request (403): the bearer token's app is not attached to a "
                "project with API access (it needs: Appropriate Level of API Access); attach "
                "it to a project at https://console.x.com"
            ),
        ),
    ],
)
def test_auth_failures_say_what_to_fix(status: int, error: type[Exception], message: str) -> None:
    with XServer(n=10, auth_status=status) as fake:
        with pytest.raises(error) as caught:
            scan(fake)
        assert fake.total == 1  # not retried
    assert str(caught.value) == message
    assert TOKEN not in str(caught.value)


def test_a_missing_token_fails_before_any_request(server: XServer) -> None:
    with pytest.raises(AuthError, match="X_BEARER_TOKEN is not set"):
        run_scan(SUBJECT, http=no_wait_http(), token=None, api_url=server.url)
    assert server.total == 0


def test_protected_followers_discovered_while_listing_are_refused() -> None:
    with XServer(n=10, protected=True) as fake:
        platform = XPlatform(no_wait_http(), TOKEN, base_url=fake.url)
        # As if the account turned protected between resolve() and listing.
        stale = Subject("x", SUBJECT_ID, "subject", "", 10, "https://x.com/subject", True)
        with pytest.raises(NotFoundError) as caught:
            list(platform.follower_pages(stale))
    assert str(caught.value) == (
        "@subject is protected: X shows its followers only to accounts it approved"
    )


def test_recent_posts_pages_until_the_limit(server: XServer) -> None:
    platform = XPlatform(no_wait_http(), TOKEN, base_url=server.url)

    posts = platform.recent_posts(follower_id(7), 10)
    assert [p["id"] for p in posts] == [f"{follower_id(7)}{k:04d}" for k in range(10)]
    assert server.requests[f"/2/users/{follower_id(7)}/tweets"] == 1
    assert len(platform.recent_posts(follower_id(7), 50)) == 12  # all there is


def test_issue_scale_ten_thousand_followers_in_eleven_requests() -> None:
    with XServer(n=10_000) as fake:
        result = scan(fake)
        assert dict(fake.requests) == {LOOKUP: 1, FOLLOWERS: 10}
    assert len(result.table) == 10_000
    assert not math.isnan(result.table["followers"].sum())
