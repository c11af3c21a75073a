"""Hostile X servers (issue 9, items 2 and 7): each ends in one sentence, its exit code, no
traceback, and what was fetched before the fault is kept and reused.

The fault hits the second followers page of a 2,500-follower account, so
the lookup and the first page are in the cache by then; switching the fault
off and running again fetches only the pages that were missing.
"""

from __future__ import annotations

import json
import re

import pytest
from clirun import run_flat
from fakes.hostile import Hostile, no_waiting
from fakes.x_server import TOKEN, XServer

import followaudit.live.http
from followaudit.errors import ExitCode

FOLLOWERS = "/2/users/1001/followers"
# Every sentence names the server with its port: the fake listens on an ephemeral one.
PAGE_2 = r"127\.0\.0\.1:\d+/2/users/1001/followers"

# mode -> (exit code, the sentence, as a regular expression)
CASES = {
    "drip": (
        ExitCode.NETWORK,
        (
            rf"{PAGE_2} took longer than 1 s to answer, the most followaudit waits for one request "
            r"\([\d,]+ bytes had arrived\); the server is too slow or stalling: try again later"
        ),
    ),
    "drip-headers": (
        ExitCode.NETWORK,
        (
            rf"{PAGE_2} took longer than 1 s to answer, the most followaudit waits for one request "
            r"\(0 bytes had arrived\)"
        ),
    ),
    "oversized": (
        ExitCode.NETWORK,
        (
            rf"{PAGE_2} announced more than 16 MB, the most followaudit reads of one answer "
            r"\(an API page is under 2 MB\); check the API URL"
        ),
    ),
    "oversized-chunked": (
        ExitCode.NETWORK,
        (rf"{PAGE_2} sent more than 16 MB, the most followaudit reads of one answer"),
    ),
    "html": (
        ExitCode.NETWORK,
        (
            r"127\.0\.0\.1:\d+ answered with text/html, not the API's JSON: check the URL "
            r"\(http://127\.0\.0\.1:\d+/2/users/1001/followers\?"
        ),
    ),
    "redirect-loop": (
        ExitCode.NETWORK,
        (rf"{PAGE_2} redirected more than 10 times \(a redirect loop\); check the API URL"),
    ),
}


@pytest.mark.parametrize("mode", sorted(CASES))
def test_a_hostile_server_ends_in_one_sentence_and_keeps_what_was_fetched(
    capsys, monkeypatch, tmp_path, mode
):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    monkeypatch.setattr(followaudit.live.http, "REQUEST_DEADLINE", 1.0)
    no_waiting(monkeypatch)
    cache = tmp_path / "cache.sqlite3"
    hostile = Hostile(mode, where=FOLLOWERS, nth=2)
    with XServer(n=2500) as server:
        server.hostile = hostile
        code, out, err = run_flat(
            capsys,
            "scan",
            "--yes",
            "@subject",
            "--api-url",
            server.url,
            "--cache",
            cache,
            "--no-posts",
            "--json",
            tmp_path / "s.json",
        )
        expected_code, sentence = CASES[mode]
        assert code == expected_code, err
        assert "Traceback" not in err and "Traceback" not in out
        assert re.search(sentence, err), err
        assert err.count("Error:") == 1
        # The run's JSON names the failure...
        document = json.loads((tmp_path / "s.json").read_text())
        assert [e["exit_code"] for e in document["errors"]] == [expected_code]
        # ...and the lookup and page 1 were kept: the next run fetches pages 2 and 3 only.
        assert server.requests[FOLLOWERS] >= 2
        server.hostile = None
        server.reset_counts()
        code, out, err = run_flat(
            capsys,
            "scan",
            "@subject",
            "--api-url",
            server.url,
            "--cache",
            cache,
            "--no-posts",
            "--yes",
        )
        assert code == ExitCode.OK, err
        assert server.total == 2 and server.requests[FOLLOWERS] == 2
        assert "Followers: 2,500 Listed: 2,500" in out
    if mode.startswith("oversized"):
        # Reading stopped at the cap: nowhere near the 1.5 GB the server offered.
        assert hostile.sent < 64 * 1024 * 1024
    if mode == "redirect-loop":
        assert hostile.served == 11  # the first answer and ten redirects, then it stopped
