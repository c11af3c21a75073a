"""Scan a live account: list its followers, sample them, fetch what scoring needs.

``run_scan`` is the core behind ``followaudit scan``; it returns plain data
and reports progress through a callback, so the CLI decides how to show it.

Resuming: every GET goes through the cache, and the requests a scan makes
depend only on (handle, sample, seed, max_followers) and on answers already
cached. Re-running an interrupted scan therefore replays the finished
requests from the cache and continues where the network work stopped.

Rescans (``previous``: the account's latest stored scan, see
``live.rescan``): the follower list is never read from answers cached
before that scan finished, which would hide what changed since; answers
cached after it (a rescan interrupted and run again) still count. With
``rescan`` the listing stops where that scan's followers begin, and the
followers it scored keep their scores: only the new ones are fetched and
scored. Without it (``--full``, a sample, a last scan that did not list
everything) every follower is listed, and still only those the last scan did
not score are fetched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from followaudit.accounts import Skipped, TableBuilder
from followaudit.analysis.numbers import duration
from followaudit.errors import (
    FollowauditError,
    InvalidResponseError,
    LimitReached,
    NotFoundError,
    UsageError,
)
from followaudit.formats import RecordError
from followaudit.handles import written_handle
from followaudit.live.http import NotCached
from followaudit.live.platforms import Platform, Subject, make_platform, platform_kind
from followaudit.live.platforms.base import DEEP_POSTS
from followaudit.live.rescan import Overlap, PreviousScan, rescan_bounds

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from followaudit.handles import Handle
    from followaudit.live.http import Http

# Profiles are fetched in chunks of this many ids so progress moves steadily
# while Http.get_many still runs several batch calls at once.
PROFILE_CHUNK_BATCHES = 10


MISSING_PROFILE_REASON = (
    "the platform no longer returns this account (deleted, deactivated or suspended)"
)


@dataclass(frozen=True)
class ScanEvent:
    """One progress report: a phase, how far it got, and a sentence for display.

    Phases: "resolve", "list" (followers listed), "sample", "profiles"
    (profiles fetched), "wait" (a rate-limit or retry wait; ``total`` is the
    wait in seconds), "done".
    """

    phase: str
    done: int = 0
    total: int | None = None
    message: str = ""


@dataclass(frozen=True)
class ScanStats:
    """Requests this scan made over the network and answered from the cache."""

    made: int = 0
    cached: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    # Dollars the requests made cost at the platform's published prices (X), by
    # followaudit's reckoning (followaudit.live.budget): cached answers cost nothing.
    spent: float = 0.0

    @classmethod
    def between(cls, before: ScanStats, after: ScanStats) -> ScanStats:
        """Return what happened between two ``snapshot``s of the same ``Http``."""
        return cls(*(b - a for a, b in zip(astuple(before), astuple(after), strict=True)))

    def plus(self, other: ScanStats) -> ScanStats:
        """Return both counts added up."""
        return ScanStats(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@dataclass
class ScanResult:
    """What a scan found, ready for scoring (``followaudit.accounts.validate`` comes next)."""

    subject: Subject
    # Canonical table, one row per follower to score, in list order; ``line``
    # is the follower's 1-based position in the follower list (newest first on X).
    table: pd.DataFrame
    followers_total: int | None  # the platform's own count
    listed: int  # followers actually listed
    sample: int | None  # the requested sample size (None: every listed follower)
    seed: int
    truncated: bool  # listing stopped at max_followers before the end of the list
    skipped: list[Skipped] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The audited account's own recent posts as the platform sent them, newest
    # first; None when they were not fetched (posts=0, --no-posts).
    subject_posts: list[dict[str, Any]] | None = None
    # --deep: recent posts of a seeded sample of the scored followers, by list
    # position (``line``); None for a follower whose posts could not be read.
    deep_posts: dict[int, list[dict[str, Any]] | None] = field(default_factory=dict)
    # Why paging stopped before the end of the list (a cursor loop, a list running
    # far past the platform's count); None when it ended normally.
    paging_stopped: str | None = None
    # Follower items dropped because their account was already listed (a page sent twice).
    duplicates: int = 0
    # Why the account's own posts could not be read (subject_posts is then None), and why
    # the --deep reads stopped early: the followers, already paid for, are kept either way.
    posts_error: FollowauditError | None = None
    deep_error: FollowauditError | None = None
    # The id of every follower listed (or, on a rescan, known to be in the list), in list
    # order: ``line`` is a position in it. What the next rescan compares with.
    listed_ids: list[str] = field(default_factory=list)
    # The account's latest stored scan (None: there was none), whether this scan was a
    # rescan that stopped where that scan's followers begin, the lines of the followers
    # new since (None without an earlier scan), and the followers of the earlier scan
    # scored there and not again: its rows, scores included, at their lines now.
    previous: PreviousScan | None = None
    rescan: bool = False
    new_lines: frozenset[int] | None = None
    reused: pd.DataFrame | None = None


Progress = Callable[[ScanEvent], None]


@dataclass(frozen=True)
class ScanOptions:
    """What to fetch of each account: one value from the command line to ``run_scan``.

    ``sample``: score a uniform random sample of this many listed followers
    (None: all); ``seed`` draws it and the --deep followers; ``max_followers``
    stops listing after that many; ``posts``: how many of the account's own
    recent posts to read (0: none); ``deep``: read the latest ``DEEP_POSTS``
    posts of this many scored followers (0: none); ``full``: list every
    follower even when a stored scan would allow a rescan (--full).
    """

    sample: int | None = None
    seed: int = 0
    max_followers: int | None = None
    posts: int = 0
    deep: int = 0
    full: bool = False

    def __post_init__(self) -> None:
        if self.max_followers is not None and self.max_followers < 1:
            raise UsageError("--max-followers must be at least 1")
        if self.sample is not None and self.sample < 1:
            raise UsageError("--sample must be at least 1")


def sample_positions(listed: int, sample: int | None, seed: int) -> np.ndarray:
    """Return the 0-based list positions to score, ascending (list order kept).

    A uniform sample without replacement from ``numpy.random.default_rng(seed)``;
    every position when ``sample`` is None or not smaller than ``listed``.
    """
    if sample is not None and sample < 1:
        raise UsageError("--sample must be at least 1")
    if sample is None or sample >= listed:
        return np.arange(listed, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(listed, size=sample, replace=False)).astype(np.int64)


def run_scan(
    handle: Handle,
    *,
    http: Http,
    options: ScanOptions | None = None,
    token: str | None = None,
    api_url: str | None = None,
    progress: Progress | None = None,
    platform: Platform | None = None,
    subject: Subject | None = None,
    looked_up: ScanStats | None = None,
    allowance: int | None = None,
    previous: PreviousScan | None = None,
    rescan: bool = False,
) -> ScanResult:
    """Return the followers of ``handle`` as a canonical table, with counts and request stats.

    Following ``options`` (default: every follower, no posts), lists followers
    (all of them, or the first ``max_followers``), draws a uniform sample of
    ``sample`` of them if asked, fetches full profiles for the sample where the
    platform's follower list lacks counts (Bluesky), and converts each to a
    canonical row. With ``posts`` > 0 it then fetches up to that many of the
    subject's own recent posts (``ScanResult.subject_posts``), and with
    ``deep`` > 0 the latest ``DEEP_POSTS`` posts of that many scored
    followers, drawn with ``seed`` (``ScanResult.deep_posts``).
    Raises the project's exceptions (NotFoundError, AuthError,
    HiddenFollowersError, NetworkError, RateLimitError, ...); an exception raised by ``progress`` propagates and
    stops the scan, leaving what was fetched in the cache. ``platform`` and
    ``subject``: the adapter and the account ``resolve_account`` returned, so
    the account is not looked up twice; ``looked_up``: what that lookup
    took (``ScanStats.between``), added to the scan's stats. ``allowance``:
    the most followers listing may bring before it stops with PlanExceeded
    (``plan.listing_allowance``); the pages fetched stay in the cache.
    ``previous``: the account's latest stored scan, and ``rescan``: stop
    listing where its followers begin (see the module docstring); a rescan
    that does not find them within ``rescan.rescan_bounds`` raises
    RescanLost, the pages fetched staying in the cache.
    """
    opts = options if options is not None else ScanOptions()
    sample, seed, max_followers = opts.sample, opts.seed, opts.max_followers
    emit: Progress = progress if progress is not None else (lambda event: None)
    adapter = (
        platform
        if platform is not None
        else make_platform(handle, http=http, token=token, api_url=api_url)
    )
    before = snapshot(http)
    previous_on_wait = http.on_wait

    def on_wait(seconds: float, reason: str) -> None:
        if previous_on_wait is not None:
            previous_on_wait(seconds, reason)
        emit(ScanEvent("wait", 0, round(seconds), reason))

    http.on_wait = on_wait
    try:
        if subject is None:
            subject = _resolve(adapter, handle, emit)

        # What the last scan listed must not answer for the list now.
        with fresh_since(http, previous):
            if previous is not None and rescan:
                listing = _rescan_followers(adapter, subject, previous, max_followers, emit)
            else:
                listing = _list_followers(adapter, subject, max_followers, emit, allowance, http)
        items = listing.items
        ids = listing.ids if listing.ids is not None else [_id_of(adapter, r) for r in items]
        positions = sample_positions(len(ids), sample, seed)
        if sample is not None:
            emit(
                ScanEvent(
                    "sample",
                    len(positions),
                    len(ids),
                    f"Sampled {len(positions):,} of {len(ids):,} followers (seed {seed})",
                )
            )
        known = _Known(previous) if previous is not None else None
        chosen: list[tuple[int, dict[str, Any]]] = []
        skipped: list[Skipped] = []
        reused: list[tuple[int, int]] = []  # (line now, row of previous.rows)
        for position in positions:
            line, follower = int(position) + 1, ids[int(position)]
            row = known.row(follower) if known is not None else None
            if row is not None:
                reused.append((line, row))
            elif position < len(items):
                chosen.append((line, items[int(position)]))
            else:  # known from the last scan, below the new followers, and not scored there
                assert known is not None
                skipped.append(Skipped(line, known.skip_reason(follower)))
        if adapter.needs_profiles:
            chosen, missing = _fetch_profiles(adapter, chosen, emit)
            skipped.extend(missing)

        builder = TableBuilder()
        for line, raw in chosen:
            try:
                adapter.add_account(builder, raw, line)
            except RecordError as exc:  # this follower cannot be scored; say why
                skipped.append(Skipped(line, str(exc)))
        skipped.sort(key=lambda s: s.line)
        table = builder.to_frame()
        reused_rows = known.rows_at(reused) if known is not None else None
        # The followers are listed and paid for: from here on a failure costs only
        # the part it stops (the posts, the --deep reads), never the follower audit.
        subject_posts, posts_error = None, None
        if opts.posts > 0:
            subject_posts, posts_error = _subject_posts(adapter, subject, opts.posts, emit)
        deep_posts: dict[int, list[dict[str, Any]] | None] = {}
        deep_error = None
        if opts.deep > 0:
            scored = table[["line", "id"]]
            if reused_rows is not None and len(reused_rows):
                scored = pd.concat([scored, reused_rows[["line", "id"]]]).sort_values("line")
            deep_error = _deep_posts(adapter, scored, opts.deep, seed, emit, deep_posts)
        done = len(table) + len(reused)
        emit(ScanEvent("done", done, done + len(skipped), "Scan finished"))
    finally:
        http.on_wait = previous_on_wait

    after = snapshot(http)
    return ScanResult(
        subject=subject,
        table=table,
        followers_total=subject.followers_count,
        listed=len(ids),
        sample=sample,
        seed=seed,
        truncated=listing.truncated,
        paging_stopped=listing.stopped,
        duplicates=listing.duplicates,
        skipped=skipped,
        stats=ScanStats.between(before, after).plus(looked_up or ScanStats()),
        subject_posts=subject_posts,
        deep_posts=deep_posts,
        posts_error=posts_error,
        deep_error=deep_error,
        listed_ids=ids,
        previous=previous,
        rescan=rescan,
        new_lines=known.new_lines(ids) if known is not None else None,
        reused=reused_rows,
    )


def _id_of(adapter: Platform, raw: dict[str, Any]) -> str:
    """Return a listed follower's id, or "" when it has none (it is then skipped when scored)."""
    try:
        return adapter.follower_id(raw)
    except FollowauditError:
        return ""


