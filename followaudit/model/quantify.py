"""Interval estimates used in reports."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Two-sided 95% normal quantile.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    """A point estimate with a confidence interval."""

    estimate: float
    low: float
    high: float


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Return the share successes/n with its Wilson score interval.

    Wilson's interval stays inside [0, 1] and keeps close to its nominal
    coverage for small n and for shares near 0 or 1, where the textbook
    normal ("Wald") interval collapses to a width of zero.
    """
    if n <= 0:
        raise ValueError("an interval needs at least one observation")
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # Clamp floating-point noise at the ends (0 successes can give low = 5e-17).
    return Interval(p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


@dataclass(frozen=True)
class ClassifierRates:
    """A classifier's measured hits and false alarms on labelled held-out accounts."""

    true_positives: int
    positives: int
    false_positives: int
    negatives: int

    def __post_init__(self) -> None:
        if not (0 <= self.true_positives <= self.positives and self.positives > 0):
            raise ValueError("true_positives must be between 0 and positives (> 0)")
        if not (0 <= self.false_positives <= self.negatives and self.negatives > 0):
            raise ValueError("false_positives must be between 0 and negatives (> 0)")

    @property
    def tpr(self) -> float:
        """Return the true-positive rate (recall on questionable accounts)."""
        return self.true_positives / self.positives

    @property
    def fpr(self) -> float:
        """Return the false-positive rate (share of authentic accounts flagged)."""
        return self.false_positives / self.negatives


# Monte Carlo draws for the corrected share's interval; fixed seed, so reports repeat exactly.
ADJUSTED_DRAWS = 20_000
ADJUSTED_SEED = 20_080_101
# Below this gap between the rates the correction is meaningless (it divides by the gap).
MIN_RATE_GAP = 0.05


def adjusted_share(flagged: int, n: int, rates: ClassifierRates) -> Interval:
    """Return the prevalence of questionable accounts, corrected for the classifier's errors.

    Adjusted classify-and-count (Forman 2008): if a share ``q`` of the
    accounts is flagged, and the classifier flags a questionable account with
    probability ``tpr`` and an authentic one with probability ``fpr``, then
    ``q = p * tpr + (1 - p) * fpr`` and the prevalence is
    ``p = (q - fpr) / (tpr - fpr)``, clipped to [0, 1].

    The 95% interval carries both sources of error by simulation: the
    flagged share and the two rates are each drawn from their Jeffreys
    posterior, Beta(k + 1/2, n - k + 1/2) (the flagged count out of ``n``,
    the hits out of the held-out questionable accounts, the false alarms out
    of the held-out authentic ones), ``p`` is computed for each draw, and the
    2.5th and 97.5th percentiles are the interval. The draws use a fixed
    seed, so the same inputs always give the same interval.

    Assumes the accounts' profiles, within each class, look like the
    labelled accounts the rates were measured on (no shift in how the
    classifier errs); see docs/limitations.md.
    """
    if n <= 0:
        raise ValueError("an interval needs at least one observation")
    if not 0 <= flagged <= n:
        raise ValueError("flagged must be between 0 and n")
    gap = rates.tpr - rates.fpr
    if gap < MIN_RATE_GAP:
        raise ValueError("the classifier's rates are too close for a correction")
    estimate = min(1.0, max(0.0, (flagged / n - rates.fpr) / gap))
    rng = np.random.default_rng(ADJUSTED_SEED)
    q = rng.beta(flagged + 0.5, n - flagged + 0.5, ADJUSTED_DRAWS)
    tpr = rng.beta(
        rates.true_positives + 0.5, rates.positives - rates.true_positives + 0.5, ADJUSTED_DRAWS
    )
    fpr = rng.beta(
        rates.false_positives + 0.5, rates.negatives - rates.false_positives + 0.5, ADJUSTED_DRAWS
    )
    p = np.clip((q - fpr) / np.maximum(tpr - fpr, MIN_RATE_GAP), 0.0, 1.0)
    low, high = (float(v) for v in np.quantile(p, [0.025, 0.975]))
    return Interval(estimate, min(low, estimate), max(high, estimate))
