"""Values no real account can have are skipped with a reason, never scored or crashed on."""

import pytest

from followaudit.formats import read_accounts

HEADER = "handle,posts,followers,following,created_at\n"


def read_csv(tmp_path, rows):
    path = tmp_path / "followers.csv"
    path.write_text(HEADER + rows)
    return read_accounts(path, as_of=None)


@pytest.mark.parametrize(
    "created_at, reason",
    [
        ("9999-12-31", "is not a plausible date"),
        ("0001-01-01", "before any supported platform existed"),
        ("1970-01-01T00:00:00Z", "before any supported platform existed"),
        ("Fri Apr 06 10:58:22 +0000 1999", "before any supported platform existed"),
    ],
)
def test_impossible_creation_dates_are_skipped(tmp_path, created_at, reason):
    result = read_csv(tmp_path, f"odd,1,2,3,{created_at}\nfine,5,6,7,2015-01-01\n")
    assert list(result.table["handle"]) == ["fine"]
    assert result.skipped[0].line == 2
    assert reason in result.skipped[0].reason


@pytest.mark.parametrize(
    "followers, reason",
    [
        ("2.5", "not a plausible count"),
        ("inf", "not a plausible count"),
        ("1e400", "not a plausible count"),
        ("99999999999999999999", "not a plausible count"),
        ("lots", "is not a number"),
    ],
)
def test_counts_that_cannot_be_real_are_skipped(tmp_path, followers, reason):
    result = read_csv(tmp_path, f"odd,1,{followers},3,2015-01-01\nfine,5,6,7,2015-01-01\n")
    assert list(result.table["handle"]) == ["fine"]
    assert reason in result.skipped[0].reason


def test_a_bluesky_profile_with_a_zero_date_does_not_break_the_file(tmp_path):
    import json

    good = {
        "did": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
        "handle": "a.bsky.social",
        "followersCount": 5,
        "followsCount": 9,
        "postsCount": 40,
        "createdAt": "2023-05-01T00:00:00.000Z",
    }
    odd = dict(
        good,
        did="did:plc:bbbbbbbbbbbbbbbbbbbbbbbb",
        handle="b.bsky.social",
        createdAt="0001-01-01T00:00:00.000Z",
    )
    path = tmp_path / "profiles.jsonl"
    path.write_text(json.dumps(odd) + "\n" + json.dumps(good) + "\n")
    result = read_accounts(path)
    assert list(result.table["handle"]) == ["a.bsky.social"]
    assert "before any supported platform existed" in result.skipped[0].reason
