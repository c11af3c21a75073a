"""The one HTTP choke point: every request followaudit makes goes through ``Http.get``.

``Http`` answers from the SQLite cache when it can, and otherwise sends the
request with retries (exponential backoff with full jitter on transport
errors, timeouts, 5xx answers and truncated JSON bodies; a complete body that
is not JSON, such as an HTML page, fails at once) and rate-limit
waits taken from the platforms' own headers:

=========== ============================ ==========================================
platform    remaining                    reset
=========== ============================ ==========================================
X           ``x-rate-limit-remaining``   ``x-rate-limit-reset`` (epoch seconds)
Bluesky     ``ratelimit-remaining``      ``ratelimit-reset`` (epoch seconds)
Mastodon    ``x-ratelimit-remaining``    ``x-ratelimit-reset`` (ISO 8601 timestamp)
any         (on 429)                     ``retry-after`` (seconds or HTTP date)
=========== ============================ ==========================================

A response saying ``remaining == 0`` blocks its host until the reset (on X,
which counts per endpoint, only that endpoint: ``/2/users/:id/followers``),
so the next request there waits instead of running into a 429; a 429 blocks
the same way until its reset, Retry-After, or a backoff. Every wait is
reported through ``on_wait(seconds, reason)``; one longer than ``max_wait``
raises RateLimitError instead. The clock,
the sleep, the random source and the ``httpx`` transport are injected so tests
run instantly and never touch the network.

Secrets: request headers (``Authorization``) never reach cache keys, stored
headers, exception messages, logs or ``Response.url``; credentials in a URL
(user info, ``access_token=``-like query parameters) are redacted likewise.
A server may echo them back (an error body quoting the request's
Authorization header): every credential a request carries is registered with
``followaudit.errors.add_secret`` before it is sent, and every parsed body --
2xx data, an error's ``data``, a cache hit -- passes through
``followaudit.errors.redact_data`` before anything else sees it, so no
adapter, export, stored scan or message can repeat it. Any ``Bearer ...``
credential, ours or not, is redacted the same way.
"""

from __future__ import annotations

import json
import logging
import math
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpcore
import httpx

from followaudit import __version__
from followaudit.errors import (
    REDACTED,
    FollowauditError,
    HttpStatusError,
    InvalidResponseError,
    LimitReached,
    NetworkError,
    RateLimitError,
    UsageError,
    add_secret,
    error_text,
    known_secrets,
    nested_deeper_than,
    redact,
    redact_data,
    whole_text,
)
from followaudit.live.budget import Budget, Charge
from followaudit.live.cache import KEPT_HEADERS

if TYPE_CHECKING:
    from followaudit.live.cache import Cache

__all__ = [
    "DEFAULT_USER_AGENT",
    "Http",
    "HttpStatusError",
    "RequestStats",
    "Response",
    "cache_key",
    "endpoint_of",
    "error_text",
    "parse_reset",
    "redact_url",
]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = f"followaudit/{__version__} (+https://github.com/followaudit/followaudit)"

# (remaining, reset) header pairs, one per platform family; names are case-insensitive.
RATE_LIMIT_PAIRS: tuple[tuple[str, str], ...] = (
    ("x-rate-limit-remaining", "x-rate-limit-reset"),  # X
    ("ratelimit-remaining", "ratelimit-reset"),  # Bluesky (and the IETF draft)
    ("x-ratelimit-remaining", "x-ratelimit-reset"),  # Mastodon
)

# The headers that announce a bucket's request limit (X; Bluesky and the IETF draft; Mastodon).
LIMIT_HEADERS: tuple[str, ...] = ("x-rate-limit-limit", "ratelimit-limit", "x-ratelimit-limit")

# Query parameters whose values are credentials: redacted in keys, URLs and messages.
SECRET_PARAMS: frozenset[str] = frozenset(
    {
        "access_token",
        "token",
        "bearer_token",
        "api_key",
        "apikey",
        "key",
        "client_secret",
        "secret",
        "password",
        "auth",
        "signature",
        "sig",
    }
)
# Reset timestamps are whole seconds and clocks drift a little: waiting one
# second past the announced reset avoids a 429 on the very first retry.
RESET_MARGIN = 1.0

# The most one request may take, first byte sent to last byte read, whatever
# the per-read timeout: a server that drips one byte every few seconds never
# trips a read timeout, so only a total deadline ends it. A 1,000-follower
# page (about 0.5 MB) takes a second or two even on a slow line.
REQUEST_DEADLINE = 60.0
# The most of one answer that is read, decompressed: the largest page any
# platform sends is about 1 MB (X, 1,000 followers with every field), so a
# bigger body is a wrong URL or a hostile server, and reading stops there
# instead of filling memory.
MAX_BODY_BYTES = 16 * 1024 * 1024
# A name that does not resolve will not resolve a second later: no retry. A
# refused or unreachable connection gets one more try (a server restarting),
# then the run stops, well within seconds, instead of backing off five times.
CONNECT_RETRIES = 1
# Connecting is quick or hopeless: a 30 s read timeout is too long to wait for it.
CONNECT_TIMEOUT = 10.0
# How often a run waiting for another run's answer to the same request looks for it.
CLAIM_POLL = 0.05
MAX_REDIRECTS = 10
# 5xx answers that say the server will never do this (not a passing overload): no retry.
FINAL_SERVER_ERRORS = frozenset({501, 505, 506, 508, 510, 511})
# Words of a 429 body that mean a spent quota, not a rate: waiting for a reset will not help.
QUOTA_WORDS = ("usagecapexceeded", "usage-capped", "usage cap", "credits-depleted")


