"""The canonical post record, and converters from each platform's official shapes.

Whatever the platform, a post is reduced to what the behaviour analysis reads:
when it was published, whether it answers someone else, whether it is a
repost, the links it carries, whether it is nothing but links, and its
engagement counts. A count a platform does not report is None, never zero.

The converters are pure: they take the raw API objects an adapter fetched
(``Platform.recent_posts`` items, or whole response pages) and never touch
the network. Each raises ``InvalidResponseError`` for an item that breaks the
platform's documented shape, so a malformed answer is reported, not guessed.

The ``website_from_*`` helpers return the website a profile links to (the
"own site" of ``followaudit.analysis.behaviour``), which is not the profile page on
the platform itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from followaudit.accounts import count
from followaudit.errors import InvalidResponseError
from followaudit.formats._common import RecordError, parse_iso_datetime

BSKY_REPOST = "app.bsky.feed.defs#reasonRepost"
BSKY_PIN = "app.bsky.feed.defs#reasonPin"
BSKY_LINK = "app.bsky.richtext.facet#link"
BSKY_EXTERNAL = "app.bsky.embed.external"
BSKY_RECORD_WITH_MEDIA = "app.bsky.embed.recordWithMedia"

# X shortens every link in the text to t.co; the entity spans normally cover
# them, this catches any the entities missed.
_TCO = re.compile(r"https?://t\.co/\S+")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Post:
    """One post as the behaviour analysis sees it."""

    created_at: datetime  # aware, UTC; for a repost, when it was reposted where known
    is_reply: bool  # answers someone else (continuing one's own thread is not a reply)
    is_repost: bool
    links: tuple[str, ...]  # expanded URLs, in order, without duplicates
    text_without_links_is_empty: bool  # the post is nothing but links (or a link card)
    likes: int | None
    replies: int | None
    reposts: int | None


def _date(value: Any, platform: str) -> datetime:
    try:
        parsed = parse_iso_datetime(value)
    except RecordError as exc:
        raise InvalidResponseError(f"{platform} sent a post with a bad date: {exc}") from None
    if parsed is None:
        raise InvalidResponseError(f"{platform} sent a post without a creation date")
    return parsed


def _count(value: Any) -> int | None:
    """Return a post metric (likes, replies) read by ``accounts.count``; None if unusable."""
    try:
        number = count(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number >= 0 else None


def _unique(links: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(link for link in links if link))


def _items(
    pages_or_items: Sequence[Any], key: str, page_keys: tuple[str, ...], platform: str
) -> list[Mapping[str, Any]]:
    """Return the items of response pages (holding ``key`` or any of ``page_keys``), or the items."""
    items: list[Mapping[str, Any]] = []
    for entry in pages_or_items:
        if not isinstance(entry, Mapping):
            raise InvalidResponseError(f"{platform} sent a post that is not an object")
        if key in entry or any(k in entry for k in page_keys):
            inner = entry.get(key)
            # An empty page: X omits `data` when there is nothing to return.
            for item in inner if isinstance(inner, list) else []:
                if not isinstance(item, Mapping):
                    raise InvalidResponseError(f"{platform} sent a post that is not an object")
                items.append(item)
        else:
            items.append(entry)
    return items


# --- X -------------------------------------------------------------------------


def posts_from_x(pages_or_tweets: Sequence[Mapping[str, Any]], author_id: str) -> list[Post]:
    """Return the posts in GET /2/users/:id/tweets response pages (or their `data` items).

    Request ``tweet.fields=created_at,public_metrics,entities,referenced_tweets,
    in_reply_to_user_id``. A reply is a post whose ``in_reply_to_user_id`` is
    someone other than ``author_id``; without that field, a ``replied_to``
    reference counts as a reply. Both the older ``referenced_tweets`` and the
    2026 spec's ``referenced_posts`` are read.
    """
    posts = []
    for tweet in _items(pages_or_tweets, "data", ("meta", "errors"), "X"):
        refs = tweet.get("referenced_tweets") or tweet.get("referenced_posts") or []
        kinds = {ref.get("type") for ref in refs if isinstance(ref, Mapping)}
        reply_to = tweet.get("in_reply_to_user_id")
        if reply_to is not None:
            is_reply = str(reply_to) != str(author_id)
        else:
            is_reply = "replied_to" in kinds
        text = str(tweet.get("text") or "")
        entities = tweet.get("entities") or {}
        # A long post keeps its full text and entities in note_tweet (note_post in 2026).
        note = tweet.get("note_tweet") or tweet.get("note_post")
        if isinstance(note, Mapping) and note.get("text"):
            text = str(note["text"])
            entities = note.get("entities") or entities
        urls = [u for u in entities.get("urls") or [] if isinstance(u, Mapping)]
        links = _unique(
            str(u.get("unwound_url") or u.get("expanded_url") or u.get("url") or "") for u in urls
        )
        metrics = tweet.get("public_metrics") or {}
        posts.append(
            Post(
                created_at=_date(tweet.get("created_at"), "X"),
                is_reply=is_reply,
                is_repost="retweeted" in kinds,
                links=links,
                text_without_links_is_empty=bool(links) and not _x_text_without_urls(text, urls),
                likes=_count(metrics.get("like_count")),
                replies=_count(metrics.get("reply_count")),
                reposts=_count(metrics.get("repost_count", metrics.get("retweet_count"))),
            )
        )
    return posts


def _x_text_without_urls(text: str, urls: list[Mapping[str, Any]]) -> str:
    """Return the text with its URL entity spans (code point indices) and stray t.co links removed."""
    chars = list(text)
    for u in urls:
        start, end = u.get("start"), u.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(chars):
            chars[start:end] = [" "] * (end - start)
    return _TCO.sub(" ", "".join(chars)).strip()


def website_from_x_user(user: Mapping[str, Any]) -> str | None:
    """Return the website an X User links to (expanded, not t.co), or None."""
    entity = (user.get("entities") or {}).get("url") or {}
    for u in entity.get("urls") or []:
        if isinstance(u, Mapping) and (u.get("expanded_url") or u.get("url")):
            return str(u.get("expanded_url") or u.get("url"))
    url = user.get("url")
    return str(url) if url else None


# --- Bluesky -------------------------------------------------------------------


def posts_from_bluesky(pages_or_items: Sequence[Mapping[str, Any]], author_did: str) -> list[Post]:
    """Return the posts in app.bsky.feed.getAuthorFeed pages (or their feedViewPost items).

    Read with ``filter=posts_with_replies``. A repost carries a ``reason`` of
    type reasonRepost; a pinned post (reasonPin) is left out because it sits
    out of time order. A reply is a post whose parent's author (from the
    feed item's ``reply.parent``, else the DID in the record's parent URI)
    is not ``author_did``.
    """
    posts = []
    for item in _items(pages_or_items, "feed", ("cursor",), "Bluesky"):
        post = item.get("post")
        if not isinstance(post, Mapping) or not isinstance(post.get("record"), Mapping):
            raise InvalidResponseError("Bluesky sent a feed item without a post record")
        record: Mapping[str, Any] = post["record"]
        raw_reason = item.get("reason")
        reason: Mapping[str, Any] = raw_reason if isinstance(raw_reason, Mapping) else {}
        if reason.get("$type") == BSKY_PIN:
            continue
        is_repost = reason.get("$type") == BSKY_REPOST
        when = reason.get("indexedAt") if is_repost else None
        created_at = _date(when or record.get("createdAt") or post.get("indexedAt"), "Bluesky")
        links = _unique(_bluesky_links(record))
        remainder = _bluesky_text_without_links(str(record.get("text") or ""), record)
        posts.append(
            Post(
                created_at=created_at,
                is_reply=_bluesky_is_reply(item, record, author_did),
                is_repost=is_repost,
                links=links,
                text_without_links_is_empty=bool(links) and not remainder,
                likes=_count(post.get("likeCount")),
                replies=_count(post.get("replyCount")),
                reposts=_count(post.get("repostCount")),
            )
        )
    return posts


def _bluesky_is_reply(item: Mapping[str, Any], record: Mapping[str, Any], author: str) -> bool:
    parent_ref = (record.get("reply") or {}).get("parent")
    feed_parent = (item.get("reply") or {}).get("parent")
    if not parent_ref and not feed_parent:
        return False
    # postView and blockedPost carry the author; a notFoundPost only its URI.
    if isinstance(feed_parent, Mapping):
        parent_author = (feed_parent.get("author") or {}).get("did")
        if parent_author:
            return str(parent_author) != author
    uri = ""
    if isinstance(parent_ref, Mapping):
        uri = str(parent_ref.get("uri") or "")
    elif isinstance(feed_parent, Mapping):
        uri = str(feed_parent.get("uri") or "")
    if uri.startswith("at://"):
        return uri[len("at://") :].split("/", 1)[0] != author
    return True  # a reply to a parent we cannot place: assume it answers someone


def _bluesky_links(record: Mapping[str, Any]) -> list[str]:
    links = []
    for facet in record.get("facets") or []:
        for feature in (facet or {}).get("features") or []:
            if isinstance(feature, Mapping) and feature.get("$type") == BSKY_LINK:
                links.append(str(feature.get("uri") or ""))
    embed = record.get("embed") or {}
    if isinstance(embed, Mapping) and embed.get("$type") == BSKY_RECORD_WITH_MEDIA:
        embed = embed.get("media") or {}
    if isinstance(embed, Mapping) and embed.get("$type") == BSKY_EXTERNAL:
        links.append(str((embed.get("external") or {}).get("uri") or ""))
    return links


def _bluesky_text_without_links(text: str, record: Mapping[str, Any]) -> str:
    """Return the text with its link facets removed (facet indices count UTF-8 bytes)."""
    data = bytearray(text.encode("utf-8"))
    for facet in record.get("facets") or []:
        features = (facet or {}).get("features") or []
        if not any(isinstance(f, Mapping) and f.get("$type") == BSKY_LINK for f in features):
            continue
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(data):
            data[start:end] = b" " * (end - start)
    return _URL.sub(" ", data.decode("utf-8", errors="ignore")).strip()


def website_from_bluesky_profile(profile: Mapping[str, Any]) -> str | None:
    """Return the website of an app.bsky.actor.defs#profileViewDetailed, or None."""
    website = profile.get("website")
    return str(website) if website else None


