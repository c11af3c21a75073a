"""Fake platform servers for tests: real HTTP on 127.0.0.1, official response shapes.

Each server serves ``n`` synthetic followers generated deterministically from
their position (0 = newest follower), counts every request by path, and can
inject the failures a live API produces (see ``Faults``). Request numbers are
1-based and global to a server, faulted requests included, so a test can say
"the 3rd request gets a 429" and assert exact totals afterwards.

Usage::

    with XServer(n=2500, faults=Faults(rate_limit_at={2})) as server:
        ... point the adapter at server.url ...
        assert server.requests["/2/users/1/followers"] == 3

An account that changes between two scans (issue 19) is a ``Roster``: the
``n`` original followers keep their ids; ``added=N, added_bought=K`` (or
``server.add_followers(N, bought=K)`` between scans) puts N new followers at
the top of the list, the first K of them (in follow order) bought-looking and
the rest authentic-looking; ``departed`` original followers are no longer in
the list; ``reorder`` serves the list in a seeded shuffled order.
"""

from __future__ import annotations

import copy
import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import httpx

from followaudit.live.cache import Cache
from followaudit.live.http import Http


@dataclass
class Faults:
    """Failures to inject, by 1-based request number (global to the server)."""

    rate_limit_at: set[int] = field(default_factory=set)  # answer 429 with reset headers
    unavailable_at: set[int] = field(default_factory=set)  # answer 503
    truncate_at: set[int] = field(default_factory=set)  # 200 with half a JSON body
    delay: float = 0.0  # seconds to wait before every answer
    reset_in: float = 2.0  # seconds until the announced rate-limit reset
    # Follower paging gone wrong, as each fake's followers endpoint implements it:
    # the 3rd page's next cursor is the 2nd page's again (cursors A, B, A: a loop) ...
    cursor_cycle: bool = False
    # ... or the 2nd page's next cursor is a fresh one that serves the 2nd page again.
    repeat_page: bool = False
    # Every request whose path contains a key gets that key's answer instead of the real one
    # (a failing timeline, say): {"/tweets": Reply(401, {...})}.
    answers: dict[str, Reply] = field(default_factory=dict)
    # ... or the 1st page's next cursor is a fresh one that serves the 1st page again,
    # this many times before the list goes on (issue 17: pages that bring nothing new).
    repeat_first: int = 0


