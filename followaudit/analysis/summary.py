"""The summary of a scored follower set: counts, share questionable, histogram, headline."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from followaudit.accounts import Skipped
from followaudit.errors import ModelError
from followaudit.model.quantify import ClassifierRates, Interval, adjusted_share, wilson

if TYPE_CHECKING:
    from followaudit.model.forest import Model

HISTOGRAM_BINS = 10
# What a "questionable" verdict means, said once for every report (terminal, HTML).
QUESTIONABLE_MEANS = (
    "Questionable means the profile looks like a bought or abandoned account; "
    "it is not proof that it was bought."
)


@dataclass(frozen=True)
class Summary:
    """What a report says about one follower set."""

    scored: int
    skipped: int
    questionable: int
    threshold: float
    share_questionable: Interval
    population: int  # followers the estimate speaks for (the whole base when sampled)
    authentic_followers: Interval  # estimated authentic followers in `population`
    histogram: list[int] = field(default_factory=list)  # accounts per score decile
    # How share_questionable was estimated: CORRECTED (for the model's measured
    # errors) or RAW (the flagged count with a Wilson interval, when the model
    # carries no rates).
    share_method: str = "raw"
    # The flagged count's own share, questionable / scored, with its Wilson interval.
    flagged_share: Interval = field(default_factory=lambda: Interval(math.nan, math.nan, math.nan))

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready data."""
        return asdict(self)


CORRECTED = "corrected"
RAW = "raw"
# Said wherever the corrected share is shown, so nobody mistakes it for a count.
CORRECTED_NOTE = "corrected for the model's measured error rates"


def summarize(
    rows: pd.DataFrame,
    skipped: list[Skipped],
    threshold: float,
    population: int | None = None,
    rates: ClassifierRates | None = None,
) -> Summary:
    """Return the summary of scored rows.

    The scored accounts are treated as a random sample of the follower base
    (``population``; the scored count itself when not given). With the
    model's measured ``rates``, the share questionable is the flagged share
    corrected for the model's errors (``stats.adjusted_share``), with a 95%
    interval that carries both the sampling error and the uncertainty of the
    rates; without them it is the flagged share with a Wilson interval. The
    estimated number of authentic followers is the population times one
    minus that share, with the interval scaled the same way.
    """
    scored = len(rows)
    questionable = int((rows["label"] == "questionable").sum()) if scored else 0
    base = population if population is not None else scored
    nan = Interval(math.nan, math.nan, math.nan)
    method = RAW
    if scored:
        flagged = wilson(questionable, scored)
        share = flagged
        if rates is not None:
            share = adjusted_share(questionable, scored, rates)
            method = CORRECTED
        authentic = Interval(
            base * (1 - share.estimate), base * (1 - share.high), base * (1 - share.low)
        )
        counts, _ = np.histogram(
            rows["probability"].to_numpy(), bins=HISTOGRAM_BINS, range=(0.0, 1.0)
        )
        histogram = [int(c) for c in counts]
    else:
        flagged = share = authentic = nan
        histogram = [0] * HISTOGRAM_BINS
    return Summary(
        scored=scored,
        skipped=len(skipped),
        questionable=questionable,
        threshold=threshold,
        share_questionable=share,
        population=base,
        authentic_followers=authentic,
        histogram=histogram,
        share_method=method,
        flagged_share=flagged,
    )


def model_rates(model: Model, rows: pd.DataFrame) -> ClassifierRates | None:
    """Return the model's measured rates for how ``rows`` were scored, None if it has none.

    A model trained by ``followaudit train`` stores out-of-fold counts for
    two modes: all inputs known, and the X-only counts (likes, listed)
    unknown, as for Bluesky and Mastodon. The mode most rows were scored in
    is used.
    """
    section = model.metadata.get("quantification")
    if section is None:
        return None
    x_only_known = 0
    if len(rows) and "likes" in rows.columns and "listed" in rows.columns:
        x_only_known = int((rows["likes"].notna() & rows["listed"].notna()).sum())
    mode = "all known" if x_only_known * 2 > len(rows) else "without X-only"
    try:
        counts = section["modes"][mode]
        return ClassifierRates(
            true_positives=_count(counts["true_positives"]),
            positives=_count(counts["positives"]),
            false_positives=_count(counts["false_positives"]),
            negatives=_count(counts["negatives"]),
        )
    except (KeyError, TypeError, ValueError):
        raise ModelError(
            "the model file's quantification rates are damaged or incomplete"
        ) from None


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("not a count")
    return value


def headline(summary: Summary) -> str:
    """Return the one-line headline, e.g. 'Authentic followers: about 7,800 (7,500-8,100) of 10,000'."""
    a = summary.authentic_followers
    if summary.scored == 0:
        return "No account could be scored."
    return (
        f"Authentic followers: about {round_followers(a.estimate):,} "
        f"({round_followers(a.low):,}-{round_followers(a.high):,}) of {summary.population:,}"
    )


def round_followers(value: float) -> int:
    """Return a follower count estimate rounded to a precision that does not overstate it.

    Whole followers under 1,000, tens under 10,000, hundreds above. Every
    report (headline, gates, summary CSV, JUnit, HTML, terminal tables) writes
    an estimated count through this one function, so they all say the same.
    """
    if value >= 10_000:
        return round(value / 100) * 100
    if value >= 1_000:
        return round(value / 10) * 10
    return round(value)


def round_share(value: float) -> float:
    """Return a share (0-1) rounded to a tenth of a percentage point, as every report writes it."""
    return float(f"{value:.3f}")
