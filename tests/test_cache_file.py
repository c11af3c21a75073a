"""The cache file is private (0600) and never made out of a file that is not a cache.

Issue 9, item 6: the cache holds what the token paid for, so it is created
0600 like the config file; an existing file given to --cache that is not a
SQLite database (empty, text, a FIFO) is refused with exit 3 and left as it
was, and no request is made.
"""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from clirun import run_flat
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode
from followaudit.live.cache import Cache, CacheError

REFUSE = (
    "followaudit writes its cache only to a new file or to an existing cache: give "
    "--cache a new path, or pass --no-cache"
)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=20) as s:
        yield s


def scan(capsys, server, cache):
    return run_flat(
        capsys,
        "scan",
        "@subject",
        "--api-url",
        server.url,
        "--no-posts",
        "--cache",
        cache,
        "--quiet",
    )


def test_a_new_cache_and_its_wal_are_readable_by_the_owner_only(capsys, server, tmp_path):
    os.umask(0o022)  # the usual umask, which would make it 0644
    path = tmp_path / "new" / "cache.sqlite3"
    code, _, err = scan(capsys, server, path)
    assert code == ExitCode.OK, err
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            assert mode(extra) == 0o600
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM requests").fetchone()[0] == 2


def test_an_existing_world_readable_cache_is_tightened(tmp_path):
    path = tmp_path / "cache.sqlite3"
    Cache(path).close()
    os.chmod(path, 0o644)
    Cache(path).close()
    assert mode(path) == 0o600


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"", "exists but is empty, not a SQLite database"),
        (b"my notes, not a cache\n", "is not a SQLite database"),
    ],
)
def test_a_file_that_is_not_a_cache_is_refused_and_left_alone(
    capsys, server, tmp_path, content, sentence
):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    os.chmod(path, 0o644)
    code, out, err = scan(capsys, server, path)
    assert code == ExitCode.INPUT
    assert err == f"Error: The cache file {path} {sentence}; {REFUSE}"
    assert out == "" and "Traceback" not in err
    assert path.read_bytes() == content and mode(path) == 0o644
    assert not path.with_name("notes.txt-wal").exists()
    assert server.total == 0  # refused before any (paid) request


def test_a_fifo_is_refused_without_blocking(capsys, server, tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    code, _, err = scan(capsys, server, path)
    assert code == ExitCode.INPUT
    assert err == f"Error: The cache path {path} is not a regular file; {REFUSE}"


def test_the_default_cache_when_damaged_only_warns(capsys, server, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    default = tmp_path / "followaudit" / "cache.sqlite3"
    default.parent.mkdir()
    default.write_bytes(b"")
    code, _, err = run_flat(
        capsys, "scan", "@subject", "--api-url", server.url, "--no-posts", "--quiet"
    )
    assert code == ExitCode.OK
    flat = "".join(err.split())  # rich may wrap the warning anywhere
    assert "".join(f"warning: The cache file {default} exists but is empty".split()) in flat
    assert flat.endswith("runningwithoutacache")
    assert default.read_bytes() == b""


def test_the_library_raises_the_same_sentence(tmp_path):
    path = tmp_path / "empty"
    path.touch()
    with pytest.raises(CacheError) as caught:
        Cache(path)
    assert caught.value.exit_code == ExitCode.INPUT
    assert "exists but is empty" in caught.value.message
