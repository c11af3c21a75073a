"""Where the last scan's followers begin: proven by a run in its order, never by one id."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pandas as pd

from followaudit.live.rescan import (
    OVERLAP_RUN,
    Overlap,
    PreviousScan,
    expected_new,
    rescan_bounds,
)

OLD = [f"old{i}" for i in range(1000)]


def fed(listed: list[str], ids: list[str] = OLD) -> Overlap:
    """Return the overlap after every follower of ``listed`` was fed to it, in order."""
    overlap = Overlap(ids)
    for follower in listed:
        overlap.feed(follower)
    return overlap


def found(listed: list[str], ids: list[str] = OLD) -> int | None:
    return fed(listed, ids).start


def previous(listed: int = 1000, total: int | None = 1000, **more) -> PreviousScan:
    return PreviousScan(
        finished_at=datetime(2026, 1, 5, 10, tzinfo=UTC),
        followers_total=total,
        listed=listed,
        ids=tuple(OLD[:listed]),
        rows=pd.DataFrame(),
        **more,
    )


def test_new_followers_above_the_old_list():
    new = [f"new{i}" for i in range(40)]
    assert found(new + OLD) == 40
    assert fed(new + OLD[:60]).merged(new + OLD[:60]) == new + OLD


def test_one_known_follower_is_no_overlap():
    # A follower of the last scan who followed again sits among the new ones.
    listed = ["new0", "old500", "new1", "new2", "old3", "old4", "old5", "old6"]
    assert found(listed) is None
    listed += ["old7"]
    assert found(listed) == 4
    merged = fed(listed).merged(listed)
    # Three new, old0-old2 gone (above the overlap, not listed), old500 moved up.
    assert merged[:9] == listed and merged.count("old500") == 1 and len(merged) == 1000


def test_followers_who_left_between_do_not_break_the_run():
    listed = ["new0", "old0", "old2", "old5", "old6", "old8", "old9"]
    assert found(listed) == 1
    merged = fed(listed).merged(listed)
    assert "old1" not in merged and "old7" not in merged and merged[-1] == "old999"


def test_a_gap_wider_than_a_few_followers_is_not_the_same_list():
    assert found(["old0", "old1", "old2", "old50", "old51", "old52", "old53"]) is None
    assert found(["old0", "old1", "old2", "old50", "old51", "old52", "old53", "old54"]) == 3


def test_another_order_gives_no_overlap():
    assert found(list(reversed(OLD))) is None
    shuffled = OLD[:]
    random.Random(3).shuffle(shuffled)
    assert found(shuffled) is None


def test_a_short_list_needs_all_of_it():
    ids = ["a", "b", "c"]
    assert Overlap(ids).needed == 3 < OVERLAP_RUN
    assert found(["x", "a", "b", "c"], ids) == 1
    assert found(["x", "a", "c"], ids) is None
    assert Overlap([]).needed == 0 and found(["x", "y"], []) is None


def test_bounds_follow_the_count_and_widen_to_the_margin():
    bounds = rescan_bounds(1100, previous())
    assert expected_new(1100, previous()) == 100
    # 100 new, 20 for the run and churn, 1% of the list; at most 10% and a page beyond.
    assert (bounds.first, bounds.search) == (130, 300)
    assert [bounds.widen(n) for n in (130, 200)] == [260, 300]
    fell = rescan_bounds(900, previous())
    assert expected_new(900, previous()) == 0 and (fell.first, fell.search) == (30, 200)
    assert expected_new(None, previous()) == 0
    assert expected_new(1100, previous(total=None, listed=1000)) == 100


def test_what_rules_a_rescan_out():
    assert previous().why_not_rescan(None) is None
    assert "scored a sample" in (previous(sampled=True).why_not_rescan(None) or "")
    cut = previous(listed=500, truncated=True)
    assert "only the first 500 followers" in (cut.why_not_rescan(None) or "")
    assert cut.why_not_rescan(600) is not None and cut.why_not_rescan(500) is None
    assert "stopped listing" in (previous(paging_stopped=True).why_not_rescan(None) or "")
    old = PreviousScan(datetime(2026, 1, 5, tzinfo=UTC), 10, 10, None, pd.DataFrame())
    assert "without its follower list" in (old.why_not_rescan(None) or "")
