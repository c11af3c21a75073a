"""CSV exports cannot run formulas in a spreadsheet, yet every value is recoverable."""

import csv
import io
import math

import pandas as pd
import pytest

from followaudit.formats.cells import escape_cell, unescape_cell
from followaudit.outputs.tables import CSV_COLUMNS, write_csv


def to_csv_text(rows):
    """Return the CSV export of ``rows`` as a string."""
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()


def rows(**overrides):
    base = {
        "line": [1],
        "record": [0],
        "platform": ["x"],
        "handle": ["@alice"],
        "id": ["123"],
        "probability": [0.123456],
        "label": ["authentic"],
        "reasons": ["has 5,470 followers and follows 2,385 accounts"],
        "posts": [20370.0],
        "followers": [5470.0],
        "following": [2385.0],
        "likes": [math.nan],
        "listed": [52.0],
        "age_days": [2231.44],
        "created_at": [pd.Timestamp("2019-04-06T10:58:22.5Z")],
        "bio_length": [12.0],
        "name_length": [5.0],
        "has_url": [1.0],
        "has_location": [math.nan],
        "default_avatar": [0.0],
        "last_post_at": [pd.Timestamp("2025-11-30T08:00:00Z")],
        "inactive": [0.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tx", "\rx", "@alice"],
)
def test_formula_triggers_are_neutralised_and_recoverable(value):
    escaped = escape_cell(value)
    assert escaped.startswith("'")
    assert unescape_cell(escaped) == value


@pytest.mark.parametrize("value", ["alice", "'quoted", "", "1,000", "bob.bsky.social"])
def test_harmless_values_are_unchanged(value):
    assert escape_cell(value) == value
    assert unescape_cell(escape_cell(value)) == value


def test_csv_has_documented_columns_and_escapes_text_cells():
    text = to_csv_text(rows(handle=["@alice"], reasons=["=cmd|' /C calc'!A0"]))
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert list(parsed[0].keys()) == list(CSV_COLUMNS)
    row = parsed[0]
    assert row["handle"] == "'@alice"
    assert row["reasons"] == "'=cmd|' /C calc'!A0"
    assert unescape_cell(row["handle"]) == "@alice"
    # Counts are integers, unknown counts are empty (not 0), probabilities rounded.
    assert row["posts"] == "20370"
    assert row["likes"] == ""
    assert row["probability"] == "0.1235"
    # The profile's inputs, as the CSV reader takes them back.
    assert (row["created_at"], row["bio_length"], row["has_url"], row["has_location"]) == (
        "2019-04-06T10:58:22Z",
        "12",
        "1",
        "",
    )
    # When it last posted, and whether that makes it inactive.
    assert (row["last_post_at"], row["inactive"]) == ("2025-11-30T08:00:00Z", "0")


def test_an_unknown_last_post_and_activity_are_empty_never_zero():
    text = to_csv_text(rows(last_post_at=[pd.NaT], inactive=[math.nan]))
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["last_post_at"], row["inactive"]) == ("", "")


def test_numbers_are_never_escaped():
    text = to_csv_text(rows(probability=[0.0]))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["probability"] == "0.0"
    assert not row["followers"].startswith("'")
