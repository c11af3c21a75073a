"""`followaudit score`: the report, the exports, the gate and the exit codes, end to end."""

import csv
import io
import json
from pathlib import Path

import pytest
from clirun import run

from followaudit.errors import ExitCode
from followaudit.outputs.tables import CSV_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "followers.jsonl")


def test_report_on_the_bundled_example(capsys):
    code, out, err = run(capsys, "score", EXAMPLE)
    assert code == ExitCode.OK
    assert "Authentic followers: about" in out
    assert "95% interval" in out
    assert "Most questionable accounts" in out
    assert err == ""


def test_csv_to_stdout_keeps_the_report_on_stderr(capsys):
    code, out, err = run(capsys, "score", EXAMPLE, "--csv", "-")
    assert code == ExitCode.OK
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == 400
    assert "Authentic followers" in err
    assert all(r["label"] in ("authentic", "questionable") for r in rows)
    # X handles start with "@", so every handle cell is neutralised for spreadsheets.
    assert all(r["handle"].startswith("'@") for r in rows)


def test_json_export_agrees_with_the_csv(capsys, tmp_path):
    out_json = tmp_path / "report.json"
    out_csv = tmp_path / "report.csv"
    code, _, _ = run(capsys, "score", EXAMPLE, "--json", str(out_json), "--csv", str(out_csv))
    assert code == ExitCode.OK
    document = json.loads(out_json.read_text())
    assert document["schema"] == "followaudit.score/1"
    rows = list(csv.DictReader(out_csv.open()))
    questionable = sum(r["label"] == "questionable" for r in rows)
    assert document["summary"]["scored"] == len(rows) == len(document["accounts"])
    assert document["summary"]["questionable"] == questionable
    share = document["summary"]["share_questionable"]
    assert share["low"] <= questionable / len(rows) <= share["high"]
    assert document["accounts"][0]["handle"].startswith("@")  # JSON is not escaped


def test_fail_above_exits_with_its_own_code(capsys, tmp_path):
    out_json = tmp_path / "r.json"
    code, out, _ = run(capsys, "score", EXAMPLE, "--fail-above", "5", "--json", str(out_json))
    assert code == ExitCode.GATE_FAILED
    assert "Gate --fail-above FAILED" in out
    gate = json.loads(out_json.read_text())["gates"][0]
    assert gate["passed"] is False and gate["limit"] == 0.05
    code, out, _ = run(capsys, "score", EXAMPLE, "--fail-above", "95")
    assert code == ExitCode.OK
    assert "Gate --fail-above PASSED" in out


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"", "empty"),
        (b"\xff\xfe\x00garbage\x81\x82", "UTF-8"),
    ],
)
def test_bad_files_get_one_sentence_and_the_input_code(capsys, tmp_path, content, needle):
    path = tmp_path / "followers.jsonl"
    path.write_bytes(content)
    code, out, err = run(capsys, "score", str(path))
    assert code == ExitCode.INPUT
    assert out == ""  # nothing that looks like data
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1  # one sentence
    assert str(path) in err
    assert needle.lower() in err.lower()


def test_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "score", str(tmp_path / "nope.jsonl"))
    assert code == ExitCode.INPUT
    assert "nope.jsonl" in err and "Traceback" not in err


def test_bad_as_of_is_a_usage_error(capsys):
    code, _, err = run(capsys, "score", EXAMPLE, "--as-of", "yesterday")
    assert code == ExitCode.USAGE
    assert "--as-of" in err


def test_a_tampered_model_is_refused(capsys, tmp_path):
    shipped = ROOT / "followaudit" / "model" / "model.json"
    document = json.loads(shipped.read_text())
    document["threshold"] = 0.99  # make everyone look authentic, keep the old checksum
    tampered = tmp_path / "model.json"
    tampered.write_text(json.dumps(document))
    code, _, err = run(capsys, "score", EXAMPLE, "--model", str(tampered))
    assert code == ExitCode.MODEL
    assert "Traceback" not in err


def test_debug_shows_the_traceback(capsys, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    code, _, err = run(capsys, "--debug", "score", str(path))
    assert code == ExitCode.INPUT
    assert "Traceback" in err


def test_an_unwritable_export_is_one_sentence(capsys, tmp_path):
    code, _, err = run(capsys, "score", EXAMPLE, "--csv", str(tmp_path / "no" / "such" / "x.csv"))
    assert code == ExitCode.OUTPUT
    assert "cannot write" in err and "Traceback" not in err


def test_a_failed_export_leaves_no_truncated_file(capsys, tmp_path, monkeypatch):
    import followaudit.outputs.tables as export

    target = tmp_path / "scored.csv"
    target.write_text("the previous export\n")

    def half_written(rows, stream, **kwargs):
        stream.write("line,platform\n1,x\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_csv", half_written)
    code, _, err = run(capsys, "score", EXAMPLE, "--csv", str(target))
    assert code == ExitCode.OUTPUT
    assert "No space left on device" in err
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scored.csv"]


def test_two_exports_to_one_file_are_refused(capsys, tmp_path):
    same = tmp_path / "out.txt"
    code, _, err = run(capsys, "score", EXAMPLE, "--csv", str(same), "--json", str(same))
    assert code == ExitCode.USAGE
    assert "same file" in err
    assert not same.exists()


def test_as_of_in_the_future_is_refused(capsys):
    code, _, err = run(capsys, "score", EXAMPLE, "--as-of", "2999-01-01")
    assert code == ExitCode.USAGE
    assert "in the future" in err
