"""Stored scans stay bounded: every scan's summary for `history`, the followers of the latest only.

Issue 19 keeps more than the latest scan of an account (history needs them),
so the bound moved: a scan's scored followers and the ids it listed (about
600 bytes a follower) are kept for the latest scan only, its summary for
every scan up to ``MAX_STORED_SCANS``; a typed alias still points at the
account instead of holding a copy. A schema-1 file is migrated when opened.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from clirun import run
from fakes.bluesky_server import SUBJECT_DID, BlueskyServer
from fakes.clock import START

import followaudit.live.cache
from followaudit.errors import ExitCode
from followaudit.live.cache import SCHEMA_VERSION, Cache

DOCUMENT = '{"audits": [{"followers": "' + "x" * 500 + '"}]}'
ROWS = "[" + ",".join(['{"id": "' + "y" * 500 + '"}'] * 10) + "]"


SIZES = {
    "rows_json": "SELECT coalesce(sum(length(rows_json)), 0) FROM scans",
    "listed_json": "SELECT coalesce(sum(length(listed_json)), 0) FROM scans",
}


def stored_bytes(path: Path, column: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(SIZES[column]).fetchone()[0]


def test_every_scan_keeps_its_summary_and_only_the_latest_its_followers(tmp_path: Path) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        for run_number in range(20):
            cache.put_scan(
                "x",
                "Guru",
                DOCUMENT + str(run_number),
                START + run_number,
                rows_json=ROWS,
                listed_json='["1", "2"]',
            )
        assert cache.stored_scans() == 20
        assert cache.latest_scan("x", "guru") == (DOCUMENT + "19", START + 19)
        history = cache.scan_history("x", "GURU")
        assert [s.finished_at for s in history] == [START + n for n in range(20)]
        assert [s.rows_json is not None for s in history] == [False] * 19 + [True]
        assert history[-1].listed_json == '["1", "2"]'
        latest = cache.latest_stored("x", "guru")
        assert latest is not None and latest.rows_json == ROWS
    assert stored_bytes(tmp_path / "c.sqlite3", "rows_json") == len(ROWS)


def test_the_oldest_scans_go_beyond_the_bound(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(followaudit.live.cache, "MAX_STORED_SCANS", 5)
    with Cache(tmp_path / "c.sqlite3") as cache:
        for run_number in range(8):
            cache.put_scan("x", "guru", DOCUMENT + str(run_number), START + run_number)
        cache.put_scan("x", "other", DOCUMENT, START)
        assert [s.result_json[-1] for s in cache.scan_history("x", "guru")] == list("34567")
        assert cache.stored_scans() == 6


def test_an_alias_finds_the_scans_without_a_second_copy(tmp_path: Path) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        for run_number in range(3):
            cache.put_scan(
                "bluesky",
                "subject.bsky.social",
                DOCUMENT + str(run_number),
                START + run_number,
                aliases=[("bluesky", SUBJECT_DID)],
            )
        assert cache.stored_scans() == 3
        for typed in (SUBJECT_DID, "subject.bsky.social"):
            assert cache.latest_scan("bluesky", typed) == (DOCUMENT + "2", START + 2)
            assert len(cache.scan_history("bluesky", typed)) == 3
        assert cache.latest_scan("x", SUBJECT_DID) is None
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        assert (
            db.execute("SELECT count(*) FROM scans WHERE handle = ?", (SUBJECT_DID,)).fetchone()[0]
            == 0
        )


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


SCHEMA_1 = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE requests (key TEXT PRIMARY KEY, status INTEGER NOT NULL,
    headers_json TEXT NOT NULL, body BLOB NOT NULL, fetched_at REAL NOT NULL);
CREATE TABLE scans (platform TEXT NOT NULL, handle TEXT NOT NULL,
    finished_at REAL NOT NULL, result_json TEXT NOT NULL);
CREATE INDEX scans_by_handle ON scans (platform, handle, finished_at);
"""


def test_a_schema_1_file_is_migrated_and_keeps_what_schema_1_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with sqlite3.connect(path) as db:  # what an older followaudit left
        db.executescript(SCHEMA_1)
        for n in range(5):  # from before schema 1 bounded them: every scan, twice for a DID
            for handle in ("subject.bsky.social", SUBJECT_DID):
                db.execute(
                    "INSERT INTO scans VALUES ('bluesky', ?, ?, ?)", (handle, START + n, f"old {n}")
                )
        db.execute("INSERT INTO requests VALUES ('k', 200, '{}', x'7b7d', ?)", (START,))
    path.chmod(0o600)
    with Cache(path) as cache:
        assert cache.latest_scan("bluesky", SUBJECT_DID) == ("old 4", START + 4)
        assert cache.stored_scans() == 2  # the newest of each key, as schema 1 would keep
        assert cache.info().entries == 1  # the cached answers stay
        cache.put_scan(
            "bluesky", "subject.bsky.social", "new", START + 9, aliases=[("bluesky", SUBJECT_DID)]
        )
        history = cache.scan_history("bluesky", SUBJECT_DID)
        assert [(s.result_json, s.rows_json) for s in history] == [("old 4", None), ("new", None)]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_a_newer_cache_is_refused_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    Cache(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(followaudit.live.cache.CacheError, match="written by a newer followaudit"):
        Cache(path)


def test_scanning_a_did_twice_stores_two_scans_under_the_handle(capsys, tmp_path: Path) -> None:
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
        assert cache.stored_scans() == 2
        history = cache.scan_history("bluesky", SUBJECT_DID)
        assert [s.rows_json is not None for s in history] == [False, True]
    assert stored_bytes(path, "listed_json") == len(history[-1].listed_json or "")


def test_cache_clear_keeps_a_sound_cache_it_cannot_read_whatever_its_folder_is_called(
    capsys, tmp_path: Path
) -> None:
    # Only SQLite's own word that the file is damaged replaces it; a path that happens
    # to contain "damaged" is no such word, and its stored scans are kept.
    path = tmp_path / "damaged" / "c.sqlite3"
    Cache(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    code, _, err = run(capsys, "cache", "clear", "--cache", path)
    assert code == ExitCode.INPUT
    assert "written by a newer followaudit" in err
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [
            (SCHEMA_VERSION + 1,)
        ]
