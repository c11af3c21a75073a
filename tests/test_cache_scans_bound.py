"""Stored scans stay bounded: one per account, a typed alias points at it instead of copying it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from clirun import run
from fakes.bluesky_server import SUBJECT_DID, BlueskyServer
from fakes.clock import START

from followaudit.errors import ExitCode
from followaudit.live.cache import Cache

DOCUMENT = '{"audits": [{"followers": "' + "x" * 5000 + '"}]}'


def stored_bytes(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT coalesce(sum(length(result_json)), 0) FROM scans").fetchone()[0]


def test_rescanning_keeps_only_the_latest_scan(tmp_path: Path) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        for run_number in range(20):
            cache.put_scan("x", "Guru", DOCUMENT + str(run_number), START + run_number)
        assert cache.stored_scans() == 1
        assert cache.latest_scan("x", "guru") == (DOCUMENT + "19", START + 19)
    assert stored_bytes(tmp_path / "c.sqlite3") == len(DOCUMENT) + 2


def test_an_alias_finds_the_scan_without_a_second_copy(tmp_path: Path) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        for run_number in range(3):
            cache.put_scan(
                "bluesky",
                "subject.bsky.social",
                DOCUMENT + str(run_number),
                START + run_number,
                aliases=[("bluesky", SUBJECT_DID)],
            )
        assert cache.stored_scans() == 1
        for typed in (SUBJECT_DID, "subject.bsky.social"):
            assert cache.latest_scan("bluesky", typed) == (DOCUMENT + "2", START + 2)
        assert cache.latest_scan("x", SUBJECT_DID) is None
    assert stored_bytes(tmp_path / "c.sqlite3") == len(DOCUMENT) + 1


def test_an_alias_follows_the_account_it_now_names(tmp_path: Path) -> None:
    # A handle that moved to another DID: the alias points at the newest scan only.
    with Cache(tmp_path / "c.sqlite3") as cache:
        cache.put_scan(
            "bluesky", "old.bsky.social", '{"run": 1}', START, aliases=[("bluesky", "me.example")]
        )
        cache.put_scan(
            "bluesky",
            "new.bsky.social",
            '{"run": 2}',
            START + 1,
            aliases=[("bluesky", "me.example")],
        )
        assert cache.latest_scan("bluesky", "me.example") == ('{"run": 2}', START + 1)
        assert cache.latest_scan("bluesky", "old.bsky.social") == ('{"run": 1}', START)
        cache.clear(include_scans=True)
        assert cache.stored_scans() == 0
        assert cache.latest_scan("bluesky", "me.example") is None


def test_a_file_from_before_the_bound_is_pruned_at_the_next_scan(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    Cache(path).close()
    with sqlite3.connect(path) as db:  # what older versions left: every scan, twice for a DID
        for n in range(5):
            for handle in ("subject.bsky.social", SUBJECT_DID):
                db.execute(
                    "INSERT INTO scans VALUES ('bluesky', ?, ?, ?)", (handle, START + n, f"old {n}")
                )
    with Cache(path) as cache:
        assert cache.latest_scan("bluesky", SUBJECT_DID) == ("old 4", START + 4)
        cache.put_scan(
            "bluesky", "subject.bsky.social", "new", START + 9, aliases=[("bluesky", SUBJECT_DID)]
        )
        assert cache.stored_scans() == 1
        assert cache.latest_scan("bluesky", SUBJECT_DID) == ("new", START + 9)


def test_scanning_a_did_twice_stores_one_document(capsys, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with BlueskyServer(n=40) as server:
        for _ in range(2):
            code, _, err = run(
                capsys,
                "scan",
                SUBJECT_DID,
                "--api-url",
                server.url,
                "--cache",
                path,
                "--quiet",
                "--refresh",
            )
            assert code == ExitCode.OK, err
    with Cache(path) as cache:
        assert cache.stored_scans() == 1
        assert cache.latest_scan("bluesky", SUBJECT_DID) is not None