@dataclass(frozen=True)
class Response:
    """A parsed JSON answer, from the network or the cache."""

    status: int
    headers: Mapping[str, str]  # case-insensitive (httpx.Headers), only KEPT_HEADERS
    data: Any  # parsed JSON body (dict or list); None for 204
    url: str  # final URL, without any secret
    from_cache: bool


@dataclass
class RequestStats:
    """Counters of what an ``Http`` did; read them after a run for the summary."""

    made: int = 0  # requests actually sent over the network (each retry counts)
    cached: int = 0  # requests answered by the cache (saved)
    retries: int = 0
    waited_seconds: float = 0.0  # total time spent waiting for rate-limit resets / backoff
    shared: int = 0  # of ``cached``: answers another run fetched while this one waited for it


def redact_url(url: str | httpx.URL) -> str:
    """Return ``url`` with user info and credential-like query values replaced by REDACTED."""
    parts = urlsplit(str(url))
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(name.lower() in SECRET_PARAMS for name, _ in pairs):
            query = urlencode(
                [(n, REDACTED if n.lower() in SECRET_PARAMS else v) for n, v in pairs]
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def build_url(url: str, params: Mapping[str, str | int] | None) -> httpx.URL:
    """Return ``url`` with ``params`` merged into its query string.

    The base URLs a user gives are checked before any request
    (``config.api_base_url``), so a URL that cannot be requested here was
    made from what a server sent (a cursor, a next-page link): the server's
    fault, InvalidResponseError, with the URL cut short.
    """
    try:
        merged = httpx.URL(url)
        if params:
            merged = merged.copy_merge_params({k: str(v) for k, v in params.items()})
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise _bad_link(url, str(exc)) from None
    if merged.scheme not in ("http", "https") or not merged.host:
        raise _bad_link(url, "not an http(s) URL")
    return merged


def short_url(url: str | httpx.URL, most: int = 120) -> str:
    """Return a URL for a sentence: redacted, and cut to ``most`` characters."""
    text = redact_url(str(url))
    return text if len(text) <= most else text[: most - 3] + "..."


def _bad_link(url: str | httpx.URL, reason: str) -> InvalidResponseError:
    host = urlsplit(str(url)).netloc.rpartition("@")[2][:80] or "the server"
    reason = reason if len(reason) <= 120 else reason[:117] + "..."
    return InvalidResponseError(
        f"{host} sent a link followaudit cannot follow ({reason}): {short_url(url)}; "
        "the server is broken or hostile"
    )


def cache_key(url: str, params: Mapping[str, str | int] | None = None) -> str:
    """Return the cache key of a GET: method, redacted URL and sorted query; never headers."""
    merged = build_url(url, params)
    items = sorted(merged.params.multi_items())
    bare = merged.copy_with(query=None, fragment=None)
    query = urlencode(items)
    return "GET " + redact_url(f"{bare}?{query}" if query else str(bare))


# The latest reset believed: a server naming a later one (infinity, the year 9999) means
# "much longer than followaudit waits", which is what a year says too.
MAX_RESET = 366 * 86400.0


def parse_reset(value: str | None, now: float) -> float | None:
    """Return the epoch time a rate-limit reset header names, or None if unreadable.

    Accepts epoch seconds (X, Bluesky), epoch milliseconds, delta seconds
    (Retry-After and the IETF RateLimit draft: any number below 10^9), ISO
    8601 timestamps (Mastodon) and HTTP dates (Retry-After). A reset more
    than a year away (or infinite) is read as a year away: either way longer
    than any --max-wait, and a time every clock can still write.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if math.isnan(number) or number < 0:
            return None
        if number > 1e12:
            return min(number / 1000.0, now + MAX_RESET)
        if number > 1e9:
            return min(number, now + MAX_RESET)
        return now + min(number, MAX_RESET)
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return min(moment.timestamp(), now + MAX_RESET)
    except (OverflowError, ValueError, OSError):
        return now + MAX_RESET


def _kept_headers(headers: Mapping[str, str]) -> httpx.Headers:
    # Values too: a Link header could carry an echoed token into the next URL and the cache.
    return httpx.Headers({k: redact(v) for k, v in headers.items() if k.lower() in KEPT_HEADERS})


def _clock_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration_text(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class _Cancelled(Exception):
    """Internal: a worker's wait was cut short because get_many is unwinding."""


class NotCached(Exception):
    """Raised by ``Http.get`` inside ``Http.cached_only()`` when the cache lacks the answer."""


def endpoint_of(path: str) -> str:
    """Return the endpoint template of an API path: numeric ids and usernames become placeholders.

    X counts its limits per endpoint (``/2/users/:id/followers``), so a spent
    followers quota must not hold back timeline requests.
    """
    segments = path.split("/")
    out: list[str] = []
    for i, segment in enumerate(segments):
        if segment.isdigit() and i >= 2:  # segment 1 is the API version, as in /2/users
            out.append(":id")
        elif i >= 2 and segments[i - 2] == "by" and segments[i - 1] == "username":
            out.append(":username")
        else:
            out.append(segment)
    return "/".join(out)


class Http:
    """Return parsed JSON for GET requests, cached, retried and rate-limited politely.

    Thread-safe: ``get_many`` runs ``get`` from a pool of ``concurrency``
    threads; rate-limit state and stats are shared under one lock, and a
    per-host gate makes one thread do a reset wait while the others queue
    behind it (so ``on_wait`` is called, and ``waited_seconds`` grows, once).
    """

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        cache: Cache | None = None,
        refresh: bool = False,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
        max_wait: float = 900.0,
        concurrency: int = 4,
        on_wait: Callable[[float, str], None] | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        deadline: float | None = None,
        max_body: int | None = None,
        budget: Budget | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.cache = cache
        self.refresh = refresh
        self.clock = clock
        self.sleep = sleep
        self.rng = rng if rng is not None else random.Random()
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.concurrency = concurrency
        self.on_wait = on_wait
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        # Read at construction, not as default values, so tests can lower the module's figures.
        self.deadline = REQUEST_DEADLINE if deadline is None else deadline
        self.max_body = MAX_BODY_BYTES if max_body is None else max_body
        self.stats = RequestStats()
        # Requests sent and dollars spent, against --max-requests and --max-cost.
        self.budget = budget if budget is not None else Budget()
        self._lock = threading.Lock()
        self._blocked_until: dict[str, float] = {}
        self._block_reason: dict[str, str] = {}
        self._gates: dict[str, threading.Lock] = {}
        # The request limit each endpoint's answers announced, newest last (limit_seen).
        self._limits_seen: dict[str, int] = {}
        # Set while get_many unwinds (an error or Ctrl-C): workers stop waiting at once.
        self._interrupted = threading.Event()
        # Set inside cached_only(): answers come from the cache alone, uncounted.
        self._peeking = threading.local()
        # Set inside fresh_after(): cached answers fetched at or before this time are absent.
        self._not_before = threading.local()
        self._real_sleep = sleep is time.sleep
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
            follow_redirects=True,  # httpx drops Authorization on a cross-origin redirect
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=max(concurrency * 2, 10)),
        )
        _install_deadlines(self._client)

    # -- public -------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        cache: bool = True,
        charge: Charge | None = None,
    ) -> Response:
        """Return the parsed JSON answer to GET ``url`` with ``params``.

        ``headers`` (e.g. Authorization) are sent but never cached, logged or
        shown. ``cache=False`` neither reads nor writes the cache for this call.
        ``charge``: what the platform bills for this request; held against
        --max-cost before it is sent (LimitReached if it could cross it) and
        settled at what the answer returned. A cached answer costs nothing.
        """
        target = build_url(url, params)
        shown = redact_url(target)
        secrets = _secret_values(headers, target)
        key = cache_key(url, params)
        use_cache = cache and self.cache is not None
        if getattr(self._peeking, "on", False):
            return self._peek(key, shown, use_cache)
        claimed = False
        if use_cache and not self.refresh:
            assert self.cache is not None
            found = self._from_cache(key, shown)
            if found is not None:
                return found
            # Another run sharing this cache may be fetching the same answer: wait
            # for it rather than pay for it twice.
            while not self.cache.claim(key):
                if self._interrupted.wait(CLAIM_POLL):
                    raise _Cancelled
                found = self._from_cache(key, shown)
                if found is not None:
                    with self._lock:
                        self.stats.shared += 1
                    return found
            claimed = True
            # The answer may have been stored between the first look and the claim
            # (the other run finished and let go): look once more before paying.
            found = self._from_cache(key, shown)
            if found is not None:
                self.cache.release(key)
                return found
        try:
            response, body = self._paid_send(target, headers, secrets, charge)
            if use_cache and 200 <= response.status < 300:
                assert self.cache is not None
                self.cache.put(key, response.status, dict(response.headers), body, self.clock())
        finally:
            if claimed:
                assert self.cache is not None
                self.cache.release(key)
        return response

    @contextmanager
    def cached_only(self) -> Iterator[None]:
        """Within this block (this thread), ``get`` answers from the cache alone.

        A missing answer raises NotCached; nothing is sent, claimed, billed or
        counted in ``stats``. What a scan plan uses to see how much of a scan
        an earlier run already fetched.
        """
        self._peeking.on = True
        try:
            yield
        finally:
            self._peeking.on = False

    @contextmanager
    def fresh_after(self, moment: float | None) -> Iterator[None]:
        """Within this block (this thread), a cached answer fetched at or before ``moment`` is absent.

        A rescan asks for the follower list (and the account's count) again
        rather than read what the last scan fetched, which would hide what
        changed since; an answer cached after it (a rescan interrupted and run
        again) still counts. ``moment`` is epoch seconds on the ``clock``;
        None changes nothing (an account with no stored scan).
        """
        before = getattr(self._not_before, "moment", None)
        if moment is not None:
            self._not_before.moment = moment if before is None else max(before, moment)
        try:
            yield
        finally:
            self._not_before.moment = before

    def _peek(self, key: str, shown: str, use_cache: bool) -> Response:
        """Return the fresh cached answer for ``key``, uncounted; NotCached when there is none."""
        found = None
        if use_cache and not self.refresh:
            found = self._from_cache(key, shown, counted=False)
        if found is None:
            raise NotCached(shown)
        return found

    def _paid_send(
        self,
        target: httpx.URL,
        headers: Mapping[str, str] | None,
        secrets: list[str],
        charge: Charge | None,
    ) -> tuple[Response, bytes]:
        """Return ``_send``'s answer, its ``charge`` held before and settled after."""
        if charge is None:
            return self._send(target, headers, secrets)
        self.budget.hold(charge)
        try:
            response, body = self._send(target, headers, secrets)
        except (HttpStatusError, LimitReached, _Cancelled, RateLimitError):
            # An error answer, or none sent: no resources returned.
            self.budget.settle(charge, None)
            raise
        except BaseException:
            # Unknown whether the platform counted it: reckon the most it could cost.
            self.budget.settle_unknown(charge)
            raise
        self.budget.settle(charge, response.data)
        return response, body

    def _from_cache(self, key: str, shown: str, *, counted: bool = True) -> Response | None:
        """Return the stored answer for ``key`` (counted as cached unless told), or None."""
        assert self.cache is not None
        hit = self.cache.get(key)
        if hit is None:
            return None
        not_before = getattr(self._not_before, "moment", None)
        if not_before is not None and hit.fetched_at <= not_before:
            return None
        try:
            data = _parse_json(hit.body) if hit.body else None
        except (ValueError, _Unusable):
            return None  # a damaged entry counts as absent: fetch again
        data, _ = _clean(data, hit.body)
        if counted:
            with self._lock:
                self.stats.cached += 1
        log.debug("cache hit %s", shown)
        return Response(hit.status, _kept_headers(hit.headers), data, shown, True)

    def get_many(
        self,
        requests: Sequence[tuple[str, Mapping[str, str | int]]],
        *,
        headers: Mapping[str, str] | None = None,
        cache: bool = True,
    ) -> list[Response]:
        """Return the answers to ``requests`` (url, params), in order, fetched concurrently.

        On the first failure, requests not yet started are cancelled, waits in
        progress are cut short, and the earliest failed request's error (in
        request order) is raised once the requests in flight have finished.
        """
        if not requests:
            return []
        if self.concurrency == 1 or len(requests) == 1:
            return [self.get(u, params=p, headers=headers, cache=cache) for u, p in requests]
        pool = ThreadPoolExecutor(
            max_workers=min(self.concurrency, len(requests)), thread_name_prefix="followaudit-http"
        )
        futures: list[Future[Response]] = []
        try:
            for u, p in requests:
                futures.append(pool.submit(self.get, u, params=p, headers=headers, cache=cache))
            wait_for(futures, return_when=FIRST_EXCEPTION)
            if any(f.done() and f.exception() is not None for f in futures):
                # Let the requests in flight finish (their waits cut short), never start the
                # rest, then raise the earliest failure in request order, whichever came first.
                self._interrupted.set()
                for future in futures:
                    future.cancel()
                wait_for(futures)
                failures = [
                    f.exception()
                    for f in futures
                    if not f.cancelled() and f.exception() is not None
                ]
                # A wait cut short by the unwinding is not the cause; the real failure is.
                causes = [e for e in failures if not isinstance(e, _Cancelled)] or failures
                raise causes[0]  # type: ignore[misc]
            return [f.result() for f in futures]
        except BaseException:
            self._interrupted.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self._interrupted.clear()

    def close(self) -> None:
        """Close the connection pool (the cache is the caller's to close)."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals ----------------------------------------------------------

    def _send(
        self, target: httpx.URL, headers: Mapping[str, str] | None, secrets: list[str]
    ) -> tuple[Response, bytes]:
        """Return the response to ``target`` and its raw body, after retries and waits.

        Three layers, each a short method: ``_admit`` (the budget and the
        rate-limit waits before a request leaves), ``_fetch`` (one exchange,
        within the deadline and the size limit) with ``_transport_failure``
        (what a transport exception means), and ``_judge`` (what an answer's
        status and body mean). Whatever is worth another try comes back as a
        ``_Retry``, which ``_retry`` turns into a wait or the final error.
        """
        call = _Call(target, secrets)
        while True:
            self._admit(call)
            try:
                answer, body = self._fetch(target, headers)
            except Exception as exc:  # noqa: BLE001 - mapped by _transport_failure's table
                self._retry(call, self._transport_failure(exc, call))
                continue
            judged = self._judge(answer, body, call)
            if isinstance(judged, _Retry):
                self._retry(call, judged)
                continue
            return judged

    def _admit(self, call: _Call) -> None:
        """Let one request leave: within the budget, after any rate-limit wait, counted."""
        if self._interrupted.is_set():
            raise _Cancelled
        # Counted before any rate-limit wait: a run at its --max-requests stops at once.
        self.budget.take_request()
        self._await_host(call.host, call.endpoint)
        with self._lock:
            self.stats.made += 1

    def _transport_failure(self, exc: Exception, call: _Call) -> _Retry:
        """Return the retry a transport exception deserves, or raise the error it means."""
        where, host = call.where, call.host
        if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
            # The URL was checked before it left: a redirect sent it somewhere else.
            raise InvalidResponseError(
                f"{call.host} redirected to a place followaudit cannot follow "
                f"({_scrub(str(exc), call.secrets)[:120]}); the server is broken or hostile"
            ) from None
        if isinstance(exc, httpx.LocalProtocolError | UnicodeEncodeError):
            # Our own request cannot be sent (a header value no HTTP header can carry):
            # asking again sends the same; the exception quotes the value, so not it.
            raise UsageError(
                f"The request to {where} cannot be sent: one of its headers holds a line "
                "break or a character outside ASCII, which HTTP does not allow"
            ) from None
        if isinstance(exc, httpx.TooManyRedirects):
            raise NetworkError(
                f"{where} redirected more than {MAX_REDIRECTS} times (a redirect loop); "
                "check the API URL"
            ) from None
        if isinstance(exc, _TooSlow):
            raise NetworkError(
                f"{where} took longer than {self.deadline:g} s to answer, the "
                f"most followaudit waits for one request ({exc.received:,} bytes had "
                "arrived); the server is too slow or stalling: try again later"
            ) from None
        if isinstance(exc, _TooBig):
            raise InvalidResponseError(
                f"{where} {exc.how} more than {_size_text(self.max_body)}, the most "
                "followaudit reads of one answer (an API page is under 2 MB); check "
                "the API URL"
            ) from None
        if not isinstance(exc, httpx.TransportError | httpx.DecodingError):
            raise exc
        text = _scrub(str(exc), call.secrets) or type(exc).__name__
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        reason = f"the connection to {host} {kind} ({type(exc).__name__}: {text})"
        if not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return _Retry(reason)
        if call.target.scheme == "https" and _plain_text_handshake(exc):
            raise NetworkError(
                f"{host} does not speak HTTPS (it answered the TLS handshake in plain "
                f"text): for a server without TLS, such as a local one, pass --api-url "
                f"http://{host}"
            ) from None
        if _name_does_not_resolve(exc):
            raise NetworkError(
                f"{host} could not be found (its name does not resolve: {text}); "
                "check your internet connection and the API URL"
            ) from None
        return _Retry(reason, connect=True)

    def _judge(
        self, answer: httpx.Response, body: bytes, call: _Call
    ) -> tuple[Response, bytes] | _Retry:
        """Return what an answer means: the parsed response, a retry, or (raised) an error."""
        status = answer.status_code
        host = call.host
        kept = _kept_headers(answer.headers)
        final = redact_url(answer.url)
        log.debug("GET %s -> %s", final, status)
        if status == 429 and not _quota_spent(body):
            return _Retry(f"{host} answered 429 Too Many Requests", limited=True, headers=kept)
        if status != 429:
            self._note_limits(host, call.endpoint, kept)
        if status in FINAL_SERVER_ERRORS:
            raise NetworkError(
                f"{call.host} answered {status} {answer.reason_phrase} to {call.where}: that "
                "server does not offer this API, so followaudit does not ask again; check the "
                "API URL (--api-url)"
            )
        if status >= 500:
            hint = parse_reset(kept.get("retry-after"), self.clock())
            return _Retry(
                f"{host} answered {status} {answer.reason_phrase}".rstrip(),
                at_least=0.0 if hint is None else hint - self.clock(),
            )
        if status >= 400 or status < 200:
            data, _ = _clean(_json_or_none(body), body)
            detail = error_text(data)
            message = f"{host} answered {status} {answer.reason_phrase} for {call.target.path}"
            if detail:
                message += f": {detail}"
            raise HttpStatusError(
                _scrub(message, call.secrets), status=status, data=data, headers=kept, url=final
            )
        if status == 204:
            return Response(status, kept, None, final, False), body
        try:
            data = _parse_json(body)
        except _Unusable as exc:
            # Complete, and the same every time it is asked for: not retried.
            raise InvalidResponseError(
                f"{host} answered {call.target.path} with JSON {exc.reason}, which no API "
                "answer holds: followaudit does not read it"
            ) from None
        except ValueError:
            if not _looks_truncated(answer, body):
                # A whole page of something else (a wrong URL, a captive portal):
                # asking again gets the same page, so say so at once.
                raise InvalidResponseError(
                    f"{host} answered with {_media_type(kept) or 'no content type'}, "
                    f"not the API's JSON: check the URL ({short_url(final)})"
                ) from None
            return _Retry(
                f"{host} answered {status} with a body that is not complete JSON "
                f"({len(body)} bytes, {kept.get('content-type', 'no content type')})",
                make_error=_invalid_error,
            )
        data, body = _clean(data, body)
        return Response(status, kept, data, final, False), body

    def _retry(self, call: _Call, retry: _Retry) -> None:
        """Wait before the next try of ``call``, or raise when it has had its tries."""
        if retry.limited:
            call.limited += 1
            if call.limited > self.max_retries:
                raise RateLimitError(
                    f"{call.host} kept answering 429 Too Many Requests after {call.limited} "
                    "tries; what was fetched so far is kept in the cache, so running the "
                    "same command later resumes from there"
                )
            self._block_after_429(call.host, call.endpoint, retry.headers, call.limited)
            with self._lock:
                self.stats.retries += 1
            return
        if retry.connect:
            call.connect_failures += 1
            if call.connect_failures > CONNECT_RETRIES:
                raise retry.error(retry.reason, call.connect_failures, call.where)
        call.failures += 1
        if call.failures > self.max_retries:
            raise retry.error(retry.reason, call.failures, call.where)
        if retry.at_least > self.max_wait:
            raise retry.error(
                f"{retry.reason} and asked to retry in {_duration_text(retry.at_least)}, "
                f"longer than the {_duration_text(self.max_wait)} followaudit may wait",
                call.failures,
                call.where,
            )
        with self._lock:
            delay = max(self._backoff_delay(call.failures), retry.at_least)
            self.stats.retries += 1
        self._wait(
            delay, f"{retry.reason}; retry {call.failures} of {self.max_retries}", limit=False
        )

    def _backoff_delay(self, attempt: int) -> float:
        """Return a full-jitter exponential backoff for the ``attempt``-th retry (hold the lock)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return self.rng.uniform(0.0, ceiling)

    def _fetch(
        self, target: httpx.URL, headers: Mapping[str, str] | None
    ) -> tuple[httpx.Response, bytes]:
        """Return one answer and its body, read within ``deadline`` and ``max_body``.

        Raises _TooSlow or _TooBig; the connection of an answer cut short is
        closed, not drained.
        """
        until = time.monotonic() + self.deadline
        _DEADLINE.until = until
        _DEADLINE.hit = False
        received = 0
        try:
            with self._client.stream("GET", target, headers=headers) as answer:
                announced = answer.headers.get("content-length", "").strip()
                if announced.isdigit() and int(announced) > self.max_body:
                    raise _TooBig("announced")
                chunks: list[bytes] = []
                for chunk in answer.iter_bytes():
                    received += len(chunk)
                    if received > self.max_body:
                        raise _TooBig("sent")
                    chunks.append(chunk)
                    if time.monotonic() > until:
                        raise _TooSlow(received)
            return answer, b"".join(chunks)
        except httpx.TimeoutException:
            if _DEADLINE.hit or time.monotonic() >= until:
                raise _TooSlow(received) from None
            raise
        finally:
            _DEADLINE.until = None

    def limit_seen(self, endpoint_part: str) -> int | None:
        """Return the request limit the last answer of an endpoint containing ``endpoint_part``
        announced (``x-rate-limit-limit`` and the like), None if none did."""
        with self._lock:
            found = [v for k, v in self._limits_seen.items() if endpoint_part in k]
        return found[-1] if found else None

    def _note_limits(self, host: str, endpoint: str, headers: Mapping[str, str]) -> None:
        """Block the bucket until its reset when a response says no request remains."""
        now = self.clock()
        for limit_name in LIMIT_HEADERS:
            announced = headers.get(limit_name)
            if announced is not None and announced.strip().isdigit():
                with self._lock:
                    self._limits_seen.pop(endpoint, None)
                    self._limits_seen[endpoint] = int(announced.strip())
                break
        for remaining_name, reset_name in RATE_LIMIT_PAIRS:
            remaining = headers.get(remaining_name)
            if remaining is None:
                continue
            try:
                left = float(remaining.strip())
            except ValueError:
                continue
            if left > 0:
                continue
            reset = parse_reset(headers.get(reset_name), now)
            if reset is not None:
                bucket = _bucket(host, endpoint, headers)
                self._block(bucket, reset + RESET_MARGIN, f"rate limit of {bucket} reached")
            return

    def _block_after_429(
        self, host: str, endpoint: str, headers: Mapping[str, str], limited: int
    ) -> None:
        now = self.clock()
        reset = parse_reset(headers.get("retry-after"), now)
        if reset is None:
            for _, reset_name in RATE_LIMIT_PAIRS:
                reset = parse_reset(headers.get(reset_name), now)
                if reset is not None:
                    break
        if reset is not None and reset + RESET_MARGIN > now:
            until = reset + RESET_MARGIN
        else:
            # No usable reset (absent, or already past by our clock): back off instead.
            with self._lock:
                until = now + max(self._backoff_delay(limited), 1.0)
        self._block(
            _bucket(host, endpoint, headers), until, f"{host} answered 429 Too Many Requests"
        )

    def _block(self, bucket: str, until: float, reason: str) -> None:
        with self._lock:
            if until > self._blocked_until.get(bucket, 0.0):
                self._blocked_until[bucket] = until
                self._block_reason[bucket] = reason

    @contextmanager
    def _gate(self, host: str) -> Iterator[None]:
        with self._lock:
            gate = self._gates.setdefault(host, threading.Lock())
        with gate:
            yield

    def _await_host(self, host: str, endpoint: str) -> None:
        """Sleep until the host's or endpoint's rate-limit reset if one is pending.

        Raises RateLimitError if that wait is longer than max_wait.
        """
        with self._gate(host):
            with self._lock:
                until, reason = max(
                    (self._blocked_until.get(b, 0.0), self._block_reason.get(b, ""))
                    for b in (host, endpoint)
                )
            wait = until - self.clock()
            if wait > 0:
                self._wait(wait, f"{reason}: waiting until {_clock_text(until)}", until=until)

    def _wait(
        self, seconds: float, reason: str, *, limit: bool = True, until: float | None = None
    ) -> None:
        if limit and seconds > self.max_wait:
            reset_at = until if until is not None else self.clock() + seconds
            raise RateLimitError(
                f"The rate limit resets at {_clock_text(reset_at)} (in "
                f"{_duration_text(seconds)}), longer than the {_duration_text(self.max_wait)} "
                "followaudit may wait; what was fetched so far is kept in the cache, so "
                "running the same command after the reset resumes from there"
            )
        if self._interrupted.is_set():
            raise _Cancelled
        if seconds <= 0:
            return
        if self.on_wait is not None:
            self.on_wait(seconds, reason)
        if self._real_sleep:
            # An Event wait, unlike time.sleep, ends early when get_many unwinds.
            if self._interrupted.wait(seconds):
                raise _Cancelled
        else:
            self.sleep(seconds)
        with self._lock:
            self.stats.waited_seconds += seconds


