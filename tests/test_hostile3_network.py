"""Issue 17, causes 5, 6 and 10: what a server sends is the server's fault, never a crash.

Cause 5: a rate-limit reset far out of range (``Retry-After: inf`` or
``1e20``, ``ratelimit-reset: 1e300``, a reset in the year 9999) made the
sentence that names the reset crash (OverflowError or "year out of range",
exit 1): it is a wait longer than --max-wait, exit 8 with the usual sentence.

Cause 6: an answer nested 100,000 levels deep raised RecursionError from
``json.loads`` (exit 1) on getProfile, getFollowers, Mastodon followers and
WebFinger: it is an answer that is not the API's JSON, exit 7.

Cause 10: a URL the server made up (a redirect to file:///, a 1 MB cursor, a
100 KB Link, ``Link: <file:///etc/passwd>``, ``<javascript:...>``, a
relative Link glued onto the port) was blamed on the user (exit 2, USAGE),
and a Link to a path that answers 404 on the account (exit 5, "not found"):
each is exit 7 with a sentence naming the server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from clirun import run_flat
from fakes import HostMapTransport, Reply, edit_json, no_wait_http
from fakes.bluesky_server import BlueskyServer
from fakes.hostile import no_waiting
from fakes.mastodon_server import SUBJECT_ID, DelegatingDomain, MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode, FollowauditError
from followaudit.handles import Handle
from followaudit.live.scan import run_scan

WAIT_SENTENCE = "followaudit may wait"
DEEP = b"[" * 100_000 + b"]" * 100_000
MASTODON_FOLLOWERS = f"/api/v1/accounts/{SUBJECT_ID}/followers"


def _scan(capsys, monkeypatch, server, handle, *extra):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    no_waiting(monkeypatch)
    return run_flat(
        capsys, "scan", handle, "--api-url", server.url, "--no-cache", "--no-posts", "--yes",
        *extra,
    )  # fmt: skip


def _answer(where: str, status: int, body: Any, headers: Mapping[str, str] = {}):
    """Return an edit hook: every answer whose path contains ``where`` becomes this one."""

    def edit(path: str, query: Mapping[str, list[str]], reply: Reply) -> Reply:
        if where not in path:
            return reply
        return Reply(status, body, {**reply.headers, **headers}, reply.content_type)

    return edit


# -- cause 5: resets out of range -------------------------------------------------------

TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}
RESETS = {
    "Retry-After: inf": ("x", _answer("/by/username/", 429, TOO_MANY, {"Retry-After": "inf"})),
    "Retry-After: 1e20": ("x", _answer("/by/username/", 429, TOO_MANY, {"Retry-After": "1e20"})),
    "Retry-After: a date in 9999": (
        "x",
        _answer("/by/username/", 429, TOO_MANY, {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}),
    ),
    "x-rate-limit-reset: 1e300 on a 429": (
        "x",
        _answer(
            "/by/username/",
            429,
            TOO_MANY,
            {"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1e300"},
        ),
    ),
    "ratelimit-reset: 1e300 with none remaining": (
        "bluesky",
        edit_json(
            "getProfile",
            lambda b: b,
            headers={"ratelimit-remaining": "0", "ratelimit-reset": "1e300"},
        ),
    ),
    "X-RateLimit-Reset in the year 9999": (
        "mastodon",
        edit_json(
            "/accounts/lookup",
            lambda b: b,
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9999-12-31T23:59:59Z"},
        ),
    ),
}
SERVERS = {
    "x": (lambda: XServer(n=20), "@subject"),
    "bluesky": (lambda: BlueskyServer(n=20), "subject.bsky.social"),
    "mastodon": (lambda: MastodonServer(n=20), "@subject@mastodon.example"),
}


@pytest.mark.parametrize("case", sorted(RESETS))
def test_a_reset_out_of_range_is_a_wait_longer_than_max_wait(capsys, monkeypatch, case):
    platform, edit = RESETS[case]
    make, handle = SERVERS[platform]
    with make() as server:
        server.edit = edit
        code, _, err = _scan(capsys, monkeypatch, server, handle)
    assert code == ExitCode.RATE_LIMITED, err  # today: 1, OverflowError / year out of range
    assert "unexpected" not in err and "Traceback" not in err
    assert WAIT_SENTENCE in err


# -- cause 6: answers nested 100,000 levels deep ----------------------------------------

NESTED = {
    "getProfile": ("bluesky", "app.bsky.actor.getProfile"),
    "getFollowers": ("bluesky", "app.bsky.graph.getFollowers"),
    "getProfiles": ("bluesky", "app.bsky.actor.getProfiles"),
    "Mastodon lookup": ("mastodon", "/accounts/lookup"),
    "Mastodon followers": ("mastodon", MASTODON_FOLLOWERS),
    "X followers": ("x", "/followers"),
}


@pytest.mark.parametrize("case", sorted(NESTED))
def test_an_answer_nested_100000_deep_is_not_the_apis_json(capsys, monkeypatch, case):
    platform, where = NESTED[case]
    make, handle = SERVERS[platform]
    with make() as server:
        server.edit = _answer(where, 200, DEEP)
        code, _, err = _scan(capsys, monkeypatch, server, handle)
    assert code == ExitCode.NETWORK, err  # today: 1, RecursionError
    assert "unexpected" not in err and "Traceback" not in err
    assert "127.0.0.1" in err


def test_an_answer_nested_900_deep_with_escapes_is_not_a_crash(capsys, monkeypatch):
    # Parsed by json.loads (under its limit), then walked by the redaction of
    # echoed credentials (a \\u escape makes it look) one Python frame per level.
    body = b'{"did": "did:plc:subjectsubjectsubjectaaa", "x": ' + b"[" * 900
    body += b'"\\u0041"' + b"]" * 900 + b"}"
    with BlueskyServer(n=20) as server:
        server.edit = _answer("getProfile", 200, body)
        code, _, err = _scan(capsys, monkeypatch, server, "subject.bsky.social")
    assert code in (ExitCode.OK, ExitCode.NETWORK), err  # today: 1, RecursionError
    assert "unexpected" not in err


def test_a_webfinger_answer_nested_100000_deep_is_not_a_crash():
    home_name = "social.example.com"
    with (
        MastodonServer(n=10, local_domain="example.com") as home,
        DelegatingDomain("example.com", f"https://{home_name}") as site,
    ):
        site.edit = _answer("/.well-known/webfinger", 200, DEEP)
        http = no_wait_http(
            transport=HostMapTransport({"example.com": site.url, home_name: home.url})
        )
        # Today: RecursionError. The lookup said 404 and WebFinger said nothing usable.
        with pytest.raises(FollowauditError) as raised:
            run_scan(Handle("mastodon", "subject", "example.com"), http=http)
    assert raised.value.exit_code in (ExitCode.NOT_FOUND, ExitCode.NETWORK)


# -- cause 10: URLs the server made up ---------------------------------------------------


def _mastodon_link(link: str):
    """Return an edit giving the first followers page this ``Link`` header."""

    def edit(path: str, query: Mapping[str, list[str]], reply: Reply) -> Reply:
        if path != MASTODON_FOLLOWERS or "max_id" in query:
            return reply
        return Reply(200, reply.body, {**reply.headers, "Link": link}, reply.content_type)

    return edit


def _bluesky_cursor(cursor: str):
    def change(body: Any) -> Any:
        body["cursor"] = cursor
        return body

    return edit_json("getFollowers", change)


def _redirect_page_2(target: str):
    def edit(path: str, query: Mapping[str, list[str]], reply: Reply) -> Reply:
        if "/followers" in path and "pagination_token" in query:
            return Reply(302, b"", {"Location": target})
        return reply

    return edit


URLS = {
    "a redirect to file:///": ("x", _redirect_page_2("file:///etc/passwd")),
    "a redirect to javascript:": ("x", _redirect_page_2("javascript:alert(1)")),
    "a 1 MB cursor": ("bluesky", _bluesky_cursor("A" * 1_000_000)),
    "a 100 KB Link": (
        "mastodon",
        _mastodon_link(
            f"<http://127.0.0.1/api/v1/accounts/{SUBJECT_ID}/followers?max_id=1&pad={'A' * 100_000}>"
            '; rel="next"'
        ),
    ),
    "Link to file:///etc/passwd": ("mastodon", _mastodon_link('<file:///etc/passwd>; rel="next"')),
    "Link to javascript:": ("mastodon", _mastodon_link('<javascript:alert(1)>; rel="next"')),
    "Link to a path that answers 404": (
        "mastodon",
        None,  # set below: needs the server's URL
    ),
}


@pytest.mark.parametrize("case", sorted(URLS))
def test_a_url_the_server_made_up_is_the_servers_fault(capsys, monkeypatch, case):
    platform, edit = URLS[case]
    handle = SERVERS[platform][1]
    n = {"x": 2500, "bluesky": 250, "mastodon": 200}[platform]
    with {"x": XServer, "bluesky": BlueskyServer, "mastodon": MastodonServer}[platform](
        n=n
    ) as server:
        if edit is None:
            edit = _mastodon_link(f'<{server.url}/api/v1/nowhere?max_id=1>; rel="next"')
        server.edit = edit
        code, _, err = _scan(capsys, monkeypatch, server, handle)
    # Today: 2 (USAGE, "... is not a valid URL" / "cannot be requested") or 5 (NOT_FOUND).
    assert code == ExitCode.NETWORK, err
    assert "unexpected" not in err and "Traceback" not in err
    assert "127.0.0.1" in err
    assert "AAAAAAAAAA" not in err  # a 1 MB cursor is not repeated to the terminal


def test_a_relative_link_is_resolved_against_the_page_not_glued_onto_the_port(capsys, monkeypatch):
    # RFC 8288: a relative Link target is resolved against the request's URL.
    with MastodonServer(n=200) as server:
        server.edit = _mastodon_link('<followers?limit=80&max_id=89999921>; rel="next"')
        code, out, err = _scan(capsys, monkeypatch, server, "@subject@mastodon.example")
        log = list(server.log)
    assert code == ExitCode.OK, err  # was 2, "... is not a valid URL"
    assert "Listed: 200" in out
    # The second page is the link resolved against the first page's URL.
    second = [t for t in log if t.startswith(MASTODON_FOLLOWERS) and "max_id=" in t]
    assert second and second[0].startswith(f"{MASTODON_FOLLOWERS}?")
    assert "max_id=89999921" in second[0]


def test_a_count_of_5000_digits_in_an_answer_is_not_asked_for_again(capsys, monkeypatch):
    # Python refuses to parse an integer of more than 4,300 digits (ValueError): the
    # body was taken for JSON cut short and the same paid page asked for 5 more times.
    def digits(path: str, query: Mapping[str, list[str]], reply: Reply) -> Reply:
        if not path.endswith("/followers"):
            return reply
        text = json.dumps(reply.body).replace(
            '"followers_count": ', '"followers_count": 1' + "0" * 5000 + ', "x": ', 1
        )
        return Reply(200, text.encode(), reply.headers, reply.content_type)

    with XServer(n=20) as server:
        server.edit = digits
        code, _, err = _scan(capsys, monkeypatch, server, "@subject")
        pages = server.requests["/2/users/1001/followers"]
    assert pages == 1, f"the same page was asked for {pages} times"  # today: 6
    assert code in (ExitCode.OK, ExitCode.NETWORK), err
    assert "set_int_max_str_digits" not in err
