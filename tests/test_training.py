"""Training: the shipped table, determinism, freshness of the shipped model, and its constraints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from followaudit.accounts import NUMERIC_COLUMNS
from followaudit.errors import InputError
from followaudit.features import X_ONLY_FEATURES, mask_features
from followaudit.model import Model, load_model, save_model
from followaudit.training import (
    OBSERVED_AT,
    load_training_table,
    train_model,
    training_features,
)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_training_table()


@pytest.fixture(scope="module")
def fresh(table: pd.DataFrame) -> Model:
    return train_model(table)


def test_table_is_de_identified_and_complete(table: pd.DataFrame) -> None:
    assert list(table.columns) == ["created_at", *NUMERIC_COLUMNS, "label", "group"]
    assert table["group"].value_counts().to_dict() == {
        "E13": 1481,
        "INT": 1337,
        "FSF": 686,
        "TWT": 485,
        "TFP": 469,
    }
    assert (table["label"] == table["group"].isin(["FSF", "INT", "TWT"])).all()
    assert table[list(NUMERIC_COLUMNS)].notna().all().all()
    assert (table["created_at"] <= OBSERVED_AT).all()


def test_missing_table_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="training table was not found"):
        load_training_table(tmp_path / "absent.csv")


def test_table_without_needed_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("created_at,posts\n2012-01-01T00:00:00Z,3\n")
    with pytest.raises(InputError, match="lacks columns"):
        load_training_table(path)


def test_training_is_byte_for_byte_deterministic(
    table: pd.DataFrame, fresh: Model, tmp_path: Path
) -> None:
    save_model(fresh, tmp_path / "a.json")
    save_model(train_model(table), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_shipped_model_is_what_training_produces(fresh: Model) -> None:
    # Fails when training changed without `python -m followaudit.training` being rerun.
    assert load_model().to_json() == fresh.to_json()


def test_one_model_serves_platforms_without_likes_or_lists(
    table: pd.DataFrame, fresh: Model
) -> None:
    features = training_features(table)
    masked = mask_features(features, X_ONLY_FEATURES)
    labels = table["label"].to_numpy()
    # A sanity check on training data, not a held-out figure (see evaluation).
    for rows in (features, masked):
        accuracy = np.mean((fresh.predict_proba(rows) >= fresh.threshold) == labels)
        assert accuracy > 0.97


@pytest.mark.parametrize(
    ("feature", "direction"),
    [
        ("followers", -1),
        ("likes", -1),
        ("has_location", -1),
        ("posts", -1),
        ("following_to_followers", 1),
        ("default_avatar", 1),
    ],
)
def test_monotonic_in_principled_directions(
    table: pd.DataFrame, fresh: Model, feature: str, direction: int
) -> None:
    rows = training_features(table).sample(200, random_state=0)
    grid = np.quantile(rows[feature].dropna(), np.linspace(0, 1, 12))
    scores = []
    for value in grid:
        changed = rows.copy()
        changed[feature] = value
        scores.append(fresh.log_odds(changed))
    steps = np.diff(np.array(scores), axis=0) * direction
    assert (steps >= -1e-12).all()
