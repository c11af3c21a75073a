"""`followaudit score` reads Parquet files and writes --parquet, scoring as it scores JSON."""

import json
from pathlib import Path

import pandas as pd
from clirun import run, run_flat

import followaudit.formats.frame as frame_module
from followaudit.errors import ExitCode
from followaudit.outputs.tables import CSV_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "followers.jsonl"
AS_OF = "2026-01-31"


def example_records():
    return [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]


def test_a_parquet_file_of_x_users_scores_as_the_jsonl_does(capsys, tmp_path):
    nested = tmp_path / "followers.parquet"
    pd.DataFrame(example_records()).to_parquet(nested)
    flat = tmp_path / "flat.data"  # detected by its first bytes, whatever its name
    pd.json_normalize(example_records()).to_parquet(flat)
    expected_csv = tmp_path / "expected.csv"
    code, _, err = run(capsys, "score", EXAMPLE, "--as-of", AS_OF, "--csv", expected_csv, "-q")
    assert code == ExitCode.OK, err
    for source in (nested, flat):
        got = tmp_path / f"{source.stem}.csv"
        code, _, err = run(capsys, "score", source, "--as-of", AS_OF, "--csv", got, "-q")
        assert code == ExitCode.OK, err
        assert got.read_bytes() == expected_csv.read_bytes()


def test_parquet_export_has_the_csv_columns_typed_and_scores_the_same_again(capsys, tmp_path):
    first, second = tmp_path / "scored.parquet", tmp_path / "again.parquet"
    code, out, err = run(capsys, "score", EXAMPLE, "--as-of", AS_OF, "--parquet", first)
    assert code == ExitCode.OK, err
    assert "Authentic followers" in out
    scored = pd.read_parquet(first)
    assert list(scored.columns) == list(CSV_COLUMNS)
    assert len(scored) == 400
    assert scored["probability"].dtype == "float64"
    assert str(scored["created_at"].dtype).startswith("datetime64")
    assert set(scored["label"]) == {"authentic", "questionable"}
    code, out, err = run(capsys, "score", first, "--as-of", AS_OF, "--parquet", second, "-q")
    assert code == ExitCode.OK, err
    pd.testing.assert_frame_equal(pd.read_parquet(second), scored)


def test_a_parquet_table_without_a_needed_column_is_one_sentence(capsys, tmp_path):
    path = tmp_path / "bad.parquet"
    pd.DataFrame({"handle": ["a"], "posts": [1], "followers": [2]}).to_parquet(path)
    code, out, err = run_flat(capsys, "score", path)
    assert code == ExitCode.INPUT
    assert err == (
        f"Error: {path}: the table has no following or created_at column, "
        "which followaudit's own columns need"
    )
    assert out == ""


def test_a_damaged_parquet_file_is_one_sentence(capsys, tmp_path):
    path = tmp_path / "cut.parquet"
    pd.DataFrame(example_records()).to_parquet(path)
    path.write_bytes(path.read_bytes()[:300])
    code, _, err = run_flat(capsys, "score", path)
    assert code == ExitCode.INPUT
    assert err.startswith(f"Error: {path}: this is not a readable Parquet file (")
    assert "Traceback" not in err


def test_without_pyarrow_parquet_is_refused_with_the_install_command(capsys, tmp_path, monkeypatch):
    path = tmp_path / "followers.parquet"
    pd.DataFrame(example_records()).to_parquet(path)
    monkeypatch.setattr(frame_module, "find_spec", lambda name: None)
    code, _, err = run_flat(capsys, "score", path)
    assert code == ExitCode.INPUT
    assert err == (
        f"Error: {path}: this is a Parquet file, and reading Parquet needs pyarrow: "
        "pip install 'followaudit[parquet]'"
    )
    out = tmp_path / "out.parquet"
    code, _, err = run_flat(capsys, "score", EXAMPLE, "--parquet", out)
    assert code == ExitCode.USAGE
    assert err == "Error: --parquet needs pyarrow: pip install 'followaudit[parquet]'"
    assert not out.exists()
