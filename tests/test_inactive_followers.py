"""Inactive followers (no post in 12 months, or never) are told apart, on every platform and export.

Issue 18, item 4. What each platform gives with a profile, checked against the
reference documents: X's User schema has ``most_recent_post_id`` (a snowflake
whose time is in its upper bits), Mastodon's Account ``last_status_at`` (a
date), Bluesky's profileViewDetailed nothing of the kind; a post count of 0
anywhere means never posted.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from clirun import run
from fakes.bluesky_server import BlueskyServer, profile_detailed
from fakes.mastodon_server import MastodonServer
from fakes.mastodon_server import account as mastodon_account
from fakes.x_server import TOKEN, XServer, post_id_at, x_user

from followaudit.accounts import TableBuilder, inactive
from followaudit.analysis.summary import (
    INACTIVE_MEANS,
    Inactive,
    inactive_followers,
    inactive_sentence,
)
from followaudit.errors import ExitCode
from followaudit.formats import bluesky, mastodon, read_accounts, x_v1, x_v2
from followaudit.live.platforms.x import USER_FIELDS

ROOT = Path(__file__).resolve().parents[1]
# What the reference documents say each profile holds, copied from ../shared/reference/
# (the copy is checked against it wherever it sits beside the checkout).
REFERENCE = ROOT.parent / "shared" / "reference"
FIELDS = json.loads(
    (ROOT / "tests" / "fixtures" / "reference_profile_fields.json").read_text(encoding="utf-8")
)
AS_OF = datetime(2026, 3, 1, tzinfo=UTC)


def one(add, record) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    builder = TableBuilder()
    add(builder, record, 1)
    return builder.to_frame()


def x_record(**extra: object) -> dict[str, object]:
    return {
        "id": "1",
        "username": "a",
        "public_metrics": {"followers_count": 5, "following_count": 9, "post_count": 3},
        **extra,
    }


def test_x_gives_the_time_inside_its_most_recent_post_id() -> None:
    # 1796531951345775591 >> 22 = 428326595150 ms after 2010-11-04T01:42:54.657Z.
    table = one(x_v2.add_user, x_record(most_recent_post_id="1796531951345775591"))
    assert table["last_post_at"][0] == pd.Timestamp("2024-05-31T13:19:29.807Z")
    moment = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
    table = one(x_v2.add_user, x_record(most_recent_tweet_id=post_id_at(moment, 7)))
    assert table["last_post_at"][0] == pd.Timestamp(moment)
    assert pd.isna(one(x_v2.add_user, x_record())["last_post_at"][0])


@pytest.mark.parametrize("bad", ["12ab", "-5", "1.5", "9" * 25, True, [1]])
def test_a_malformed_post_id_is_a_skipped_record_with_its_reason(bad: object) -> None:
    with pytest.raises(ValueError, match="most_recent_post_id is not a post id"):
        one(x_v2.add_user, x_record(most_recent_post_id=bad))


def test_x_requests_the_field_the_user_schema_names() -> None:
    assert "most_recent_post_id" in USER_FIELDS.split(",")
    assert set(USER_FIELDS.split(",")) <= set(FIELDS["x_user_properties"])
    # The spec's user.fields list leaves it out (pinned_post_id too): the schema is what the
    # API returns, so the schema's name is the one asked for.
    assert "most_recent_post_id" not in FIELDS["x_user_fields_parameter"]


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not beside the checkout")
def test_the_copied_profile_fields_are_the_references() -> None:
    import re

    spec = json.loads((REFERENCE / "x-api-v2" / "openapi.json").read_text(encoding="utf-8"))
    parameter = spec["components"]["parameters"]["UserFieldsParameter"]["schema"]["items"]
    lexicon = json.loads(
        (REFERENCE / "bluesky-lexicons" / "actor_defs.json").read_text(encoding="utf-8")
    )
    docs = (REFERENCE / "mastodon-docs" / "Account.md").read_text(encoding="utf-8")
    assert FIELDS["x_user_properties"] == sorted(
        spec["components"]["schemas"]["User"]["properties"]
    )
    assert FIELDS["x_user_fields_parameter"] == parameter["enum"]
    assert FIELDS["bluesky_profile_view_detailed_properties"] == sorted(
        lexicon["defs"]["profileViewDetailed"]["properties"]
    )
    assert FIELDS["mastodon_account_attributes"] == sorted(
        set(re.findall(r"^### `([a-z_]+)`", docs, re.MULTILINE))
    )


def test_x_v1_gives_its_embedded_status_time() -> None:
    user = {
        "screen_name": "a",
        "statuses_count": 3,
        "followers_count": 5,
        "friends_count": 9,
        "status": {"created_at": "Fri Apr 06 10:58:22 +0000 2018", "text": "hi"},
    }
    assert one(x_v1.add_user, user)["last_post_at"][0] == pd.Timestamp("2018-04-06T10:58:22Z")
    del user["status"]
    assert pd.isna(one(x_v1.add_user, user)["last_post_at"][0])


def test_mastodon_gives_last_status_at_and_bluesky_nothing() -> None:
    assert "last_status_at" in FIELDS["mastodon_account_attributes"]
    record = dict(mastodon_account(1), last_status_at="2025-01-20", statuses_count=40)
    table = one(mastodon.add_account, record)
    assert table["last_post_at"][0] == pd.Timestamp("2025-01-20T00:00:00Z")
    table = one(mastodon.add_account, dict(record, last_status_at=None))
    assert pd.isna(table["last_post_at"][0])
    bluesky_fields = FIELDS["bluesky_profile_view_detailed_properties"]
    assert "postsCount" in bluesky_fields
    assert not [name for name in bluesky_fields if "last" in name.lower()]
    assert pd.isna(one(bluesky.add_profile, profile_detailed(1))["last_post_at"][0])


def test_the_mastodon_fixture_carries_last_status_at() -> None:
    read = read_accounts(ROOT / "tests" / "fixtures" / "mastodon_followers.json", as_of=AS_OF)
    times = read.table["last_post_at"]
    assert times.notna().any() and times.isna().any()


def table_of(posts: list[float], last: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {"posts": posts, "last_post_at": pd.to_datetime(pd.Series(last, dtype=object), utc=True)}
    )


def test_inactive_means_no_post_in_12_months_or_never() -> None:
    rows = table_of(
        [0, 50, 50, 50, 50, 0],
        [
            None,  # never posted
            "2025-02-28T23:59:00Z",  # a year and a minute ago
            "2025-03-01T00:00:00Z",  # 365 days ago to the second: still active
            "2026-02-01T00:00:00Z",  # last month
            None,  # posts, but when is not said (Bluesky)
            "2026-01-15T00:00:00Z",  # the count lags a recent post: active
        ],
    )
    flags = inactive(rows, AS_OF)
    assert flags[:4].tolist() == [1.0, 1.0, 0.0, 0.0]
    assert math.isnan(flags[4]) and flags[5] == 0.0


def test_the_summary_counts_them_apart_from_questionable() -> None:
    rows = table_of([0, 0, 80, 80, 80], [None, None, "2020-01-01", "2026-02-01", None])
    rows["label"] = ["questionable", "authentic", "questionable", "authentic", "authentic"]
    rows["inactive"] = inactive(rows, AS_OF)
    counted = inactive_followers(rows)
    assert counted == Inactive(accounts=3, never_posted=2, known=4, questionable=2)
    sentence = inactive_sentence(
        {"accounts": 3, "never_posted": 2, "known": 4, "questionable": 2}, 5
    )
    assert sentence == (
        "Inactive: at least 3 of 5 scored followers (60.0%) have not posted in 12 months "
        "(2 never posted); 2 of them score as questionable; when 1 last posted is not known."
    )
    whole = inactive_sentence({"accounts": 0, "never_posted": 0, "known": 5, "questionable": 0}, 5)
    assert whole == (
        "Inactive: 0 of 5 scored followers (0.0%) have not posted in 12 months (0 never posted)."
    )
    assert "counted apart" in INACTIVE_MEANS and "never for being inactive" in INACTIVE_MEANS


def scan(capsys, tmp_path, handle, server, *extra):  # type: ignore[no-untyped-def]
    csv_path, json_path = tmp_path / "followers.csv", tmp_path / "scan.json"
    code, out, err = run(
        capsys,
        "scan",
        "--yes",
        handle,
        "--api-url",
        server.url,
        "--cache",
        tmp_path / "cache.sqlite3",
        "--no-posts",
        "--csv",
        csv_path,
        "--json",
        json_path,
        "--summary-csv",
        tmp_path / "summary.csv",
        "--junit",
        tmp_path / "junit.xml",
        *extra,
    )
    assert code == ExitCode.OK, err
    audit = json.loads(json_path.read_text())["audits"][0]
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    summary_row = next(csv.DictReader((tmp_path / "summary.csv").open(encoding="utf-8")))
    return " ".join(out.split()), audit, rows, summary_row


def check_exports(out, audit, rows, summary_row, tmp_path, expected_inactive):  # type: ignore[no-untyped-def]
    counted = audit["summary"]["inactive"]
    assert counted["accounts"] == expected_inactive
    assert "Inactive: " in out and INACTIVE_MEANS in out
    assert f"{expected_inactive:,} of {audit['summary']['scored']:,} scored followers" in out
    # Each account row says when it last posted and whether that makes it inactive.
    assert sum(r["inactive"] == "1" for r in rows) == expected_inactive
    assert all(r["inactive"] in ("0", "1", "") for r in rows)
    assert sum(a["inactive"] == 1 for a in audit["accounts"]) == expected_inactive
    assert summary_row["inactive"] == str(expected_inactive)
    assert f'name="inactive_followers" value="{expected_inactive}"' in (
        tmp_path / "junit.xml"
    ).read_text(encoding="utf-8")


def test_x_scan_reports_inactive_followers_everywhere(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=300) as server:
        out, audit, rows, summary_row = scan(capsys, tmp_path, "@subject", server)
    users = [x_user(i) for i in range(300)]
    now = datetime.now(UTC)
    expected = 0
    for user in users:
        last = user.get("most_recent_post_id")
        if user["public_metrics"]["post_count"] == 0:
            expected += 1
        else:
            moment = datetime.fromtimestamp(((int(last) >> 22) + 1288834974657) / 1000, tz=UTC)
            expected += moment < now - timedelta(days=365)
    assert 0 < expected < 300
    check_exports(out, audit, rows, summary_row, tmp_path, expected)
    assert audit["summary"]["inactive"]["known"] == 300  # every X follower's activity is known
    assert all(
        r["last_post_at"] for r, u in zip(rows, users, strict=True) if "most_recent_post_id" in u
    )


def test_mastodon_scan_reports_inactive_followers_everywhere(capsys, tmp_path):
    with MastodonServer(n=160) as server:
        out, audit, rows, summary_row = scan(capsys, tmp_path, "@subject@localhost", server)
    accounts = [mastodon_account(i) for i in range(160)]
    cutoff = (datetime.now(UTC) - timedelta(days=365)).date().isoformat()
    expected = sum(
        a["statuses_count"] == 0 or (a["last_status_at"] or "9999") < cutoff for a in accounts
    )
    check_exports(out, audit, rows, summary_row, tmp_path, expected)


def test_bluesky_scan_counts_only_those_that_never_posted(capsys, tmp_path):
    with BlueskyServer(n=120) as server:
        out, audit, rows, summary_row = scan(capsys, tmp_path, "subject.bsky.social", server)
    never = sum(profile_detailed(i)["postsCount"] == 0 for i in range(120))
    check_exports(out, audit, rows, summary_row, tmp_path, never)
    assert audit["summary"]["inactive"]["known"] == never
    assert f"when {120 - never:,} last posted is not known" in out
    assert all(r["last_post_at"] == "" for r in rows)
    # The stored scan's HTML report says it too.
    html = tmp_path / "report.html"
    code, _, err = run(
        capsys,
        "report",
        "subject.bsky.social",
        "--cache",
        tmp_path / "cache.sqlite3",
        "--html",
        html,
    )
    assert code == ExitCode.OK, err
    page = html.read_text(encoding="utf-8")
    assert 'id="inactive"' in page and "counted apart" in page


def test_last_post_at_survives_the_csv_round_trip(capsys, tmp_path):
    source = tmp_path / "accounts.csv"
    source.write_text(
        "handle,created_at,posts,followers,following,last_post_at\n"
        "a,2016-03-04,800,120,95,2019-01-02T03:04:05Z\n"
        "b,2016-03-04,0,1,900,\n"
        "c,2016-03-04,40,10,20,\n",
        encoding="utf-8",
    )
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    for target, path in ((source, first), (first, second)):
        code, _, err = run(
            capsys, "score", target, "--as-of", "2026-01-01", "--csv", path, "--quiet"
        )
        assert code == ExitCode.OK, err
    rows = list(csv.DictReader(first.open(encoding="utf-8")))
    assert [(r["last_post_at"], r["inactive"]) for r in rows] == [
        ("2019-01-02T03:04:05Z", "1"),
        ("", "1"),
        ("", ""),
    ]
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_the_python_api_gives_the_columns() -> None:
    import warnings

    import followaudit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = followaudit.score(
            [
                {"posts": 0, "followers": 1, "following": 9, "created_at": "2020-01-01"},
                {
                    "posts": 9,
                    "followers": 1,
                    "following": 9,
                    "created_at": "2020-01-01",
                    "last_post_at": "2025-12-24",
                },
            ],
            as_of="2026-01-01",
        )
    assert rows["inactive"].tolist() == [1.0, 0.0]
    assert pd.isna(rows["last_post_at"].iloc[0])