class _Known:
    """The followers of the last scan, by id: their stored rows and why others were skipped."""

    def __init__(self, previous: PreviousScan) -> None:
        self.previous = previous
        rows = previous.rows
        self._row = {str(f): i for i, f in enumerate(rows["id"].tolist()) if f}
        ids = previous.ids or ()
        self._listed = set(ids)
        self._skipped = {
            ids[s.line - 1]: s.reason for s in previous.skipped if 0 < s.line <= len(ids)
        }

    def row(self, follower: str) -> int | None:
        """Return the index of the follower's stored row (None: not scored by the last scan)."""
        return self._row.get(follower) if follower else None

    def skip_reason(self, follower: str) -> str:
        """Return why the last scan did not score this follower (carried over, not fetched)."""
        return self._skipped.get(
            follower, "not scored by the last scan, whose scores this rescan re-uses"
        )

    def new_lines(self, ids: Sequence[str]) -> frozenset[int]:
        """Return the lines of the followers the last scan did not list."""
        if self.previous.ids is None:
            # Stored without its listing: the followers it scored are what is known of it.
            return frozenset(
                line for line, f in enumerate(ids, start=1) if not f or f not in self._row
            )
        return frozenset(
            line for line, f in enumerate(ids, start=1) if not f or f not in self._listed
        )

    def rows_at(self, placed: Sequence[tuple[int, int]]) -> pd.DataFrame:
        """Return the stored rows re-used, each at its line in the list now."""
        lines = [line for line, _ in placed]
        rows = self.previous.rows.iloc[[row for _, row in placed]].copy()
        rows["line"] = pd.Series(lines, index=rows.index, dtype="int64")
        return rows.reset_index(drop=True)


