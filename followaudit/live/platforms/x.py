"""X (API v2) adapter: resolve a username, page through its followers, read posts.

Every call needs a bearer token, and X bills each user object returned
(about $0.01 in 2026), so the adapter asks for 1,000 followers per request
and only the user fields the model reads.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from followaudit.errors import (
    AuthError,
    FollowauditError,
    HttpStatusError,
    InvalidResponseError,
    NetworkError,
    NotFoundError,
    QuotaError,
    UsageError,
    error_text,
)
from followaudit.formats import x_v2
from followaudit.formats.posts import Post, posts_from_x, website_from_x_user
from followaudit.live.budget import Charge
from followaudit.live.platforms.base import (
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

DEFAULT_BASE_URL = "https://api.x.com"
PAGE_SIZE = 1000  # the endpoint's maximum: fewer requests for the same (billed) users
# Exactly what followaudit.formats.x_v2 reads (id, name and username come by default).
# most_recent_post_id (when a follower last posted) is the User schema's name, but the
# spec's user.fields list omits it: it is asked for, and dropped (and remembered so) if X
# answers 400 that it does not know it, as it may.
LAST_POST_FIELD = "most_recent_post_id"
PLAIN_USER_FIELDS = "created_at,description,location,profile_image_url,public_metrics,url"
USER_FIELDS = (
    "created_at,description,location,most_recent_post_id,profile_image_url,public_metrics,url"
)
# The audited account also needs `entities`: its website sits there, expanded (url is t.co);
# and `protected`, so resolve() refuses a protected account before paying for its followers.
SUBJECT_EXTRA = ",entities,protected"
# Where X's refusal of the last-post field is remembered (per API base URL) between runs.
LAST_POST_SETTING = "x.last_post_field"


@dataclass(frozen=True)
class PostNames:
    """One generation of the names X's post parameters go by."""

    generation: str  # "post" (the 2026 spec) or "tweet" (what every recorded answer used)
    fields_param: str  # the query parameter naming the post fields
    fields: str
    expansions: str | None


# The 2026 spec of GET /2/users/:id/tweets: `post.fields`, and the reply and repost
# markers (in_reply_to_user_id, referenced_posts) are expansions. The older names,
# which every recorded answer used: `tweet.fields`, where those markers are fields
# (no expansion, so no included post or user is billed). The adapter asks in the
# spec's names first and falls back once to the others on the 400 that refuses them.
POST_NAMES: dict[str, PostNames] = {
    "post": PostNames(
        "post",
        "post.fields",
        "created_at,entities,note_post,public_metrics",
        "in_reply_to_user_id,referenced_posts",
    ),
    "tweet": PostNames(
        "tweet",
        "tweet.fields",
        "created_at,entities,note_tweet,public_metrics,in_reply_to_user_id,referenced_tweets",
        None,
    ),
}
# Where a working generation is remembered (per API base URL) between runs.
POST_NAMES_SETTING = "x.post_names"

_NOT_AUTHORIZED = "not-authorized-for-resource"


