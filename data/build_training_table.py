"""Build data/cresci2015_profiles.csv, the de-identified training table.

Run by hand from the repository root:

    python data/build_training_table.py /path/to/cresci-2015/users.csv

The input is the cresci-2015 ``users.csv`` (Twitter API v1.1 user objects
flattened to columns, one row per account). The output keeps only the
numeric canonical columns of ``followaudit.accounts`` plus ``label`` and
``group``: no ids, handles, names, bios, URLs, image URLs or locations.
Every row is converted by the reader's own v1.1 CSV converter.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from followaudit.accounts import NUMERIC_COLUMNS, TableBuilder
from followaudit.formats import x_v1

OUTPUT = Path(__file__).resolve().parent / "cresci2015_profiles.csv"

# Humans are 0 (authentic); the three vendors' bought followers are 1 (questionable).
GROUP_LABELS: dict[str, int] = {"TFP": 0, "E13": 0, "FSF": 1, "INT": 1, "TWT": 1}
GROUP_ORDER: tuple[str, ...] = ("TFP", "E13", "FSF", "INT", "TWT")
SHUFFLE_SEED = 20130515

OUTPUT_COLUMNS: tuple[str, ...] = ("created_at",) + NUMERIC_COLUMNS + ("label", "group")


def convert(users: pd.DataFrame) -> pd.DataFrame:
    """Return the de-identified canonical rows (plus label and group) for v1.1 users.

    Each row goes through the same converter that reads a v1.1 CSV for
    scoring (``formats.x_v1.add_csv_row``), so the training data and the
    accounts scored later cannot mean different things.
    """
    unknown = sorted(set(users["dataset"]) - set(GROUP_LABELS))
    if unknown:
        raise ValueError(f"unknown dataset groups: {', '.join(unknown)}")
    builder = TableBuilder()
    for line, row in enumerate(users.to_dict(orient="records"), start=2):
        x_v1.add_csv_row(builder, row, line)
    out = builder.to_frame()
    out["label"] = [GROUP_LABELS[g] for g in users["dataset"]]
    out["group"] = list(users["dataset"])
    return out[list(OUTPUT_COLUMNS)]


def deterministic_order(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` sorted by group, rows shuffled within each group by a fixed seed.

    The source file is ordered by account id; a seeded shuffle keeps the
    output reproducible without letting row order leak that order.
    """
    rng = np.random.default_rng(SHUFFLE_SEED)
    parts = []
    for group in GROUP_ORDER:
        part = table[table["group"] == group]
        parts.append(part.iloc[rng.permutation(len(part))])
    return pd.concat(parts, ignore_index=True)


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write the training table as CSV with ISO UTC dates and integer-looking counts."""
    out = table.copy()
    out["created_at"] = out["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    for name in NUMERIC_COLUMNS:
        out[name] = out[name].astype("int64")
    out.to_csv(path, index=False, lineterminator="\n")


def main(argv: list[str]) -> int:
    """Convert the users.csv named on the command line; return the exit status."""
    if len(argv) != 1:
        print("usage: python data/build_training_table.py /path/to/users.csv", file=sys.stderr)
        return 2
    users = pd.read_csv(argv[0], dtype=str, keep_default_na=False)
    table = deterministic_order(convert(users))
    if table[list(NUMERIC_COLUMNS)].isna().any().any():
        print("the input has missing values in a numeric column", file=sys.stderr)
        return 1
    write_table(table, OUTPUT)
    print(f"wrote {len(table)} rows to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
