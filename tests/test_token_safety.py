"""The X bearer token goes only to X's API, and never in clear text over a network."""

from __future__ import annotations

import httpx
import pytest
from clirun import run_flat
from fakes import no_wait_http
from fakes.bluesky_server import BlueskyServer
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode, UsageError
from followaudit.live.platforms.x import XPlatform


def test_an_api_url_for_a_mixed_list_is_refused_before_any_request(capsys, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with BlueskyServer(n=10) as server:
        code, _, err = run_flat(
            capsys, "scan", "subject.bsky.social", "@subject", "--api-url", server.url, "--no-cache"
        )
        assert server.total == 0
    assert code == ExitCode.USAGE
    assert (
        "--api-url applies to one platform; these handles are on bluesky and x: scan each "
        "platform's handles in a separate run"
    ) in err


def test_the_environment_variable_is_held_to_the_same_rule(capsys, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=10) as server:
        monkeypatch.setenv("FOLLOWAUDIT_API_URL", server.url)
        code, _, err = run_flat(
            capsys, "scan", "@subject", "@someone@mastodon.example", "--no-cache"
        )
        assert server.total == 0
    assert code == ExitCode.USAGE
    assert "FOLLOWAUDIT_API_URL applies to one platform" in err
    assert TOKEN not in err


def test_an_api_url_for_one_platform_still_works(capsys, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=10) as server:
        code, _, err = run_flat(
            capsys,
            "scan",
            "@subject",
            "@other",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--json",
            "-",
        )
    # @other does not exist on the fake: a per-account error, not a usage error.
    assert code == ExitCode.NOT_FOUND, err


@pytest.mark.parametrize(
    "base_url",
    ["http://api.x.com", "http://10.0.0.5:8080", "http://proxy.example/x", "HTTP://[fe80::1]:80"],
)
def test_the_token_is_not_sent_over_plain_http_to_another_machine(base_url):
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500))
    with pytest.raises(UsageError) as caught:
        XPlatform(no_wait_http(transport=transport), TOKEN, base_url=base_url)
    assert "Refusing to send the X bearer token to" in caught.value.message
    assert "over plain http: use an https:// API URL" in caught.value.message
    assert TOKEN not in caught.value.message
    assert sent == []


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:9",
        "http://127.8.0.1",
        "http://localhost:8080",
        "http://[::1]:9",
        "https://api.x.com",
        "https://proxy.example/x",
    ],
)
def test_loopback_and_https_may_carry_the_token(base_url):
    XPlatform(no_wait_http(), TOKEN, base_url=base_url)


def test_the_cli_says_why_it_refused(capsys, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    code, _, err = run_flat(
        capsys, "scan", "@subject", "--api-url", "http://proxy.example:8080", "--no-cache"
    )
    assert code == ExitCode.USAGE
    assert (
        "Refusing to send the X bearer token to proxy.example over plain http: use an "
        "https:// API URL (plain http is allowed only to this machine)"
    ) in err
    assert TOKEN not in err
