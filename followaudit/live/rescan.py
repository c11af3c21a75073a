"""Rescans: what the last scan of an account left, and where its followers begin in the list now.

Follower lists come newest first: X documents it, and Mastodon (paged
backwards from the newest follow) and Bluesky serve them so. A follower who
followed since the last scan is therefore listed above every follower that
scan listed, and a rescan can list from the top and stop where the last
scan's followers begin, paying only for the new ones.

Where they begin is only believed on evidence, never on one id: ``Overlap``
needs ``OVERLAP_RUN`` followers in a row that the last scan listed, in its
order, with at most ``OVERLAP_GAP`` of its positions between two of them
(a follower who left in between). A list served in another order, or an
account whose followers were replaced, gives no such run, and the scan
lists every follower instead (``scan.RescanLost``). Five in a row at
adjacent positions of a list of thousands do not happen by chance.

Nothing here makes a request: ``scan.run_scan`` lists, this module says
what the listing means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from followaudit.accounts import Skipped
from followaudit.live.platforms.base import paging_margin

# Followers in a row, listed by the last scan in its order, that show where its list begins.
OVERLAP_RUN = 5
# The most positions of the last scan's list between two of them (followers who left between).
OVERLAP_GAP = 3
# A rescan's first pages ask for the followers the count says are new, plus this many
# (four runs of the overlap) and this share of the last scan's list, for churn.
RESCAN_SLACK_FOLLOWERS = 4 * OVERLAP_RUN
RESCAN_SLACK_SHARE = 0.01


@dataclass(frozen=True)
class PreviousScan:
    """The latest stored scan of an account, as a rescan reads it.

    ``ids``: every follower it listed, in list order (None when the scan was
    stored without them, by followaudit before issue 19); ``rows``: its
    scored followers with their scores (the CSV columns), ``line`` being the
    1-based position in ``ids``; ``skipped``: the followers it listed but
    could not score.
    """

    finished_at: datetime
    followers_total: int | None  # the count the platform reported then
    listed: int
    ids: tuple[str, ...] | None
    rows: pd.DataFrame
    skipped: tuple[Skipped, ...] = ()
    sampled: bool = False
    truncated: bool = False  # --max-followers stopped its listing
    paging_stopped: bool = False  # a paging guard stopped its listing before the end

    @property
    def date(self) -> str:
        """Return when it finished, as the report writes it ("2026-01-05 10:00 UTC")."""
        return self.finished_at.strftime("%Y-%m-%d %H:%M UTC")

    @property
    def count(self) -> int:
        """Return the follower count it saw: the platform's, else the followers it listed."""
        return self.followers_total if self.followers_total is not None else self.listed

    def why_not_rescan(self, max_followers: int | None) -> str | None:
        """Return why a rescan cannot stop where this scan's followers begin (None: it can).

        A rescan re-uses every follower of this scan below the new ones, so
        this scan must have listed and scored them all: not a sample, not cut
        short by a paging guard, and not by a --max-followers smaller than
        ``max_followers``, the one asked now. (A --sample asked now lists
        everything again without a word: the sample is drawn from the whole list.)
        """
        when = f"the last scan ({self.date})"
        if self.ids is None:
            return f"{when} was stored without its follower list (by an earlier followaudit)"
        if self.sampled:
            return f"{when} scored a sample of the followers, not every one"
        if self.paging_stopped:
            return f"{when} stopped listing before the end of the list"
        if self.truncated and (max_followers is None or max_followers > self.listed):
            return f"{when} listed only the first {self.listed:,} followers (--max-followers)"
        return None


def expected_new(count: int | None, previous: PreviousScan) -> int:
    """Return how many followers the counts say are new (0 when the count fell or is unknown)."""
    if count is None:
        return 0
    return max(0, count - previous.count)


@dataclass(frozen=True)
class RescanBounds:
    """How far a rescan lists: ``first`` followers to begin with, at most ``search`` in all."""

    first: int
    search: int

    def widen(self, listed: int) -> int:
        """Return the next bound after ``listed`` followers without the overlap: double, capped."""
        return min(self.search, max(2 * listed, self.first))


def rescan_bounds(count: int | None, previous: PreviousScan) -> RescanBounds:
    """Return how far a rescan of an account now counting ``count`` followers lists.

    It begins with the followers the counts say are new plus some slack (the
    run that proves the overlap, and churn: followers who left while others
    came). If the overlap is not there it looks further, doubling, up to the
    paging margin (10% of the last scan's list and a page) beyond the new
    followers; past that the list is not what the last scan saw.
    """
    new = expected_new(count, previous)
    slack = RESCAN_SLACK_FOLLOWERS + math.ceil(RESCAN_SLACK_SHARE * previous.listed)
    first = new + slack
    return RescanBounds(first, max(first, new + paging_margin(previous.listed)))


@dataclass
class Overlap:
    """Where the followers an earlier scan listed begin, in a list read from the top.

    ``feed`` takes each follower id as it is listed; once ``OVERLAP_RUN`` in a
    row were listed by the earlier scan in its order (see the module
    docstring), ``start`` is the index of the first of them.
    """

    ids: Sequence[str]
    position: dict[str, int] = field(init=False)
    start: int | None = field(init=False, default=None)
    _seen: int = field(init=False, default=0)
    _run: int = field(init=False, default=0)
    _last: int = field(init=False, default=-1)

    def __post_init__(self) -> None:
        self.position = {}
        for index, follower in enumerate(self.ids):
            self.position.setdefault(follower, index)

    @property
    def needed(self) -> int:
        """Return how many known followers in a row prove the overlap (fewer for a short list)."""
        return min(OVERLAP_RUN, len(self.position))

    def feed(self, follower: str) -> bool:
        """Take the next follower listed; return whether the overlap is proven (now or before)."""
        index = self._seen
        self._seen += 1
        if self.start is not None:
            return True
        at = self.position.get(follower)
        if at is None:
            self._run = 0
            return False
        self._run = self._run + 1 if self._run and 0 < at - self._last <= OVERLAP_GAP else 1
        self._last = at
        if self.needed and self._run >= self.needed:
            self.start = index - self._run + 1
            return True
        return False

    def merged(self, listed: Sequence[str]) -> list[str]:
        """Return the whole follower list now: those ``listed``, then the earlier scan's below them.

        Below the last follower listed now that the earlier scan also listed,
        the list is taken to be the earlier one (minus anyone listed above,
        who followed again); above it, followers of the earlier list that were
        not listed now have left.
        """
        if self.start is None:
            return list(listed)
        seen = [self.position[f] for f in listed[self.start :] if f in self.position]
        last = max(seen)
        above = set(listed)
        return list(listed) + [f for f in self.ids[last + 1 :] if f not in above]
