"""Each request has a total deadline and each answer a size cap (issue 9, item 2).

The hostile CLI runs are in test_hostile_servers.py; these pin the limits
themselves: memory stays near the cap, nothing over it is retried, and the
deadline covers a server that drips its headers as well as its body.
"""

from __future__ import annotations

import gzip
import tracemalloc

import httpx
import pytest
from fakes.clock import FakeClock
from fakes.hostile import Hostile
from fakes.x_server import TOKEN, XServer

from followaudit.errors import InvalidResponseError, NetworkError
from followaudit.live.http import MAX_BODY_BYTES, REQUEST_DEADLINE, Http

AUTH = {"Authorization": f"Bearer {TOKEN}"}
MB = 1024 * 1024


def make(**kwargs) -> Http:
    clock = FakeClock()
    return Http(clock=clock, sleep=clock.sleep, **kwargs)


def test_the_documented_limits():
    assert (REQUEST_DEADLINE, MAX_BODY_BYTES) == (60.0, 16 * MB)


@pytest.mark.parametrize("mode", ["oversized", "oversized-chunked"])
def test_a_huge_body_is_cut_at_the_cap_in_bounded_memory(mode):
    hostile = Hostile(mode, where="/followers")
    with XServer(n=10) as server, make(max_body=2 * MB) as http:
        server.hostile = hostile
        site = server.url.removeprefix("http://")  # 127.0.0.1:PORT
        tracemalloc.start()
        try:
            with pytest.raises(InvalidResponseError) as caught:
                http.get(server.url + "/2/users/1001/followers", headers=AUTH)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    verb = "announced" if mode == "oversized" else "sent"
    assert caught.value.message == (
        f"{site}/2/users/1001/followers {verb} more than 2 MB, the most "
        "followaudit reads "
        "of one answer (an API page is under 2 MB); check the API URL"
    )
    assert http.stats.made == 1  # the same server would send the same again: no retry
    assert peak < 4 * 2 * MB  # the body read so far and its copy, nowhere near 1.5 GB
    assert hostile.sent < 64 * MB


def test_a_compressed_body_is_capped_after_decompression():
    bomb = gzip.compress(b"[" + b"0," * (4 * MB) + b"0]")  # 8 MB of JSON in about 8 KB

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=bomb,
            headers={"content-encoding": "gzip", "content-type": "application/json"},
        )

    with (
        make(transport=httpx.MockTransport(answer), max_body=1 * MB) as http,
        pytest.raises(InvalidResponseError, match="sent more than 1 MB"),
    ):
        http.get("https://api.x.com/2/users/1")
    assert len(bomb) < MB


@pytest.mark.parametrize("mode", ["drip", "drip-headers"])
def test_a_dripping_server_is_stopped_at_the_deadline_and_not_retried(mode):
    hostile = Hostile(mode, where="/followers", interval=0.05)
    with XServer(n=10) as server, make(deadline=0.5) as http:
        server.hostile = hostile
        site = server.url.removeprefix("http://")  # 127.0.0.1:PORT
        with pytest.raises(NetworkError) as caught:
            http.get(server.url + "/2/users/1001/followers", headers=AUTH)
    assert caught.value.message.startswith(
        f"{site}/2/users/1001/followers took longer than 0.5 s to answer, the "
        "most followaudit waits for one request ("
    )
    assert http.stats.made == 1 and hostile.served == 1
    if mode == "drip-headers":
        # Stopped while the headers were still dripping: the deadline covers every read.
        assert "(0 bytes had arrived)" in caught.value.message


def test_a_normal_answer_is_untouched_by_the_limits():
    with XServer(n=1000) as server, make() as http:
        response = http.get(
            server.url + "/2/users/1001/followers", params={"max_results": 1000}, headers=AUTH
        )
    assert len(response.data["data"]) == 1000


def test_the_docs_state_the_limits_the_code_has():
    from docpages import page, section

    servers = section(page("reliability"), "## Hostile and failing servers")
    assert f"| Total deadline of one request | {REQUEST_DEADLINE:g} s |" in servers
    assert f"| Size of one answer | {MAX_BODY_BYTES // MB} MB (decompressed) |" in servers
    assert f"took longer than {REQUEST_DEADLINE:g} s to answer" in servers