@dataclass
class Reply:
    """What a route answers: status, JSON body, extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


# Followers added at the top of a list (Roster.add) are keyed from here: the original
# followers are keyed by their position in the first list (0 = newest), 0 to n - 1.
ADDED_BASE = 1_000_000


class Roster:
    """Who follows the fake subject, newest first, as keys the fakes generate profiles from.

    Key ``i < ADDED_BASE`` is original follower ``i`` (its own seeded draw,
    bot-like or not); key ``ADDED_BASE + j`` is the ``j``-th follower added
    since (0 = the first added), bought-looking or authentic-looking as
    ``add`` said. Adding followers never changes the keys, so never the ids,
    of those already there.
    """

    def __init__(
        self,
        n: int,
        *,
        added: int = 0,
        added_bought: int = 0,
        departed: set[int] | None = None,
        reorder: bool = False,
    ) -> None:
        self.original = n
        self.departed = set(departed or ())
        self.reorder = reorder
        self.added = 0
        self.bought: set[int] = set()
        self.keys: list[int] = []
        self.add(added, added_bought)

    def add(self, count: int, bought: int = 0) -> None:
        """Put ``count`` new followers at the top of the list, the first ``bought`` bought-looking."""
        if not 0 <= bought <= count:
            raise ValueError("bought must be between 0 and count")
        self.bought.update(range(self.added, self.added + bought))
        self.added += count
        self._arrange()

    def remove(self, originals: set[int]) -> None:
        """Take these original followers out of the list (they unfollowed)."""
        self.departed |= originals
        self._arrange()

    def _arrange(self) -> None:
        keys = [ADDED_BASE + j for j in reversed(range(self.added))]
        keys += [i for i in range(self.original) if i not in self.departed]
        if self.reorder:
            random.Random(7).shuffle(keys)
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys)

    def kind(self, key: int) -> str | None:
        """Return "bot" or "human" for an added follower, None for an original one (its draw)."""
        if key < ADDED_BASE:
            return None
        return "bot" if key - ADDED_BASE in self.bought else "human"


class FakeServer:
    """Base class: threading HTTP server on an ephemeral port with counters and faults."""

    def __init__(self, *, faults: Faults | None = None, roster: Roster | None = None) -> None:
        self.faults = faults or Faults()
        self.roster = roster if roster is not None else Roster(0)
        # What the account reports as its follower count; None: the roster's length.
        self.count_override: int | None = None
        self.requests: Counter[str] = Counter()  # by path, faulted requests included
        self.log: list[str] = []  # path?query of every request, in arrival order
        self.auth_headers: list[str | None] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # A hostile mode (fakes.hostile.Hostile) that takes over chosen answers.
        self.hostile: Any = None
        self.repeated = 0  # times the 1st follower page was served again (Faults.repeat_first)
        # edit(path, query, reply) -> the reply to send instead: changes any routed
        # answer's status, body or headers (issue 17: wrong JSON types, odd headers).
        self.edit: Callable[[str, Mapping[str, list[str]], Reply], Reply] | None = None

    # -- lifecycle ------------------------------------------------------------

    @property
    def url(self) -> str:
        """Return the server's base URL, e.g. http://127.0.0.1:40123."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def total(self) -> int:
        """Return the number of requests received so far."""
        with self._lock:
            return len(self.log)

    def start(self) -> FakeServer:
        handler = _make_handler(self)
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.log.clear()
            self.auth_headers.clear()

    def duplicates(self) -> list[str]:
        """Return request targets received more than once."""
        with self._lock:
            return sorted(t for t, k in Counter(self.log).items() if k > 1)

    @property
    def n(self) -> int:
        """Return how many followers the list holds now."""
        return len(self.roster)

    @property
    def followers_count(self) -> int:
        """Return the follower count the account reports (the list's length unless told)."""
        return len(self.roster) if self.count_override is None else self.count_override

    def add_followers(self, count: int, bought: int = 0) -> None:
        """Put ``count`` new followers at the top of the list, the first ``bought`` bought-looking.

        The count the account reports follows, unless ``followers_count`` was given.
        """
        with self._lock:
            self.roster.add(count, bought)

    def remove_followers(self, originals: set[int]) -> None:
        """Take these original followers (0 = the newest at first) out of the list."""
        with self._lock:
            self.roster.remove(originals)

    def reorder_followers(self) -> None:
        """Serve the list in a seeded shuffled order from now on (the platform changed it)."""
        with self._lock:
            self.roster.reorder = True
            self.roster.add(0)

    # -- for subclasses -------------------------------------------------------

    def repeat_first_page(self, start: int) -> int | None:
        """Return how many times the 1st page was served again if the page starting at
        ``start`` must point to the 1st page again (Faults.repeat_first), else None."""
        with self._lock:
            if start != 0 or self.repeated >= self.faults.repeat_first:
                return None
            self.repeated += 1
            return self.repeated

    def route(self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Reply:
        raise NotImplementedError

    def rate_limit_headers(self, remaining: int, reset_epoch: float) -> dict[str, str]:
        return {}

    def too_many(self) -> Reply:
        return Reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"})

    # -- dispatch -------------------------------------------------------------

    def handle(self, target: str, headers: Mapping[str, str]) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(target)
        with self._lock:
            self.requests[parts.path] += 1
            self.log.append(target)
            self.auth_headers.append(headers.get("authorization"))
            number = len(self.log)
        if self.faults.delay:
            time.sleep(self.faults.delay)
        reset = time.time() + self.faults.reset_in
        if number in self.faults.rate_limit_at:
            reply = self.too_many()
            reply.headers.update(self.rate_limit_headers(0, reset))
        elif number in self.faults.unavailable_at:
            reply = Reply(503, {"error": "Service Unavailable"})
        elif any(key in parts.path for key in self.faults.answers):
            given = next(r for k, r in self.faults.answers.items() if k in parts.path)
            reply = Reply(given.status, given.body, dict(given.headers), given.content_type)
        else:
            query = parse_qs(parts.query, keep_blank_values=True)
            reply = self.route(parts.path, query, headers)
            reply.headers = {**self.rate_limit_headers(299, reset), **reply.headers}
            if self.edit is not None:
                reply = self.edit(parts.path, query, reply)
        # bytes are sent as they are: an HTML page where JSON was expected, say.
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        if number in self.faults.truncate_at and reply.status == 200:
            body = body[: len(body) // 2]
        out = {"Content-Type": reply.content_type, **reply.headers}
        return reply.status, body, out


class _QuietServer(ThreadingHTTPServer):
    """A server that does not print a traceback when a client hangs up mid-answer.

    Clients are meant to hang up on hostile answers (fakes.hostile); a
    traceback on stderr would hide the one the CLI must never print.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


def _make_handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One buffered write per answer and no Nagle: otherwise every request
        # waits out a delayed ACK (~40 ms) between the headers and the body.
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, body, out = server.handle(self.path, headers)
            except Exception as exc:  # noqa: BLE001 (a bug in a fake: make it loud, not a hang)
                status, body, out = 500, repr(exc).encode(), {"Content-Type": "text/plain"}
            hostile = server.hostile
            if hostile is not None and hostile.takes(self.path):
                hostile.serve(self, status, body, out)
                return
            self.send_response(status)
            for name, value in out.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


def edit_json(
    where: str,
    change: Callable[[Any], Any],
    *,
    query: Mapping[str, str] | None = None,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Callable[[str, Mapping[str, list[str]], Reply], Reply]:
    """Return a ``FakeServer.edit`` hook for answers whose path contains ``where``.

    Only answers whose query holds every ``query`` item are changed: their JSON
    body (a deep copy, so cached fixtures stay intact) becomes ``change(body)``
    (bytes are sent as they are), ``status`` replaces the status and
    ``headers`` are added. Every other answer passes unchanged.
    """

    def edit(path: str, got: Mapping[str, list[str]], reply: Reply) -> Reply:
        if where not in path or any(first(got, k) != v for k, v in (query or {}).items()):
            return reply
        body = reply.body if isinstance(reply.body, bytes) else copy.deepcopy(reply.body)
        return Reply(
            reply.status if status is None else status,
            change(body),
            {**reply.headers, **(headers or {})},
            reply.content_type,
        )

    return edit


def first(query: Mapping[str, list[str]], name: str, default: str | None = None) -> str | None:
    """Return the first value of a query parameter."""
    values = query.get(name)
    return values[0] if values else default


class Interrupted(Exception):
    """Raised by ``DyingTransport``: stands for a crash or Ctrl-C in the middle of a scan."""


class DyingTransport(httpx.HTTPTransport):
    """A real transport that raises ``Interrupted`` instead of sending request ``die_at``."""

    def __init__(self, die_at: int) -> None:
        super().__init__()
        self.die_at = die_at
        self.sent = 0
        self._count_lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._count_lock:
            self.sent += 1
            number = self.sent
        if number >= self.die_at:
            raise Interrupted(f"interrupted before request {number}")
        return super().handle_request(request)


class HostMapTransport(httpx.HTTPTransport):
    """A real transport that sends requests for named hosts to local fake servers.

    ``HostMapTransport({"example.com": server.url})`` lets an adapter ask
    ``https://example.com/...`` (a URL it builds itself, such as WebFinger's)
    while the answer comes from 127.0.0.1; 127.0.0.1 itself passes through, and
    any other host fails to connect.
    """

    def __init__(self, routes: Mapping[str, str]) -> None:
        super().__init__()
        self.routes = dict(routes)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "127.0.0.1":  # a fake server's own URL
            return super().handle_request(request)
        target = self.routes.get(request.url.host)
        if target is None:
            raise httpx.ConnectError(f"no fake server for {request.url.host}", request=request)
        local = httpx.URL(target)
        rewritten = httpx.Request(
            request.method,
            request.url.copy_with(scheme=local.scheme, host=local.host, port=local.port),
            headers=request.headers,
            stream=request.stream,
        )
        return super().handle_request(rewritten)


class FakeClock:
    """A clock that starts at the real time and moves only when ``sleep`` is called."""

    def __init__(self) -> None:
        self.now = time.time()
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def no_wait_http(
    *, cache: Cache | None = None, transport: httpx.BaseTransport | None = None, **kwargs: Any
) -> Http:
    """Return an Http whose waits advance a fake clock instead of sleeping: tests run instantly.

    ``http.slept`` lists the waits.
    """
    clock = FakeClock()
    http = Http(
        transport=transport,
        cache=cache,
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(0),
        timeout=10.0,
        **kwargs,
    )
    http.slept = clock.slept  # type: ignore[attr-defined]
    return http
