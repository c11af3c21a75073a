"""Issue 17, causes 4, 6 and 15 in model files given to --model: always exit 4 (MODEL), at once.

- Counts of 400 digits in the model's quantification section overflowed a
  float (exit 1); counts whose true-positive rate is below the
  false-positive rate made the corrected share raise ValueError (exit 1).
- Metadata nested 900 levels deep parses, then overflows the stack when the
  checksum is computed (RecursionError, exit 1).
- A FIFO with no writer made --model wait forever; /dev/zero and
  /dev/urandom were read without bound, because the 64 MB check trusts
  st_size, which is 0 for a device.
"""

from __future__ import annotations

import copy
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from clirun import run_flat
from corpus.generate import jsonl, x_user

from followaudit.errors import ExitCode, ModelError
from followaudit.model.forest import load_model, save_model


@pytest.fixture
def followers(tmp_path) -> Path:
    path = tmp_path / "followers.jsonl"
    path.write_bytes(jsonl([x_user(i) for i in range(20)]))
    return path


def _model_with(tmp_path: Path, change) -> Path:
    """Write the shipped model with ``change(metadata)`` applied, checksum renewed."""
    model = load_model()
    model.metadata = copy.deepcopy(model.metadata)
    change(model.metadata)
    path = tmp_path / "model.json"
    save_model(model, path)
    return path


def _modes(metadata: dict[str, Any]) -> dict[str, dict[str, int]]:
    return metadata["quantification"]["modes"]


def _set_counts(**counts: Any):
    """Set out-of-fold counts ([hits, cases]) of every scoring mode (issue 18's layout)."""

    def change(metadata: dict[str, Any]) -> None:
        for mode in _modes(metadata).values():
            mode["out_of_fold"].update(counts)

    return change


def _nest(depth: int):
    def change(metadata: dict[str, Any]) -> None:
        value: Any = 1
        for _ in range(depth):
            value = [value]
        metadata["deep"] = value

    return change


MODELS = {
    "counts of 400 digits": _set_counts(bought=[10**400, 10**400], people_active=[1, 10**400]),
    "positives of 400 digits": _set_counts(bought=[3233, 10**400]),
    # Bought followers caught less often, or no more often, than people are flagged.
    "TPR below FPR": _set_counts(bought=[10, 3351], people_active=[4000, 4822]),
    "TPR equal to FPR": _set_counts(
        bought=[100, 1000], people_active=[100, 1000], people_quiet=[100, 1000]
    ),
    "metadata nested 900 deep": _nest(900),
}


@pytest.mark.parametrize("case", sorted(MODELS))
def test_a_model_file_with_odd_metadata_is_a_model_error(capsys, tmp_path, followers, case):
    model = _model_with(tmp_path, MODELS[case])
    exported = tmp_path / "o.json"  # the JSON export repeats the model's metadata
    code, _, err = run_flat(
        capsys, "score", followers, "--model", model, "--as-of", "2026-01-01", "--json", exported
    )
    assert code == ExitCode.MODEL, err  # today: 1 (OverflowError, ValueError, RecursionError)
    assert "Traceback" not in err and "unexpected" not in err
    assert str(model) in err


def test_a_fifo_with_no_writer_is_refused_at_once(tmp_path):
    fifo = tmp_path / "model.fifo"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            load_model(fifo)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(1.5)
    if worker.is_alive():
        # Today open() waits for a writer: be that writer so the thread ends.
        with open(fifo, "wb"):
            pass
        worker.join(2.0)
        pytest.fail("load_model waited for a writer on a FIFO")
    assert len(outcome) == 1 and isinstance(outcome[0], ModelError), outcome
    assert "not a regular file" in str(outcome[0]) or "FIFO" in str(outcome[0])


LOADER = """
import sys
from pathlib import Path
from followaudit.errors import ModelError
from followaudit.model.forest import load_model
try:
    load_model(Path(sys.argv[1]))
except ModelError as exc:
    print(exc)
    sys.exit(4)
sys.exit(0)
"""


def _limit_memory() -> None:
    # Far above what loading the shipped model needs, far below "the whole of /dev/zero".
    resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux devices")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_without_reading_it_all(device):
    try:
        done = subprocess.run(
            [sys.executable, "-c", LOADER, device],
            check=False,
            capture_output=True,
            text=True,
            timeout=5,
            preexec_fn=_limit_memory,
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"load_model kept reading {device} for 5 s")
    assert done.returncode == 4, done.stderr[-500:]  # today: MemoryError, or the timeout
    assert device in done.stdout