class _TooSlow(Exception):
    """Internal: an answer still incomplete at the request's deadline."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


class _TooBig(Exception):
    """Internal: an answer larger than max_body (``how``: "announced" or "sent")."""

    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


class _Call:
    """One request on its way through ``Http._send``: where it goes, and its tries so far."""

    def __init__(self, target: httpx.URL, secrets: list[str]) -> None:
        self.target = target
        self.secrets = secrets
        # With its port: every sentence names the server the user can check (127.0.0.1:8080).
        self.host = site(target)
        self.endpoint = f"{self.host}{endpoint_of(target.path)}"
        self.where = f"{self.host}{target.path}"
        self.failures = 0  # transport errors, 5xx, bad bodies
        self.connect_failures = 0  # refused or unreachable: fewer retries (CONNECT_RETRIES)
        self.limited = 0  # 429 answers


@dataclass(frozen=True)
class _Retry:
    """An outcome worth another try: why, and how the try is counted and waited for.

    ``limited``: a 429 (waited for by its reset headers, ``headers``);
    ``connect``: the connection itself failed (CONNECT_RETRIES); ``at_least``:
    a server's Retry-After on a 5xx; ``make_error``: the error once tries run out.
    """

    reason: str
    limited: bool = False
    connect: bool = False
    at_least: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)
    make_error: Callable[[str, int, str], FollowauditError] | None = None  # None: _net_error

    def error(self, reason: str, attempts: int, where: str) -> FollowauditError:
        """Return the error to raise once this kind of failure has had its tries."""
        return (self.make_error or _net_error)(reason, attempts, where)


class _Deadline(threading.local):
    """The running request's deadline (time.monotonic), per thread: get_many's workers each have one."""

    until: float | None = None
    hit: bool = False  # a read was cut short by the deadline, not by the read timeout


_DEADLINE = _Deadline()


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write waits at most until the request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def _limit(self, timeout: float | None) -> tuple[float | None, bool]:
        until = _DEADLINE.until
        if until is None:
            return timeout, False
        left = until - time.monotonic()
        if left <= 0:
            _DEADLINE.hit = True
            raise httpcore.ReadTimeout("the request's deadline passed")
        if timeout is None or left < timeout:
            return left, True
        return timeout, False

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limit, clamped = self._limit(timeout)
        try:
            return self._stream.read(max_bytes, limit)
        except httpcore.ReadTimeout:
            _DEADLINE.hit = _DEADLINE.hit or clamped
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limit, clamped = self._limit(timeout)
        try:
            self._stream.write(buffer, limit)
        except httpcore.WriteTimeout:
            _DEADLINE.hit = _DEADLINE.hit or clamped
            raise

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit, _ = self._limit(timeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, limit))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """A network backend whose streams keep to the request's deadline (see _DeadlineStream)."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _install_deadlines(client: httpx.Client) -> int:
    """Return how many of the client's connection pools now enforce the request deadline.

    httpx has no total deadline, only per-read timeouts; its pools take a
    network backend, which is wrapped here (httpx's default transport, proxy
    transports from the environment, and subclasses of HTTPTransport). A
    transport without such a pool (httpx.MockTransport) is left as it is: the
    deadline is then checked between body chunks only.
    """
    installed = 0
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(
            backend, _DeadlineBackend
        ):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
            installed += 1
    return installed


