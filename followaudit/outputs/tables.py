"""CSV and JSON writers for scored accounts.

CSV is written for spreadsheets. Excel, Google Sheets and LibreOffice run a
cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some also a tab or
carriage return) as a formula, so a follower could name itself
``=HYPERLINK(...)`` and take over whoever opens the export. Every text cell
that starts with one of those characters gets a leading apostrophe, the
OWASP-recommended neutraliser; the original is recovered by removing that
one apostrophe (``unescape_cell``). Numeric columns are written as numbers and
never escaped. The convention itself is ``formats.cells``, beside the
reader that takes it back.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson
import pandas as pd

from followaudit.analysis.gates import audit_outcome
from followaudit.filesystem import die_with_parent
from followaudit.formats.cells import FORMULA_TRIGGERS
from followaudit.model.reasons import reasons_joined

# The columns of `followaudit score --csv`, in order (documented in docs/outputs.md).
CSV_COLUMNS: tuple[str, ...] = (
    "line",
    "record",
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
    # The profile's inputs, under the names followaudit's CSV reader takes, so
    # an export can be scored again (`score scored.csv`) to the same result.
    "created_at",
    "bio_length",
    "name_length",
    "has_url",
    "has_location",
    "default_avatar",
    # When it last posted (as the platform says; read back like created_at), and whether it
    # is inactive: 1 with no post in 12 months or none ever, 0 if active, empty if unknown.
    "last_post_at",
    "inactive",
)
# Columns holding a UTC time, written in ISO 8601 ("2019-04-06T10:58:22Z").
TIME_COLUMNS = ("created_at", "last_post_at")
TEXT_COLUMNS = ("platform", "handle", "id", "label", "reasons")
# Where the account is in its file: always known, written as integers.
WHOLE_COLUMNS = ("line", "record")


def _text_cells(series: pd.Series) -> list[str]:
    """Return a text column as CSV cells: unknown as empty, formula triggers neutralised.

    A NUL, which no CSV reader accepts (followaudit's own refuses the file as
    binary), is written as U+FFFD; the JSON export keeps it (as \\u0000).
    """
    cells = []
    for value in series.tolist():
        text = "" if value is None or value != value else str(value)
        if "\x00" in text:
            text = text.replace("\x00", "\ufffd")
        if text.startswith(FORMULA_TRIGGERS):
            text = "'" + text
        if "," in text or '"' in text or "\n" in text or "\r" in text:
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return cells


def _whole_cells(series: pd.Series) -> list[str]:
    """Return counts as whole numbers ("1200", never "1200.0"), unknown as empty."""
    values = series.to_numpy(dtype=float)
    unknown = np.flatnonzero(np.isnan(values))
    if len(unknown) == len(values):
        return [""] * len(values)
    # orjson writes an int64 array in C, several times faster than NumPy's str.
    whole = np.where(np.isnan(values), 0, values).astype(np.int64)
    cells: list[str] = (
        orjson.dumps(whole, option=orjson.OPT_SERIALIZE_NUMPY).decode()[1:-1].split(",")
    )
    for index in unknown.tolist():
        cells[index] = ""
    return cells


def _rounded_cells(series: pd.Series, digits: int) -> list[str]:
    """Return numbers rounded to ``digits`` decimals in shortest form, unknown as empty."""
    values = np.round(series.to_numpy(dtype=float), digits)
    known = ~np.isnan(values)
    out = np.full(values.shape, "", dtype=object)
    # NumPy's str of a float64 is its shortest round-trip form, as repr() gives.
    out[known] = values[known].astype(str)
    cells: list[str] = out.tolist()
    return cells


# Columns whose values come from a fixed vocabulary, never from a follower.
SAFE_TEXT_COLUMNS = ("platform", "label")


# The column `scan --csv` adds after CSV_COLUMNS: true for a follower new since the
# account's last stored scan, false for one it listed, empty without an earlier scan.
NEW_COLUMN = "new"


def write_csv(
    rows: pd.DataFrame,
    target: str | Path | IO[str],
    *,
    audited: bool = False,
    extra: Sequence[str] = (),
    new: bool = False,
) -> None:
    """Write one row per account with ``CSV_COLUMNS``, text cells formula-escaped.

    ``audited`` adds a first column naming the audited account (for scans of
    several handles); ``new`` the ``NEW_COLUMN`` after ``CSV_COLUMNS``;
    ``extra`` appends numeric columns (e.g. the --deep
    post-behaviour ratios), empty where unknown. Cells are formatted column
    by column (numbers by NumPy) and joined into lines here, quoted as the
    csv module's QUOTE_MINIMAL would: at a million accounts this takes a few
    seconds, where pandas' writer took about twenty.
    """
    names = (
        (["audited"] if audited else [])
        + list(CSV_COLUMNS)
        + ([NEW_COLUMN] if new else [])
        + list(extra)
    )
    if new and NEW_COLUMN not in rows.columns:
        rows = rows.assign(**{NEW_COLUMN: None})
    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8", newline="") as stream:
            _write_rows(stream, rows, names, extra)
    else:
        _write_rows(target, rows, names, extra)


def write_parquet(rows: pd.DataFrame, target: str | Path | IO[bytes] | IO[str]) -> None:
    """Write one row per account with ``CSV_COLUMNS`` as Parquet (needs pyarrow).

    Columns keep their types (numbers, a UTC timestamp, text as written,
    no formula escaping: Parquet is not opened by spreadsheets), so the file
    can be scored again (``followaudit score scored.parquet``) to the same
    result. A text stream is written through its binary buffer.
    """
    binary: Any = getattr(target, "buffer", target)
    if "reasons" not in rows.columns:
        rows = rows.assign(reasons=reasons_joined(rows))
    table = rows.loc[:, list(CSV_COLUMNS)].reset_index(drop=True)
    for name in TEXT_COLUMNS:
        table[name] = table[name].astype(object)
    table.to_parquet(binary, index=False)


# Rows are formatted, joined and written this many at a time, so the cells of
# a million-row export never sit in memory at once.
WRITE_CHUNK_ROWS = 50_000


def _write_rows(
    stream: IO[str], rows: pd.DataFrame, names: list[str], extra: Sequence[str]
) -> None:
    stream.write(",".join(names) + "\n")
    for text in chunk_texts(rows, _csv_chunk, names, extra):
        stream.write(text)


def _csv_chunk(chunk: pd.DataFrame, names: list[str], extra: Sequence[str]) -> str:
    """Return the CSV lines of a chunk of rows."""
    if "reasons" in names and "reasons" not in chunk.columns:
        # Scored without words: the reasons are put into words here, a chunk at a time.
        chunk = chunk.assign(reasons=reasons_joined(chunk))
    cells = [_cells(name, chunk[name], extra) for name in names]
    return "\n".join(map(",".join, zip(*cells, strict=True))) + "\n"


# Exports of at least this many chunks are formatted on two cores.
PARALLEL_MIN_CHUNKS = 4
# Chunks handed to a worker so far (tests check the two-core path did run).
worker_chunks = 0


def _two_cores() -> bool:
    """Return whether a formatting worker may be started (Linux, a second core to run on)."""
    if sys.platform != "linux":
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:
        return False


def chunk_texts(rows: pd.DataFrame, format_chunk: Callable[..., str], *args: Any) -> Iterator[str]:
    """Yield ``format_chunk(chunk, *args)`` for each ``WRITE_CHUNK_ROWS`` rows, in order.

    Formatting is pure Python and holds the GIL, so a large export uses a
    second core through one worker process: it formats every other chunk
    while this process formats the one before it. The worker comes from a
    fork server, not from this process, so it does not carry (and count
    again) the memory of the whole table: each of its chunks is sent to it,
    and only the chunk's text comes back. ``format_chunk`` must be a
    module-level function.
    """
    global worker_chunks  # noqa: PLW0603 - a counter the tests read
    starts = list(range(0, len(rows), WRITE_CHUNK_ROWS))
    pool = None
    if len(starts) >= PARALLEL_MIN_CHUNKS and _two_cores():
        try:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["followaudit.outputs.tables"])
            pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
        except (OSError, ValueError):
            pool = None
    try:
        for index in range(0, len(starts), 2):
            here = rows.iloc[starts[index] : starts[index] + WRITE_CHUNK_ROWS]
            there = None
            if index + 1 < len(starts):
                there = rows.iloc[starts[index + 1] : starts[index + 1] + WRITE_CHUNK_ROWS]
            ahead = None
            if pool is not None and there is not None:
                ahead = pool.submit(format_chunk, there, *args)
                worker_chunks += 1
            yield format_chunk(here, *args)
            if there is not None:
                yield ahead.result() if ahead is not None else format_chunk(there, *args)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _cells(name: str, column: pd.Series, extra: Sequence[str]) -> list[str]:
    """Return one column's CSV cells."""
    if name in SAFE_TEXT_COLUMNS:
        return [str(v) for v in column.tolist()]
    if name in TEXT_COLUMNS or name == "audited":
        return _text_cells(column)
    if name in WHOLE_COLUMNS:
        lines: list[str] = column.to_numpy(dtype=np.int64).astype(str).tolist()
        return lines
    if name == "probability":
        return _rounded_cells(column, 4)
    if name == "age_days":
        return _rounded_cells(column, 1)
    if name in TIME_COLUMNS:
        return _iso_cells(column)
    if name == NEW_COLUMN:
        return ["true" if v is True else "false" if v is False else "" for v in column.tolist()]
    if name in extra:
        # Counts stay whole ("12"), ratios keep 4 significant digits ("0.3333").
        return ["" if v != v else f"{v:.4g}" for v in column.to_numpy(dtype=float).tolist()]
    return _whole_cells(column)


