"""CSV and JSON writers for scored accounts.

CSV is written for spreadsheets. Excel, Google Sheets and LibreOffice run a
cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some also a tab or
carriage return) as a formula, so a follower could name itself
``=HYPERLINK(...)`` and take over whoever opens the export. Every text cell
that starts with one of those characters gets a leading apostrophe, the
OWASP-recommended neutraliser; the original is recovered by removing that
one apostrophe (``unescape_cell``). Numeric columns are written as numbers and
never escaped.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = r"^[=+\-@\t\r]"

# The columns of `followaudit score --csv`, in order (documented in the README).
CSV_COLUMNS: tuple[str, ...] = (
    "line",
    "platform",
    "handle",
    "id",
    "probability",
    "label",
    "reasons",
    "posts",
    "followers",
    "following",
    "likes",
    "listed",
    "age_days",
)
TEXT_COLUMNS = ("platform", "handle", "id", "label", "reasons")


def escape_cell(value: str) -> str:
    """Return ``value`` made safe to open in a spreadsheet (a leading apostrophe if needed)."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Return the original text of a cell written by ``escape_cell``."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def _escape_series(series: pd.Series) -> pd.Series:
    text = series.astype(object).where(series.notna(), "").astype(str)
    risky = text.str.contains(_TRIGGER_PATTERN, regex=True)
    if risky.any():
        text = text.where(~risky, "'" + text)
    return text


def write_csv(
    rows: pd.DataFrame,
    target: str | Path | IO[str],
    *,
    audited: bool = False,
    extra: Sequence[str] = (),
) -> None:
    """Write one row per account with ``CSV_COLUMNS``, text cells formula-escaped.

    ``audited`` adds a first column naming the audited account (for scans of
    several handles); ``extra`` appends numeric columns (e.g. the --deep
    post-behaviour ratios), empty where unknown.
    """
    columns = (["audited"] if audited else []) + list(CSV_COLUMNS) + list(extra)
    frame = rows.loc[:, columns].copy()
    for name in extra:
        # Counts stay whole ("12"), ratios keep 4 significant digits ("0.3333").
        frame[name] = [
            "" if v != v else f"{v:.4g}" for v in frame[name].to_numpy(dtype=float)
        ]
    for name in TEXT_COLUMNS + (("audited",) if audited else ()):
        frame[name] = _escape_series(frame[name])
    frame["probability"] = frame["probability"].round(4)
    frame["age_days"] = frame["age_days"].round(1)
    # Counts are whole numbers; writing them as integers (empty if unknown)
    # keeps "1200" from showing up as "1200.0" in a spreadsheet.
    for name in ("posts", "followers", "following", "likes", "listed"):
        frame[name] = frame[name].round().astype("Int64")
    if isinstance(target, (str, Path)):
        frame.to_csv(target, index=False, lineterminator="\n", encoding="utf-8")
    else:
        frame.to_csv(target, index=False, lineterminator="\n")


def _plain(value: Any) -> Any:
    """Return value as JSON-ready data: NaN becomes null, numpy scalars become Python."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def accounts_records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the scored accounts as JSON-ready dicts (reasons as a list)."""
    frame = rows.loc[:, list(CSV_COLUMNS)].copy()
    frame["probability"] = frame["probability"].round(6)
    frame["age_days"] = frame["age_days"].round(2)
    frame["reasons"] = frame["reasons"].map(lambda s: [r for r in s.split("; ") if r] if s else [])
    frame = frame.astype(object).where(frame.notna(), None)
    return [_plain(r) for r in frame.to_dict(orient="records")]


def write_json(document: Mapping[str, Any], target: str | Path | IO[str]) -> None:
    """Write a JSON document (NaN written as null) to a path or stream."""
    text = json.dumps(_plain(document), ensure_ascii=False, indent=2, allow_nan=False)
    if isinstance(target, (str, Path)):
        Path(target).write_text(text + "\n", encoding="utf-8")
    else:
        target.write(text + "\n")


def to_csv_text(rows: pd.DataFrame) -> str:
    """Return the CSV export as a string (for tests and small outputs)."""
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()
