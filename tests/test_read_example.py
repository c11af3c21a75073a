"""The bundled example file is the generator's output and reads cleanly as X API v2."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from followaudit.formats import read_accounts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "followers.jsonl"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_example_is_what_the_generator_writes() -> None:
    make_example = load(ROOT / "examples" / "make_example.py")
    synthetic = load(ROOT / "benchmarks" / "synthetic.py")
    expected = b"".join(synthetic.generate(make_example.COUNT, make_example.SEED))
    assert EXAMPLE.read_bytes() == expected


def test_generator_is_deterministic_and_seeded() -> None:
    synthetic = load(ROOT / "benchmarks" / "synthetic.py")
    assert list(synthetic.generate(20, 5)) == list(synthetic.generate(20, 5))
    assert list(synthetic.generate(20, 5)) != list(synthetic.generate(20, 6))


def test_example_reads_as_400_x_v2_followers_without_skips() -> None:
    result = read_accounts(EXAMPLE)
    assert (result.format, len(result.table), result.skipped) == ("x-v2", 400, [])
    assert result.table["handle"].str.startswith("demo_").all()


def test_example_mixes_post_count_names_and_bought_followers() -> None:
    users = [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    keys = {key for user in users for key in user["public_metrics"]}
    assert {"post_count", "tweet_count"} <= keys
    bought = sum(
        user["public_metrics"]["following_count"] >= 250
        and user["public_metrics"]["followers_count"] < 25
        and user["username"][-5:].isdigit()
        for user in users
    )
    assert 0.2 < bought / len(users) < 0.4
