"""X API v2 user objects become canonical rows with the documented meaning."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from followaudit.accounts import CANONICAL_COLUMNS, TableBuilder
from followaudit.formats import RecordError, read_accounts, x_v2

FIXTURES = Path(__file__).parent / "fixtures"


def write_jsonl(tmp_path: Path, users: list[dict]) -> Path:
    path = tmp_path / "followers.jsonl"
    path.write_text("".join(json.dumps(user) + "\n" for user in users), encoding="utf-8")
    return path


def user(**overrides: object) -> dict:
    base: dict = {
        "id": "42",
        "username": "demo_a1b2",
        "name": "Demo",
        "created_at": "2019-01-01T00:00:00.000Z",
        "description": "hello",
        "location": "Westmere",
        "url": "",
        "profile_image_url": "https://pbs.twimg.com/profile_images/1/x_normal.jpg",
        "public_metrics": {
            "followers_count": 10,
            "following_count": 20,
            "post_count": 30,
            "listed_count": 1,
            "like_count": 5,
        },
    }
    base.update(overrides)
    return base


def test_followers_page_maps_every_field() -> None:
    result = read_accounts(FIXTURES / "x_v2_followers_page.json")
    assert result.format == "x-v2"
    assert list(result.table.columns) == list(CANONICAL_COLUMNS)
    person, bought = result.table.to_dict("records")
    assert person["platform"] == "x"
    assert person["id"] == "1500000000000000001"
    assert person["handle"] == "demo_fernharbor"
    assert person["created_at"] == pd.Timestamp("2012-05-14T09:30:00Z")
    assert (person["posts"], person["followers"], person["following"]) == (4810, 312, 205)
    assert (person["likes"], person["listed"]) == (9120, 7)
    assert person["bio_length"] == len("Maps, bread and bicycles.")
    assert person["name_length"] == len("Fern Harbor")
    assert person["handle_digits"] == 0
    assert (person["has_url"], person["has_location"], person["default_avatar"]) == (1, 1, 0)
    assert bought["handle_digits"] == 8
    assert (bought["has_url"], bought["has_location"], bought["default_avatar"]) == (0, 0, 1)
    assert bought["bio_length"] == 0


def test_records_start_on_their_own_line_in_a_pretty_printed_page() -> None:
    result = read_accounts(FIXTURES / "x_v2_followers_page.json")
    assert list(result.table["line"]) == [3, 38]


def test_post_count_and_older_tweet_count_are_both_posts(tmp_path: Path) -> None:
    new = user(public_metrics={"followers_count": 1, "following_count": 2, "post_count": 7})
    old = user(
        id="43", public_metrics={"followers_count": 1, "following_count": 2, "tweet_count": 9}
    )
    result = read_accounts(write_jsonl(tmp_path, [new, old]))
    assert list(result.table["posts"]) == [7, 9]


def test_absent_like_count_is_unknown_not_zero(tmp_path: Path) -> None:
    metrics = {"followers_count": 1, "following_count": 2, "post_count": 3, "like_count": None}
    result = read_accounts(write_jsonl(tmp_path, [user(public_metrics=metrics)]))
    assert math.isnan(result.table.loc[0, "likes"])
    assert math.isnan(result.table.loc[0, "listed"])


def test_absent_profile_image_leaves_default_avatar_unknown(tmp_path: Path) -> None:
    record = user()
    del record["profile_image_url"]
    result = read_accounts(write_jsonl(tmp_path, [record]))
    assert math.isnan(result.table.loc[0, "default_avatar"])


def test_description_absent_from_one_user_means_empty_bio(tmp_path: Path) -> None:
    without = user(id="43")
    del without["description"]
    result = read_accounts(write_jsonl(tmp_path, [user(), without]))
    assert list(result.table["bio_length"]) == [5, 0]


def test_field_absent_from_every_user_is_unknown_with_a_warning(tmp_path: Path) -> None:
    records = [user(), user()]
    for record in records:
        del record["description"]
        del record["location"]
    result = read_accounts(write_jsonl(tmp_path, records))
    assert result.table["bio_length"].isna().all()
    assert result.table["has_location"].isna().all()
    assert result.table["has_url"].notna().all()
    assert any("description" in warning and "user.fields" in warning for warning in result.warnings)


def test_user_without_public_metrics_is_skipped_not_scored_as_zeros(tmp_path: Path) -> None:
    bare = user()
    del bare["public_metrics"]
    result = read_accounts(write_jsonl(tmp_path, [user(), bare]))
    assert len(result.table) == 1
    assert result.skipped[0].line == 2
    assert "public_metrics" in result.skipped[0].reason


def test_missing_created_at_is_unknown_age_with_a_warning(tmp_path: Path) -> None:
    undated = user()
    del undated["created_at"]
    result = read_accounts(write_jsonl(tmp_path, [undated]))
    assert pd.isna(result.table.loc[0, "created_at"])
    assert any("creation date" in warning for warning in result.warnings)


def test_add_user_appends_one_row() -> None:
    builder = TableBuilder()
    x_v2.add_user(builder, user(), 7)
    frame = builder.to_frame()
    assert frame.loc[0, "line"] == 7
    assert frame.loc[0, "created_at"] == datetime(2019, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"id": "1", "username": "x"}, "no public_metrics"),
        (user(public_metrics=[1, 2]), "public_metrics is not an object"),
        (user(public_metrics={"followers_count": 1, "following_count": 2}), "no post_count"),
        (
            user(public_metrics={"followers_count": "many", "following_count": 2, "post_count": 1}),
            "followers_count is not a number",
        ),
        (user(created_at="yesterday"), "created_at is not a date"),
        (user(description=17), "description is not text"),
        ("not an object", "not a JSON object"),
    ],
)
def test_add_user_refuses_malformed_objects_with_a_reason(record: object, reason: str) -> None:
    builder = TableBuilder()
    with pytest.raises(RecordError, match=reason):
        x_v2.add_user(builder, record, 1)  # type: ignore[arg-type]
    assert len(builder) == 0


def test_errors_beside_data_are_a_warning(tmp_path):
    import json

    from followaudit.formats import read_accounts

    user = json.loads(
        (Path(__file__).resolve().parents[1] / "examples" / "followers.jsonl")
        .read_text()
        .splitlines()[0]
    )
    page = {
        "data": [user],
        "errors": [
            {"detail": "Could not find user with ids: [1].", "title": "Not Found Error"},
            {"detail": "Could not find user with ids: [2].", "title": "Not Found Error"},
        ],
    }
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    result = read_accounts(path)
    assert len(result.table) == 1
    assert any("could not return 2 accounts" in w for w in result.warnings)
