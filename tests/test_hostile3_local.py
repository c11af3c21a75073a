"""Issue 17, causes 13 and 14: local files that are not what they should be.

Cause 13: an export path that is a symbolic link loop made the check that
two exports do not name the same file raise ``RuntimeError: Symlink loop``
(``Path.resolve``), exit 1: it is an export that cannot be written, exit 11.

Cause 14: a cache file with a damaged page (the header and schema intact,
so it opens) failed at its first read: at the default cache path the scan
exited 3, where the docs promise only a warning and a run without (or
with a fresh) cache; ``cache info`` and ``cache clear`` on it exited 1 with
"database disk image is malformed".
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from clirun import run_flat
from corpus.generate import jsonl, x_user
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode
from followaudit.live.cache import Cache, default_cache_path

# -- cause 13 --------------------------------------------------------------------------


@pytest.fixture
def followers(tmp_path) -> Path:
    path = tmp_path / "followers.jsonl"
    path.write_bytes(jsonl([x_user(i) for i in range(10)]))
    return path


@pytest.mark.parametrize("option", ["--csv", "--json"])
def test_an_export_to_a_symlink_loop_is_an_output_error(capsys, tmp_path, followers, option):
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop.name)  # loop.csv -> loop.csv
    code, _, err = run_flat(capsys, "score", followers, option, loop, "--as-of", "2026-01-01")
    assert code == ExitCode.OUTPUT, err  # today: 1, RuntimeError: Symlink loop
    assert "unexpected" not in err
    assert "loop.csv" in err


def test_an_export_to_a_two_link_loop_is_an_output_error(capsys, tmp_path, followers):
    (tmp_path / "a.csv").symlink_to("b.csv")
    (tmp_path / "b.csv").symlink_to("a.csv")
    code, _, err = run_flat(
        capsys, "score", followers, "--csv", tmp_path / "a.csv", "--json", tmp_path / "o.json",
        "--as-of", "2026-01-01",
    )  # fmt: skip
    assert code == ExitCode.OUTPUT, err
    assert "unexpected" not in err
    # A failed export loses nothing else (docs/reliability.md, Exports): the JSON is written.
    assert (tmp_path / "o.json").exists()


# -- cause 14 --------------------------------------------------------------------------


def _damaged_default_cache() -> Path:
    """Return the default cache path, holding a cache whose requests table is damaged."""
    path = default_cache_path()
    with Cache(path) as cache:
        for i in range(200):
            cache.put(f"GET https://api.example/{i}", 200, {}, os.urandom(3000), 1e10)
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = dict(db.execute("SELECT name, rootpage FROM sqlite_master").fetchall())
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = bytearray(path.read_bytes())
    for page in (pages["requests"], pages["sqlite_autoindex_requests_1"]):
        data[(page - 1) * size : page * size] = b"\xff" * size
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_cache_at_the_default_path_only_warns(capsys, monkeypatch):
    _damaged_default_cache()
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=30) as server:
        code, out, err = run_flat(capsys, "scan", "@subject", "--api-url", server.url, "--no-posts")
    assert code == ExitCode.OK, err  # today: 3, "The cache file ... is damaged"
    assert "warning" in err and "damaged" in err
    assert "Listed: 30" in out


def test_cache_info_on_a_damaged_cache_says_so(capsys):
    path = _damaged_default_cache()
    code, out, err = run_flat(capsys, "cache", "info")
    assert code in (ExitCode.OK, ExitCode.INPUT), err  # today: 1, DatabaseError
    assert "unexpected" not in err
    assert "damaged" in out + err and str(path) in out + err


def test_cache_clear_on_a_damaged_cache_clears_it_or_says_so(capsys):
    _damaged_default_cache()
    code, out, err = run_flat(capsys, "cache", "clear")
    assert code in (ExitCode.OK, ExitCode.INPUT), err  # today: 1, DatabaseError
    assert "unexpected" not in err
    if code == ExitCode.OK:  # cleared: the cache works again
        code, out, err = run_flat(capsys, "cache", "info")
        assert code == ExitCode.OK and "Answers: 0" in out, out + err
    else:
        assert "damaged" in err
