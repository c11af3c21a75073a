"""An account's recent posts become plain-language findings flagged at documented thresholds."""

from datetime import UTC, datetime, timedelta

import pytest

from followaudit.analysis.behaviour import analyse, follower_behaviour, own_sites, site_of
from followaudit.formats.posts import Post

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)


def post(
    hours_ago: float,
    *,
    reply: bool = False,
    repost: bool = False,
    links: tuple[str, ...] = (),
    link_only: bool = False,
    likes: int | None = 5,
    replies: int | None = 1,
    reposts: int | None = 1,
) -> Post:
    return Post(
        created_at=NOW - timedelta(hours=hours_ago),
        is_reply=reply,
        is_repost=repost,
        links=links,
        text_without_links_is_empty=link_only,
        likes=likes,
        replies=replies,
        reposts=reposts,
    )


def by_code(behaviour):
    return {f.code: f for f in behaviour.findings}


def guru_posts() -> list[Post]:
    """30 posts a day apart: 27 are nothing but a link to its own course site, none a reply."""
    posts = [
        post(24 * i, links=(f"https://guruacademy.example/c/{i}",), link_only=True)
        for i in range(27)
    ]
    posts += [post(24 * i + 12) for i in range(3)]
    return posts


def conversational_posts() -> list[Post]:
    """30 posts: a third answer others, links go to many different outside sites."""
    posts = [post(24 * i, reply=True) for i in range(10)]
    posts += [post(24 * i + 6, links=(f"https://site{i}.example/article",)) for i in range(10)]
    posts += [post(24 * i + 12, links=("https://guru.example/about",)) for i in range(2)]
    posts += [post(24 * i + 18) for i in range(8)]
    return posts


def test_guru_that_only_links_its_own_site_is_flagged_for_self_promotion_and_no_interaction():
    result = analyse(
        guru_posts(), followers=50_000, profile_url="https://guruacademy.example", now=NOW
    )
    findings = by_code(result)
    assert findings["self-promotion"].flagged
    assert findings["self-promotion"].metric == pytest.approx(0.9)
    assert findings["self-promotion"].sentence == (
        "links to its own sites (guruacademy.example) in 90% of its posts (27 of 30)"
    )
    assert findings["no-interaction"].flagged
    assert findings["no-interaction"].sentence == "replies to others in 0% of its posts (0 of 30)"
    assert findings["link-only"].flagged
    assert set(result.flags) == {"self-promotion", "no-interaction", "link-only"}


def test_guru_own_site_is_inferred_even_without_a_profile_website():
    result = analyse(guru_posts(), followers=50_000, profile_url=None, now=NOW)
    assert result.own_sites == ("guruacademy.example",)
    assert by_code(result)["self-promotion"].flagged


def test_account_that_replies_and_links_elsewhere_is_not_flagged():
    result = analyse(
        conversational_posts(), followers=2_000, profile_url="https://guru.example", now=NOW
    )
    findings = by_code(result)
    assert not findings["self-promotion"].flagged
    assert findings["self-promotion"].metric == pytest.approx(2 / 30)
    assert not findings["no-interaction"].flagged
    assert findings["no-interaction"].sentence == (
        "replies to others in 33% of its posts (10 of 30)"
    )
    assert result.flags == []


def test_reply_rate_just_below_the_floor_is_flagged_and_at_it_is_not():
    below = [post(i, reply=i == 0) for i in range(21)]  # 1 of 21 = 4.8%
    at = [post(i, reply=i == 0) for i in range(20)]  # 1 of 20 = 5%
    assert by_code(analyse(below, followers=None, profile_url=None, now=NOW))[
        "no-interaction"
    ].flagged
    assert not by_code(analyse(at, followers=None, profile_url=None, now=NOW))[
        "no-interaction"
    ].flagged


def test_reposts_do_not_count_as_own_posts_but_make_an_account_repost_heavy():
    posts = [post(i, repost=True) for i in range(40)] + [post(i, reply=True) for i in range(10)]
    result = analyse(posts, followers=None, profile_url=None, now=NOW)
    findings = by_code(result)
    assert result.own_posts == 10
    assert findings["no-interaction"].metric == 1.0
    assert findings["repost-heavy"].flagged
    assert findings["repost-heavy"].sentence == "reposts others in 80% of its posts (40 of 50)"


