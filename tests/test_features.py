"""compute_features: fixed columns, ratios, age, and unknown values staying unknown."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from followaudit.accounts import make_table
from followaudit.model.features import (
    FEATURE_COLUMNS,
    FEATURE_DESCRIPTIONS,
    X_ONLY_FEATURES,
    compute_features,
    mask_features,
)

AS_OF = pd.Timestamp("2024-03-01T00:00:00Z")


def table(**columns: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "created_at": ["2024-02-20T00:00:00Z"],
        "posts": [100.0],
        "followers": [9.0],
        "following": [300.0],
        "likes": [20.0],
        "listed": [1.0],
        "bio_length": [12.0],
        "name_length": [7.0],
        "handle_digits": [3.0],
        "has_url": [1.0],
        "has_location": [0.0],
        "default_avatar": [0.0],
    }
    n = len(next(iter(columns.values()))) if columns else 1
    full = {k: (v * n if len(v) == 1 else v) for k, v in base.items()}
    full.update(columns)
    return make_table(full)


def test_columns_dtype_and_index() -> None:
    accounts = table().set_axis([42])
    features = compute_features(accounts, AS_OF)
    assert tuple(features.columns) == FEATURE_COLUMNS
    assert list(features.index) == [42]
    assert all(dtype == np.float64 for dtype in features.dtypes)


def test_age_and_rates() -> None:
    row = compute_features(table(), AS_OF).iloc[0]
    assert row["age_days"] == 10.0
    assert row["posts_per_day"] == 10.0
    assert row["followers_per_day"] == pytest.approx(0.9)
    assert row["following_per_day"] == 30.0


def test_naive_as_of_is_utc_and_new_accounts_count_one_day() -> None:
    accounts = table(created_at=["2024-02-29T18:00:00Z"])
    row = compute_features(accounts, datetime(2024, 3, 1)).iloc[0]
    assert row["age_days"] == 0.25
    assert row["posts_per_day"] == 100.0  # divided by 1 day, not 0.25


def test_ratios_use_followers_plus_one() -> None:
    accounts = table(followers=[0.0, 9.0], following=[300.0, 300.0])
    features = compute_features(accounts, AS_OF)
    assert features["following_to_followers"].tolist() == [300.0, 30.0]
    assert features["following_to_followers_squared"].tolist() == [300.0, 3.0]
    assert features["likes_per_post"].iloc[0] == pytest.approx(20 / 101)
    assert features["listed_per_follower"].tolist() == [1.0, 0.1]


def test_unknown_stays_unknown_and_nothing_else_is_touched() -> None:
    accounts = table(likes=[float("nan")], listed=[float("nan")], created_at=[None])
    row = compute_features(accounts, AS_OF).iloc[0]
    for name in (
        "likes",
        "listed",
        "likes_per_post",
        "listed_per_follower",
        "age_days",
        "posts_per_day",
        "followers_per_day",
        "following_per_day",
    ):
        assert np.isnan(row[name]), name
    assert row["posts"] == 100.0
    assert row["following_to_followers"] == 30.0


def test_unknown_followers_make_ratios_unknown_not_zero() -> None:
    row = compute_features(table(followers=[float("nan")]), AS_OF).iloc[0]
    assert np.isnan(row["following_to_followers"])
    assert np.isnan(row["following_to_followers_squared"])


def test_infinite_counts_are_unknown() -> None:
    row = compute_features(table(posts=[float("inf")]), AS_OF).iloc[0]
    assert np.isnan(row["posts"]) and np.isnan(row["posts_per_day"])


def test_missing_column_is_unknown() -> None:
    accounts = table().drop(columns=["likes"])
    assert np.isnan(compute_features(accounts, AS_OF)["likes"].iloc[0])


def test_whole_table_equals_row_by_row() -> None:
    rng = np.random.default_rng(1)
    n = 50
    counts = {
        c: rng.integers(0, 1000, n).astype(float)
        for c in ("posts", "followers", "following", "likes", "listed")
    }
    counts["likes"][::4] = np.nan
    accounts = table(
        created_at=list(pd.date_range("2010-01-01", periods=n, freq="37D", tz="UTC")),
        **{k: list(v) for k, v in counts.items()},
    )
    whole = compute_features(accounts, AS_OF)
    for i in range(n):
        one = compute_features(accounts.iloc[[i]], AS_OF)
        pd.testing.assert_frame_equal(one, whole.iloc[[i]])


def test_descriptions_and_x_only_cover_the_features() -> None:
    assert set(FEATURE_DESCRIPTIONS) == set(FEATURE_COLUMNS)
    assert all(meaning and why for meaning, why in FEATURE_DESCRIPTIONS.values())
    assert set(FEATURE_COLUMNS) >= X_ONLY_FEATURES
    assert {"likes", "listed"} <= X_ONLY_FEATURES


def test_mask_features_copies() -> None:
    features = compute_features(table(), AS_OF)
    masked = mask_features(features, X_ONLY_FEATURES)
    assert masked[list(X_ONLY_FEATURES)].isna().all().all()
    assert not features[list(X_ONLY_FEATURES)].isna().any().any()
