"""Every gate verdict says what was compared with what: `pass: lower bound 29.3% <= 30%`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from clirun import run
from rich.console import Console

from followaudit.analysis.gates import GateResult
from followaudit.cli.render import summary_rows
from followaudit.errors import ExitCode

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "followers.jsonl"
SHARE_GATE = "lower bound of the 95% interval of the share questionable"


def score_gated(capsys, tmp_path: Path, limit: str) -> tuple[int, str, str, dict]:
    out_json = tmp_path / f"gated-{len(list(tmp_path.iterdir()))}.json"
    code, out, err = run(
        capsys,
        "score",
        EXAMPLE,
        "--as-of",
        "2026-01-01",
        "--fail-above",
        limit,
        "--top",
        "0",
        "--json",
        out_json,
    )
    return code, out, err, json.loads(out_json.read_text())["gates"][0]


@pytest.mark.parametrize("limit", ["30", "30%", " 30 % "])
def test_the_report_says_which_bound_was_compared_with_which_limit(capsys, tmp_path, limit):
    code, out, err, gate = score_gated(capsys, tmp_path, limit)
    assert err == ""
    assert gate["limit"] == pytest.approx(0.30)
    low = 100 * gate["compared"]
    verdict = "PASSED" if gate["passed"] else "FAILED"
    sign = "<=" if gate["passed"] else ">"
    assert code == (ExitCode.OK if gate["passed"] else ExitCode.GATE_FAILED)
    assert (
        f"Gate --fail-above {verdict}: lower bound {low:.1f}% {sign} 30%; the 95% interval's "
        "lower bound is compared, not the estimate"
    ) in out.splitlines()


def test_a_limit_of_one_or_less_warns_that_it_is_a_percentage(capsys, tmp_path):
    code, _, err, gate = score_gated(capsys, tmp_path, "0.3")
    assert gate["limit"] == pytest.approx(0.003)
    assert code in (ExitCode.OK, ExitCode.GATE_FAILED)
    assert err == (
        "warning: --fail-above 0.3 means 0.3%, not 30% (a percentage, not a fraction): write "
        "--fail-above 30 for 30%, or 0.3% to keep this limit without this warning\n"
    )
    # Written with its % sign, the small limit is what was meant: no warning.
    _, _, err, gate = score_gated(capsys, tmp_path, "0.3%")
    assert err == "" and gate["limit"] == pytest.approx(0.003)


@pytest.mark.parametrize(
    ("limit", "why"),
    [
        ("thirty", "'thirty' is not a percentage: write 30 or 30% for 30%"),
        ("130%", "'130%' is not a percentage from 0 to 100"),
        ("-5", "'-5' is not a percentage from 0 to 100"),
    ],
)
def test_a_limit_that_is_not_a_percentage_is_a_usage_error(capsys, limit, why):
    code, _, err = run(capsys, "score", EXAMPLE, "--fail-above", limit)
    assert code == ExitCode.USAGE
    assert err.endswith(f"Error: Invalid value for '--fail-above': {why}\n")


@pytest.mark.parametrize(
    ("gate", "verdict"),
    [
        (
            GateResult("--fail-above", True, 0.30, 0.293, SHARE_GATE),
            "pass: lower bound 29.3% <= 30%",
        ),
        (
            GateResult("--fail-above", False, 0.125, 0.2, SHARE_GATE),
            "FAIL: lower bound 20.0% > 12.5%",
        ),
        (
            GateResult("--min-authentic", False, 5000, 4870, "upper bound"),
            "FAIL: upper bound 4,870 < 5,000",
        ),
        (
            GateResult("--min-authentic", True, 100, 7975, "upper bound"),
            "pass: upper bound 7,975 >= 100",
        ),
        (
            GateResult(
                "--fail-on",
                False,
                0,
                2,
                "its own posts raise self-promotion, no-interaction (flags checked: "
                "self-promotion, no-interaction, link-only)",
            ),
            "FAIL: self-promotion, no-interaction raised",
        ),
        (
            GateResult(
                "--fail-on", True, 0, 0, "its own posts raise none of the flags checked (link-only)"
            ),
            "pass: no flag raised",
        ),
        (
            GateResult("--fail-above", False, 0.3, float("nan"), "no follower could be scored"),
            "FAIL: nothing scored",
        ),
    ],
)
def test_each_verdict_in_a_few_words(gate, verdict):
    assert gate.verdict() == verdict


def test_the_table_of_accounts_gives_each_gates_comparison():
    summary = {
        "scored": 1_000,
        "population": 12_500,
        "share_questionable": {"estimate": 0.322, "low": 0.293, "high": 0.353},
        "authentic_followers": {"estimate": 8_475.0, "low": 8_087.5, "high": 8_837.5},
    }
    gates = [
        GateResult("--fail-above", True, 0.30, 0.293, SHARE_GATE).to_dict(),
        GateResult(
            "--fail-on",
            False,
            0,
            1,
            "its own posts raise self-promotion (flags checked: self-promotion)",
        ).to_dict(),
    ]
    rows = [{"handle": "@guru", "summary": summary, "passed": False, "gates": gates}]
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(summary_rows(rows))
    lines = console.export_text().splitlines()
    row = next(i for i, line in enumerate(lines) if "@guru" in line)
    assert lines[row].split()[2:] == ["32.2%", "pass:", "lower", "bound", "29.3%", "<=", "30%"]
    assert lines[row + 1].split()[-4:] == ["(29.3%-35.3%)", "FAIL:", "self-promotion", "raised"]
