"""Follower data as people have it -> the canonical account table.

``read_accounts(path, format=None, as_of=None) -> ReadResult`` reads a file
(or stdin for ``"-"``), works out its container and format, and converts every
record it can into a canonical row (see ``followaudit.accounts``).

Containers, told apart by the first bytes and lines of the file:

- JSON Lines: one record, one API page or one array of records per line
  (twarc2 writes one X API page per line). Chosen when the first non-blank
  line is a complete JSON object.
- A JSON document: an array of records, an API page object, or several such
  values one after another (``jq`` output), pretty-printed or not.
- CSV: anything that does not start with ``{`` or ``[``; a header row, comma
  separated (semicolon or tab when the header has no comma).

API pages are objects holding their accounts under ``data`` (X v2),
``users`` (X v1.1), ``profiles`` (Bluesky getProfiles), ``followers``
(Bluesky getFollowers) or ``accounts`` (Mastodon search).

Formats (``FORMATS``), detected from the keys of the first record that has
any of them, in this order:

- ``bluesky``: ``did`` and ``handle`` (a profile with no counts is a
  getFollowers ``profileView`` and the file is refused with advice)
- ``mastodon``: ``acct`` with ``statuses_count`` or ``note``
- ``x-v1``: ``screen_name`` or ``friends_count`` (JSON or CSV header)
- ``x-v2``: ``public_metrics``, or ``username`` with ``id``
- ``csv``: a CSV header with ``posts``, ``followers`` or ``following``
  (columns documented in ``followaudit.formats.native``), or JSON records
  with ``posts``, ``followers`` and ``following``: the accounts of
  followaudit's own ``score --json`` and ``scan --json`` documents (a scan's
  audits are read one after another)

A Parquet file (it starts with ``PAR1``; reading it needs pyarrow) holds a
table in any of these formats, one field per column: see ``frame``, which
also reads DataFrames for the Python API.

Every row keeps its ``line``; the records of a line that holds several (a
twarc2 page, an array or API page written on one line) are numbered in
``record`` (1, 2, ...; 0 for a line's only record), and skipped records and
warnings name them as ``line 1:40`` (``accounts.place``).

A JSON Lines file larger than 64 MB is cut at line breaks and read by one
process per core (at most 4; see ``_parallel``): the result is the same.

Unknown stays unknown: a value a format does not carry is NaN, never zero.
A record that cannot be scored (no counts, a broken JSON line, a non-numeric
cell, an impossible value) is skipped and listed in ``ReadResult.skipped``
with its line and reason; a problem with the file itself, or a file in which
no record can be scored, raises ``InputError`` naming the file and line.

The per-format converters live in the submodules and are shared with the
live platform adapters: ``x_v2.add_user``, ``x_v1.add_user``,
``x_v1.add_csv_row``, ``bluesky.add_profile``, ``mastodon.add_account``,
``mastodon.is_default_avatar``, ``native.add_row``; each raises
``RecordError`` (a ``ValueError``) with the reason for a record it refuses.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from followaudit.accounts import Skipped, TableBuilder
from followaudit.errors import InputError, UsageError
from followaudit.formats import bluesky, native, x_v1
from followaudit.formats._checks import (
    SNIFF_BYTES,
    CsvRows,
    FirstLine,
    drop_duplicates,
    first_text_line,
    refuse_binary,
    refuse_long_header,
)
from followaudit.formats._common import RecordError, parse_iso_datetime
from followaudit.formats._containers import Broken, Item, iter_document, iter_jsonl
from followaudit.formats._convert import (
    CSV_CONVERTERS,
    convert_items,
    detect_format,
    new_builder,
    realign,
    reason,
)
from followaudit.formats._finish import combine
from followaudit.formats._parallel import Part, read_parallel, worker_count
from followaudit.formats._result import FORMATS, ReadResult

__all__ = [
    "FORMATS",
    "ReadResult",
    "RecordError",
    "detect_format",
    "parse_iso_datetime",
    "read_accounts",
]

DETECT_LIMIT = 100
# Input formats that only come as JSON: a CSV read as one of them is refused.
JSON_ONLY_FORMATS = frozenset({"x-v2", bluesky.FORMAT, "mastodon"})
UTF8_BOM = b"\xef\xbb\xbf"


def read_accounts(
    path: str | Path, format: str | None = None, as_of: datetime | None = None
) -> ReadResult:
    """Return the scoreable accounts of a follower file, plus what was skipped and why.

    ``path`` "-" reads stdin. ``format`` (a key of ``FORMATS``) overrides
    detection. Accounts created after ``as_of`` (default: now, UTC) or with
    negative counts are skipped as impossible.
    """
    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    as_of = as_of or datetime.now(UTC)
    name, opener, file = _source(path)
    warnings: list[str] = []
    with opener() as handle:
        parquet = handle.read(4) == b"PAR1" or name.lower().endswith(".parquet")
    if parquet:
        from followaudit.formats.frame import read_parquet, table_part

        fmt, part = table_part(read_parquet(opener, name), format, name)
        parts = [part]
    else:
        with opener() as handle:
            kind, first = _sniff(handle, name)
        if kind == "csv":
            refuse_long_header(first, name)
            fmt, builder, csv_skipped = _read_csv(opener, name, format, warnings)
            parts = [Part(builder.to_frame(), csv_skipped, {}, [])]
        else:
            fmt, parts = _read_json(opener, file, name, first, format, warnings)
    good, skipped = combine(parts, fmt, as_of, warnings)
    good, duplicates = drop_duplicates(good)
    if duplicates.rows:
        warnings.append(duplicates.sentence())
    if len(good) == 0:
        if not skipped:
            raise InputError("the file holds no accounts", path=name)
        first_bad = skipped[0]
        total = len(skipped)
        raise InputError(
            f"{first_bad.reason}; none of the {total} record{'s' if total != 1 else ''} "
            "could be scored",
            path=name,
            line=first_bad.line,
            record=first_bad.record,
        )
    return ReadResult(
        table=good, skipped=skipped, format=fmt, path=name, warnings=warnings, duplicates=duplicates
    )


def _source(path: str | Path) -> tuple[str, Callable[[], BinaryIO], Path | None]:
    """Return (name for messages, a function opening the bytes afresh, the file or None)."""
    if str(path) == "-":
        # The head is checked before the rest is read: a binary stream is refused at once.
        head = sys.stdin.buffer.read(SNIFF_BYTES)
        refuse_binary(head, "<stdin>")
        data = head + sys.stdin.buffer.read()
        return "<stdin>", lambda: io.BytesIO(data), None
    file = Path(path)
    name = str(path)
    if not file.exists():
        raise InputError("no such file", path=name)
    if file.is_dir():
        raise InputError("this is a folder, not a file", path=name)
    if not file.is_file():
        # A pipe (`score <(zcat followers.jsonl.gz)`) or device can be read only once.
        try:
            with file.open("rb") as stream:
                head = stream.read(SNIFF_BYTES)
                refuse_binary(head, name)
                data = head + stream.read()
        except OSError as error:
            raise InputError(f"the file cannot be read ({error.strerror})", path=name) from None
        return name, lambda: io.BytesIO(data), None
    try:
        with file.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise InputError(f"the file cannot be read ({error.strerror})", path=name) from None
    refuse_binary(head, name)
    return name, lambda: file.open("rb"), file


def _sniff(handle: BinaryIO, name: str) -> tuple[str, FirstLine]:
    """Return ("json" | "csv", the first non-blank line), reading a bounded amount."""
    first = first_text_line(handle, name, UTF8_BOM)
    kind = "json" if first.text.lstrip()[:1] in (b"{", b"[") else "csv"
    return kind, first


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            "the file is not UTF-8 text: save it as UTF-8", path=name, line=line
        ) from None


def _next_line_is_a_record(opener: Callable[[], BinaryIO], first_line: int) -> bool:
    """Return whether the first non-blank line after ``first_line`` is a complete JSON object."""
    with opener() as handle:
        for number, line in enumerate(handle, 1):
            if number <= first_line or not line.strip():
                continue
            if not line.lstrip().startswith(b"{"):
                return False
            try:
                json.loads(line)
            except (ValueError, RecursionError):
                return False
            return True
    # A file of one damaged line: report it as a JSON Lines record that was cut.
    return True


def _read_json(
    opener: Callable[[], BinaryIO],
    file: Path | None,
    name: str,
    first: FirstLine,
    forced: str | None,
    warnings: list[str],
) -> tuple[str, list[Part]]:
    first_line, first_text = first.number, first.text
    stripped = first_text.strip()
    jsonl = False
    # A first line over the line cap is one long document, not a JSON Lines record.
    if stripped.startswith(b"{") and not first.cut:
        try:
            json.loads(first_text)
            jsonl = True
        except (ValueError, RecursionError):
            # Line one opens a multi-line document ("{", or '{"data": [') unless
            # the next line is a whole record: then line one is a damaged
            # JSON Lines record.
            jsonl = _next_line_is_a_record(opener, first_line)
    if not jsonl:
        with opener() as handle:
            text = _decode(handle.read(), name)
        items = iter_document(text, name, warnings)
        fmt, head = _detect(items, name, forced, warnings)
        builder, skipped, missing = convert_items(chain(head, items), fmt)
        return fmt, [Part(builder.to_frame(), skipped, missing, [])]
    workers = worker_count(file.stat().st_size) if file is not None else 1
    with opener() as handle:
        lines = iter(handle)
        for _ in range(first_line - 1):
            next(lines)
        # Workers re-read the head, so what detection warns about is theirs to say.
        items = iter_jsonl(lines, first_line, warnings if workers == 1 else [])
        fmt, head = _detect(items, name, forced, warnings)
        if workers == 1 or file is None:
            builder, skipped, missing = convert_items(chain(head, items), fmt)
            return fmt, [Part(builder.to_frame(), skipped, missing, [])]
    try:
        return fmt, read_parallel(file, fmt, workers)
    except (OSError, BrokenProcessPool):
        # No processes to be had (limits, sandbox): read it in this one.
        with opener() as handle:
            builder, skipped, missing = convert_items(iter_jsonl(handle, 1, warnings), fmt)
        return fmt, [Part(builder.to_frame(), skipped, missing, [])]


def _no_accounts(warnings: list[str]) -> str:
    """Return the sentence for a JSON file without records, with what the API said if known."""
    if warnings:
        return f"the file holds no accounts ({warnings[0]})"
    return "the file holds no accounts"


def _detect(
    items: Iterator[Item], name: str, forced: str | None, warnings: list[str]
) -> tuple[str, list[Item]]:
    """Return (format, the records read to find it); raise InputError if it cannot be told."""
    buffered: list[Item] = []
    detected: str | None = None
    for line, record in items:
        buffered.append((line, record))
        if isinstance(record, dict):
            detected = detect_format(record)
            if detected is not None:
                refuse = forced in (None, bluesky.FORMAT) and bluesky.is_profile_view(record)
                if detected == bluesky.FORMAT and refuse:
                    raise InputError(bluesky.PROFILE_VIEW_MESSAGE, path=name, line=line)
                break
        if len(buffered) >= DETECT_LIMIT:
            break
    if forced == "csv" and detected not in (None, "csv"):
        raise InputError(
            f"this is {detected} JSON, but the csv format is followaudit's own columns "
            "(posts, followers, following, created_at): leave --format out",
            path=name,
        )
    fmt = forced or detected
    if fmt is not None:
        return fmt, buffered
    if not any(not isinstance(record, Broken) for _, record in buffered):
        if buffered:
            line, broken = buffered[0]
            assert isinstance(broken, Broken)
            raise InputError(broken.reason, path=name, line=line)
        raise InputError(_no_accounts(warnings), path=name)
    raise InputError(
        "cannot tell which format these records are in: use --format with one of "
        + ", ".join(FORMATS),
        path=name,
        line=buffered[0][0],
    )


def _read_csv(
    opener: Callable[[], BinaryIO], name: str, forced: str | None, warnings: list[str]
) -> tuple[str, TableBuilder, list[Skipped]]:
    if forced in JSON_ONLY_FORMATS:
        raise InputError(f"this looks like CSV, but {forced} data is JSON", path=name, line=1)
    with opener() as handle:
        text = _decode(handle.read(), name)
    first_row = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_row:
        delimiter = ";" if ";" in first_row else "\t" if "\t" in first_row else ","
    rows = CsvRows(text, delimiter)
    while True:
        row = rows.next_row(None)
        if row is None:
            raise InputError("the file is empty", path=name)
        header_line, header, why = row
        if header is None:
            raise InputError(why.split(";")[0], path=name, line=header_line)
        if header:
            break
    columns = [column.strip().lower() for column in header]
    fmt = forced
    if fmt is None:
        if x_v1.looks_like_csv(columns):
            fmt = "x-v1"
        elif native.looks_like_csv(columns):
            fmt = "csv"
        else:
            raise InputError(
                "cannot tell which format this file is in: a followaudit CSV needs the columns "
                "posts, followers, following and created_at (or use --format)",
                path=name,
                line=header_line,
            )
    required = x_v1.REQUIRED_CSV_COLUMNS if fmt == "x-v1" else native.REQUIRED_COLUMNS
    missing = [column for column in required if column not in columns]
    if missing:
        raise InputError(
            f"the CSV header has no {' or '.join(missing)} column, which {fmt} data needs",
            path=name,
            line=header_line,
        )
    if fmt == "x-v1":
        for column, canonical in x_v1.OPTIONAL_CSV_COLUMNS.items():
            if column not in columns:
                warnings.append(f"no {column} column, so {canonical} is unknown for every account")
    else:
        for canonical in native.missing_optional(columns):
            sources = " or ".join(native.OPTIONAL_COLUMNS[canonical])
            warnings.append(f"no {sources} column, so {canonical} is unknown for every account")
    convert = CSV_CONVERTERS[fmt]
    builder = new_builder()
    skipped: list[Skipped] = []
    width = len(columns)
    last_line = header_line
    while True:
        row = rows.next_row(width)
        if row is None:
            break
        start, read, why = row
        if read is None:
            # One broken line is skipped; the rows after it are still read.
            skipped.append(Skipped(start, why))
            last_line = start
            continue
        cells = read
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        last_line = start
        if len(cells) != width:
            skipped.append(
                Skipped(start, f"the row has {len(cells)} cells but the header has {width}")
            )
            continue
        try:
            convert(builder, dict(zip(columns, cells, strict=True)), start)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            skipped.append(Skipped(start, reason(error)))
            realign(builder)
    if not text.endswith(("\n", "\r")) and last_line > header_line:
        cut = bool(skipped) and skipped[-1].line == last_line
        warnings.append(
            f"line {last_line}: the file does not end with a line break; "
            + (
                "that row was cut off and skipped"
                if cut
                else "if it was cut off while being written, that row may be incomplete"
            )
        )
    return fmt, builder, skipped
