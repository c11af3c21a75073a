"""Checks on a follower file before and after it is read: binary input, absurd lines, repeats.

- ``refuse_binary`` looks at the first bytes only (constant memory, however
  large the file) and refuses NUL bytes, compressed files, archives,
  spreadsheets, PDFs and databases (Parquet, which is read, aside) with one sentence saying what the file is.
- ``first_text_line`` finds the first non-blank line reading at most
  ``MAX_LINE_BYTES`` at a time, so a file of one endless line costs no more
  memory than that.
- ``CsvRows`` reads CSV rows so that an unmatched quote costs one line,
  not the rest of the file.
- ``drop_duplicates`` keeps the first row of each account (same platform and
  id, or same handle when the id is unknown) and counts the rest, so a
  follower listed 50 times is scored once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

import numpy as np
import pandas as pd

from followaudit.accounts import place
from followaudit.errors import InputError

# Enough to recognise any binary format and to see NUL bytes in the head.
SNIFF_BYTES = 64 * 1024
# No header, record or API page line of a follower file comes near this.
MAX_LINE_BYTES = 1024 * 1024

# (leading bytes, what the file is and what to do)
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "compressed with gzip: decompress it first (gunzip)"),
    (b"BZh", "compressed with bzip2: decompress it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "compressed with xz: decompress it first (unxz)"),
    (b"\x28\xb5\x2f\xfd", "compressed with zstd: decompress it first (unzstd)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive: extract the follower file first"),
    (
        b"PK\x03\x04",
        ("a zip archive (an Excel .xlsx workbook is one): extract it, or save the sheet as CSV"),
    ),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel/Office document: save the sheet as CSV"),
    (b"%PDF-", "a PDF document, not follower data"),
    (b"SQLite format 3\x00", "an SQLite database, not follower data"),
)


def refuse_binary(head: bytes, name: str) -> None:
    """Raise InputError if the first bytes of a file show it is not text (Parquet is read)."""
    if head.startswith(b"PAR1") or name.lower().endswith(".parquet"):
        return
    for magic, what in SIGNATURES:
        if head.startswith(magic):
            raise InputError(f"this file is {what}", path=name)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16 text: save it as UTF-8", path=name, line=1)
    nul = head.find(b"\x00")
    if nul >= 0:
        line = head.count(b"\n", 0, nul) + 1
        raise InputError(
            f"this is a binary file, not text (a NUL byte at byte {nul + 1:,})",
            path=name,
            line=line,
        )


@dataclass
class FirstLine:
    """The first non-blank line of a file: its number, its bytes, whether it was cut at the cap."""

    number: int
    text: bytes
    cut: bool


def first_text_line(handle: BinaryIO, name: str, bom: bytes) -> FirstLine:
    """Return the first non-blank line, reading at most MAX_LINE_BYTES at once."""
    number = 0
    at_line_start = True
    while True:
        raw = handle.readline(MAX_LINE_BYTES)
        if not raw:
            raise InputError("the file is empty", path=name)
        if at_line_start:
            number += 1
        if number == 1 and at_line_start:
            raw = raw.removeprefix(bom)
        # readline stops at the cap, at a line break, or at the end of the file.
        complete = raw.endswith(b"\n") or len(raw) < MAX_LINE_BYTES
        if raw.strip():
            if not at_line_start:
                # Blank bytes for a megabyte, then text on the same line: absurd.
                raise InputError(
                    f"line {number} starts with over {MAX_LINE_BYTES // 2**20} MB of blanks",
                    path=name,
                )
            return FirstLine(number, raw, cut=not complete)
        at_line_start = complete


def refuse_long_header(first: FirstLine, name: str) -> None:
    """Raise InputError when a CSV header line has no line break within MAX_LINE_BYTES."""
    if first.cut:
        raise InputError(
            f"the first line is over {MAX_LINE_BYTES // 2**20} MB long with no line break: "
            "a CSV header is a few hundred bytes, so this is not a CSV of accounts",
            path=name,
            line=first.number,
        )


class Repeat(NamedTuple):
    """A row that repeats an account, and the row it repeats (record 0: alone on its line)."""

    line: int
    record: int
    first_line: int
    first_record: int

    def sentence(self) -> str:
        """Return "line 7 repeats line 2", or "line 1:40 repeats line 1:12" on a one-line page."""
        return (
            f"{place(self.line, self.record)} repeats {place(self.first_line, self.first_record)}"
        )


@dataclass
class Duplicates:
    """Rows that repeat an account already read: how many, and the first few repeats."""

    rows: int = 0
    accounts: int = 0
    examples: list[Repeat] = field(default_factory=list)

    def sentence(self) -> str:
        """Return the warning that says what was done with the repeats."""
        rows = f"{self.rows:,} row{'s' if self.rows != 1 else ''}"
        accounts = f"{self.accounts:,} account{'s' if self.accounts != 1 else ''}"
        where = ", ".join(repeat.sentence() for repeat in self.examples)
        return (
            f"{rows} repeat {accounts} already read (same id, or same handle when there is "
            f"no id): each account is scored once, from its first row ({where}"
            f"{', ...' if self.rows > len(self.examples) else ''})"
        )

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form: counts and the first repeats with the line they repeat."""
        return {
            "rows": self.rows,
            "accounts": self.accounts,
            "examples": [
                {
                    "line": repeat.line,
                    "record": repeat.record,
                    "first_line": repeat.first_line,
                    "first_record": repeat.first_record,
                }
                for repeat in self.examples
            ],
        }


