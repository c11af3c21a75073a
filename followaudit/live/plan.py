"""The plan of a scan before its expensive part: requests, rate-limit time and money.

After each account is looked up (one request), its follower count says what
the rest of the scan will take: followers to list, profiles to fetch, posts
to read. ``plan_account`` turns that, the scan options and the platform's
page sizes, published rate limits and prices into an ``AccountPlan``; a
``RunPlan`` covers every account of the run. ``RunPlan.over`` names the
thresholds the run crosses (it then asks before going on),
``RunPlan.beyond`` the hard ceilings (--max-requests, --max-cost) it would
cross, and ``suggest`` finds the cheapest change of options that fits
(``--sample`` where profiles are the cost, ``--max-followers`` where listing
is).

Everything here is arithmetic on figures already known: no request is made.
Follower pages an earlier run left in the cache are left out
(``scan.cached_listing``); other cached answers only make a run cheaper than
planned, never dearer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from followaudit.analysis.numbers import duration
from followaudit.live.budget import Ceilings
from followaudit.live.platforms import platform_kind
from followaudit.live.platforms.base import DEEP_POSTS, PlatformKind, Subject, paging_margin
from followaudit.live.rescan import PreviousScan, expected_new, rescan_bounds
from followaudit.live.scan import CachedListing, ScanOptions

# A run above any of these asks first (on a terminal) or is refused (off one) unless --yes.
ASK_ABOVE_REQUESTS = 2_000
ASK_ABOVE_MINUTES = 15.0
ASK_ABOVE_DOLLARS = 5.0

# What a suggestion aims for: 1,000 scored followers give a 95% interval of
# about +/-3 points on the share questionable; more costs more for little.
USEFUL_SCORED = 1_000


@dataclass(frozen=True)
class Thresholds:
    """What a run may take without asking: requests, minutes of rate-limit waits, dollars."""

    requests: int = ASK_ABOVE_REQUESTS
    minutes: float = ASK_ABOVE_MINUTES
    dollars: float = ASK_ABOVE_DOLLARS

    def within(self, ceilings: Ceilings) -> Thresholds:
        """Return the thresholds with each ceiling given in place of its own.

        A user who set --max-cost 20 has said what they will spend: asking
        about $5 would be noise. The minutes stay (only --yes waives them).
        """
        return Thresholds(
            self.requests if ceilings.max_requests is None else ceilings.max_requests,
            self.minutes,
            self.dollars if ceilings.max_cost is None else ceilings.max_cost,
        )

    @classmethod
    def ceilings_only(cls, ceilings: Ceilings) -> Thresholds:
        """Return thresholds that only the ceilings set (what --yes leaves standing)."""
        return cls(
            ceilings.max_requests if ceilings.max_requests is not None else 10**18,
            math.inf,
            ceilings.max_cost if ceilings.max_cost is not None else math.inf,
        )


@dataclass(frozen=True)
class Rescan:
    """What a rescan's plan is based on: the last scan, and the new followers the counts show."""

    date: str  # when the last scan finished
    before: int  # the follower count then
    expected: int  # followers new since, from the counts


@dataclass(frozen=True)
class AccountPlan:
    """What the rest of one account's scan takes, from its follower count."""

    handle: str  # as users write it
    platform: str
    server: str  # the host whose rate limits apply (Mastodon: the home server)
    followers: int | None  # what the platform reports (None: it does not say)
    listed: int  # followers to list
    profiles: int  # profiles to fetch (platforms whose list lacks counts)
    posts: int  # the account's own posts to read
    deep: int  # followers whose posts --deep reads
    requests: dict[str, int]  # by kind of request (REQUEST_KINDS)
    dollars: float  # the most it can cost at the platform's prices
    open_ended: bool = False  # listed to the end (no --max-followers)
    cached: CachedListing = field(default_factory=CachedListing)  # follower pages already cached
    rescan: Rescan | None = None  # a rescan: only the followers new since the last scan

    @property
    def total_requests(self) -> int:
        """Return how many more requests the account's scan makes."""
        return sum(self.requests.values())

    @property
    def size_unknown(self) -> bool:
        """Return whether nothing bounds the listing: no count, and no --max-followers."""
        return self.followers is None and self.open_ended

    @property
    def kind(self) -> type[PlatformKind]:
        """Return the platform's adapter class."""
        return platform_kind(self.platform)


