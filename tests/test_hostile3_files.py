"""Issue 17, causes 4, 7 and 12 in files given to `followaudit score`.

Cause 4: a count with 400 digits (``"followers_count": 10**400``) raised
OverflowError (exit 1) in every JSON format: it must skip its row with the
usual "not a plausible count" reason. Cause 7: a handle holding a lone
surrogate (``"\\ud800x"`` in JSON) raised UnicodeEncodeError (exit 1) and
nothing was exported: the account must be scored and every export written.
Cause 12: a NUL in a handle was written as it is into the CSV export, which
``score`` then refused as a binary file: an export must read back.

The cause 4 and 7 files are cases of ``tests/corpus/generate.py`` (``issue17_cases``),
run by tests/test_corpus.py.
"""

from __future__ import annotations

import json

import pytest
from clirun import run
from corpus.generate import jsonl, x_user

from followaudit.errors import ExitCode


def test_a_csv_export_with_a_nul_in_a_handle_reads_back(tmp_path, capsys):
    users = [dict(x_user(0), username="nul\x00handle")] + [x_user(i) for i in range(1, 10)]
    source = tmp_path / "nul.jsonl"
    source.write_bytes(jsonl(users))
    exported = tmp_path / "scored.csv"
    code, _, err = run(capsys, "score", source, "--csv", exported, "--as-of", "2026-01-01")
    assert code == ExitCode.OK, err
    code, out, err = run(capsys, "score", exported, "--as-of", "2026-01-01", "--top", "0")
    shown = " ".join((out + err).split())
    assert code == ExitCode.OK, shown  # today: 3 INPUT, "this is a binary file, not text"
    assert "Scored: 10" in shown


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_count_of_5000_digits_is_a_reason_not_a_crash(tmp_path, capsys, suffix):
    # Python refuses to parse an integer of more than 4,300 digits (ValueError, not
    # JSONDecodeError): the JSON document reader let it through, exit 1.
    lines = [json.dumps(x_user(i)) for i in range(5)]
    lines[0] = lines[0].replace('"followers_count": 0', '"followers_count": 1' + "0" * 5000)
    source = tmp_path / f"digits{suffix}"
    text = "[" + ",".join(lines) + "]" if suffix == ".json" else "\n".join(lines) + "\n"
    source.write_text(text)
    code, out, err = run(capsys, "score", source, "--as-of", "2026-01-01", "--top", "0")
    shown = " ".join((out + err).split())
    assert "unexpected" not in shown
    assert "set_int_max_str_digits" not in shown  # Python's advice is not the user's
    if suffix == ".jsonl":  # one record of many: that record is skipped, the rest scored
        assert code == ExitCode.OK, shown
        assert "Scored: 4 Skipped: 1" in shown
    else:  # one JSON document: it cannot be read, and the sentence says why
        assert code == ExitCode.INPUT, shown
        assert "not valid JSON (a number of more than 4,300 digits)" in shown
