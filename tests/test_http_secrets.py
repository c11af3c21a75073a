"""The bearer token never reaches the cache file, error messages, logs or Response.url."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from fakes.clock import FakeClock, TopRng

import followaudit
from followaudit.errors import FollowauditError
from followaudit.live.cache import Cache
from followaudit.live.http import Http, HttpStatusError, redact_url

TOKEN = "AAAAAAAAAAAAAAAAAAAAAsecretTOKENvalue%3DxYz"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "https://api.x.com/2/users/by/username/jack"


def echoing(request: httpx.Request) -> httpx.Response:
    """A server that echoes what it was sent, as a careless API might."""
    return httpx.Response(
        200,
        json={"you_sent": request.headers.get("authorization"), "url": str(request.url)},
        headers={"x-echo-auth": request.headers.get("authorization", "")},
    )


def test_token_is_sent_but_not_in_the_cache_file(tmp_path: Path) -> None:
    clock = FakeClock()
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json={"data": {"id": "12"}})

    path = tmp_path / "cache.sqlite3"
    cache = Cache(path, clock=clock)
    http = Http(transport=httpx.MockTransport(handler), cache=cache, clock=clock, sleep=clock.sleep)
    http.get(URL, headers=AUTH)
    assert http.get(URL, headers=AUTH).from_cache
    cache.close()
    assert seen == [f"Bearer {TOKEN}"]
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"jack" in stored  # the check can fail: the entry is really in these bytes
    assert TOKEN.encode() not in stored
    assert b"secretTOKEN" not in stored


def test_echoed_auth_headers_are_not_stored(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = Cache(tmp_path / "c.sqlite3", clock=clock)
    http = Http(transport=httpx.MockTransport(echoing), cache=cache, clock=clock)
    response = http.get(URL, headers=AUTH)
    assert "x-echo-auth" not in response.headers
    stored = cache.get("GET " + URL)
    assert stored is not None and "x-echo-auth" not in stored.headers


def test_error_messages_never_show_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        auth = request.headers["authorization"]
        return httpx.Response(401, json={"detail": f"Invalid token: {auth}"})

    http = Http(transport=httpx.MockTransport(handler))
    with pytest.raises(HttpStatusError) as caught:
        http.get(URL, headers=AUTH)
    assert "Invalid token: REDACTED" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_transport_error_messages_never_show_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy refused {request.headers['authorization']}")

    clock = FakeClock()
    http = Http(
        transport=httpx.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
        max_retries=1,
        rng=TopRng(),
    )
    with pytest.raises(FollowauditError) as caught:
        http.get(URL, headers=AUTH)
    assert "proxy refused" in str(caught.value) and TOKEN not in str(caught.value)


def test_credentials_in_the_url_are_redacted_everywhere(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = Cache(tmp_path / "c.sqlite3", clock=clock)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("missing"):
            return httpx.Response(404, json={"error": "nope"})
        return httpx.Response(200, json={})

    http = Http(transport=httpx.MockTransport(handler), cache=cache, clock=clock)
    response = http.get("https://m.example/api/v1/x", params={"access_token": TOKEN, "limit": 2})
    assert response.url == "https://m.example/api/v1/x?access_token=REDACTED&limit=2"
    with pytest.raises(HttpStatusError) as caught:
        http.get(f"https://user:{TOKEN}@m.example/missing?access_token={TOKEN}")
    assert TOKEN not in str(caught.value) and TOKEN not in caught.value.url
    cache.close()
    assert TOKEN.encode() not in b"".join(p.read_bytes() for p in tmp_path.iterdir())


def test_logs_never_show_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    http = Http(transport=httpx.MockTransport(echoing))
    http.get(URL, headers=AUTH, params={"token": TOKEN})
    assert caplog.records  # debug logging happened, so the check below means something
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://a.example/p?access_token=s3cr3t&x=1",
            "https://a.example/p?access_token=REDACTED&x=1",
        ),
        ("https://bob:pw@a.example/p", "https://REDACTED@a.example/p"),
        ("https://a.example/p?cursor=abc", "https://a.example/p?cursor=abc"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_user_agent_names_followaudit_and_its_version() -> None:
    agents: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        agents.append(request.headers["user-agent"])
        return httpx.Response(200, json={})

    Http(transport=httpx.MockTransport(handler)).get(URL)
    assert agents[0].startswith(f"followaudit/{followaudit.__version__} ")
