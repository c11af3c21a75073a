"""Issue 17, cause 16: helper processes end with the process that started them.

A large export formats every other chunk in a worker process started from a
fork server (``export.chunk_texts``), and a large JSON Lines file is read
by forked workers (``formats._parallel.read_parallel``). After ``kill -9``
of followaudit the fork server, its worker and the resource tracker stayed
alive for minutes (about 318 MB), holding the caller's stdout and stderr open,
so a CI step that killed a stuck run never saw its pipes close. Every helper
must end within a second or two of its parent.

Each test runs followaudit's own code in a child Python process, stops it
while its helpers are busy, kills it with SIGKILL and watches its helpers.
Leftover helpers are then killed by their process id.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")

GRACE = 1.0  # seconds the helpers get to end after their parent was killed

HELPER = textwrap.dedent(
    """
    import os, sys, time

    def slow_chunk(chunk, *args):
        time.sleep(60)
        return ""

    def slow_range(path, begin, end, first_line, fmt, last):
        if os.getpid() == int(os.environ["FA_PARENT"]):
            print("READY", flush=True)
        time.sleep(60)
    """
)

EXPORT = textwrap.dedent(
    """
    import os, sys
    os.environ["FA_PARENT"] = str(os.getpid())
    import pandas as pd
    import followaudit.outputs.tables as export
    import slowhelper
    export.WRITE_CHUNK_ROWS = 10
    export._two_cores = lambda: True
    chunks = export.chunk_texts(pd.DataFrame({"a": range(100)}), slowhelper.fast_then_slow)
    next(chunks)  # the first chunk is formatted here; the worker holds the second
    print("READY", flush=True)
    next(chunks)
    """
)

READER = textwrap.dedent(
    """
    import os, sys
    os.environ["FA_PARENT"] = str(os.getpid())
    from pathlib import Path
    import followaudit.formats._parallel as parallel
    import slowhelper
    parallel.read_range = slowhelper.slow_range
    path = Path(sys.argv[1])
    path.write_bytes(b'{"id": "1"}\\n' * 200_000)
    parallel.read_parallel(path, "x-v2", 3)
    """
)


def _children() -> dict[int, list[int]]:
    """Return {parent pid: [child pids]} of every process visible in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree = _children()
    found, todo = [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_and_watch(script: str, tmp_path: Path, *args: str) -> list[int]:
    """Return the helpers of ``script`` still alive GRACE seconds after it was SIGKILLed."""
    (tmp_path / "slowhelper.py").write_text(
        HELPER + "\ndef fast_then_slow(chunk, *args):\n"
        "    if os.getpid() == int(os.environ['FA_PARENT']):\n"
        "        return ''\n"
        "    time.sleep(60)\n"
        "    return ''\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    helpers: list[int] = []
    try:
        line = child.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == b"READY", child.stderr.read()  # type: ignore[union-attr]
        time.sleep(0.2)  # the helpers are at work
        helpers = _descendants(child.pid)
        assert helpers, "no helper process was started"
        child.send_signal(signal.SIGKILL)
        child.wait()
        deadline = time.monotonic() + GRACE
        while time.monotonic() < deadline and any(_alive(p) for p in helpers):
            time.sleep(0.05)
        return [p for p in helpers if _alive(p)]
    finally:
        for pid in [child.pid, *helpers]:  # only the processes this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        child.stdout.close()  # type: ignore[union-attr]
        child.stderr.close()  # type: ignore[union-attr]


def test_export_workers_end_with_their_parent(tmp_path):
    left = _kill_and_watch(EXPORT, tmp_path)
    # Today: the fork server, its worker and the resource tracker live on.
    assert not left, f"{len(left)} helper processes outlived their parent: {left}"


def test_reader_workers_end_with_their_parent(tmp_path):
    left = _kill_and_watch(READER, tmp_path, str(tmp_path / "big.jsonl"))
    assert not left, f"{len(left)} helper processes outlived their parent: {left}"
