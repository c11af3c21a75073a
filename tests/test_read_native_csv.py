"""followaudit's own CSV columns: documented meaning, unknown stays NaN, booleans parse strictly."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from followaudit.errors import InputError
from followaudit.formats import read_accounts

FIXTURES = Path(__file__).parent / "fixtures"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "followers.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_columns_map_to_the_canonical_table() -> None:
    result = read_accounts(FIXTURES / "native.csv")
    assert result.format == "csv"
    clover, nimbus, yarrow = result.table.to_dict("records")
    assert clover["handle"] == "demo_clover"
    assert clover["platform"] == "unknown"
    assert clover["created_at"] == pd.Timestamp("2016-03-04T00:00:00Z")
    assert (clover["posts"], clover["followers"], clover["following"], clover["likes"]) == (
        800,
        120,
        95,
        300,
    )
    assert clover["bio_length"] == len("Gardening in a tiny balcony.")
    assert (clover["has_url"], clover["has_location"], clover["default_avatar"]) == (1, 1, 0)
    assert nimbus["handle_digits"] == 6
    assert nimbus["default_avatar"] == 1
    assert (nimbus["bio_length"], nimbus["has_url"]) == (0, 0)
    assert math.isnan(nimbus["likes"])
    assert pd.isna(yarrow["created_at"])
    assert yarrow["default_avatar"] == 0


def test_missing_optional_columns_are_unknown_with_one_warning_each(tmp_path: Path) -> None:
    result = read_accounts(
        write(
            tmp_path, "posts,followers,following,created_at\n1,2,3,2020-01-01\n4,5,6,2020-01-01\n"
        )
    )
    table = result.table
    for column in (
        "likes",
        "listed",
        "bio_length",
        "name_length",
        "handle_digits",
        "has_url",
        "has_location",
        "default_avatar",
    ):
        assert table[column].isna().all(), column
    assert len(result.warnings) == 8
    assert any("no likes column" in warning for warning in result.warnings)


@pytest.mark.parametrize(
    ("cell", "value"),
    [("true", 1), ("FALSE", 0), ("1", 1), ("0", 0), ("1.0", 1), ("yes", 1), ("No", 0), ("", None)],
)
def test_boolean_cells(tmp_path: Path, cell: str, value: int | None) -> None:
    path = write(
        tmp_path, f"posts,followers,following,created_at,default_avatar\n1,2,3,2020-01-01,{cell}\n"
    )
    got = read_accounts(path).table.loc[0, "default_avatar"]
    assert math.isnan(got) if value is None else got == value


def test_number_columns_instead_of_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "posts,followers,following,created_at,"
        "bio_length,name_length,has_url,has_location,handle_digits\n"
        "1,2,3,2020-01-01,12,,1,0,3\n",
    )
    row = read_accounts(path).table.loc[0]
    assert (row["bio_length"], row["has_url"], row["has_location"], row["handle_digits"]) == (
        12,
        1,
        0,
        3,
    )
    assert math.isnan(row["name_length"])


def test_empty_required_count_skips_the_row(tmp_path: Path) -> None:
    path = write(
        tmp_path, "posts,followers,following,created_at\n1,2,3,2020-01-01\n,2,3,2020-01-01\n"
    )
    result = read_accounts(path)
    assert len(result.table) == 1
    assert [(item.line, item.reason) for item in result.skipped] == [(3, "no posts count")]


def test_non_numeric_cell_skips_the_row_with_the_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path, "posts,followers,following,created_at\n1,2,3,2020-01-01\n1,lots,3,2020-01-01\n"
    )
    result = read_accounts(path)
    assert result.skipped[0].line == 3
    assert result.skipped[0].reason == "followers is not a number: 'lots'"


def test_semicolon_separated_file(tmp_path: Path) -> None:
    path = write(tmp_path, "posts;followers;following;created_at\n1;2;3;2020-01-01\n")
    assert read_accounts(path).table.loc[0, "following"] == 3


def test_missing_required_column_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, "posts,followers,created_at\n1,2,2020-01-01\n")
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    assert str(caught.value) == (
        f"{path}, line 1: the CSV header has no following column, which csv data needs"
    )


def test_column_names_ignore_case_and_spaces(tmp_path: Path) -> None:
    path = write(tmp_path, "Posts, Followers ,FOLLOWING,Created_At\n1,2,3,2020-01-01\n")
    row = read_accounts(path).table.loc[0]
    assert (row["posts"], row["followers"], row["following"]) == (1, 2, 3)