# --- Mastodon ------------------------------------------------------------------


class _StatusHTML(HTMLParser):
    """Collects a status's link targets and the text outside those links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._in_link = False  # inside a counted <a> (anchors cannot nest in HTML)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        href = values.get("href")
        # Mentions and hashtags are links to profiles and tag pages, not to sites.
        if href and "mention" not in classes and "hashtag" not in classes:
            self.links.append(href)
            self._in_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if not self._in_link:
            self.text.append(data)


def posts_from_mastodon(statuses: Sequence[Mapping[str, Any]], account_id: str) -> list[Post]:
    """Return the posts in GET /api/v1/accounts/:id/statuses answers (Status objects).

    A reblog has a non-null ``reblog``; a reply has ``in_reply_to_id`` and an
    ``in_reply_to_account_id`` other than ``account_id`` (Mastodon sets it to
    the author itself for a self-thread). Links are the ``<a href>`` targets
    in ``content`` that are not mentions or hashtags, plus the preview
    ``card.url``.
    """
    posts = []
    for status in statuses:
        if not isinstance(status, Mapping):
            raise InvalidResponseError("Mastodon sent a status that is not an object")
        reply_to = status.get("in_reply_to_account_id")
        is_reply = status.get("in_reply_to_id") is not None and (
            reply_to is None or str(reply_to) != str(account_id)
        )
        parser = _StatusHTML()
        parser.feed(str(status.get("content") or ""))
        parser.close()
        card = status.get("card") or {}
        card_url = str(card.get("url") or "") if isinstance(card, Mapping) else ""
        links = _unique([*parser.links, card_url])
        text = "".join(parser.text).strip()
        posts.append(
            Post(
                created_at=_date(status.get("created_at"), "Mastodon"),
                is_reply=is_reply,
                is_repost=status.get("reblog") is not None,
                links=links,
                text_without_links_is_empty=bool(links) and not text,
                likes=_count(status.get("favourites_count")),
                replies=_count(status.get("replies_count")),
                reposts=_count(status.get("reblogs_count")),
            )
        )
    return posts


def website_from_mastodon_account(account: Mapping[str, Any]) -> str | None:
    """Return the first website among a Mastodon Account's profile fields (verified first), or None."""
    fields = [f for f in account.get("fields") or [] if isinstance(f, Mapping)]
    fields.sort(key=lambda f: f.get("verified_at") is None)
    for field in fields:
        parser = _StatusHTML()
        parser.feed(str(field.get("value") or ""))
        parser.close()
        if parser.links:
            return parser.links[0]
        plain = str(field.get("value") or "").strip()
        if _URL.fullmatch(plain):
            return plain
    return None