def test_too_few_posts_are_reported_and_never_flagged():
    posts = guru_posts()[:4]
    result = analyse(posts, followers=1_000_000, profile_url=None, now=NOW)
    assert result.flags == []
    assert by_code(result)["no-interaction"].sentence == (
        "only 4 own posts in the sample: too few to judge"
    )
    assert by_code(result)["burst-posting"].sentence == (
        "only 4 posts in the sample: too few to judge"
    )


def test_no_posts_at_all():
    result = analyse([], followers=10, profile_url=None, now=NOW)
    assert result.flags == []
    assert result.reply_rate is None
    assert by_code(result)["no-interaction"].sentence == "no recent posts"


def test_low_engagement_is_flagged_only_for_established_accounts():
    # 12 top-level posts with 3 reactions each: 3 per post.
    posts = [post(24 * i, likes=1, replies=1, reposts=1) for i in range(12)]
    big = by_code(analyse(posts, followers=100_000, profile_url=None, now=NOW))["low-engagement"]
    assert big.metric == pytest.approx(0.03)
    assert big.flagged
    assert big.sentence == (
        "its posts get 3.0 likes, replies and reposts on average: "
        "0.03 per 1,000 of its 100,000 followers"
    )
    healthy = by_code(analyse(posts, followers=20_000, profile_url=None, now=NOW))
    assert healthy["low-engagement"].metric == pytest.approx(0.15)
    assert not healthy["low-engagement"].flagged
    small = by_code(analyse(posts, followers=999, profile_url=None, now=NOW))["low-engagement"]
    assert not small.flagged
    # Below the floor yet not flagged: the sentence says why, so it does not read as a slip.
    assert small.sentence.endswith("; not judged below 1,000 followers")


def test_engagement_figures_are_written_for_people():
    # 610 reactions per post per 1,000 followers was once written "6.1e+02".
    posts = [post(24 * i, likes=600, replies=5, reposts=5) for i in range(12)]
    lively = by_code(analyse(posts, followers=1_000, profile_url=None, now=NOW))["low-engagement"]
    # With 1,000 followers the two figures are one: said once, not "610 ... 610 per 1,000".
    assert lively.sentence == (
        "its posts get 610 likes, replies and reposts on average, from its 1,000 followers"
    )
    quiet = [post(24 * i, likes=0, replies=0, reposts=1 if i == 0 else 0) for i in range(12)]
    huge = by_code(analyse(quiet, followers=2_500_000, profile_url=None, now=NOW))
    sentence = huge["low-engagement"].sentence
    assert "e-" not in sentence and "e+" not in sentence
    assert sentence.endswith(": 0.000033 per 1,000 of its 2,500,000 followers")


def test_engagement_ignores_replies_and_reposts_and_unknown_counts():
    posts = [post(24 * i, likes=10, replies=0, reposts=0) for i in range(10)]
    posts += [post(i, reply=True, likes=0, replies=0, reposts=0) for i in range(10)]
    posts += [post(i, repost=True, likes=9999, replies=0, reposts=0) for i in range(5)]
    posts += [post(24 * i, likes=None, replies=None, reposts=None) for i in range(5)]
    result = analyse(posts, followers=10_000, profile_url=None, now=NOW)
    assert result.engagement_per_post_per_1k_followers == pytest.approx(1.0)


def test_unknown_follower_count_is_said_not_guessed():
    finding = by_code(analyse(guru_posts(), followers=None, profile_url=None, now=NOW))[
        "low-engagement"
    ]
    assert finding.metric is None
    assert not finding.flagged
    assert finding.sentence == "follower count unknown: engagement not judged"


def test_burst_posting():
    bursts = [post(i / 60) for i in range(30)]  # one a minute
    finding = by_code(analyse(bursts, followers=None, profile_url=None, now=NOW))["burst-posting"]
    assert finding.flagged
    assert finding.sentence == "posts 30 times a day; median gap between posts 1 minute"
    calm = by_code(analyse(guru_posts(), followers=None, profile_url=None, now=NOW))
    assert not calm["burst-posting"].flagged
    assert calm["burst-posting"].metric == pytest.approx(30 / 26)


