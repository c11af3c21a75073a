"""--fail-new-above: a gate on the followers new since the last scan, and the exports that carry them."""

from __future__ import annotations

import csv
import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pandas as pd
import pytest
from clirun import run_flat
from fakes.bluesky_server import BlueskyServer

from followaudit.accounts import Skipped
from followaudit.analysis.changes import SinceLast
from followaudit.analysis.gates import NEW_FOLLOWERS_TO_JUDGE, Gates, fail_new_above
from followaudit.analysis.summary import summarize
from followaudit.errors import ExitCode

WHEN = datetime(2026, 1, 5, 10, tzinfo=UTC)


def since(questionable: int, scored: int) -> SinceLast:
    rows = pd.DataFrame(
        {
            "label": ["questionable"] * questionable + ["authentic"] * (scored - questionable),
            "probability": [0.9] * questionable + [0.1] * (scored - questionable),
        }
    )
    return SinceLast(WHEN, scored, 0, summarize(rows, [], 0.5, population=scored), rescan=True)


def test_the_lower_bound_of_the_new_followers_share_is_compared():
    failed = fail_new_above(since(80, 100), 50)
    assert not failed.passed and failed.judged
    assert failed.compared == pytest.approx(0.711, abs=0.001)  # Wilson, 80 of 100
    assert failed.explanation() == (
        "lower bound 71.1% > 50% among the 100 followers new since the last scan (2026-01-05); "
        "the 95% interval's lower bound is compared, not the estimate"
    )
    assert fail_new_above(since(80, 100), 75).passed


def test_no_earlier_scan_or_too_few_new_followers_pass_with_a_note():
    first = fail_new_above(None, 10)
    assert first.passed and first.judged and math.isnan(first.compared)
    assert first.explanation().startswith("there is no earlier scan of the account")
    few = fail_new_above(since(NEW_FOLLOWERS_TO_JUDGE - 1, NEW_FOLLOWERS_TO_JUDGE - 1), 10)
    assert few.passed and few.explanation() == (
        "9 new followers since the last scan (2026-01-05), 9 scored: too few to judge "
        "(at least 10 are needed)"
    )


def test_the_gate_sits_beside_the_others():
    summary = summarize(pd.DataFrame({"label": [], "probability": []}), [Skipped(1, "x")], 0.5)
    gates = Gates(fail_new_above=20).check(summary, None, None, since(3, 30))
    assert [g.gate for g in gates] == ["--fail-new-above"] and gates[0].passed


def test_a_purchase_since_the_last_scan_fails_the_gate_in_every_export(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.setattr("followaudit.cli.commands._interactive", lambda: False)
    cache = tmp_path / "c.sqlite3"
    junit, summary = tmp_path / "j.xml", tmp_path / "s.csv"
    with BlueskyServer(n=1000) as server:
        args = ["scan", "subject.bsky.social", "--api-url", server.url, "--cache", cache]
        code, out, err = run_flat(capsys, *args, "--fail-new-above", "30")
        assert code == ExitCode.OK, err
        assert "Gate --fail-new-above PASSED: there is no earlier scan of the account" in out
        server.add_followers(100, bought=80)
        code, out, err = run_flat(
            capsys,
            *args,
            "--fail-new-above",
            "30",
            "--fail-above",
            "60",
            "--junit",
            junit,
            "--summary-csv",
            summary,
        )
    assert code == ExitCode.GATE_FAILED, err
    assert "Gate --fail-above PASSED" in out  # the old followers dilute the purchase ...
    assert "Gate --fail-new-above FAILED: lower bound " in out and " among the " in out
    case = ET.parse(junit).getroot().find(".//testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and failure.get("message", "").startswith(
        "--fail-new-above: lower bound of the 95% interval of the share questionable among "
        "the 100 followers new since the last scan ("
    )
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties["new_followers"] == "100"
    low, high = (float(properties[f"new_share_questionable_{k}"]) for k in ("low", "high"))
    assert low <= 0.8 <= high
    assert "100 new since the last scan" in (case.findtext("system-out") or "")
    (row,) = csv.DictReader(summary.open(encoding="utf-8"))
    assert row["new_followers"] == "100" and row["result"] == "fail"
    assert float(row["new_share_low"]) <= 0.8 <= float(row["new_share_high"])
    assert float(row["new_share_questionable"]) == pytest.approx(
        float(properties["new_share_questionable"]), abs=1e-4
    )


def test_without_an_earlier_scan_the_new_columns_are_empty(capsys, tmp_path):
    junit, summary = tmp_path / "j.xml", tmp_path / "s.csv"
    with BlueskyServer(n=30) as server:
        code, _, err = run_flat(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--junit",
            junit,
            "--summary-csv",
            summary,
        )
    assert code == ExitCode.OK, err
    (row,) = csv.DictReader(summary.open(encoding="utf-8"))
    assert row["new_followers"] == row["new_share_questionable"] == ""
    properties = {p.get("name"): p.get("value") for p in ET.parse(junit).iter("property")}
    assert properties["new_followers"] == properties["new_share_questionable_low"] == ""


def test_a_first_scan_s_answer_says_the_gate_passed_with_nothing_to_judge(capsys, tmp_path):
    with BlueskyServer(n=30) as server:
        code, out, err = run_flat(
            capsys, "scan", "subject.bsky.social", "--api-url", server.url, "--cache",
            tmp_path / "c.sqlite3", "--yes", "--fail-new-above", "30",
        )  # fmt: skip
    assert code == ExitCode.OK, err
    answer = out.rstrip().rpartition("Answer: ")[2]  # the last line (run_flat joins lines)
    assert re.search(r"questionable \([\d.]+%-[\d.]+%\); pass: nothing to judge$", answer)
    assert "FAIL" not in out


@pytest.mark.parametrize(
    ("written", "limit", "warned"), [("30%", 0.30, False), ("0.3", 0.003, True)]
)
def test_the_new_followers_gate_reads_percentages_as_fail_above_does(
    capsys, tmp_path, written, limit, warned
):
    with BlueskyServer(n=30) as server:
        code, _, err = run_flat(
            capsys, "scan", "subject.bsky.social", "--api-url", server.url, "--cache",
            tmp_path / "c.sqlite3", "--yes", "--quiet", "--json", tmp_path / "a.json",
            "--fail-new-above", written,
        )  # fmt: skip
    assert code == ExitCode.OK, err
    (gate,) = json.loads((tmp_path / "a.json").read_text())["audits"][0]["gates"]
    assert gate["gate"] == "--fail-new-above" and gate["limit"] == pytest.approx(limit)
    assert ("warning: --fail-new-above 0.3 means 0.3%, not 30%" in err) is warned
