"""How shares and durations are computed and written for people, one way everywhere."""

from __future__ import annotations

import math


def fraction(part: int, whole: int) -> float | None:
    """Return ``part / whole``, or None when there is no whole to divide by."""
    return part / whole if whole else None


def percent(share: float, digits: int = 0) -> str:
    """Return a share (0-1) as a percentage: "12%", or "12.3%" with ``digits=1``.

    A share above 0 too small to show at that precision reads "under 1%"
    ("under 0.1%"), never "0%", so a rare finding does not read as none.
    """
    smallest = 10.0 ** -(digits + 2)
    if 0 < share < smallest:
        return f"under {100 * smallest:.{digits}f}%"
    return f"{100 * share:.{digits}f}%"


def duration(seconds: float) -> str:
    """Return a duration as people say it: "25 min", "2 h 30 min"."""
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")
