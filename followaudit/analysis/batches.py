"""Purchased batches: the questionable share along the follow order, and the test that flags a block.

Follower sellers deliver in bulk, so a bought batch shows up as a run of
questionable accounts that followed at about the same time. X lists
followers newest first (documented), so list position is follow order;
Bluesky and Mastodon document no order, and there the report says so
instead of drawing the chart (``NO_ORDER``).

The list is cut into equal buckets by position (tenths by default). A bucket
is flagged when both hold:

1. Significance. A one-sided Fisher exact test of the bucket against the
   rest of the list (2x2 table: questionable or not, in the bucket or not;
   alternative: the bucket's share is greater) gives a p-value per bucket.
   The p-values are adjusted for testing every bucket with Holm's step-down
   method (controls the chance of any false flag at ``ALPHA`` = 0.01 under
   the hypothesis that questionable accounts are spread evenly, whatever the
   dependence between buckets). Fisher's test is exact for any bucket size,
   where a normal approximation misbehaves on small buckets and low shares.
2. Size of effect. The bucket's share is at least ``MIN_EFFECT`` = 20
   percentage points above the rest. On a 10,000-follower list every bucket
   holds 1,000 accounts, and a difference of 4 points is already
   "significant"; such a difference is ordinary churn, not a purchase.

Lists shorter than ``MIN_BUCKET_SIZE`` per bucket get fewer buckets; under
two buckets nothing is tested.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from followaudit.model.quantify import Interval, wilson

ALPHA = 0.01
MIN_EFFECT = 0.20
MIN_BUCKET_SIZE = 10
NO_ORDER = (
    "This platform does not document the order of its follower list, so follow order "
    "(and purchased batches) cannot be shown."
)
NO_BATCH = "No slice of the follower list stands out from the rest: no sign of a purchased batch."
TEST_DESCRIPTION = (
    "one-sided Fisher exact test of each bucket against the rest, Holm-adjusted across "
    f"buckets at {ALPHA}, and at least {MIN_EFFECT * 100:.0f} percentage points above the rest"
)


@dataclass(frozen=True)
class Bucket:
    """One slice of the follower list in follow order (position 1 is the newest follower)."""

    first: int  # 1-based position of the first follower in the bucket
    last: int  # 1-based position of the last follower, inclusive
    n: int
    questionable: int
    share: Interval  # share questionable with its 95% Wilson interval
    rest_share: float | None  # share questionable in the rest of the list
    p_value: float | None  # Holm-adjusted one-sided p-value; None when not tested
    flagged: bool


def _holm(p_values: list[float]) -> list[float]:
    """Return Holm step-down adjusted p-values (monotone, capped at 1), in input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def upper_tail(k: int, total: int, good: int, draws: int) -> float:
    """Return P(X >= k) for X hypergeometric: ``draws`` taken from ``total`` holding ``good``.

    This is the one-sided Fisher exact p-value. The first term comes from
    log-gamma; each next one from the ratio pmf(i + 1) / pmf(i), so the whole
    tail is one cumulative sum in log space (no underflow before 1e-308).
    """
    low, high = max(0, draws - (total - good)), min(good, draws)
    if k <= low:
        return 1.0
    if k > high:
        return 0.0
    first = _log_choose(good, k) + _log_choose(total - good, draws - k) - _log_choose(total, draws)
    i = np.arange(k, high, dtype=np.float64)
    ratios = (good - i) * (draws - i) / ((i + 1) * (total - good - draws + i + 1))
    logs = first + np.concatenate(([0.0], np.cumsum(np.log(ratios))))
    return float(min(1.0, np.exp(logs).sum()))