def _name_does_not_resolve(exc: BaseException) -> bool:
    """Return whether a connect error is a failed DNS lookup (no retry will help)."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    return any(
        phrase in text
        for phrase in (
            "name or service not known",
            "nodename nor servname",
            "temporary failure in name resolution",
            "no address associated with hostname",
            "getaddrinfo failed",
            "name does not resolve",
        )
    )


# What OpenSSL says when a plain-HTTP server answers a TLS ClientHello (1.1 to 3.x).
_PLAIN_TEXT_HANDSHAKE = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG")


def _plain_text_handshake(exc: BaseException) -> bool:
    """Return whether a connect error is an https request answered by a plain-HTTP server."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLError):
            return str(getattr(seen, "reason", "")) in _PLAIN_TEXT_HANDSHAKE
        seen = seen.__cause__ or seen.__context__
    return any(marker in str(exc) for marker in _PLAIN_TEXT_HANDSHAKE)


def site(url: httpx.URL) -> str:
    """Return the server of ``url`` as people write it, with its port if one is given.

    ``api.x.com``, ``127.0.0.1:8080``, ``[::1]:8080``: the host alone would
    hide which of several local servers answered.
    """
    host = f"[{url.host}]" if ":" in url.host else url.host
    return host if url.port is None else f"{host}:{url.port}"


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _bucket(host: str, endpoint: str, headers: Mapping[str, str]) -> str:
    """Return what a limit applies to: X's headers are per endpoint, the others per host."""
    if any(name.lower().startswith("x-rate-limit-") for name in headers):
        return endpoint
    return host


