"""Mastodon Account entities become canonical rows (HTML notes, missing.png avatars, links)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from followaudit.accounts import TableBuilder
from followaudit.formats import RecordError, mastodon, read_accounts

FIXTURES = Path(__file__).parent / "fixtures"


def test_followers_array_maps_every_field() -> None:
    result = read_accounts(FIXTURES / "mastodon_followers.json")
    assert result.format == "mastodon"
    person, bought = result.table.to_dict("records")
    assert person["platform"] == "mastodon"
    assert person["handle"] == "demo_saffron@social.example"
    assert (person["posts"], person["followers"], person["following"]) == (3100, 240, 180)
    assert person["created_at"] == pd.Timestamp("2022-11-03T00:00:00Z")
    # "Gardener & reader.\nPosts by @demo_fern #garden"
    assert person["bio_length"] == len("Gardener & reader.\nPosts by @demo_fern #garden")
    assert person["name_length"] == len("Saffron & Dune")
    assert (person["has_url"], person["default_avatar"]) == (1, 0)
    assert bought["created_at"] == pd.Timestamp("2025-03-01T00:00:00Z")
    assert (bought["has_url"], bought["default_avatar"]) == (0, 1)
    assert bought["handle_digits"] == 4


def test_platform_features_mastodon_lacks_are_unknown_not_zero() -> None:
    table = read_accounts(FIXTURES / "mastodon_followers.json").table
    for column in ("likes", "listed", "has_location"):
        assert table[column].isna().all(), column


@pytest.mark.parametrize(
    ("url", "default"),
    [
        ("https://mastodon.social/avatars/original/missing.png", True),
        ("https://cdn.example/site/avatars/original/missing.png?v=2", True),
        ("https://files.example/accounts/avatars/000/001/original/abc.png", False),
        ("https://files.example/accounts/avatars/000/001/original/not-missing.png", False),
        (None, True),
    ],
)
def test_is_default_avatar(url: str | None, default: bool) -> None:
    assert mastodon.is_default_avatar(url) is default


def account(**overrides: object) -> dict:
    base: dict = {
        "id": "1",
        "acct": "demo",
        "statuses_count": 1,
        "followers_count": 2,
        "following_count": 3,
        "created_at": "2020-01-01T00:00:00.000Z",
        "note": "",
        "avatar": "https://x.example/avatars/original/missing.png",
        "fields": [],
    }
    base.update(overrides)
    return base


def test_a_link_in_the_note_counts_as_a_url_but_a_mention_does_not() -> None:
    builder = TableBuilder()
    mastodon.add_account(builder, account(note='<p>see <a href="https://example.org">x</a></p>'), 1)
    mastodon.add_account(
        builder,
        account(note='<p><a href="https://s.example/@a" class="u-url mention">@a</a></p>'),
        2,
    )
    assert list(builder.to_frame()["has_url"]) == [1, 0]


def test_add_account_needs_the_counts() -> None:
    record = account()
    del record["following_count"]
    with pytest.raises(RecordError, match="no following_count"):
        mastodon.add_account(TableBuilder(), record, 1)
