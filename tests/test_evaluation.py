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
    cross_validate_modes,
    evaluate,
    few_followers,
    load_probe_table,
    roc_auc,
    score,
    socialbakers,
)
from followaudit.model.features import X_ONLY_FEATURES
from followaudit.model.shift import (
    SHIFT_PREVALENCES,
    ShiftCell,
    ShiftGrid,
    grouped_misses,
    misses,
    shift_rows,
)
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


# A small share-under-shift grid: one ordinary pair, and GEN's quiet people with TWT.
SMALL_GRID = ShiftGrid(pairs=(("TFP", "FSF"), ("GENq", "TWT")), sizes=(300, 2_000), mixtures=60)


def test_evaluation_on_a_subset(table: pd.DataFrame) -> None:
    probe = load_probe_table()
    assert probe is not None
    probe = probe.groupby("group", group_keys=False).sample(frac=0.1, random_state=0)
    evaluation = evaluate(table, folds=3, probe=probe, grid=SMALL_GRID)
    assert evaluation.cross_validation.accounts == len(table)
    assert evaluation.cross_validation.mcc > 0.9
    assert evaluation.cross_validation_without_x_only.mcc > 0.9
    held = evaluation.leave_one_source_out
    assert [r.source for r in held] == list(HUMAN_SOURCES + VENDORS)
    quiet = (table["posts"] < 50) | (table["followers"] < 30)
    for r in held:
        assert r.accounts == (table["group"] == r.source).sum()
        if r.kind == "people":
            assert r.source in HUMAN_SOURCES and r.flagged < 0.1
            # Quiet people are counted with their group; the counting cut flags fewer.
            assert r.quiet_accounts == (quiet & (table["group"] == r.source)).sum()
            assert r.quiet_counted is not None and r.quiet_flagged is not None
            assert r.quiet_counted <= r.quiet_flagged and r.counted <= r.flagged
        else:
            assert r.source in VENDORS and r.flagged > 0.6 and r.quiet_accounts is None
    assert [p.group for p in evaluation.spambot_probe] == sorted(set(probe["group"]))
    assert sum(p.accounts for p in evaluation.spambot_probe) == len(probe)
    # The share under shift: every cell of the grid, in both modes, nothing left out.
    cells = evaluation.shift_check
    assert len(cells) == 2 * 2 * len(SHIFT_PREVALENCES) * 2
    assert {c.mode for c in cells} == {"all known", "without X-only"}
    assert {c.pair for c in cells} == {"TFP+FSF", "GENq+TWT"}
    for c in cells:
        assert c.mixtures == 60 and 0 <= c.coverage <= 1 and 0 <= c.reaches_zero <= 1
        assert abs(c.mean_estimate - c.bias - c.prevalence) < 1e-9
        assert c.rmse >= abs(c.bias) and c.mean_width > 0
        if c.prevalence <= 0.05:
            # Held out or not, a handful of bought followers is never read as many.
            assert abs(c.bias) < 0.05, c
    assert set(evaluation.targets()) >= set(evaluation.shift_targets())
    assert any("share under shift (all known)" in name for name in evaluation.targets())
    assert any("quiet GEN people" in name for name in evaluation.targets())
    assert set(evaluation.counted_out_of_fold) == {"all known", "without X-only"}
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
    assert len(document["shift_check"]) == len(cells)
    assert document["shift_grid"]["mixtures"] == 60
    assert set(document["shift_misses"]) == {"all known", "without X-only"}
    markdown = evaluation.to_markdown()
    assert "| TWT | vendor |" in markdown and "| GEN | people |" in markdown
    assert "| 3-fold CV, created_at unknown |" in markdown
    assert "Share under shift, all known (counting cut 0.85)" in markdown
    assert "| GENq+TWT |" in markdown


def cell(prevalence: float, size: int, bias: float, coverage: float = 1.0, zero: float = 1.0):
    return ShiftCell(
        mode="all known",
        people="TFP",
        vendor="TWT",
        prevalence=prevalence,
        size=size,
        mixtures=10,
        mean_estimate=prevalence + bias,
        bias=bias,
        rmse=abs(bias),
        coverage=coverage,
        reaches_zero=zero,
        mean_width=0.05,
    )


def test_a_cell_misses_each_target_by_its_own_figure() -> None:
    assert cell(0.1, 300, 0.01).misses() == []  # exactly 1 point is within the target
    assert cell(0.1, 300, -0.0158).misses() == ["bias -1.58 pt"]
    assert cell(0.3, 300, 0.0, coverage=0.899).misses() == ["coverage 0.899"]
    # Reaching 0 is a target only where the truth is 0.
    assert cell(0.0, 300, 0.0, zero=0.5).misses() == ["reaches 0 in 0.500"]
    assert cell(0.02, 300, 0.0, zero=0.0).misses() == []


def test_misses_are_listed_with_their_figures_and_grouped_by_size() -> None:
    cells = [
        cell(0.1, 300, -0.0159),
        cell(0.1, 2_000, -0.0158),
        cell(0.0, 300, 0.0, zero=0.4),
        cell(0.0, 2_000, 0.0),
    ]
    assert misses(cells) == [
        "TFP+TWT p=0.10 n=300: bias -1.59 pt",
        "TFP+TWT p=0.10 n=2,000: bias -1.58 pt",
        "TFP+TWT p=0.00 n=300: reaches 0 in 0.400",
    ]
    assert grouped_misses(cells) == [
        "TFP+TWT at 0.10: bias -1.59 / -1.58 pt (300 / 2,000)",
        "TFP+TWT at 0.00: reaches 0 in 0.400 (300)",
    ]
    rows = shift_rows(cells)
    assert [(r.prevalence, r.size, r.missed) for r in rows] == [
        (0.0, 300, 1),
        (0.0, 2_000, 0),
        (0.1, 300, 1),
        (0.1, 2_000, 1),
    ]
    assert rows[0].reaches_zero == 0.4 and rows[2].reaches_zero is None


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
