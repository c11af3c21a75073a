"""With no network a scan fails at once (issue 10, item 5): a name that does not resolve is
not retried, a refused connection is retried once; attempts are counted, not timed."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from clirun import run_flat
from fakes.clock import FakeClock
from fakes.hostile import no_waiting
from fakes.x_server import TOKEN

from followaudit.errors import ExitCode, NetworkError
from followaudit.live.http import CONNECT_RETRIES, Http


class CountingTransport(httpx.HTTPTransport):
    """A real transport that counts the requests it is asked to send."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0
        self._count = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._count:
            self.sent += 1
        return super().handle_request(request)


class NoDnsTransport(CountingTransport):
    """Fails as httpx does when getaddrinfo finds no address (a machine with no network)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._count:
            self.sent += 1
        try:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        except socket.gaierror as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again at once: connections are refused


def http_with(transport: httpx.BaseTransport) -> tuple[Http, FakeClock]:
    clock = FakeClock()
    return Http(transport=transport, clock=clock, sleep=clock.sleep), clock


def test_a_name_that_does_not_resolve_is_asked_once():
    transport = NoDnsTransport()
    http, clock = http_with(transport)
    with pytest.raises(NetworkError) as caught:
        http.get("https://api.x.com/2/users/by/username/jack")
    assert transport.sent == 1 and clock.sleeps == []
    assert caught.value.message == (
        "api.x.com could not be found (its name does not resolve: [Errno -3] Temporary failure "
        "in name resolution); check your internet connection and the API URL"
    )


def test_a_refused_connection_is_tried_twice_then_stops():
    transport = CountingTransport()
    http, clock = http_with(transport)
    port = closed_port()
    with pytest.raises(NetworkError) as caught:
        http.get(f"http://127.0.0.1:{port}/2/users/by/username/jack")
    assert transport.sent == 1 + CONNECT_RETRIES == 2
    assert len(clock.sleeps) == 1 and clock.sleeps[0] <= 1.0  # one short backoff, not five
    assert caught.value.message.startswith(
        f"Gave up on 127.0.0.1:{port}/2/users/by/username/jack after 2 attempts: the "
        f"connection to 127.0.0.1:{port} failed (ConnectError: "
    )
    assert caught.value.message.endswith("check your connection or try again later")


def test_5xx_answers_are_still_retried_five_times():
    transport = httpx.MockTransport(lambda request: httpx.Response(503))
    http, clock = http_with(transport)
    with pytest.raises(NetworkError, match="after 6 attempts"):
        http.get("https://api.x.com/2/users/1")
    assert len(clock.sleeps) == 5


def test_a_scan_with_no_network_fails_with_one_sentence_after_one_attempt(capsys, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    transport = NoDnsTransport()
    clock = no_waiting(monkeypatch, transport)
    code, _, err = run_flat(capsys, "scan", "@jack", "--no-cache")
    assert code == ExitCode.NETWORK
    assert err == (
        "Error: api.x.com could not be found (its name does not resolve: [Errno -3] "
        "Temporary failure in name resolution); check your internet connection and "
        "the API URL"
    )
    assert transport.sent == 1 and clock.sleeps == []
    assert "Traceback" not in err


def test_a_scan_against_a_closed_port_stops_after_two_attempts(capsys, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    transport = CountingTransport()
    clock = no_waiting(monkeypatch, transport)
    port = closed_port()
    code, _, err = run_flat(
        capsys, "scan", "@jack", "--no-cache", "--api-url", f"http://127.0.0.1:{port}"
    )
    assert code == ExitCode.NETWORK
    assert f"Error: Gave up on 127.0.0.1:{port}/2/users/by/username/jack after 2 attempts" in err
    assert transport.sent == 2 and len(clock.sleeps) == 1
    assert "Traceback" not in err
