"""The client's HTML report and `report --json` say what the scan said: the answer, not only charts."""

from __future__ import annotations

import json
import re

import pytest
from clirun import run_flat
from fakes.x_server import GURU_SITE, TOKEN, XServer, guru_posts

from followaudit.analysis.summary import QUESTIONABLE_MEANS
from followaudit.cli.commands import _run
from followaudit.errors import ExitCode


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """Return (cache path, the scan's --json document, the still-running server) of a gated scan."""
    path = tmp_path_factory.mktemp("answer")
    cache, out_json = path / "cache.sqlite3", path / "scan.json"
    server = XServer(
        n=1000,
        subject_posts=guru_posts("self-promoter"),
        subject_url=GURU_SITE,
        bot_block=range(300, 450),
    ).start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("X_BEARER_TOKEN", TOKEN)
        code = _run(
            [
                "scan",
                "--yes",
                "@subject",
                "--api-url",
                server.url,
                "--cache",
                str(cache),
                "--json",
                str(out_json),
                "--quiet",
                "--fail-above",
                "5",
                "--min-authentic",
                "100",
            ]
        )
    assert code == ExitCode.GATE_FAILED
    server.reset_counts()
    yield cache, json.loads(out_json.read_text()), server
    server.stop()


def test_the_html_report_gives_the_answer_before_the_charts(capsys, stored, tmp_path):
    cache, scanned, server = stored
    audit = scanned["audits"][0]
    page = tmp_path / "client.html"
    code, _, err = run_flat(capsys, "report", "@subject", "--cache", cache, "--html", page)
    assert code == ExitCode.OK, err
    assert server.total == 0
    html = page.read_text(encoding="utf-8")
    share = audit["summary"]["share_questionable"]
    expected_share = (
        f"Questionable: <strong>{100 * share['estimate']:.1f}%</strong> of followers "
        f"(95% interval {100 * share['low']:.1f}%-{100 * share['high']:.1f}%, "
        "corrected for the model&#x27;s measured error rates)"
    )
    assert expected_share in html
    assert f'<p id="meaning" class="note">{QUESTIONABLE_MEANS}</p>' in html
    # Both verdicts, with what was compared, in words.
    gates = re.findall(
        r'<tr class="gate" data-gate="([^"]+)"><td><span class="badge (\w+)">'
        r"(\w+)</span>",
        html,
    )
    assert gates == [("--fail-above", "flagged", "failed"), ("--min-authentic", "ok", "passed")]
    low = 100 * share["low"]
    assert (
        f"lower bound {low:.1f}% &gt; 5%; the 95% interval&#x27;s lower bound is compared, "
        "not the estimate"
    ) in html
    assert 'data-code="self-promotion"' in html
    # The answer comes first: headline, share, meaning, findings, verdicts, then the charts.
    order = [
        html.index(marker)
        for marker in (
            'id="headline"',
            'id="share"',
            'id="meaning"',
            'id="behaviour"',
            'id="gates"',
            'id="scores"',
            'id="follow-order-section"',
            'id="questionable-followers"',
        )
    ]
    assert order == sorted(order)


def test_report_json_is_the_scan_json_of_the_stored_scan(capsys, stored, tmp_path):
    cache, scanned, server = stored
    code, out, err = run_flat(capsys, "report", "@subject", "--cache", cache, "--json", "-")
    assert code == ExitCode.OK, err
    assert server.total == 0
    stored_json = json.loads(out)
    assert stored_json["schema"] == scanned["schema"] == "followaudit.scan/1"
    assert set(stored_json) == set(scanned)
    assert stored_json["audits"] == scanned["audits"]
    assert stored_json["errors"] == []

    target = tmp_path / "again.json"
    code, out, err = run_flat(capsys, "report", "@subject", "--cache", cache, "--json", target)
    assert code == ExitCode.OK and out == ""
    assert f"Stored scan written to {target}" in err
    assert json.loads(target.read_text())["audits"] == scanned["audits"]


def test_report_refuses_two_exports_on_stdout(capsys, stored):
    cache, _, _ = stored
    code, _, err = run_flat(
        capsys, "report", "@subject", "--cache", cache, "--json", "-", "--html", "-"
    )
    assert code == ExitCode.USAGE
    assert "only one export can write to standard output" in err


def test_the_terminal_report_says_what_questionable_means(capsys, stored):
    cache, _, _ = stored
    code, out, _ = run_flat(capsys, "report", "@subject", "--cache", cache)
    assert code == ExitCode.OK
    assert QUESTIONABLE_MEANS in out
