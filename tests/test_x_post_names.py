"""X's post parameter names are learnt before the bill, and remembered (issue 16, item 2).

The 2026 spec names them `post.fields`, `referenced_posts`, `note_post`; every
answer recorded from the live API used `tweet.fields`, `referenced_tweets`,
`note_tweet`. The lookup (one user, $0.01) asks for a post field in the names
the timeline will use: no post is expanded, so nothing more is billed, and a
400 that refuses the names makes the adapter fall back to the other
generation there, before any follower is listed. The working names are kept
in the cache, so a later run asks in them first.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_flat
from fakes.x_server import SUBJECT_ID, TOKEN, XServer

from followaudit.errors import ExitCode

LOOKUP = "/2/users/by/username/subject"
TIMELINE = f"/2/users/{SUBJECT_ID}/tweets"


def scan(capsys, server: XServer, cache: Path, *extra: str):
    return run_flat(
        capsys, "scan", "@subject", "--api-url", server.url, "--cache", cache, "--yes",
        "--json", cache.with_name("scan.json"), *extra,
    )  # fmt: skip


def asked(server: XServer, path: str) -> list[str]:
    """Return which generation's fields parameter each request to ``path`` carried."""
    names = []
    for target in server.log:
        if target.split("?")[0] == path:
            names.append("tweet.fields" if "tweet.fields=" in target else "post.fields")
    return names


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)


def test_the_spec_s_names_cost_nothing_more_when_x_takes_them(capsys, tmp_path):
    with XServer(n=30, post_names="post") as server:
        code, _, err = scan(capsys, server, tmp_path / "cache.sqlite3")
    assert code == ExitCode.OK, err
    assert asked(server, LOOKUP) == ["post.fields"]
    assert asked(server, TIMELINE) == ["post.fields"]


def test_the_older_names_are_learnt_at_the_lookup_and_remembered(capsys, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    with XServer(n=30, post_names="tweet") as server:
        code, _, err = scan(capsys, server, cache)
        assert code == ExitCode.OK, err
        # Refused once at the lookup (a 400 is not billed), before any follower was listed.
        assert asked(server, LOOKUP) == ["post.fields", "tweet.fields"]
        assert server.log[0].startswith(LOOKUP) and server.log[1].startswith(LOOKUP)
        assert asked(server, TIMELINE) == ["tweet.fields"]
        (audit,) = json.loads(cache.with_name("scan.json").read_text())["audits"]
        assert audit["behaviour"]["metrics"]["posts"] == 12  # the posts read, in the old names
        assert audit["requests"]["dollars"] == pytest.approx(0.01 + 0.30 + 12 * 0.005)

        # A later run (no cached answer used: --refresh) asks in the names that worked.
        server.reset_counts()
        code, _, err = scan(capsys, server, cache, "--refresh")
    assert code == ExitCode.OK, err
    assert asked(server, LOOKUP) == ["tweet.fields"]
    assert asked(server, TIMELINE) == ["tweet.fields"]


def test_a_400_about_something_else_is_not_taken_for_the_names(capsys, tmp_path):
    from fakes import Faults, Reply

    other = Reply(
        400,
        {
            "errors": [{"message": "The `id` query parameter value [abc] is not valid"}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
        },
    )
    with XServer(n=30, faults=Faults(answers={"/by/username/": other})) as server:
        code, _, err = scan(capsys, server, tmp_path / "cache.sqlite3")
    assert code == ExitCode.NETWORK, err
    assert len(asked(server, LOOKUP)) == 1  # no fallback: it was not the names
    assert "X rejected the request for @subject (400)" in err


def test_the_last_post_field_is_dropped_when_x_refuses_it_and_remembered(capsys, tmp_path):
    # The 2026 spec's User schema has most_recent_post_id, its user.fields list does not.
    cache = tmp_path / "cache.sqlite3"
    with XServer(n=30, last_post_field=False) as server:
        code, _, err = scan(capsys, server, cache)
        assert code == ExitCode.OK, err
        lookups = [t for t in server.log if t.startswith(LOOKUP)]
        assert ["most_recent_post_id" in t for t in lookups] == [True, False]
        followers = [t for t in server.log if "/followers" in t]
        assert followers and not any("most_recent_post_id" in t for t in followers)
        (audit,) = json.loads(cache.with_name("scan.json").read_text())["audits"]
        assert audit["followers"]["scored"] == 30
        server.reset_counts()
        code, _, err = scan(capsys, server, cache, "--refresh")
    assert code == ExitCode.OK, err
    assert not any("most_recent_post_id" in t for t in server.log)  # asked once, remembered