def plan_account(
    subject: Subject,
    options: ScanOptions,
    server: str = "",
    cached: CachedListing | None = None,
    rescan_of: PreviousScan | None = None,
) -> AccountPlan:
    """Return what the rest of ``subject``'s scan takes with ``options``.

    A platform that does not say how many followers the account has is
    planned with none listed (unless --max-followers says how many): the
    ceilings still hold at run time. ``cached``: the follower pages already
    in the cache (``scan.cached_listing``), which cost no request and no money.
    Profiles and posts are planned as if none were cached. ``rescan_of``: the
    stored scan a rescan stops at (``rescan_plan``).
    """
    cached = cached if cached is not None else CachedListing()
    if rescan_of is not None:
        return rescan_plan(subject, options, rescan_of, server, cached)
    kind = platform_kind(subject.platform)
    count = subject.followers_count
    listed = count if count is not None else 0
    if options.max_followers is not None:
        listed = options.max_followers if count is None else min(count, options.max_followers)
    scored = listed if options.sample is None else min(listed, options.sample)
    profiles = scored if kind.needs_profiles else 0
    deep = min(options.deep, scored)
    # Followers the cache does not hold yet: what listing still requests and costs.
    to_list = 0 if cached.complete else max(0, listed - cached.items)
    return _costed(subject, options, server, cached, listed, to_list, profiles, deep)


def _costed(
    subject: Subject,
    options: ScanOptions,
    server: str,
    cached: CachedListing,
    listed: int,
    to_list: int,
    profiles: int,
    deep: int,
    rescan: Rescan | None = None,
) -> AccountPlan:
    """Return the plan of listing ``to_list`` followers (of ``listed``) and the rest, priced."""
    kind = platform_kind(subject.platform)
    requests = {
        # The end of the list is an empty page when the count divides exactly: at least one.
        "followers": 0 if cached.complete else max(1, math.ceil(to_list / kind.follower_page_size)),
        "profiles": math.ceil(profiles / kind.profile_batch_size),
        "posts": math.ceil(options.posts / kind.post_page_size)
        + deep * math.ceil(DEEP_POSTS / kind.post_page_size),
    }
    post_reads = options.posts + deep * DEEP_POSTS
    dollars = to_list * kind.user_read_price + post_reads * kind.post_read_most
    return AccountPlan(
        handle=kind.written(subject.handle),
        platform=subject.platform,
        server=server,
        followers=subject.followers_count,
        listed=listed,
        profiles=profiles,
        posts=options.posts,
        deep=deep,
        requests=requests,
        dollars=dollars,
        open_ended=options.max_followers is None,
        cached=cached,
        rescan=rescan,
    )


def rescan_plan(
    subject: Subject,
    options: ScanOptions,
    previous: PreviousScan,
    server: str = "",
    cached: CachedListing | None = None,
) -> AccountPlan:
    """Return what a rescan of ``subject`` takes: the followers new since ``previous``.

    The follower count's change says how many are new: listing them takes the
    pages of ``rescan.rescan_bounds``' first bound (the new followers and
    their slack: X is billed for those users alone), and each needs a
    profile where the platform's list lacks counts. Followers who left while
    others came make a rescan look further, never beyond the plan's ceilings.
    """
    cached = cached if cached is not None else CachedListing()
    kind = platform_kind(subject.platform)
    count = subject.followers_count
    new = expected_new(count, previous)
    if options.max_followers is not None:
        new = min(new, options.max_followers)
    first = rescan_bounds(count, previous).first
    if options.max_followers is not None:
        first = min(first, options.max_followers)
    to_list = 0 if cached.complete else first
    profiles = new if kind.needs_profiles else 0
    deep = min(options.deep, max(count or 0, previous.listed))
    rescan = Rescan(previous.date, previous.count, new)
    return _costed(subject, options, server, cached, new, to_list, profiles, deep, rescan)


def listing_allowance(
    subject: Subject, options: ScanOptions, ceilings: Ceilings | None = None
) -> int | None:
    """Return how many followers listing may bring before it must ask again (None: no bound).

    The plan showed the platform's count; a list that runs past it by more
    than the paging margin (10% and a page) is a count that lied low, and
    listing on would spend past the plan without asking. None when the count
    is unknown (the size was agreed to as unknown), when --max-followers stops
    listing first, or when a ceiling (--max-cost, --max-requests) bounds the
    run instead, as a ceiling replaces a threshold.
    """
    count = subject.followers_count
    given = ceilings is not None and (
        ceilings.max_cost is not None or ceilings.max_requests is not None
    )
    if count is None or given:
        return None
    allowance = count + paging_margin(count)
    if options.max_followers is not None and options.max_followers <= allowance:
        return None
    return allowance