def resolve_account(
    handle: Handle,
    *,
    http: Http,
    token: str | None = None,
    api_url: str | None = None,
    progress: Progress | None = None,
) -> tuple[Platform, Subject]:
    """Return the adapter of ``handle``'s platform and the account it names (one request).

    What a scan plan needs before the expensive part: the follower count.
    """
    emit: Progress = progress if progress is not None else (lambda event: None)
    adapter = make_platform(handle, http=http, token=token, api_url=api_url)
    return adapter, _resolve(adapter, handle, emit)


@dataclass(frozen=True)
class CachedListing:
    """How much of a follower list an earlier run left in the cache, from its first page."""

    pages: int = 0  # follower pages the cache answers, in a row from the first
    items: int = 0  # followers on them
    complete: bool = False  # they reach the end of the listing (or --max-followers)


def cached_listing(
    adapter: Platform,
    subject: Subject,
    max_followers: int | None,
    http: Http,
    allowance: int | None = None,
    previous: PreviousScan | None = None,
    rescan: bool = False,
) -> CachedListing:
    """Return how much of ``subject``'s listing the cache already holds (no request is made).

    Walks the follower pages exactly as ``run_scan`` asks for them, through
    ``Http.cached_only``, until the first page the cache lacks. After a
    stored scan (``previous``) only pages cached since count; a rescan's
    pages count only when the cache holds all it needs (an interrupted
    rescan run again), as they are few.
    """
    if previous is not None and rescan:
        try:
            with fresh_since(http, previous), http.cached_only():
                listing = _rescan_followers(
                    adapter, subject, previous, max_followers, lambda event: None
                )
        except (NotCached, FollowauditError):
            return CachedListing()
        return CachedListing(listing.pages, len(listing.items), complete=True)
    pages = items = 0
    bound = listing_bound(max_followers, allowance)
    with fresh_since(http, previous), http.cached_only():
        try:
            for page in adapter.follower_pages(subject, bound):
                pages += 1
                items += len(page.items)
                reached = max_followers is not None and items >= max_followers
                if reached or page.next_cursor is None:
                    return CachedListing(pages, items, complete=True)
        except (NotCached, FollowauditError):
            pass  # not cached, or a cached page that will fail the scan itself
    return CachedListing(pages, items, complete=False)


