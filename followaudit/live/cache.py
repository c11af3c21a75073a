"""The SQLite cache of API answers and finished scans.

Every paid request is money (about $0.01 per X user returned), so answers
are kept and a re-run, or a run resumed after a rate-limit stop, reads them
back instead of paying twice. Entries older than ``max_age`` (24 h by
default) count as absent so an audit stays fresh; ``Http(refresh=True)``
skips reads but still writes.

Only response data is stored: the request key is the method, the redacted
URL and its sorted query (never a request header), and of the response
headers only those in ``KEPT_HEADERS`` (content type,
paging, rate limits) are kept, so no token can land in the file.

Finished scans are kept for ``followaudit report`` and ``followaudit
history``: every scan's audit without its scored followers (a few
kilobytes), the scored followers and the ids listed of the latest scan of
each account only (what a rescan re-uses), at most ``MAX_STORED_SCANS`` per
account. Schema 2 (issue 19) added those two columns; a schema-1 file is
migrated when it is opened.

A file that is corrupt, from a newer followaudit, or cannot be created
raises ``CacheError`` when the ``Cache`` is opened; ``open_cache`` turns that
into ``(None, warning)`` for callers that prefer to run without a cache. A
write that fails later (disk full) does not abort an audit: the first
failure is kept in ``Cache.write_error`` and further writes are skipped.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from followaudit.errors import ExitCode, FollowauditError
from followaudit.filesystem import process_alive, user_dirs

# The only response headers kept on a Response and in the cache: what the
# adapters need (paging, content type, limits), nothing a server could use
# to hand back something secret such as a cookie.
KEPT_HEADERS: frozenset[str] = frozenset(
    {
        "content-type",
        "link",
        "date",
        "retry-after",
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "ratelimit-policy",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    }
)

__all__ = [
    "KEPT_HEADERS",
    "SCHEMA_VERSION",
    "Cache",
    "CacheError",
    "CacheInfo",
    "CachedResponse",
    "StoredScan",
    "default_cache_path",
    "open_cache",
]

SCHEMA_VERSION = 2
DEFAULT_MAX_AGE = 86400.0
# Scans kept per account for `followaudit history` (ten years of weekly scans); the
# oldest goes first. Only the latest keeps its scored followers and its listing.
MAX_STORED_SCANS = 520

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    key TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    headers_json TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS scans (
    platform TEXT NOT NULL,
    handle TEXT NOT NULL,
    finished_at REAL NOT NULL,
    result_json TEXT NOT NULL,
    rows_json TEXT,
    listed_json TEXT
);
CREATE INDEX IF NOT EXISTS scans_by_handle ON scans (platform, handle, finished_at);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    claimed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS scan_aliases (
    platform TEXT NOT NULL,
    handle TEXT NOT NULL,
    target_platform TEXT NOT NULL,
    target_handle TEXT NOT NULL,
    PRIMARY KEY (platform, handle)
);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_FORGET_FOLLOWERS = (
    "UPDATE scans SET rows_json = NULL, listed_json = NULL WHERE platform = ? AND handle = ?"
)
_KEEP_NEWEST = (
    "DELETE FROM scans WHERE platform = ? AND handle = ? AND rowid NOT IN "
    "(SELECT rowid FROM scans WHERE platform = ? AND handle = ? ORDER BY finished_at DESC LIMIT ?)"
)
_INSERT_SCAN = (
    "INSERT INTO scans (platform, handle, finished_at, result_json, rows_json, listed_json) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_PUT_ALIAS = (
    "INSERT OR REPLACE INTO scan_aliases (platform, handle, target_platform, target_handle) "
    "VALUES (?, ?, ?, ?)"
)


_HISTORY = (
    "SELECT result_json, finished_at, rows_json, listed_json FROM scans "
    "WHERE platform = ? AND handle = ? ORDER BY finished_at"
)
_HISTORY_SUMMARIES = (
    "SELECT result_json, finished_at, NULL, NULL FROM scans "
    "WHERE platform = ? AND handle = ? ORDER BY finished_at"
)


class CacheError(FollowauditError):
    """The cache file cannot be opened, read or created."""

    exit_code = ExitCode.INPUT


class DamagedCacheError(CacheError):
    """The cache file itself is damaged (SQLite says so): ``cache clear`` replaces it whole."""


@dataclass(frozen=True)
class CachedResponse:
    """A stored 2xx answer."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    fetched_at: float


