"""What an account's own recent posts say about it: findings in plain language.

Bought audiences tend to come with a recognisable way of posting: the
account broadcasts and never answers anyone, mostly links to its own shop,
course or newsletter, and its posts draw almost no reaction from its
supposed followers. ``analyse`` measures each of these on the account's most
recent posts and turns each into a ``Finding``: the number, one sentence a
client can read, and a flag raised at a fixed, documented threshold.

Definitions. "Posts" are all sampled items; "own posts" are those that are
not reposts; "top-level posts" are own posts that are not replies to
someone else. Continuing one's own thread is not a reply.

Own sites. A link's *site* is its host without "www."/"m.", reduced to the
registrable domain (the last two labels, or three under a common
second-level suffix such as co.uk or com.au), except on hosts that give each
user a subdomain (guru.substack.com, guru.github.io...), where the
subdomain is the site. The account's own sites are:

1. the site of the website its profile links to (``profile_url``); when that
   website sits on a big shared platform (youtube.com/@guru, linktr.ee/guru),
   only links under that address count, not the whole platform;
2. any other site found in at least 30% of its link posts (own posts with a
   link) and in at least 3 of them: one outside site taking a third of all
   links is, in practice, the account's storefront. Big shared platforms
   (video, social networks, code hosting), link shorteners and the audited
   platform itself are never inferred this way, since anyone links to them.

Thresholds (the table of docs/outputs.md; the sample is the latest posts fetched):

=============== ========================== =====================================================
code            flagged when               why this threshold
=============== ========================== =====================================================
no-interaction  reply rate < 5%            fewer than 1 own post in 20 answers anyone: the
                                           account broadcasts only. A person with a real
                                           audience answers some of it; 5% leaves room for
                                           busy accounts that reply rarely.
self-promotion  >= 50% of own posts link   more than half of what it says advertises itself:
                to its own sites           the pattern of "guru" accounts selling courses.
link-only       >= 50% of own posts are    half of its posts carry no words of its own, the
                nothing but a link         output of auto-posting tools and link farms.
repost-heavy    >= 80% of posts are        four in five items amplify others: curators repost
                reposts                    a lot, but 80% leaves the account almost no voice.
low-engagement  < 0.05 likes + replies +   a third of the lowest published platform median
                reposts per top-level      (Rival IQ's follower-based median for brand
                post per 1,000 followers   accounts on X, 0.015% = 0.15 per 1,000). Followers
                (accounts with >= 1,000    who never react are what a bought audience looks
                followers)                 like; Bluesky and Mastodon engage more, so the floor
                                           is conservative there. Small accounts engage more
                                           and vary a lot, so they are not flagged.
burst-posting   >= 50 posts a day, or a    50 a day is one every 20 waking minutes, sustained;
                median gap under 2 minutes a median gap under 2 minutes means most posts come
                                           out in machine-made bursts.
=============== ========================== =====================================================

With fewer than 10 posts (10 own posts for the own-post shares, 10
top-level posts for engagement) a finding says so and is never flagged.
Engagement counts are what each platform reports; Mastodon only counts the
reactions its server has seen, which undercounts.
"""

from __future__ import annotations

import ipaddress
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from followaudit.analysis.numbers import fraction, percent

if TYPE_CHECKING:  # only named in annotations: --fail-on is checked without pandas
    from followaudit.formats.posts import Post

MIN_POSTS = 10
# Every finding's code, in the order findings are reported (what --fail-on accepts).
FLAG_CODES: tuple[str, ...] = (
    "no-interaction",
    "self-promotion",
    "link-only",
    "repost-heavy",
    "low-engagement",
    "burst-posting",
)
# A newest post older than this is worth saying: the cadence describes the past.
STALE_AFTER_DAYS = 30.0
REPLY_RATE_FLOOR = 0.05
SELF_PROMOTION_CEILING = 0.50
LINK_ONLY_CEILING = 0.50
REPOST_CEILING = 0.80
ENGAGEMENT_FLOOR = 0.05  # per top-level post per 1,000 followers
ENGAGEMENT_MIN_FOLLOWERS = 1_000
BURST_POSTS_PER_DAY = 50.0
BURST_MEDIAN_GAP = timedelta(minutes=2)
FREQUENT_SITE_SHARE = 0.30
FREQUENT_SITE_MIN_POSTS = 3