def fresh_since(http: Http, previous: PreviousScan | None) -> AbstractContextManager[None]:
    """Return the block in which answers cached before ``previous`` finished are absent."""
    return http.fresh_after(None if previous is None else previous.finished_at.timestamp())


def _resolve(adapter: Platform, handle: Handle, emit: Progress) -> Subject:
    emit(ScanEvent("resolve", 0, 1, f"Looking up {handle.display}"))
    subject = adapter.resolve(handle)
    emit(ScanEvent("resolve", 1, 1, f"Found {written_handle(subject.platform, subject.handle)}"))
    return subject


def after_paying(step: str, error: Exception) -> FollowauditError:
    """Return the error that stopped a step after the followers were paid for, as ours.

    An answer of the wrong shape can surface as any exception (a TypeError deep
    in a parser): it becomes an InvalidResponseError naming the step, so the
    sentence says what failed and the audit keeps what was paid for.
    """
    if isinstance(error, FollowauditError):
        return error
    return InvalidResponseError(
        f"{step} came in a shape followaudit cannot read ({type(error).__name__}: {error})"
    )


def _subject_posts(
    adapter: Platform, subject: Subject, limit: int, emit: Progress
) -> tuple[list[dict[str, Any]] | None, FollowauditError | None]:
    """Return (the account's recent posts, None), or (None, why they could not be read)."""
    written = written_handle(subject.platform, subject.handle)
    emit(ScanEvent("posts", 0, limit, f"Fetching the recent posts of {written}"))
    try:
        posts = adapter.recent_posts(subject.id, limit)
    except Exception as exc:  # noqa: BLE001 - any failure here is this step's, never the audit's
        return None, after_paying(f"the recent posts of {written}", exc)
    emit(ScanEvent("posts", len(posts), limit, f"Fetched {len(posts):,} recent posts"))
    return posts, None


