"""A server whose paging goes wrong cannot make a scan page forever or count a follower twice.

Each platform's fake can send a cursor loop (the 3rd page points back at the
2nd: cursors A, B, A) or a repeated page (the 2nd page comes again under a
fresh cursor). The scan stops paging at the loop, drops the repeated
followers, says so on stderr and in the JSON, and keeps what was listed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_flat
from fakes import Faults
from fakes.bluesky_server import BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode
from followaudit.live.platforms.base import paginate, paging_margin

X_FOLLOWERS = "/2/users/1001/followers"
BSKY_FOLLOWERS = "/xrpc/app.bsky.graph.getFollowers"
BSKY_PROFILES = "/xrpc/app.bsky.actor.getProfiles"
MASTODON_FOLLOWERS = "/api/v1/accounts/109000000000000001/followers"


def scan(capsys, server, handle: str, tmp_path: Path, *extra: str) -> tuple[int, str, dict]:
    out_json = tmp_path / "scan.json"
    code, _, err = run_flat(
        capsys,
        "scan",
        "--yes",
        handle,
        "--api-url",
        server.url,
        "--no-cache",
        "--no-posts",
        "--json",
        out_json,
        *extra,
    )
    assert "Traceback" not in err
    return code, err, json.loads(out_json.read_text())["audits"][0]


LOOP = (
    "stopped after 3 pages ({n} accounts): the server sent the cursor of an earlier page "
    "again, a loop"
)


def test_x_cursor_loop_stops_paging(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=3500, faults=Faults(cursor_cycle=True)) as server:
        code, err, audit = scan(capsys, server, "@subject", tmp_path)
        assert server.requests[X_FOLLOWERS] == 3 and server.total == 1 + 3
    assert code == ExitCode.OK
    sentence = "Paging through the followers of @subject on X " + LOOP.format(n="3,000")
    assert f"warning: {sentence}" in err
    followers = audit["followers"]
    assert followers["paging_stopped"] == sentence and followers["duplicates"] == 0
    assert followers["listed"] == 3000 and followers["scored"] == 3000
    # What was listed is all that is known: the estimate speaks for it, not for 3,500.
    assert audit["summary"]["population"] == 3000
    assert audit["scope_note"] == f"{sentence}; the estimate covers the 3,000 newest followers."


def test_x_repeated_page_is_listed_once(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=2500, faults=Faults(repeat_page=True)) as server:
        code, err, audit = scan(capsys, server, "@subject", tmp_path)
        assert server.requests[X_FOLLOWERS] == 4 and server.total == 1 + 4
    assert code == ExitCode.OK
    assert (
        "warning: The follower list of @subject sent 1,000 followers again (a repeated "
        "page): each account is counted and scored once"
    ) in err
    followers = audit["followers"]
    assert followers["duplicates"] == 1000 and followers["paging_stopped"] is None
    assert followers["listed"] == 2500 and followers["scored"] == 2500
    ids = [a["id"] for a in audit["accounts"]]
    assert len(set(ids)) == len(ids) == 2500
    assert audit["summary"]["population"] == 2500 and audit["scope_note"] is None


def test_x_list_running_past_the_reported_count_stops(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=2500, followers_count=100) as server:
        # With a ceiling of its own the run is bound by it, not by the plan (issue 17:
        # tests/test_hostile3_paging.py stops at the plan): the margin guard still holds.
        code, err, audit = scan(capsys, server, "@subject", tmp_path, "--max-cost", "100")
        # 100 + 10% + a page of 1,000 = 1,110: the second page runs past it, no third.
        assert server.requests[X_FOLLOWERS] == 2
    assert code == ExitCode.OK
    sentence = (
        "Paging through the followers of @subject on X stopped after 2,000 accounts: "
        "more than the 100 the platform reports plus 10% and a page, so the server kept "
        "sending pages"
    )
    assert f"warning: {sentence}" in err
    assert audit["followers"]["paging_stopped"] == sentence
    assert audit["followers"]["listed"] == 2000 and audit["summary"]["population"] == 2000


def test_bluesky_cursor_loop_stops_paging(capsys, tmp_path):
    with BlueskyServer(n=350, faults=Faults(cursor_cycle=True)) as server:
        code, err, audit = scan(capsys, server, "subject.bsky.social", tmp_path)
        assert server.requests[BSKY_FOLLOWERS] == 3
        assert server.requests[BSKY_PROFILES] == 300 // 25
        assert server.total == 1 + 3 + 12
    assert code == ExitCode.OK
    sentence = "Paging through the followers of subject.bsky.social on Bluesky " + LOOP.format(
        n="300"
    )
    assert f"warning: {sentence}" in err
    assert audit["followers"]["paging_stopped"] == sentence
    assert audit["followers"]["listed"] == 300 and audit["followers"]["scored"] == 300
    assert audit["summary"]["population"] == 300
    assert audit["scope_note"] == f"{sentence}; the estimate covers the first 300 followers listed."


def test_bluesky_repeated_page_is_listed_once(capsys, tmp_path):
    with BlueskyServer(n=250, faults=Faults(repeat_page=True)) as server:
        code, err, audit = scan(capsys, server, "subject.bsky.social", tmp_path)
        assert server.requests[BSKY_FOLLOWERS] == 4
        # Profiles are fetched once per account, not once per listing.
        assert server.requests[BSKY_PROFILES] == 250 // 25
    assert code == ExitCode.OK
    assert (
        "warning: The follower list of subject.bsky.social sent 100 followers again "
        "(a repeated page): each account is counted and scored once"
    ) in err
    followers = audit["followers"]
    assert followers["duplicates"] == 100 and followers["listed"] == 250
    ids = [a["id"] for a in audit["accounts"]]
    assert len(set(ids)) == len(ids) == 250


def test_mastodon_link_loop_stops_paging(capsys, tmp_path):
    with MastodonServer(n=300, faults=Faults(cursor_cycle=True)) as server:
        code, err, audit = scan(capsys, server, "@subject@example.social", tmp_path)
        assert server.requests[MASTODON_FOLLOWERS] == 3 and server.total == 1 + 3
    assert code == ExitCode.OK
    sentence = "Paging through the followers of @subject@example.social " + LOOP.format(n="240")
    assert f"warning: {sentence}" in err
    assert audit["followers"]["paging_stopped"] == sentence
    assert audit["followers"]["listed"] == 240 and audit["summary"]["population"] == 240


def test_mastodon_repeated_page_is_listed_once(capsys, tmp_path):
    with MastodonServer(n=200, faults=Faults(repeat_page=True)) as server:
        code, err, audit = scan(capsys, server, "@subject@example.social", tmp_path)
        assert server.requests[MASTODON_FOLLOWERS] == 4
    assert code == ExitCode.OK
    assert (
        "warning: The follower list of @subject@example.social sent 80 followers again "
        "(a repeated page): each account is counted and scored once"
    ) in err
    followers = audit["followers"]
    assert followers["duplicates"] == 80 and followers["listed"] == 200
    assert followers["paging_stopped"] is None


@pytest.mark.parametrize(
    ("total", "page", "margin"),
    [(0, 0, 100), (12, 12, 101), (1000, 80, 200), (2500, 1000, 1250), (250_000, 100, 25_100)],
)
def test_the_margin_is_ten_percent_and_a_page_of_at_least_one_hundred(total, page, margin):
    assert paging_margin(total, page) == margin


def test_posts_paging_stops_at_a_loop_without_a_warning():
    calls = []

    def fetch(cursor, received):
        calls.append(cursor)
        return [{"id": str(len(calls))}], {None: "A", "A": "B", "B": "A"}[cursor]

    pages = paginate(fetch, what="posts of someone", limit=100)
    assert [item["id"] for page in pages for item in page.items] == ["1", "2", "3"]
    assert calls == [None, "A", "B"] and pages.stopped is not None


def test_a_page_sent_forever_under_new_cursors_stops_when_pages_bring_nothing_new():
    calls = []

    def fetch(cursor, received):
        calls.append(cursor)
        return [{"id": str(i)} for i in range(12)], f"cursor{len(calls)}"

    pages = paginate(fetch, what="followers of someone", total=12, key=lambda raw: raw["id"])
    listed = [item for page in pages for item in page.items]
    # Issue 17: two pages in a row that bring no new follower end the listing, long
    # before the margin over the count (10% and a page: 113 items, 10 pages) would.
    assert len(calls) == 3 and len(listed) == 12 and pages.duplicates == 24
    assert pages.stopped is not None and "repeating itself" in pages.stopped
