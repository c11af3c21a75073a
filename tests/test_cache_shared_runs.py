"""Two runs sharing one cache at once fetch each answer once (issue 9, item 6).

Before, two scans on one cache each repeated every request (282 instead of
141). Now the first run to need an answer claims it in the cache; the other
waits for it and reads it. A claim whose owner died is taken over.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from fakes import Faults
from fakes.bluesky_server import BlueskyServer
from fakes.x_server import TOKEN, XServer

from followaudit.live.cache import Cache
from followaudit.live.http import Http, cache_key

AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROOT = Path(__file__).resolve().parents[1]


def urls(server: XServer) -> list[str]:
    return [f"{server.url}/2/users/{2_000_000 + i}/tweets?max_results=5" for i in range(20)]


def test_two_runs_at_once_fetch_each_answer_once(tmp_path):
    path = tmp_path / "cache.sqlite3"
    start = threading.Barrier(2)
    runs: list[Http] = []
    errors: list[BaseException] = []

    def run(server: XServer) -> None:
        # Its own connection to the file, as a second process has.
        with Cache(path) as cache, Http(cache=cache) as http:
            runs.append(http)
            start.wait()
            try:
                for url in urls(server):
                    http.get(url, headers=AUTH)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

    with XServer(n=10, faults=Faults(delay=0.05)) as server:
        threads = [threading.Thread(target=run, args=(server,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert server.total == 20 and server.duplicates() == []
    assert sum(h.stats.made for h in runs) == 20
    assert sum(h.stats.shared for h in runs) > 0  # one run really waited for the other


def test_a_claim_by_a_live_run_is_waited_for_and_its_answer_read(tmp_path):
    path = tmp_path / "cache.sqlite3"
    with XServer(n=10) as server, Cache(path) as mine, Cache(path) as other:
        url = urls(server)[0]
        key = cache_key(url)
        assert other.claim(key)  # the other run is fetching it

        def answer_later() -> None:
            time.sleep(0.3)
            other.put(key, 200, {"content-type": "application/json"}, b'{"data": []}', time.time())
            other.release(key)

        threading.Thread(target=answer_later).start()
        with Http(cache=mine) as http:
            response = http.get(url, headers=AUTH)
        assert response.from_cache and response.data == {"data": []}
        assert (http.stats.made, http.stats.shared) == (0, 1) and server.total == 0


def test_a_claim_left_by_a_dead_process_is_taken_over(tmp_path):
    path = tmp_path / "cache.sqlite3"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with XServer(n=10) as server, Cache(path) as cache:
        url = urls(server)[0]
        cache._db.execute(
            "INSERT INTO claims (key, owner, host, pid, claimed_at) VALUES (?, ?, ?, ?, ?)",
            (cache_key(url), "killed-run", socket.gethostname(), dead.pid, time.time()),
        )
        with Http(cache=cache) as http:
            http.get(url, headers=AUTH)
        assert http.stats.made == 1 and server.total == 1
        # ...and released once the answer is stored.
        assert cache._db.execute("SELECT count(*) FROM claims").fetchone()[0] == 0


def test_two_scans_started_together_make_one_scans_requests(tmp_path):
    def scan(server: BlueskyServer, cache: Path) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "followaudit",
                "scan",
                "subject.bsky.social",
                "--api-url",
                server.url,
                "--cache",
                str(cache),
                "--no-posts",
                "--quiet",
            ],
            cwd=ROOT,
            env={**os.environ},
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    with BlueskyServer(n=60, faults=Faults(delay=0.2)) as server:
        alone = scan(server, tmp_path / "alone.sqlite3")
        assert alone.wait(timeout=120) == 0, alone.stderr.read() if alone.stderr else ""
        single = server.total
        server.reset_counts()
        shared = tmp_path / "shared.sqlite3"
        both = [scan(server, shared), scan(server, shared)]
        codes = [p.wait(timeout=120) for p in both]
        assert codes == [0, 0], [p.stderr.read() for p in both if p.stderr]
        assert (server.total, server.duplicates()) == (single, []), single
    assert single >= 5