def _deep_posts(
    adapter: Platform,
    table: pd.DataFrame,
    deep: int,
    seed: int,
    emit: Progress,
    found: dict[int, list[dict[str, Any]] | None],
) -> FollowauditError | None:
    """Read the recent posts of ``deep`` scored followers drawn with ``seed`` into ``found``.

    ``table``: the followers to score, with their ``line`` and ``id``, in list order.

    Returns why the reads stopped early (None when every follower was tried):
    what was read before is kept.
    """
    chosen = sample_positions(len(table), deep, seed)
    emit(ScanEvent("deep", 0, len(chosen), "Reading followers' posts"))
    for done, i in enumerate(chosen, start=1):
        line = int(table["line"].to_numpy()[i])
        try:
            found[line] = adapter.recent_posts(str(table["id"].iat[int(i)]), DEEP_POSTS)
        except (NotFoundError, InvalidResponseError):
            # A follower that turned protected or vanished: one unknown, not a failed scan.
            found[line] = None
        except Exception as exc:  # noqa: BLE001 - the reads stop; the audit keeps them
            return after_paying("the followers' posts (--deep)", exc)
        emit(ScanEvent("deep", done, len(chosen), f"Read the posts of {done:,} followers"))
    return None


def snapshot(http: Http) -> ScanStats:
    """Return ``http``'s request counters now (a scan's stats are the difference of two)."""
    s = http.stats
    return ScanStats(s.made, s.cached, s.retries, s.waited_seconds, http.budget.spent)


