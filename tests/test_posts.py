"""Recorded timeline pages of each platform become canonical posts."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followaudit.errors import InvalidResponseError
from followaudit.formats.posts import (
    Post,
    posts_from_bluesky,
    posts_from_mastodon,
    posts_from_x,
    website_from_bluesky_profile,
    website_from_mastodon_account,
    website_from_x_user,
)

FIXTURES = Path(__file__).parent / "fixtures" / "posts"
X_AUTHOR = "2244994945"
BSKY_AUTHOR = "did:plc:guru4u7yamkxk3yq7ax2ucb6"
MASTODON_AUTHOR = "109302"


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- X ---------------------------------------------------------------------------


def test_x_pages_become_posts_in_order():
    posts = posts_from_x(load("x_tweets_pages.json"), X_AUTHOR)
    assert [p.created_at for p in posts] == [
        utc(2026, 3, 5, 12),
        utc(2026, 3, 4, 12),
        utc(2026, 3, 3, 12),
        utc(2026, 3, 2, 12),
        utc(2026, 3, 1, 12),
        utc(2026, 2, 1, 8),
    ]


def test_x_reply_to_someone_else_is_a_reply_but_a_self_thread_is_not():
    posts = posts_from_x(load("x_tweets_pages.json"), X_AUTHOR)
    assert [p.is_reply for p in posts] == [False, True, False, False, False, False]


def test_x_retweet_is_a_repost():
    posts = posts_from_x(load("x_tweets_pages.json"), X_AUTHOR)
    assert [p.is_repost for p in posts] == [False, False, False, True, False, False]


def test_x_links_are_expanded_and_link_only_posts_detected():
    posts = posts_from_x(load("x_tweets_pages.json"), X_AUTHOR)
    assert posts[0] == Post(
        created_at=utc(2026, 3, 5, 12),
        is_reply=False,
        is_repost=False,
        links=("https://guru-academy.example.com/course?utm_source=x",),
        text_without_links_is_empty=False,
        likes=10,
        replies=1,
        reposts=2,
    )
    # The emoji post has text besides its link (spans count code points, not UTF-16 units).
    assert posts[4].links == ("https://blog.example.net/post",)
    assert posts[4].text_without_links_is_empty is False
    assert posts[5].text_without_links_is_empty is True
    assert posts[1].links == ()


def test_x_accepts_bare_tweets_and_the_2026_field_names():
    tweet = {
        "id": "1",
        "created_at": "2026-01-01T00:00:00Z",
        "text": "hi",
        "referenced_posts": [{"type": "replied_to", "id": "0"}],
        "public_metrics": {"repost_count": 4, "reply_count": 0, "like_count": 1},
    }
    (post,) = posts_from_x([tweet], X_AUTHOR)
    assert post.is_reply is True  # no in_reply_to_user_id: the reference decides
    assert post.reposts == 4


def test_x_missing_metrics_are_unknown_not_zero():
    (post,) = posts_from_x([{"id": "1", "created_at": "2026-01-01T00:00:00Z", "text": "x"}], "9")
    assert (post.likes, post.replies, post.reposts) == (None, None, None)


def test_x_empty_page_gives_no_posts():
    assert posts_from_x([{"meta": {"result_count": 0}}], X_AUTHOR) == []


def test_x_post_without_date_is_an_invalid_response():
    with pytest.raises(InvalidResponseError, match="without a creation date"):
        posts_from_x([{"id": "1", "text": "x"}], X_AUTHOR)


def test_x_website_is_the_expanded_profile_url():
    user = {
        "url": "https://t.co/abc",
        "entities": {
            "url": {
                "urls": [
                    {
                        "start": 0,
                        "end": 16,
                        "url": "https://t.co/abc",
                        "expanded_url": "https://guru.example.com",
                    }
                ]
            }
        },
    }
    assert website_from_x_user(user) == "https://guru.example.com"
    assert website_from_x_user({"username": "nobody"}) is None


# --- Bluesky ---------------------------------------------------------------------


def test_bluesky_feed_skips_the_pinned_post():
    posts = posts_from_bluesky(load("bluesky_author_feed.json"), BSKY_AUTHOR)
    assert len(posts) == 5
    assert posts[0].created_at == utc(2026, 3, 5, 10)


def test_bluesky_reply_to_another_author_is_a_reply_but_a_self_thread_is_not():
    posts = posts_from_bluesky(load("bluesky_author_feed.json"), BSKY_AUTHOR)
    # The self-thread's parent is a notFoundPost: its URI's DID decides.
    assert [p.is_reply for p in posts] == [False, False, True, False, False]


def test_bluesky_repost_is_dated_when_reposted():
    repost = posts_from_bluesky(load("bluesky_author_feed.json"), BSKY_AUTHOR)[4]
    assert repost.is_repost is True
    assert repost.created_at == utc(2026, 3, 1, 10)


def test_bluesky_links_from_facets_and_external_embeds():
    posts = posts_from_bluesky(load("bluesky_author_feed.json"), BSKY_AUTHOR)
    assert posts[0].links == ("https://guru.example.com/x",)
    assert posts[0].text_without_links_is_empty is False  # "café ☕" remains (byte offsets)
    assert posts[1].links == ("https://guru.example.com/y",)
    assert posts[1].text_without_links_is_empty is True
    assert (posts[0].likes, posts[0].replies, posts[0].reposts) == (7, 1, 2)


def test_bluesky_facet_covering_the_whole_text_is_link_only():
    text = "https://guru.example.com/z"
    item = {
        "post": {
            "uri": f"at://{BSKY_AUTHOR}/app.bsky.feed.post/1",
            "author": {"did": BSKY_AUTHOR},
            "record": {
                "text": text,
                "createdAt": "2026-01-01T00:00:00Z",
                "facets": [
                    {
                        "index": {"byteStart": 0, "byteEnd": len(text)},
                        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": text}],
                    }
                ],
            },
        }
    }
    (post,) = posts_from_bluesky([item], BSKY_AUTHOR)
    assert post.text_without_links_is_empty is True
    assert post.likes is None


def test_bluesky_item_without_record_is_an_invalid_response():
    with pytest.raises(InvalidResponseError):
        posts_from_bluesky([{"feed": [{"post": {"uri": "at://x"}}]}], BSKY_AUTHOR)


def test_bluesky_website():
    assert website_from_bluesky_profile({"website": "https://guru.example.com"}) == (
        "https://guru.example.com"
    )
    assert website_from_bluesky_profile({"handle": "a.bsky.social"}) is None


# --- Mastodon --------------------------------------------------------------------


def test_mastodon_statuses_become_posts():
    posts = posts_from_mastodon(load("mastodon_statuses.json"), MASTODON_AUTHOR)
    assert [p.is_reply for p in posts] == [False, True, False, False, False]
    assert [p.is_repost for p in posts] == [False, False, False, False, True]
    assert posts[0].created_at == utc(2026, 3, 5, 9)


def test_mastodon_links_exclude_mentions_and_hashtags_and_merge_the_card():
    posts = posts_from_mastodon(load("mastodon_statuses.json"), MASTODON_AUTHOR)
    assert posts[0].links == ("https://guru.example.co.uk/shop",)  # link and card deduplicated
    assert posts[0].text_without_links_is_empty is True
    assert posts[1].links == ()
    assert posts[3].links == ("https://news.example.org/a?x=1&y=2",)  # entities decoded
    assert posts[3].text_without_links_is_empty is False
    assert (posts[0].likes, posts[0].replies, posts[0].reposts) == (3, 1, 1)


def test_mastodon_website_prefers_a_verified_field():
    account = {
        "fields": [
            {
                "name": "Patreon",
                "value": '<a href="https://www.patreon.com/guru">patreon</a>',
                "verified_at": None,
            },
            {
                "name": "Home",
                "value": '<a href="https://guru.example.com" rel="me">guru</a>',
                "verified_at": "2019-07-15T18:29:57.191+00:00",
            },
        ]
    }
    assert website_from_mastodon_account(account) == "https://guru.example.com"
    assert website_from_mastodon_account({"fields": []}) is None
