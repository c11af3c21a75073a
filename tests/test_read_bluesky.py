"""Bluesky profileViewDetailed objects become rows; profileViews without counts are refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from followaudit.accounts import TableBuilder
from followaudit.errors import InputError
from followaudit.formats import RecordError, bluesky, read_accounts

FIXTURES = Path(__file__).parent / "fixtures"
ADVICE = (
    "these are profileView objects without counts; fetch them with "
    "app.bsky.actor.getProfiles or use followaudit scan"
)


def test_get_profiles_page_maps_every_field() -> None:
    result = read_accounts(FIXTURES / "bluesky_getProfiles.json")
    assert result.format == "bluesky"
    person, bought = result.table.to_dict("records")
    assert person["platform"] == "bluesky"
    assert person["id"] == "did:plc:demo0000000000000000001"
    assert person["handle"] == "demo-heron.bsky.social"
    assert (person["posts"], person["followers"], person["following"]) == (1280, 420, 310)
    assert person["created_at"] == pd.Timestamp("2023-05-02T18:20:11.123Z")
    assert person["bio_length"] == len("Weekend potter. Posts about clay.")
    assert person["name_length"] == len("Heron Willow")
    assert (person["has_url"], person["default_avatar"]) == (1, 0)
    assert (bought["has_url"], bought["default_avatar"]) == (0, 1)
    assert (bought["bio_length"], bought["name_length"], bought["handle_digits"]) == (0, 0, 5)


def test_platform_features_bluesky_lacks_are_unknown_not_zero() -> None:
    table = read_accounts(FIXTURES / "bluesky_getProfiles.json").table
    for column in ("likes", "listed", "has_location"):
        assert table[column].isna().all(), column


def test_no_website_anywhere_in_the_file_leaves_has_url_unknown(tmp_path: Path) -> None:
    page = json.loads((FIXTURES / "bluesky_getProfiles.json").read_text(encoding="utf-8"))
    for profile in page["profiles"]:
        profile.pop("website", None)
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    result = read_accounts(path)
    assert result.table["has_url"].isna().all()
    assert any("website" in warning for warning in result.warnings)


def test_get_followers_page_is_refused_with_advice() -> None:
    with pytest.raises(InputError) as caught:
        read_accounts(FIXTURES / "bluesky_getFollowers.json")
    assert str(caught.value) == (f"{FIXTURES / 'bluesky_getFollowers.json'}, line 8: {ADVICE}")


def test_add_profile_refuses_a_profile_view() -> None:
    profile = {"did": "did:plc:demo1", "handle": "demo.bsky.social"}
    with pytest.raises(RecordError, match="profileView objects without counts"):
        bluesky.add_profile(TableBuilder(), profile, 1)


def test_add_profile_without_created_at_leaves_age_unknown() -> None:
    builder = TableBuilder()
    bluesky.add_profile(
        builder,
        {
            "did": "did:plc:d",
            "handle": "d.bsky.social",
            "postsCount": 1,
            "followersCount": 2,
            "followsCount": 3,
        },
        4,
    )
    row = builder.to_frame().loc[0]
    assert pd.isna(row["created_at"])
    assert math.isnan(row["likes"])