def _net_error(reason: str, attempts: int, where: str) -> FollowauditError:
    return NetworkError(
        f"Gave up on {where} after {attempts} attempts: {reason}; "
        "check your connection or try again later"
    )


def _invalid_error(reason: str, attempts: int, where: str) -> FollowauditError:
    return InvalidResponseError(f"Gave up on {where} after {attempts} attempts: {reason}")


def _quota_spent(body: bytes) -> bool:
    """Return whether a 429 means a spent quota (a usage cap, credits), not a rate limit.

    Only its body can say so (X's UsageCapExceeded, sent with 39,999 requests
    "remaining"): a 429 from some other limiter may also show requests left
    on the one its headers describe, and that one passes with a wait.
    """
    text = body[:4096].lower().replace(b" ", b"")
    return any(word.replace(" ", "").encode() in text for word in QUOTA_WORDS)


def _media_type(headers: Mapping[str, str]) -> str:
    """Return the media type of a response without its parameters ("" if none)."""
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _looks_truncated(answer: httpx.Response, body: bytes) -> bool:
    """Return whether an unparseable body may be JSON cut short, so worth asking for again.

    Either it was announced as JSON (application/json, application/*+json) or
    it is shorter than its Content-Length; a complete page of HTML is neither.
    """
    media = _media_type(answer.headers)
    if media == "application/json" or media.endswith("+json"):
        return True
    announced = answer.headers.get("content-length")
    if announced and not answer.headers.get("content-encoding"):
        try:
            return len(body) < int(announced)
        except ValueError:
            return False
    return False