class XPlatform(PlatformKind):
    """Reads X through API v2 with an app-only bearer token."""

    name = "x"
    display_name = "X"
    needs_token = True
    # 2026 pay-per-use prices ("Following/Followers: Read", "Posts: Read").
    user_read_price = 0.010
    post_read_price = 0.005
    # A post, the account it replies to and two posts it references (expansions).
    post_read_most = 3 * post_read_price + user_read_price
    follower_page_size = PAGE_SIZE
    post_page_size = 100
    needs_profiles = False  # follower pages already carry public_metrics
    profile_batch_size = 100
    # Per app (bearer token), per 15 minutes, per endpoint: docs.x.com rate limits (2026).
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {
        "lookup": RateLimit(300, 900, "users/by/username"),
        "followers": RateLimit(300, 900, "users/:id/followers"),
        "posts": RateLimit(10_000, 900, "users/:id/tweets"),
    }
    rate_limits_source = "X: 300 follower pages per 15 min per app"

    @classmethod
    def connect(
        cls, handle: Handle, *, http: Http, token: str | None, api_url: str | None
    ) -> Platform:
        """Return the adapter; AuthError when there is no token."""
        return cls(http, token, base_url=api_url)

    @classmethod
    def canonical_posts(cls, raw: list[dict[str, Any]], author_id: str) -> list[Post]:
        """Return Post objects of GET /2/users/:id/tweets as Post records."""
        return posts_from_x(raw, author_id)

    def __init__(self, http: Http, token: str | None, *, base_url: str | None = None) -> None:
        if not token:
            raise AuthError(
                "X_BEARER_TOKEN is not set: create an app at https://console.x.com "
                "and export its bearer token as X_BEARER_TOKEN"
            )
        self._http = http
        self._base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        _refuse_plain_http(self._base)
        # Which names X takes for post parameters: remembered from an earlier run, else the
        # spec's; the lookup asks with them (a free check) before any follower is billed.
        remembered = self._setting(POST_NAMES_SETTING)
        self._names = POST_NAMES.get(remembered or "", POST_NAMES["post"])
        self._last_post = self._setting(LAST_POST_SETTING) != "refused"
        # The token lives only in this header mapping, which Http never caches or logs.
        self._headers = {"Authorization": f"Bearer {token}"}

    def __repr__(self) -> str:
        return f"XPlatform(base_url={self._base!r})"  # never show the token

    def _setting(self, name: str) -> str | None:
        cache = self._http.cache
        return cache.setting(f"{name} {self._base}") if cache is not None else None

    def _remember(self, name: str, value: str) -> None:
        if self._http.cache is not None:
            self._http.cache.put_setting(f"{name} {self._base}", value)

    def _user_fields(self) -> str:
        """Return the user fields to ask for: the last-post field unless X refused it."""
        return USER_FIELDS if self._last_post else PLAIN_USER_FIELDS

    def _learn_names(self, names: PostNames) -> None:
        """Use ``names`` from now on, and remember them for later runs (in the cache)."""
        self._names = names
        self._remember(POST_NAMES_SETTING, names.generation)

    def _with_names(
        self, request: Callable[[PostNames], dict[str, Any]], who: str
    ) -> dict[str, Any]:
        """Return ``request(names)``; on a 400 that refuses the post names, learn the other
        generation and ask once more; on one that refuses the last-post user field, drop
        it (a 400 is not billed). What was learnt is remembered in the cache."""
        switched = False
        while True:
            try:
                body = request(self._names)
            except _FieldRefused as exc:
                if not self._last_post:
                    raise NetworkError(
                        f"X rejected the request for {who} (400): {exc.detail}"
                    ) from None
                self._last_post = False
                self._remember(LAST_POST_SETTING, "refused")
                continue
            except _NamesRefused as exc:
                if switched:
                    raise NetworkError(
                        f"X refused both generations of post parameter names for {who} "
                        f"(post.fields and tweet.fields): {exc.detail}"
                    ) from None
                switched = True
                self._names = POST_NAMES["tweet" if self._names.generation == "post" else "post"]
                continue
            if switched:
                self._learn_names(self._names)
            return body

    def _get_with_names(
        self, path: str, params: Mapping[str, str | int], who: str, charge: Charge
    ) -> dict[str, Any]:
        """Return the JSON object X answers ``path`` with; a 400 that refuses the last-post
        field or the post parameter names raises _FieldRefused or _NamesRefused (``_with_names``
        answers both), any other error is translated."""
        try:
            response = self._http.get(
                self._base + path, params=params, headers=self._headers, charge=charge
            )
        except HttpStatusError as exc:
            if exc.status == 400 and LAST_POST_FIELD in json.dumps(exc.data):
                raise _FieldRefused(error_text(exc.data)) from None
            if exc.status == 400 and _refuses_names(exc.data):
                raise _NamesRefused(error_text(exc.data)) from None
            raise _translate(exc.status, exc.data, who) from None
        if not isinstance(response.data, dict):
            raise InvalidResponseError(f"X answered {path} with something other than a JSON object")
        return response.data

    def resolve(self, handle: Handle) -> Subject:
        """Return the account behind a username: GET /2/users/by/username/:username.

        It also asks for a post field, in the names this adapter will use for
        the timeline: no post is expanded, so nothing more is billed, and a
        400 that refuses the names makes it fall back to the other generation
        here, before any follower is listed and paid for.
        """
        who = handle.display

        def lookup(names: PostNames) -> dict[str, Any]:
            return self._get_with_names(
                f"/2/users/by/username/{handle.name}",
                {
                    "user.fields": self._user_fields() + SUBJECT_EXTRA,
                    names.fields_param: "created_at",
                },
                who,
                users_charge(1),
            )

        body = self._with_names(lookup, who)
        user = body.get("data")
        if not isinstance(user, dict):
            raise _from_errors(body.get("errors"), who)
        if user.get("protected"):
            raise NotFoundError(
                f"{who} is protected: X shows its followers only to accounts it approved"
            )
        user_id = required_id(user, "id", "X answered the user lookup")
        metrics = user.get("public_metrics")
        metrics = metrics if isinstance(metrics, Mapping) else {}
        username = str(user.get("username") or handle.name)
        return Subject(
            platform="x",
            id=user_id,
            handle=username,
            display_name=str(user.get("name") or ""),
            followers_count=optional_count(
                metrics.get("followers_count"), "X answered the user lookup with"
            ),
            profile_url=f"https://x.com/{username}",
            order_known=True,  # documented: reverse chronological, within and across pages
            website=website_from_x_user(user),
        )

    def follower_pages(self, subject: Subject, limit: int | None = None) -> Pages:
        """Return followers, newest first: GET /2/users/:id/followers (1,000 per request)."""
        who = self.written(subject.handle)

        def fetch(token: str | None, received: int) -> tuple[list[dict[str, Any]], str | None]:
            # Sized to end at the caller's bound, which a rescan may raise between pages.
            bound = pages.bound
            size = PAGE_SIZE if bound is None else max(1, min(PAGE_SIZE, bound - received))
            # Under --max-cost, ask for no more users than can still be paid for.
            size = _fit(size, self._http.budget.affordable(self.user_read_price), 1)
            path = f"/2/users/{subject.id}/followers"

            def page(names: PostNames) -> dict[str, Any]:
                # Built for each try: a refused last-post field is left out of the next.
                params: dict[str, str | int] = {
                    "max_results": size,
                    "user.fields": self._user_fields(),
                }
                if token:
                    params["pagination_token"] = token
                return self._get_with_names(path, params, who, users_charge(size))

            body = self._with_names(page, who)
            data = body.get("data")
            if data is None and body.get("errors"):
                raise _from_errors(body["errors"], who)
            if data is not None and not isinstance(data, list):
                raise InvalidResponseError("X answered the followers request without a user list")
            return list(data or []), _next_token(body)

        pages = paginate(
            fetch,
            what=f"followers of {who} on X",
            source=urlsplit(self._base).netloc,
            total=subject.followers_count,
            key=field_key("id"),
            bound=limit,
        )
        return pages

    def follower_id(self, raw: Mapping[str, Any]) -> str:
        """Return a User object's id."""
        return required_id(raw, "id", "X sent a follower")

    def fetch_profiles(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return [] : X follower pages are complete User objects, nothing to fetch."""
        return []

    def add_account(self, builder: TableBuilder, raw: dict[str, Any], line: int) -> None:
        """Append the canonical row of an X User object."""
        x_v2.add_user(builder, raw, line)

    def recent_posts(self, account_id: str, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` recent posts, newest first: GET /2/users/:id/tweets."""
        if limit < 1:
            return []
        who = f"X account {account_id}"

        def fetch(token: str | None, received: int) -> tuple[list[dict[str, Any]], str | None]:
            size = min(100, max(5, limit - received))
            size = _fit(size, self._http.budget.affordable(self.post_read_most), 5)

            def page(names: PostNames) -> dict[str, Any]:
                params: dict[str, str | int] = {
                    "max_results": size,
                    names.fields_param: names.fields,
                }
                if names.expansions:
                    params["expansions"] = names.expansions
                if token:
                    params["pagination_token"] = token
                path = f"/2/users/{account_id}/tweets"
                return self._get_with_names(path, params, who, posts_charge(size))

            body = self._with_names(page, who)
            data = body.get("data")
            if data is None and body.get("errors"):
                # Not the followers' wording: the account was found, its posts were not sent.
                first = body["errors"][0] if isinstance(body["errors"], list) else body["errors"]
                detail = " ".join(filter(None, _problem(first)[1:])) or "no detail"
                raise InvalidResponseError(f"X sent no posts of {who}, only an error ({detail})")
            if data is not None and not isinstance(data, list):
                raise InvalidResponseError(f"X answered the posts of {who} without a post list")
            return list(data or []), _next_token(body)

        pages = paginate(
            fetch,
            what=f"posts of {who}",
            limit=limit,
            stop_on_empty=True,
            source=urlsplit(self._base).netloc,
        )
        return pages.collect(limit)


class _FieldRefused(Exception):
    """Internal: X answered 400 to the last-post user field (``detail`` says how)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _NamesRefused(Exception):
    """Internal: X answered 400 to the post parameter names asked in (``detail`` says how)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# Words of a 400 body that name a post parameter of either generation.
_NAME_WORDS = (
    "post.fields",
    "tweet.fields",
    "referenced_posts",
    "referenced_tweets",
    "note_post",
    "note_tweet",
)


def _refuses_names(data: Any) -> bool:
    """Return whether a 400 body refuses a post parameter name (not some other mistake).

    X answers a query parameter it does not define with "The query parameter
    [tweet.fields] is not one of [...]", and an unknown value with "The
    `expansions` query parameter value [referenced_posts] is not one of [...]",
    each naming the parameter in ``errors[].parameters``.
    """
    text = json.dumps(data).lower() if data is not None else ""
    return any(word in text for word in _NAME_WORDS)


def _fit(size: int, affordable: int | None, least: int) -> int:
    """Return a page size cut to what can still be paid for, never below the API's ``least``.

    A page that cannot be paid for even at ``least`` keeps that size: the
    budget then refuses it before it is sent (LimitReached).
    """
    if affordable is None:
        return size
    return max(least, min(size, affordable))


def _count(value: Any) -> int:
    """Return how many objects ``value`` holds: a list's length, 1 for an object, else 0."""
    if isinstance(value, list):
        return len(value)
    return 1 if isinstance(value, Mapping) else 0


def _includes(body: Any, key: str) -> int:
    """Return how many objects an answer's ``includes.<key>`` holds."""
    includes = body.get("includes") if isinstance(body, Mapping) else None
    return _count(includes.get(key)) if isinstance(includes, Mapping) else 0


def users_charge(at_most: int) -> Charge:
    """Return the charge of a request returning up to ``at_most`` users (lookups, followers)."""
    price = XPlatform.user_read_price
    return Charge(
        at_most * price,
        lambda body: _count(body.get("data") if isinstance(body, Mapping) else None) * price,
    )


def posts_charge(at_most: int) -> Charge:
    """Return the charge of a timeline request returning up to ``at_most`` posts.

    Reckoned at its most: every post in ``data``, and every user and post the
    expansions add in ``includes``: per post at most the account it replies
    to and two posts it references (the one replied to and one quoted).
    """
    post, user = XPlatform.post_read_price, XPlatform.user_read_price

    def billed(body: Any) -> float:
        posts = _count(body.get("data") if isinstance(body, Mapping) else None)
        included_posts = _includes(body, "posts") + _includes(body, "tweets")
        return (posts + included_posts) * post + _includes(body, "users") * user

    return Charge(at_most * XPlatform.post_read_most, billed)


def _next_token(body: Mapping[str, Any]) -> str | None:
    """Return the ``meta.next_token`` of an X page (None on the last page)."""
    meta = body.get("meta")
    token = meta.get("next_token") if isinstance(meta, Mapping) else None
    return str(token) if token else None


def _is_loopback(host: str) -> bool:
    """Return whether ``host`` names this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse_plain_http(base_url: str) -> None:
    """Raise UsageError when the bearer token would cross a network unencrypted.

    A paid token sent over plain http can be read by anyone on the path; only
    a server on this machine (a local proxy, a test double) may get it so.
    """
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme.lower() == "http" and not _is_loopback(host):
        raise UsageError(
            f"Refusing to send the X bearer token to {host or base_url} over plain http: "
            "use an https:// API URL (plain http is allowed only to this machine)"
        )


def _problem(item: Any) -> tuple[str, str, str]:
    """Return (type, title, detail) of one X error or Problem object."""
    if not isinstance(item, Mapping):
        return "", "", ""
    return (
        str(item.get("type") or ""),
        str(item.get("title") or ""),
        str(item.get("detail") or item.get("message") or ""),
    )


def _from_errors(errors: Any, who: str) -> FollowauditError:
    """Return the exception for a 200 answer that holds errors instead of data."""
    first = errors[0] if isinstance(errors, list) and errors else errors
    kind, title, detail = _problem(first)
    if "suspended" in detail.lower():
        return NotFoundError(f"{who} is suspended on X")
    if _NOT_AUTHORIZED in kind or title == "Authorization Error":
        return NotFoundError(
            f"{who} is protected: X shows its followers only to accounts it approved"
        )
    if kind.endswith("resource-not-found") or title == "Not Found Error":
        return NotFoundError(f"{who} was not found on X")
    if not detail and not title:
        return InvalidResponseError("X answered with neither data nor an error")
    return InvalidResponseError(f"X answered with an error: {detail or title}")


def _translate(status: int, data: Any, who: str) -> FollowauditError:
    """Return the user-facing exception for an X error status."""
    body = data if isinstance(data, Mapping) else {}
    if status == 401:
        return AuthError("X rejected the bearer token (401): check X_BEARER_TOKEN")
    if status == 402:
        return QuotaError(
            "X refused the request (402 Payment Required): the developer account has no API "
            "credits left; add credits at https://console.x.com (waiting will not help)"
        )
    if status == 429:  # Http lets a 429 through only when its body says a quota is spent
        period = str(body.get("period") or "").lower()
        product = str(body.get("product_name") or "")
        cap = " ".join(filter(None, [period, "usage cap"])) + (
            f" of the {product} product" if product else ""
        )
        return QuotaError(
            f"X's {cap} is spent ({error_text(body) or 'UsageCapExceeded'}): raise the cap or "
            "buy credits at https://console.x.com; waiting for a rate-limit reset will not help"
        )
    if status == 403:
        if body.get("reason") == "client-not-enrolled":
            enrollment = body.get("required_enrollment")
            needs = f" (it needs: {enrollment})" if isinstance(enrollment, str) else ""
            return AuthError(
                "X refused the request (403): the bearer token's app is not attached to a "
                f"project with API access{needs}; attach it to a project at "
                "https://console.x.com"
            )
        detail = error_text(body)
        return AuthError(
            "X refused the request (403): this API plan or app does not include the "
            "followers endpoint" + (f" ({detail})" if detail else "")
        )
    if status == 404 and data is None:
        return wrong_url("X")
    if status == 404:
        if isinstance(data, Mapping) and data.get("errors"):
            return _from_errors(data["errors"], who)
        return NotFoundError(f"{who} was not found on X")
    if status == 400:
        # The options were checked before any request: a 400 is X disagreeing with
        # what followaudit sent, not the user's mistake.
        detail = error_text(data)
        return NetworkError(
            f"X rejected the request for {who} (400)" + (f": {detail}" if detail else "")
        )
    detail = error_text(data)
    return NetworkError(f"X answered {status}" + (f": {detail}" if detail else ""))
