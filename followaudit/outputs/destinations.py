"""Where exports are written: atomically into files, directly into pipes and devices.

``open_export(target)`` yields a text stream for one export (``--csv``,
``--json``, ``--junit``, ``--summary-csv``, ``--html``):

- ``-`` is standard output.
- A regular file, or a name that does not exist yet, is written to a
  temporary file beside it (``.NAME.PID.partial``) and renamed over it only
  when everything was written, so a failure or an interruption leaves the
  previous file as it was. A symbolic link is followed: the file it points
  to is replaced and the link stays a link. An existing file keeps its
  permissions (a 0600 export stays 0600) and, where allowed, its owner.
- Anything else that exists (a named pipe, ``/dev/stdout``, ``/dev/null``,
  a terminal) is opened and written directly, never replaced.

The temporary file is removed on every way out Python sees (an error,
Ctrl-C, SIGTERM once the CLI turned it into an interruption); one left by a
killed process is removed by the next export to the same name.

``Exports`` writes several exports and collects the failures instead of
stopping at the first, so one unwritable path loses nothing else.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from followaudit.errors import OutputError
from followaudit.filesystem import atomic_file, remove_stale_partials


def _failure(target: str, error: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {error.strerror or error}")


@contextmanager
def open_export(target: str) -> Iterator[IO[str]]:
    """Yield a text stream writing the export ``target`` (see the module docstring)."""
    if target == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    given = Path(target)
    try:
        existing: os.stat_result | None = os.stat(given)  # follows symbolic links
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise _failure(target, error) from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise OutputError(f"cannot write {target}: it is a folder")
    # /dev/stdout and /proc/self/fd/N name whatever the shell opened: never replaced.
    special_name = str(given.absolute()).startswith(("/dev/", "/proc/"))
    if existing is not None and (special_name or not stat.S_ISREG(existing.st_mode)):
        with _direct(target, given) as stream:
            yield stream
        return
    # A symbolic link (or a chain of them, even to a file not made yet) is
    # written through: the file it names is replaced, the link stays.
    real = Path(os.path.realpath(given))
    remove_stale_partials(real)
    with _atomic(target, real, existing) as stream:
        yield stream


@contextmanager
def _direct(target: str, real: Path) -> Iterator[IO[str]]:
    """Write a pipe, device or terminal in place."""
    try:
        stream = open(real, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as error:
        raise _failure(target, error) from None
    try:
        yield stream
        stream.close()
    except OSError as error:
        with suppress(OSError):
            stream.close()
        raise _failure(target, error) from None
    finally:
        if not stream.closed:
            with suppress(OSError):
                stream.close()


@contextmanager
def _atomic(target: str, real: Path, existing: os.stat_result | None) -> Iterator[IO[str]]:
    """Write a regular file through a temporary file renamed over it at the end."""
    try:
        with atomic_file(real, like=existing) as stream:
            yield stream
    except OSError as error:
        raise _failure(target, error) from None


def silence_stdout() -> None:
    """Point standard output at the null device after its reader went away (a closed pipe).

    Without this, Python's last flush at exit would fail again and print a
    complaint to stderr after ``| head -1`` closed the pipe.
    """
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (tests): nothing will flush it at exit


class Exports:
    """Write several exports; a failed one is remembered and the others still written."""

    def __init__(self) -> None:
        self.failures: list[OutputError] = []
        # A writer's own failure (a bug): the other exports are still written, then it is raised.
        self.bugs: list[Exception] = []
        self.stdout_closed = False

    def write(self, target: str, writer: Callable[[IO[str]], None]) -> bool:
        """Write one export with ``writer(stream)``; return whether it was written."""
        try:
            with open_export(target) as stream:
                writer(stream)
        except OutputError as error:
            self.failures.append(error)
            return False
        except BrokenPipeError:
            # `--csv - | head -1`: the reader had what it wanted, not a failure.
            self.stdout_closed = True
            silence_stdout()
            return False
        except Exception as error:  # noqa: BLE001 - raised by check(), after the other exports
            self.bugs.append(error)
            return False
        return True

    def check(self) -> None:
        """Raise one OutputError naming every export that could not be written.

        A writer's own failure is raised as it came, after every export was tried.
        """
        if self.bugs:
            raise self.bugs[0]
        if not self.failures:
            return
        if len(self.failures) == 1:
            raise self.failures[0]
        raise OutputError("; ".join(f.message for f in self.failures))
