"""Evaluation: metrics as scikit-learn defines them, honest held-out figures, rule baselines."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics

from followaudit.accounts import make_table
from followaudit.model.evaluation import (
    MISSING_VALUE_MODES,
    camisani_calzolari,
    corrected_share_check,
    cross_validate_modes,
    evaluate,
    few_followers,
    load_probe_table,
    roc_auc,
    score,
    socialbakers,
)
from followaudit.model.features import X_ONLY_FEATURES
from followaudit.model.training import (
    HUMAN_SOURCES,
    VENDORS,
    load_training_table,
    training_features,
)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    full = load_training_table()
    # A stratified third keeps the tests quick while every group is present.
    return full.groupby("group", group_keys=False).sample(frac=0.3, random_state=0)


def test_scores_match_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    probability = np.clip(labels * 0.3 + rng.random(300) * 0.7, 0, 1).round(2)  # ties
    predicted = probability >= 0.5
    got = score(labels, predicted, probability)
    assert got.accuracy == pytest.approx(metrics.accuracy_score(labels, predicted))
    assert got.precision == pytest.approx(metrics.precision_score(labels, predicted))
    assert got.recall == pytest.approx(metrics.recall_score(labels, predicted))
    assert got.f1 == pytest.approx(metrics.f1_score(labels, predicted))
    assert got.mcc == pytest.approx(metrics.matthews_corrcoef(labels, predicted))
    assert got.roc_auc == pytest.approx(metrics.roc_auc_score(labels, probability))


def test_degenerate_scores_are_zero_not_errors() -> None:
    got = score(np.array([0, 0, 1]), np.array([False, False, False]))
    assert (got.precision, got.recall, got.mcc, got.roc_auc) == (0.0, 0.0, 0.0, None)
    assert np.isnan(roc_auc(np.array([1, 1]), np.array([0.2, 0.3])))


def test_shuffled_labels_give_no_skill(table: pd.DataFrame) -> None:
    features = training_features(table)
    labels = np.random.default_rng(0).permutation(table["label"].to_numpy())
    modes = {"all": frozenset[str](), "masked": X_ONLY_FEATURES}
    scores, _, _ = cross_validate_modes(features, labels, modes, folds=3)
    full, masked = scores["all"], scores["masked"]
    assert abs(full.mcc) < 0.1 and abs(masked.mcc) < 0.1
    assert 0.4 < full.roc_auc < 0.6  # type: ignore[operator]


def test_evaluation_on_a_subset(table: pd.DataFrame) -> None:
    probe = load_probe_table()
    assert probe is not None
    probe = probe.groupby("group", group_keys=False).sample(frac=0.1, random_state=0)
    evaluation = evaluate(table, folds=3, probe=probe)
    assert evaluation.cross_validation.accounts == len(table)
    assert evaluation.cross_validation.mcc > 0.9
    assert evaluation.cross_validation_without_x_only.mcc > 0.9
    held = evaluation.leave_one_source_out
    assert [r.source for r in held] == list(HUMAN_SOURCES + VENDORS)
    for r in held:
        assert r.accounts == (table["group"] == r.source).sum()
        if r.kind == "people":
            assert r.source in HUMAN_SOURCES and r.flagged < 0.1
        else:
            assert r.source in VENDORS and r.flagged > 0.6
    assert [p.group for p in evaluation.spambot_probe] == sorted(set(probe["group"]))
    assert sum(p.accounts for p in evaluation.spambot_probe) == len(probe)
    assert [m.prevalence for m in evaluation.corrected_share_check] == [0.02, 0.1, 0.3, 0.6]
    # Mixtures drawn from real held-out folds, corrected with the other folds' rates.
    for m in evaluation.corrected_share_check:
        assert abs(m.bias) <= 0.02 and m.coverage >= 0.95, m
    assert set(evaluation.training_sources) == set(HUMAN_SOURCES + VENDORS)
    assert evaluation.training_sources["GEN"]["observed"] == "2015"
    assert evaluation.training_sources["TFP"]["observed"] == "2013"
    assert list(evaluation.missing_value_modes) == list(MISSING_VALUE_MODES)
    for mode in evaluation.missing_value_modes.values():
        assert mode.accounts == len(table) and mode.mcc > 0.9
    # Hiding inputs from the held-out accounts changes their scores: the modes are not copies.
    assert evaluation.missing_value_modes["created_at unknown"] != evaluation.cross_validation
    document = json.loads(json.dumps(evaluation.to_dict()))
    assert set(document["baselines"]) == set(evaluation.baselines)
    assert set(document["missing_value_modes"]) == set(MISSING_VALUE_MODES)
    assert document["targets"] == evaluation.targets()
    assert [r["source"] for r in document["leave_one_source_out"]] == [r.source for r in held]
    markdown = evaluation.to_markdown()
    assert "| TWT | vendor |" in markdown and "| GEN | people |" in markdown
    assert "| 3-fold CV, created_at unknown |" in markdown


def accounts(**columns: list[float]) -> pd.DataFrame:
    base = {
        "created_at": ["2012-01-01T00:00:00Z"],
        "posts": [100.0],
        "followers": [50.0],
        "following": [60.0],
        "likes": [5.0],
        "listed": [1.0],
        "bio_length": [20.0],
        "name_length": [8.0],
        "handle_digits": [0.0],
        "has_url": [1.0],
        "has_location": [1.0],
        "default_avatar": [0.0],
    }
    base.update(columns)  # type: ignore[arg-type]
    return make_table(base)


def test_camisani_calzolari_counts_points() -> None:
    assert not camisani_calzolari(accounts())[0]
    # Five failed rules out of nine: bot.
    bot = accounts(
        followers=[3.0],
        following=[5.0],
        listed=[0.0],
        posts=[10.0],
        has_url=[0.0],
        has_location=[0.0],
    )
    assert camisani_calzolari(bot)[0]
    # Four failed: still human.
    assert not camisani_calzolari(
        accounts(followers=[3.0], following=[5.0], listed=[0.0], posts=[10.0], has_url=[0.0])
    )[0]


def test_socialbakers_rules() -> None:
    assert not socialbakers(accounts())[0]
    assert socialbakers(accounts(followers=[1.0], following=[50.0]))[0]
    assert socialbakers(accounts(followers=[0.0], following=[1.0]))[0]
    assert not socialbakers(accounts(followers=[0.0], following=[0.0]))[0]
    assert socialbakers(accounts(posts=[0.0]))[0]
    assert socialbakers(accounts(default_avatar=[1.0]))[0]
    assert not socialbakers(accounts(default_avatar=[1.0], created_at=["2013-04-01T00:00:00Z"]))[0]
    assert socialbakers(accounts(bio_length=[0.0], has_location=[0.0], following=[101.0]))[0]
    assert not socialbakers(accounts(bio_length=[0.0], has_location=[0.0], following=[100.0]))[0]


def test_few_followers_rule() -> None:
    assert few_followers(accounts(followers=[29.0]))[0]
    assert not few_followers(accounts(followers=[30.0]))[0]


def test_corrected_share_is_unbiased_on_known_mixtures() -> None:
    # A classifier that catches 93% and falsely flags 2%, as held-out folds would show it.
    rng = np.random.default_rng(1)
    labels = np.concatenate([np.ones(3000, dtype=np.int64), np.zeros(5000, dtype=np.int64)])
    flagged = np.where(labels == 1, rng.random(8000) < 0.93, rng.random(8000) < 0.02)
    fold_of = rng.permutation(np.arange(8000) % 10)
    results = corrected_share_check(flagged, labels, fold_of, repeats=10)
    for m in results:
        assert abs(m.bias) <= 0.02, m
        assert m.coverage >= 0.95, m
    # Uncorrected, the flagged share is off by up to 5 points at these prevalences.
    assert abs(results[-1].mean_raw_share - 0.6) > 0.03
    assert abs(results[0].mean_raw_share - 0.02) > 0.015