@dataclass(frozen=True)
class RunPlan:
    """The plan of a whole run: every account's, and what was spent looking them up."""

    accounts: list[AccountPlan]
    options: ScanOptions
    made: int = 0  # requests already made (the lookups)
    spent: float = 0.0  # dollars already spent (the lookups)
    cached: int = 0  # lookups the cache answered: an earlier scan's answers may be there too

    @property
    def requests(self) -> int:
        """Return every request of the run: made so far and still to make."""
        return self.made + sum(a.total_requests for a in self.accounts)

    @property
    def dollars(self) -> float:
        """Return the most the whole run can cost: spent so far and still to spend."""
        return self.spent + sum(a.dollars for a in self.accounts)

    @property
    def bills(self) -> bool:
        """Return whether any account is on a platform that charges for reads."""
        return any(a.kind.user_read_price or a.kind.post_read_price for a in self.accounts)

    @property
    def wait_seconds(self) -> float:
        """Return the least time the published rate limits make the rest of the run take.

        Requests sharing one limit (same platform, server and bucket) are
        added up; each full allowance used beyond the first means waiting one
        window for the reset. Limits of different buckets are added too, as
        the phases of a scan run one after another.
        """
        used: dict[tuple[str, str, str], int] = {}
        limits: dict[tuple[str, str, str], tuple[int, float]] = {}
        for account in self.accounts:
            kind = account.kind
            for what, n in account.requests.items():
                limit = kind.rate_limits.get(what)
                if limit is None or n == 0:
                    continue
                key = (account.platform, account.server, limit.bucket)
                used[key] = used.get(key, 0) + n
                limits[key] = (limit.requests, limit.window)
        return sum(
            max(0, math.ceil(n / limits[key][0]) - 1) * limits[key][1] for key, n in used.items()
        )

    def over(self, thresholds: Thresholds) -> list[str]:
        """Return what crosses ``thresholds``, in words ("15,001 requests"); [] when nothing.

        An account whose platform gives no follower count, listed without
        --max-followers, is a scan of unknown size: it is asked about too.
        """
        found = []
        unknown = [a.handle for a in self.accounts if a.size_unknown]
        if unknown:
            found.append(
                f"a scan of unknown size ({', '.join(unknown)}: the platform gives no "
                "follower count)"
            )
        if self.requests > thresholds.requests:
            found.append(f"{self.requests:,} requests (more than {thresholds.requests:,})")
        if self.wait_seconds > thresholds.minutes * 60:
            found.append(
                f"{duration(self.wait_seconds)} of rate-limit waits (more than "
                f"{thresholds.minutes:g} min)"
            )
        if self.bills and self.dollars > thresholds.dollars + 1e-9:
            found.append(f"up to {money(self.dollars)} (more than {money(thresholds.dollars)})")
        return found

    def beyond(self, ceilings: Ceilings) -> list[str]:
        """Return which hard ceiling the plan crosses, in words; [] when it fits."""
        found = []
        if ceilings.max_requests is not None and self.requests > ceilings.max_requests:
            found.append(
                f"{self.requests:,} requests, above --max-requests {ceilings.max_requests:,}"
            )
        if ceilings.max_cost is not None and self.dollars > ceilings.max_cost + 1e-9:
            found.append(
                f"up to {money(self.dollars)}, above --max-cost {money(ceilings.max_cost)}"
            )
        return found

    def lines(self) -> list[str]:
        """Return the plan in sentences: one per account, then the whole run."""
        out = [account_line(a) for a in self.accounts]
        out.append(self.total_line())
        return out

    def total_line(self) -> str:
        """Return the sentence that sums the run up."""
        rest = self.requests - self.made
        head = "In all" if len(self.accounts) > 1 else "Total"
        unknown = any(a.size_unknown for a in self.accounts)
        least = "at least " if unknown else ""
        text = f"{head}: {least}{rest:,} more request{'s' if rest != 1 else ''}"
        if self.made:
            accounts = "the account" if len(self.accounts) == 1 else "the accounts"
            text += f" ({self.made:,} made to look up {accounts})"
        wait = self.wait_seconds
        if wait > 0:
            sources = sorted({a.kind.rate_limits_source for a in self.accounts} - {""})
            text += (
                f", at least {duration(wait)} at the published rate limits ({'; '.join(sources)})"
            )
        else:
            text += ", no rate-limit wait expected"
        if self.bills and unknown:
            text += (
                f", at least {money(self.dollars)} at X's 2026 prices and more for every "
                "follower listed of an account whose size is unknown (--max-followers N or "
                "--max-cost USD bounds it)"
            )
            if self.spent:
                text += f" ({money(self.spent)} spent so far)"
        elif self.bills:
            text += f", up to {money(self.dollars)} at X's 2026 prices"
            if self.spent:
                text += f" ({money(self.spent)} spent so far)"
        else:
            text += ", free"
        text += "."
        if self.cached:
            which = (
                "the lookup"
                if len(self.accounts) == 1
                else f"{self.cached:,} of the {len(self.accounts):,} lookups"
            )
            if any(a.cached.pages for a in self.accounts):
                text += (
                    f" The cache answered {which}: the follower pages it holds are not counted "
                    "above, and its other answers (profiles, posts) make the run cheaper still."
                )
            else:
                # Said only of pages it holds: an earlier run that stopped at its plan left none.
                text += (
                    f" The cache answered {which} but holds no follower page; any profiles "
                    "or posts it holds make the run cheaper than this."
                )
        return text


