"""A pandas DataFrame (or a Parquet file, or a list of dicts) -> the canonical account table.

The Python API and ``followaudit score FILE.parquet`` hand tables here. A
table holds one account per row in any format the file readers know, with the
same converters, so a row scores the same whether it came from a JSON file, a
DataFrame or Parquet:

- X API v2, X API v1.1, Bluesky or Mastodon user objects, one field per
  column (``pandas.DataFrame(records)``, ``pandas.read_json(..., lines=True)``
  or Parquet written from them). Nested objects may be dicts in a cell
  (``public_metrics``) or flattened with dots (``public_metrics.followers_count``,
  as ``pandas.json_normalize`` writes them).
- followaudit's own columns (``followaudit.formats.native``: ``posts``,
  ``followers``, ``following``, ``created_at``, ...), which include the
  canonical table that ``read_accounts`` and ``score`` return. Cells are read
  as the CSV reader reads them: an empty (NaN) text cell is empty text, an
  empty number or boolean cell is unknown.

The format is told from the column names (``--format`` / ``format`` overrides
it). A column the format cannot do without raises ``InputError`` naming it; a
row that cannot be scored is skipped with its reason, as in a file.
Each row's ``line`` is its 1-based position in the table.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pandas as pd

from followaudit.accounts import Skipped
from followaudit.errors import InputError, UsageError
from followaudit.formats import bluesky, native, x_v1
from followaudit.formats._convert import (
    CSV_CONVERTERS,
    convert_items,
    detect_format,
    new_builder,
    realign,
    reason,
)
from followaudit.formats._finish import combine
from followaudit.formats._parallel import Part

if TYPE_CHECKING:
    from followaudit.formats._result import ReadResult

PARQUET_ADVICE = (
    "this is a Parquet file, and reading Parquet needs pyarrow: pip install 'followaudit[parquet]'"
)

# Columns without which no row of a format can be scored.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "x-v2": ("public_metrics",),
    "x-v1": x_v1.REQUIRED_CSV_COLUMNS,
    "bluesky": bluesky.COUNT_KEYS,
    "mastodon": ("statuses_count", "followers_count", "following_count"),
    "csv": native.REQUIRED_COLUMNS,
}


def table_part(frame: pd.DataFrame, forced: str | None, name: str | None) -> tuple[str, Part]:
    """Return (format, the canonical rows of ``frame`` with what was skipped and why)."""
    columns = [str(column) for column in frame.columns]
    keys = _top_level(columns)
    fmt = forced or _detect(keys, name)
    # Flat formats (followaudit's own, flattened X v1.1) are read cell by cell as
    # the CSV reader reads them; the others record by record as the JSON reader.
    lowered = [column.strip().lower() for column in columns] if fmt in CSV_CONVERTERS else keys
    if fmt == bluesky.FORMAT and bluesky.is_profile_view(dict.fromkeys(keys)):
        raise InputError(bluesky.PROFILE_VIEW_MESSAGE, path=name)
    missing = [column for column in REQUIRED_COLUMNS[fmt] if column not in lowered]
    if missing:
        needs = "followaudit's own columns need" if fmt == "csv" else f"{fmt} data needs"
        raise InputError(
            f"the table has no {' or '.join(missing)} column, which {needs}", path=name
        )
    if fmt in CSV_CONVERTERS:
        return fmt, _csv_part(frame, fmt, lowered)
    builder, skipped, absent = convert_items(_records(frame, columns), fmt)
    return fmt, Part(builder.to_frame(), skipped, absent, [])


def require_pyarrow(what: str) -> None:
    """Raise UsageError, saying how to install it, if pyarrow (Parquet) is not installed."""
    if find_spec("pyarrow") is None:
        raise UsageError(f"{what} needs pyarrow: pip install 'followaudit[parquet]'")


def read_parquet(opener: Callable[[], BinaryIO], name: str) -> pd.DataFrame:
    """Return the table stored in a Parquet file; raise InputError if it cannot be read."""
    if find_spec("pyarrow") is None:
        raise InputError(PARQUET_ADVICE, path=name)
    with opener() as handle:
        data = handle.read()
    try:
        return pd.read_parquet(io.BytesIO(data))
    except (OSError, ValueError, TypeError, NotImplementedError) as error:
        # pyarrow's errors subclass these; its messages say what is wrong.
        raise InputError(f"this is not a readable Parquet file ({error})", path=name) from None


def as_frame(data: Any) -> pd.DataFrame:
    """Return ``data`` (a DataFrame, or an iterable of dicts) as a DataFrame."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Iterable):
        raise TypeError(
            f"expected a pandas DataFrame or a list of dicts, not {type(data).__name__}"
        )
    records = list(data)
    for number, record in enumerate(records, 1):
        if not isinstance(record, Mapping):
            raise TypeError(f"record {number} is a {type(record).__name__}, not a dict")
    return pd.DataFrame.from_records(records) if records else pd.DataFrame()


def _top_level(columns: list[str]) -> list[str]:
    """Return the column names with dotted ones reduced to their first part (nested objects)."""
    seen: dict[str, None] = {}
    for column in columns:
        seen[column.split(".", 1)[0]] = None
    return list(seen)


