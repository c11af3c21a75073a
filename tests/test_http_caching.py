"""Http answers repeated requests from the cache and counts exactly what it saved."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fakes.clock import FakeClock, TopRng

from followaudit.live.cache import Cache
from followaudit.live.http import Http, HttpStatusError, cache_key

URL = "https://public.api.bsky.app/xrpc/app.bsky.graph.getFollowers"


class Counting:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(
            self.status,
            json={"followers": [], "cursor": request.url.params.get("cursor", ""), "n": self.calls},
            headers={"link": '<https://x/next>; rel="next"', "set-cookie": "session=abc"},
        )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(tmp_path: Path, clock: FakeClock) -> Cache:
    return Cache(tmp_path / "cache.sqlite3", max_age=3600, clock=clock)


def make(server: Counting, cache: Cache | None, clock: FakeClock, **kw: object) -> Http:
    return Http(
        transport=httpx.MockTransport(server),
        cache=cache,
        clock=clock,
        sleep=clock.sleep,
        rng=TopRng(),
        **kw,
    )


def test_a_repeated_request_is_answered_from_the_cache(cache: Cache, clock: FakeClock) -> None:
    server = Counting()
    http = make(server, cache, clock)
    first = http.get(URL, params={"actor": "alice.bsky.social", "limit": 100})
    again = http.get(URL, params={"limit": "100", "actor": "alice.bsky.social"})
    assert server.calls == 1
    assert (http.stats.made, http.stats.cached) == (1, 1)
    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.data == first.data and again.status == 200
    assert again.headers["Link"] == '<https://x/next>; rel="next"'  # case-insensitive


def test_params_in_the_url_or_apart_share_one_key() -> None:
    assert cache_key(URL + "?b=2&a=1") == cache_key(URL, {"a": 1, "b": "2"})
    assert cache_key(URL, {"a": 1}) != cache_key(URL, {"a": 2})
    assert cache_key(URL, {"a": 1}) == "GET " + URL + "?a=1"


def test_a_new_cache_with_the_same_file_saves_the_second_run(
    tmp_path: Path, clock: FakeClock
) -> None:
    server = Counting()
    with Cache(tmp_path / "c.sqlite3", clock=clock) as first_cache:
        make(server, first_cache, clock).get(URL, params={"cursor": "p2"})
    with Cache(tmp_path / "c.sqlite3", clock=clock) as second_cache:
        http = make(server, second_cache, clock)
        assert http.get(URL, params={"cursor": "p2"}).from_cache
    assert server.calls == 1 and (http.stats.made, http.stats.cached) == (0, 1)


def test_entries_older_than_max_age_are_fetched_again(cache: Cache, clock: FakeClock) -> None:
    server = Counting()
    http = make(server, cache, clock)
    http.get(URL)
    clock.advance(3599)
    assert http.get(URL).from_cache
    clock.advance(2)
    fresh = http.get(URL)
    assert not fresh.from_cache and fresh.data["n"] == 2
    assert (http.stats.made, http.stats.cached) == (2, 1)
    assert http.get(URL).data["n"] == 2  # the refetch replaced the stale entry


def test_refresh_skips_reads_but_still_writes(cache: Cache, clock: FakeClock) -> None:
    server = Counting()
    make(server, cache, clock).get(URL)
    refreshing = make(server, cache, clock, refresh=True)
    assert refreshing.get(URL).data["n"] == 2
    assert (refreshing.stats.made, refreshing.stats.cached) == (1, 0)
    assert make(server, cache, clock).get(URL).data["n"] == 2


def test_cache_false_neither_reads_nor_writes(cache: Cache, clock: FakeClock) -> None:
    server = Counting()
    http = make(server, cache, clock)
    http.get(URL, cache=False)
    http.get(URL, cache=False)
    assert server.calls == 2 and cache.info().entries == 0


def test_without_a_cache_every_request_goes_out(clock: FakeClock) -> None:
    server = Counting()
    http = make(server, None, clock)
    http.get(URL)
    http.get(URL)
    assert (http.stats.made, http.stats.cached) == (2, 0)


def test_errors_are_not_cached(cache: Cache, clock: FakeClock) -> None:
    server = Counting(status=404)
    http = make(server, cache, clock)
    for _ in range(2):
        with pytest.raises(HttpStatusError):
            http.get(URL)
    assert server.calls == 2 and cache.info().entries == 0


def test_retries_count_every_attempt_and_only_the_success_is_stored(
    cache: Cache, clock: FakeClock
) -> None:
    answers = iter(
        [
            httpx.Response(503),
            httpx.Response(200, content=b'{"trunc', headers={"content-type": "application/json"}),
            httpx.Response(200, json={"ok": 1}),
        ]
    )
    http = Http(
        transport=httpx.MockTransport(lambda r: next(answers)),
        cache=cache,
        clock=clock,
        sleep=clock.sleep,
        rng=TopRng(),
    )
    http.get(URL)
    assert (http.stats.made, http.stats.retries, http.stats.cached) == (3, 2, 0)
    assert http.get(URL).data == {"ok": 1}
    assert (http.stats.made, http.stats.cached) == (3, 1)


def test_only_harmless_response_headers_are_kept(cache: Cache, clock: FakeClock) -> None:
    http = make(Counting(), cache, clock)
    fresh = http.get(URL)
    stored = http.get(URL)
    for response in (fresh, stored):
        assert "set-cookie" not in response.headers
        assert "link" in response.headers
