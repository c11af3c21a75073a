"""The share questionable and its interval: from flagged counts to an honest estimate.

Two estimates live here:

- ``wilson``: a flagged share with its Wilson score interval (the raw share,
  and the follow-order chart's slices).
- ``counted_share``: the share of bought followers, corrected for the
  model's errors by a quiet-stratified adjusted count (issue 18), with a
  95% interval that carries how those errors move from one audience to
  another. The model file stores the counts it needs
  (``metadata.quantification``, read and checked by ``read_quantification``).

The corrected share, for n scored followers of which nq are quiet and k have
a score at or above the counting cut::

    bought = (k - nq Fq - (n - nq) Fa) / (T - s Fq - (1 - s) Fa)
    share  = clip(bought / n, 0, 1); below FLOOR it is 0 ("no evidence")

Fq and Fa are the shares of quiet and of active people the model flags at
the cut, T the share of bought followers it catches and s the share of
bought followers that are quiet, all measured out of fold on the training
table. Quiet people (few posts or few followers) are flagged far more often
than active ones, so the false alarms follow the audience's own quiet share
instead of the training mix's.

The interval takes k's 95% Jeffreys interval [kL, kH] and the ends of the
rate ranges that push each way: the low end with the highest false-alarm
rates any held-out group of people showed and the highest catch rate, the
high end with no false alarm at all and a catch rate ``TPR_ALLOWANCE`` below
the measured one (a vendor the model never saw). It is closed form, so the
same counts always give the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


# --- quiet followers ------------------------------------------------------------------------

# A follower is quiet with fewer than this many posts, or fewer than this many followers.
QUIET_POSTS = 50
QUIET_FOLLOWERS = 30


def is_quiet(posts: Any, followers: Any) -> np.ndarray:
    """Return True where a known count is below its limit (an unknown count is not quiet)."""
    posts = np.asarray(posts, dtype=np.float64)
    followers = np.asarray(followers, dtype=np.float64)
    # NaN compares False: an unknown count never makes a follower quiet.
    quiet: np.ndarray = (posts < QUIET_POSTS) | (followers < QUIET_FOLLOWERS)
    return quiet


# --- the corrected share --------------------------------------------------------------------

# An account counts towards the share when its P(questionable) is at least the mode's cut.
# The label threshold (0.5) is a separate decision: these cuts keep people's false alarms
# low enough for the correction to hold on audiences unlike the training data.
# The scoring modes: every input known (X), or the X-only ones unknown (Bluesky, Mastodon).
ALL_KNOWN = "all known"
WITHOUT_X_ONLY = "without X-only"
COUNTING_CUTS: dict[str, float] = {ALL_KNOWN: 0.85, WITHOUT_X_ONLY: 0.9}
# An unseen vendor is assumed caught at least (1 - this) times as often as the training
# vendors are, out of fold: the high end of the interval allows for it.
TPR_ALLOWANCE = 0.15
# A corrected share below this is reported as 0: no evidence of bought followers.
FLOOR = 0.01
LEVEL = 0.95
# Below this gap between the catch rate and the false alarms the correction divides by
# almost nothing: the bound it would give says nothing (0 or 1).
MIN_RATE_GAP = 0.05


@dataclass(frozen=True)
class ShareRates:
    """What one scoring mode's corrected share needs: the cut, the rates and their ranges."""

    cut: float
    quiet_flagged: float  # Fq: quiet people flagged at the cut, out of fold
    quiet_flagged_high: float  # the most any held-out group of people showed (or Fq)
    active_flagged: float  # Fa: active people flagged
    active_flagged_high: float
    caught: float  # T: bought followers caught at the cut
    caught_low: float  # (1 - TPR_ALLOWANCE) T: a vendor the model never saw
    caught_high: float  # the most any held-out vendor showed (or T)
    bought_quiet: float  # s: share of bought followers that are quiet
    floor: float = FLOOR
    level: float = LEVEL

    def gap(self, caught: float, quiet_flagged: float, active_flagged: float) -> float:
        """Return the divisor of the correction for one choice of rates."""
        s = self.bought_quiet
        return caught - s * quiet_flagged - (1 - s) * active_flagged


