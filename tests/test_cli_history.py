"""`followaudit history`: every stored scan of an account, with no API request (issue 19)."""

from __future__ import annotations

import json
import re

import pytest
from clirun import run
from fakes.bluesky_server import BlueskyServer

from followaudit.errors import ExitCode

HANDLE = "subject.bsky.social"


@pytest.fixture(autouse=True)
def width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """Return (cache, server) after three scans: 1,000 followers, +60, then +100 (80 bought)."""
    cache = tmp_path_factory.mktemp("history") / "cache.sqlite3"
    server = BlueskyServer(n=1000).start()
    scan = ["scan", HANDLE, "--api-url", server.url, "--cache", str(cache), "--quiet"]
    from followaudit.cli.commands import _run

    assert _run(scan) == ExitCode.OK
    server.add_followers(60)
    assert _run(scan) == ExitCode.OK
    server.add_followers(100, bought=80)
    server.remove_followers({5, 6, 7})
    assert _run(scan) == ExitCode.OK
    server.reset_counts()
    yield cache, server
    server.stop()


def test_no_cache_at_all_is_one_sentence_and_creates_nothing(capsys, tmp_path):
    missing = tmp_path / "none.sqlite3"
    code, out, err = run(capsys, "history", HANDLE, "--cache", missing)
    assert code == ExitCode.INPUT and out == ""
    assert err.strip() == (
        f"Error: no stored scan of {HANDLE} in {missing}: run `followaudit scan {HANDLE}` first"
    )
    assert not missing.exists()


def test_one_scan_is_one_line(capsys, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    with BlueskyServer(n=40) as server:
        code, _, err = run(capsys, "scan", HANDLE, "--api-url", server.url, "--cache", cache)
        assert code == ExitCode.OK, err
    code, out, err = run(capsys, "history", HANDLE, "--cache", cache)
    assert code == ExitCode.OK, err
    lines = out.splitlines()
    assert lines[0] == f"{HANDLE} on Bluesky: 1 stored scan"
    assert lines[1].split() == ["scan", "(UTC)", "followers", "listed", "questionable", "new"] + [
        "new",
        "questionable",
    ]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d +40 +40 +\d+\.\d% \(\d+\.\d-\d+\.\d%\) +- +-", lines[2]
    )
    assert "One scan so far: scan the account again to see what changed since." in out


def test_every_scan_one_line_then_the_share_and_the_growth(capsys, watched):
    cache, server = watched
    code, out, err = run(capsys, "history", HANDLE, "--cache", cache)
    assert code == ExitCode.OK, err
    assert server.total == 0
    lines = out.splitlines()
    assert lines[0] == f"{HANDLE} on Bluesky: 3 stored scans"
    rows = [line.split() for line in lines[2:5]]
    assert [r[2:4] for r in rows] == [["1,000", "1,000"], ["1,060", "1,060"], ["1,157", "1,157"]]
    assert [r[6] for r in rows] == ["-", "60", "100"]
    assert rows[1][7:] == ["0.0%", "(0.0-5.0%)"]  # 60 authentic-looking followers
    low, high = (float(x) for x in re.findall(r"[\d.]+", rows[2][8]))
    assert low <= 80 <= high
    share = out.split("Share questionable (")[1]
    assert share.count("█") > 0 and share.count("▒") > 0
    growth = out.split("Followers:\n")[1].splitlines()
    assert [line.split()[-1] for line in growth[:3]] == ["1,000", "+60", "+97"]
    assert all(len(line) <= 80 for line in lines)


def test_json_holds_every_scan_oldest_first(capsys, watched):
    cache, _ = watched
    code, out, err = run(capsys, "history", HANDLE, "--cache", cache, "--json", "-")
    assert code == ExitCode.OK, err
    document = json.loads(out)
    assert document["schema"] == "followaudit.history/1"
    assert (document["handle"], document["platform"]) == (HANDLE, "bluesky")
    scans = document["scans"]
    assert [s["followers"] for s in scans] == [1000, 1060, 1157]
    assert [s["new_followers"] for s in scans] == [None, 60, 100]
    assert [s["departed_estimate"] for s in scans] == [None, 0, 3]
    assert [s["listing"] for s in scans] == [None, "rescan", "rescan"]
    assert scans[2]["previous_scan_at"] == scans[1]["observed_at"]
    assert scans[0]["observed_at"] < scans[1]["observed_at"] < scans[2]["observed_at"]
    new = scans[2]["new_share_questionable"]
    assert new["low"] <= 0.8 <= new["high"]


