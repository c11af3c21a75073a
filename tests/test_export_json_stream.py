"""`score --json` streams the accounts row by row; the document is the one it always was.

The oracle is the writer as it was before streaming (one dict per account,
then ``json.dumps(indent=2)`` of the whole document), kept here verbatim.
"""

import io
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from clirun import run

from followaudit import __version__
from followaudit.analysis.summary import model_rates, summarize
from followaudit.formats import read_accounts
from followaudit.model.forest import load_model
from followaudit.model.scoring import score_table
from followaudit.outputs import tables as export
from followaudit.outputs.documents import SCORE_JSON_SCHEMA

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "followers.jsonl"
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
CSV_COLUMNS = export.CSV_COLUMNS


# --- the oracle: the non-streaming writer as it was -------------------------------------
def old_plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): old_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [old_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def csv_text(rows):
    """Return the CSV export of ``rows`` as a string."""
    buffer = io.StringIO()
    export.write_csv(rows, buffer)
    return buffer.getvalue()


def old_accounts_records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    frame = rows.loc[:, list(CSV_COLUMNS)].copy()
    frame["probability"] = frame["probability"].round(6)
    frame["age_days"] = frame["age_days"].round(2)
    # Since issue 18 there are two times, and an unknown one is null like every unknown value.
    for name in ("created_at", "last_post_at"):
        frame[name] = [t or None for t in export._iso_cells(frame[name])] if len(frame) else []
    frame["reasons"] = frame["reasons"].map(lambda s: [r for r in s.split("; ") if r] if s else [])
    frame = frame.astype(object).where(frame.notna(), None)
    return [old_plain(r) for r in frame.to_dict(orient="records")]


def old_json_text(document: Mapping[str, Any]) -> str:
    return json.dumps(old_plain(document), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# -----------------------------------------------------------------------------------------
def scored_example() -> pd.DataFrame:
    read = read_accounts(EXAMPLE, as_of=AS_OF)
    return score_table(read.table, load_model(None), AS_OF)


def streamed(head: Mapping[str, Any], rows: pd.DataFrame) -> str:
    buffer = io.StringIO()
    export.write_json_streamed(head, rows, buffer)
    return buffer.getvalue()


def test_streamed_document_equals_the_old_one_on_the_example():
    rows = scored_example()
    head = {"schema": SCORE_JSON_SCHEMA, "summary": {"scored": len(rows), "share": float("nan")}}
    text = streamed(head, rows)
    assert json.loads(text) == json.loads(
        old_json_text({**head, "accounts": old_accounts_records(rows)})
    )
    assert list(json.loads(text)) == ["schema", "summary", "accounts"]


def test_hostile_and_unknown_values_come_out_the_same():
    rows = scored_example().head(6).copy()
    rows["handle"] = ['@a"b\\c', "@line\nbreak", "@ünïcödé😀", "=HYPERLINK()", "", "</script>"]
    rows["id"] = ["1", "\u2028", "\x00\x1f", "'quoted'", "", "9" * 30]
    rows.loc[0, "reasons"] = ""
    rows.loc[1, "reasons"] = 'says "hi"; ; has a\ttab'
    for name in ("likes", "listed", "age_days"):
        rows.loc[2, name] = np.nan
    rows.loc[2, "created_at"] = pd.NaT
    rows.loc[3, "followers"] = np.inf
    rows.loc[4, "posts"] = 1e16
    rows.loc[5, "probability"] = 1.23456789e-7
    text = streamed({"x": 1}, rows)
    assert json.loads(text) == json.loads(
        old_json_text({"x": 1, "accounts": old_accounts_records(rows)})
    )


@pytest.mark.parametrize("size", [0, 1])
def test_empty_and_single_account_documents_parse(size):
    rows = scored_example().head(size)
    document = json.loads(streamed({"schema": SCORE_JSON_SCHEMA}, rows))
    assert document == {"schema": SCORE_JSON_SCHEMA, "accounts": old_accounts_records(rows)}


def test_chunks_join_into_one_list(monkeypatch):
    monkeypatch.setattr(export, "WRITE_CHUNK_ROWS", 7)
    rows = scored_example()
    document = json.loads(streamed({}, rows))
    assert document["accounts"] == old_accounts_records(rows)


def test_one_account_per_line():
    rows = scored_example().head(5)
    lines = streamed({"a": 1}, rows).splitlines()
    accounts = [line for line in lines if line.startswith("    {")]
    assert len(accounts) == 5
    assert [json.loads(a.rstrip(","))["line"] for a in accounts] == rows["line"].tolist()


def test_score_json_command_writes_todays_document(tmp_path, capsys):
    out = tmp_path / "report.json"
    code, _, _ = run(capsys, "score", EXAMPLE, "--as-of", "2026-01-01", "--json", out, "--quiet")
    assert code == 0
    written = json.loads(out.read_text(encoding="utf-8"))

    # Today's document, built the way `score --json` built it before streaming.
    read = read_accounts(EXAMPLE, as_of=AS_OF)
    model = load_model(None)
    rows = score_table(read.table, model, AS_OF)
    summary = summarize(rows, read.skipped, model.threshold, rates=model_rates(model, rows))
    expected = {
        "schema": SCORE_JSON_SCHEMA,
        "tool": {"name": "followaudit", "version": __version__},
        "input": {
            "path": read.path,
            "format": read.format,
            "as_of": AS_OF.isoformat(),
            "duplicates": read.duplicates.to_dict(),
        },  # added by issue 9, item 3
        "model": {"threshold": model.threshold, "metadata": model.metadata},
        "summary": summary.to_dict() | {"duplicates": read.duplicates.rows},
        "gates": [],
        "passed": True,
        "skipped": [{"line": s.line, "record": s.record, "reason": s.reason} for s in read.skipped],
        "warnings": list(read.warnings),
        "accounts": old_accounts_records(rows),
    }
    assert written == json.loads(old_json_text(expected))


def test_two_core_formatting_writes_the_same_bytes(monkeypatch):
    if not export._two_cores():
        pytest.skip("no second core or fork here: the exports are formatted in one process")
    rows = scored_example()
    monkeypatch.setattr(export, "WRITE_CHUNK_ROWS", 37)
    monkeypatch.setattr(export, "PARALLEL_MIN_CHUNKS", 10**9)
    serial_csv, serial_json = csv_text(rows), streamed({"a": 1}, rows)
    monkeypatch.setattr(export, "PARALLEL_MIN_CHUNKS", 2)
    before = export.worker_chunks
    assert csv_text(rows) == serial_csv
    assert streamed({"a": 1}, rows) == serial_json
    assert export.worker_chunks - before >= 10  # half of the 11 chunks of each, in a worker


STDOUT_PROBE = """
import sys
from datetime import UTC, datetime
from followaudit.outputs import tables as export
from followaudit.formats import read_accounts
from followaudit.model.forest import load_model
from followaudit.model.scoring import score_table
read = read_accounts(sys.argv[1])
rows = score_table(read.table, load_model(None), datetime(2026, 1, 1, tzinfo=UTC), reasons=False)
export.WRITE_CHUNK_ROWS, export.PARALLEL_MIN_CHUNKS = 37, 2
sys.stdout.write("not yet flushed when the worker is forked\\n")
export.write_json_streamed({"a": 1}, rows, sys.stdout)
print(export.worker_chunks, file=sys.stderr)
"""


def test_a_worker_never_writes_stdout_twice():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", STDOUT_PROBE, str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=True,
    )
    head, _, document = result.stdout.partition("\n")
    assert head == "not yet flushed when the worker is forked"
    assert len(json.loads(document)["accounts"]) == 400
    assert int(result.stderr) > 0 or not export._two_cores()
