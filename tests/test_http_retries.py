"""Http retries transport errors, timeouts, 5xx and truncated JSON with full-jitter backoff."""

from __future__ import annotations

import random

import httpx
import pytest
from fakes.clock import FakeClock, TopRng
from hypothesis import given, settings
from hypothesis import strategies as st

from followaudit.errors import ExitCode, InvalidResponseError, NetworkError
from followaudit.live.http import Http, HttpStatusError

URL = "https://api.example.org/v1/things"


def scripted(*answers: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[str]]:
    """Return a transport giving ``answers`` in turn (the last one repeats) and its request log."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers[min(len(seen), len(answers) - 1)]
        seen.append(str(request.url))
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler), seen


def ok(body: object | None = None) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"ok": True})


def make(transport: httpx.MockTransport, clock: FakeClock, **kw: object) -> Http:
    kw.setdefault("rng", random.Random(7))
    return Http(transport=transport, clock=clock, sleep=clock.sleep, **kw)


def test_burst_of_503_then_success_backs_off_exponentially() -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.Response(503), httpx.Response(503), httpx.Response(503), ok())
    http = make(transport, clock, rng=TopRng())
    response = http.get(URL)
    assert response.data == {"ok": True}
    assert clock.sleeps == [1.0, 2.0, 4.0]  # the top of each full-jitter window
    assert (http.stats.made, http.stats.retries, http.stats.cached) == (4, 3, 0)
    assert http.stats.waited_seconds == 7.0
    assert len(seen) == 4


def test_backoff_is_capped() -> None:
    clock = FakeClock()
    transport, _ = scripted(*[httpx.Response(502)] * 5, ok())
    make(transport, clock, rng=TopRng(), backoff_cap=5.0).get(URL)
    assert clock.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_jitter_follows_the_seeded_random_source() -> None:
    clock = FakeClock()
    transport, _ = scripted(httpx.Response(500), httpx.Response(500), ok())
    make(transport, clock, rng=random.Random(42)).get(URL)
    expected = random.Random(42)
    assert clock.sleeps == [expected.uniform(0, 1), expected.uniform(0, 2)]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), base=st.floats(0.1, 3.0), cap=st.floats(1.0, 20.0))
def test_jitter_stays_within_the_window(seed: int, base: float, cap: float) -> None:
    clock = FakeClock()
    transport, _ = scripted(*[httpx.Response(503)] * 5, ok())
    make(transport, clock, rng=random.Random(seed), backoff_base=base, backoff_cap=cap).get(URL)
    assert len(clock.sleeps) == 5
    for attempt, delay in enumerate(clock.sleeps, start=1):
        assert 0.0 <= delay <= min(cap, base * 2 ** (attempt - 1))


def test_persistent_5xx_raises_network_error_after_max_retries() -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.Response(503))
    http = make(transport, clock, max_retries=3)
    with pytest.raises(NetworkError) as caught:
        http.get(URL, params={"page": 2})
    assert len(seen) == 4 and http.stats.made == 4 and http.stats.retries == 3
    assert len(clock.sleeps) == 3
    assert caught.value.exit_code == ExitCode.NETWORK
    assert str(caught.value) == (
        "Gave up on api.example.org/v1/things after 4 attempts: api.example.org answered "
        "503 Service Unavailable; check your connection or try again later"
    )


def test_max_retries_zero_means_a_single_attempt() -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.Response(500), ok())
    with pytest.raises(NetworkError):
        make(transport, clock, max_retries=0).get(URL)
    assert len(seen) == 1 and clock.sleeps == []


def test_transport_errors_are_retried() -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.ConnectError("connection refused"), ok({"n": 1}))
    http = make(transport, clock)
    assert http.get(URL).data == {"n": 1}
    assert len(seen) == 2 and http.stats.made == 2 and http.stats.retries == 1


def test_persistent_timeouts_say_so() -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.ReadTimeout("read timed out"))
    with pytest.raises(NetworkError, match="timed out") as caught:
        make(transport, clock, max_retries=2).get(URL)
    assert len(seen) == 3
    assert "ReadTimeout" in str(caught.value)


def test_truncated_json_is_retried_then_succeeds() -> None:
    clock = FakeClock()
    half = httpx.Response(
        200, content=b'{"data": [{"id": "1"}, {"id"', headers={"content-type": "application/json"}
    )
    transport, seen = scripted(half, ok({"data": []}))
    http = make(transport, clock)
    assert http.get(URL).data == {"data": []}
    assert len(seen) == 2 and http.stats.retries == 1


def test_persistent_truncated_json_raises_invalid_response() -> None:
    clock = FakeClock()
    half = httpx.Response(200, content=b'{"data": [', headers={"content-type": "application/json"})
    transport, seen = scripted(half)
    with pytest.raises(InvalidResponseError, match="not complete JSON") as caught:
        make(transport, clock, max_retries=2).get(URL)
    assert len(seen) == 3
    assert caught.value.exit_code == ExitCode.NETWORK


@pytest.mark.parametrize(
    ("status", "body", "code", "detail"),
    [
        (
            400,
            {"error": "InvalidRequest", "message": "Profile not found"},
            ExitCode.NETWORK,
            "Profile not found",
        ),
        (
            401,
            {"title": "Unauthorized", "detail": "Unauthorized", "status": 401},
            ExitCode.AUTH,
            "Unauthorized",
        ),
        (
            403,
            {"errors": [{"message": "client-not-enrolled"}]},
            ExitCode.AUTH,
            "client-not-enrolled",
        ),
        (404, {"error": "Record not found"}, ExitCode.NOT_FOUND, "Record not found"),
    ],
)
def test_4xx_is_not_retried(status: int, body: object, code: ExitCode, detail: str) -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.Response(status, json=body), ok())
    http = make(transport, clock)
    with pytest.raises(HttpStatusError) as caught:
        http.get(URL)
    assert len(seen) == 1 and http.stats.made == 1 and http.stats.retries == 0
    assert clock.sleeps == []
    error = caught.value
    assert (error.status, error.data, error.exit_code) == (status, body, code)
    assert str(error).startswith(f"api.example.org answered {status} ")
    assert str(error).endswith(f"for /v1/things: {detail}")


def test_4xx_with_a_non_json_body_has_no_data() -> None:
    transport, _ = scripted(httpx.Response(410, content=b"gone"))
    with pytest.raises(HttpStatusError) as caught:
        make(transport, FakeClock()).get(URL)
    assert caught.value.data is None and caught.value.status == 410


def test_204_has_no_data() -> None:
    transport, _ = scripted(httpx.Response(204))
    response = make(transport, FakeClock()).get(URL)
    assert (response.status, response.data) == (204, None)


def test_each_backoff_is_reported_through_on_wait() -> None:
    clock = FakeClock()
    waits: list[tuple[float, str]] = []
    transport, _ = scripted(httpx.Response(503), ok())
    make(transport, clock, rng=TopRng(), on_wait=lambda s, r: waits.append((s, r))).get(URL)
    assert waits == [(1.0, "api.example.org answered 503 Service Unavailable; retry 1 of 5")]
