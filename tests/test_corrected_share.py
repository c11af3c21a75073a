"""The share questionable is corrected for the model's measured errors, everywhere it is used."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from followaudit.analysis.gates import fail_above, min_authentic
from followaudit.analysis.summary import (
    CORRECTED,
    RAW,
    headline,
    model_rates,
    summarize,
)
from followaudit.errors import ModelError
from followaudit.model.forest import load_model
from followaudit.model.quantify import ClassifierRates, adjusted_share, wilson

RATES = ClassifierRates(true_positives=980, positives=1000, false_positives=10, negatives=1000)


def rows(flagged: int, n: int, likes: float = 1.0) -> pd.DataFrame:
    labels = ["questionable"] * flagged + ["authentic"] * (n - flagged)
    return pd.DataFrame(
        {
            "label": labels,
            "probability": [0.9] * flagged + [0.1] * (n - flagged),
            "likes": [likes] * n,
            "listed": [likes] * n,
        }
    )


def test_the_correction_undoes_known_error_rates() -> None:
    # 5% bought: 0.05 * 0.98 + 0.95 * 0.01 = 5.85% flagged.
    share = adjusted_share(585, 10_000, RATES)
    assert share.estimate == pytest.approx(0.05, abs=1e-9)
    assert share.low < 0.05 < share.high
    # Same inputs, same interval: the draws have a fixed seed.
    assert adjusted_share(585, 10_000, RATES) == share


def test_the_interval_carries_the_rates_uncertainty() -> None:
    precise = ClassifierRates(98_000, 100_000, 1_000, 100_000)
    rough = ClassifierRates(98, 100, 1, 100)
    wide = adjusted_share(585, 10_000, rough)
    narrow = adjusted_share(585, 10_000, precise)
    assert wide.high - wide.low > 2 * (narrow.high - narrow.low)


def test_the_estimate_is_clipped_to_zero_and_one() -> None:
    assert adjusted_share(0, 1000, RATES).estimate == 0.0
    assert adjusted_share(5, 1000, RATES).estimate == 0.0  # fewer than false alarms predict
    assert adjusted_share(1000, 1000, RATES).estimate == 1.0
    for flagged in (0, 5, 100, 1000):
        s = adjusted_share(flagged, 1000, RATES)
        assert 0.0 <= s.low <= s.estimate <= s.high <= 1.0


def test_useless_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        adjusted_share(10, 100, ClassifierRates(50, 100, 49, 100))
    with pytest.raises(ValueError):
        ClassifierRates(5, 0, 0, 10)


def test_summary_gates_and_headline_use_the_corrected_share() -> None:
    summary = summarize(rows(585, 10_000), [], 0.5, rates=RATES)
    assert summary.share_method == CORRECTED
    assert summary.share_questionable.estimate == pytest.approx(0.05)
    assert summary.flagged_share == wilson(585, 10_000)  # the raw count stays
    assert summary.questionable == 585
    assert summary.authentic_followers.estimate == pytest.approx(9_500)
    assert headline(summary).startswith("Authentic followers: about 9,500 (")
    # 5.85% flagged, 5% bought: a 5% bar passes on the corrected share, fails on the raw one.
    gate = fail_above(summary, 5.0)
    assert gate.passed and "corrected" in gate.compared_what
    raw = summarize(rows(585, 10_000), [], 0.5)
    assert raw.share_method == RAW and not fail_above(raw, 5.0).passed
    assert "uncorrected" in fail_above(raw, 5.0).compared_what
    assert min_authentic(summary, 9_500).passed and not min_authentic(raw, 9_500).passed


def test_shipped_model_rates_depend_on_the_scoring_mode() -> None:
    model = load_model()
    x = model_rates(model, rows(10, 100))
    other = model_rates(model, rows(10, 100, likes=np.nan))
    assert x is not None and other is not None and x != other
    assert 0.9 < x.tpr < 1 and 0 < x.fpr < 0.03


@pytest.mark.parametrize(
    "damage",
    [
        lambda q: q.pop("modes"),
        lambda q: q["modes"].pop("all known"),
        lambda q: q["modes"]["all known"].update(positives="many"),
        lambda q: q["modes"]["all known"].update(true_positives=10**9),
        lambda q: q["modes"]["all known"].update(negatives=True),
    ],
)
def test_damaged_rates_are_a_model_error(damage) -> None:  # type: ignore[no-untyped-def]
    model = load_model()
    import copy

    section = copy.deepcopy(model.metadata["quantification"])
    damage(section)
    model.metadata = {**model.metadata, "quantification": section}
    with pytest.raises(ModelError, match="quantification rates are damaged"):
        model_rates(model, rows(10, 100))
