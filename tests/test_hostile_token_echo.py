"""A server that echoes the bearer token back never gets it shown, stored or exported.

Issue 9, item 1: error bodies (400, 403, 422, 500, a 200 carrying ``errors``)
and even follower profiles repeat the request's Authorization header; the
token must reach none of stderr, stdout, --json, --junit, --summary-csv,
--csv, the cache database, nor the --debug traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run
from fakes.hostile import every_byte, no_waiting
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode

# (shape, endpoint) -> exit code of the scan
FAILING = {
    # A 400 is X disagreeing with what followaudit sent, not a usage error (issue 16).
    ("400", "lookup"): ExitCode.NETWORK,
    ("403", "lookup"): ExitCode.AUTH,
    ("422", "lookup"): ExitCode.NETWORK,
    ("500", "lookup"): ExitCode.NETWORK,
    ("200-errors", "lookup"): ExitCode.NETWORK,
    ("400", "followers"): ExitCode.NETWORK,
    ("403", "followers"): ExitCode.AUTH,
    ("422", "followers"): ExitCode.NETWORK,
    ("200-errors", "followers"): ExitCode.NETWORK,
    # The account's own posts failed after the followers were paid for: the audit is kept.
    ("400", "tweets"): ExitCode.OK,
    ("422", "tweets"): ExitCode.OK,
}
# Shapes whose sentence quotes the server: the redaction must be visible there.
QUOTED = {"400", "403", "422", "200-errors"}


def assert_no_token(*texts: str | bytes) -> None:
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        assert TOKEN.encode() not in data
        assert b"0123456789" not in data  # no part of it either


def scan(capsys, monkeypatch, tmp_path: Path, server: XServer, *extra: str, debug: bool = False):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    no_waiting(monkeypatch)
    return run(
        capsys,
        *(["--debug"] if debug else []),
        "scan",
        "@subject",
        "--api-url",
        server.url,
        "--cache",
        tmp_path / "out" / "cache.sqlite3",
        *extra,
    )


@pytest.mark.parametrize(("shape", "endpoint"), sorted(FAILING))
def test_an_echoed_token_reaches_no_export_and_no_cache(
    capsys, monkeypatch, tmp_path, shape, endpoint
):
    out = tmp_path / "out"
    out.mkdir()
    with XServer(n=5, echo_token=(shape, endpoint)) as server:
        code, stdout, stderr = scan(
            capsys,
            monkeypatch,
            tmp_path,
            server,
            "--json",
            out / "scan.json",
            "--junit",
            out / "junit.xml",
            "--summary-csv",
            out / "summary.csv",
            "--csv",
            out / "scan.csv",
        )
        assert server.auth_headers[0] == f"Bearer {TOKEN}"  # it was sent, and echoed
    assert code == FAILING[(shape, endpoint)], stderr
    assert "Traceback" not in stderr
    assert_no_token(stdout, stderr, every_byte(out))
    assert (out / "scan.json").exists() and (out / "junit.xml").exists()
    if shape in QUOTED:
        assert "REDACTED" in stderr  # what the server said is shown, minus the token
        kept = "junit.xml" if code != ExitCode.OK else "scan.json"  # an error, or the audit
        assert b"REDACTED" in (out / kept).read_bytes()


@pytest.mark.parametrize(
    ("shape", "endpoint"), sorted(k for k, code in FAILING.items() if code != ExitCode.OK)
)
def test_an_echoed_token_is_not_in_the_debug_traceback(
    capsys, monkeypatch, tmp_path, shape, endpoint
):
    (tmp_path / "out").mkdir()
    with XServer(n=5, echo_token=(shape, endpoint)) as server:
        code, stdout, stderr = scan(capsys, monkeypatch, tmp_path, server, debug=True)
    assert code == FAILING[(shape, endpoint)], stderr
    assert "Traceback" in stderr  # --debug shows it: the check below can fail
    assert_no_token(stdout, stderr, every_byte(tmp_path / "out"))


@pytest.mark.parametrize("shape", ["200-partial", "200-profile"])
def test_a_token_inside_good_data_is_redacted_before_export_and_cache(
    capsys, monkeypatch, tmp_path, shape
):
    out = tmp_path / "out"
    out.mkdir()
    with XServer(n=5, echo_token=(shape, "followers")) as server:
        code, stdout, stderr = scan(
            capsys,
            monkeypatch,
            tmp_path,
            server,
            "--no-posts",
            "--json",
            out / "scan.json",
            "--csv",
            out / "scan.csv",
            "--summary-csv",
            out / "summary.csv",
            "--top",
            "10",
        )
    assert code == ExitCode.OK, stderr
    assert "Scored" in stdout or "followers" in stdout
    assert_no_token(stdout, stderr, every_byte(out))
    if shape == "200-profile":
        # The follower is kept, the secret in its username replaced.
        assert "@REDACTED,2000000," in (out / "scan.csv").read_text()
        assert b"my key is REDACTED and REDACTED" in every_byte(out)  # the cached bio


def test_a_re_run_from_the_cache_shows_no_token_either(capsys, monkeypatch, tmp_path):
    (tmp_path / "out").mkdir()
    with XServer(n=5, echo_token=("200-profile", "followers")) as server:
        first = scan(capsys, monkeypatch, tmp_path, server, "--no-posts", "--csv", "-")
        second = scan(capsys, monkeypatch, tmp_path, server, "--no-posts", "--csv", "-")
        # The second run is a rescan: it asks for the list again (never from the cache, issue
        # 19) and re-uses the followers the first run stored, redacted as they were stored.
        assert server.requests["/2/users/1001/followers"] == 2
    assert first[0] == second[0] == ExitCode.OK
    assert "@REDACTED" in second[1]
    assert_no_token(*first[1:], *second[1:], every_byte(tmp_path / "out"))
