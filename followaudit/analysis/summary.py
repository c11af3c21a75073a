"""The summary of a scored follower set: counts, share questionable, histogram, headline."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from followaudit.accounts import INACTIVE_MONTHS, Skipped
from followaudit.analysis.numbers import percent
from followaudit.errors import ModelError
from followaudit.model.quantify import (
    ALL_KNOWN,
    WITHOUT_X_ONLY,
    Interval,
    ShareRates,
    counted_share,
    is_quiet,
    read_quantification,
    wilson,
)

if TYPE_CHECKING:
    from followaudit.model.forest import Model

HISTOGRAM_BINS = 10
# What a "questionable" verdict means, said once for every report (terminal, HTML).
QUESTIONABLE_MEANS = (
    "Questionable means the profile looks like a bought or abandoned account; "
    "it is not proof that it was bought."
)


# Said with every count of inactive followers: the headline keeps one meaning.
INACTIVE_MEANS = (
    "Inactive followers are counted apart: an inactive follower counts as questionable only "
    "when its profile scores as questionable, never for being inactive."
)


@dataclass(frozen=True)
class Inactive:
    """Scored followers with no post in the last 12 months, or none ever, counted apart."""

    accounts: int  # inactive followers among those scored
    never_posted: int  # of them, with no post at all
    known: int  # scored followers whose activity is known (a last-post time, or no post)
    questionable: int  # inactive followers whose profile is also scored questionable
    months: int = INACTIVE_MONTHS


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
    # The corrected share counts the accounts scored at or above this cut (None: raw share),
    # how many there are, and how many scored accounts are quiet (few posts or followers).
    counting_cut: float | None = None
    counted: int | None = None
    quiet: int | None = None
    # What the interval says when it touches 0 (NO_EVIDENCE, CANNOT_RULE_OUT_NONE), or None.
    share_note: str | None = None
    # Inactive followers (reported apart from questionable); None when not known at all.
    inactive: Inactive | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready data."""
        return asdict(self)


CORRECTED = "corrected"
RAW = "raw"
# Said wherever the corrected share is shown, so nobody mistakes it for a count.
CORRECTED_NOTE = "corrected for the model's measured error rates"
# Said when the corrected share is below the floor (reported as 0), or its interval reaches 0.
NO_EVIDENCE = (
    "No evidence of bought followers: the corrected share is under 1 point, within what "
    "the model flags among real people."
)
CANNOT_RULE_OUT_NONE = "The interval reaches 0: it cannot rule out that none were bought."


def summarize(
    rows: pd.DataFrame,
    skipped: list[Skipped],
    threshold: float,
    population: int | None = None,
    rates: ShareRates | None = None,
) -> Summary:
    """Return the summary of scored rows.

    The scored accounts are treated as a random sample of the follower base
    (``population``; the scored count itself when not given). With the
    model's measured ``rates`` (``model_rates``), the share questionable is
    the share of accounts scored at or above the rates' counting cut,
    corrected for the model's errors on quiet and on active followers
    (``quantify.counted_share``), with a 95% interval that also carries how
    those errors vary between audiences; without them it is the flagged
    share with a Wilson interval. The estimated number of authentic
    followers is the population times one minus that share, with the
    interval scaled the same way.
    """
    scored = len(rows)
    questionable = int((rows["label"] == "questionable").sum()) if scored else 0
    base = population if population is not None else scored
    nan = Interval(math.nan, math.nan, math.nan)
    method = RAW
    counted = quiet = None
    note = None
    if scored:
        flagged = wilson(questionable, scored)
        share = flagged
        if rates is not None:
            counted = int((rows["probability"].to_numpy() >= rates.cut).sum())
            quiet = int(is_quiet(rows["posts"], rows["followers"]).sum())
            share = counted_share(counted, quiet, scored, rates)
            method = CORRECTED
            if share.estimate == 0:
                note = NO_EVIDENCE
            elif share.low == 0:
                note = CANNOT_RULE_OUT_NONE
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
        inactive=inactive_followers(rows),
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
        counting_cut=None if rates is None else rates.cut,
        counted=counted,
        quiet=quiet,
        share_note=note,
    )


def inactive_followers(rows: pd.DataFrame) -> Inactive | None:
    """Return the inactive followers among scored rows (``scoring``'s ``inactive``), if told."""
    if "inactive" not in rows.columns:
        return None
    flags = rows["inactive"].to_numpy(dtype=np.float64)
    inactive = flags == 1
    never = inactive & (rows["posts"].to_numpy(dtype=np.float64) == 0)
    questionable = (rows["label"] == "questionable").to_numpy()
    return Inactive(
        accounts=int(inactive.sum()),
        never_posted=int(never.sum()),
        known=int((~np.isnan(flags)).sum()),
        questionable=int((inactive & questionable).sum()),
    )


def inactive_sentence(inactive: Mapping[str, Any], scored: int) -> str:
    """Return the report's line on inactive followers, from ``Inactive``'s JSON form.

    "Inactive: 45 of 400 scored followers (11.2%) have not posted in 12 months
    (30 never posted); 40 of them score as questionable."
    """
    accounts, known = int(inactive["accounts"]), int(inactive["known"])
    months = int(inactive.get("months") or INACTIVE_MONTHS)
    if not scored:
        return "Inactive: no follower was scored."
    if known == 0:
        return (
            f"Inactive (no post in {months} months): not known, no follower's last post "
            "time is given and none has 0 posts."
        )
    at_least = "at least " if known < scored else ""
    sentence = (
        f"Inactive: {at_least}{accounts:,} of {scored:,} scored followers "
        f"({percent(accounts / scored, 1)}) have not posted in {months} months "
        f"({int(inactive['never_posted']):,} never posted)"
    )
    if accounts:
        sentence += f"; {int(inactive['questionable']):,} of them score as questionable"
    if known < scored:
        sentence += f"; when {scored - known:,} last posted is not known"
    return sentence + "."


def model_rates(model: Model, rows: pd.DataFrame) -> ShareRates | None:
    """Return the model's measured rates for how ``rows`` were scored, None if it has none.

    A model trained by ``followaudit train`` stores counts for two modes:
    all inputs known, and the X-only counts (likes, listed) unknown, as for
    Bluesky and Mastodon. The mode most rows were scored in is used.
    """
    section = model.metadata.get("quantification")
    if section is None:
        return None
    x_only_known = 0
    if len(rows) and "likes" in rows.columns and "listed" in rows.columns:
        x_only_known = int((rows["likes"].notna() & rows["listed"].notna()).sum())
    mode = ALL_KNOWN if x_only_known * 2 > len(rows) else WITHOUT_X_ONLY
    try:
        return read_quantification(section)[mode]
    except ValueError as problem:
        raise ModelError(
            f"the model file's quantification rates are damaged or incomplete: {problem}"
        ) from None


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
