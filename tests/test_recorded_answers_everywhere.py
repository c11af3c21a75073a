"""Every answer recorded from the live APIs is used (issue 16, item 6): replayed or read as a file.

tests/test_replay_recorded.py replays the recordings that meet followaudit's
own requests (lookups, follower pages, profiles, timelines, errors). The rest
were recorded from endpoints followaudit never calls (liking users, list
members, a DID document, WebFinger of another account, a status that is
gone): each is replayed where an adapter meets its shape, and otherwise read
with `followaudit score` as a file a user might hand it, asserting the exit
code and the sentence. `test_every_recording_is_used_by_some_test` checks
that no recording is left out.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from clirun import run, run_flat
from fakes import HostMapTransport, no_wait_http
from fakes.hostile import no_waiting
from fakes.replay import (
    ATRRR,
    MASTODON_PY,
    RECORDED,
    TOKEN,
    TWEEPY,
    Recorded,
    ReplayServer,
    load,
    load_cassette,
    load_decoded,
    load_transcribed,
    recorded_files,
)

from followaudit.errors import ExitCode
from followaudit.handles import parse_handle
from followaudit.live.platforms.bluesky import BlueskyPlatform
from followaudit.live.platforms.mastodon import MastodonPlatform

NO_METRICS = "no public_metrics (request user.fields=public_metrics); none of the"
UNKNOWN_FORMAT = "cannot tell which format these records are in"

# (recording, answer index, exit code of `score` on its body, words of the sentence)
AS_FILES = [
    ("x/tweepy/test_client_get_liking_users.yaml", 0, 3, f"{NO_METRICS} 43 records"),
    ("x/tweepy/test_asyncclient_get_liking_users.yaml", 0, 3, f"{NO_METRICS} 81 records"),
    ("x/tweepy/test_client_get_list_followers.yaml", 0, 3, f"{NO_METRICS} 100 records"),
    ("x/tweepy/test_asyncclient_get_list_followers.yaml", 0, 3, f"{NO_METRICS} 100 records"),
    ("x/tweepy/test_client_get_me.yaml", 0, 3, f"{NO_METRICS} 1 record"),
    ("x/tweepy/test_asyncclient_get_me.yaml", 0, 3, f"{NO_METRICS} 1 record"),
    ("x/tweepy/test_asyncclient_get_users_following.yaml", 0, 3, f"{NO_METRICS} 100 records"),
    ("x/tweepy/testgetfollowerids.yaml", 0, 3, UNKNOWN_FORMAT),  # ids only: nothing to score
    ("x/tweepy/testgetfollowers.yaml", 0, 0, "Scored: 2"),  # v1.1 users, complete
    ("x/twarc-csv/withheld.jsonl", None, 3, "none of the 215 records could be scored"),
    ("bluesky/MarshalX-atproto/did_doc.json", 0, 3, "profileView objects without counts"),
    ("bluesky/MarshalX-atproto/get_follows.json", 0, 3, UNKNOWN_FORMAT),
    ("bluesky/MarshalX-atproto/resolve_handle.json", 0, 3, UNKNOWN_FORMAT),
    ("bluesky/MarshalX-atproto/thread_view_post_with_embed_media.json", 0, 3, UNKNOWN_FORMAT),
    ("bluesky/atrrr/com.atproto.identity.resolveHandle_50198.decoded.json", 0, 3, UNKNOWN_FORMAT),
    ("bluesky/atrrr/com.atproto.identity.resolveHandle_c4567.decoded.json", 0, 3, UNKNOWN_FORMAT),
    ("bluesky/atrrr/com.atproto.identity.resolveHandle_c81f8.decoded.json", 0, 3, UNKNOWN_FORMAT),
    ("mastodon/Mastodon.py/test_account_pinned.yaml", 3, 0, "Scored: 1"),  # an Account
    ("mastodon/Mastodon.py/test_get_pagination_info.yaml", 1, 3, UNKNOWN_FORMAT),  # statuses
    ("mastodon/Mastodon.py/test_lang_for_errors.yaml", 0, 3, UNKNOWN_FORMAT),
    ("mastodon/Mastodon.py/test_status_missing.yaml", 0, 3, UNKNOWN_FORMAT),
    ("x/issue-thread-errors/429_too_many_requests.json", 0, 3, UNKNOWN_FORMAT),
]


def body_of(name: str, index: int | None) -> bytes:
    path = RECORDED / name
    return path.read_bytes() if index is None else load(path)[index].body


@pytest.mark.parametrize(("name", "index", "code", "words"), AS_FILES, ids=[a[0] for a in AS_FILES])
def test_a_recorded_body_read_as_a_file(name, index, code, words, capsys, tmp_path):
    source = tmp_path / f"{Path(name).stem}.json"
    source.write_bytes(body_of(name, index))
    # As of 2026-12-01: the test instance's accounts were made in 2026.
    got, out, err = run_flat(capsys, "score", source, "--as-of", "2026-12-01", "--top", "0")
    assert got == code, err
    assert words in out + err
    assert "Traceback" not in err and "unexpected" not in err


# -- replayed where an adapter meets the shape ------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "app.bsky.actor.getProfile_f0833.decoded.json",
        "app.bsky.actor.getProfile_f20b3.decoded.json",
    ],
)
def test_bluesky_lookups_as_recorded(name: str) -> None:
    answer = load_decoded(ATRRR / name)
    with ReplayServer() as server:
        server.add(answer)
        actor = httpx.QueryParams(answer.query)["actor"]
        subject = BlueskyPlatform(no_wait_http(), base_url=server.url).resolve(
            parse_handle(actor if "." in actor else "someone.bsky.social")
        )
    assert subject.followers_count == answer.json()["followersCount"]
    assert subject.id == answer.json()["did"]
    assert server.unmatched == []


@pytest.mark.parametrize(
    "name",
    [
        "app.bsky.actor.getProfiles_0f35e.decoded.json",
        "app.bsky.actor.getProfiles_3ed2a.decoded.json",
    ],
)
def test_bluesky_profile_batches_as_recorded(name: str) -> None:
    answer = load_decoded(ATRRR / name)
    asked = [value for _, value in httpx.QueryParams(answer.query).multi_items()]
    with ReplayServer() as server:
        server.add(answer)
        profiles = BlueskyPlatform(no_wait_http(), base_url=server.url).fetch_profiles(asked)
    # getProfiles answers what it is asked, duplicates included; the scan keys them by did.
    assert len(profiles) == len(asked) == 25
    assert all("followersCount" in p for p in profiles)


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [("test_account_followers.yaml", "followers"), ("test_account_following.yaml", "following")],
)
def test_mastodon_account_lists_as_recorded(name: str, endpoint: str) -> None:
    answers = load_cassette(MASTODON_PY / name)
    page = answers[1]
    assert page.path.endswith(f"/{endpoint}")
    with ReplayServer() as server:
        # Served as the follower list (a following page has the same Account shape).
        account_id = page.path.split("/")[4]
        server.add(page, path=f"/api/v1/accounts/{account_id}/followers")
        adapter = MastodonPlatform(no_wait_http(), "localhost", base_url=server.url)
        from followaudit.live.platforms.base import Subject

        subject = Subject("mastodon", account_id, "admin@localhost", "", None, "", False)
        listed = [item for p in adapter.follower_pages(subject) for item in p.items]
    assert [a["id"] for a in listed] == [a["id"] for a in page.json()]


def test_mastodon_webfinger_of_another_account_names_its_home() -> None:
    body = load_transcribed(
        RECORDED / "mastodon" / "webfinger" / "mastodon.social_maroph.webfinger.json",
        headers={"content-type": "application/jrd+json; charset=utf-8"},
    )
    with ReplayServer() as server:
        server.add(body, path="/.well-known/webfinger")
        http = no_wait_http(transport=HostMapTransport({"example.com": server.url}))
        home = MastodonPlatform(http, "example.com")._home_server(
            parse_handle("@maroph@example.com")
        )
    assert home == ("https://mastodon.social", "maroph@mastodon.social")


def test_an_x_rate_limit_without_a_reset_backs_off_then_stops(capsys, monkeypatch) -> None:
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    clock = no_waiting(monkeypatch)
    limited = load_transcribed(
        RECORDED / "x" / "issue-thread-errors" / "429_too_many_requests.json"
    )
    with ReplayServer() as server:
        server.add(limited, path="/2/users/by/username/Twitter")
        code, _, err = run_flat(capsys, "scan", "@Twitter", "--api-url", server.url, "--no-cache")
    assert code == ExitCode.RATE_LIMITED, err
    assert "kept answering 429 Too Many Requests after 6 tries" in err
    assert server.total == 6 and clock.sleeps  # waited between tries, and gave up


def test_x_async_timeline_recording_keeps_the_audit(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    user = load_cassette(TWEEPY / "test_client_get_user.yaml")[0]
    page = load_cassette(TWEEPY / "test_client_get_users_following.yaml")[0]
    tweets: Recorded = load_cassette(TWEEPY / "test_asyncclient_get_users_tweets.yaml")[0]
    with ReplayServer() as server:
        server.add(user)
        server.add(page, path="/2/users/783214/followers")
        server.add(tweets, path="/2/users/783214/tweets")
        code, _, err = run(
            capsys, "scan", "@Twitter", "--api-url", server.url, "--no-cache", "--yes"
        )
    # Posts recorded with no tweet.fields have no creation date: the findings go, the audit stays.
    assert code == ExitCode.OK, err
    assert "X sent a post without a creation date" in " ".join(err.split())


def test_every_recording_is_used_by_some_test() -> None:
    sources = " ".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    unused = [
        str(path.relative_to(RECORDED))
        for path in recorded_files()
        if path.name not in sources and path.stem not in sources
    ]
    assert unused == []
