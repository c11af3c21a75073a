"""Http waits for each platform's rate-limit reset instead of running into 429s."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
from fakes.clock import START, FakeClock, TopRng

from followaudit.errors import ExitCode, NetworkError, RateLimitError
from followaudit.live.http import RESET_MARGIN, Http, endpoint_of, parse_reset

X = "https://api.x.com/2/users/12/followers"
BSKY = "https://public.api.bsky.app/xrpc/app.bsky.graph.getFollowers"
MASTO = "https://mastodon.social/api/v1/accounts/1/followers"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat().replace("+00:00", "Z")


class Script:
    """A transport answering from a list (the last answer repeats), logging the clock per request."""

    def __init__(self, clock: FakeClock, *answers: httpx.Response) -> None:
        self.clock = clock
        self.answers = answers
        self.times: list[float] = []
        self.urls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        answer = self.answers[min(len(self.times), len(self.answers) - 1)]
        self.times.append(self.clock())
        self.urls.append(str(request.url))
        return answer


def make(script: Script, clock: FakeClock, **kw: object) -> Http:
    kw.setdefault("rng", TopRng())
    return Http(transport=httpx.MockTransport(script), clock=clock, sleep=clock.sleep, **kw)


OK = httpx.Response(200, json={"data": []})


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (
            X,
            {
                "x-rate-limit-limit": "15",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(START + 60)),
            },
        ),
        (
            BSKY,
            {
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(START + 60)),
                "ratelimit-policy": "3000;w=300",
            },
        ),
        (
            MASTO,
            {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": iso(START + 60),
            },
        ),
        (MASTO, {"Retry-After": "60"}),
        (
            MASTO,
            {
                "Retry-After": format_datetime(
                    datetime.fromtimestamp(START + 60, tz=UTC), usegmt=True
                )
            },
        ),
    ],
    ids=["x", "bluesky", "mastodon", "retry-after-seconds", "retry-after-date"],
)
def test_429_waits_until_the_reset_then_succeeds(url: str, headers: dict[str, str]) -> None:
    clock = FakeClock()
    waits: list[tuple[float, str]] = []
    script = Script(clock, httpx.Response(429, headers=headers, json={"title": "Too Many"}), OK)
    http = make(script, clock, on_wait=lambda s, r: waits.append((s, r)))
    assert http.get(url).data == {"data": []}
    assert clock.sleeps == [60 + RESET_MARGIN]
    assert script.times == [START, START + 60 + RESET_MARGIN]
    assert (http.stats.made, http.stats.retries) == (2, 1)
    assert http.stats.waited_seconds == 60 + RESET_MARGIN
    host = httpx.URL(url).host
    assert waits == [
        (61.0, f"{host} answered 429 Too Many Requests: waiting until 2023-11-14 22:14:21 UTC")
    ]


def test_429_without_any_reset_backs_off() -> None:
    clock = FakeClock()
    script = Script(clock, httpx.Response(429), httpx.Response(429), OK)
    make(script, clock).get(X)
    assert clock.sleeps == [1.0, 2.0]


def test_429_with_a_reset_already_past_backs_off_instead_of_hammering() -> None:
    clock = FakeClock()
    past = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(START - 30))}
    script = Script(clock, httpx.Response(429, headers=past), OK)
    make(script, clock).get(X)
    assert clock.sleeps == [1.0]


def test_remaining_zero_waits_before_the_next_request_to_that_host() -> None:
    clock = FakeClock()
    last = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(START + 30))}
    script = Script(clock, httpx.Response(200, json={"page": 1}, headers=last), OK, OK)
    http = make(script, clock)
    http.get(X)
    assert clock.sleeps == []  # no wait until a next request exists
    http.get("https://public.api.bsky.app/xrpc/other")  # another host is not blocked
    assert clock.sleeps == []
    http.get(X, params={"pagination_token": "abc"})
    assert clock.sleeps == [30 + RESET_MARGIN]
    assert script.times[2] == START + 30 + RESET_MARGIN
    assert http.stats.made == 3 and http.stats.retries == 0  # no 429 was needed


def test_remaining_above_zero_does_not_wait() -> None:
    clock = FakeClock()
    some = {"x-rate-limit-remaining": "1", "x-rate-limit-reset": str(int(START + 30))}
    script = Script(clock, httpx.Response(200, json={}, headers=some))
    http = make(script, clock)
    http.get(X)
    http.get(X, params={"p": 2})
    assert clock.sleeps == []


def test_a_wait_longer_than_max_wait_raises_without_sleeping() -> None:
    clock = FakeClock()
    far = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(START + 3600))}
    script = Script(clock, httpx.Response(429, headers=far))
    http = make(script, clock, max_wait=900)
    with pytest.raises(RateLimitError) as caught:
        http.get(X)
    assert clock.sleeps == [] and http.stats.made == 1
    assert caught.value.exit_code == ExitCode.RATE_LIMITED
    assert str(caught.value) == (
        "The rate limit resets at 2023-11-14 23:13:21 UTC (in 60 min), longer than the 15 min "
        "followaudit may wait; what was fetched so far is kept in the cache, so running the "
        "same command after the reset resumes from there"
    )


def test_a_pre_emptive_wait_longer_than_max_wait_raises_before_sending() -> None:
    clock = FakeClock()
    far = {"ratelimit-remaining": "0", "ratelimit-reset": str(int(START + 7200))}
    script = Script(clock, httpx.Response(200, json={}, headers=far))
    http = make(script, clock, max_wait=60)
    http.get(BSKY)
    with pytest.raises(RateLimitError, match="resets at 2023-11-15 00:13:21 UTC"):
        http.get(BSKY, params={"cursor": "x"})
    assert len(script.times) == 1


def test_endless_429_gives_up() -> None:
    clock = FakeClock()
    soon = {"retry-after": "5"}
    script = Script(clock, httpx.Response(429, headers=soon))
    with pytest.raises(RateLimitError, match="kept answering 429"):
        make(script, clock, max_retries=2).get(X)
    assert len(script.times) == 3 and clock.sleeps == [6.0, 6.0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1700000060", START + 60),  # epoch seconds (X, Bluesky)
        ("1700000060000", START + 60),  # epoch milliseconds
        ("120", START + 120),  # delta seconds (Retry-After, IETF draft)
        ("0", START),
        ("2023-11-14T22:14:20.000Z", START + 60),  # Mastodon
        ("2023-11-14T22:14:20", START + 60),  # naive ISO: UTC
        ("Tue, 14 Nov 2023 22:14:20 GMT", START + 60),  # HTTP date
        ("", None),
        ("soon", None),
        ("-5", None),
        ("nan", None),
        (None, None),
    ],
)
def test_parse_reset(value: str | None, expected: float | None) -> None:
    assert parse_reset(value, START) == expected


def test_x_limits_are_per_endpoint() -> None:
    clock = FakeClock()
    spent = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(START + 600))}
    script = Script(clock, httpx.Response(200, json={}, headers=spent), OK)
    http = make(script, clock)
    http.get("https://api.x.com/2/users/12/followers")
    http.get("https://api.x.com/2/users/12/tweets")  # its own quota: no wait
    http.get("https://api.x.com/2/users/by/username/jack")
    assert clock.sleeps == []
    http.get("https://api.x.com/2/users/99/followers")  # the same endpoint, another id
    assert clock.sleeps == [600 + RESET_MARGIN]


def test_bluesky_and_mastodon_limits_are_per_host() -> None:
    clock = FakeClock()
    spent = {"ratelimit-remaining": "0", "ratelimit-reset": str(int(START + 20))}
    script = Script(clock, httpx.Response(200, json={}, headers=spent), OK)
    http = make(script, clock)
    http.get(BSKY)
    http.get("https://public.api.bsky.app/xrpc/app.bsky.actor.getProfiles")
    assert clock.sleeps == [20 + RESET_MARGIN]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/2/users/12/followers", "/2/users/:id/followers"),
        ("/2/users/by/username/jack", "/2/users/by/username/:username"),
        ("/2/users", "/2/users"),
        ("/xrpc/app.bsky.graph.getFollowers", "/xrpc/app.bsky.graph.getFollowers"),
    ],
)
def test_endpoint_of(path: str, expected: str) -> None:
    assert endpoint_of(path) == expected


def test_a_503_with_retry_after_waits_that_long() -> None:
    clock = FakeClock()
    script = Script(clock, httpx.Response(503, headers={"retry-after": "30"}), OK)
    http = make(script, clock)
    http.get(MASTO)
    assert clock.sleeps == [30.0]  # longer than the 1 s backoff, so the server's wish wins


def test_a_503_asking_for_more_than_max_wait_gives_up() -> None:
    clock = FakeClock()
    script = Script(clock, httpx.Response(503, headers={"retry-after": "7200"}))
    with pytest.raises(NetworkError, match=r"asked to retry in 2\.0 h, longer than the 15 min"):
        make(script, clock, max_wait=900).get(MASTO)
    assert clock.sleeps == [] and len(script.times) == 1