@dataclass
class _Listing:
    items: list[dict[str, Any]]  # followers in list order, each account once
    truncated: bool  # max_followers cut the list short
    stopped: str | None  # why paging stopped before the end (a loop, a runaway list)
    duplicates: int  # follower items dropped because their account was already listed
    # A rescan: every follower's id in the list now, the listed first (None: the items').
    ids: list[str] | None = None
    pages: int = 0  # follower pages read


def _say_live_limit(
    subject: Subject, http: Http, listed: int, target: int | None, emit: Progress
) -> None:
    """Say so when the follower list's first answer announces another limit than documented.

    The plan's time came from the published limit; the headers are what the
    waits obey (``Http``), so the time left is re-estimated from them.
    """
    kind = platform_kind(subject.platform)
    documented = kind.rate_limits.get("followers")
    seen = http.limit_seen("followers")
    if documented is None or seen is None or seen == documented.requests or seen <= 0:
        return
    sentence = (
        f"{kind.display_name} announces {seen:,} follower-list requests per "
        f"{duration(documented.window)} for this app, not the {documented.requests:,} it "
        "documents"
    )
    if target is not None and target > listed:
        pages = math.ceil((target - listed) / max(1, kind.follower_page_size))
        waits = max(0, math.ceil(pages / seen) - 1) * documented.window
        if waits:
            sentence += f": listing the other {pages:,} pages takes at least {duration(waits)}"
    emit(ScanEvent("limits", 0, None, sentence))


def listing_bound(max_followers: int | None, allowance: int | None) -> int | None:
    """Return the most followers a listing asks for: the pages are sized to end there."""
    if max_followers is None or allowance is None:
        return allowance if max_followers is None else max_followers
    return min(max_followers, allowance)


class ListingStopped(LimitReached):
    """Listing stopped before the end on purpose; ``listed`` followers were fetched (and cached)."""

    def __init__(self, message: str, listed: int) -> None:
        super().__init__(message)
        self.listed = listed


class PlanExceeded(ListingStopped):
    """The follower list ran past what the plan allowed (its count lied low): ask again."""


def _list_followers(
    adapter: Platform,
    subject: Subject,
    max_followers: int | None,
    emit: Progress,
    allowance: int | None,
    http: Http,
) -> _Listing:
    """Return the followers in list order, and how and why listing ended.

    Listing never passes ``allowance``: the pages are sized to end there, and
    a list that goes on raises PlanExceeded.
    """
    total = subject.followers_count
    if max_followers is not None and total is not None:
        total = min(total, max_followers)
    elif max_followers is not None:
        total = max_followers
    items: list[dict[str, Any]] = []
    emit(ScanEvent("list", 0, total, "Listing followers"))
    pages = adapter.follower_pages(subject, listing_bound(max_followers, allowance))
    truncated = False
    for number, page in enumerate(pages, start=1):
        items.extend(page.items)
        if number == 1 and page.next_cursor is not None:
            _say_live_limit(subject, http, len(items), total, emit)
        if (
            allowance is not None
            and len(items) >= allowance
            and (len(items) > allowance or page.next_cursor is not None)
        ):
            written = written_handle(subject.platform, subject.handle)
            raise PlanExceeded(
                f"Stopped at the plan: {written}'s follower count said "
                f"{subject.followers_count:,}, but its list goes on past the {allowance:,} the "
                "plan allowed (the count, 10% and a page), so no more was listed; rerun with "
                "--max-followers N to audit the first N (the pages fetched are cached), or "
                "with --max-cost to allow a longer list",
                len(items),
            )
        if max_followers is not None and len(items) >= max_followers:
            truncated = len(items) > max_followers or page.next_cursor is not None
            del items[max_followers:]
            emit(ScanEvent("list", len(items), total, f"Listed {len(items):,} followers"))
            break
        emit(ScanEvent("list", len(items), total, f"Listed {len(items):,} followers"))
    return _Listing(items, truncated, pages.stopped, pages.duplicates)


