"""Issue 17, causes 2 and 3: one account's odd answer never costs the batch its exports.

Cause 2: an audit that scored nothing (no followers, or every profile gone)
made --junit crash with "cannot convert float NaN to integer" (exit 1), and
then no export at all was written. Cause 3: a post or profile field of the
wrong JSON type (a string where an object belongs, a number where a list
belongs) raised AttributeError or TypeError (exit 1) and ended the whole
run: the healthy account's audit was missing from --json, --summary-csv and
--junit. Each must be that one account's outcome (an audit, or its error
with exit code 7) while every other account is audited and exported.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from clirun import run_flat
from fakes import edit_json
from fakes.bluesky_server import TWIN_DID, BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, TWIN_ID, XServer

from followaudit.errors import ExitCode


def _exports(tmp_path):
    return (
        "--json",
        tmp_path / "o.json",
        "--summary-csv",
        tmp_path / "o.csv",
        "--junit",
        tmp_path / "o.xml",
    )


def _read_exports(tmp_path) -> tuple[dict[str, Any], list[dict[str, str]], ET.Element]:
    document = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    with (tmp_path / "o.csv").open(encoding="utf-8", newline="") as stream:
        summary = list(csv.DictReader(stream))
    junit = ET.parse(tmp_path / "o.xml").getroot()
    return document, summary, junit


def _check_batch(code, err, tmp_path, healthy: str, odd: str, *, odd_error_code=ExitCode.NETWORK):
    """The healthy account is in every export; the odd one is an audit or its own error."""
    assert code != ExitCode.INTERNAL, err
    assert "Traceback" not in err and "unexpected" not in err, err
    document, summary, junit = _read_exports(tmp_path)
    audited = [a["handle"] for a in document["audits"]]
    failed = {e["handle"]: e["exit_code"] for e in document["errors"]}
    assert healthy in audited, document
    assert odd in audited or failed.get(odd) == odd_error_code, document
    assert code == (ExitCode.OK if odd in audited else odd_error_code), err
    # A cell starting with "@" is written with a leading "'" (no spreadsheet formula).
    assert {row["handle"].removeprefix("'") for row in summary} == {healthy, odd}
    cases = {case.get("name"): case for case in junit.iter("testcase")}
    assert set(cases) == {healthy, odd}
    assert cases[healthy].find("error") is None and cases[healthy].find("failure") is None


# -- cause 2: nothing scored, with --junit ---------------------------------------------


def test_x_account_without_followers_with_junit(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=0) as server:
        code, _, err = run_flat(
            capsys, "scan", "@subject", "--api-url", server.url, "--no-cache", "--no-posts",
            "--junit", tmp_path / "o.xml",
        )  # fmt: skip
    assert code == ExitCode.OK, err
    assert "Traceback" not in err and "unexpected" not in err
    [case] = ET.parse(tmp_path / "o.xml").getroot().iter("testcase")
    assert case.get("name") == "@subject" and case.find("error") is None


def test_bluesky_account_whose_every_profile_is_gone_with_junit(capsys, tmp_path):
    with BlueskyServer(n=5, gone=set(range(5))) as server:
        code, _, err = run_flat(
            capsys, "scan", "subject.bsky.social", "--api-url", server.url, "--no-cache",
            "--no-posts", "--junit", tmp_path / "o.xml",
        )  # fmt: skip
    assert code == ExitCode.OK, err
    assert "unexpected" not in err
    [case] = ET.parse(tmp_path / "o.xml").getroot().iter("testcase")
    assert case.get("name") == "subject.bsky.social"


def test_mastodon_account_without_followers_with_junit(capsys, tmp_path):
    with MastodonServer(n=0) as server:
        code, _, err = run_flat(
            capsys, "scan", "@subject@mastodon.example", "--api-url", server.url, "--no-cache",
            "--no-posts", "--junit", tmp_path / "o.xml",
        )  # fmt: skip
    assert code == ExitCode.OK, err
    assert "unexpected" not in err
    [case] = ET.parse(tmp_path / "o.xml").getroot().iter("testcase")
    assert case.get("name") == "@subject@mastodon.example"


def test_a_batch_with_an_account_that_scored_nothing_exports_both(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=30, twin="empty") as server:
        lookup = edit_json(
            "/by/username/empty",
            lambda body: {**body, "data": {**body["data"], "public_metrics": {
                **body["data"]["public_metrics"], "followers_count": 0}}},
        )  # fmt: skip
        followers = edit_json(
            f"/2/users/{TWIN_ID}/followers", lambda body: {"meta": {"result_count": 0}}
        )
        server.edit = lambda p, q, r: followers(p, q, lookup(p, q, r))
        code, _, err = run_flat(
            capsys, "scan", "@empty", "@subject", "--api-url", server.url, "--no-cache",
            "--no-posts", *_exports(tmp_path),
        )  # fmt: skip
    assert code == ExitCode.OK, err
    _check_batch(code, err, tmp_path, "@subject", "@empty")


# -- cause 3: a wrong JSON type in a post or a profile ----------------------------------


def _first_post(change: Callable[[dict[str, Any]], None]) -> Callable[[Any], Any]:
    """Return a body edit applying ``change`` to the first feed item of getAuthorFeed."""

    def edit(body: Any) -> Any:
        change(body["feed"][0])
        return body

    return edit


def _set_record(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda item: item["post"]["record"].__setitem__(key, value)


LINK = "app.bsky.richtext.facet#link"
BLUESKY_POSTS = {
    "record.reply is a string": _set_record("reply", "x"),
    "facets is a string": _set_record("facets", "abc"),
    "facets is a number": _set_record("facets", 5),
    "a facet index is a string": _set_record(
        "facets", [{"index": "x", "features": [{"$type": LINK, "uri": "https://a.example"}]}]
    ),
    "a facet is a string": _set_record("facets", ["x"]),
    "features is a number": _set_record("facets", [{"index": {}, "features": 7}]),
    "embed.external is a string": _set_record(
        "embed", {"$type": "app.bsky.embed.external", "external": "x"}
    ),
    "reply.parent.author is a string": lambda item: item.__setitem__(
        "reply", {"parent": {"author": "x"}}
    ),
    "item.reply is a list": lambda item: item.__setitem__("reply", [1]),
    # Not a wrong type, found by the property test: encoding the text for its byte offsets.
    "the text holds a lone surrogate": _set_record("text", "\ud800x"),
}


@pytest.mark.parametrize("case", sorted(BLUESKY_POSTS))
def test_bluesky_post_field_of_a_wrong_type_is_that_accounts_outcome(capsys, tmp_path, case):
    with BlueskyServer(n=20, twin="odd.bsky.social") as server:
        server.edit = edit_json(
            "getAuthorFeed", _first_post(BLUESKY_POSTS[case]), query={"actor": TWIN_DID}
        )
        code, _, err = run_flat(
            capsys, "scan", "odd.bsky.social", "subject.bsky.social", "--api-url", server.url,
            "--no-cache", *_exports(tmp_path),
        )  # fmt: skip
    _check_batch(code, err, tmp_path, "subject.bsky.social", "odd.bsky.social")


MASTODON_PROFILES = {
    "fields is a number": lambda body: {**body, "fields": 5},
    "fields is true": lambda body: {**body, "fields": True},
}


@pytest.mark.parametrize("case", sorted(MASTODON_PROFILES))
def test_mastodon_profile_field_of_a_wrong_type_is_that_accounts_outcome(capsys, tmp_path, case):
    with MastodonServer(n=20, twin="odd") as server:
        server.edit = edit_json("/accounts/lookup", MASTODON_PROFILES[case], query={"acct": "odd"})
        code, _, err = run_flat(
            capsys, "scan", "@odd@mastodon.example", "@subject@mastodon.example", "--api-url",
            server.url, "--no-cache", *_exports(tmp_path),
        )  # fmt: skip
    _check_batch(code, err, tmp_path, "@subject@mastodon.example", "@odd@mastodon.example")


X_POSTS = {
    "entities is a string": lambda post: post.__setitem__("entities", "x"),
    "public_metrics is a list": lambda post: post.__setitem__("public_metrics", [1]),
    "note_post.entities is a list": lambda post: post.__setitem__(
        "note_post", {"text": "long", "entities": [1]}
    ),
}


@pytest.mark.parametrize("case", sorted(X_POSTS))
def test_x_post_field_of_a_wrong_type_is_that_accounts_outcome(capsys, monkeypatch, tmp_path, case):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)

    def odd(body: Any) -> Any:
        X_POSTS[case](body["data"][0])
        return body

    with XServer(n=20, twin="odd") as server:
        server.edit = edit_json(f"/2/users/{TWIN_ID}/tweets", odd)
        code, _, err = run_flat(
            capsys, "scan", "@odd", "@subject", "--api-url", server.url, "--no-cache", "--yes",
            *_exports(tmp_path),
        )  # fmt: skip
    _check_batch(code, err, tmp_path, "@subject", "@odd")


X_PROFILES = {
    "entities is a string": "x",
    "entities.url is a list": {"url": [1]},
    "entities.url.urls is a number": {"url": {"urls": 5}},
}


@pytest.mark.parametrize("case", sorted(X_PROFILES))
def test_x_profile_field_of_a_wrong_type_is_that_accounts_outcome(
    capsys, monkeypatch, tmp_path, case
):
    # Read at the lookup (website_from_x_user), before the per-account audit.
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)

    def odd(body: Any) -> Any:
        body["data"]["entities"] = X_PROFILES[case]
        return body

    with XServer(n=20, twin="odd") as server:
        server.edit = edit_json("/by/username/odd", odd)
        code, _, err = run_flat(
            capsys, "scan", "@odd", "@subject", "--api-url", server.url, "--no-cache", "--no-posts",
            *_exports(tmp_path),
        )  # fmt: skip
    _check_batch(code, err, tmp_path, "@subject", "@odd")
