"""Parts of a read -> one canonical table: unknown columns marked, impossible rows skipped."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

from followaudit.accounts import Skipped, validate
from followaudit.formats._parallel import Part

PRESENCE_HINTS: dict[str, str] = {
    "x-v2": " (request user.fields={key})",
    "bluesky": " (exports made before Bluesky added the field lack it)",
}


def combine(
    parts: list[Part], fmt: str, as_of: datetime, warnings: list[str]
) -> tuple[pd.DataFrame, list[Skipped]]:
    """Return (the rows that can be scored, every skipped record by place); add warnings.

    A presence key that no part saw makes its column unknown (NaN) for every
    row, with one warning; so does a missing creation date, per account.
    """
    tables = [part.table for part in parts if len(part.table)] or [parts[0].table]
    table = tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)
    skipped = [item for part in parts for item in part.skipped]
    warnings.extend(warning for part in parts for warning in part.warnings)
    # A key counts as never requested only if no part of the file saw it.
    missing = {
        key: column
        for key, column in parts[0].missing.items()
        if all(key in part.missing for part in parts)
    }
    hint = PRESENCE_HINTS.get(fmt, "")
    for key, column in missing.items():
        if len(table):
            table[column] = math.nan
            warnings.append(
                f"no record has a {key} field, so {column} is unknown for every account"
                + hint.format(key=key)
            )
    undated = int(table["created_at"].isna().sum())
    if undated:
        advice = " (request user.fields=created_at)" if fmt == "x-v2" else ""
        if undated == 1:
            sentence = "1 account has no creation date, so its age is unknown"
        else:
            sentence = f"{undated} accounts have no creation date, so their age is unknown"
        warnings.append(sentence + advice)
    good, impossible = validate(table, as_of)
    skipped = sorted(skipped + impossible, key=lambda item: (item.line, item.record))
    return good, skipped
