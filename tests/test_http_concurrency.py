"""get_many runs requests concurrently, bounded, in order, and shares rate-limit waits."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from fakes.clock import START, FakeClock, TopRng

from followaudit.live.http import RESET_MARGIN, Http, HttpStatusError

URL = "https://public.api.bsky.app/xrpc/app.bsky.actor.getProfiles"


class Gauge:
    """A transport that tracks how many requests are in flight at once."""

    def __init__(self, first_wave: int) -> None:
        self.lock = threading.Lock()
        self.inflight = 0
        self.peak = 0
        self.calls = 0
        # The first wave must all be in flight together, or the barrier breaks the test.
        self.barrier = threading.Barrier(first_wave, timeout=5)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.inflight += 1
            self.peak = max(self.peak, self.inflight)
            self.calls += 1
            number = self.calls
        try:
            if number <= self.barrier.parties:
                self.barrier.wait()
            page = int(request.url.params["page"])
            # Later pages answer sooner, so completion order differs from request order.
            time.sleep(0.001 * (20 - page) if page < 20 else 0)
            return httpx.Response(200, json={"page": page})
        finally:
            with self.lock:
                self.inflight -= 1


def test_get_many_preserves_order_and_bounds_concurrency() -> None:
    gauge = Gauge(first_wave=4)
    http = Http(transport=httpx.MockTransport(gauge), concurrency=4)
    responses = http.get_many([(URL, {"page": n}) for n in range(20)])
    assert [r.data["page"] for r in responses] == list(range(20))
    assert gauge.peak == 4  # reached (barrier) and never exceeded
    assert http.stats.made == 20


def test_get_many_uses_the_cache_and_counts_exactly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from followaudit.live.cache import Cache

    gauge = Gauge(first_wave=1)
    cache = Cache(tmp_path / "c.sqlite3")
    http = Http(transport=httpx.MockTransport(gauge), cache=cache, concurrency=3)
    http.get_many([(URL, {"page": n}) for n in range(6)])
    again = http.get_many([(URL, {"page": n}) for n in range(8)])
    assert [r.from_cache for r in again] == [True] * 6 + [False] * 2
    assert (http.stats.made, http.stats.cached) == (8, 6)


def test_get_many_raises_the_first_failure_in_request_order() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        return httpx.Response(404 if page in (3, 5) else 200, json={"page": page})

    http = Http(transport=httpx.MockTransport(handler), concurrency=4)
    with pytest.raises(HttpStatusError) as caught:
        http.get_many([(URL, {"page": n}) for n in range(8)])
    assert caught.value.data == {"page": 3}


def test_get_many_of_nothing_is_empty() -> None:
    assert Http(transport=httpx.MockTransport(lambda r: httpx.Response(200))).get_many([]) == []


def test_a_rate_limit_wait_is_shared_by_all_threads() -> None:
    clock = FakeClock()
    reset = START + 30
    times: list[float] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            times.append(clock())
            first = len(times) == 1
        headers = {
            "ratelimit-remaining": "0" if first else "100",
            "ratelimit-reset": str(int(reset)),
        }
        return httpx.Response(200, json={}, headers=headers)

    waits: list[float] = []
    http = Http(
        transport=httpx.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
        rng=TopRng(),
        concurrency=4,
        on_wait=lambda s, r: waits.append(s),
    )
    http.get(URL, params={"page": 0})
    http.get_many([(URL, {"page": n}) for n in range(1, 9)])
    assert waits == [30 + RESET_MARGIN]  # one thread waited; the others queued behind it
    assert http.stats.waited_seconds == 30 + RESET_MARGIN
    assert len(times) == 9 and all(t >= reset for t in times[1:])


def test_a_429_holds_back_later_requests_to_that_host() -> None:
    clock = FakeClock()
    lock = threading.Lock()
    log: list[tuple[int, float, int]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        with lock:
            log.append((page, clock(), len(log)))
            limited = len(log) == 1
        if limited:
            return httpx.Response(429, headers={"retry-after": "10"})
        return httpx.Response(200, json={"page": page})

    http = Http(
        transport=httpx.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
        rng=TopRng(),
        concurrency=1,
    )
    responses = http.get_many([(URL, {"page": n}) for n in range(3)])
    assert [r.data["page"] for r in responses] == [0, 1, 2]
    assert clock.sleeps == [10 + RESET_MARGIN]
    assert [t for _, t, _ in log[1:]] == [START + 11] * 3


def test_a_failure_cuts_other_threads_rate_limit_waits_short() -> None:
    # Real clock and sleep: request 0 is told to wait 30 s while request 1 is in
    # flight; request 1 then fails. get_many must raise at once, not after the wait.
    second_sent = threading.Event()
    first_waiting = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "other.example":
            return httpx.Response(200, json={})
        if request.url.params["page"] == "0":
            second_sent.wait(5)
            return httpx.Response(429, headers={"retry-after": "30"})
        second_sent.set()
        first_waiting.wait(5)
        return httpx.Response(404, json={"error": "nope"})

    http = Http(
        transport=httpx.MockTransport(handler),
        concurrency=2,
        on_wait=lambda seconds, reason: first_waiting.set(),
    )
    started = time.monotonic()
    with pytest.raises(HttpStatusError):
        http.get_many([(URL, {"page": 0}), (URL, {"page": 1})])
    assert first_waiting.is_set()  # the wait really began
    assert time.monotonic() - started < 10  # and did not run its 31 s
    # The Http stays usable (for a host that is not rate-limited).
    again = http.get_many([("https://other.example/a", {}), ("https://other.example/b", {})])
    assert [r.status for r in again] == [200, 200]