def counted_shares(
    counted: Any,
    quiet: Any,
    n: int,
    rates: ShareRates,
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (estimate, low, high) arrays for arrays of counted and quiet followers out of n.

    ``counted`` holds how many scored followers are at or above ``rates.cut``,
    ``quiet`` how many are quiet; the same closed form as ``counted_share``,
    for many audiences at once (``followaudit evaluate`` draws thousands).
    ``bounds``, when given, is ``jeffreys_counts(np.arange(n + 1), n, rates.level)``
    computed once for every mixture of n accounts.
    """
    if n <= 0:
        raise ValueError("an interval needs at least one observation")
    k = np.asarray(counted, dtype=np.float64)
    nq = np.asarray(quiet, dtype=np.float64)
    if np.any((k < 0) | (k > n)) or np.any((nq < 0) | (nq > n)):
        raise ValueError("counted and quiet must be between 0 and n")
    na = n - nq
    if bounds is None:
        k_low, k_high = jeffreys_counts(k, n, rates.level)
    else:
        index = k.astype(np.int64)
        k_low, k_high = bounds[0][index], bounds[1][index]

    def solve(kk: np.ndarray, fq: float, fa: float, caught: float, empty: float) -> np.ndarray:
        gap = rates.gap(caught, fq, fa)
        if gap < MIN_RATE_GAP:
            return np.full(k.shape, empty)
        result: np.ndarray = np.clip((kk - nq * fq - na * fa) / gap / n, 0.0, 1.0)
        return result

    estimate = solve(k, rates.quiet_flagged, rates.active_flagged, rates.caught, 0.0)
    low = solve(k_low, rates.quiet_flagged_high, rates.active_flagged_high, rates.caught_high, 0.0)
    # The audience's people may raise no false alarm at all: with nothing flagged the
    # interval stays open above 0 rather than collapsing to 0-0.
    high = solve(k_high, 0.0, 0.0, rates.caught_low, 1.0)
    below = estimate < rates.floor
    estimate = np.where(below, 0.0, estimate)
    low = np.where(below, 0.0, np.minimum(low, estimate))
    return estimate, low, np.maximum(high, estimate)


def counted_share(counted: int, quiet: int, n: int, rates: ShareRates) -> Interval:
    """Return the share of bought followers among n scored, corrected for the model's errors.

    ``counted`` followers have a score at or above ``rates.cut`` and ``quiet``
    are quiet (``is_quiet``). See the module docstring for the method; below
    ``rates.floor`` the estimate and the low end are 0.
    """
    estimate, low, high = counted_shares(counted, quiet, n, rates)
    return Interval(float(estimate), float(low), float(high))


# --- the Jeffreys interval, without scipy (scoring must not import it: +130 ms) --------------

_MAX_STEPS = 100
_MAX_TERMS = 1000
_TINY = 1e-300


def jeffreys_counts(k: Any, n: int, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Return k's equal-tailed Jeffreys interval out of n, as counts (low, high).

    The ends are the (1 - level)/2 and (1 + level)/2 quantiles of
    Beta(k + 1/2, n - k + 1/2), times n; the low end is 0 at k = 0 and the
    high end n at k = n.
    """
    k = np.asarray(k, dtype=np.float64)
    tail = (1 - level) / 2
    low = np.zeros(k.shape)
    high = np.full(k.shape, float(n))
    inside = k > 0
    if inside.any():
        low[inside] = n * beta_quantile(tail, k[inside] + 0.5, n - k[inside] + 0.5)
    inside = k < n
    if inside.any():
        high[inside] = n * beta_quantile(1 - tail, k[inside] + 0.5, n - k[inside] + 0.5)
    return low, high


_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def _log_beta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    result: np.ndarray = (_lgamma(a) + _lgamma(b) - _lgamma(a + b)).astype(np.float64)
    return result


def beta_cdf(x: Any, a: Any, b: Any) -> np.ndarray:
    """Return the regularized incomplete beta function I_x(a, b), element by element.

    The continued fraction of Numerical Recipes (Press et al., 3rd ed., 6.4),
    evaluated by the modified Lentz method on whole arrays; it converges fast
    below (a + 1) / (a + b + 2), and I_x(a, b) = 1 - I_{1-x}(b, a) above.
    """
    x, a, b = np.broadcast_arrays(
        np.asarray(x, np.float64), np.asarray(a, np.float64), np.asarray(b, np.float64)
    )
    flip = x > (a + 1) / (a + b + 2)
    xs = np.where(flip, 1 - x, x)
    aa, bb = np.where(flip, b, a), np.where(flip, a, b)
    with np.errstate(divide="ignore"):
        front = np.exp(aa * np.log(xs) + bb * np.log1p(-xs) - _log_beta(aa, bb)) / aa
    fraction = _continued_fraction(xs, aa, bb)
    value = np.where(xs <= 0, 0.0, front * fraction)
    result: np.ndarray = np.clip(np.where(flip, 1 - value, value), 0.0, 1.0)
    return result


def _continued_fraction(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    qab, qap, qam = a + b, a + 1, a - 1
    c = np.ones(x.shape)
    d = 1 - qab * x / qap
    d = 1 / np.where(np.abs(d) < _TINY, _TINY, d)
    h = d.copy()
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        for term in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + term * d
            d = 1 / np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1 + term / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            step = d * c
            h = h * step
        if np.all(np.abs(step - 1) < 1e-14):
            break
    return h


def beta_quantile(p: float, a: Any, b: Any) -> np.ndarray:
    """Return x with I_x(a, b) = p for arrays of a, b > 0 (Newton's method inside a bracket)."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    # Start from the normal approximation, kept inside (0, 1).
    mean = a / (a + b)
    sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    x: np.ndarray = np.clip(mean + _normal_quantile(p) * sd, 1e-12, 1 - 1e-12)
    low, high = np.zeros(a.shape), np.ones(a.shape)
    log_norm = _log_beta(a, b)
    # Only the values still moving are worked on: most settle in a few steps.
    active = np.flatnonzero(np.ones(a.shape, dtype=bool))
    for _ in range(_MAX_STEPS):
        xa, aa, ba = x[active], a[active], b[active]
        error = beta_cdf(xa, aa, ba) - p
        low[active] = np.where(error < 0, xa, low[active])
        high[active] = np.where(error > 0, xa, high[active])
        density = np.exp((aa - 1) * np.log(xa) + (ba - 1) * np.log1p(-xa) - log_norm[active])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = xa - error / density
        # A Newton step that leaves the bracket is replaced by its midpoint.
        la, ha = low[active], high[active]
        outside = ~np.isfinite(newton) | (newton <= la) | (newton >= ha)
        following = np.where(outside, (la + ha) / 2, newton)
        moving = (np.abs(following - xa) > 1e-14 * np.maximum(xa, 1e-300)) & (error != 0)
        x[active] = following
        active = active[moving]
        if not active.size:
            break
    return x


# Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).
_ACKLAM_A = (
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.3577518672690,
    -30.66479806614716,
    2.506628277459239,
)
_ACKLAM_B = (
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
)
_ACKLAM_C = (
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
)
_ACKLAM_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)


def _polynomial(coefficients: tuple[float, ...], x: float) -> float:
    value = 0.0
    for coefficient in coefficients:
        value = value * x + coefficient
    return value


def _normal_quantile(p: float) -> float:
    """Return the standard normal quantile of p: a start for Newton's method, not a result."""
    if p < 0.02425 or p > 1 - 0.02425:
        q = math.sqrt(-2 * math.log(min(p, 1 - p)))
        x = _polynomial(_ACKLAM_C, q) / (_polynomial(_ACKLAM_D, q) * q + 1)
        return x if p < 0.5 else -x
    q = p - 0.5
    r = q * q
    return _polynomial(_ACKLAM_A, r) * q / (_polynomial(_ACKLAM_B, r) * r + 1)


# --- the counts stored in the model file ----------------------------------------------------


def mode_counts(
    cut: float,
    out_of_fold: np.ndarray,
    labels: np.ndarray,
    quiet: np.ndarray,
    held_out: Mapping[str, tuple[int, np.ndarray, np.ndarray]],
) -> dict[str, Any]:
    """Return one scoring mode's stored counts (the layout ``read_quantification`` checks).

    ``out_of_fold`` is every training row's out-of-fold P(questionable),
    ``labels`` its 0/1 label, ``quiet`` whether it is quiet. ``held_out``
    maps each source group to (its label, P of its rows from the model
    trained without it, their quiet flags). Counts are [flagged, of].
    """
    flagged = np.asarray(out_of_fold) >= cut
    labels = np.asarray(labels)
    quiet = np.asarray(quiet, dtype=bool)
    people, bought = labels == 0, labels == 1

    def pair(rows: np.ndarray, flags: np.ndarray) -> list[int]:
        return [int(np.sum(flags & rows)), int(np.sum(rows))]

    groups: dict[str, Any] = {}
    for source, (label, probability, shy) in held_out.items():
        hits = np.asarray(probability) >= cut
        group_quiet = np.asarray(shy, dtype=bool)
        if label == 0:
            groups[source] = {"quiet": pair(group_quiet, hits), "active": pair(~group_quiet, hits)}
        else:
            groups[source] = pair(np.ones(len(hits), dtype=bool), hits)
    return {
        "cut": float(cut),
        "out_of_fold": {
            "people_quiet": pair(people & quiet, flagged),
            "people_active": pair(people & ~quiet, flagged),
            "bought": pair(bought, flagged),
            "bought_quiet": int(np.sum(bought & quiet)),
        },
        "held_out": groups,
    }


MODES: tuple[str, ...] = (ALL_KNOWN, WITHOUT_X_ONLY)
METHOD = "quiet-stratified adjusted count"


def read_quantification(section: Any) -> dict[str, ShareRates]:
    """Return each scoring mode's rates from a model file's ``quantification`` section.

    Raises ValueError, saying what is wrong, for a section that is not this
    layout (an older model file's pooled rates included) or whose counts are
    impossible: a count above its total, a catch rate no better than the
    false alarms, a cut outside (0, 1).
    """
    section = _object(section, "quantification")
    if section.get("method") != METHOD:
        raise ValueError(
            "its error rates are not in the layout this followaudit reads "
            "(a model trained by an older followaudit?): retrain it with `followaudit train`"
        )
    allowance = _fraction(section.get("tpr_allowance"), "tpr_allowance", below=1.0)
    floor = _fraction(section.get("floor"), "floor", below=0.5)
    level = _fraction(section.get("level"), "level", below=1.0, above_zero=True)
    quiet = section.get("quiet")
    if quiet != {"posts_below": QUIET_POSTS, "followers_below": QUIET_FOLLOWERS}:
        raise ValueError(
            f"its quiet limits must be posts_below {QUIET_POSTS} and followers_below "
            f"{QUIET_FOLLOWERS}, the ones this followaudit counts with"
        )
    modes = section.get("modes")
    if not isinstance(modes, Mapping) or set(modes) != set(MODES):
        raise ValueError(f"quantification modes must be exactly: {', '.join(MODES)}")
    return {name: _mode_rates(modes[name], name, allowance, floor, level) for name in MODES}


def _mode_rates(mode: Any, name: str, allowance: float, floor: float, level: float) -> ShareRates:
    where = f"mode {name!r}"
    mode = _object(mode, where)
    cut = _fraction(mode.get("cut"), f"{where} cut", below=1.0, above_zero=True)
    oof = _object(mode.get("out_of_fold"), f"{where} out_of_fold")
    quiet_flagged = _rate(oof.get("people_quiet"), f"{where} people_quiet")
    active_flagged = _rate(oof.get("people_active"), f"{where} people_active")
    caught = _rate(oof.get("bought"), f"{where} bought")
    bought = oof["bought"][1]
    bought_quiet = _count(oof.get("bought_quiet"), f"{where} bought_quiet")
    if bought_quiet > bought:
        raise ValueError(f"{where} has more quiet bought followers than bought followers")
    held = _object(mode.get("held_out"), f"{where} held_out")
    quiet_rates: list[float | None] = []
    active_rates: list[float | None] = []
    caught_rates: list[float] = []
    for source, counts in held.items():
        what = f"{where} held-out {source}"
        if isinstance(counts, Mapping):
            if set(counts) != {"quiet", "active"}:
                raise ValueError(f"{what} must hold quiet and active counts")
            quiet_rates.append(_rate_or_none(counts["quiet"], what))
            active_rates.append(_rate_or_none(counts["active"], what))
        else:
            caught_rates.append(_rate(counts, what))
    rates = ShareRates(
        cut=cut,
        quiet_flagged=quiet_flagged,
        quiet_flagged_high=max([quiet_flagged, *(r for r in quiet_rates if r is not None)]),
        active_flagged=active_flagged,
        active_flagged_high=max([active_flagged, *(r for r in active_rates if r is not None)]),
        caught=caught,
        caught_low=(1 - allowance) * caught,
        caught_high=max([caught, *caught_rates]),
        bought_quiet=bought_quiet / bought,
        floor=floor,
        level=level,
    )
    if caught <= max(quiet_flagged, active_flagged) or (
        rates.gap(caught, quiet_flagged, active_flagged) < MIN_RATE_GAP
    ):
        raise ValueError(
            f"{where}: the model catches bought followers ({caught:.1%}) hardly more often "
            f"than it flags people ({max(quiet_flagged, active_flagged):.1%}), so its share "
            "cannot be corrected"
        )
    return rates


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        # A damaged file holds a bad value: reported as such (ValueError), like every other.
        raise ValueError(f"{what} must be an object")  # noqa: TRY004
    return value


# The most any stored count may be: the training table has thousands of rows, and a count
# of 400 digits is damage (it cannot even be a float).
MAX_STORED_COUNT = 10**9


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STORED_COUNT:
        raise ValueError(f"{what} must be a whole number from 0 to a billion")
    return value


def _rate(pair: Any, what: str) -> float:
    """Return flagged / of of a stored [flagged, of] pair that counts at least one account."""
    rate = _rate_or_none(pair, what)
    if rate is None:
        raise ValueError(f"{what} counts no account")
    return rate


def _rate_or_none(pair: Any, what: str) -> float | None:
    """Return flagged / of of a stored [flagged, of] pair, None for a group with no account."""
    if not isinstance(pair, list) or len(pair) != 2:
        raise ValueError(f"{what} must be a pair [flagged, of]")
    hits, total = (_count(v, what) for v in pair)
    if hits > total:
        raise ValueError(f"{what} counts more flagged accounts than it has")
    return hits / total if total else None


def _fraction(value: Any, what: str, *, below: float, above_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number")  # noqa: TRY004 - see _object
    number = float(value)
    if not (0 < number < below if above_zero else 0 <= number < below):
        raise ValueError(f"{what} must lie in {'(' if above_zero else '['}0, {below})")
    return number
