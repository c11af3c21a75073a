"""Exports write where they are told, and one failed export loses nothing else."""

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from clirun import run, run_flat
from fakes.bluesky_server import BlueskyServer

import followaudit.live.audit
from followaudit.errors import ExitCode, OutputError
from followaudit.outputs.destinations import Exports, open_export

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "followers.jsonl")


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_a_symlink_is_written_through_and_stays_a_link(capsys, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, _ = run(capsys, "score", EXAMPLE, "--csv", link, "-q")
    assert code == ExitCode.OK
    assert link.is_symlink()
    assert real.read_text().startswith("line,record,platform,handle")
    assert leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_the_file_it_names(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    with open_export(str(link)) as stream:
        stream.write("{}\n")
    assert link.is_symlink()
    assert (tmp_path / "made.json").read_text() == "{}\n"


def test_an_existing_export_keeps_its_mode(capsys, tmp_path):
    target = tmp_path / "private.json"
    target.write_text("{}")
    target.chmod(0o600)
    code, _, _ = run(capsys, "score", EXAMPLE, "--json", target, "-q")
    assert code == ExitCode.OK
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["summary"]["scored"] == 400


def test_a_named_pipe_is_written_directly_not_replaced(capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []

    def reader():
        with open(fifo, encoding="utf-8") as stream:
            received.append(stream.read())

    thread = threading.Thread(target=reader)
    thread.start()
    code, _, _ = run(capsys, "score", EXAMPLE, "--csv", fifo, "-q")
    thread.join(10)
    assert code == ExitCode.OK
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received[0].count("\n") == 401


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_device_is_an_output_error_and_the_rest_is_kept(capsys, tmp_path):
    out_json = tmp_path / "report.json"
    code, out, err = run_flat(capsys, "score", EXAMPLE, "--csv", "/dev/full", "--json", out_json)
    assert code == ExitCode.OUTPUT
    assert "Error: cannot write /dev/full: No space left on device" in err
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert "Authentic followers" in out  # the report is still printed
    assert json.loads(out_json.read_text())["summary"]["scored"] == 400


def test_an_unwritable_csv_still_prints_the_report_and_writes_the_json(capsys, tmp_path):
    out_json = tmp_path / "report.json"
    code, out, err = run_flat(
        capsys, "score", EXAMPLE, "--csv", tmp_path / "no" / "x.csv", "--json", out_json
    )
    assert code == ExitCode.OUTPUT
    assert f"cannot write {tmp_path / 'no' / 'x.csv'}: No such file or directory" in err
    assert "Authentic followers" in out
    assert out_json.exists()
    assert err.count("Error:") == 1


def test_two_failed_exports_are_both_named(capsys, tmp_path):
    code, _, err = run_flat(
        capsys, "score", EXAMPLE, "--csv", tmp_path / "no" / "a.csv", "--json", tmp_path, "-q"
    )
    assert code == ExitCode.OUTPUT
    assert "a.csv: No such file or directory" in err
    assert f"cannot write {tmp_path}: it is a folder" in err


def test_an_unwritable_junit_still_writes_the_json_and_csv(capsys, tmp_path):
    out_json, out_csv = tmp_path / "scan.json", tmp_path / "scan.csv"
    with BlueskyServer(n=30) as server:
        code, out, err = run_flat(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--junit",
            tmp_path / "no" / "j.xml",
            "--json",
            out_json,
            "--csv",
            out_csv,
        )
    assert code == ExitCode.OUTPUT
    assert "j.xml: No such file or directory" in err
    assert "Authentic followers" in out
    assert len(json.loads(out_json.read_text())["audits"]) == 1
    assert out_csv.read_text().count("\n") == 31


def test_ctrl_c_while_rerunning_a_finished_scan_keeps_the_earlier_exports(
    capsys, tmp_path, monkeypatch
):
    out_json, junit = tmp_path / "scan.json", tmp_path / "junit.xml"
    with BlueskyServer(n=30) as server:
        args = [
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--json",
            out_json,
            "--junit",
            junit,
        ]
        assert run(capsys, *args)[0] == ExitCode.OK
        before = out_json.read_bytes(), junit.read_bytes()

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(followaudit.live.audit, "run_scan", interrupted)
        code, _, err = run_flat(capsys, *args)
    assert code == ExitCode.INTERRUPTED
    assert (out_json.read_bytes(), junit.read_bytes()) == before
    assert "Nothing was audited before the interruption" in err
    assert leftovers(tmp_path) == []


def test_an_interrupted_export_leaves_the_old_file_and_no_partial(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("good\n")

    def writer(stream):
        stream.write("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Exports().write(str(target), writer)
    assert target.read_text() == "good\n"
    assert leftovers(tmp_path) == []


def test_partials_of_killed_processes_are_removed_by_the_next_export(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (tmp_path / f".out.csv.{dead}.partial").write_text("half")
    (tmp_path / ".out.csv.partial").write_text("half")  # the name older versions used
    (tmp_path / f".out.csv.{os.getppid()}.partial").write_text("a live process is writing")
    with open_export(str(tmp_path / "out.csv")) as stream:
        stream.write("done\n")
    assert leftovers(tmp_path) == [f".out.csv.{os.getppid()}.partial"]


def test_exports_collects_failures_in_one_sentence(tmp_path):
    exports = Exports()
    assert exports.write(str(tmp_path / "a" / "x"), lambda s: s.write("")) is False
    assert exports.write(str(tmp_path / "ok"), lambda s: s.write("y")) is True
    with pytest.raises(OutputError, match=r"cannot write .*x: No such file or directory"):
        exports.check()
    assert (tmp_path / "ok").read_text() == "y"


@pytest.mark.parametrize("option", ["--csv", "--json"])
def test_stdout_export_into_head_exits_0_quietly(option, tmp_path):
    # Far more than a pipe holds, so the export is still writing when head leaves.
    big = tmp_path / "big.csv"
    rows = (f"user{i},2015-01-01,{i % 500},{i % 97},{i % 1000},0" for i in range(30_000))
    big.write_text("handle,created_at,posts,followers,following,likes\n" + "\n".join(rows) + "\n")
    command = (
        f"{sys.executable} -m followaudit score {big} {option} - -q | head -1; "
        "exit ${PIPESTATUS[0]}"
    )
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1


def test_sigterm_while_exporting_ends_like_ctrl_c_and_removes_the_temporary_file(tmp_path):
    import signal

    from followaudit.cli.commands import _terminate_as_interrupt

    target = tmp_path / "out.json"
    target.write_text("earlier\n")
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        _terminate_as_interrupt()
        with pytest.raises(KeyboardInterrupt), open_export(str(target)) as stream:  # noqa: PT012 - the signal must land mid-write
            stream.write("half")
            os.kill(os.getpid(), signal.SIGTERM)
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
    assert target.read_text() == "earlier\n"
    assert leftovers(tmp_path) == []