def follow_order_buckets(questionable: ArrayLike, buckets: int = 10) -> list[Bucket]:
    """Return the list cut into ``buckets`` equal slices by position, each tested (see module doc).

    ``questionable`` holds one boolean per follower in list order, newest
    first. An empty list gives no buckets.
    """
    flags = np.asarray(questionable, dtype=bool).ravel()
    total = int(flags.size)
    if total == 0:
        return []
    if buckets < 1:
        raise ValueError("at least one bucket is needed")
    count = max(1, min(buckets, total // MIN_BUCKET_SIZE))
    edges = [round(i * total / count) for i in range(count + 1)]
    all_q = int(flags.sum())
    sizes = [edges[i + 1] - edges[i] for i in range(count)]
    q_counts = [int(flags[edges[i] : edges[i + 1]].sum()) for i in range(count)]

    rest_shares = [
        (all_q - q) / (total - n) if total > n else None
        for n, q in zip(sizes, q_counts, strict=True)
    ]
    adjusted: list[float | None] = [None] * count
    if count >= 2:
        # One-sided Fisher exact test: P(X >= q) for X hypergeometric, drawing the
        # bucket's n followers from a list of `total` holding `all_q` questionable.
        raw = [upper_tail(q, total, all_q, n) for q, n in zip(q_counts, sizes, strict=True)]
        adjusted = list(_holm(raw))

    result = []
    for i in range(count):
        n, q, rest, p = sizes[i], q_counts[i], rest_shares[i], adjusted[i]
        share = wilson(q, n)
        flagged = (
            p is not None and rest is not None and p < ALPHA and share.estimate - rest >= MIN_EFFECT
        )
        result.append(
            Bucket(
                first=edges[i] + 1,
                last=edges[i + 1],
                n=n,
                questionable=q,
                share=share,
                rest_share=rest,
                p_value=p,
                flagged=flagged,
            )
        )
    return result


def describe(bucket: Bucket) -> str:
    """Return one plain sentence about a bucket, e.g. for a flagged purchased batch."""
    sentence = (
        f"followers {bucket.first:,}-{bucket.last:,} (counted from the newest): "
        f"{bucket.share.estimate:.0%} questionable "
        f"({bucket.share.low:.0%}-{bucket.share.high:.0%})"
    )
    if bucket.rest_share is not None:
        sentence += f" against {bucket.rest_share:.0%} in the rest of the list"
    if bucket.p_value is not None:
        p = "p < 0.0001" if bucket.p_value < 0.0001 else f"p = {bucket.p_value:.2g}"
        sentence += f" ({p}, Holm-adjusted)"
    if bucket.flagged:
        sentence += ": likely a purchased batch"
    return sentence


def follow_order_document(
    questionable: ArrayLike, positions: ArrayLike | None = None
) -> dict[str, Any]:
    """Return the follow-order object of the JSON audit and the HTML report.

    ``questionable`` flags the scored followers in list order; ``positions``
    are their places in the platform's follower list (1 = newest; default
    1, 2, 3, ...), so the buckets of a sampled scan still point at the right
    part of the list. Flagged buckets are described in ``flagged`` sentences.
    """
    flags = np.asarray(questionable, dtype=bool)
    lines = np.arange(1, len(flags) + 1) if positions is None else np.asarray(positions)
    shaped = []
    flagged = []
    for b in follow_order_buckets(flags):
        first, last = int(lines[b.first - 1]), int(lines[b.last - 1])
        shaped.append(
            {
                "first": first,
                "last": last,
                "n": b.n,
                "questionable": b.questionable,
                "share": b.share.estimate,
                "low": b.share.low,
                "high": b.share.high,
                "rest_share": b.rest_share,
                "p_value": b.p_value,
                "flagged": b.flagged,
            }
        )
        if b.flagged:
            flagged.append(describe(replace(b, first=first, last=last)))
    return {"known": True, "test": TEST_DESCRIPTION, "buckets": shaped, "flagged": flagged}


def order_sentences(order: Mapping[str, Any]) -> list[str]:
    """Return what a follow-order chart shows, in words: each flagged slice, or that none stands out.

    The terminal and the HTML report write these under the chart, so they
    say the same; [] when there is no chart (the order is not known).
    """
    buckets = order.get("buckets") or []
    if not order.get("known") or not buckets:
        return []
    flagged = [str(sentence) for sentence in order.get("flagged") or []]
    if not flagged:  # a document without the sentences: said from the buckets
        flagged = [
            f"followers {int(b['first']):,}-{int(b['last']):,}: {float(b['share']):.0%} "
            "questionable: likely a purchased batch"
            for b in buckets
            if b.get("flagged")
        ]
    return [s[:1].upper() + s[1:] for s in flagged] or [NO_BATCH]