def test_the_html_report_charts_the_scans_over_time(capsys, watched, tmp_path):
    cache, server = watched
    page = tmp_path / "r.html"
    code, _, err = run(capsys, "report", HANDLE, "--cache", cache, "--html", page)
    assert code == ExitCode.OK, err
    assert server.total == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 2  # the histogram and the chart over time (no follow order)
    assert 'id="over-time"' in html and html.count('<circle class="share"') == 3
    assert html.count('class="bar followers"') == 3 and "<script" not in html
    assert re.search(
        r'<p id="since-last" class="share">Since the last scan \(\d{4}-\d\d-\d\d\): 100 new '
        r"followers, about 3 fewer \(from the counts\); questionable among the new: ",
        html,
    )


def test_cache_clear_keeps_the_history_and_scans_removes_it(capsys, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    with BlueskyServer(n=40) as server:
        for _ in range(2):
            code, _, err = run(capsys, "scan", HANDLE, "--api-url", server.url, "--cache", cache)
            assert code == ExitCode.OK, err
    code, out, _ = run(capsys, "cache", "clear", "--cache", cache)
    assert "kept 2 stored scans" in out
    assert run(capsys, "history", HANDLE, "--cache", cache)[0] == ExitCode.OK
    run(capsys, "cache", "clear", "--cache", cache, "--scans")
    code, _, err = run(capsys, "history", HANDLE, "--cache", cache)
    assert code == ExitCode.INPUT and "no stored scan" in err


def test_a_stored_date_is_shown_as_text_never_as_markup_or_control():
    import io

    from rich.console import Console

    from followaudit.cli.history import history_report

    entry = {
        "observed_at": "[bold]2026\x1b[31m-01-05T10:00",
        "followers": 10,
        "listed": 10,
        "scored": 10,
        "share_questionable": {"estimate": 0.1, "low": 0.05, "high": 0.2},
    }
    console = Console(file=io.StringIO(), width=80)
    history_report(console, "@x", "x", [entry])
    shown = console.file.getvalue()
    assert "[bold]2026␛[31m-" in shown and "\x1b" not in shown  # cut at 16 characters


def test_the_docs_example_is_what_history_prints(capsys, watched):
    # docs/commands.md shows this very case, three scans a week apart: only the times differ.
    from docpages import code_blocks, page, section

    (shown,) = [
        block
        for block in code_blocks(
            section(page("commands"), "## `followaudit history HANDLE`"), "text"
        )
        if block.startswith(f"{HANDLE} on Bluesky: 3 stored scans")
    ]
    cache, _ = watched
    code, out, err = run(capsys, "history", HANDLE, "--cache", cache)
    assert code == ExitCode.OK, err

    def times_out(text: str) -> list[str]:
        return [
            re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "TIME", line).rstrip()
            for line in text.splitlines()
        ]

    assert times_out(out)[: len(times_out(shown))] == times_out(shown)


def test_history_never_reads_the_scored_followers(capsys, tmp_path):
    # However many followers the latest scan stored, history needs its summary alone: even
    # followers that cannot be read back leave it whole (the report names them damaged).
    import sqlite3

    cache = tmp_path / "cache.sqlite3"
    with BlueskyServer(n=40) as server:
        code, _, err = run(capsys, "scan", HANDLE, "--api-url", server.url, "--cache", cache)
        assert code == ExitCode.OK, err
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE scans SET rows_json = 'not json'")
    code, out, err = run(capsys, "history", HANDLE, "--cache", cache)
    assert code == ExitCode.OK, err
    assert f"{HANDLE} on Bluesky: 1 stored scan" in out
    code, _, err = run(capsys, "report", HANDLE, "--cache", cache)
    assert code == ExitCode.INPUT and "unreadable" in err


def test_an_interval_edited_to_null_reads_as_unknown_not_a_crash(capsys, tmp_path):
    # The cache is a file anyone can edit, and the schema allows an unknown (null) bound.
    import sqlite3

    cache = tmp_path / "cache.sqlite3"
    with BlueskyServer(n=100) as server:
        scan = ["scan", HANDLE, "--api-url", server.url, "--cache", cache, "--quiet"]
        assert run(capsys, *scan)[0] == ExitCode.OK
        server.add_followers(30)
        assert run(capsys, *scan)[0] == ExitCode.OK
    with sqlite3.connect(cache) as db:
        rowid, text = db.execute("SELECT rowid, result_json FROM scans").fetchall()[-1]
        document = json.loads(text)
        document["audits"][0]["since_last"]["share_questionable"]["high"] = None
        document["audits"][0]["summary"]["share_questionable"]["low"] = None
        db.execute(
            "UPDATE scans SET result_json = ? WHERE rowid = ?", (json.dumps(document), rowid)
        )
    code, out, err = run(capsys, "history", HANDLE, "--cache", cache)
    assert code == ExitCode.OK, err
    last = out.splitlines()[3].split()
    assert last[4:] == ["-", "30", "-"]  # the share and the new followers' share: unknown
    code, _, err = run(capsys, "report", HANDLE, "--cache", cache, "--html", tmp_path / "r.html")
    assert code == ExitCode.OK, err
