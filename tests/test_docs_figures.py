"""Figures the docs quote are what the commands they name print."""

from __future__ import annotations

import re
import subprocess
import sys

from clirun import run_flat
from docpages import ROOT, page

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def test_the_rescan_cost_table_is_the_benchmark_s_output() -> None:
    printed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "rescan_cost.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    platforms = ("Bluesky", "X", "Mastodon")
    measured = []
    for line in printed.splitlines():
        name = line.split(" ", 1)[0]
        if name in platforms:
            numbers = NUMBER.findall(line)
            # A rescan's row ends with the share bought, which the table's heading states.
            measured.append((name, numbers if " full " in line else numbers[:-1]))
    shown = [
        (cells[0], NUMBER.findall(" ".join(cells[1:])))
        for row in page("commands").splitlines()
        if row.startswith("| ")
        and (cells := [c.strip() for c in row.strip("|").split("|")])
        and cells[0] in platforms
        and len(cells) == 9
    ]
    assert len(measured) == 12
    assert shown == measured


def test_the_outputs_page_quotes_the_bundled_example_as_it_prints(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_flat(
        capsys, "score", ROOT / "examples" / "followers.jsonl", "--fail-above", "40"
    )
    assert code == 0
    docs = " ".join(page("outputs").split())
    headline = re.search(r"Authentic followers: about [\d,]+ \([\d,]+-[\d,]+\) of [\d,]+", out)
    answer = re.search(r"Answer: .*?<= 40%", out)
    reason = re.search(r"follows [\d,]+ accounts but has \d+ followers; has posted 0 times in", out)
    assert headline and answer and reason
    assert f"`{headline.group(0)}`" in docs
    assert f"`{answer.group(0)}`" in docs
    assert reason.group(0) in docs
