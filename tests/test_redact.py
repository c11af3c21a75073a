"""followaudit.errors.redact: what it removes from network text, and what it leaves alone."""

from __future__ import annotations

import httpx
import pytest
from fakes.clock import FakeClock

from followaudit.errors import FollowauditError, NetworkError, add_secret, redact, redact_data
from followaudit.live.http import Http, HttpStatusError

SECRET = "s3cr3t-value-for-redaction-tests"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAFoo%3DBar", "Authorization: Bearer REDACTED"),
        ("bearer abcdefghijklmnopqrstuvwxyz012345", "bearer REDACTED"),
        ("BEARER%20abcdefghijklmnopqrstuvwxyz012345", "BEARER REDACTED"),
        # Prose stays as it is: the CLI's own sentences talk about "the bearer token".
        (
            "X rejected the bearer token (401): check X_BEARER_TOKEN",
            "X rejected the bearer token (401): check X_BEARER_TOKEN",
        ),
        ("Bearer of good news", "Bearer of good news"),
    ],
)
def test_any_bearer_credential_is_redacted(text, expected):
    assert redact(text) == expected


def test_a_registered_secret_is_redacted_everywhere():
    add_secret(SECRET)
    assert redact(f"x {SECRET} y {SECRET}") == "x REDACTED y REDACTED"
    data, changed = redact_data({"a": [SECRET, {SECRET: 1}], "b": 2, "c": "plain"})
    assert changed and data == {"a": ["REDACTED", {"REDACTED": 1}], "b": 2, "c": "plain"}
    original = {"a": ["plain"]}
    same, changed = redact_data(original)
    assert same is original and not changed


def test_short_values_are_not_registered():
    add_secret("abc")
    assert redact("abc abcdef") == "abc abcdef"


def test_every_followaudit_error_message_is_redacted():
    add_secret(SECRET)
    assert SECRET not in NetworkError(f"server said {SECRET}").message
    assert SECRET not in str(FollowauditError(f"server said {SECRET}"))


def test_an_error_body_is_redacted_before_the_adapter_sees_it():
    token = "another-token-only-sent-in-this-test"
    clock = FakeClock()

    def echo(request: httpx.Request) -> httpx.Response:
        auth = request.headers["authorization"]
        return httpx.Response(422, json={"detail": f"bad {auth}", "echo": {"h": auth}})

    http = Http(transport=httpx.MockTransport(echo), clock=clock, sleep=clock.sleep)
    with pytest.raises(HttpStatusError) as caught:
        http.get("https://api.x.com/2/users/1", headers={"Authorization": f"Bearer {token}"})
    assert token not in repr(caught.value.data) and token not in caught.value.message
    assert caught.value.data == {"detail": "bad REDACTED", "echo": {"h": "REDACTED"}}