def account_line(plan: AccountPlan) -> str:
    """Return one account's plan as a sentence."""
    kind = plan.kind
    where = f"{plan.handle} on {kind.display_name}"
    if plan.followers is None:
        head = f"{where}: no follower count given by the platform"
    else:
        head = f"{where}: {plan.followers:,} follower{'s' if plan.followers != 1 else ''}"
    parts = []
    listing = _requests(plan.requests["followers"])
    pages = plan.cached.pages
    if pages and not plan.requests["followers"]:
        listing = f"{'the' if pages == 1 else f'all {pages:,}'} page{'s' if pages != 1 else ''} in the cache"
    elif pages:
        listing += f" after {pages:,} page{'s' if pages != 1 else ''} in the cache"
    if plan.rescan is not None:
        parts.append(rescan_words(plan.rescan, listing))
    elif plan.size_unknown:
        parts.append("list them all (as many requests as it takes)")
    elif plan.followers is not None and plan.listed >= plan.followers:
        parts.append(f"list them all ({listing})")
    else:
        parts.append(f"list {plan.listed:,} ({listing})")
    if plan.profiles:
        parts.append(
            f"fetch {plan.profiles:,} profiles, {kind.profile_batch_size} a request "
            f"({_requests(plan.requests['profiles'])})"
        )
    reads = []
    if plan.posts:
        reads.append(f"its latest {plan.posts} posts")
    if plan.deep:
        reads.append(f"the latest {DEEP_POSTS} posts of {plan.deep:,} followers (--deep)")
    if reads:
        parts.append(f"read {' and '.join(reads)} ({_requests(plan.requests['posts'])})")
    text = f"Plan for {head}; {', '.join(parts)}"
    if (kind.user_read_price or kind.post_read_price) and plan.size_unknown:
        # Never "$0.00": what listing costs is not known before it is done.
        text += f"; cost unknown: {money(kind.user_read_price)} per follower listed" + (
            f", plus up to {money(plan.dollars)} for the posts" if plan.dollars else ""
        )
    elif kind.user_read_price or kind.post_read_price:
        text += f"; up to {money(plan.dollars)}"
    return text + "."


def rescan_words(rescan: Rescan, listing: str) -> str:
    """Return what a rescan plans to list, in words."""
    new = f"{rescan.expected:,} new follower{'s' if rescan.expected != 1 else ''}"
    return (
        f"rescan since the last scan ({rescan.date}, {rescan.before:,} followers): list the "
        f"newest until its followers begin, {new} by the counts ({listing})"
    )


@dataclass(frozen=True)
class Suggestion:
    """A cheaper set of options that fits, and the words that say so."""

    options: ScanOptions
    flags: str  # what to type: "--sample 1000"
    why: str  # what it does, with its requests (and cost)


