"""Every network sentence names the server with its port, and says plainly what went wrong."""

from __future__ import annotations

from clirun import run_flat
from fakes.bluesky_server import BlueskyServer
from fakes.hostile import no_waiting
from fakes.mastodon_server import MastodonServer

from followaudit.errors import ExitCode


def test_https_to_a_plain_http_port_says_so_and_names_the_fix(capsys, monkeypatch):
    clock = no_waiting(monkeypatch)
    with MastodonServer(n=10) as server:
        site = server.url.removeprefix("http://")  # 127.0.0.1:PORT
        # No --api-url: the home server in the handle is asked over https.
        code, _, err = run_flat(capsys, "scan", f"@subject@{site}", "--no-cache")
        assert server.total == 0  # the TLS handshake failed: no request was ever read
    assert code == ExitCode.NETWORK
    assert err == (
        f"Error: {site} does not speak HTTPS (it answered the TLS handshake in plain text): "
        f"for a server without TLS, such as a local one, pass --api-url http://{site}"
    )
    assert clock.sleeps == []  # asking again cannot help: no retry


def test_an_answer_from_a_wrong_api_url_names_the_port(capsys, monkeypatch):
    no_waiting(monkeypatch)
    with BlueskyServer(n=10) as server:
        site = server.url.removeprefix("http://")
        # A path before /xrpc/: the fake AppView answers 501 Method Not Implemented.
        code, _, err = run_flat(
            capsys, "scan", "subject.bsky.social", "--api-url", f"{server.url}/wrong", "--no-cache"
        )
    assert code == ExitCode.NETWORK
    assert f"{site} answered 501" in err
    assert f"{site}/wrong/xrpc/app.bsky.actor.getProfile" in err
