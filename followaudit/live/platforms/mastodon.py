"""Mastodon adapter: ask the account's home server, which holds its full follower list.

Other servers only know the followers they federate with, so the base URL is
the home server (or an explicit override). Pages are followed through the
``Link`` header, as the API guidelines require: the follow ids behind
``max_id`` are not exposed anywhere else.

An address's domain is not always the server's: ``@me@example.com`` may live
on ``social.example.com``. The lookup is tried on the address's domain first
(the common case costs nothing more); only when that answers 404 or a page
that is not the API does WebFinger on the domain name the home server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from followaudit.errors import (
    AuthError,
    FollowauditError,
    HiddenFollowersError,
    HttpStatusError,
    InvalidResponseError,
    NetworkError,
    NotFoundError,
    UsageError,
    error_text,
)
from followaudit.formats import mastodon as mastodon_format
from followaudit.formats.posts import Post, posts_from_mastodon, website_from_mastodon_account
from followaudit.live.platforms.base import (
    REQUEST_KINDS,
    Pages,
    Platform,
    PlatformKind,
    RateLimit,
    Subject,
    field_key,
    optional_count,
    paginate,
    required_id,
    wrong_url,
)

if TYPE_CHECKING:
    from followaudit.accounts import TableBuilder
    from followaudit.handles import Handle
    from followaudit.live.http import Http

PAGE_SIZE = 80  # followers maximum
# The WebFinger links that name an account's home server (RFC 7033; Mastodon's answer).
ACTIVITY_JSON = "application/activity+json"
PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"
STATUS_PAGE_SIZE = 40  # statuses maximum

_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;"]+))""")


def parse_link_header(value: str | None) -> dict[str, str]:
    """Return {relation: url} from an RFC 8288 ``Link`` header ({} if absent)."""
    links: dict[str, str] = {}
    if not value:
        return links
    for match in _LINK_PART.finditer(value):
        url, params = match.group(1).strip(), match.group(2)
        rel = _REL.search(params)
        if rel is None:
            continue
        for name in (rel.group(1) or rel.group(2) or "").split():
            links.setdefault(name.lower(), url)
    return links


