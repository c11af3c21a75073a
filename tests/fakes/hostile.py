"""Hostile servers for tests: answers that drip, overflow, redirect forever or are HTML,
and runs of the real CLI that never really wait."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest

import followaudit.live.http
from followaudit.live.http import Http

from .clock import FakeClock


def no_waiting(
    monkeypatch: pytest.MonkeyPatch, transport: httpx.BaseTransport | None = None
) -> FakeClock:
    """Make every Http the CLI builds wait on a fake clock: retries and backoffs cost nothing.

    Returns the clock, whose ``sleeps`` list the waits. ``transport``, if
    given, carries every request (to count or fail them).
    """
    clock = FakeClock(time.time())  # the cache's own clock is real: answers stay fresh

    class NoWaitHttp(Http):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("clock", clock)
            kwargs.setdefault("sleep", clock.sleep)
            if transport is not None:
                kwargs.setdefault("transport", transport)
            super().__init__(**kwargs)

    monkeypatch.setattr(followaudit.live.http, "Http", NoWaitHttp)
    return clock


def every_byte(folder: Path) -> bytes:
    """Return the bytes of every file under ``folder`` (exports, cache database, WAL)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


# -- hostile answers ----------------------------------------------------------

MODES = ("drip", "drip-headers", "oversized", "oversized-chunked", "html", "redirect-loop")


@dataclass
class Hostile:
    """Make a fake server answer the ``nth`` request whose path contains ``where`` (and
    every later one) with a hostile answer instead of the real one.

    Modes: ``drip`` sends the real headers, then the body one byte every
    ``interval`` seconds; ``drip-headers`` drips the status line and headers
    too; ``oversized`` announces and streams a 1.5 GB JSON body,
    ``oversized-chunked`` the same without a Content-Length; ``html`` a
    complete HTML page (a captive portal); ``redirect-loop`` a 302 to itself.
    ``sent`` counts the bytes written, so a test can tell the client stopped.
    """

    mode: str
    where: str = "/followers"
    nth: int = 1
    interval: float = 0.05
    size: int = 1_500_000_000
    seen: int = 0
    sent: int = 0
    served: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown hostile mode {self.mode!r}")

    def takes(self, path: str) -> bool:
        """Return whether this request gets the hostile answer."""
        if self.where not in path:
            return False
        with self._lock:
            self.seen += 1
            return self.seen >= self.nth

    def serve(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        with self._lock:
            self.served += 1
        try:
            getattr(self, "_" + self.mode.replace("-", "_"))(handler, status, body, headers)
        except OSError:  # the client hung up: what it should do
            pass
        handler.close_connection = True

    def _write(self, handler: BaseHTTPRequestHandler, data: bytes) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()
        with self._lock:
            self.sent += len(data)

    def _head(self, status: int, headers: dict[str, str]) -> bytes:
        headers = {**headers, "Connection": "close"}  # the connection ends with this answer
        lines = [f"HTTP/1.1 {status} OK"] + [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def _drip(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        self._write(handler, self._head(status, {**headers, "Content-Length": str(len(body))}))
        for k in range(len(body)):
            time.sleep(self.interval)
            self._write(handler, body[k : k + 1])

    def _drip_headers(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        head = self._head(status, {**headers, "Content-Length": str(len(body))})
        for k in range(len(head)):
            time.sleep(self.interval)
            self._write(handler, head[k : k + 1])
        self._write(handler, body)

    def _stream(self, handler: BaseHTTPRequestHandler, chunked: bool) -> None:
        filler = (b'{"id":"1","name":"x","username":"y"},' * 2000)[: 64 * 1024]
        out = 0
        first = b'{"data":['
        while out < self.size:
            piece = first + filler if out == 0 else filler
            out += len(piece)
            self._write(handler, b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)

    def _oversized(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        self._write(
            handler,
            self._head(200, {"Content-Type": "application/json", "Content-Length": str(self.size)}),
        )
        self._stream(handler, chunked=False)

    def _oversized_chunked(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        self._write(
            handler,
            self._head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}),
        )
        self._stream(handler, chunked=True)

    def _html(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        page = (
            b"<!DOCTYPE html><html><head><title>Sign in to the hotel Wi-Fi</title></head>"
            b"<body><form>...</form></body></html>"
        )
        self._write(
            handler,
            self._head(
                200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(page))}
            )
            + page,
        )

    def _redirect_loop(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        self._write(handler, self._head(302, {"Location": handler.path, "Content-Length": "0"}))