def _json_or_none(body: bytes) -> Any:
    try:
        return _parse_json(body) if body else None
    except (ValueError, _Unusable):
        return None


# API answers are under 10 levels deep; far deeper JSON is an attack on the code that walks it.
MAX_JSON_DEPTH = 64


class _Unusable(Exception):
    """Internal: complete JSON no API answer holds (``reason`` says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _parse_json(body: bytes) -> Any:
    """Return parsed JSON; _Unusable when too deep or holding a number of 4,300+ digits.

    ValueError (not JSON, or cut short) as ``json.loads`` raises it. Every body
    Http parses comes through here, so nothing downstream (redaction, the
    adapters, the exports) meets JSON nested deeper than MAX_JSON_DEPTH.
    """
    try:
        data = json.loads(body)
    except RecursionError:
        raise _Unusable(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:
        if str(exc).startswith("Exceeds the limit"):
            raise _Unusable("holding a number of more than 4,300 digits") from None
        raise
    if nested_deeper_than(data, MAX_JSON_DEPTH):
        raise _Unusable(f"nested more than {MAX_JSON_DEPTH} levels deep")
    return data


def _secret_values(headers: Mapping[str, str] | None, url: httpx.URL) -> list[str]:
    """Return the strings that must never appear in a message: header and URL credentials."""
    found: list[str] = []
    for name, value in (headers or {}).items():
        if name.lower() in ("authorization", "proxy-authorization", "cookie", "x-api-key"):
            found.append(value)
            scheme, _, credential = value.partition(" ")
            if credential and scheme.isalpha():
                found.append(credential)
    for name, value in url.params.multi_items():
        if name.lower() in SECRET_PARAMS and value:
            found.append(value)
    if url.userinfo:
        found.append(url.userinfo.decode("ascii", "replace"))
    found = [s for s in found if len(s) >= 4]
    for secret in found:
        add_secret(secret)
    return found


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return redact(text)


def _may_hide_secret(body: bytes, secrets: list[str]) -> bool:
    """Return whether a credential could be in ``body``: a registered value, a bearer
    header, or JSON escapes (\\u0041, \\/) that spell a value differently from its bytes.

    Plain ``in`` tests, not a regular expression: well under a millisecond on a
    1,000-follower page.
    """
    if b"\\u" in body or b"\\/" in body or b"bearer" in body.lower():
        return True
    return any(s.encode("utf-8", "replace") in body for s in secrets)


def _clean(data: Any, body: bytes) -> tuple[Any, bytes]:
    """Return (data, body) with every echoed credential redacted and every lone surrogate
    made U+FFFD; the body re-encoded only if changed.

    The body is what the cache stores, so it must be as clean as the data. A
    lone surrogate (``\\ud800`` in JSON) is legal JSON but not text: no file,
    terminal or table can hold it, so it never gets past the choke point.
    """
    changed = False
    if body and _may_hide_secret(body, known_secrets()):
        data, changed = redact_data(data)
    if body and b"\\ud" in body.lower():
        data, replaced = _whole_strings(data)
        changed = changed or replaced
    if not changed:
        return data, body
    return data, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _whole_strings(data: Any) -> tuple[Any, bool]:
    """Return (data with lone surrogates replaced in every string and key, whether any was)."""
    found = False

    def fix(text: str) -> str:
        nonlocal found
        if text.isascii():
            return text
        fixed = whole_text([text])[0]
        found = found or fixed != text
        return str(fixed)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return fix(value)
        if isinstance(value, dict):
            return {fix(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    cleaned = walk(data)
    return (cleaned, True) if found else (data, False)
