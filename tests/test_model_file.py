"""The JSON model file: exact round trip against scikit-learn, and strict refusal of bad files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from followaudit.errors import ModelError
from followaudit.model.features import FEATURE_COLUMNS
from followaudit.model.forest import Model, Tree, _checksum, load_model, save_model
from followaudit.model.training import export_ensemble


def synthetic(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(2, 1.5, size=(n, len(FEATURE_COLUMNS)))
    x[rng.random(x.shape) < 0.15] = np.nan
    signal = np.nan_to_num(x[:, 2]) - np.nan_to_num(x[:, 1]) + rng.normal(0, 5, n)
    return pd.DataFrame(x, columns=list(FEATURE_COLUMNS)), (signal > 0).astype(int)


@pytest.fixture(scope="module", params=[8, 40], ids=["8-leaves", "40-leaves"])
def fitted(request: pytest.FixtureRequest) -> tuple[HistGradientBoostingClassifier, Model]:
    x, y = synthetic(3000, seed=1)
    estimator = HistGradientBoostingClassifier(
        max_iter=30, max_leaf_nodes=request.param, early_stopping=False, random_state=0
    ).fit(x.to_numpy(), y)
    whole = np.arange(len(FEATURE_COLUMNS))
    return estimator, export_ensemble([(estimator, whole)], 0.5, {"note": "test"})


def test_round_trip_reproduces_scikit_learn(fitted: Any, tmp_path: Path) -> None:
    estimator, model = fitted
    path = tmp_path / "model.json"
    save_model(model, path)
    loaded = load_model(path)
    x, _ = synthetic(70_000, seed=2)  # more than one chunk, NaN included
    expected = estimator.predict_proba(x.to_numpy())[:, 1]
    np.testing.assert_allclose(loaded.predict_proba(x), expected, rtol=0, atol=1e-9)
    assert loaded.metadata == {"note": "test"}
    assert loaded.threshold == 0.5


def test_an_ensemble_is_the_mean_log_odds_of_its_parts() -> None:
    x, y = synthetic(3000, seed=4)
    full = HistGradientBoostingClassifier(max_iter=20, early_stopping=False, random_state=0)
    full.fit(x.to_numpy(), y)
    # The second part sees two columns only; their indices map back into the model's columns.
    columns = [2, 1]
    part = HistGradientBoostingClassifier(max_iter=20, early_stopping=False, random_state=0)
    part.fit(x.iloc[:, columns].to_numpy(), y)
    model = export_ensemble(
        [(full, np.arange(len(FEATURE_COLUMNS))), (part, np.array(columns))], 0.5, {}
    )
    test, _ = synthetic(2000, seed=5)

    def log_odds(p: np.ndarray) -> np.ndarray:
        return np.log(p / (1 - p))

    expected = 0.5 * log_odds(full.predict_proba(test.to_numpy())[:, 1]) + 0.5 * log_odds(
        part.predict_proba(test.iloc[:, columns].to_numpy())[:, 1]
    )
    np.testing.assert_allclose(model.log_odds(test), expected, atol=1e-9)
    credits = model.contributions(test)
    np.testing.assert_allclose(
        credits.sum(axis=1) + model.expected_log_odds, model.log_odds(test), atol=1e-9
    )


def test_contributions_add_up_to_the_score(fitted: Any) -> None:
    _, model = fitted
    x, _ = synthetic(500, seed=3)
    credits = model.contributions(x)
    assert credits.shape == (500, len(FEATURE_COLUMNS))
    np.testing.assert_allclose(
        credits.sum(axis=1) + model.expected_log_odds, model.log_odds(x), atol=1e-9
    )
    probability, together = model.predict_with_contributions(x)
    np.testing.assert_array_equal(together, credits)
    np.testing.assert_array_equal(probability, model.predict_proba(x))


def hand_tree() -> Model:
    # Root splits on followers (index 1) at 10: left leaf +2 (30 samples' mean
    # cannot be known from leaves alone, so values are given as a trained tree would).
    tree = Tree(
        feature=np.array([1, -1, 2, -1, -1]),
        threshold=np.array([10.0, 0.0, 100.0, 0.0, 0.0]),
        missing_left=np.array([True, False, False, False, False]),
        left=np.array([1, -1, 3, -1, -1]),
        right=np.array([2, -1, 4, -1, -1]),
        value=np.array([0.5, 2.0, -1.0, -2.0, 0.0]),
    )
    return Model(FEATURE_COLUMNS, 0.5, -0.25, (tree,), {})


def test_saabas_credits_follow_the_path() -> None:
    model = hand_tree()
    x = pd.DataFrame(np.zeros((4, len(FEATURE_COLUMNS))), columns=list(FEATURE_COLUMNS))
    x.loc[0, "followers"] = 5.0  # root -> left leaf
    x.loc[1, "followers"], x.loc[1, "following"] = 50.0, 10.0  # -> right -> left
    x.loc[2, "followers"], x.loc[2, "following"] = 50.0, np.nan  # NaN goes right
    x.loc[3, "followers"] = np.nan  # NaN goes left at the root
    credits = model.contributions(x)
    followers, following = credits[:, 1], credits[:, 2]
    assert followers.tolist() == [1.5, -1.5, -1.5, 1.5]
    assert following.tolist() == [0.0, -1.0, 1.0, 0.0]
    assert model.log_odds(x).tolist() == [1.75, -2.25, -0.25, 1.75]
    assert model.expected_log_odds == 0.25


def write(path: Path, body: dict[str, Any], reseal: bool = True) -> Path:
    if reseal:
        body["sha256"] = _checksum(body)
    path.write_text(json.dumps(body))
    return path


@pytest.fixture
def document(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "good.json"
    save_model(hand_tree(), path)
    body: dict[str, Any] = json.loads(path.read_text())
    return body


def refused(path: Path) -> str:
    with pytest.raises(ModelError) as caught:
        load_model(path)
    message = str(caught.value)
    assert str(path) in message and message.endswith(".") and "\n" not in message
    return message


def test_saved_file_loads(document: dict[str, Any], tmp_path: Path) -> None:
    model = load_model(write(tmp_path / "m.json", document, reseal=False))
    assert model.threshold == 0.5 and len(model.trees) == 1


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in refused(tmp_path / "absent.json")


def test_not_json_and_truncated(tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    save_model(hand_tree(), saved)
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(saved.read_bytes()[:-40])
    assert "not valid JSON" in refused(truncated)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x80\x04\x95pickle")
    assert "not valid JSON" in refused(binary)


def test_foreign_json(tmp_path: Path) -> None:
    path = tmp_path / "foreign.json"
    path.write_text('{"hello": "world"}')
    assert "not a followaudit model" in refused(path)
    path.write_text("[1, 2, 3]")
    assert "not a followaudit model" in refused(path)


def test_unsupported_version(document: dict[str, Any], tmp_path: Path) -> None:
    document["version"] = 2
    assert "version 2" in refused(write(tmp_path / "v2.json", document))


def test_tampered_checksum(document: dict[str, Any], tmp_path: Path) -> None:
    document["threshold"] = 0.01
    assert "checksum" in refused(write(tmp_path / "t.json", document, reseal=False))


def test_checksum_covers_the_canonical_body(document: dict[str, Any]) -> None:
    body = {k: v for k, v in document.items() if k != "sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == document["sha256"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t.update(left=[0, -1, 3, -1, -1]), "not after its parent"),  # cycle
        (lambda t: t.update(right=[2, -1, 9, -1, -1]), "out of range"),
        (lambda t: t.update(left=[1, -1, -3, -1, -1]), "out of range or not after"),
        (lambda t: t.update(feature=[99, -1, 2, -1, -1]), "feature index out of range"),
        (lambda t: t.update(threshold=[10.0, 0.0]), "different lengths"),
        (lambda t: t.update(feature=[1, -1, -1, -1, -1]), "leaf with children"),
        (lambda t: t.update(missing_left=[2, 0, 0, 0, 0]), "0 or 1"),
        (lambda t: t.update(left=["1", -1, 3, -1, -1]), "integers"),
        (lambda t: t.update(extra=[1]), "exactly the keys"),
    ],
)
def test_structural_attacks(
    document: dict[str, Any], tmp_path: Path, change: Any, words: str
) -> None:
    # An attacker can recompute the checksum: structure is checked regardless.
    change(document["trees"][0])
    message = refused(write(tmp_path / "attack.json", document))
    assert "malformed" in message and words in message


def test_overflowing_number_is_refused(document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(document).replace('"base_score": -0.25', '"base_score": 1e400'))
    assert "malformed" in refused(path)


def test_node_shared_by_two_parents(document: dict[str, Any], tmp_path: Path) -> None:
    tree = document["trees"][0]
    tree.update(left=[1, -1, 3, -1, -1], right=[2, -1, 3, -1, -1])
    assert "exactly once" in refused(write(tmp_path / "dag.json", document))


def test_feature_list_must_match(document: dict[str, Any], tmp_path: Path) -> None:
    document["features"] = list(reversed(document["features"]))
    assert "feature list" in refused(write(tmp_path / "f.json", document))


def test_threshold_and_unknown_keys(document: dict[str, Any], tmp_path: Path) -> None:
    document["threshold"] = 1.5
    assert "threshold" in refused(write(tmp_path / "th.json", document))
    document["threshold"] = 0.5
    document["code"] = "__import__('os')"
    assert "unknown keys: code" in refused(write(tmp_path / "k.json", document))


def test_nan_constant_is_not_json(document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(document).replace('"threshold": 0.5', '"threshold": NaN'))
    assert "not valid JSON" in refused(path)


def test_shipped_model_loads() -> None:
    model = load_model()
    assert model.features == FEATURE_COLUMNS
    assert 0 < model.threshold < 1
    # What the model has and has not seen is recorded in the file.
    assert model.metadata["sources_observed"] == {
        "E13": "2013",
        "FSF": "2013",
        "GEN": "2015",
        "INT": "2013",
        "TFP": "2013",
        "TWT": "2013",
    }
    modes = model.metadata["quantification"]["modes"]
    assert set(modes) == {"all known", "without X-only"}
    for counts in modes.values():
        measured = counts["out_of_fold"]
        accounts = [measured[part][1] for part in ("people_quiet", "people_active", "bought")]
        assert sum(accounts) == model.metadata["rows"]
        assert measured["bought"][1] == model.metadata["questionable_rows"]
