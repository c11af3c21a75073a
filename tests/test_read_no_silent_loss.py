"""No row is silently dropped or doubled: broken quotes, cut JSON, repeats, binary input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run, run_flat

from followaudit.errors import ExitCode, InputError
from followaudit.formats import read_accounts

HEADER = "handle,created_at,posts,followers,following,likes"


def csv_rows(n, broken=()):
    rows = [HEADER]
    for i in range(n):
        handle = f"user{i}"
        if i in broken:
            handle = '"' + handle  # an unmatched quote
        rows.append(f"{handle},2015-01-01,{i % 500},{i % 97},{i % 1000},0")
    return "\n".join(rows) + "\n"


def x_user(i, **extra):
    return {
        "id": str(i),
        "username": f"u{i}",
        "created_at": "2015-01-01T00:00:00Z",
        "public_metrics": {"followers_count": i, "following_count": 5, "tweet_count": 3},
        "protected": False,
        "verified": None,
        **extra,
    }


@pytest.mark.parametrize(("rows", "broken"), [(1_000, 10), (10_000, 5_000)])
def test_an_unmatched_quote_costs_its_own_line_only(capsys, tmp_path, rows, broken):
    path = tmp_path / "q.csv"
    path.write_text(csv_rows(rows, {broken}))
    code, out, _ = run_flat(capsys, "score", path, "--top", "0")
    assert code == ExitCode.OK
    assert f"Scored: {rows - 1:,} Skipped: 1" in out
    # The header is line 1, so row i is on line i + 2.
    assert f"skipped line {broken + 2}: a quoted cell opens on this line and never closes" in out


def test_a_legitimate_multiline_cell_is_one_row(tmp_path):
    path = tmp_path / "bio.csv"
    path.write_text(
        "handle,created_at,posts,followers,following,bio\n"
        'a,2015-01-01,1,2,3,"two\nlines"\nb,2015-01-01,1,2,3,plain\n'
    )
    result = read_accounts(path)
    assert list(result.table["handle"]) == ["a", "b"]
    assert result.skipped == []


@pytest.mark.parametrize("cut_inside", ["true", "false", "null", "12345"])
def test_a_json_array_cut_inside_a_literal_keeps_the_records_before(tmp_path, cut_inside):
    records = [x_user(i, flag=json.loads(cut_inside)) for i in range(5)]
    text = json.dumps(records)
    cut = text.rindex(cut_inside) + 2
    path = tmp_path / "cut.json"
    path.write_text(text[:cut])
    result = read_accounts(path)
    assert len(result.table) == 4
    assert "cut off" in result.skipped[0].reason


def test_the_same_account_50_times_is_scored_once_and_said(capsys, tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text(
        "".join(json.dumps(x_user(7)) + "\n" for _ in range(50)) + json.dumps(x_user(8)) + "\n"
    )
    code, out, _ = run_flat(capsys, "score", path)
    assert code == ExitCode.OK
    assert "Scored: 2 Skipped: 0 Duplicates: 49 (scored once)" in out
    assert "49 rows repeat 1 account already read" in out
    code, out, _ = run(capsys, "score", path, "--json", "-", "-q")
    document = json.loads(out)
    assert document["summary"]["scored"] == 2
    assert document["summary"]["duplicates"] == 49
    assert document["input"]["duplicates"]["examples"][0] == {
        "line": 2,
        "record": 0,
        "first_line": 1,
        "first_record": 0,
    }
    assert len(document["accounts"]) == 2


def test_repeats_are_told_by_handle_when_there_is_no_id(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(
        HEADER + "\nAlice,2015-01-01,1,2,3,0\nalice,2015-01-01,1,2,3,0\nbob,2015-01-01,1,2,3,0\n"
    )
    result = read_accounts(path)
    assert list(result.table["handle"]) == ["Alice", "bob"]
    assert result.duplicates.rows == 1


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_huge_file_of_nul_bytes_is_refused_at_once_in_little_memory(tmp_path):
    path = tmp_path / "zeros.bin"
    with open(path, "wb") as stream:
        stream.truncate(2 * 2**30)  # 2 GB, sparse: no disk used
    # VmHWM is the process's own peak (ru_maxrss would include pytest's, from the fork).
    script = (
        "from followaudit.cli.commands import _run\n"
        f"code = _run(['score', {str(path)!r}])\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(code, peak.split()[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    code, peak_kb = (int(v) for v in done.stdout.split())
    assert code == ExitCode.INPUT
    assert "this is a binary file, not text (a NUL byte at byte 1)" in done.stderr
    assert "Traceback" not in done.stderr
    # Python, pandas and the model take about 80 MB; the file itself adds nothing.
    assert peak_kb < 300_000, peak_kb


def test_binary_stdin_is_refused_before_it_is_read_whole(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\x1f\x8b\x08" + b"x" * 100)))
    code, _, err = run_flat(capsys, "score", "-")
    assert code == ExitCode.INPUT
    assert "compressed with gzip: decompress it first (gunzip)" in err


def test_a_pipe_is_read_once(tmp_path):
    # `followaudit score <(zcat followers.csv.gz)` names a pipe that can be read only once.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"printf '{csv_rows(3)}' > {fifo}"])
    result = read_accounts(fifo)
    writer.wait(10)
    assert len(result.table) == 3


def test_an_absurdly_long_first_line_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"a" * (3 * 2**20))
    with pytest.raises(InputError, match="over 1 MB long with no line break"):
        read_accounts(path)


@pytest.mark.parametrize(
    ("args", "code", "sentence"),
    [
        (["score", "{tmp}"], ExitCode.INPUT, "{tmp}: this is a folder, not a file"),
        (["score", "{tmp}/none.csv"], ExitCode.INPUT, "{tmp}/none.csv: no such file"),
        (["score", "{example}", "--model", "{tmp}"], ExitCode.MODEL, "is a directory, not a file"),
        (["score", "{example}", "--model", "{tmp}/none.json"], ExitCode.MODEL, "does not exist"),
    ],
)
def test_exit_codes_match_the_readme_for_folders_and_missing_files(
    capsys, tmp_path, args, code, sentence
):
    example = Path(__file__).resolve().parents[1] / "examples" / "followers.jsonl"
    values = {"tmp": tmp_path, "example": example}
    got, _, err = run_flat(capsys, *[a.format(**values) for a in args])
    assert got == code
    assert sentence.format(**values) in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_an_input_error(capsys, tmp_path):
    path = tmp_path / "secret.csv"
    path.write_text(csv_rows(2))
    path.chmod(0)
    code, _, err = run_flat(capsys, "score", path)
    assert code == ExitCode.INPUT
    assert "the file cannot be read (Permission denied)" in err


def test_an_unreadable_file_and_model_have_their_documented_codes(capsys, tmp_path, monkeypatch):
    # Root reads any file, so permission is taken away where the file is opened.
    data = tmp_path / "data.csv"
    data.write_text(csv_rows(2))
    model = tmp_path / "model.json"
    model.write_text("{}")
    real_open = Path.open

    def refusing_open(self, *args, **kwargs):
        if self in (data, model):
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    code, _, err = run_flat(capsys, "score", data)
    assert code == ExitCode.INPUT
    assert "data.csv: the file cannot be read (Permission denied)" in err
    real_os_open = os.open

    def refusing_os_open(path, *args, **kwargs):  # the model file is opened with os.open
        if Path(path) == model:
            raise PermissionError(13, "Permission denied")
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_os_open)
    code, _, err = run_flat(
        capsys,
        "score",
        Path(__file__).resolve().parents[1] / "examples" / "followers.jsonl",
        "--model",
        model,
    )
    assert code == ExitCode.MODEL
    assert "model.json cannot be read: Permission denied" in err
