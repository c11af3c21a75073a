"""One answer everywhere: every export writes the headline's figures, rounded once, and names
each account as it was typed; error rows say their platform."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from clirun import run
from fakes.x_server import TOKEN, XServer

from followaudit.analysis.summary import round_followers
from followaudit.errors import ExitCode


@pytest.fixture
def exports(capsys, tmp_path, monkeypatch):
    """Return (stdout, paths) of a two-handle X scan: @subject audited, @ghost not found."""
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    paths = {
        name: tmp_path / name for name in ("summary.csv", "junit.xml", "scan.json", "followers.csv")
    }
    with XServer(n=2345, bot_block=range(100, 700)) as server:
        code, out, err = run(
            capsys,
            "scan",
            "--yes",
            "@subject",
            "@ghost",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--summary-csv",
            paths["summary.csv"],
            "--junit",
            paths["junit.xml"],
            "--json",
            paths["scan.json"],
            "--csv",
            paths["followers.csv"],
        )
    assert code == ExitCode.NOT_FOUND, err
    return out, paths


def headline_figures(headline: str) -> tuple[int, int, int]:
    found = re.fullmatch(
        r"Authentic followers: about ([\d,]+) \(([\d,]+)-([\d,]+)\) of [\d,]+", headline
    )
    assert found, headline
    return tuple(int(g.replace(",", "")) for g in found.groups())  # type: ignore[return-value]


def test_every_export_says_the_headlines_figures(exports):
    out, paths = exports
    audit = json.loads(paths["scan.json"].read_text())["audits"][0]
    estimate, low, high = headline_figures(audit["headline"])
    # Over 1,000 the headline writes tens: the exports must not say 1,523 where it says 1,520.
    assert estimate >= 1_000 and estimate % 10 == 0
    assert all(v == round_followers(v) for v in (estimate, low, high))

    rows = list(csv.DictReader(paths["summary.csv"].open(encoding="utf-8")))
    row = next(r for r in rows if r["result"] != "error: NOT_FOUND")
    assert (
        int(row["authentic_estimate"]),
        int(row["authentic_low"]),
        int(row["authentic_high"]),
    ) == (estimate, low, high)
    assert row["headline"] == audit["headline"]

    case = next(
        c
        for c in ET.parse(paths["junit.xml"]).getroot().iter("testcase")
        if c.find("error") is None
    )
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert (
        int(props["authentic_estimate"]),
        int(props["authentic_low"]),
        int(props["authentic_high"]),
    ) == (estimate, low, high)

    # The terminal's table of accounts audited says the same estimate.
    table = out[out.index("Accounts audited") :]
    line = next(row for row in table.splitlines() if row.startswith("@subject "))
    assert line.split()[1] == f"{estimate:,}"


def test_error_rows_carry_their_platform(exports):
    _, paths = exports
    errors = json.loads(paths["scan.json"].read_text())["errors"]
    assert [(e["handle"], e["platform"], e["exit_name"]) for e in errors] == [
        ("@ghost", "x", "NOT_FOUND")
    ]
    rows = list(csv.DictReader(paths["summary.csv"].open(encoding="utf-8")))
    error_row = next(r for r in rows if r["result"] == "error: NOT_FOUND")
    assert error_row["platform"] == "x"


def test_the_audited_column_names_the_account_as_typed(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    target = tmp_path / "one.csv"
    with XServer(n=50) as server:
        code, _, err = run(
            capsys,
            "scan",
            "--yes",
            "x.com/Subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--csv",
            target,
            "--quiet",
        )
    assert code == ExitCode.OK, err
    reader = csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))
    rows = list(reader)
    # One rule: scan --csv always starts with `audited`, even for one handle.
    assert reader.fieldnames[0] == "audited"
    assert {r["audited"] for r in rows} == {"'@Subject"}
