"""Training: the shipped table, determinism, freshness of the shipped model, and its constraints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from followaudit.accounts import NUMERIC_COLUMNS
from followaudit.errors import InputError
from followaudit.model.features import X_ONLY_FEATURES, mask_features
from followaudit.model.forest import Model, load_model, save_model
from followaudit.model.training import (
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
    # Numbers only: no id, handle, name, bio, URL or location column.
    assert list(table.columns) == [
        "created_at",
        "observed_at",
        *NUMERIC_COLUMNS,
        "label",
        "group",
        "dataset",
    ]
    assert table["group"].value_counts().to_dict() == {
        "GEN": 3474,  # cresci-2017 genuine accounts
        "E13": 1481,
        "INT": 1337 + 13,  # cresci-2015 + the cresci-2017 fakes of that vendor
        "FSF": 686 + 484,
        "TWT": 485 + 346,
        "TFP": 469,
    }
    assert (table["label"] == table["group"].isin(["FSF", "INT", "TWT"])).all()
    assert table[list(NUMERIC_COLUMNS)].notna().all().all()
    # Every account existed when it was observed; the genuine sample was seen in May 2015.
    assert (table["created_at"] <= table["observed_at"] + pd.Timedelta(days=1)).all()
    assert (table.loc[table["dataset"] == "cresci-2015", "observed_at"] == OBSERVED_AT).all()
    genuine = table.loc[table["group"] == "GEN", "observed_at"]
    assert (genuine.dt.strftime("%Y-%m") == "2015-05").all()


def test_age_is_measured_at_each_rows_observation_day(table: pd.DataFrame) -> None:
    features = training_features(table)
    expected = (table["observed_at"] - table["created_at"]).dt.total_seconds() / 86_400
    np.testing.assert_allclose(features["age_days"], expected)


def test_probe_table_holds_only_spambots() -> None:
    from followaudit.model.evaluation import load_probe_table

    probe = load_probe_table()
    assert probe is not None
    assert set(probe["group"]) == {"SS1", "SS2", "SS3", "TS1", "TS2", "TS3", "TS4"}
    assert len(probe) == 991 + 3457 + 464 + 1000 + 100 + 403 + 1128
    # traditional_spambots_1 has no avatar values at all: unknown, not "custom avatar".
    assert probe.loc[probe["group"] == "TS1", "default_avatar"].isna().all()


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
    # Fails when training changed without `python -m followaudit.model.training` being rerun.
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