def drop_duplicates(table: pd.DataFrame, examples: int = 5) -> tuple[pd.DataFrame, Duplicates]:
    """Return (the table with only the first row of each account, what was dropped).

    About 0.2 s per million rows when every row has an id and none repeats.
    """
    if len(table) < 2:
        return table, Duplicates()
    ids = table["id"].to_numpy(dtype=object)
    handles = table["handle"].to_numpy(dtype=object)
    platforms = table["platform"].to_numpy(dtype=object)
    has_id = ids != ""
    if has_id.all() and len(set(ids.tolist())) == len(ids):
        return table, Duplicates()  # the common case, and a set is the quickest test of it
    by_handle = ~has_id & (handles != "")
    # Rows with neither id nor handle cannot be told apart: each is its own account.
    repeated = np.zeros(len(table), dtype=bool)
    key = np.empty(len(table), dtype=object)
    key[has_id] = ids[has_id]
    if by_handle.any():
        key[by_handle] = pd.Series(handles[by_handle], dtype=object).str.casefold().to_numpy()
    one_platform = bool((platforms == platforms[0]).all())
    for kind in (has_id, by_handle):
        if kind.any():
            # Object dtype: hashing Python strings beats converting them to Arrow first.
            keys = pd.Series(key[kind], dtype=object)
            if not one_platform:
                keys = pd.Series(platforms[kind], dtype=object) + "\x00" + keys
            repeated[kind] = keys.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return table, Duplicates()
    lines = table["line"].to_numpy()
    records = table["record"].to_numpy()
    kinds = np.where(has_id, 1, np.where(by_handle, 2, 0))
    pairs = list(
        zip(
            platforms[repeated].tolist(),
            kinds[repeated].tolist(),
            key[repeated].tolist(),
            strict=True,
        )
    )
    found = Duplicates(rows=int(repeated.sum()), accounts=len(set(pairs)))
    shown = np.flatnonzero(repeated)[:examples]
    # Only rows holding one of the shown keys are looked at, to find where each came first.
    candidates = np.flatnonzero(
        pd.Series(key, dtype=object).isin(set(key[shown].tolist())).to_numpy()
    )
    first: dict[tuple[object, int, object], int] = {}
    for index in candidates.tolist():
        first.setdefault((platforms[index], int(kinds[index]), key[index]), index)
    for index in shown.tolist():
        origin = first[(platforms[index], int(kinds[index]), key[index])]
        found.examples.append(
            Repeat(int(lines[index]), int(records[index]), int(lines[origin]), int(records[origin]))
        )
    return table.loc[~repeated].reset_index(drop=True), found


# A cell may hold line breaks (a bio typed on several lines), but no profile
# field comes near this many: a "row" this long is an unmatched quote.
MAX_ROW_LINES = 50
UNMATCHED_QUOTE = (
    "a quoted cell opens on this line and never closes as a row should (an unmatched '\"'); "
    "this line was skipped and reading went on at the next"
)


class CsvRows:
    """CSV rows with the lines they span; a broken row costs its first line, not the file.

    The csv module reads an unmatched quote as the start of a cell that runs
    to the next quote, however far: to the end of the file if there is none,
    dropping every row after it as one bad row. Here, a row that spans
    several lines and does not have the header's number of cells (or spans
    more than ``MAX_ROW_LINES``), or that the csv module cannot read at all,
    is reported against the line it starts on, and reading starts again on
    the line after it.
    """

    def __init__(self, text: str, delimiter: str) -> None:
        self._stream = io.StringIO(text, newline="")
        self._delimiter = delimiter
        self.line = 0  # the last physical line read
        self._ends: list[int] = []  # where each line of the current row ends
        self._reader = self._new_reader()

    def _new_reader(self) -> Iterator[list[str]]:
        return csv.reader(self._physical_lines(), delimiter=self._delimiter)

    def _physical_lines(self) -> Iterator[str]:
        stream = self._stream
        while True:
            text = stream.readline()
            if not text:
                return
            self.line += 1
            self._ends.append(stream.tell())
            yield text

    def _resume_after_first_line(self, start: int) -> None:
        self._stream.seek(self._ends[0])
        self.line = start
        self._reader = self._new_reader()

    def next_row(self, width: int | None) -> tuple[int, list[str] | None, str] | None:
        """Return (first line, cells or None, why None) of the next row; None at the end.

        ``width`` is the header's number of cells (None while reading the header).
        """
        self._ends = []
        start = self.line + 1
        try:
            cells = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            if not self._ends:
                return None
            spanned_lines = self.line > start
            self._resume_after_first_line(start)
            if spanned_lines:  # a cell grown past the csv module's limit by a quote
                return start, None, UNMATCHED_QUOTE
            return start, None, f"this is not readable CSV ({error}); the line was skipped"
        spanned = self.line - start + 1
        if spanned > 1 and (spanned > MAX_ROW_LINES or (width is not None and len(cells) != width)):
            self._resume_after_first_line(start)
            return start, None, UNMATCHED_QUOTE
        return start, cells, ""
