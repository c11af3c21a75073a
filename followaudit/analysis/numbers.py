"""How shares and durations are computed and written for people, one way everywhere."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


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


def known_interval(part: Mapping[str, Any] | None) -> tuple[float, float, float] | None:
    """Return (estimate, low, high) of an interval in its JSON form, or None when any is unknown.

    A stored or exported interval may hold null (nothing scored), and a stored
    one may have been edited: every reader of one asks here first.
    """
    if not part:
        return None
    values: list[float] = []
    for key in ("estimate", "low", "high"):
        value = part.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        values.append(float(value))
    return values[0], values[1], values[2]


def duration(seconds: float) -> str:
    """Return a duration as people say it: "25 min", "2 h 30 min"."""
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")
