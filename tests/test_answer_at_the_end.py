"""Every report ends with the answer in one line: on a terminal it is on screen when a command ends."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from clirun import run
from fakes.bluesky_server import BlueskyServer
from fakes.x_server import GURU_SITE, TOKEN, XServer, guru_posts
from rich.console import Console

from followaudit.analysis.gates import GateResult
from followaudit.cli.render import score_report, summary_from_dict
from followaudit.errors import ExitCode

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "followers.jsonl"


def expected(summary: dict, headline: str, gates: list[dict]) -> str:
    """Return the answer line as the report's own figures say it."""
    share = summary["share_questionable"]
    figures = headline.removeprefix("Authentic followers: about ")
    answer = (
        f"Answer: {figures} authentic, {100 * share['estimate']:.1f}% questionable "
        f"({100 * share['low']:.1f}%-{100 * share['high']:.1f}%)"
    )
    return "; ".join([answer, *(GateResult(**gate).verdict() for gate in gates)])


def test_score_ends_with_the_answer_and_the_gate(capsys, tmp_path):
    out_json = tmp_path / "scored.json"
    code, out, err = run(
        capsys, "score", EXAMPLE, "--as-of", "2026-01-01", "--fail-above", "30", "--json", out_json
    )
    document = json.loads(out_json.read_text())
    summary, gate = document["summary"], document["gates"][0]
    assert code == (ExitCode.OK if gate["passed"] else ExitCode.GATE_FAILED), err
    headline = next(line for line in out.splitlines() if "Authentic followers: about" in line)
    headline = headline.strip("│ ")
    last = out.rstrip("\n").splitlines()[-1]
    assert last == expected(summary, headline, [gate])
    assert last.endswith(
        f"lower bound {100 * gate['compared']:.1f}% {'<=' if gate['passed'] else '>'} 30%"
    )


def test_on_an_80_by_24_terminal_the_last_screen_holds_the_answer():
    summary = summary_from_dict(
        {
            "scored": 400,
            "skipped": 0,
            "questionable": 144,
            "threshold": 0.5,
            "population": 400,
            "share_questionable": {"estimate": 0.361, "low": 0.314, "high": 0.41},
            "authentic_followers": {"estimate": 255.6, "low": 236.0, "high": 274.4},
            "histogram": [237, 8, 6, 3, 2, 2, 4, 6, 7, 125],
            "share_method": "corrected",
        }
    )
    rows = pd.DataFrame(
        {
            "line": range(1, 11),
            "handle": [f"@demo_follower{i}" for i in range(10)],
            "id": [str(i) for i in range(10)],
            "probability": [0.99] * 10,
            "label": ["questionable"] * 10,
            "reasons": [
                "follows 1,050 accounts but has 2 followers; has posted 0 times in 2.0 years"
            ]
            * 10,
        }
    )
    gate = GateResult("--fail-above", False, 0.3, 0.314, "lower bound")
    console = Console(
        width=80, file=io.StringIO(), record=True, color_system=None, force_terminal=True
    )
    score_report(console, summary, rows, [], title="f.jsonl (x-v2)", top=10, gates=[gate])
    screen = console.export_text().rstrip("\n").splitlines()[-24:]
    assert screen[-2:] == [
        "Answer: 256 (236-274) of 400 authentic, 36.1% questionable (31.4%-41.0%); FAIL:",
        "    lower bound 31.4% > 30%",
    ]


@pytest.fixture
def x_token(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)


def test_a_scan_and_its_stored_report_end_with_the_answer(capsys, tmp_path, x_token):
    cache, out_json = tmp_path / "cache.sqlite3", tmp_path / "scan.json"
    with XServer(n=300, subject_posts=guru_posts("self-promoter"), subject_url=GURU_SITE) as server:
        code, out, err = run(
            capsys,
            "scan",
            "@subject",
            "--yes",
            "--api-url",
            server.url,
            "--cache",
            cache,
            "--json",
            out_json,
            "--fail-above",
            "90",
            "--fail-on",
            "self-promotion",
        )
    assert code == ExitCode.GATE_FAILED, err
    audit = json.loads(out_json.read_text())["audits"][0]
    answer = expected(audit["summary"], audit["headline"], audit["gates"])
    assert "; pass: lower bound " in answer
    assert answer.endswith(" <= 90%; FAIL: self-promotion raised")
    assert out.rstrip("\n").splitlines()[-1] == answer
    code, again, err = run(capsys, "report", "@subject", "--cache", cache)
    assert code == ExitCode.OK, err
    assert again.rstrip("\n").splitlines()[-1] == answer


def test_a_run_of_several_accounts_ends_with_how_many_passed(capsys):
    with BlueskyServer(n=30) as server:
        code, out, _ = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "nobody.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--top",
            "0",
        )
    assert code == ExitCode.NOT_FOUND
    lines = out.rstrip("\n").splitlines()
    assert lines[-1] == "Answer: 2 accounts: 1 passed, 1 could not be audited (NOT_FOUND)"
    assert lines[-2].split()[:2] == ["nobody.bsky.social", "-"]