def suggest(
    subjects: Sequence[tuple[Subject, str]],
    options: ScanOptions,
    thresholds: Thresholds,
    made: int = 0,
    spent: float = 0.0,
    *,
    drop_posts: bool = True,
) -> Suggestion | None:
    """Return the cheapest useful change of ``options`` under ``thresholds`` (None: none fits).

    ``subjects``: (account, server) pairs. Tried in order: ``--sample`` (on
    platforms where each scored follower needs a profile request, it saves
    those and still speaks for every follower), then ``--max-followers``
    (only the first followers: the newest on X, where listing is what is
    billed); each at the largest round number up to ``USEFUL_SCORED`` that
    fits. When the accounts' own posts alone are too dear (on X, $2.50 an
    account: a batch of two is over $5 before any follower), the same again
    with ``--no-posts``, unless ``drop_posts`` is false (--fail-on needs them).
    """

    def fits(candidate: ScanOptions) -> RunPlan | None:
        plan = RunPlan([plan_account(s, candidate, v) for s, v in subjects], candidate, made, spent)
        return None if plan.over(thresholds) else plan

    kinds = [platform_kind(s.platform) for s, _ in subjects]
    order_known = all(s.order_known for s, _ in subjects)
    tries = ["max_followers"]
    if any(k.needs_profiles for k in kinds) and options.sample is None:
        tries.insert(0, "sample")
    bases = [options]
    if drop_posts and options.posts:
        bases.append(replace(options, posts=0))
    for base in bases:
        for what in tries:
            for n in _round_numbers(USEFUL_SCORED):
                if what == "sample":
                    candidate = replace(base, sample=n)
                else:
                    candidate = replace(base, max_followers=n)
                plan = fits(candidate)
                if plan is not None:
                    return _suggestion(what, n, candidate, plan, order_known, base is not options)
    return None


def smallest_scan(
    subjects: Sequence[tuple[Subject, str]],
    options: ScanOptions,
    made: int = 0,
    spent: float = 0.0,
    *,
    drop_posts: bool = True,
) -> str:
    """Return what to do when no suggestion fits, with what the smallest scan still takes.

    "audit fewer accounts per run, as even --max-followers 1 --no-posts needs
    2,004 requests for these 1,000 accounts, lookups included": a number to
    act on, where "--max-followers N" alone left the user to find that no N fits.
    """
    smallest = replace(options, sample=None, max_followers=1, deep=0)
    flags = "--max-followers 1"
    if drop_posts and options.posts:
        smallest, flags = replace(smallest, posts=0), flags + " --no-posts"
    plan = RunPlan([plan_account(s, smallest, v) for s, v in subjects], smallest, made, spent)
    needs = _requests(plan.requests)
    if plan.bills:
        needs += f" and up to {money(plan.dollars)}"
    if len(subjects) == 1:
        return f"even {flags} needs {needs}, the lookup included"
    return (
        f"audit fewer accounts per run, as even {flags} needs {needs} for these "
        f"{len(subjects):,} accounts, lookups included"
    )


def _suggestion(
    what: str, n: int, options: ScanOptions, plan: RunPlan, order_known: bool, no_posts: bool
) -> Suggestion:
    cost = f"{plan.requests:,} request{'s' if plan.requests != 1 else ''} in all"
    if plan.bills:
        cost += f", up to {money(plan.dollars)}"
    # Without the accounts' own posts: said first, as it costs the behaviour findings.
    whose = "the account's" if len(plan.accounts) == 1 else "the accounts'"
    flag, skip = ("--no-posts ", f"skips {whose} own posts (no behaviour findings) and ")
    if not no_posts:
        flag, skip = "", ""
    if what == "sample":
        return Suggestion(
            options,
            f"{flag}--sample {n}",
            f"{skip}scores a uniform random sample of {n:,} followers and fetches only their "
            f"profiles ({cost})",
        )
    first = f"the newest {n:,} followers" if order_known else f"the first {n:,} followers"
    scope = (
        "" if order_known else " (not a sample of all: the platform does not document its order)"
    )
    return Suggestion(
        options, f"{flag}--max-followers {n}", f"{skip}lists only {first}{scope} ({cost})"
    )


def _round_numbers(top: int) -> list[int]:
    """Return 1, 2, 3, 5 times powers of ten up to ``top``, largest first."""
    out: list[int] = []
    power = 1
    while power <= top:
        out.extend(m * power for m in (1, 2, 3, 5) if m * power <= top)
        power *= 10
    return sorted(set(out), reverse=True)


def _requests(n: int) -> str:
    return f"{n:,} request{'s' if n != 1 else ''}"


def money(dollars: float) -> str:
    """Return dollars as people write them: "$102.50"."""
    return f"${dollars:,.2f}"
