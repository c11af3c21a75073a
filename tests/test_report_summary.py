"""The summary's counts, interval, headline and --fail-above gate."""

import numpy as np
import pandas as pd
import pytest

from followaudit.accounts import Skipped
from followaudit.analysis.gates import fail_above
from followaudit.analysis.summary import headline, round_followers, summarize
from followaudit.model.quantify import wilson


def scored(n_questionable, n_authentic):
    probability = np.r_[np.full(n_questionable, 0.9), np.full(n_authentic, 0.1)]
    label = np.where(probability >= 0.5, "questionable", "authentic")
    return pd.DataFrame({"probability": probability, "label": label})


def test_counts_share_and_interval():
    summary = summarize(scored(30, 70), [Skipped(3, "negative posts")], threshold=0.5)
    assert summary.scored == 100
    assert summary.skipped == 1
    assert summary.questionable == 30
    assert summary.share_questionable == wilson(30, 100)
    assert summary.histogram[9] == 30 and summary.histogram[1] == 70
    assert sum(summary.histogram) == 100


def test_authentic_estimate_scales_to_the_whole_follower_base():
    summary = summarize(scored(20, 80), [], threshold=0.5, population=10_000)
    share = wilson(20, 100)
    assert summary.authentic_followers.estimate == pytest.approx(8_000)
    assert summary.authentic_followers.low == pytest.approx(10_000 * (1 - share.high))
    assert summary.authentic_followers.high == pytest.approx(10_000 * (1 - share.low))
    assert headline(summary).startswith("Authentic followers: about 8,000 (")
    assert headline(summary).endswith(" of 10,000")


def test_gate_compares_the_lower_bound():
    summary = summarize(scored(30, 70), [], threshold=0.5)
    low = summary.share_questionable.low  # about 0.22
    assert not fail_above(summary, 100 * low - 1).passed
    assert fail_above(summary, 100 * low + 1).passed
    # The estimate (30%) is above 25%, but the data cannot show it with 95% confidence.
    assert fail_above(summary, 25).passed


def test_empty_summary_has_no_interval():
    summary = summarize(scored(0, 0), [Skipped(1, "x")], threshold=0.5)
    assert summary.scored == 0
    assert headline(summary) == "No account could be scored."


def test_gates_never_pass_on_nothing_scored():
    from followaudit.analysis.gates import min_authentic

    nothing = summarize(scored(0, 0), [Skipped(1, "gone")], threshold=0.5, population=300)
    assert not fail_above(nothing, 50).passed
    assert not min_authentic(nothing, 100).passed
    assert min_authentic(nothing, 0).passed
    no_followers = summarize(scored(0, 0), [], threshold=0.5, population=0)
    gate = min_authentic(no_followers, 1)
    assert not gate.passed and gate.compared == 0.0


def test_min_authentic_compares_the_upper_bound():
    from followaudit.analysis.gates import min_authentic

    summary = summarize(scored(20, 80), [], threshold=0.5, population=10_000)
    # The upper bound as the headline writes it ("(7,110-8,670)"): a verdict
    # never contradicts the figure the reader sees.
    high = round_followers(summary.authentic_followers.high)
    assert f"-{high:,}) of 10,000" in headline(summary)
    assert min_authentic(summary, high).passed
    assert not min_authentic(summary, high + 1).passed


def test_fail_above_compares_the_bound_as_written():
    from followaudit.analysis.gates import fail_above
    from followaudit.analysis.summary import round_share

    summary = summarize(scored(20, 80), [], threshold=0.5, population=10_000)
    low = round_share(summary.share_questionable.low)
    assert fail_above(summary, 100 * low).passed  # "13.3%; the limit is 13.3%": not above
    assert not fail_above(summary, 100 * low - 0.1).passed