@dataclass(frozen=True)
class StoredScan:
    """A finished scan as stored: its parts are JSON text the caller reads."""

    result_json: str  # the audit without its scored followers (with them, in a schema-1 row)
    finished_at: float  # epoch seconds
    rows_json: str | None = None  # its scored followers: the latest scan of an account only
    listed_json: str | None = None  # the ids it listed, in list order: the latest scan only


@dataclass(frozen=True)
class CacheInfo:
    """What ``followaudit cache info`` shows."""

    path: Path
    entries: int  # stored requests, fresh or not
    fresh_entries: int  # those younger than max_age
    scans: int
    size_bytes: int  # the database file plus its WAL
    oldest: float | None  # fetched_at epoch seconds
    newest: float | None


def default_cache_path(platform: str | None = None) -> Path:
    """Return where the cache lives: the user cache folder + cache.sqlite3 (platformdirs).

    ``$XDG_CACHE_HOME/followaudit`` (default ``~/.cache/followaudit``) on
    Linux and other Unixes, ``~/Library/Caches/followaudit`` on macOS,
    ``%LOCALAPPDATA%\\followaudit\\Cache`` on Windows.
    """
    return user_dirs(platform).user_cache_path / "cache.sqlite3"


class Cache:
    """Return stored API answers by key; thread-safe (one connection behind a lock)."""

    def __init__(
        self,
        path: Path,
        *,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.time,
        forgiving: bool = False,
    ) -> None:
        self.path = Path(path)
        self.max_age = max_age
        self.clock = clock
        self.write_error: str | None = None
        # forgiving (the default cache): a file found damaged mid-run is moved aside and a
        # fresh one started, with this sentence for the user, instead of failing the scan.
        self.forgiving = forgiving
        self.replaced: str | None = None
        self._lock = threading.Lock()
        # Who this Cache is when it claims a request (see claim): one per open cache,
        # so two runs in one process share answers as two processes do.
        self.owner = f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise CacheError(
                f"Cannot create the cache folder {self.path.parent} ({exc.strerror}); "
                "pass --cache PATH or --no-cache"
            ) from None
        _prepare_file(self.path)
        try:
            # check_same_thread=False: get_many's worker threads share it under _lock.
            self._db = sqlite3.connect(
                self.path, timeout=10.0, check_same_thread=False, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise self._open_error(exc) from None
        try:
            self._setup()
        except sqlite3.Error as exc:
            self._db.close()
            raise self._open_error(exc) from None

    def _recover(self, exc: sqlite3.Error) -> bool:
        """Start a fresh cache in place of a damaged one (forgiving caches only; hold the lock).

        Returns whether it did; the damaged file is kept beside it for whoever
        wants to look, as ``NAME.damaged-TIME``.
        """
        if not (self.forgiving and _is_damage(exc)) or self.replaced is not None:
            return False
        aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
        try:
            self._db.close()
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            os.replace(self.path, aside)
            _prepare_file(self.path)
            self._db = sqlite3.connect(
                self.path, timeout=10.0, check_same_thread=False, isolation_level=None
            )
            self._setup()
        except (OSError, sqlite3.Error, CacheError):
            return False
        self.replaced = (
            f"the cache file {self.path} was damaged ({exc}): it was moved to {aside.name} "
            "and a fresh cache started (nothing but re-fetchable answers is lost)"
        )
        return True

    def _open_error(self, exc: sqlite3.Error) -> CacheError:
        text = str(exc)
        if _is_damage(exc):
            return DamagedCacheError(
                f"The cache file {self.path} is damaged ({text}); delete it "
                "(nothing but re-fetchable answers is lost) or pass --no-cache"
            )
        return CacheError(
            f"Cannot use the cache file {self.path} ({text}); check its permissions, "
            "or pass --cache PATH or --no-cache"
        )

    def _setup(self) -> None:
        db = self._db
        db.execute("PRAGMA busy_timeout = 10000")
        # WAL lets a second followaudit process read while this one writes.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
        row = db.execute("SELECT max(version) FROM schema_version").fetchone()
        version = row[0] if row else None
        if version is None:
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        elif version > SCHEMA_VERSION:
            raise CacheError(
                f"The cache file {self.path} was written by a newer followaudit "
                f"(schema {version}, this one reads {SCHEMA_VERSION}); upgrade followaudit "
                "or pass --cache PATH"
            )
        elif version < SCHEMA_VERSION:
            self._migrate()
        # A read-only file opens fine; find out now rather than at the first put.
        db.execute("BEGIN IMMEDIATE")
        db.execute("COMMIT")

    def _migrate(self) -> None:
        """Bring a schema-1 file to schema 2, in one transaction (another run may race us).

        Schema 1 kept one scan per account, its followers inside its JSON; the
        new columns stay empty for it, so its JSON is read as before. A file
        from before that bound may hold several scans of an account: only the
        newest is kept, as schema 1 would have kept.
        """
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
            if version == 1:
                columns = {r[1] for r in db.execute("PRAGMA table_info(scans)").fetchall()}
                for column in ("rows_json", "listed_json"):
                    if column not in columns:
                        db.execute(f"ALTER TABLE scans ADD COLUMN {column} TEXT")
                db.execute(
                    "DELETE FROM scans WHERE rowid NOT IN (SELECT rowid FROM scans s WHERE "
                    "s.finished_at = (SELECT max(finished_at) FROM scans t WHERE "
                    "t.platform = s.platform AND t.handle = s.handle))"
                )
                db.execute("DELETE FROM schema_version")
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- requests -----------------------------------------------------------

    def get(self, key: str) -> CachedResponse | None:
        """Return the stored answer for ``key``, or None if absent or older than max_age."""
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT status, headers_json, body, fetched_at FROM requests WHERE key = ?",
                    (key,),
                ).fetchone()
            except sqlite3.Error as exc:
                if self._recover(exc):
                    return None  # a fresh cache holds nothing yet
                raise self._open_error(exc) from None
        if row is None:
            return None
        status, headers_json, body, fetched_at = row
        if self.clock() - fetched_at > self.max_age:
            return None
        try:
            headers = json.loads(headers_json)
        except ValueError:
            return None
        if not isinstance(headers, dict):
            return None
        return CachedResponse(int(status), headers, bytes(body), float(fetched_at))

    # -- claims: concurrent runs share answers -----------------------------

    def claim(self, key: str) -> bool:
        """Return True if this cache may fetch ``key`` now: no other run is fetching it.

        Two scans sharing a cache would otherwise both pay for every answer.
        The first to claim a key fetches it; the others wait for its answer
        (``Http`` polls ``get``). A claim whose owner died (a process of this
        machine no longer running, or one older than CLAIM_STALE seconds) is
        taken over. A cache that cannot be written lets every run fetch.
        """
        now = self.clock()
        with self._lock:
            if self.write_error is not None:
                return True
            try:
                inserted = self._db.execute(
                    "INSERT OR IGNORE INTO claims (key, owner, host, pid, claimed_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, self.owner, _HOST, os.getpid(), now),
                ).rowcount
                if inserted:
                    return True
                row = self._db.execute(
                    "SELECT owner, host, pid, claimed_at FROM claims WHERE key = ?", (key,)
                ).fetchone()
                if row is None:  # released in between: try again at the next poll
                    return False
                owner, host, pid, claimed_at = row
                alive = now - float(claimed_at) < CLAIM_STALE and (
                    host != _HOST or process_alive(int(pid))
                )
                if alive:
                    return False
                return bool(
                    self._db.execute(
                        "UPDATE claims SET owner = ?, host = ?, pid = ?, claimed_at = ? "
                        "WHERE key = ? AND owner = ?",
                        (self.owner, _HOST, os.getpid(), now, key, owner),
                    ).rowcount
                )
            except sqlite3.Error:
                return True  # no coordination is better than no scan

    def release(self, key: str) -> None:
        """Drop this cache's claim on ``key`` (after its answer is stored, or it failed)."""
        with self._lock:
            try:
                self._db.execute(
                    "DELETE FROM claims WHERE key = ? AND owner = ?", (key, self.owner)
                )
            except sqlite3.Error:
                pass

    def put(
        self,
        key: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        fetched_at: float,
    ) -> None:
        """Store an answer, keeping only the response headers in KEPT_HEADERS."""
        kept = {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
        self._write(
            "INSERT OR REPLACE INTO requests (key, status, headers_json, body, fetched_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (key, status, json.dumps(kept, sort_keys=True), sqlite3.Binary(body), fetched_at),
        )

    def _write_all(self, statements: list[tuple[str, tuple[object, ...]]]) -> None:
        """Run ``statements`` in one transaction; a failure is kept in write_error, as in _write."""
        with self._lock:
            if self.write_error is not None:
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for sql, args in statements:
                        self._db.execute(sql, args)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._write_failed(exc)

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        with self._lock:
            if self.write_error is not None:
                return
            try:
                self._db.execute(sql, args)
            except sqlite3.Error as exc:
                self._write_failed(exc)

    def _write_failed(self, exc: sqlite3.Error) -> None:
        """Start afresh from a damaged file, or keep the failure and write no more (hold the lock)."""
        if not self._recover(exc):
            self.write_error = (
                f"Could not write to the cache file {self.path} ({exc}); "
                "the rest of this run is not cached"
            )

    # -- settings: what a platform taught an earlier run ---------------------

    def setting(self, name: str) -> str | None:
        """Return a remembered setting (X's post parameter names, say), or None."""
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT value FROM settings WHERE name = ?", (name,)
                ).fetchone()
            except sqlite3.Error:
                return None  # not remembered: learnt again, for free
        return None if row is None else str(row[0])

    def put_setting(self, name: str, value: str) -> None:
        """Remember a setting for later runs (never expires; ``cache clear`` keeps it)."""
        self._write("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", (name, value))

    # -- scans --------------------------------------------------------------

    def put_scan(
        self,
        platform: str,
        handle: str,
        result_json: str,
        finished_at: float,
        aliases: Iterable[tuple[str, str]] = (),
        *,
        rows_json: str | None = None,
        listed_json: str | None = None,
    ) -> None:
        """Store a finished scan for ``followaudit report``, ``history`` and the next rescan.

        ``result_json``: the audit without its scored followers; ``rows_json``
        those followers and ``listed_json`` the ids listed. Earlier scans of the
        (platform, handle) keep their ``result_json`` (the history) but lose
        their followers and listing: a scan holds every scored follower (about
        600 bytes each), so keeping them all would grow the file without limit.
        At most ``MAX_STORED_SCANS`` are kept, the oldest dropped first.
        ``aliases`` are other keys the same account is known by (a DID typed
        for a Bluesky handle): they point at this account rather than hold a
        copy. One transaction: a crash leaves the old scans or the new one too,
        never neither.
        """
        key = (platform, handle.lower())
        others = sorted({(p, h.lower()) for p, h in aliases} - {key})
        statements: list[tuple[str, tuple[object, ...]]] = [
            (_FORGET_FOLLOWERS, key),
            ("DELETE FROM scan_aliases WHERE platform = ? AND handle = ?", key),
            (_INSERT_SCAN, (*key, finished_at, result_json, rows_json, listed_json)),
            (_KEEP_NEWEST, (*key, *key, MAX_STORED_SCANS)),
        ]
        for alias in others:
            statements.append(("DELETE FROM scans WHERE platform = ? AND handle = ?", alias))
            statements.append((_PUT_ALIAS, (*alias, *key)))
        self._write_all(statements)

    def _target(self, platform: str, handle: str) -> tuple[str, str]:
        """Return the key a handle's scans are stored under: its own, or what its alias names.

        A key that holds scans of its own wins over an alias (as it always has).
        """
        key = (platform, handle.lower())
        own = self._db.execute(
            "SELECT 1 FROM scans WHERE platform = ? AND handle = ? LIMIT 1", key
        ).fetchone()
        if own is not None:
            return key
        alias = self._db.execute(
            "SELECT target_platform, target_handle FROM scan_aliases "
            "WHERE platform = ? AND handle = ?",
            key,
        ).fetchone()
        return key if alias is None else (str(alias[0]), str(alias[1]))

    def latest_stored(self, platform: str, handle: str) -> StoredScan | None:
        """Return the newest scan of a handle or alias with all its parts, whatever its age."""
        with self._lock:
            target = self._target(platform, handle)
            row = self._db.execute(
                "SELECT result_json, finished_at, rows_json, listed_json FROM scans "
                "WHERE platform = ? AND handle = ? ORDER BY finished_at DESC LIMIT 1",
                target,
            ).fetchone()
        if row is None:
            return None
        return StoredScan(str(row[0]), float(row[1]), row[2], row[3])

    def latest_scan(self, platform: str, handle: str) -> tuple[str, float] | None:
        """Return (result_json, finished_at) of the newest scan of a handle or alias, whatever its age."""
        found = self.latest_stored(platform, handle)
        return None if found is None else (found.result_json, found.finished_at)

    def scan_history(
        self, platform: str, handle: str, *, followers: bool = True
    ) -> list[StoredScan]:
        """Return every stored scan of a handle or alias, oldest first (followers of the latest
        only; none read when ``followers`` is False, for what needs the summaries alone)."""
        query = _HISTORY if followers else _HISTORY_SUMMARIES
        with self._lock:
            target = self._target(platform, handle)
            rows = self._db.execute(query, target).fetchall()
        return [StoredScan(str(r[0]), float(r[1]), r[2], r[3]) for r in rows]

    def stored_scans(self) -> int:
        """Return how many scan results are stored (every account's history)."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM scans").fetchone()[0])

    # -- maintenance --------------------------------------------------------

    def info(self) -> CacheInfo:
        """Return the cache's path, entry counts, size on disk and fetch-time range.

        CacheError (exit 3) naming a damaged file.
        """
        with self._lock:
            try:
                entries, oldest, newest = self._db.execute(
                    "SELECT count(*), min(fetched_at), max(fetched_at) FROM requests"
                ).fetchone()
                fresh = self._db.execute(
                    "SELECT count(*) FROM requests WHERE fetched_at >= ?",
                    (self.clock() - self.max_age,),
                ).fetchone()[0]
                scans = self._db.execute("SELECT count(*) FROM scans").fetchone()[0]
            except sqlite3.Error as exc:
                raise self._open_error(exc) from None
        size = 0
        for suffix in ("", "-wal"):
            try:
                size += os.path.getsize(f"{self.path}{suffix}")
            except OSError:
                pass
        return CacheInfo(self.path, int(entries), int(fresh), int(scans), size, oldest, newest)

    def clear(self, *, include_scans: bool = False) -> int:
        """Return how many stored answers were removed (all; scans too if asked).

        DamagedCacheError (exit 3) naming a damaged file: ``delete_cache_files`` removes it.
        """
        with self._lock:
            try:
                cursor = self._db.execute("DELETE FROM requests")
                removed = cursor.rowcount
                if include_scans:
                    self._db.execute("DELETE FROM scans")
                    self._db.execute("DELETE FROM scan_aliases")
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._db.execute("VACUUM")
            except sqlite3.Error as exc:
                raise self._open_error(exc) from None
        return removed

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


SQLITE_HEADER = b"SQLite format 3\x00"
# A claim older than this is abandoned whatever its owner: the longest a request
# may hold one is a rate-limit wait (15 min by default) plus its retries.
CLAIM_STALE = 1800.0
_HOST = socket.gethostname()


def _is_damage(exc: sqlite3.Error) -> bool:
    """Return whether an SQLite error says the file itself is damaged (not busy, not read-only)."""
    text = str(exc)
    return isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "corrupt" in text
    )


def delete_cache_files(path: Path) -> None:
    """Remove a cache file and its journal (``cache clear`` on a file too damaged to clear)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _create(path: Path) -> None:
    """Create an empty cache database at ``path`` (0600) unless another run just did."""
    building = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.new")
    fd = os.open(building, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        db = sqlite3.connect(building, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        finally:
            db.close()
        try:
            os.link(building, path)
        except FileExistsError:
            pass  # another run created it first: that one is used
        except OSError:
            if not os.path.lexists(path):  # a file system without hard links
                os.replace(building, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{building}{suffix}")
            except FileNotFoundError:
                pass


def _prepare_file(path: Path) -> None:
    """Create the cache file readable by its owner only, or check that an existing one is SQLite.

    The answers in it are what the user's token paid for: 0600, like the
    config file. An existing file that is not a SQLite database (an empty
    file, a text file, a FIFO: a mistyped --cache) is refused rather than
    turned into one. The WAL and shared-memory files SQLite adds beside it
    take the database file's mode.

    A new cache appears under its name only once it is a database (built
    beside it, then hard-linked into place), so a second run starting at the
    same moment never sees an empty file and refuses it.
    """
    if not os.path.lexists(path):
        try:
            _create(path)
        except OSError as exc:
            raise CacheError(
                f"Cannot create the cache file {path} ({exc.strerror}); "
                "pass --cache PATH or --no-cache"
            ) from None
        except sqlite3.Error as exc:
            raise CacheError(
                f"Cannot create the cache file {path} ({exc}); pass --cache PATH or --no-cache"
            ) from None
    refuse = (
        "followaudit writes its cache only to a new file or to an existing cache: give "
        "--cache a new path, or pass --no-cache"
    )
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise CacheError(f"The cache path {path} is not a regular file; {refuse}")
        if info.st_size == 0:
            raise CacheError(
                f"The cache file {path} exists but is empty, not a SQLite database; {refuse}"
            )
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise CacheError(
            f"Cannot use the cache file {path} ({exc.strerror}); check its permissions, "
            "or pass --cache PATH or --no-cache"
        ) from None
    if header != SQLITE_HEADER:
        raise CacheError(f"The cache file {path} is not a SQLite database; {refuse}")
    if hasattr(os, "getuid") and info.st_uid == os.getuid() and info.st_mode & 0o077:
        # A cache written by an earlier version, readable by others: tighten it.
        for suffix in ("", "-wal", "-shm"):
            try:
                os.chmod(f"{path}{suffix}", 0o600)
            except OSError:
                pass


def open_cache(
    path: Path,
    *,
    max_age: float = DEFAULT_MAX_AGE,
    clock: Callable[[], float] = time.time,
) -> tuple[Cache | None, str | None]:
    """Return (cache, None), or (None, warning sentence) when the cache file is unusable."""
    try:
        return Cache(path, max_age=max_age, clock=clock, forgiving=True), None
    except CacheError as exc:
        return None, f"{exc.message}; running without a cache"
