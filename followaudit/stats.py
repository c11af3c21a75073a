"""Interval estimates used in reports."""

from __future__ import annotations

import math
from dataclasses import dataclass

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

