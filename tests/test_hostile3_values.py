"""Issue 17, causes 4 and 7 in API answers: a 400-digit count, a lone surrogate in a handle.

Cause 4: ``float(10**400)`` raises OverflowError, which no count parser
caught: a subject's count of 400 digits exited 1 instead of 7 ("answered
nonsense"), and a follower's made the whole scan exit 1 instead of skipping
that follower with its reason. Cause 7: a follower or subject whose handle
holds a lone surrogate (``"\\ud800x"``) exited 1 (UnicodeEncodeError) with
nothing exported: the account must be scored, shown and exported.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from clirun import run_flat
from fakes import edit_json
from fakes.bluesky_server import BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode

HUGE = 10**400
SURROGATE = "\ud800x"


def _scan(capsys, tmp_path, server, handle, *extra):
    return run_flat(
        capsys, "scan", handle, "--api-url", server.url, "--no-cache", "--yes",
        "--json", tmp_path / "o.json", "--csv", tmp_path / "o.csv", *extra,
    )  # fmt: skip


def _x(body: Any, where: str, value: Any) -> Any:
    """Set ``where`` (a key of public_metrics, or "username") in the first user of an X body."""
    user = body["data"] if isinstance(body["data"], dict) else body["data"][0]
    if where == "username":
        user["username"] = value
    else:
        user["public_metrics"][where] = value
    return body


SERVERS = {
    "x": (lambda: XServer(n=20), "@subject"),
    "bluesky": (lambda: BlueskyServer(n=20), "subject.bsky.social"),
    "mastodon": (lambda: MastodonServer(n=20), "@subject@mastodon.example"),
}
SUBJECT_COUNT = {
    "x": edit_json("/by/username/", lambda b: _x(b, "followers_count", HUGE)),
    "bluesky": edit_json("getProfile", lambda b: {**b, "followersCount": HUGE}),
    "mastodon": edit_json("/accounts/lookup", lambda b: {**b, "followers_count": HUGE}),
}
FOLLOWER_COUNT = {
    "x": edit_json("/followers", lambda b: _x(b, "followers_count", HUGE)),
    "bluesky": edit_json(
        "getProfiles",
        lambda b: {"profiles": [{**b["profiles"][0], "followsCount": HUGE}] + b["profiles"][1:]},
    ),
    "mastodon": edit_json("/followers", lambda b: [{**b[0], "statuses_count": HUGE}] + b[1:]),
}
FOLLOWER_HANDLE = {
    "x": edit_json("/followers", lambda b: _x(b, "username", SURROGATE)),
    "bluesky": edit_json(
        "getProfiles",
        lambda b: {"profiles": [{**b["profiles"][0], "handle": SURROGATE}] + b["profiles"][1:]},
    ),
    "mastodon": edit_json(
        "/followers", lambda b: [{**b[0], "acct": SURROGATE, "username": SURROGATE}] + b[1:]
    ),
}


@pytest.mark.parametrize("platform", sorted(SERVERS))
def test_a_subject_count_of_400_digits_is_nonsense_not_a_crash(
    capsys, monkeypatch, tmp_path, platform
):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    make, handle = SERVERS[platform]
    with make() as server:
        server.edit = SUBJECT_COUNT[platform]
        code, _, err = _scan(capsys, tmp_path, server, handle, "--no-posts")
    assert code == ExitCode.NETWORK, err  # today: 1, OverflowError
    assert "Traceback" not in err and "unexpected" not in err
    assert "count" in err
    [error] = json.loads((tmp_path / "o.json").read_text())["errors"]
    assert error["exit_code"] == ExitCode.NETWORK


@pytest.mark.parametrize("platform", sorted(SERVERS))
def test_a_follower_count_of_400_digits_skips_that_follower(
    capsys, monkeypatch, tmp_path, platform
):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    make, handle = SERVERS[platform]
    with make() as server:
        server.edit = FOLLOWER_COUNT[platform]
        code, _, err = _scan(capsys, tmp_path, server, handle, "--no-posts")
    assert code == ExitCode.OK, err  # today: 1, OverflowError
    [audit] = json.loads((tmp_path / "o.json").read_text())["audits"]
    assert audit["summary"]["scored"] == 19
    assert [s["line"] for s in audit["skipped"]] == [1]
    assert "plausible count" in audit["skipped"][0]["reason"]


def test_a_post_metric_of_400_digits_is_unknown_not_a_crash(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)

    def huge_likes(body: Any) -> Any:
        body["data"][0]["public_metrics"]["like_count"] = HUGE
        return body

    with XServer(n=20) as server:
        server.edit = edit_json("/2/users/1001/tweets", huge_likes)
        code, _, err = _scan(capsys, tmp_path, server, "@subject")
    assert code == ExitCode.OK, err  # today: 1, OverflowError in posts._count
    assert len(json.loads((tmp_path / "o.json").read_text())["audits"]) == 1


@pytest.mark.parametrize("platform", sorted(SERVERS))
def test_a_follower_handle_with_a_lone_surrogate_is_scored_and_exported(
    capsys, monkeypatch, tmp_path, platform
):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    make, handle = SERVERS[platform]
    with make() as server:
        server.edit = FOLLOWER_HANDLE[platform]
        code, _, err = _scan(capsys, tmp_path, server, handle, "--no-posts", "--top", "20")
    assert code == ExitCode.OK, err  # today: 1, UnicodeEncodeError
    assert "unexpected" not in err
    [audit] = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["audits"]
    assert audit["summary"]["scored"] == 20
    rows = (tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 21


def test_a_subject_handle_with_a_lone_surrogate_is_audited(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=20) as server:
        server.edit = edit_json("/by/username/", lambda b: _x(b, "username", SURROGATE))
        code, _, err = _scan(capsys, tmp_path, server, "@subject", "--no-posts")
    assert code == ExitCode.OK, err
    assert "unexpected" not in err
    assert len(json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["audits"]) == 1
