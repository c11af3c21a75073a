"""The share questionable is corrected for the model's measured errors, everywhere it is used.

The estimator is the quiet-stratified adjusted count of issue 18
(``quantify.counted_share``); these tests use hand-made rates, so they hold
whatever the shipped model measures.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from clirun import run
from scipy import stats

from followaudit.analysis.gates import fail_above, min_authentic
from followaudit.analysis.summary import (
    CANNOT_RULE_OUT_NONE,
    CORRECTED,
    NO_EVIDENCE,
    RAW,
    headline,
    model_rates,
    summarize,
)
from followaudit.errors import ExitCode, ModelError
from followaudit.model.forest import _checksum, load_model
from followaudit.model.quantify import (
    ShareRates,
    counted_share,
    counted_shares,
    is_quiet,
    jeffreys_counts,
    read_quantification,
    wilson,
)

# Quiet people flagged at 2%, active ones at 0.2%, bought followers caught at 96%,
# 95% of them quiet; held-out groups flagged up to 5% / 0.5% and caught up to 97%.
RATES = ShareRates(
    cut=0.85,
    quiet_flagged=0.02,
    quiet_flagged_high=0.05,
    active_flagged=0.002,
    active_flagged_high=0.005,
    caught=0.96,
    caught_low=0.96 * 0.85,
    caught_high=0.97,
    bought_quiet=0.95,
)


def expected_count(n: int, bought: int, quiet_people: int) -> float:
    """Return how many accounts these rates flag on average: the correction's inverse."""
    people = n - bought
    return (
        bought * RATES.caught
        + quiet_people * RATES.quiet_flagged
        + (people - quiet_people) * RATES.active_flagged
    )


def test_the_correction_undoes_known_error_rates() -> None:
    # 1,000 bought (950 quiet) and 9,000 people of whom 3,000 quiet.
    k = expected_count(10_000, 1_000, 3_000)
    share = counted_shares(np.array([k]), np.array([950 + 3_000]), 10_000, RATES)
    assert share[0][0] == pytest.approx(0.10, abs=1e-9)
    whole = counted_share(round(k), 3_950, 10_000, RATES)
    assert whole.low < 0.10 < whole.high
    # Closed form: the same counts always give the same interval.
    assert counted_share(round(k), 3_950, 10_000, RATES) == whole


def test_false_alarms_follow_the_audiences_own_quiet_share() -> None:
    # The same count reads lower when more of the audience is quiet: its people raise
    # more false alarms, so fewer of the flagged accounts are bought.
    quiet_audience = counted_share(300, 9_000, 10_000, RATES)
    active_audience = counted_share(300, 1_000, 10_000, RATES)
    assert quiet_audience.estimate < active_audience.estimate


def test_a_clean_quiet_audience_reads_no_evidence() -> None:
    # 2,000 quiet people flagged at the measured rate: nothing is left to call bought.
    usual = counted_share(40, 2_000, 2_000, RATES)
    assert usual.estimate == 0.0 and usual.low == 0.0 and usual.high > 0.0
    # Flagged at the highest rate a held-out group of people showed: the estimate reads
    # high, but the interval still reaches 0.
    unusual = counted_share(100, 2_000, 2_000, RATES)
    assert unusual.estimate > 0.0 and unusual.low == 0.0


def test_below_the_floor_the_share_is_zero_and_the_interval_still_open() -> None:
    tiny = counted_share(12, 100, 2_000, RATES)  # about 0.5% corrected
    assert tiny.estimate == 0.0 and tiny.low == 0.0 and 0.005 < tiny.high < 0.05
    nothing = counted_share(0, 0, 2_000, RATES)
    assert nothing.estimate == 0.0 and nothing.low == 0.0 and nothing.high > 0.0


def test_the_interval_holds_the_estimate_and_stays_in_zero_one() -> None:
    n = 1_000
    for k in (0, 1, 5, 50, 300, 900, 1000):
        for quiet in (0, 500, 1000):
            share = counted_share(k, quiet, n, RATES)
            assert 0.0 <= share.low <= share.estimate <= share.high <= 1.0, (k, quiet)


