"""Issue 17, cause 1: a bearer token that no HTTP header can carry is refused where it is read.

A token holding a line break, a carriage return or a character outside
ASCII (a paste gone wrong) used to be sent as it was: httpx refused the
header with ``Illegal header value b'Bearer SECRET...'``, the run retried it
six times and printed that message, token included, on stderr and in the
--json export (or, for a non-ASCII token, crashed with UnicodeEncodeError,
exit 1). Whatever its source (--token, X_BEARER_TOKEN, the config file), such
a token must be refused before any request with one sentence naming where it
came from and never the value, exit code 6 (AUTH).
"""

from __future__ import annotations

import json

import pytest
from clirun import run_flat
from fakes.hostile import no_waiting
from fakes.x_server import XServer

from followaudit.errors import ExitCode, add_secret, redact

SECRET = "SECRET-TOKEN"
TAIL = "XYZ-7731-abcdef"
BAD_TOKENS = {
    "newline": f"{SECRET}\n-{TAIL}",
    "carriage-return": f"{SECRET}\r-{TAIL}",
    "non-ascii": f"{SECRET}-\u00e9-{TAIL}",
    "tab": f"{SECRET}\t-{TAIL}",
}


def _leaks(text: str) -> bool:
    return SECRET in text or TAIL in text or "SECRET" in text


def _scan(capsys, monkeypatch, tmp_path, server, *extra):
    no_waiting(monkeypatch)  # the current code retries the refused header 5 times
    return run_flat(
        capsys,
        "scan",
        "@subject",
        "--api-url",
        server.url,
        "--no-cache",
        "--no-posts",
        "--json",
        tmp_path / "o.json",
        "--summary-csv",
        tmp_path / "o.csv",
        *extra,
    )


def _check_refused(code, out, err, tmp_path, server, source):
    assert code == ExitCode.AUTH, err
    assert "Traceback" not in err and "unexpected" not in err
    assert "token" in err.lower()
    assert source in err  # where the bad token came from
    for text in (out, err, *(p.read_text() for p in tmp_path.glob("o.*"))):
        assert not _leaks(text), text
    # Refused where it was read: nothing was sent.
    assert server.total == 0


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_a_token_from_the_environment_that_no_header_can_carry_is_refused(
    capsys, monkeypatch, tmp_path, kind
):
    monkeypatch.setenv("X_BEARER_TOKEN", BAD_TOKENS[kind])
    with XServer(n=5) as server:
        code, out, err = _scan(capsys, monkeypatch, tmp_path, server)
        _check_refused(code, out, err, tmp_path, server, "X_BEARER_TOKEN")


@pytest.mark.parametrize("kind", ["newline", "carriage-return", "non-ascii"])
def test_a_token_from_the_config_file_that_no_header_can_carry_is_refused(
    capsys, monkeypatch, tmp_path, kind
):
    config = tmp_path / "config" / "followaudit" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"[x]\nbearer_token = {json.dumps(BAD_TOKENS[kind])}\n", encoding="utf-8")
    config.chmod(0o600)
    with XServer(n=5) as server:
        code, out, err = _scan(capsys, monkeypatch, tmp_path, server)
        _check_refused(code, out, err, tmp_path, server, "config.toml")


@pytest.mark.parametrize("kind", ["newline", "non-ascii"])
def test_a_token_given_with_token_that_no_header_can_carry_is_refused(
    capsys, monkeypatch, tmp_path, kind
):
    with XServer(n=5) as server:
        code, out, err = _scan(capsys, monkeypatch, tmp_path, server, "--token", BAD_TOKENS[kind])
        _check_refused(code, out, err, tmp_path, server, "--token")


def test_redaction_covers_a_token_quoted_inside_an_exception_text():
    # httpx/h11 quote a refused header as a bytes literal: the line break becomes
    # the two characters backslash-n, so the registered value no longer matches.
    token = f"{SECRET}\n-{TAIL}"
    add_secret(token)
    message = f"Illegal header value {('Bearer ' + token).encode()!r}"
    assert not _leaks(redact(message)), redact(message)
    non_ascii = f"{SECRET}-\u00e9-{TAIL}"
    add_secret(non_ascii)
    for quoted in (repr(non_ascii), str(non_ascii.encode("utf-8")), ascii(non_ascii)):
        assert not _leaks(redact(f"bad header value {quoted}")), redact(quoted)
