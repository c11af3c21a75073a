"""The Python API's scoring function: a table of accounts in, a scored table out.

``followaudit.score`` is this module's ``score``; the package imports it only
when it is first used, so ``import followaudit`` stays light.
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from followaudit.errors import UsageError
from followaudit.formats.frame import as_frame, read_frame
from followaudit.model.forest import Model, load_model
from followaudit.model.scoring import score_table

TEXT_COLUMNS: tuple[str, ...] = ("platform", "id", "handle", "label", "reasons")


class FollowauditWarning(UserWarning):
    """Something about the input that the caller should know: skipped rows, unknown columns."""


def score(
    frame_or_records: Any,
    *,
    as_of: datetime | date | str | None = None,
    model: Model | str | Path | None = None,
) -> pd.DataFrame:
    """Return one scored row per account of a DataFrame or a list of dicts.

    ``frame_or_records`` holds one account per row or dict, in any format
    ``followaudit score`` reads: X API v2 or v1.1 user objects, Bluesky
    profiles, Mastodon accounts (nested objects as dicts, or flattened with
    dots as ``pandas.json_normalize`` does), or followaudit's own columns
    (``posts``, ``followers``, ``following``, ``created_at``, ...), which
    include the tables ``read_accounts`` and ``score`` return. The format is
    told from the column names.

    The result has the canonical columns (see ``followaudit.accounts``),
    then ``age_days``, ``probability`` (P(questionable)), ``label``
    ("authentic" or "questionable"), ``inactive`` (1 with no post in the 12
    months before ``as_of`` or none ever, 0 if active, NaN if unknown) and
    ``reasons``. Its index is the input
    frame's index (for a list, the positions), so it lines up with the
    input. A row that cannot be scored (no follower count, a negative count,
    an account created after ``as_of``) is left out, and one
    ``FollowauditWarning`` says how many and why; columns the data lacks
    (their values are unknown, never zero) are warned about the same way.

    ``as_of`` is when the profiles were observed (a datetime, a date, or ISO
    text; naive means UTC); account ages are measured at that time. It
    defaults to now, so pass it to get the same result on every run.
    ``model`` is a ``Model`` from ``load_model``, a model file's path, or
    None for the model shipped with followaudit.

    Raises ``InputError`` for a table whose format cannot be told or that
    lacks a column the format needs (the sentence names it), ``ModelError``
    for a bad model file, and ``UsageError`` for a bad ``as_of``.
    """
    observed = _observed(as_of)
    chosen = _model(model)
    frame = as_frame(frame_or_records)
    read = read_frame(frame, as_of=observed)
    for sentence in read.warnings:
        warnings.warn(sentence, FollowauditWarning, stacklevel=2)
    if read.skipped:
        first = read.skipped[0]
        count = len(read.skipped)
        warnings.warn(
            f"{count} row{'s' if count != 1 else ''} could not be scored and "
            f"{'are' if count != 1 else 'is'} left out (row {first.line}: {first.reason})",
            FollowauditWarning,
            stacklevel=2,
        )
    rows = score_table(read.table, chosen, observed)
    # Same dtypes whatever the rows hold (none at all included), as Dask's ``meta``
    # needs: pandas' own text dtype ("str": strings from pandas 3 on, object before).
    for column in TEXT_COLUMNS:
        rows[column] = rows[column].astype("str")
    positions = read.table["line"].to_numpy() - 1
    rows.index = frame.index[positions] if len(frame.columns) else pd.RangeIndex(0)
    return rows


def _observed(as_of: datetime | date | str | None) -> datetime:
    if as_of is None:
        return datetime.now(UTC)
    if isinstance(as_of, str):
        try:
            as_of = datetime.fromisoformat(as_of)
        except ValueError:
            raise UsageError(
                f"as_of {as_of!r} is not a date: use YYYY-MM-DD or an ISO 8601 date-time"
            ) from None
    if not isinstance(as_of, datetime):
        if not isinstance(as_of, date):
            raise UsageError(f"as_of must be a datetime, a date or ISO text, not {as_of!r}")
        as_of = datetime.combine(as_of, time(), UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    if as_of > datetime.now(UTC):
        # Ages measured from a future date would make every account look older.
        raise UsageError(f"as_of {as_of:%Y-%m-%d} is in the future: give the date of the data")
    return as_of


@cache
def _shipped_model() -> Model:
    # Loaded once per process: a Dask worker scores many partitions with it.
    return load_model(None)


def _model(model: Model | str | Path | None) -> Model:
    if model is None:
        return _shipped_model()
    if isinstance(model, Model):
        return model
    return load_model(Path(model))