def test_out_of_range_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        counted_share(11, 0, 10, RATES)
    with pytest.raises(ValueError):
        counted_share(1, 11, 10, RATES)
    with pytest.raises(ValueError):
        counted_share(0, 0, 0, RATES)


@pytest.mark.parametrize("n", [1, 7, 300, 2_000, 10_000, 1_000_000])
def test_jeffreys_counts_are_the_beta_quantiles(n: int) -> None:
    k = np.unique(np.r_[0, 1, 2, n // 3, n - 1, n, np.linspace(0, n, 7).round()])
    k = k[(k >= 0) & (k <= n)]
    low, high = jeffreys_counts(k, n)
    a, b = k + 0.5, n - k + 0.5
    expected_low = np.where(k > 0, stats.beta.ppf(0.025, a, b), 0.0) * n
    expected_high = np.where(k < n, stats.beta.ppf(0.975, a, b), 1.0) * n
    np.testing.assert_allclose(low, expected_low, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(high, expected_high, rtol=1e-9, atol=1e-9)


def test_quiet_means_few_posts_or_few_followers_and_unknown_is_not_quiet() -> None:
    posts = [0, 49, 50, 500, np.nan, np.nan, 500]
    followers = [500, 500, 500, 29, 500, np.nan, np.nan]
    assert is_quiet(posts, followers).tolist() == [True, True, False, True, False, False, False]


def rows(counted: int, n: int, *, quiet: int = 0, likes: float = 1.0) -> pd.DataFrame:
    """Return n scored rows: ``counted`` at 0.95, the rest at 0.1; ``quiet`` of them quiet."""
    probability = [0.95] * counted + [0.1] * (n - counted)
    return pd.DataFrame(
        {
            "label": ["questionable" if p >= 0.5 else "authentic" for p in probability],
            "probability": probability,
            "posts": [10.0] * quiet + [500.0] * (n - quiet),
            "followers": [500.0] * n,
            "likes": [likes] * n,
            "listed": [likes] * n,
        }
    )


def test_summary_gates_and_headline_use_the_corrected_share() -> None:
    # 5% bought (95% of them quiet) among active people: 0.05 * 0.96 + 0.95 * 0.002 = 4.99%.
    k = round(expected_count(10_000, 500, 0))
    summary = summarize(rows(k, 10_000, quiet=475), [], 0.5, rates=RATES)
    assert summary.share_method == CORRECTED
    assert summary.counting_cut == 0.85 and summary.counted == k and summary.quiet == 475
    assert summary.share_questionable.estimate == pytest.approx(0.05, abs=1e-9)
    assert summary.flagged_share == wilson(k, 10_000)  # the raw count stays
    assert summary.questionable == k
    assert summary.authentic_followers.estimate == pytest.approx(9_500, abs=2)
    assert headline(summary).startswith("Authentic followers: about 9,500 (")
    assert summary.share_note is None
    gate = fail_above(summary, 3.0)
    assert not gate.passed and "corrected" in gate.compared_what
    raw = summarize(rows(k, 10_000, quiet=475), [], 0.5)
    assert raw.share_method == RAW and raw.counting_cut is None and raw.counted is None
    assert "uncorrected" in fail_above(raw, 5.0).compared_what
    assert min_authentic(summary, 9_000).passed


def test_the_summary_says_when_the_interval_reaches_zero() -> None:
    clean = summarize(rows(4, 2_000), [], 0.5, rates=RATES)
    assert clean.share_questionable.estimate == 0.0 and clean.share_note == NO_EVIDENCE
    assert fail_above(clean, 0.0).passed  # the lower bound is 0: nothing to fail on
    few = summarize(rows(60, 2_000, quiet=2_000), [], 0.5, rates=RATES)
    assert few.share_questionable.estimate > 0 and few.share_questionable.low == 0.0
    assert few.share_note == CANNOT_RULE_OUT_NONE


def test_shipped_model_rates_depend_on_the_scoring_mode() -> None:
    model = load_model()
    x = model_rates(model, rows(10, 100))
    other = model_rates(model, rows(10, 100, likes=np.nan))
    assert x is not None and other is not None and x != other
    for rates in (x, other):
        assert 0.5 <= rates.cut < 1
        assert rates.caught_low < rates.caught <= rates.caught_high <= 1
        assert rates.active_flagged <= rates.active_flagged_high < rates.caught
        assert rates.quiet_flagged <= rates.quiet_flagged_high < rates.caught


DAMAGES = [
    ("no modes", lambda q: q.pop("modes"), "modes must be exactly"),
    ("a mode missing", lambda q: q["modes"].pop("all known"), "modes must be exactly"),
    ("an older layout", lambda q: q.update(method="adjusted classify-and-count"), "older"),
    (
        "a count that is text",
        lambda q: q["modes"]["all known"]["out_of_fold"].update(bought=["many", 10]),
        "whole number",
    ),
    (
        "more caught than there are",
        lambda q: q["modes"]["all known"]["out_of_fold"].update(bought=[10**9, 10]),
        "more flagged",
    ),
    (
        "a boolean count",
        lambda q: q["modes"]["all known"]["out_of_fold"].update(bought_quiet=True),
        "whole number",
    ),
    (
        "catching fewer bought than it flags people",
        lambda q: q["modes"]["without X-only"]["out_of_fold"].update(
            bought=[10, 3351], people_quiet=[300, 602]
        ),
        "cannot be corrected",
    ),
    ("a cut of 1", lambda q: q["modes"]["all known"].update(cut=1.0), "cut must lie"),
    (
        "a held-out group without counts",
        lambda q: q["modes"]["all known"]["held_out"].update(TFP={"quiet": [1, 2]}),
        "quiet and active",
    ),
    ("other quiet limits", lambda q: q["quiet"].update(posts_below=10), "quiet limits"),
    ("a negative floor", lambda q: q.update(floor=-0.5), "floor must lie"),
]


@pytest.mark.parametrize(("name", "damage", "words"), DAMAGES, ids=[d[0] for d in DAMAGES])
def test_damaged_rates_are_a_model_error(name: str, damage: Any, words: str) -> None:
    model = load_model()
    section = copy.deepcopy(model.metadata["quantification"])
    damage(section)
    with pytest.raises(ValueError, match=words):
        read_quantification(section)
    model.metadata = {**model.metadata, "quantification": section}
    with pytest.raises(ModelError, match="quantification rates are damaged"):
        model_rates(model, rows(10, 100))


def damaged_model_file(tmp_path: Path, damage: Any) -> Path:
    body = json.loads(
        (Path(__file__).resolve().parents[1] / "followaudit" / "model" / "model.json").read_text()
    )
    damage(body["metadata"]["quantification"])
    body["sha256"] = _checksum(body)  # resealed, as anyone can
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(body))
    return path


@pytest.mark.parametrize(("name", "damage", "words"), DAMAGES, ids=[d[0] for d in DAMAGES])
def test_a_damaged_model_file_is_refused_on_load_with_exit_4(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, damage: Any, words: str
) -> None:
    path = damaged_model_file(tmp_path, damage)
    with pytest.raises(ModelError, match=words):
        load_model(path)
    example = Path(__file__).resolve().parents[1] / "examples" / "followers.jsonl"
    code, _, err = run(capsys, "score", example, "--model", path, "--quiet")
    assert code == ExitCode.MODEL
    assert "is malformed: quantification:" in err and "Traceback" not in err


def test_the_terminal_and_the_html_say_what_the_interval_means() -> None:
    import io

    from rich.console import Console

    from followaudit.cli.render import summary_panel
    from followaudit.outputs.html_report import render_html

    summary = summarize(rows(4, 2_000), [], 0.5, rates=RATES)
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(summary_panel(summary, "file"))
    text = console.export_text()
    assert NO_EVIDENCE in text
    assert "The share counts 4 of 2,000 scored at 0.85 or more (4 at 0.50)" in text
    share = {"estimate": 0.0, "low": 0.0, "high": 0.02, "method": CORRECTED, "note": NO_EVIDENCE}
    page = render_html({"title": "t", "headline": "h", "share": share, "histogram": []})
    assert f'<p id="share-note" class="caption">{NO_EVIDENCE}</p>' in page
