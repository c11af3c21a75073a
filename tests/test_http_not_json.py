"""A complete answer that is not JSON (a wrong URL, a captive portal) fails at once, unretried."""

from __future__ import annotations

import random

import httpx
import pytest
from fakes.clock import FakeClock

from followaudit.errors import ExitCode, InvalidResponseError
from followaudit.live.http import Http

URL = "https://wrong.example.org/xrpc/app.bsky.actor.getProfile"
PAGE = b"<!doctype html><html><body>Welcome to the hotel wifi</body></html>"


def fetch(*answers: httpx.Response) -> tuple[list[str], FakeClock, pytest.ExceptionInfo]:
    seen: list[str] = []
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers[min(len(seen), len(answers) - 1)]
        seen.append(str(request.url))
        return answer

    http = Http(
        transport=httpx.MockTransport(handler), clock=clock, sleep=clock.sleep, rng=random.Random(1)
    )
    with pytest.raises(InvalidResponseError) as caught:
        http.get(URL, params={"actor": "subject.bsky.social"})
    return seen, clock, caught


def test_an_html_page_fails_at_the_first_answer_with_a_sentence():
    seen, clock, caught = fetch(
        httpx.Response(200, content=PAGE, headers={"content-type": "text/html; charset=utf-8"})
    )
    assert len(seen) == 1
    assert clock.sleeps == []
    assert caught.value.message == (
        "wrong.example.org answered with text/html, not the API's JSON: check the URL "
        "(https://wrong.example.org/xrpc/app.bsky.actor.getProfile?actor=subject.bsky.social)"
    )
    assert caught.value.exit_code == ExitCode.NETWORK


def test_a_complete_body_without_a_content_type_fails_at_once():
    seen, _, caught = fetch(httpx.Response(200, content=b"hello"))
    assert len(seen) == 1
    assert "answered with no content type, not the API's JSON" in caught.value.message


def test_a_body_shorter_than_its_content_length_is_retried():
    cut = httpx.Response(200, content=b"<html>", headers={"content-length": "900"})
    seen, _, caught = fetch(cut)
    assert len(seen) == 6  # the first try and 5 retries
    assert "not complete JSON" in caught.value.message


def test_a_problem_json_body_cut_short_is_retried():
    cut = httpx.Response(
        200, content=b'{"title":', headers={"content-type": "application/problem+json"}
    )
    seen, _, _ = fetch(cut)
    assert len(seen) == 6
