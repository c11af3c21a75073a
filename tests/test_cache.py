"""The SQLite cache stores answers and scans, expires them, and fails with clear sentences."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from fakes.clock import START, FakeClock

from followaudit.errors import ExitCode
from followaudit.live.cache import (
    SCHEMA_VERSION,
    Cache,
    CacheError,
    default_cache_path,
    open_cache,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(tmp_path: Path, clock: FakeClock) -> Cache:
    return Cache(tmp_path / "sub" / "cache.sqlite3", max_age=100, clock=clock)


def test_put_then_get_round_trips(cache: Cache, clock: FakeClock) -> None:
    cache.put("GET https://a/x", 200, {"Content-Type": "application/json"}, b'{"a":1}', START)
    hit = cache.get("GET https://a/x")
    assert hit is not None
    assert (hit.status, hit.body, hit.fetched_at) == (200, b'{"a":1}', START)
    assert hit.headers == {"content-type": "application/json"}
    assert cache.get("GET https://a/y") is None


def test_only_kept_headers_are_stored(cache: Cache) -> None:
    cache.put(
        "k",
        200,
        {
            "Link": "<n>",
            "Set-Cookie": "s=1",
            "Authorization": "Bearer t",
            "x-rate-limit-reset": "1",
        },
        b"{}",
        START,
    )
    hit = cache.get("k")
    assert hit is not None and hit.headers == {"link": "<n>", "x-rate-limit-reset": "1"}


def test_entries_expire_after_max_age(cache: Cache, clock: FakeClock) -> None:
    cache.put("k", 200, {}, b"{}", START)
    clock.advance(100)
    assert cache.get("k") is not None
    clock.advance(0.5)
    assert cache.get("k") is None
    assert cache.info().entries == 1 and cache.info().fresh_entries == 0


def test_a_put_replaces_the_old_answer(cache: Cache) -> None:
    cache.put("k", 200, {}, b"1", START)
    cache.put("k", 200, {}, b"2", START + 1)
    hit = cache.get("k")
    assert hit is not None and hit.body == b"2" and cache.info().entries == 1


def test_info_and_clear(cache: Cache, tmp_path: Path) -> None:
    cache.put("a", 200, {}, b"x" * 1000, START - 10)
    cache.put("b", 200, {}, b"{}", START)
    cache.put_scan("x", "jack", '{"authentic": 0.9}', START)
    info = cache.info()
    assert info.path == tmp_path / "sub" / "cache.sqlite3"
    assert (info.entries, info.scans, info.oldest, info.newest) == (2, 1, START - 10, START)
    assert info.size_bytes > 1000
    assert cache.clear() == 2
    assert cache.info().entries == 0 and cache.info().scans == 1
    cache.clear(include_scans=True)
    assert cache.info().scans == 0


def test_latest_scan_is_the_newest_and_ignores_handle_case(cache: Cache) -> None:
    assert cache.latest_scan("x", "jack") is None
    cache.put_scan("x", "Jack", '{"run": 1}', START)
    cache.put_scan("x", "jack", '{"run": 2}', START + 50)
    cache.put_scan("bluesky", "jack", '{"run": 3}', START + 99)
    assert cache.latest_scan("x", "JACK") == ('{"run": 2}', START + 50)


def test_the_file_uses_wal_and_records_its_schema_version(cache: Cache) -> None:
    db = sqlite3.connect(cache.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    db.close()


def test_threads_can_share_one_cache(cache: Cache) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.put(f"{n}/{i}", 200, {}, b"{}", START)
                assert cache.get(f"{n}/{i}") is not None
        except AssertionError as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and cache.info().entries == 400


def test_a_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    # A SQLite header, then garbage: a database damaged on disk.
    path.write_bytes(b"SQLite format 3\x00" + b"this is not a database, just text " * 100)
    with pytest.raises(CacheError) as caught:
        Cache(path)
    assert caught.value.exit_code == ExitCode.INPUT
    assert str(caught.value).startswith(f"The cache file {path} is damaged (")
    assert "delete it" in str(caught.value)


def test_open_cache_falls_back_to_no_cache_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    cache, warning = open_cache(path)
    assert cache is None
    assert warning is not None and warning.endswith("; running without a cache")
    ok, none = open_cache(tmp_path / "good.sqlite3")
    assert ok is not None and none is None


def test_a_path_that_cannot_be_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(CacheError, match="is not a regular file"):
        Cache(tmp_path / "dir.sqlite3")
    (tmp_path / "file").write_text("")
    with pytest.raises(CacheError, match="Cannot create the cache folder"):
        Cache(tmp_path / "file" / "cache.sqlite3")


def test_a_file_from_a_newer_followaudit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    Cache(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(CacheError, match="written by a newer followaudit"):
        Cache(path)


def test_a_failing_write_does_not_abort_the_run(cache: Cache) -> None:
    cache._db.execute("PRAGMA query_only = ON")  # stands in for a full disk
    cache.put("k", 200, {}, b"{}", START)
    cache.put("k2", 200, {}, b"{}", START)
    assert cache.get("k") is None
    assert cache.write_error is not None
    assert cache.write_error.startswith(f"Could not write to the cache file {cache.path} (")


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"HOME": "/home/u"}, "linux", "/home/u/.cache/followaudit/cache.sqlite3"),
        ({"HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"}, "linux", "/xdg/followaudit/cache.sqlite3"),
        (
            {"HOME": "/home/u", "XDG_CACHE_HOME": "rel"},
            "linux",
            "/home/u/.cache/followaudit/cache.sqlite3",
        ),
        ({"HOME": "/Users/u"}, "darwin", "/Users/u/Library/Caches/followaudit/cache.sqlite3"),
    ],
)
def test_default_cache_path(
    env: dict[str, str], platform: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_cache_path(platform) == Path(expected)
