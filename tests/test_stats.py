"""The Wilson interval matches published values and behaves at the edges."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followaudit.model.quantify import wilson


def test_matches_published_example():
    # Newcombe (1998), Statistics in Medicine 17:857, table I, case 81/263: 0.2553-0.3662.
    interval = wilson(81, 263)
    assert interval.estimate == pytest.approx(81 / 263)
    assert interval.low == pytest.approx(0.2553, abs=5e-5)
    assert interval.high == pytest.approx(0.3662, abs=5e-5)


def test_zero_successes_has_a_nonzero_upper_bound():
    # Newcombe case 0/20: 0-0.1611. A Wald interval would claim 0-0.
    interval = wilson(0, 20)
    assert interval.low == 0.0
    assert interval.high == pytest.approx(0.1611, abs=5e-5)


def test_all_successes_mirror_zero_successes():
    a, b = wilson(0, 20), wilson(20, 20)
    assert b.high == 1.0
    assert b.low == pytest.approx(1 - a.high)


def test_rejects_impossible_counts():
    with pytest.raises(ValueError):
        wilson(1, 0)
    with pytest.raises(ValueError):
        wilson(5, 4)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_contains_estimate_and_stays_in_unit_range(case):
    k, n = case
    interval = wilson(k, n)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0
    assert not math.isnan(interval.low)


def test_interval_narrows_with_more_data():
    assert (wilson(300, 1000).high - wilson(300, 1000).low) < (
        wilson(30, 100).high - wilson(30, 100).low
    )