def _iso_cells(column: pd.Series) -> list[str]:
    """Return times as ISO 8601 UTC to the second ("2019-04-06T10:58:22Z"), unknown as empty."""
    values = pd.to_datetime(column, utc=True).dt.tz_localize(None).to_numpy("datetime64[s]")
    text = np.char.add(np.datetime_as_string(values, unit="s"), "Z").astype(object)
    text[np.isnat(values)] = ""
    return text.tolist()  # type: ignore[no-any-return]


# The columns of `followaudit scan --summary-csv`, one row per audited account.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "handle",
    "platform",
    "result",
    "headline",
    "followers",
    "listed",
    "scored",
    "skipped",
    "questionable",
    "share_questionable",
    "share_low",
    "share_high",
    "share_method",
    "authentic_estimate",
    "authentic_low",
    "authentic_high",
    "new_followers",
    "new_share_questionable",
    "new_share_low",
    "new_share_high",
    "flags",
    "error",
    # Followers with no post in 12 months, or none ever (empty when not known at all).
    "inactive",
)


def summary_records(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return one summary record per audit document or error row (see SUMMARY_COLUMNS)."""
    records = []
    for row in rows:
        if "error" in row:
            records.append(
                {
                    "handle": row["handle"],
                    "platform": row.get("platform"),
                    "result": f"error: {row['exit_name']}",
                    "error": row["error"],
                }
            )
            continue
        summary = row["summary"]
        share = summary["share_questionable"]
        authentic = summary["authentic_followers"]
        followers = row.get("followers") or {}
        behaviour = row.get("behaviour") or {}
        since = row.get("since_last") or {}
        new_share = since.get("share_questionable") or {}
        records.append(
            {
                "handle": row["handle"],
                "platform": row.get("platform"),
                "result": audit_outcome(row),
                "headline": row.get("headline"),
                "followers": followers.get("total"),
                "listed": followers.get("listed"),
                "scored": summary["scored"],
                "skipped": summary["skipped"],
                "questionable": summary["questionable"],
                "share_questionable": share["estimate"],
                "share_low": share["low"],
                "share_high": share["high"],
                "share_method": summary.get("share_method") or "raw",
                # The headline's figures, rounded by the same one function.
                "authentic_estimate": _followers(authentic["estimate"]),
                "authentic_low": _followers(authentic["low"]),
                "authentic_high": _followers(authentic["high"]),
                # Empty without an earlier scan of the account to compare with.
                "new_followers": since.get("new_followers"),
                "new_share_questionable": new_share.get("estimate"),
                "new_share_low": new_share.get("low"),
                "new_share_high": new_share.get("high"),
                "flags": " ".join(behaviour.get("flags") or []),
                "inactive": (summary.get("inactive") or {}).get("accounts"),
            }
        )
    return records


def _followers(value: float | None) -> float:
    """Return an estimated follower count as the headline writes it (NaN when unknown)."""
    from followaudit.analysis.summary import round_followers

    if value is None or math.isnan(value):
        return math.nan
    return float(round_followers(value))


def write_summary_csv(rows: Sequence[Mapping[str, Any]], target: IO[str]) -> None:
    """Write one spreadsheet-safe row per audited account, in the order given."""
    frame = pd.DataFrame(summary_records(rows), columns=list(SUMMARY_COLUMNS))
    text_columns = ("handle", "platform", "result", "headline", "share_method", "flags", "error")
    cells = []
    for name in SUMMARY_COLUMNS:
        column = frame[name]
        if name in text_columns:
            cells.append(_text_cells(column))
        elif "share" in name:
            cells.append(_rounded_cells(column.astype(float), 4))
        else:
            cells.append(_whole_cells(column.astype(float)))
    target.write(",".join(SUMMARY_COLUMNS) + "\n")
    for line in zip(*cells, strict=True):
        target.write(",".join(line) + "\n")


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
    frame = rows.loc[:, [c for c in CSV_COLUMNS if c != "reasons"]].copy()
    frame.insert(list(CSV_COLUMNS).index("reasons"), "reasons", reasons_joined(rows))
    frame["probability"] = frame["probability"].round(6)
    frame["age_days"] = frame["age_days"].round(2)
    for name in TIME_COLUMNS:
        # Unknown is null, as every unknown value in the JSON is.
        frame[name] = [text or None for text in _iso_cells(frame[name])] if len(frame) else []
    frame["reasons"] = frame["reasons"].map(lambda s: [r for r in s.split("; ") if r] if s else [])
    frame = frame.astype(object).where(frame.notna(), None)
    return [_plain(r) for r in frame.to_dict(orient="records")]


# JSON text of one string, non-ASCII kept as is (json.dumps' ensure_ascii=False), in C.
_json_string: Any = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.encode_basestring
)


def _json_text_cells(column: pd.Series) -> list[str]:
    """Return a text column as JSON strings, unknown (None, NaN) as null."""
    values = column.tolist()
    if set(map(type, values)) <= {str}:
        return list(map(_json_string, values))
    return ["null" if v is None or v != v else _json_string(str(v)) for v in values]


def _json_number_cells(column: pd.Series, digits: int | None = None, key: str = "") -> list[str]:
    """Return a number column as JSON numbers, NaN and infinities as null.

    orjson writes a whole float64 array in C in its shortest round-trip form
    ("1208.0", as json.dumps writes a float); no number holds a comma, so
    the array splits back into cells. About five times faster than NumPy's str.
    """
    values = column.to_numpy()
    if values.dtype.kind != "i":
        values = values.astype(np.float64, copy=False)
        if digits is not None:
            values = np.round(values, digits)
    if len(values) == 0:
        return []
    text: str = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY).decode()[1:-1]
    if key:
        # Every cell gets its key in two C calls (a key holds no comma).
        text = key + text.replace(",", "," + key)
    return text.split(",")


def _json_reasons_cells(chunk: pd.DataFrame) -> list[str]:
    """Return each account's reasons as a JSON list of sentences."""
    if "reasons" in chunk.columns:
        cells = []
        for text in chunk["reasons"].tolist():
            if not text or text != text:
                cells.append("[]")
            else:
                cells.append(
                    "[" + ", ".join(map(_json_string, filter(None, text.split("; ")))) + "]"
                )
        return cells
    # Put into words here, for this chunk only. The sentences come from fixed
    # templates and numbers: nothing in them needs escaping, and none holds
    # "; ", so the joined form becomes a JSON list by one replacement.
    return [
        '["' + text.replace("; ", '", "') + '"]' if text else "[]" for text in reasons_joined(chunk)
    ]


def _json_cells(name: str, chunk: pd.DataFrame) -> list[str]:
    """Return one column's cells: '"key": value'."""
    key = _json_string(name) + ": "
    if name == "reasons":
        values = _json_reasons_cells(chunk)
    elif name in ("probability", "age_days") or name not in TEXT_COLUMNS + TIME_COLUMNS:
        column = chunk[name]
        if name in WHOLE_COLUMNS:
            return _json_number_cells(column.astype(np.int64), key=key)
        digits = {"probability": 6, "age_days": 2}.get(name)
        return _json_number_cells(column, digits, key=key)
    elif name in SAFE_TEXT_COLUMNS:
        vocabulary: dict[str, str] = {}
        values = [
            vocabulary.get(v) or vocabulary.setdefault(v, _json_string(v))
            for v in chunk[name].tolist()
        ]
    elif name in TIME_COLUMNS:
        times = _iso_cells(chunk[name]) if len(chunk) else []
        values = ["null" if not text else _json_string(text) for text in times]
    else:
        values = _json_text_cells(chunk[name])
    return [key + value for value in values]


def write_json_streamed(
    document: Mapping[str, Any], rows: pd.DataFrame, target: IO[str], key: str = "accounts"
) -> None:
    """Write ``document`` with ``rows`` as its last key, one account per line, streamed.

    Parses to the same document as ``write_json`` given ``accounts_records(rows)``
    under ``key``; the accounts are formatted and written ``WRITE_CHUNK_ROWS`` at
    a time, column by column, so memory stays flat however many there are.
    """
    head = json.dumps(_plain(document), ensure_ascii=False, indent=2, allow_nan=False)
    if not document:
        head = "{\n}"
    target.write(head[: -len("\n}")] + ("," if document else "") + f"\n  {_json_string(key)}: [")
    for index, text in enumerate(chunk_texts(rows, _json_chunk)):
        target.write(("," if index else "") + "\n    " + text)
    target.write("\n  ]\n}\n")


def _json_chunk(chunk: pd.DataFrame) -> str:
    """Return the accounts of a chunk of rows, one JSON object per line."""
    cells = [_json_cells(name, chunk) for name in CSV_COLUMNS]
    # Each cell carries its key; the first opens the account's object, the last closes it.
    cells[0] = ["{" + cell for cell in cells[0]]
    cells[-1] = [cell + "}" for cell in cells[-1]]
    return ",\n    ".join(map(", ".join, zip(*cells, strict=True)))


def json_text(value: Any) -> str:
    """Return ``value`` as compact JSON text (NaN as null), as stored in the cache."""
    return json.dumps(_plain(value), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def write_json(document: Mapping[str, Any], target: str | Path | IO[str]) -> None:
    """Write a JSON document (NaN written as null) to a path or stream."""
    text = json.dumps(_plain(document), ensure_ascii=False, indent=2, allow_nan=False)
    if isinstance(target, (str, Path)):
        Path(target).write_text(text + "\n", encoding="utf-8")
    else:
        target.write(text + "\n")