class RescanLost(ListingStopped):
    """A rescan did not find where the last scan's followers begin: list them all instead."""


def _rescan_followers(
    adapter: Platform,
    subject: Subject,
    previous: PreviousScan,
    max_followers: int | None,
    emit: Progress,
) -> _Listing:
    """Return the followers new since ``previous`` and, below them, those it listed.

    Lists from the top until ``Overlap`` proves where the last scan's
    followers begin (the rest of the page is kept), or the list ends, or
    --max-followers is reached. Where users are billed the pages are sized to
    ``rescan_bounds``, widened page by page; where they are not, full pages
    cost the fewest requests. Past the search bound without the overlap the
    list is not the one the last scan saw: RescanLost.
    """
    assert previous.ids is not None
    bounds = rescan_bounds(subject.followers_count, previous)
    billed = platform_kind(subject.platform).user_read_price > 0
    # How many a rescan lists is not known before it finds the overlap: no total to show.
    total = None
    emit(ScanEvent("list", 0, None, "Listing the followers new since the last scan"))
    pages = adapter.follower_pages(subject, bounds.first if billed else None)
    overlap = Overlap(previous.ids)
    items: list[dict[str, Any]] = []
    ids: list[str] = []
    found = ended = reached = False
    for page in pages:
        for raw in page.items:
            items.append(raw)
            ids.append(_id_of(adapter, raw))
            found = overlap.feed(ids[-1]) or found
        emit(ScanEvent("list", len(items), total, f"Listed {len(items):,} followers"))
        ended = page.next_cursor is None
        reached = max_followers is not None and len(items) >= max_followers
        if found or ended or reached:
            break
        if len(items) >= bounds.search:
            written = written_handle(subject.platform, subject.handle)
            raise RescanLost(
                f"The followers the last scan of {written} listed ({previous.date}) are not "
                f"where a rescan looks for them: none of the newest {len(items):,} listed now "
                f"continues its list ({overlap.needed} in a row, in its order). The list may "
                "have been reordered or the account reset, so every follower is listed instead",
                len(items),
            )
        if billed and pages.bound is not None and len(items) >= pages.bound:
            pages.bound = bounds.widen(len(items))
    merged = overlap.merged(ids) if found else list(ids)
    # Below the new followers the last scan's list goes on, cut short if it was; without
    # the overlap, --max-followers stopped the listing unless the list ended there too.
    truncated = previous.truncated if found else reached and not ended
    if max_followers is not None and len(merged) > max_followers:
        truncated = True
        del merged[max_followers:]
        del items[max_followers:]
    return _Listing(items, truncated, pages.stopped, pages.duplicates, merged, pages.pages)


def _fetch_profiles(
    adapter: Platform, chosen: Sequence[tuple[int, dict[str, Any]]], emit: Progress
) -> tuple[list[tuple[int, dict[str, Any]]], list[Skipped]]:
    """Return the chosen followers with full profiles, and those the platform left out."""
    ids = [adapter.follower_id(raw) for _, raw in chosen]
    chunk = adapter.profile_batch_size * PROFILE_CHUNK_BATCHES
    found: dict[str, dict[str, Any]] = {}
    emit(ScanEvent("profiles", 0, len(ids), "Fetching profiles"))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        for profile in adapter.fetch_profiles(part):
            found[adapter.follower_id(profile)] = profile
        done = min(start + chunk, len(ids))
        emit(ScanEvent("profiles", done, len(ids), f"Fetched {done:,} profiles"))
    complete: list[tuple[int, dict[str, Any]]] = []
    skipped: list[Skipped] = []
    for (line, _), account_id in zip(chosen, ids, strict=True):
        full = found.get(account_id)
        if full is None:
            skipped.append(Skipped(line, MISSING_PROFILE_REASON))
        else:
            complete.append((line, full))
    return complete, skipped
