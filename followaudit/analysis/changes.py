"""What changed since the account's last scan: the new followers, judged on their own.

An agency vetting an account before each campaign asks "has it bought
followers since last time?". The followers new since the last scan are a
set of their own, and their share questionable is estimated exactly as the
headline's is (``summary.summarize`` with the model's rates), so it is
corrected for the model's errors and carries its 95% interval. Who left is
not listed by a rescan (it stops where the last scan's followers begin), so
their number is estimated from the counts the platform reported then and
now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followaudit.analysis.numbers import percent
from followaudit.analysis.summary import Summary


@dataclass(frozen=True)
class SinceLast:
    """The followers new since the account's last stored scan, and what they add up to."""

    previous_scan_at: datetime
    new_followers: int  # followers listed now that the last scan did not list
    # Followers gone since, from the counts: then + new - now (None when a count is unknown).
    departed_estimate: int | None
    summary: Summary  # of the new followers scored (a sample of them with --sample)
    rescan: bool  # listing stopped where the last scan's followers begin

    @property
    def date(self) -> str:
        """Return the last scan's date as reports write it ("2026-01-05")."""
        return self.previous_scan_at.strftime("%Y-%m-%d")

    def to_dict(self) -> dict[str, Any]:
        """Return the ``since_last`` object of the JSON audit."""
        share = self.summary.share_questionable
        return {
            "previous_scan_at": self.previous_scan_at.isoformat(),
            "new_followers": self.new_followers,
            "departed_estimate": self.departed_estimate,
            "share_questionable": {
                "estimate": share.estimate,
                "low": share.low,
                "high": share.high,
            },
            "scored": self.summary.scored,
            "questionable": self.summary.questionable,
            "share_method": self.summary.share_method,
            "listing": "rescan" if self.rescan else "full",
        }


def departed(before: int | None, new: int, now: int | None) -> int | None:
    """Return how many followers left between two counts, given ``new`` arrived (never below 0)."""
    if before is None or now is None:
        return None
    return max(0, before + new - now)


def since_sentence(since: Mapping[str, Any]) -> str:
    """Return what changed since the account's last scan, from an audit's ``since_last``.

    "Since the last scan (2026-01-05): 100 new followers, about 0 fewer (from
    the counts); questionable among the new: 80.0% (95% interval 70.4%-87.3%)":
    the terminal and HTML reports say it alike.
    """
    when = str(since.get("previous_scan_at") or "")[:10]
    new = int(since.get("new_followers") or 0)
    text = f"Since the last scan ({when}): {new:,} new follower{'s' if new != 1 else ''}"
    gone = since.get("departed_estimate")
    if gone is not None:
        text += f", about {int(gone):,} fewer (from the counts)"
    share = since.get("share_questionable") or {}
    estimate, low, high = (share.get(k) for k in ("estimate", "low", "high"))
    if estimate is not None and low is not None and high is not None:
        text += (
            f"; questionable among the new: {percent(float(estimate), 1)} "
            f"(95% interval {percent(float(low), 1)}-{percent(float(high), 1)})"
        )
    return text