# Second-level suffixes under which a registrable domain has three labels.
SECOND_LEVEL_SUFFIXES = frozenset(
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au",
        "co.nz", "org.nz", "net.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp",
        "co.in", "net.in", "org.in",
        "co.za", "org.za",
        "com.br", "net.br", "org.br",
        "com.mx", "com.ar", "com.co", "com.tr", "com.cn", "com.hk", "com.sg", "com.tw",
        "co.kr", "or.kr", "co.il", "co.id", "com.my", "com.ph", "com.pk", "com.ua",
    }
)  # fmt: skip

# Hosts that give each user a subdomain: there the subdomain is the user's site.
USER_SUBDOMAIN_HOSTS = frozenset(
    {
        "substack.com", "medium.com", "github.io", "gitlab.io", "wordpress.com",
        "blogspot.com", "tumblr.com", "ghost.io", "beehiiv.com", "netlify.app",
        "vercel.app", "pages.dev", "carrd.co", "gumroad.com", "bsky.social",
        "mailchimpsites.com", "wixsite.com", "squarespace.com", "webflow.io",
    }
)  # fmt: skip

# Shared platforms and shorteners: anyone links to them, so they are never
# inferred as an account's own site (its own page on them can still be, by URL).
SHARED_SITES = frozenset(
    {
        "x.com", "twitter.com", "t.co", "bsky.app", "bsky.social", "threads.net",
        "youtube.com", "youtu.be", "instagram.com", "facebook.com", "fb.com", "fb.me",
        "tiktok.com", "linkedin.com", "lnkd.in", "reddit.com", "github.com", "gitlab.com",
        "medium.com", "substack.com", "wikipedia.org", "google.com", "goo.gl", "g.co",
        "apple.com", "spotify.com", "twitch.tv", "discord.gg", "discord.com", "t.me",
        "telegram.me", "whatsapp.com", "wa.me", "pinterest.com", "imgur.com", "vimeo.com",
        "amazon.com", "amzn.to", "bit.ly", "buff.ly", "ow.ly", "tinyurl.com", "dlvr.it",
        "ift.tt", "is.gd", "rebrand.ly", "linktr.ee", "lnk.bio", "beacons.ai", "mastodon.social",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """One measured behaviour: its value, a plain sentence, and whether it raises a flag."""

    code: str
    metric: float | None
    sentence: str
    flagged: bool
    threshold: str


@dataclass(frozen=True)
class Behaviour:
    """What an account's recent posts show (see the module docstring for definitions)."""

    posts: int
    own_posts: int
    top_level_posts: int
    window_days: float | None  # from the oldest sampled post to ``now``
    own_sites: tuple[str, ...]
    reply_rate: float | None
    self_promotion_ratio: float | None
    link_only_ratio: float | None
    repost_share: float | None
    posts_per_day: float | None
    median_gap_hours: float | None
    engagement_per_post_per_1k_followers: float | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        """Return the codes of the flagged findings."""
        return [f.code for f in self.findings if f.flagged]


# --- sites -----------------------------------------------------------------------


def _host(url: str) -> str:
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    for prefix in ("www.", "m.", "mobile."):
        host = host.removeprefix(prefix)
    return host


def site_of(url: str) -> str:
    """Return the site of a URL: its registrable domain, or a user's subdomain on a shared host."""
    host = _host(url)
    if "." not in host or any(ch.isspace() for ch in host):
        return ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.split(".")
    for shared in USER_SUBDOMAIN_HOSTS:
        if host.endswith("." + shared):
            return ".".join(labels[-(shared.count(".") + 2) :])
    if len(labels) >= 3 and ".".join(labels[-2:]) in SECOND_LEVEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _url_prefix(url: str) -> str:
    """Return host + path without trailing slash or query: the address a profile page lives at."""
    try:
        path = urlsplit(url if "//" in url else "//" + url).path.rstrip("/")
    except ValueError:
        path = ""
    return _host(url) + path.lower()


@dataclass(frozen=True)
class _OwnSites:
    sites: frozenset[str]  # whole sites
    prefixes: tuple[str, ...]  # the profile's own page on a shared platform

    def owns(self, url: str) -> bool:
        if site_of(url) in self.sites:
            return True
        address = _url_prefix(url)
        return any(address == p or address.startswith(p + "/") for p in self.prefixes)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.sites)) + self.prefixes


