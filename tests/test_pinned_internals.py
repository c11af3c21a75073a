"""Guards of the private library internals followaudit relies on (CONTRIBUTING.md, "Pinned internals").

httpx has no total deadline per request, only per-read timeouts, so
``live/http.py`` wraps the network backend of httpx's connection pools,
reached through private attributes. If a new httpx renames them, these tests
fail before any user meets a request that never ends.
"""

from __future__ import annotations

import httpx

from followaudit.live.http import Http, _DeadlineBackend, _install_deadlines


def test_the_deadline_reaches_httpx_default_transport() -> None:
    client = httpx.Client()
    try:
        assert _install_deadlines(client) == 1
        backend = client._transport._pool._network_backend  # type: ignore[attr-defined]
        assert isinstance(backend, _DeadlineBackend)
        # Installing twice wraps nothing twice.
        assert _install_deadlines(client) == 0
    finally:
        client.close()


def test_every_http_client_gets_the_deadline() -> None:
    with Http() as http:
        backend = http._client._transport._pool._network_backend  # type: ignore[attr-defined]
        assert isinstance(backend, _DeadlineBackend)
