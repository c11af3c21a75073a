"""A report read by `head` exits with the run's own code: a closed pipe is not an error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def piped(command: str) -> subprocess.CompletedProcess[str]:
    """Return the result of ``followaudit COMMAND | head -1`` under ``set -o pipefail``."""
    script = f"set -o pipefail; {sys.executable} -m followaudit {command} | head -1"
    return subprocess.run(
        ["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "more",
    [
        "",
        # A report longer than the pipe holds: the reader is surely gone before it ends.
        "--top 400",
    ],
)
def test_the_report_into_head_exits_0_without_a_message(more):
    done = piped(f"score examples/followers.jsonl {more}")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.count("\n") == 1
    assert "examples/followers.jsonl (x-v2)" in done.stdout


def test_a_failed_gate_still_exits_10_into_head():
    done = piped("score examples/followers.jsonl --top 400 --fail-above 5")
    assert (done.returncode, done.stderr) == (10, "")
