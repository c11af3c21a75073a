"""Rescans (issue 19): a scan run again pays only for the followers new since the stored scan.

The scenario of the issue on each platform's fake server: an account of 1,000
followers is scanned, 100 followers are added at the top of its list (80 of
them bought-looking), and the same command is run again. The rescan lists
from the top until the stored scan's followers begin, fetches only the new
followers' profiles, re-uses the stored scores for the rest, and says what
changed in every output.
"""

from __future__ import annotations

import csv
import json
import re

import pytest
from clirun import run_flat
from docpages import page
from fakes.bluesky_server import BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

import followaudit.cli.commands
from followaudit.errors import ExitCode

HANDLES = {"bluesky": "subject.bsky.social", "x": "@subject", "mastodon": "@subject@example.com"}
SERVERS = {"bluesky": BlueskyServer, "x": XServer, "mastodon": MastodonServer}
FOLLOWERS = {
    "bluesky": "/xrpc/app.bsky.graph.getFollowers",
    "x": "/2/users/1001/followers",
    "mastodon": "/api/v1/accounts/109000000000000001/followers",
}
PROFILES = "/xrpc/app.bsky.actor.getProfiles"


@pytest.fixture(autouse=True)
def off_a_terminal(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    monkeypatch.setattr(followaudit.cli.commands, "_interactive", lambda: False)


def scan(capsys, platform, server, cache, *more):
    """Return (exit code, stdout, stderr) of scanning the fake account, lines unwrapped."""
    return run_flat(
        capsys, "scan", HANDLES[platform], "--api-url", server.url, "--cache", cache, *more
    )


def audit_of(path):
    return json.loads(path.read_text())["audits"][0]


@pytest.mark.parametrize("platform", ["bluesky", "x", "mastodon"])
def test_a_hundred_new_followers_eighty_bought_cost_only_themselves(capsys, tmp_path, platform):
    cache, out_json, out_csv = tmp_path / "c.sqlite3", tmp_path / "a.json", tmp_path / "a.csv"
    with SERVERS[platform](n=1000) as server:
        code, _, err = scan(capsys, platform, server, cache, "--yes", "--quiet")
        assert code == ExitCode.OK, err
        server.reset_counts()
        server.add_followers(100, bought=80)
        code, out, err = scan(capsys, platform, server, cache, "--json", out_json, "--csv", out_csv)
        assert code == ExitCode.OK, err
        pages = server.requests[FOLLOWERS[platform]]
        if platform == "bluesky":
            # The measure: at most 3 follower pages and 6 profile requests.
            assert pages == 2 and server.requests[PROFILES] == 4
            assert server.total == 1 + 2 + 4  # the posts come from the cache
        elif platform == "x":
            # One page sized to the 100 new followers the count shows, and their slack
            # (20, and 1% of the list): 130 users billed, not 1,100.
            assert pages == 1 and "max_results=130&" in server.log[1]
            assert server.total == 2
        else:
            assert pages == 2 and server.total == 3  # 80 a page
    assert "rescan since the last scan (" in err
    since = audit_of(out_json)["since_last"]
    assert since["new_followers"] == 100 and since["departed_estimate"] == 0
    assert since["listing"] == "rescan" and since["scored"] == 100
    share = since["share_questionable"]
    assert share["low"] <= 0.8 <= share["high"] and abs(share["estimate"] - 0.8) < 0.1
    said = re.search(
        r"Since the last scan \(\d{4}-\d\d-\d\d\): 100 new followers, about 0 fewer \(from the "
        r"counts\); questionable among the new: \d+\.\d% \(95% interval \d+\.\d%-\d+\.\d%\)",
        out,
    )
    assert said
    if platform == "bluesky":  # docs/commands.md quotes this very case, its date aside
        docs = " ".join(page("commands").split())
        assert re.sub(r"\d{4}-\d\d-\d\d", "2026-01-05", said.group(0)) in docs
    audit = audit_of(out_json)
    assert audit["followers"]["listed"] == audit["followers"]["scored"] == 1100
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert len(rows) == 1100
    assert {r["new"] for r in rows[:100]} == {"true"} and {r["new"] for r in rows[100:]} == {
        "false"
    }
    assert [int(r["line"]) for r in rows] == list(range(1, 1101))


def test_a_first_scan_has_no_since_and_an_empty_new_column(capsys, tmp_path):
    out_json, out_csv = tmp_path / "a.json", tmp_path / "a.csv"
    with BlueskyServer(n=60) as server:
        code, out, err = scan(
            capsys, "bluesky", server, tmp_path / "c.sqlite3", "--json", out_json, "--csv", out_csv
        )
    assert code == ExitCode.OK, err
    assert audit_of(out_json)["since_last"] is None and "Since the last scan" not in out
    assert "new" not in audit_of(out_json)["accounts"][0]
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert {r["new"] for r in rows} == {""}


def test_nothing_new_costs_a_lookup_and_a_page(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    with BlueskyServer(n=300) as server:
        assert scan(capsys, "bluesky", server, cache, "--quiet")[0] == ExitCode.OK
        first = audit_of_scan(capsys, server, cache, tmp_path)
        assert server.total == 2
    assert first["since_last"]["new_followers"] == 0
    assert first["since_last"]["share_questionable"]["estimate"] is None


def audit_of_scan(capsys, server, cache, tmp_path, *more):
    server.reset_counts()
    out_json = tmp_path / "again.json"
    code, _, err = scan(capsys, "bluesky", server, cache, "--json", out_json, "--quiet", *more)
    assert code == ExitCode.OK, err
    return audit_of(out_json)


def test_full_lists_every_follower_but_fetches_only_the_new_profiles(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    with BlueskyServer(n=1000) as server:
        assert scan(capsys, "bluesky", server, cache, "--quiet")[0] == ExitCode.OK
        server.add_followers(30, bought=10)
        audit = audit_of_scan(capsys, server, cache, tmp_path, "--full")
        assert server.requests[FOLLOWERS["bluesky"]] == 11  # 1,030 followers, 100 a page
        assert server.requests[PROFILES] == 2  # the 30 new ones, 25 a request
    assert audit["since_last"]["new_followers"] == 30 and audit["since_last"]["listing"] == "full"


def test_followers_who_left_are_counted_and_do_not_hide_the_overlap(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    with BlueskyServer(n=500) as server:
        assert scan(capsys, "bluesky", server, cache, "--quiet")[0] == ExitCode.OK
        # The newest two and every third of the next 30 unfollowed; 20 followed since.
        server.remove_followers({0, 1, *range(2, 32, 3)})
        server.add_followers(20)
        audit = audit_of_scan(capsys, server, cache, tmp_path)
        assert server.requests[FOLLOWERS["bluesky"]] == 1
    since = audit["since_last"]
    assert since["new_followers"] == 20 and since["listing"] == "rescan"
    assert since["departed_estimate"] == 12  # 500 + 20 - 508, from the counts
    # Each that left was on the page listed (the rest of the page is kept): known gone.
    assert audit["followers"]["listed"] == 508


def test_an_interrupted_rescan_resumes_from_what_it_fetched(capsys, tmp_path, monkeypatch):
    cache = tmp_path / "c.sqlite3"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C after the new followers' profiles

    with BlueskyServer(n=1000) as server:
        assert scan(capsys, "bluesky", server, cache, "--quiet")[0] == ExitCode.OK
        server.add_followers(100, bought=80)
        server.reset_counts()
        with monkeypatch.context() as patched:
            patched.setattr("followaudit.live.scan._subject_posts", interrupted)
            code, _, err = scan(capsys, "bluesky", server, cache, "--quiet")
        assert code == ExitCode.INTERRUPTED and server.total == 7, err
        audit = audit_of_scan(capsys, server, cache, tmp_path)
        # Fetched after the stored scan, the lookup, pages and profiles are reused.
        assert server.total == 0
    assert audit["since_last"]["new_followers"] == 100
    assert audit["requests"]["made"] == 0


def test_a_reordered_list_is_said_and_listed_in_full_within_the_plan(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    with BlueskyServer(n=1000) as server:
        assert scan(capsys, "bluesky", server, cache, "--quiet")[0] == ExitCode.OK
        server.reorder_followers()
        server.reset_counts()
        code, out, err = scan(capsys, "bluesky", server, cache)
        assert code == ExitCode.OK, err
        # 2 pages looked for the overlap (the count unchanged: 0 new, 10% and a page),
        # then the rest of the list; every follower is known, so no profile is fetched.
        assert server.requests[FOLLOWERS["bluesky"]] == 10
        assert PROFILES not in server.requests
    assert "The followers the last scan of subject.bsky.social listed (" in err
    assert (
        "are not where a rescan looks for them: none of the newest 200 listed now continues "
        "its list (5 in a row, in its order). The list may have been reordered or the account "
        "reset, so every follower is listed instead"
    ) in err
    assert "Plan for subject.bsky.social on Bluesky: 1,000 followers; list them all" in err
    assert "0 new followers" in out


def test_a_lost_overlap_stops_at_a_ceiling_the_full_listing_would_cross(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    with BlueskyServer(n=1000) as server:
        assert scan(capsys, "bluesky", server, cache, "--quiet")[0] == ExitCode.OK
        server.reorder_followers()
        server.reset_counts()
        code, _, err = scan(capsys, "bluesky", server, cache, "--max-requests", "8")
        assert server.total == 3  # the lookup and the two pages that looked
    assert code == ExitCode.LIMIT_REACHED
    assert (
        "Error: listing every follower of subject.bsky.social instead would need 52 requests, "
        "above --max-requests 8, so no more was listed"
    ) in err


def test_a_sampled_scan_is_not_rescanned_and_says_why(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    with BlueskyServer(n=400) as server:
        assert scan(capsys, "bluesky", server, cache, "--sample", "100", "--quiet")[0] == 0
        server.add_followers(10)
        server.reset_counts()
        code, _, err = scan(capsys, "bluesky", server, cache)
        assert code == ExitCode.OK, err
        assert server.requests[FOLLOWERS["bluesky"]] == 5
        # Every follower is scored now: the 310 not scored before need their profiles.
        assert server.requests[PROFILES] == 13
    assert (
        "note: subject.bsky.social: the last scan (" in err
        and "scored a sample of the followers, not every one, so this scan lists every follower"
        in err
    )


def test_a_did_typed_finds_the_scan_stored_under_the_handle(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    with BlueskyServer(n=300) as server:
        assert scan(capsys, "bluesky", server, cache, "--quiet")[0] == ExitCode.OK
        server.add_followers(5)
        server.reset_counts()
        code, out, err = run_flat(
            capsys,
            "scan",
            "did:plc:subjectsubjectsubjectaaa",
            "--api-url",
            server.url,
            "--cache",
            cache,
        )
        assert code == ExitCode.OK, err
        assert server.requests[FOLLOWERS["bluesky"]] == 1
    assert "5 new followers" in out


def test_max_followers_rescans_the_newest(capsys, tmp_path):
    cache, out_json = tmp_path / "c.sqlite3", tmp_path / "a.json"
    with XServer(n=3000) as server:
        args = ("--max-followers", "400", "--no-posts", "--quiet")
        assert scan(capsys, "x", server, cache, *args)[0] == ExitCode.OK
        server.add_followers(40, bought=40)
        server.reset_counts()
        code, _, err = scan(capsys, "x", server, cache, *args, "--json", out_json)
        assert code == ExitCode.OK, err
        assert server.total == 2
    audit = audit_of(out_json)
    assert audit["followers"]["listed"] == 400 and audit["followers"]["truncated"]
    assert audit["since_last"]["new_followers"] == 40
    assert [a["line"] for a in audit["accounts"]] == list(range(1, 401))


def test_a_lost_overlap_on_x_asks_before_paying_for_every_follower(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    with XServer(n=1000) as server:
        assert scan(capsys, "x", server, cache, "--yes", "--quiet")[0] == ExitCode.OK
        server.reorder_followers()
        server.reset_counts()
        code, _, err = scan(capsys, "x", server, cache)
        # Pages of 30, 30, 60 and 80 users looked for the overlap (widened, never past
        # the 200 of 10% and a page): $2 spent, and no more without --yes.
        sizes = [int(t.split("max_results=")[1].split("&")[0]) for t in server.log[1:]]
        assert sizes == [30, 30, 60, 80]
        assert code == ExitCode.LIMIT_REACHED
        assert (
            "Error: listing every follower of @subject instead needs up to $14.51 (more than "
            "$5.00): rerun with --yes to list them all (the pages fetched are cached)"
        ) in err
        server.reset_counts()
        code, out, err = scan(capsys, "x", server, cache, "--yes")
        assert code == ExitCode.OK, err
    assert "0 new followers" in out


@pytest.mark.parametrize("platform", ["bluesky", "x"])
def test_three_percent_growth_costs_under_a_tenth_and_its_share_holds_the_truth(
    capsys, tmp_path, platform
):
    # What benchmarks/rescan_cost.py measures (at 10,000), kept: 5,000 followers, 150 new,
    # 45 of them bought-looking.
    cache, first, again = tmp_path / "c.sqlite3", tmp_path / "a.json", tmp_path / "b.json"
    with SERVERS[platform](n=5_000) as server:
        code, _, err = scan(capsys, platform, server, cache, "--yes", "--quiet", "--json", first)
        assert code == ExitCode.OK, err
        full = server.total
        server.reset_counts()
        server.add_followers(150, bought=45)
        code, _, err = scan(capsys, platform, server, cache, "--quiet", "--json", again)
        assert code == ExitCode.OK, err
        rescan = server.total
    if platform == "bluesky":
        assert rescan <= 0.1 * full  # requests: 10 of 252 (the posts are cached here)
    else:  # X bills users: the dollars are the cost
        spent = [audit_of(path)["requests"]["dollars"] for path in (first, again)]
        assert spent[1] <= 0.1 * spent[0]
    share = audit_of(again)["since_last"]["share_questionable"]
    assert share["low"] <= 0.3 <= share["high"]


def test_a_damaged_stored_scan_is_said_once_and_every_follower_is_listed_again(capsys, tmp_path):
    import sqlite3

    cache = tmp_path / "c.sqlite3"
    with BlueskyServer(n=300) as server:
        code, _, err = scan(capsys, "bluesky", server, cache, "--yes", "--quiet")
        assert code == ExitCode.OK, err
        with sqlite3.connect(cache) as db:
            db.execute("UPDATE scans SET rows_json = 'not json'")
        server.reset_counts()
        code, _, err = scan(capsys, "bluesky", server, cache, "--json", tmp_path / "b.json")
        assert code == ExitCode.OK, err
        assert err.count("its stored scan cannot be read back") == 1
        assert audit_of(tmp_path / "b.json")["followers"]["listed"] == 300
        assert audit_of(tmp_path / "b.json").get("since_last") is None
