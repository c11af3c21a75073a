"""Where followaudit keeps its files, files written whole or not at all, and live processes.

``user_dirs`` gives the config and cache folders by each platform's
convention (platformdirs).

Every file followaudit replaces (an export, the config file, a model file)
is written to a temporary file beside it, ``.NAME.PID.partial``, and renamed
over the target at the end: a crash, a full disk or Ctrl-C never leaves the
target half-written. A temporary file whose process no longer runs is
removed by the next write of the same target.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from platformdirs.api import PlatformDirsABC

PARTIAL_SUFFIX = ".partial"
APP_NAME = "followaudit"


def user_dirs(platform: str | None = None) -> PlatformDirsABC:
    """Return followaudit's folders by the convention of ``platform`` (default: this system).

    platformdirs' XDG folders on Linux and other Unixes, its macOS and Windows
    folders there; ``platform`` is a ``sys.platform`` value.
    """
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        from platformdirs.macos import MacOS

        return MacOS(APP_NAME, appauthor=False)
    if platform.startswith("win"):
        from platformdirs.windows import Windows

        return Windows(APP_NAME, appauthor=False)
    from platformdirs.unix import Unix

    return Unix(APP_NAME, appauthor=False)


def process_alive(pid: int) -> bool:
    """Return whether process ``pid`` of this machine is still running."""
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill(pid, 0) would end it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def die_with_parent(owner: int) -> None:
    """Make this worker process end when followaudit's process ``owner`` does (a pool initializer).

    A pool worker waits on a queue whose other end it holds itself, so an
    owner killed with SIGKILL never tells it to stop; left alone it would live
    on, holding the caller's stdout and stderr (``$(followaudit ...)`` would
    never return). A daemon thread watches the owner and ends the worker
    within a fifth of a second of it; on Linux a forked worker also gets
    SIGKILL from the kernel at once (PR_SET_PDEATHSIG). A fork server's worker
    cannot rely on its parent, the fork server, which itself waits for the
    worker to let go of the owner's pipe: hence the watch on ``owner``. The
    worker's stdout and stderr point at the null device.
    """
    with suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
    if os.getppid() == owner and sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    import threading
    import time

    def watch() -> None:
        while process_alive(owner):
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="followaudit-owner-watch", daemon=True).start()


def partial_path(target: Path) -> Path:
    """Return the temporary file this process writes ``target`` through."""
    return target.with_name(f".{target.name}.{os.getpid()}{PARTIAL_SUFFIX}")


def remove_stale_partials(target: Path) -> None:
    """Remove temporary files of ``target`` left by processes that no longer run."""
    prefix = f".{target.name}."
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(PARTIAL_SUFFIX)):
            continue
        middle = name[len(prefix) : -len(PARTIAL_SUFFIX)]
        # ".NAME.partial" was the name before the process id was part of it.
        if middle == "" or (middle.isdigit() and not process_alive(int(middle))):
            with suppress(OSError):
                entry.unlink()


@contextmanager
def atomic_file(
    target: Path,
    *,
    mode: int = 0o666,
    like: os.stat_result | None = None,
    encoding: str = "utf-8",
) -> Iterator[IO[str]]:
    """Yield a text stream whose content replaces ``target`` when the block ends without error.

    The new file gets ``mode`` (less the umask), or the mode and owner of
    ``like`` (the file it replaces) exactly. On any error the temporary file
    is removed and the error raised (OSError as it came).
    """
    partial = partial_path(target)
    if like is not None:
        mode = stat.S_IMODE(like.st_mode)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        if os.name == "posix" and (like is not None or mode & 0o077 == 0):
            # os.open applied the umask (and an old partial file keeps its mode): set it.
            os.chmod(descriptor, mode)
            if like is not None:
                with suppress(OSError):
                    os.chown(descriptor, like.st_uid, like.st_gid)
        with open(descriptor, "w", encoding=encoding, newline="") as stream:
            yield stream
        os.replace(partial, target)
    except BaseException:
        with suppress(OSError):
            partial.unlink()
        raise


def write_atomic(target: Path, text: str, *, mode: int = 0o666, encoding: str = "utf-8") -> None:
    """Replace ``target`` with ``text`` through ``atomic_file`` (OSError on failure)."""
    remove_stale_partials(target)
    with atomic_file(target, mode=mode, encoding=encoding) as stream:
        stream.write(text)
