"""A block of purchased followers shows up in the follow-order buckets and is flagged."""

import itertools
from fractions import Fraction
from math import comb

import numpy as np
import pytest

from followaudit.analysis.batches import ALPHA, _holm, describe, follow_order_buckets, upper_tail


def follower_list(n: int, background: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random(n) < background


def test_injected_block_flags_exactly_the_bucket_holding_it():
    flags = follower_list(10_000, 0.10, seed=7)
    flags[3000:4000] = True  # 1,000 bought accounts, positions 3,001-4,000
    buckets = follow_order_buckets(flags)
    assert [b.flagged for b in buckets] == [i == 3 for i in range(10)]
    block = buckets[3]
    assert (block.first, block.last, block.n, block.questionable) == (3001, 4000, 1000, 1000)
    assert block.share.estimate == 1.0
    assert block.p_value is not None and block.p_value < 1e-100


def test_block_straddling_two_buckets_flags_both():
    flags = follower_list(10_000, 0.10, seed=8)
    flags[3500:4500] = True
    assert [i for i, b in enumerate(follow_order_buckets(flags)) if b.flagged] == [3, 4]


@pytest.mark.parametrize("n", [200, 1_000, 10_000])
def test_uniform_lists_are_rarely_flagged(n):
    # Holm at alpha 0.01 bounds the chance of any false flag per list at 1%.
    false_alarms = sum(
        any(b.flagged for b in follow_order_buckets(follower_list(n, 0.10, seed)))
        for seed in range(100)
    )
    assert false_alarms <= 2


def test_small_but_significant_difference_is_not_flagged_on_a_big_list():
    flags = follower_list(10_000, 0.10, seed=3)
    flags[:1000] = follower_list(1000, 0.17, seed=4)  # 7 points more in the newest tenth
    (newest, *_) = follow_order_buckets(flags)
    assert newest.p_value is not None and newest.p_value < ALPHA
    assert not newest.flagged


def test_buckets_cover_the_list_without_gaps():
    buckets = follow_order_buckets(np.zeros(1_003, dtype=bool))
    assert buckets[0].first == 1 and buckets[-1].last == 1_003
    assert all(a.last + 1 == b.first for a, b in itertools.pairwise(buckets))
    assert sum(b.n for b in buckets) == 1_003


def test_tiny_lists_get_fewer_buckets_or_no_test():
    assert follow_order_buckets([]) == []
    assert len(follow_order_buckets([True] * 25)) == 2
    (only,) = follow_order_buckets([True, False, True])
    assert (only.n, only.questionable, only.p_value, only.flagged) == (3, 2, None, False)


def fisher_greater(table: list[list[int]]) -> float:
    """One-sided Fisher exact p-value of a 2x2 table, in exact rational arithmetic."""
    (a, b), (c, d) = table
    good, draws, total = a + c, a + b, a + b + c + d
    tail = sum(
        Fraction(comb(good, i) * comb(total - good, draws - i))
        for i in range(a, min(good, draws) + 1)
    )
    return float(tail / comb(total, draws))


@pytest.mark.parametrize(
    ("k", "total", "good", "draws"),
    [
        (5, 20, 7, 9),
        (0, 10, 3, 4),
        (1, 10, 0, 4),
        (4, 10, 3, 4),
        (30, 300, 80, 30),
        (12, 1000, 100, 40),
        (3, 50, 45, 10),
        (100, 400, 120, 130),
    ],
)
def test_upper_tail_is_the_exact_hypergeometric_tail(k, total, good, draws):
    table = [[k, draws - k], [good - k, total - draws - good + k]]
    assert upper_tail(k, total, good, draws) == pytest.approx(fisher_greater(table), rel=1e-9)


def test_p_values_match_fisher_exact_with_holm():
    flags = follower_list(300, 0.2, seed=11)
    flags[:30] = True
    buckets = follow_order_buckets(flags)
    raw = []
    for b in buckets:
        rest_n, rest_q = 300 - b.n, int(flags.sum()) - b.questionable
        table = [[b.questionable, b.n - b.questionable], [rest_q, rest_n - rest_q]]
        raw.append(fisher_greater(table))
    assert [b.p_value for b in buckets] == pytest.approx(_holm(raw), rel=1e-9)


def test_holm_adjustment():
    assert _holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert _holm([0.9, 0.8]) == [1.0, 1.0]


def test_describe_a_flagged_bucket():
    flags = follower_list(10_000, 0.10, seed=7)
    flags[3000:4000] = True
    block = follow_order_buckets(flags)[3]
    assert describe(block) == (
        "followers 3,001-4,000 (counted from the newest): 100% questionable (100%-100%) "
        f"against {block.rest_share:.0%} in the rest of the list (p < 0.0001, Holm-adjusted): "
        "likely a purchased batch"
    )