class MastodonPlatform(PlatformKind):
    """Reads a Mastodon account's followers from its home server."""

    name = "mastodon"
    display_name = "Mastodon"
    needs_profiles = False  # follower pages are full Account objects
    profile_batch_size = PAGE_SIZE
    follower_page_size = PAGE_SIZE
    post_page_size = STATUS_PAGE_SIZE
    # Mastodon docs "Rate limits": every endpoint, 300 calls per 5 minutes per IP (per server).
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {
        kind: RateLimit(300, 300, "per IP") for kind in REQUEST_KINDS
    }
    rate_limits_source = "Mastodon: 300 requests per 5 min per IP"

    @classmethod
    def connect(
        cls, handle: Handle, *, http: Http, token: str | None, api_url: str | None
    ) -> Platform:
        """Return the adapter for the account's server (the X token is never sent)."""
        if not handle.server:
            raise UsageError(f"@{handle.name}: a Mastodon handle needs its server, as @name@server")
        return cls(http, handle.server, base_url=api_url)

    @classmethod
    def canonical_posts(cls, raw: list[dict[str, Any]], author_id: str) -> list[Post]:
        """Return Status objects of GET /api/v1/accounts/:id/statuses as Post records."""
        return posts_from_mastodon(raw, author_id)

    @classmethod
    def never_own_sites(cls, subject: Subject) -> list[str]:
        """Return the account's own server: its links there are quotes of other posts."""
        return [subject.handle.rsplit("@", 1)[1]] if "@" in subject.handle else []

    def __init__(
        self,
        http: Http,
        server: str,
        *,
        base_url: str | None = None,
        token: str | None = None,
    ) -> None:
        self._http = http
        self._domain = server  # the address's domain: part of the handle shown
        self._server = server  # the host that answers (the home server, once known)
        self._base = (base_url or f"https://{server}").rstrip("/")
        # An explicit base URL is the user's choice of server: never second-guessed.
        self._fixed_base = base_url is not None
        # Most servers answer these calls anonymously; a token helps on servers that do not.
        self._headers = {"Authorization": f"Bearer {token}"} if token else None

    def __repr__(self) -> str:
        return f"MastodonPlatform(base_url={self._base!r})"

    def _get(
        self, url: str, params: Mapping[str, str | int] | None, who: str
    ) -> tuple[Any, Mapping[str, str]]:
        try:
            response = self._http.get(url, params=params, headers=self._headers)
        except HttpStatusError as exc:
            raise _translate(exc.status, exc.data, who, self._server) from None
        return response.data, response.headers

    def _same_origin(self, url: str, page: str) -> str:
        """Return a ``Link`` URL resolved against the page it came with (RFC 8288), moved onto
        the configured base's origin (for --api-url overrides).

        A link that is not http(s) (file:, javascript:) is the server's fault:
        InvalidResponseError, never followed.
        """
        link = urlsplit(urljoin(page, url))
        if link.scheme.lower() not in ("http", "https") or not link.netloc:
            raise InvalidResponseError(
                f"{urlsplit(page).netloc} sent a next-page link that is not a web address "
                f"({link.scheme or 'no scheme'}:), which followaudit does not follow"
            )
        base = urlsplit(self._base)
        if (link.scheme, link.netloc) == (base.scheme, base.netloc):
            return urlunsplit(link)
        return urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))

    def _lookup(self, acct: str) -> dict[str, Any]:
        """Return the Account of ``acct`` on the current base: GET /api/v1/accounts/lookup.

        Raises HttpStatusError (untranslated) or InvalidResponseError, so that
        resolve can tell "not here" from every other failure.
        """
        response = self._http.get(
            f"{self._base}/api/v1/accounts/lookup", params={"acct": acct}, headers=self._headers
        )
        account = response.data
        if not isinstance(account, dict) or "id" not in account:
            raise InvalidResponseError(f"{self._server} answered the lookup without an account")
        return account

    def _home_server(self, handle: Handle) -> tuple[str, str] | None:
        """Return (base URL, acct) of the account's home server per WebFinger, or None.

        GET https://<domain>/.well-known/webfinger?resource=acct:<name>@<domain>; the
        home server is the origin of the ``self`` link (ActivityPub actor) or else
        of the profile page.
        """
        resource = f"acct:{handle.name}@{self._domain}"
        try:
            response = self._http.get(
                f"https://{self._domain}/.well-known/webfinger", params={"resource": resource}
            )
        except FollowauditError:
            return None
        body = response.data if isinstance(response.data, dict) else {}
        links = body.get("links")
        if not isinstance(links, list):
            return None
        usable = [
            link for link in links if isinstance(link, dict) and isinstance(link.get("href"), str)
        ]
        actor = next(
            (
                link["href"]
                for link in usable
                if link.get("rel") == "self" and _is_activity_json(str(link.get("type") or ""))
            ),
            None,
        )
        page = next((link["href"] for link in usable if link.get("rel") == PROFILE_PAGE_REL), None)
        found = actor or page
        if not found:
            return None
        parts = urlsplit(found)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        subject = body.get("subject")
        acct = resource
        if isinstance(subject, str) and subject.startswith("acct:") and "@" in subject:
            acct = subject
        return f"{parts.scheme}://{parts.netloc}", acct.removeprefix("acct:")

    def resolve(self, handle: Handle) -> Subject:
        """Return the account behind a handle: GET /api/v1/accounts/lookup?acct=.

        On a 404 or a non-API answer from the handle's domain, asks WebFinger
        there for the home server and looks the account up on it instead.
        """
        who = handle.display
        try:
            account = self._lookup(handle.name)
        except (HttpStatusError, InvalidResponseError) as exc:
            moved = self._delegated_lookup(handle, exc)
            if moved is None:
                if isinstance(exc, HttpStatusError):
                    raise _translate(exc.status, exc.data, who, self._server, lookup=True) from None
                raise
            account = moved
        if account.get("suspended"):
            raise NotFoundError(f"{who} is suspended")
        if account.get("hide_collections"):
            raise HiddenFollowersError(f"{who} hides its follower list")
        name = str(account.get("username") or handle.name)
        return Subject(
            platform="mastodon",
            id=required_id(account, "id", f"{self._server} answered the lookup"),
            handle=f"{name}@{self._domain}",
            display_name=str(account.get("display_name") or ""),
            followers_count=optional_count(
                account.get("followers_count"), f"{self._server} answered the lookup with"
            ),
            profile_url=str(account.get("url") or f"https://{self._server}/@{name}"),
            # Pages run backwards from the newest follow (max_id), but the docs
            # state no order for this endpoint.
            order_known=False,
            website=website_from_mastodon_account(account),
        )

    def _delegated_lookup(self, handle: Handle, failure: Exception) -> dict[str, Any] | None:
        """Return the account as its home server (found by WebFinger) describes it, or None.

        None when WebFinger is not worth asking (an explicit base URL, a failure
        other than "not here") or names no other server.
        """
        not_here = isinstance(failure, InvalidResponseError) or (
            isinstance(failure, HttpStatusError) and failure.status == 404
        )
        if self._fixed_base or not not_here:
            return None
        home = self._home_server(handle)
        if home is None or home[0] == self._base:
            return None
        self._base, acct = home
        self._server = urlsplit(self._base).netloc
        who = handle.display
        try:
            return self._lookup(acct)
        except HttpStatusError as exc:
            raise _translate(exc.status, exc.data, who, self._server, lookup=True) from None

    def follower_pages(self, subject: Subject, limit: int | None = None) -> Pages:
        """Return followers as Account objects: GET /api/v1/accounts/:id/followers, by Link."""
        who = self.written(subject.handle)
        # Later pages keep the first page's size: the Link URL carries it.
        size = PAGE_SIZE if limit is None else max(1, min(PAGE_SIZE, limit))

        def fetch(url: str | None, received: int) -> tuple[list[dict[str, Any]], str | None]:
            first = url is None
            data, next_url = self._page(
                url or f"{self._base}/api/v1/accounts/{subject.id}/followers",
                {"limit": size} if first else None,
                who,
                "followers",
            )
            if first and not data and (subject.followers_count or 0) > 0:
                raise HiddenFollowersError(f"{who} hides its follower list")
            return data, next_url

        return paginate(
            fetch,
            what=f"followers of {who}",
            source=urlsplit(self._base).netloc,
            total=subject.followers_count,
            # An Account without its id is still one account: its ActivityPub uri says which.
            key=field_key("id", "uri", "url", "acct"),
            stop_on_empty=True,
        )

    def _page(
        self, url: str, params: Mapping[str, str | int] | None, who: str, what: str
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Return one page of a list endpoint and the URL of the next (its ``Link`` header)."""
        data, headers = self._get(url, params, who)
        if not isinstance(data, list):
            raise InvalidResponseError(f"{self._server} answered {what} without a list")
        next_url = parse_link_header(headers.get("link")).get("next")
        # The Link URL already carries limit and max_id.
        return data, self._same_origin(next_url, url) if next_url else None

    def follower_id(self, raw: Mapping[str, Any]) -> str:
        """Return an Account's id on this server."""
        return required_id(raw, "id", f"{self._server} sent a follower")

    def fetch_profiles(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return [] : Mastodon follower pages are complete Account objects."""
        return []

    def add_account(self, builder: TableBuilder, raw: dict[str, Any], line: int) -> None:
        """Append the canonical row of a Mastodon Account object."""
        mastodon_format.add_account(builder, raw, line)

    def recent_posts(self, account_id: str, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` Status objects, newest first: GET /api/v1/accounts/:id/statuses."""
        if limit < 1:
            return []
        who = f"account {account_id} on {self._server}"

        def fetch(url: str | None, received: int) -> tuple[list[dict[str, Any]], str | None]:
            first = url is None
            return self._page(
                url or f"{self._base}/api/v1/accounts/{account_id}/statuses",
                {"limit": min(STATUS_PAGE_SIZE, limit)} if first else None,
                who,
                "statuses",
            )

        pages = paginate(
            fetch,
            what=f"posts of {who}",
            limit=limit,
            stop_on_empty=True,
            source=urlsplit(self._base).netloc,
        )
        return pages.collect(limit)


def _is_activity_json(media: str) -> bool:
    """Return whether a WebFinger link type names an ActivityPub actor document."""
    media = media.lower()
    return media.startswith(ACTIVITY_JSON) or (
        media.startswith("application/ld+json") and "activitystreams" in media
    )


def _translate(
    status: int, data: Any, who: str, server: str, *, lookup: bool = False
) -> FollowauditError:
    """Return the user-facing exception for a Mastodon error status.

    ``lookup``: the account lookup, where a page that is not the API's JSON
    means the address's domain runs no Mastodon API and WebFinger did not
    name one: the account is not found. Elsewhere it means a wrong API URL.
    """
    if status == 404 and data is None and not lookup:
        return wrong_url(f"Mastodon server {server}'s")
    if status == 404:
        return NotFoundError(f"{who} was not found")
    if status == 410:
        return NotFoundError(f"{who} is suspended")
    if status in (401, 403):
        return AuthError(
            f"{server} only answers signed-in requests ({status}): "
            "it runs in limited-federation or authorized-fetch mode"
        )
    detail = error_text(data)
    return NetworkError(f"{server} answered {status}" + (f": {detail}" if detail else ""))
