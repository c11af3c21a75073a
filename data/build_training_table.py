"""Build the de-identified training and probe tables from cresci-2015 and cresci-2017.

Run by hand from the repository root:

    python data/build_training_table.py /path/to/cresci-2015 /path/to/cresci-2017

Writes two files beside this script:

- ``training_profiles.csv``: people (cresci-2015 TFP and E13, cresci-2017
  genuine accounts, group ``GEN``) and bought followers (cresci-2015 FSF,
  INT, TWT, plus the 843 cresci-2017 fakes from the same 2013 purchases,
  put in the group of their ``vendor_guess`` vendor).
- ``spambot_profiles.csv``: the cresci-2017 spambot groups, which are not
  fake followers; ``followaudit evaluate`` reports the share of each the
  model flags, and they are never trained on.

Only the numeric canonical columns of ``followaudit.accounts`` are kept, plus
``observed_at`` (the day the profile was seen), ``label``, ``group`` and
``dataset``: no ids, handles, names, bios, URLs, image URLs or locations.
Every row is converted by the reader's own v1.1 CSV converter, so the
training data and the accounts scored later cannot mean different things.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from followaudit.accounts import NUMERIC_COLUMNS, TableBuilder
from followaudit.formats import x_v1

HERE = Path(__file__).resolve().parent
TRAINING_OUTPUT = HERE / "training_profiles.csv"
PROBE_OUTPUT = HERE / "spambot_profiles.csv"

# cresci-2015 has no per-row observation time: the fakes were bought and
# crawled in April 2013 and the newest account is from 2013-04-30.
CRESCI_2015_OBSERVED = "2013-05-15"

# group -> (label, dataset, file in that dataset, group value or None for a whole file)
HUMAN_GROUPS: tuple[str, ...] = ("TFP", "E13", "GEN")
VENDOR_GROUPS: tuple[str, ...] = ("FSF", "INT", "TWT")
SPAMBOT_FILES: dict[str, str] = {
    "SS1": "social_spambots_1.csv",
    "SS2": "social_spambots_2.csv",
    "SS3": "social_spambots_3.csv",
    "TS1": "traditional_spambots_1.csv",
    "TS2": "traditional_spambots_2.csv",
    "TS3": "traditional_spambots_3.csv",
    "TS4": "traditional_spambots_4.csv",
}
# Fixed dates from the cresci-2017 README where crawled_at is not per row.
FIXED_OBSERVED: dict[str, str] = {"TS1": "2010-11-07", "TS3": "2016-03-15", "TS4": "2016-03-15"}
SHUFFLE_SEED = 20130515

OUTPUT_COLUMNS: tuple[str, ...] = (
    ("created_at", "observed_at") + NUMERIC_COLUMNS + ("label", "group", "dataset")
)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _epoch_ms_to_twitter(value: str) -> str:
    """Return a ``1183552203000L`` epoch-milliseconds cell as a v1.1 created_at string."""
    text = value.strip().rstrip("Ll")
    if not text.isdigit():
        return value
    stamp = pd.Timestamp(int(text), unit="ms", tz="UTC")
    return stamp.strftime("%a %b %d %H:%M:%S +0000 %Y")


def convert(users: pd.DataFrame, observed: list[str]) -> pd.DataFrame:
    """Return the de-identified canonical rows of v1.1 users, observed on the given days."""
    builder = TableBuilder()
    for line, row in enumerate(users.to_dict(orient="records"), start=2):
        x_v1.add_csv_row(builder, row, line)
    out = builder.to_frame()
    out["observed_at"] = pd.to_datetime(observed, utc=True).normalize()
    return out


def _day(values: pd.Series) -> list[str]:
    return [str(v)[:10] for v in values]


def training_parts(cresci2015: Path, cresci2017: Path) -> pd.DataFrame:
    """Return the labelled training rows (people and bought followers) of both data sets."""
    parts = []
    old = _read(cresci2015 / "users.csv")
    unknown = sorted(set(old["dataset"]) - set(HUMAN_GROUPS) - set(VENDOR_GROUPS))
    if unknown:
        raise ValueError(f"unknown cresci-2015 groups: {', '.join(unknown)}")
    part = convert(old, [CRESCI_2015_OBSERVED] * len(old))
    part["group"] = list(old["dataset"])
    part["dataset"] = "cresci-2015"
    parts.append(part)

    genuine = _read(cresci2017 / "genuine_accounts.csv")
    part = convert(genuine, _day(genuine["crawled_at"]))
    part["group"] = "GEN"
    part["dataset"] = "cresci-2017"
    parts.append(part)

    fakes = _read(cresci2017 / "fake_followers_not_in_cresci2015.csv")
    bad = sorted(set(fakes["vendor_guess"]) - set(VENDOR_GROUPS))
    if bad:
        raise ValueError(f"unknown vendor_guess values: {', '.join(bad)}")
    part = convert(fakes, [CRESCI_2015_OBSERVED] * len(fakes))
    part["group"] = list(fakes["vendor_guess"])
    part["dataset"] = "cresci-2017"
    parts.append(part)

    table = pd.concat(parts, ignore_index=True)
    table["label"] = np.where(table["group"].isin(VENDOR_GROUPS), 1, 0)
    return table


def probe_parts(cresci2017: Path) -> pd.DataFrame:
    """Return the spambot probe rows (label 1: they are not people, but not bought followers)."""
    parts = []
    for group, name in SPAMBOT_FILES.items():
        users = _read(cresci2017 / name)
        if group in FIXED_OBSERVED:
            observed = [FIXED_OBSERVED[group]] * len(users)
        else:
            observed = _day(users["crawled_at"])
        if group == "TS1":
            # Epoch milliseconds, and no default_profile_image values at all: unknown, not false.
            users["created_at"] = users["created_at"].map(_epoch_ms_to_twitter)
            users = users.drop(columns=["default_profile_image"], errors="ignore")
        part = convert(users, observed)
        part["group"] = group
        part["dataset"] = "cresci-2017"
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table["label"] = 1
    return table


def deterministic_order(table: pd.DataFrame, groups: tuple[str, ...]) -> pd.DataFrame:
    """Return ``table`` sorted by group, rows shuffled within each group by a fixed seed.

    The sources are ordered by account id; a seeded shuffle keeps the output
    reproducible without letting row order leak that order.
    """
    rng = np.random.default_rng(SHUFFLE_SEED)
    parts = []
    for group in groups:
        part = table[table["group"] == group]
        parts.append(part.iloc[rng.permutation(len(part))])
    return pd.concat(parts, ignore_index=True)[list(OUTPUT_COLUMNS)]


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV with ISO UTC dates and integer-looking counts (NaN stays empty)."""
    out = table.copy()
    out["created_at"] = out["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["observed_at"] = out["observed_at"].dt.strftime("%Y-%m-%d")
    for name in NUMERIC_COLUMNS:
        out[name] = out[name].astype("Int64")
    out.to_csv(path, index=False, lineterminator="\n")


def main(argv: list[str]) -> int:
    """Convert the two data set folders named on the command line; return the exit status."""
    if len(argv) != 2:
        print(
            "usage: python data/build_training_table.py /path/to/cresci-2015 /path/to/cresci-2017",
            file=sys.stderr,
        )
        return 2
    cresci2015, cresci2017 = Path(argv[0]), Path(argv[1])
    training = deterministic_order(
        training_parts(cresci2015, cresci2017), HUMAN_GROUPS + VENDOR_GROUPS
    )
    if training[list(NUMERIC_COLUMNS)].isna().any().any():
        print("the training input has missing values in a numeric column", file=sys.stderr)
        return 1
    probe = deterministic_order(probe_parts(cresci2017), tuple(SPAMBOT_FILES))
    write_table(training, TRAINING_OUTPUT)
    write_table(probe, PROBE_OUTPUT)
    print(f"wrote {len(training)} rows to {TRAINING_OUTPUT} and {len(probe)} to {PROBE_OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
