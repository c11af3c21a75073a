"""Issue 17, causes 8, 9 and 11: paging that the platform's count cannot bound.

Cause 8: with no follower count (Bluesky followersCount absent or NaN,
Mastodon followers_count absent) the "list far longer than its count" guard
is off, so a server repeating the first page under fresh cursors was paged
for ever (about 1,345 requests a minute, every follower a duplicate). Paging
must stop when pages bring no new follower, and say so.

Cause 9: a follower count that lies low (10, or 0) makes a small plan
($0.11), and then the listing ran on at 1,000 users a page until the paging
guard stopped it ($20 spent off a terminal, without asking). The listing
must not pass what the plan showed by more than a documented margin:
off a terminal the scan stops there (exit 13, LIMIT_REACHED); on a terminal
it asks again; and each page asks for no more than what is left of the plan.

Cause 11: Mastodon followers without ``id`` are never recognised as
repeats, so a repeated page scored each account twice, silently: such
records must be refused or keyed by another stable field.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from clirun import run_flat
from fakes import Faults, edit_json, first, no_wait_http
from fakes.bluesky_server import BlueskyServer
from fakes.hostile import no_waiting
from fakes.mastodon_server import SUBJECT_ID, MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode
from followaudit.handles import parse_handle
from followaudit.live.audit import AuditPlan, run_audits
from followaudit.live.platforms.base import paging_margin
from followaudit.live.scan import ScanOptions
from followaudit.model.forest import load_model

REPEATS = 60  # how often the fake serves the 1st page again before the list goes on
BLUESKY_FOLLOWERS = "/xrpc/app.bsky.graph.getFollowers"
MASTODON_FOLLOWERS = f"/api/v1/accounts/{SUBJECT_ID}/followers"
X_FOLLOWERS = "/2/users/1001/followers"


def _drop(key: str):
    def change(body: dict[str, Any]) -> dict[str, Any]:
        body.pop(key, None)
        return body

    return change


NO_COUNT = {
    "Bluesky followersCount absent": (
        lambda: BlueskyServer(n=300, faults=Faults(repeat_first=REPEATS), count_hidden=True),
        "subject.bsky.social",
        BLUESKY_FOLLOWERS,
        None,
    ),
    "Bluesky followersCount NaN": (
        lambda: BlueskyServer(n=300, faults=Faults(repeat_first=REPEATS)),
        "subject.bsky.social",
        BLUESKY_FOLLOWERS,
        edit_json("getProfile", lambda b: {**b, "followersCount": math.nan}),
    ),
    "Mastodon followers_count absent": (
        lambda: MastodonServer(n=300, faults=Faults(repeat_first=REPEATS)),
        "@subject@mastodon.example",
        MASTODON_FOLLOWERS,
        edit_json("/accounts/lookup", _drop("followers_count")),
    ),
}


@pytest.mark.parametrize("case", sorted(NO_COUNT))
def test_pages_that_bring_no_new_follower_end_the_listing(capsys, monkeypatch, tmp_path, case):
    make, handle, followers, edit = NO_COUNT[case]
    no_waiting(monkeypatch)
    with make() as server:
        server.edit = edit
        code, _, err = run_flat(
            capsys, "scan", handle, "--api-url", server.url, "--no-cache", "--no-posts", "--yes",
            "--json", tmp_path / "o.json",
        )  # fmt: skip
        pages = server.requests[followers]
    assert code == ExitCode.OK, err
    # Today: all 60 repeats are fetched (and, without the fake's cap, for ever).
    assert pages <= 5, f"{pages} follower pages requested"
    [audit] = json.loads((tmp_path / "o.json").read_text())["audits"]
    assert audit["followers"]["paging_stopped"], audit["followers"]
    assert "stopped" in err


# -- cause 9 ---------------------------------------------------------------------------


def _users_requested(server: XServer) -> list[int]:
    """Return the max_results of every followers request, in order."""
    sizes = []
    for target in server.log:
        if target.startswith(X_FOLLOWERS):
            from urllib.parse import parse_qs, urlsplit

            sizes.append(int(first(parse_qs(urlsplit(target).query), "max_results") or 0))
    return sizes


@pytest.mark.parametrize("count", [10, 0])
def test_a_count_that_lies_low_stops_at_the_plan_off_a_terminal(
    capsys, monkeypatch, tmp_path, count
):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    no_waiting(monkeypatch)
    allowed = count + paging_margin(count)  # the documented margin: 10% and one page of 100
    with XServer(n=2500, followers_count=count) as server:
        code, _, err = run_flat(
            capsys, "scan", "@subject", "--api-url", server.url, "--no-cache", "--no-posts",
            "--json", tmp_path / "o.json",
        )  # fmt: skip
        sizes = _users_requested(server)
    # Today: exit 0 after two pages of 1,000 users ($20.01, planned $0.11 / $0.01).
    assert sum(sizes) <= allowed, f"asked for {sizes} users; the plan allows {allowed}"
    assert code == ExitCode.LIMIT_REACHED, err
    assert "plan" in err
    document = json.loads((tmp_path / "o.json").read_text())
    for audit in document["audits"]:  # what fits the plan, if it is kept as an audit
        assert audit["followers"]["listed"] <= allowed
        assert audit["requests"]["dollars"] <= 0.01 * (allowed + 1)


def test_a_count_that_lies_low_asks_again_on_a_terminal():
    asked: list[Any] = []
    with XServer(n=2500, followers_count=10) as server:
        http = no_wait_http()
        run = run_audits(
            [parse_handle("@subject")],
            AuditPlan(ScanOptions(posts=0), api_url=server.url, token=TOKEN),
            http=http,
            model=load_model(),
            confirm=lambda plan: asked.append(plan) or False,
        )
        sizes = _users_requested(server)
    allowed = 10 + paging_margin(10)
    assert sum(sizes) <= allowed, f"asked for {sizes} users; the plan allows {allowed}"
    assert asked, "the listing passed its plan without asking"
    [outcome] = run.outcomes
    assert outcome.error is not None
    assert outcome.error.exit_code in (ExitCode.CANCELLED, ExitCode.LIMIT_REACHED)


# -- cause 11 --------------------------------------------------------------------------


def _without_ids(body: Any) -> Any:
    return [{k: v for k, v in account.items() if k != "id"} for account in body]


def test_mastodon_followers_without_ids_and_a_repeated_page_are_not_scored_twice(capsys, tmp_path):
    with MastodonServer(n=160, faults=Faults(repeat_page=True)) as server:
        server.edit = edit_json(MASTODON_FOLLOWERS, _without_ids)
        code, _, err = run_flat(
            capsys, "scan", "@subject@mastodon.example", "--api-url", server.url, "--no-cache",
            "--no-posts", "--json", tmp_path / "o.json",
        )  # fmt: skip
    assert code in (ExitCode.OK, ExitCode.NETWORK), err
    assert "unexpected" not in err
    document = json.loads((tmp_path / "o.json").read_text())
    if document["audits"]:
        [audit] = document["audits"]
        # Today: 240 accounts scored for 160 followers, and no word about it.
        assert audit["summary"]["scored"] <= 160, audit["followers"]
        refused = [s for s in audit["skipped"] if "id" in s["reason"]]
        assert audit["followers"]["duplicates"] == 80 or len(refused) == 240
