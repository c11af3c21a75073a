"""The small interface every platform adapter implements, and what adapters share.

An adapter turns a handle into a ``Subject``, pages through the subject's
followers in the platform's own cursor style, fetches full profiles where the
follower list lacks counts (Bluesky), and hands raw API objects to the
matching converter in ``followaudit.formats``. Adapters know nothing about
sampling, progress display or output: ``followaudit.live.scan`` does that.

Everything else that differs by platform is a class attribute or class method
of its adapter (``PlatformKind``), so code outside ``followaudit.live.platforms``
asks the platform instead of comparing its name. Every cursor or ``Link``
loop goes through ``paginate``, which holds the paging guards.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from followaudit.errors import InvalidResponseError, NetworkError
from followaudit.handles import written_handle

if TYPE_CHECKING:
    from followaudit.accounts import TableBuilder
    from followaudit.formats.posts import Post
    from followaudit.handles import Handle
    from followaudit.live.http import Http


# The audited account's own posts read for the behaviour findings: one request
# on X and Bluesky (100 a page), three on Mastodon (40 a page).
SUBJECT_POSTS = 100

# Posts read per follower for --deep: one request on every platform.
DEEP_POSTS = 20


@dataclass(frozen=True)
class Subject:
    """The audited account, as the platform describes it."""

    platform: str
    id: str
    handle: str  # without "@"; "name@server" on Mastodon
    display_name: str
    followers_count: int | None  # what the platform says, which may lag the list
    profile_url: str
    # True when the platform documents the follower list as newest first, so
    # a follower's position in the list is the order in which it followed.
    order_known: bool
    # The website the profile links to (its "own site" for the behaviour
    # findings), not the profile page on the platform; None when it links none.
    website: str | None = None


@dataclass(frozen=True)
class FollowerPage:
    """One page of the follower list: raw API objects and the next cursor (None at the end)."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None