def test_sustained_high_volume_is_burst_posting():
    posts = [post(i * 0.4) for i in range(300)]  # every 24 minutes for 5 days: 60 a day
    finding = by_code(analyse(posts, followers=None, profile_url=None, now=NOW))["burst-posting"]
    assert finding.metric == pytest.approx(300 / (299 * 0.4 / 24))
    assert finding.flagged


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.Guru.example.com/x?y=1", "example.com"),
        ("https://shop.guru.co.uk/p", "guru.co.uk"),
        ("https://guru.substack.com/p/post", "guru.substack.com"),
        ("https://m.youtube.com/watch?v=1", "youtube.com"),
        ("guru.example.com/no-scheme", "example.com"),
        ("http://192.0.2.7:8080/", "192.0.2.7"),
        ("not a url", ""),
    ],
)
def test_site_of(url, site):
    assert site_of(url) == site


def test_shared_platforms_are_never_inferred_as_own_sites():
    posts = [post(i, links=("https://www.youtube.com/watch?v=abc",)) for i in range(20)]
    sites, prefixes = own_sites(posts, None)
    assert sites == frozenset() and prefixes == ()


def test_profile_page_on_a_shared_platform_owns_only_its_own_address():
    posts = [post(i, links=("https://youtube.com/@guru/videos",)) for i in range(6)]
    posts += [post(i, links=("https://youtube.com/watch?v=other",)) for i in range(6)]
    result = analyse(posts, followers=None, profile_url="https://www.youtube.com/@guru", now=NOW)
    assert result.self_promotion_ratio == pytest.approx(0.5)
    assert result.own_sites == ("youtube.com/@guru",)


def test_inferred_site_needs_a_third_of_link_posts_and_three_posts():
    two = [post(i, links=("https://shop.example",)) for i in range(2)]
    assert own_sites(two, None) == (frozenset(), ())
    mixed = [post(i, links=("https://shop.example",)) for i in range(3)]
    mixed += [post(i, links=(f"https://s{i}.example",)) for i in range(7)]
    assert own_sites(mixed, None)[0] == frozenset({"shop.example"})
    assert own_sites(mixed + mixed[3:], None)[0] == frozenset()  # 3 of 17 < 30%


def test_ignored_sites_are_not_inferred():
    posts = [post(i, links=("https://fosstodon.org/@x/1",)) for i in range(10)]
    result = analyse(
        posts, followers=None, profile_url=None, now=NOW, ignore_sites=["fosstodon.org"]
    )
    assert result.own_sites == ()
    assert by_code(result)["self-promotion"].sentence == "links to no site of its own"


def test_follower_behaviour_for_a_sampled_follower():
    posts = [post(i, reply=True) for i in range(2)]
    posts += [post(i, links=("https://spam.example/buy",)) for i in range(6)]
    posts += [post(i, repost=True) for i in range(2)]
    assert follower_behaviour(posts) == {
        "posts": 10,
        "own_posts": 8,
        "reply_rate": 0.25,
        "link_ratio": 0.75,
        "self_promotion_ratio": 0.75,
    }
    assert follower_behaviour([])["reply_rate"] is None


def test_flag_codes_are_exactly_the_findings_reported():
    from datetime import UTC, datetime

    from followaudit.analysis.behaviour import FLAG_CODES, analyse

    empty = analyse([], followers=None, profile_url=None, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert tuple(f.code for f in empty.findings) == FLAG_CODES


def test_slow_and_stale_posting_reads_plainly():
    from datetime import UTC, datetime, timedelta

    from followaudit.analysis.behaviour import analyse
    from followaudit.formats.posts import Post

    now = datetime(2026, 1, 1, tzinfo=UTC)
    posts = [
        Post(
            created_at=now - timedelta(days=400 + 10 * i),
            is_reply=False,
            is_repost=False,
            links=(),
            text_without_links_is_empty=False,
            likes=1,
            replies=0,
            reposts=0,
        )
        for i in range(12)
    ]
    cadence = analyse(posts, followers=100, profile_url=None, now=now).findings[-1]
    assert cadence.code == "burst-posting" and not cadence.flagged
    assert cadence.sentence.startswith("posts about once every 42 days")  # 510 days / 12
    assert cadence.sentence.endswith("last post 400 days ago")
