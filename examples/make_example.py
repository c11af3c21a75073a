"""Write examples/followers.jsonl: 400 synthetic X API v2 followers (about 30% bought).

Run from anywhere: ``python examples/make_example.py``. The output is the same
bytes on every run (fixed seed), so the checked-in file can be regenerated
and compared. Every account is invented (see ``benchmarks/synthetic.py``):
handles start with ``demo_`` and links point at ``example.org``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))

from synthetic import generate

COUNT = 400
SEED = 2013
OUTPUT = HERE / "followers.jsonl"


def main() -> None:
    """Write the example file and say where it went."""
    with OUTPUT.open("wb") as out:
        out.writelines(generate(COUNT, SEED))
    print(f"wrote {COUNT} synthetic followers to {OUTPUT}")


if __name__ == "__main__":
    main()