@runtime_checkable
class Platform(Protocol):
    """What ``followaudit.live.scan`` needs from a platform adapter."""

    name: ClassVar[str]  # "x", "bluesky" or "mastodon"
    # True when follower pages lack the counts the model needs, so every
    # follower that is scored needs a separate profile lookup.
    needs_profiles: ClassVar[bool]
    profile_batch_size: ClassVar[int]

    def resolve(self, handle: Handle) -> Subject:
        """Return the audited account; raise NotFoundError, AuthError or HiddenFollowersError."""
        ...

    def follower_pages(self, subject: Subject, limit: int | None = None) -> Pages:
        """Return the subject's follower list page by page, in the platform's order.

        ``limit`` is how many followers the caller will read at most: an adapter
        may ask for smaller pages near it (X bills every user returned), but the
        caller still stops reading on its own. It becomes the ``Pages``'
        ``bound``, which the caller may raise between pages (a rescan looking
        further for where the last scan's followers begin). The pages come from ``paginate``
        with the follower id as key and the subject's count as total, so a
        loop or a repeated page cannot list the same follower twice or forever.
        """
        ...

    def follower_id(self, raw: Mapping[str, Any]) -> str:
        """Return the account id of a follower item or fetched profile (what ``fetch_profiles`` takes)."""
        ...

    def fetch_profiles(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return full profiles for ``ids`` (omitting accounts the platform no longer serves)."""
        ...

    def add_account(self, builder: TableBuilder, raw: dict[str, Any], line: int) -> None:
        """Append one canonical row for ``raw`` (a follower item or a fetched profile)."""
        ...

    def recent_posts(self, account_id: str, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` of the account's most recent posts, newest first."""
        ...


@dataclass(frozen=True)
class RateLimit:
    """A published rate limit: ``requests`` per ``window`` seconds, shared by one ``bucket``.

    Requests of the kinds whose limits name the same bucket share one allowance
    (Mastodon counts every call of an IP together; X counts each endpoint).
    """

    requests: int
    window: float  # seconds
    bucket: str


def wrong_url(platform: str) -> NetworkError:
    """Return the error of a 404 that is not the API's JSON (an HTML page): the URL is wrong.

    An API answers an account that does not exist in its own JSON; a page of
    something else means the path itself does not exist there.
    """
    return NetworkError(
        f"The {platform} API answered 404 with a page that is not its JSON, so that path is "
        "not an API (an account that does not exist is answered in JSON): the API URL "
        "looks wrong; check --api-url"
    )


# The kinds of request a scan makes, as the plan counts them (followaudit.live.plan).
REQUEST_KINDS = ("lookup", "followers", "profiles", "posts")


class PlatformKind:
    """What differs by platform and is known without a connection (base of every adapter)."""

    name: ClassVar[str]  # "x", "bluesky" or "mastodon": the value of the "platform" column
    display_name: ClassVar[str]  # as users write it: "X"
    # Whether every request needs the X bearer token (looked up only for such platforms).
    needs_token: ClassVar[bool] = False
    # What the platform bills per object returned (US dollars, 2026 pay-per-use); 0 when free.
    user_read_price: ClassVar[float] = 0.0
    post_read_price: ClassVar[float] = 0.0
    # The most reading one post can cost, with what the request expands (X: the
    # account it replies to and the posts it references); 0 when free.
    post_read_most: ClassVar[float] = 0.0
    # What a scan plan counts (followaudit.live.plan): the page sizes of the follower
    # list and of the posts; whether scoring needs a profile lookup per follower,
    # and how many profiles one lookup returns; the published rate limits by
    # kind of request (REQUEST_KINDS), with where they are published.
    follower_page_size: ClassVar[int] = 100
    post_page_size: ClassVar[int] = 100
    needs_profiles: ClassVar[bool] = False
    profile_batch_size: ClassVar[int] = 100
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {}
    rate_limits_source: ClassVar[str] = ""

    @classmethod
    def connect(
        cls, handle: Handle, *, http: Http, token: str | None, api_url: str | None
    ) -> Platform:
        """Return the adapter that reads ``handle``'s account (``api_url``: another base URL).

        ``token`` is the X bearer token; adapters that do not need it never see it.
        """
        raise NotImplementedError

    @classmethod
    def written(cls, handle: str) -> str:
        """Return a bare handle as users write it on this platform (``handles.written_handle``)."""
        return written_handle(cls.name, handle)

    @classmethod
    def canonical_posts(cls, raw: list[dict[str, Any]], author_id: str) -> list[Post]:
        """Return the platform's post objects, as fetched by ``recent_posts``, as Post records."""
        raise NotImplementedError

    @classmethod
    def never_own_sites(cls, subject: Subject) -> list[str]:
        """Return the sites the account's links never make its "own site" (none by default)."""
        return []


# Paging stops when a platform sends more items than its own follower count
# by this margin: 10% of the count plus one page (at least 100 items). A
# count that lags the list by a few follows, or one page sent twice, passes;
# a server that sends pages forever does not.
PAGING_MARGIN_SHARE = 0.10
PAGING_MARGIN_ITEMS = 100


def paging_margin(total: int, page: int = 0) -> int:
    """Return how many items past a reported ``total`` a listing may run before it stops.

    ``page`` is the largest page received so far.
    """
    return int(total * PAGING_MARGIN_SHARE) + max(PAGING_MARGIN_ITEMS, page)


# fetch(cursor, kept) -> (items of the page, next cursor or None); cursor None = first page;
# kept: the items listed so far, each account once.
PageFetch = Callable[[str | None, int], tuple[list[dict[str, Any]], str | None]]


# A paging cursor longer than this is not a cursor (X's are 16-40 characters, Bluesky's and
# Mastodon's under 100): following it would send the server's garbage back to it.
MAX_CURSOR = 4096
# Pages in a row that bring no new follower end a listing, with or without a follower count.
STALE_PAGES = 2


class Pages:
    """The pages of one cursor or ``Link`` listing, guarded; iterate once.

    Yields ``FollowerPage`` objects. Paging stops at the end of the list, at
    ``limit`` items received, at an empty page when ``stop_on_empty``, at a
    cursor already used (a loop: A, B, A), when more than ``total`` plus
    ``paging_margin`` (10% and a page) items arrived, and, with ``key``, after
    ``STALE_PAGES`` pages in a row that brought nothing not listed before (a
    server repeating itself under fresh cursors, which no count may catch);
    those three set ``stopped`` to a sentence. With ``key``, an item whose key
    was already listed (a page sent twice) is dropped and counted in
    ``duplicates``. A cursor longer than ``MAX_CURSOR``, or a 404 on a page
    after the first, is the server's fault: InvalidResponseError.
    """

    def __init__(
        self,
        fetch: PageFetch,
        *,
        what: str,
        total: int | None = None,
        limit: int | None = None,
        key: Callable[[Mapping[str, Any]], object] | None = None,
        stop_on_empty: bool = False,
        source: str = "the server",
        bound: int | None = None,
    ) -> None:
        self._fetch = fetch
        # The most items the caller means to read (None: all): an adapter that bills per
        # item sizes its pages to end there. Unlike ``limit`` it never stops the paging,
        # and the caller may move it between pages.
        self.bound = bound
        self.source = source  # the host that answers, named when its answers go wrong
        self.what = what  # e.g. "followers of @name on X", for the sentences
        self.total = total
        self.limit = limit
        self._key = key
        self._stop_on_empty = stop_on_empty
        self.pages = 0  # pages fetched
        self.received = 0  # items received, duplicates included
        # Items kept (each account once): what a page is sized by, so a page the server
        # sent twice does not use up --max-followers or the plan's allowance.
        self.kept = 0
        self.duplicates = 0
        self.stopped: str | None = None  # why paging stopped before the end, if it did
        self._largest = 0  # the largest page received
        self._stale = 0  # pages in a row that brought no item not listed before

    def __iter__(self) -> Iterator[FollowerPage]:
        seen_keys: set[object] = set()
        used: set[str] = set()
        cursor: str | None = None
        while True:
            items, next_cursor = self._next_page(cursor)
            self.pages += 1
            self.received += len(items)
            self._largest = max(self._largest, len(items))
            empty = not items
            if self._key is not None:
                items = self._unique(items, seen_keys)
                self._stale = self._stale + 1 if not items and not empty else 0
            self.kept += len(items)
            next_cursor = self._guard(cursor, next_cursor, used, empty=empty)
            yield FollowerPage(items=items, next_cursor=next_cursor)
            if next_cursor is None:
                return
            cursor = next_cursor

    def _next_page(self, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """Return the next page's items and cursor; a later page's 404 is the server's fault."""
        from followaudit.errors import NotFoundError  # the one exception translated here

        try:
            return self._fetch(cursor, self.kept)
        except NotFoundError:
            if cursor is None:
                raise  # the first page: the account itself is not there
            raise InvalidResponseError(
                f"Paging through the {self.what}: the next page {self.source} pointed to "
                "answered 404 (not found), so the list cannot be read to its end"
            ) from None

    def collect(self, limit: int) -> list[dict[str, Any]]:
        """Return the items of every page, in order, at most ``limit`` of them."""
        return [item for page in self for item in page.items][:limit]

    def _unique(self, items: list[dict[str, Any]], seen: set[object]) -> list[dict[str, Any]]:
        assert self._key is not None
        kept = []
        for item in items:
            key = self._key(item) if isinstance(item, Mapping) else None
            if key is not None and key in seen:
                self.duplicates += 1
                continue
            if key is not None:
                seen.add(key)
            kept.append(item)
        return kept

    def _guard(
        self, cursor: str | None, next_cursor: str | None, used: set[str], *, empty: bool
    ) -> str | None:
        """Return the cursor of the next page, or None when paging must stop here."""
        if cursor is not None:
            used.add(cursor)
        if not next_cursor:
            return None
        if len(next_cursor) > MAX_CURSOR:
            raise InvalidResponseError(
                f"Paging through the {self.what}: {self.source} sent a paging cursor of "
                f"{len(next_cursor):,} characters (a real one is under 1,000), which "
                "followaudit does not follow"
            )
        if (empty and self._stop_on_empty) or (
            self.limit is not None and self.received >= self.limit
        ):
            return None
        if next_cursor in used:
            self.stopped = (
                f"Paging through the {self.what} stopped after {self.pages:,} pages "
                f"({self.received:,} accounts): the server sent the cursor of an earlier page "
                "again, a loop"
            )
            return None
        if self._stale >= STALE_PAGES:
            self.stopped = (
                f"Paging through the {self.what} stopped after {self.pages:,} pages "
                f"({self.received:,} accounts): the last {STALE_PAGES} pages brought no "
                "account not listed before, so the server is repeating itself"
            )
            return None
        margin = paging_margin(self.total, self._largest) if self.total is not None else 0
        if self.total is not None and self.received > self.total + margin:
            self.stopped = (
                f"Paging through the {self.what} stopped after {self.received:,} accounts: "
                f"more than the {self.total:,} the platform reports plus 10% and a page, "
                "so the server kept sending pages"
            )
            return None
        return next_cursor


def field_key(name: str, *others: str) -> Callable[[Mapping[str, Any]], object]:
    """Return a ``paginate`` key: an item's ``name`` field as text, else the first of
    ``others`` it has (None when it has none).

    Two follower items with the same key are the same account. A fallback
    (Mastodon's ``uri``, ``url``, ``acct`` when an item lacks its ``id``)
    keeps a page sent twice from being scored twice.
    """
    names = (name, *others)

    def key(raw: Mapping[str, Any]) -> object:
        for field in names:
            value = raw.get(field)
            if value is not None and value != "":
                return (field, str(value))
        return None

    return key


def paginate(
    fetch: PageFetch,
    *,
    what: str,
    total: int | None = None,
    limit: int | None = None,
    key: Callable[[Mapping[str, Any]], object] | None = None,
    stop_on_empty: bool = False,
    source: str = "the server",
    bound: int | None = None,
) -> Pages:
    """Return the guarded pages of a listing whose pages ``fetch`` gets (see ``Pages``).

    The one paging loop of every adapter, for followers and posts alike, as
    twarc's ``get_paginated``: the adapter says how to get one page from a
    cursor, this decides when to stop.
    """
    return Pages(
        fetch,
        what=what,
        total=total,
        limit=limit,
        key=key,
        stop_on_empty=stop_on_empty,
        source=source,
        bound=bound,
    )


def required_id(raw: Any, key: str, what: str) -> str:
    """Return ``raw[key]`` as text: the id every later request depends on.

    Raises InvalidResponseError naming ``what`` (e.g. "X answered the user
    lookup") when ``raw`` is not an object or the id is missing or empty, so a
    malformed answer is a sentence and an exit code, not a crash.
    """
    value = raw.get(key) if isinstance(raw, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise InvalidResponseError(f"{what} without the {key!r} field its API documents")
    return str(value)


def optional_count(value: Any, what: str) -> int | None:
    """Return a count from an API answer (None if absent); InvalidResponseError if not a count.

    Read by ``accounts.count``, the one count parser: a whole, finite number
    below a trillion; ``what`` starts the sentence ("X answered the lookup with").
    """
    # Imported here: parsing handles (this package) must not load pandas.
    from followaudit.accounts import count, shown_number

    try:
        number = count(value)
    except (TypeError, ValueError):
        raise InvalidResponseError(
            f"{what} a count that is not a number: {shown_number(value)}"
        ) from None
    if math.isnan(number):
        return None
    if number < 0:
        raise InvalidResponseError(f"{what} a negative count: {int(number)}")
    return int(number)