def own_sites(
    posts: Sequence[Post], profile_url: str | None, ignore: Iterable[str] = ()
) -> tuple[frozenset[str], tuple[str, ...]]:
    """Return (own whole sites, own page prefixes on shared platforms); see the module docstring."""
    ignored = {site_of(s) or s for s in ignore} | SHARED_SITES
    sites: set[str] = set()
    prefixes: list[str] = []
    if profile_url:
        site = site_of(profile_url)
        if site in SHARED_SITES:
            prefix = _url_prefix(profile_url)
            if prefix != _host(profile_url):  # a bare platform address owns nothing
                prefixes.append(prefix)
        elif site:
            sites.add(site)
    link_posts = [p for p in posts if not p.is_repost and p.links]
    per_site = Counter(s for p in link_posts for s in {site_of(u) for u in p.links} if s)
    for site, n in per_site.items():
        if (
            site not in ignored
            and n >= FREQUENT_SITE_MIN_POSTS
            and n >= FREQUENT_SITE_SHARE * len(link_posts)
        ):
            sites.add(site)
    return frozenset(sites), tuple(prefixes)


# --- metrics ---------------------------------------------------------------------


def _too_few(code: str, n: int, what: str, threshold: str, metric: float | None) -> Finding:
    sentence = f"only {n} {what} in the sample: too few to judge"
    return Finding(code, metric, sentence, False, threshold)


def _posting_cadence(
    posts: Sequence[Post], now: datetime
) -> tuple[float | None, float | None, float | None]:
    """Return (window in days, posts per day, median gap in hours)."""
    if not posts:
        return None, None, None
    times = sorted(p.created_at for p in posts)
    window = max((now - times[0]).total_seconds() / 86400, 0.0)
    # A window shorter than a day would turn a handful of posts into an absurd daily rate.
    per_day = len(times) / max(window, 1.0)
    gaps = [(b - a).total_seconds() / 3600 for a, b in pairwise(times)]
    median_gap = statistics.median(gaps) if gaps else None
    return window, per_day, median_gap


def _duration(hours: float) -> str:
    def plural(value: float, unit: str) -> str:
        return f"{value:.0f} {unit}" + ("" if round(value) == 1 else "s")

    if hours < 1 / 60:
        return plural(hours * 3600, "second")
    if hours < 1:
        return plural(hours * 60, "minute")
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def analyse(
    posts: Sequence[Post],
    *,
    followers: int | None,
    profile_url: str | None,
    now: datetime,
    ignore_sites: Iterable[str] = (),
) -> Behaviour:
    """Return the behaviour measured on an account's recent posts, with its findings.

    ``profile_url`` is the website the profile links to (see
    ``followaudit.formats.posts.website_from_*``), not the profile page on the
    platform. ``ignore_sites`` lists more sites never to infer as own (pass the
    audited Mastodon server, whose links are quotes of other posts).
    ``now`` closes the sampling window for the posting rate.
    """
    own = [p for p in posts if not p.is_repost]
    top = [p for p in own if not p.is_reply]
    sites, prefixes = own_sites(posts, profile_url, ignore_sites)
    owned = _OwnSites(sites, prefixes)
    replies = sum(p.is_reply for p in own)
    promoting = sum(any(owned.owns(u) for u in p.links) for p in own)
    link_only = sum(p.text_without_links_is_empty for p in own)
    reposts = len(posts) - len(own)
    window, per_day, median_gap = _posting_cadence(posts, now)
    since_last = (now - max(p.created_at for p in posts)).total_seconds() / 86400 if posts else None
    engagement = _engagement(top, followers)

    reply_rate = fraction(replies, len(own))
    promotion = fraction(promoting, len(own))
    link_only_ratio = fraction(link_only, len(own))
    repost_share = fraction(reposts, len(posts))
    names = owned.names()
    findings = [
        _reply_finding(reply_rate, replies, len(own), len(posts)),
        _promotion_finding(promotion, promoting, len(own), names),
        _link_only_finding(link_only_ratio, link_only, len(own)),
        _repost_finding(repost_share, reposts, len(posts)),
        _engagement_finding(engagement, followers, len(top)),
        _cadence_finding(per_day, median_gap, len(posts), since_last),
    ]
    return Behaviour(
        posts=len(posts),
        own_posts=len(own),
        top_level_posts=len(top),
        window_days=window,
        own_sites=names,
        reply_rate=reply_rate,
        self_promotion_ratio=promotion,
        link_only_ratio=link_only_ratio,
        repost_share=repost_share,
        posts_per_day=per_day,
        median_gap_hours=median_gap,
        engagement_per_post_per_1k_followers=engagement,
        findings=findings,
    )


