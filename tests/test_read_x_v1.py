"""X API v1.1 user objects, as JSON or flattened to CSV like cresci-2015, become canonical rows."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from followaudit.accounts import TableBuilder
from followaudit.formats import RecordError, read_accounts, x_v1

FIXTURES = Path(__file__).parent / "fixtures"


def test_json_users_map_v1_field_names() -> None:
    result = read_accounts(FIXTURES / "x_v1_users.json")
    assert result.format == "x-v1"
    person, bought = result.table.to_dict("records")
    assert person["id"] == "3000000001"
    assert person["handle"] == "demo_quietotter"
    assert (person["posts"], person["followers"], person["following"]) == (2210, 150, 98)
    assert (person["likes"], person["listed"]) == (40, 2)
    assert person["created_at"] == pd.Timestamp("2007-04-06T10:58:22Z")
    assert (person["has_url"], person["has_location"], person["default_avatar"]) == (1, 1, 0)
    assert person["bio_length"] == len("Birdwatching and long walks.")
    assert (bought["has_url"], bought["has_location"], bought["default_avatar"]) == (0, 0, 1)
    assert bought["handle_digits"] == 4


def test_created_at_offset_is_converted_to_utc() -> None:
    result = read_accounts(FIXTURES / "x_v1_users.json")
    assert result.table.loc[1, "created_at"] == pd.Timestamp("2013-04-03T04:15:00Z")


def test_cresci_csv_booleans_are_one_or_empty() -> None:
    result = read_accounts(FIXTURES / "cresci_layout.csv")
    assert result.format == "x-v1"
    assert result.warnings == []
    table = result.table
    # "" -> false, "1.0" -> true, "1" -> true
    assert list(table["default_avatar"]) == [0, 1, 1]
    assert list(table["has_url"]) == [1, 0, 0]
    assert list(table["has_location"]) == [1, 0, 1]
    assert list(table["likes"]) == [35, 0, 1]
    assert list(table["handle_digits"]) == [0, 5, 1]


def test_cresci_csv_multiline_bio_keeps_line_numbers_true() -> None:
    table = read_accounts(FIXTURES / "cresci_layout.csv").table
    assert list(table["line"]) == [2, 3, 5]
    assert table.loc[1, "bio_length"] == len("line one\nline two")


def test_csv_without_optional_column_is_unknown_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text(
        "screen_name,statuses_count,followers_count,friends_count,created_at\n"
        "demo_a,1,2,3,Fri Apr 06 10:58:22 +0000 2007\n"
        "demo_b,1,2,3,Fri Apr 06 10:58:22 +0000 2007\n",
        encoding="utf-8",
    )
    result = read_accounts(path)
    assert result.table["default_avatar"].isna().all()
    assert result.table["likes"].isna().all()
    assert sum("default_profile_image" in warning for warning in result.warnings) == 1


def test_csv_boolean_that_is_not_a_boolean_skips_the_row(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text(
        "screen_name,statuses_count,followers_count,friends_count,default_profile_image\n"
        "demo_a,1,2,3,1\n"
        "demo_b,1,2,3,maybe\n",
        encoding="utf-8",
    )
    result = read_accounts(path)
    assert len(result.table) == 1
    assert result.skipped[0].line == 3
    assert "default_profile_image" in result.skipped[0].reason


def test_add_csv_row_needs_the_counts() -> None:
    with pytest.raises(RecordError, match="no friends_count"):
        x_v1.add_csv_row(TableBuilder(), {"statuses_count": "1", "followers_count": "2"}, 1)


def test_add_user_null_url_means_no_url() -> None:
    builder = TableBuilder()
    x_v1.add_user(
        builder,
        {"statuses_count": 1, "followers_count": 2, "friends_count": 3, "url": None},
        1,
    )
    row = builder.to_frame().loc[0]
    assert row["has_url"] == 0
    assert math.isnan(row["default_avatar"])
