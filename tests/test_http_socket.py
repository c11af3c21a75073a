"""End to end over a real socket: a stalled answer times out and a cut body is retried."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from followaudit.errors import NetworkError
from followaudit.live.http import Http

BODY = json.dumps({"followers": [{"did": f"did:plc:{n:024d}"} for n in range(50)]}).encode()


class Server:
    """A tiny HTTP server on 127.0.0.1 whose first answer per path misbehaves."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.release = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with server.lock:
                    server.hits[self.path] += 1
                    count = server.hits[self.path]
                misbehave = count == 1 or self.path.startswith("/always")
                if misbehave and "stall" in self.path:
                    server.release.wait(5)  # far longer than the client's timeout
                body = BODY
                length = len(body)
                if misbehave and "cut" in self.path:
                    body = body[:40]  # promise the whole body, send a part, hang up
                if misbehave and "half" in self.path:
                    body = body[:40]  # a complete HTTP answer carrying half a JSON document
                    length = len(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(length))
                if misbehave and "cut" in self.path:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass
                if misbehave and "cut" in self.path:
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    s.thread.start()
    yield s
    s.release.set()
    s.httpd.shutdown()
    s.httpd.server_close()


def make() -> Http:
    return Http(timeout=0.2, sleep=lambda s: None, max_retries=2)


@pytest.mark.parametrize("path", ["/stall", "/cut", "/half"])
def test_a_bad_first_answer_is_retried_over_a_real_socket(server: Server, path: str) -> None:
    with make() as http:
        response = http.get(server.url + path)
    assert len(response.data["followers"]) == 50
    assert server.hits[path] == 2
    assert (http.stats.made, http.stats.retries) == (2, 1)


def test_a_server_that_always_stalls_ends_in_a_network_error(server: Server) -> None:
    with make() as http, pytest.raises(NetworkError, match="timed out"):
        http.get(server.url + "/always-stall")
    assert http.stats.made == 3


def test_a_closed_port_is_a_network_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        with make() as http, pytest.raises(NetworkError, match="ConnectError"):
            http.get(f"http://127.0.0.1:{port}/x")