def _engagement(top: Sequence[Post], followers: int | None) -> float | None:
    """Return mean (likes + replies + reposts) per top-level post, per 1,000 followers."""
    counted = [p for p in top if None not in (p.likes, p.replies, p.reposts)]
    if not counted or not followers or followers <= 0:
        return None
    total = sum((p.likes or 0) + (p.replies or 0) + (p.reposts or 0) for p in counted)
    return total / len(counted) / followers * 1000


def _reply_finding(rate: float | None, replies: int, own: int, total: int) -> Finding:
    threshold = f"flagged below {REPLY_RATE_FLOOR:.0%} of own posts"
    if own == 0:
        sentence = "posts nothing of its own (only reposts)" if total else "no recent posts"
        return Finding("no-interaction", None, sentence, False, threshold)
    if own < MIN_POSTS:
        return _too_few("no-interaction", own, "own posts", threshold, rate)
    assert rate is not None
    sentence = f"replies to others in {percent(rate)} of its posts ({replies} of {own})"
    return Finding("no-interaction", rate, sentence, rate < REPLY_RATE_FLOOR, threshold)


def _promotion_finding(
    ratio: float | None, promoting: int, own: int, names: tuple[str, ...]
) -> Finding:
    threshold = f"flagged at {SELF_PROMOTION_CEILING:.0%} or more of own posts"
    if own < MIN_POSTS:
        return _too_few("self-promotion", own, "own posts", threshold, ratio)
    assert ratio is not None
    if not names:
        sentence = "links to no site of its own"
    else:
        shown = ", ".join(names[:3]) + (" and others" if len(names) > 3 else "")
        sentence = f"links to its own sites ({shown}) in {percent(ratio)} of its posts ({promoting} of {own})"
    return Finding("self-promotion", ratio, sentence, ratio >= SELF_PROMOTION_CEILING, threshold)


def _link_only_finding(ratio: float | None, link_only: int, own: int) -> Finding:
    threshold = f"flagged at {LINK_ONLY_CEILING:.0%} or more of own posts"
    if own < MIN_POSTS:
        return _too_few("link-only", own, "own posts", threshold, ratio)
    assert ratio is not None
    sentence = f"posts nothing but a link in {percent(ratio)} of its posts ({link_only} of {own})"
    return Finding("link-only", ratio, sentence, ratio >= LINK_ONLY_CEILING, threshold)


def _repost_finding(share: float | None, reposts: int, total: int) -> Finding:
    threshold = f"flagged at {REPOST_CEILING:.0%} or more of posts"
    if total < MIN_POSTS:
        return _too_few("repost-heavy", total, "posts", threshold, share)
    assert share is not None
    sentence = f"reposts others in {percent(share)} of its posts ({reposts} of {total})"
    return Finding("repost-heavy", share, sentence, share >= REPOST_CEILING, threshold)