def _detect(keys: list[str], name: str | None) -> str:
    record = dict.fromkeys(keys)
    fmt = detect_format(record)
    lowered = [key.strip().lower() for key in keys]
    own = native.looks_like_csv(lowered)
    # "username" and "id" alone are a weak sign of X v2; followaudit's own
    # count columns beside them win.
    if fmt is not None and not (own and fmt == "x-v2" and "public_metrics" not in record):
        return fmt
    if own:
        return "csv"
    raise InputError(
        "cannot tell which format this table is in: it needs followaudit's own columns "
        "(posts, followers, following, created_at) or the fields of X, Bluesky or Mastodon "
        f"user objects; its columns are {_listing(keys)}",
        path=name,
    )


def _listing(keys: list[str]) -> str:
    shown = ", ".join(keys[:8]) or "none"
    return shown + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")


# Types a cell of a DataFrame or a decoded JSON record mostly holds, checked
# first by identity: this runs once per cell, millions of times.
_PLAIN_TYPES = (str, int, bool)


def _missing(value: Any) -> bool:
    """Return True for a cell pandas uses for "no value" (None, NaN, NaT, NA)."""
    kind = type(value)
    if kind in _PLAIN_TYPES or kind is dict:
        return False
    if value is None:
        return True
    if kind is float:
        return bool(value != value)  # NaN is the only float unequal to itself
    if value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, np.floating) and bool(np.isnan(value))


def _plain(value: Any) -> Any:
    """Return a cell as the JSON decoder would have given it (numpy and pandas types undone)."""
    kind = type(value)
    if kind in _PLAIN_TYPES or kind is float or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items() if not _missing(item)}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(item) for item in value]
    return value


def _rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """Yield each row's cells as Python objects (columns are converted whole: much faster)."""
    columns = [frame.iloc[:, position].tolist() for position in range(frame.shape[1])]
    return zip(*columns, strict=True)


def _records(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[int, Any]]:
    """Yield (line, record) for every row; an empty cell is an absent key, dots nest."""
    if not any("." in column for column in columns):
        for line, row in enumerate(_rows(frame), 1):
            yield (
                line,
                {
                    key: _plain(value)
                    for key, value in zip(columns, row, strict=True)
                    if not _missing(value)
                },
            )
        return
    nested = [column.split(".") for column in columns]
    for line, row in enumerate(_rows(frame), 1):
        record: dict[str, Any] = {}
        for path, value in zip(nested, row, strict=True):
            if _missing(value):
                continue
            target = record
            for key in path[:-1]:
                inner = target.setdefault(key, {})
                if not isinstance(inner, dict):
                    break
                target = inner
            else:
                target[path[-1]] = _plain(value)
        yield line, record


def _cell_text(value: Any) -> str:
    """Return a cell as the CSV reader would have read it."""
    if type(value) is str:
        return value
    if _missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        # A whole-number column with gaps is float in pandas: write 12, not 12.0.
        return str(int(value))
    return str(value)


def _csv_part(frame: pd.DataFrame, fmt: str, columns: list[str]) -> Part:
    if fmt == "x-v1":
        unknown = {
            column: canonical
            for column, canonical in x_v1.OPTIONAL_CSV_COLUMNS.items()
            if column not in columns
        }
    else:
        unknown = {
            " or ".join(native.OPTIONAL_COLUMNS[canonical]): canonical
            for canonical in native.missing_optional(columns)
        }
    warnings = [
        f"no {column} column, so {canonical} is unknown for every account"
        for column, canonical in unknown.items()
    ]
    convert = CSV_CONVERTERS[fmt]
    builder = new_builder()
    skipped: list[Skipped] = []
    for line, row in enumerate(_rows(frame), 1):
        cells = {column: _cell_text(value) for column, value in zip(columns, row, strict=True)}
        try:
            convert(builder, cells, line)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            skipped.append(Skipped(line, reason(error)))
            realign(builder)
    return Part(builder.to_frame(), skipped, {}, warnings)


def read_frame(
    data: Any, format: str | None = None, as_of: datetime | None = None, name: str | None = None
) -> ReadResult:
    """Return the scoreable accounts of a DataFrame or list of dicts, plus what was skipped.

    Unlike ``read_accounts`` it does not refuse a table in which no row can
    be scored (the result is then empty): a table is often one part of many.
    ``table["line"]`` is each account's 1-based row in ``data``. ``name``,
    if given, opens every error message (a file's path).
    """
    from followaudit.formats._result import FORMATS, ReadResult

    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    as_of = as_of or datetime.now(UTC)
    frame = as_frame(data)
    if frame.shape == (0, 0):
        # An empty list of records: nothing to read, whatever its format.
        fmt, part = "csv", Part(new_builder().to_frame(), [], {}, [])
    else:
        fmt, part = table_part(frame, format, name)
    warnings: list[str] = []
    good, skipped = combine([part], fmt, as_of, warnings)
    return ReadResult(
        table=good, skipped=skipped, format=fmt, path=name or "<table>", warnings=warnings
    )
