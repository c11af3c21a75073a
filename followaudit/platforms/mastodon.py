"""Mastodon adapter: ask the account's home server, which holds its full follower list.

Other servers only know the followers they federate with, so the base URL is
the home server (or an explicit override). Pages are followed through the
``Link`` header, as the API guidelines require: the follow ids behind
``max_id`` are not exposed anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from followaudit.errors import (
    AuthError,
    FollowauditError,
    HiddenFollowersError,
    InvalidResponseError,
    NetworkError,
    NotFoundError,
)
from followaudit.formats import mastodon as mastodon_format
from followaudit.http import HttpStatusError
from followaudit.platforms.base import FollowerPage, Subject, at, error_text
from followaudit.posts import website_from_mastodon_account

if TYPE_CHECKING:
    from followaudit.accounts import TableBuilder
    from followaudit.handles import Handle
    from followaudit.http import Http

PAGE_SIZE = 80  # followers maximum
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


class MastodonPlatform:
    """Reads a Mastodon account's followers from its home server."""

    name = "mastodon"
    needs_profiles = False  # follower pages are full Account objects
    profile_batch_size = PAGE_SIZE

    def __init__(
        self,
        http: Http,
        server: str,
        *,
        base_url: str | None = None,
        token: str | None = None,
    ) -> None:
        self._http = http
        self._server = server
        self._base = (base_url or f"https://{server}").rstrip("/")
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

    def _same_origin(self, url: str) -> str:
        """Return ``url`` moved onto the configured base's origin (for --api-url overrides)."""
        link = urlsplit(url)
        base = urlsplit(self._base)
        if (link.scheme, link.netloc) == (base.scheme, base.netloc) or not link.netloc:
            return url if link.netloc else self._base + url
        return urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))

    def resolve(self, handle: Handle) -> Subject:
        """Return the account behind a handle: GET /api/v1/accounts/lookup?acct=."""
        who = at(handle)
        account, _ = self._get(f"{self._base}/api/v1/accounts/lookup", {"acct": handle.name}, who)
        if not isinstance(account, dict) or "id" not in account:
            raise InvalidResponseError(f"{self._server} answered the lookup without an account")
        if account.get("suspended"):
            raise NotFoundError(f"{who} is suspended")
        if account.get("hide_collections"):
            raise HiddenFollowersError(f"{who} hides its follower list")
        followers = account.get("followers_count")
        name = str(account.get("username") or handle.name)
        return Subject(
            platform="mastodon",
            id=str(account["id"]),
            handle=f"{name}@{self._server}",
            display_name=str(account.get("display_name") or ""),
            followers_count=int(followers) if followers is not None else None,
            profile_url=str(account.get("url") or f"https://{self._server}/@{name}"),
            # Pages run backwards from the newest follow (max_id), but the docs
            # state no order for this endpoint.
            order_known=False,
            website=website_from_mastodon_account(account),
        )

    def follower_pages(self, subject: Subject, limit: int | None = None) -> Iterator[FollowerPage]:
        """Yield followers as Account objects: GET /api/v1/accounts/:id/followers, by Link."""
        who = f"@{subject.handle}"
        url: str | None = f"{self._base}/api/v1/accounts/{subject.id}/followers"
        # Later pages keep the first page's size: the Link URL carries it.
        size = PAGE_SIZE if limit is None else max(1, min(PAGE_SIZE, limit))
        params: dict[str, str | int] | None = {"limit": size}
        first = True
        seen: set[str] = set()
        while url is not None:
            data, headers = self._get(url, params, who)
            if not isinstance(data, list):
                raise InvalidResponseError(f"{self._server} answered followers without a list")
            if first and not data and (subject.followers_count or 0) > 0:
                raise HiddenFollowersError(f"{who} hides its follower list")
            first = False
            next_url = parse_link_header(headers.get("link")).get("next")
            if next_url is not None:
                next_url = self._same_origin(next_url)
                if next_url in seen or not data:
                    next_url = None
                else:
                    seen.add(next_url)
            yield FollowerPage(items=data, next_cursor=next_url)
            url, params = next_url, None  # the Link URL already carries limit and max_id

    def follower_id(self, raw: Mapping[str, Any]) -> str:
        """Return an Account's id on this server."""
        return str(raw["id"])

    def fetch_profiles(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return [] : Mastodon follower pages are complete Account objects."""
        return []

    def add_account(self, builder: TableBuilder, raw: dict[str, Any], line: int) -> None:
        """Append the canonical row of a Mastodon Account object."""
        mastodon_format.add_account(builder, raw, line)

    def recent_posts(self, account_id: str, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` Status objects, newest first: GET /api/v1/accounts/:id/statuses."""
        posts: list[dict[str, Any]] = []
        url: str | None = f"{self._base}/api/v1/accounts/{account_id}/statuses"
        params: dict[str, str | int] | None = {"limit": min(STATUS_PAGE_SIZE, max(1, limit))}
        while url is not None and len(posts) < limit:
            data, headers = self._get(url, params, f"account {account_id} on {self._server}")
            if not isinstance(data, list):
                raise InvalidResponseError(f"{self._server} answered statuses without a list")
            posts.extend(data)
            next_url = parse_link_header(headers.get("link")).get("next")
            url = self._same_origin(next_url) if next_url and data else None
            params = None
        return posts[:limit]


def _translate(status: int, data: Any, who: str, server: str) -> FollowauditError:
    """Return the user-facing exception for a Mastodon error status."""
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