def _engagement_finding(value: float | None, followers: int | None, top: int) -> Finding:
    threshold = (
        f"flagged below {ENGAGEMENT_FLOOR} per post per 1,000 followers "
        f"(accounts with {ENGAGEMENT_MIN_FOLLOWERS:,} followers or more)"
    )
    code = "low-engagement"
    if followers is None or followers < 0:
        return Finding(
            code, None, "follower count unknown: engagement not judged", False, threshold
        )
    if followers == 0:
        # Known, just nothing to divide by: saying "unknown" would be wrong.
        return Finding(code, None, "has no followers: engagement not judged", False, threshold)
    if top < MIN_POSTS:
        return _too_few(code, top, "posts that are not replies or reposts", threshold, value)
    if value is None:
        return Finding(code, None, "the platform reports no engagement counts", False, threshold)
    per_post = value * followers / 1000
    # The reactions a post gets first, then what that is per 1,000 followers:
    # the one figure the threshold is about, so the two never seem to disagree.
    # With exactly 1,000 followers the two figures are one: said once.
    sentence = f"its posts get {_amount(per_post)} likes, replies and reposts on average"
    if followers == 1000:
        sentence += ", from its 1,000 followers"
    else:
        sentence += f": {_amount(value)} per 1,000 of its {followers:,} followers"
    if followers < ENGAGEMENT_MIN_FOLLOWERS:
        sentence += f"; not judged below {ENGAGEMENT_MIN_FOLLOWERS:,} followers"
    flagged = followers >= ENGAGEMENT_MIN_FOLLOWERS and value < ENGAGEMENT_FLOOR
    return Finding("low-engagement", value, sentence, flagged, threshold)


def _amount(value: float) -> str:
    """Return a non-negative quantity written for people: "1,250", "45", "3.2", "0.03", "0"."""
    if value >= 10:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.1f}"
    if value <= 0:
        return "0"
    # Two significant digits in plain notation, never "3e-05".
    digits = 1 - math.floor(math.log10(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _cadence_finding(
    per_day: float | None,
    median_gap: float | None,
    total: int,
    since_last: float | None = None,
) -> Finding:
    threshold = (
        f"flagged at {BURST_POSTS_PER_DAY:.0f} or more posts a day, or a median gap under "
        f"{BURST_MEDIAN_GAP.total_seconds() / 60:.0f} minutes"
    )
    if total < MIN_POSTS or per_day is None:
        return _too_few("burst-posting", total, "posts", threshold, per_day)
    if per_day >= 1:
        rate = f"{per_day:.1f}" if per_day < 10 else f"{per_day:.0f}"
        sentence = f"posts {rate} times a day"
    else:
        sentence = f"posts about once every {1 / per_day:,.0f} days"
    if median_gap is not None:
        sentence += f"; median gap between posts {_duration(median_gap)}"
    if since_last is not None and since_last > STALE_AFTER_DAYS:
        sentence += f"; last post {since_last:,.0f} days ago"
    burst_gap = median_gap is not None and median_gap * 3600 < BURST_MEDIAN_GAP.total_seconds()
    flagged = per_day >= BURST_POSTS_PER_DAY or burst_gap
    return Finding("burst-posting", per_day, sentence, flagged, threshold)


def follower_behaviour(posts: Sequence[Post], *, profile_url: str | None = None) -> dict[str, Any]:
    """Return a sampled follower's posts, reply rate, link ratio and self-promotion ratio (--deep).

    Shares are over own posts (not reposts) and None when it has none.
    """
    own = [p for p in posts if not p.is_repost]
    sites, prefixes = own_sites(posts, profile_url)
    owned = _OwnSites(sites, prefixes)
    return {
        "posts": len(posts),
        "own_posts": len(own),
        "reply_rate": fraction(sum(p.is_reply for p in own), len(own)),
        "link_ratio": fraction(sum(bool(p.links) for p in own), len(own)),
        "self_promotion_ratio": fraction(
            sum(any(owned.owns(u) for u in p.links) for p in own), len(own)
        ),
    }
