"""Scanning Bluesky against a fake AppView: list, sample, getProfiles in 25s, failures, resume."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fakes import DyingTransport, Faults, Interrupted, no_wait_http
from fakes.bluesky_server import SUBJECT_DID, BlueskyServer, follower_did

from followaudit.errors import NotFoundError
from followaudit.handles import Handle
from followaudit.live.cache import Cache
from followaudit.live.platforms.bluesky import BlueskyPlatform
from followaudit.live.scan import MISSING_PROFILE_REASON, ScanOptions, run_scan, sample_positions

SUBJECT = Handle("bluesky", "subject.bsky.social")
PROFILE = "/xrpc/app.bsky.actor.getProfile"
FOLLOWERS = "/xrpc/app.bsky.graph.getFollowers"
PROFILES = "/xrpc/app.bsky.actor.getProfiles"


@pytest.fixture
def server() -> Iterator[BlueskyServer]:
    with BlueskyServer(n=2500) as fake:
        yield fake


def scan(server: BlueskyServer, handle: Handle = SUBJECT, **kwargs: object):  # type: ignore[no-untyped-def]
    http = kwargs.pop("http", None) or no_wait_http()
    options = ScanOptions(**kwargs)  # type: ignore[arg-type]
    return run_scan(handle, http=http, options=options, token=None, api_url=server.url)


def test_lists_followers_then_fetches_their_profiles_25_at_a_time(server: BlueskyServer) -> None:
    result = scan(server)

    # 1 + ceil(2500 / 100) + ceil(2500 / 25)
    assert dict(server.requests) == {PROFILE: 1, FOLLOWERS: 25, PROFILES: 100}
    assert result.stats.made == 126
    assert result.listed == 2500 and len(result.table) == 2500 and result.skipped == []
    assert result.table["line"].tolist() == list(range(1, 2501))
    assert result.table["id"].iloc[0] == follower_did(0)
    assert result.table["followers"].notna().all()  # counts came from getProfiles
    assert result.subject.id == SUBJECT_DID and not result.subject.order_known
    assert result.subject.profile_url == "https://bsky.app/profile/subject.bsky.social"


def test_profiles_are_asked_for_with_repeated_actors_parameters(server: BlueskyServer) -> None:
    scan(server, max_followers=30)

    batches = [t for t in server.log if t.startswith(PROFILES)]
    # The two batches run concurrently: either may reach the server first.
    assert sorted(t.count("actors=") for t in batches) == [5, 25]


def test_a_sample_fetches_profiles_only_for_the_sampled_followers(server: BlueskyServer) -> None:
    result = scan(server, sample=100, seed=7)

    assert dict(server.requests) == {PROFILE: 1, FOLLOWERS: 25, PROFILES: 4}
    expected_lines = (sample_positions(2500, 100, 7) + 1).tolist()
    assert result.table["line"].tolist() == expected_lines
    assert result.table["id"].tolist() == [follower_did(line - 1) for line in expected_lines]
    assert result.sample == 100 and result.seed == 7 and result.listed == 2500


def test_accounts_gone_since_listing_are_skipped_with_a_reason() -> None:
    with BlueskyServer(n=120, gone={5, 17}) as fake:
        result = scan(fake)

    assert len(result.table) == 118
    assert [(s.line, s.reason) for s in result.skipped] == [
        (6, MISSING_PROFILE_REASON),
        (18, MISSING_PROFILE_REASON),
    ]


def test_survives_rate_limits_outages_and_a_truncated_body_with_the_same_table() -> None:
    with BlueskyServer(n=600) as clean:
        expected = scan(clean).table
        minimum = clean.total
    faults = Faults(rate_limit_at={3, 12}, unavailable_at={8, 9, 10}, truncate_at={15})
    with BlueskyServer(n=600, faults=faults) as flaky:
        http = no_wait_http()
        result = scan(flaky, http=http)
        assert flaky.total == minimum + 6

    pd.testing.assert_frame_equal(result.table, expected)
    assert http.slept  # the 429s were waited out, not failed


def test_resumes_from_the_cache_without_repeating_a_request(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache.sqlite3")
    with BlueskyServer(n=600) as fake:
        # Die in the middle of the profile phase (1 + 6 listing requests come first).
        with pytest.raises(Interrupted):
            scan(fake, http=no_wait_http(cache=cache, transport=DyingTransport(die_at=15)))
        first_run = fake.total
        assert 7 < first_run < 31

        result = scan(fake, http=no_wait_http(cache=cache))

        assert fake.total == 1 + 6 + 24 and fake.duplicates() == []
    assert result.stats.cached == first_run
    assert len(result.table) == 600


@pytest.mark.parametrize(
    ("handle", "kwargs", "message"),
    [
        (
            Handle("bluesky", "nobody.bsky.social"),
            {},
            "nobody.bsky.social was not found on Bluesky",
        ),
        (
            SUBJECT,
            {"taken_down": True},
            "subject.bsky.social has been taken down by Bluesky moderation",
        ),
    ],
)
def test_missing_accounts_are_not_found_errors(
    handle: Handle, kwargs: dict[str, object], message: str
) -> None:
    with BlueskyServer(n=10, **kwargs) as fake:  # type: ignore[arg-type]
        with pytest.raises(NotFoundError) as caught:
            scan(fake, handle)
        assert fake.total == 1
    assert str(caught.value) == message


def test_recent_posts_come_from_the_author_feed_with_replies(server: BlueskyServer) -> None:
    platform = BlueskyPlatform(no_wait_http(), base_url=server.url)

    posts = platform.recent_posts(follower_did(3), 10)
    assert len(posts) == 10 and "reply" in posts[0]["post"]["record"]
    assert all("filter=posts_with_replies" in t for t in server.log)
    assert len(platform.recent_posts(follower_did(3), 100)) == 12


def test_issue_scale_ten_thousand_followers_in_501_requests() -> None:
    with BlueskyServer(n=10_000) as fake:
        result = scan(fake)
        assert dict(fake.requests) == {PROFILE: 1, FOLLOWERS: 100, PROFILES: 400}
    assert len(result.table) == 10_000


def test_an_unknown_did_is_named_as_typed() -> None:
    with BlueskyServer(n=10) as fake, pytest.raises(NotFoundError) as caught:
        scan(fake, Handle("bluesky", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"))
    assert str(caught.value) == "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa was not found on Bluesky"


def test_a_did_resolves_to_the_same_subject_as_its_handle() -> None:
    with BlueskyServer(n=10) as fake:
        result = scan(fake, Handle("bluesky", SUBJECT_DID))
    assert result.subject.handle == "subject.bsky.social" and len(result.table) == 10
