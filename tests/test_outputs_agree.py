"""The terminal, the HTML report and the exports say the same things the same way."""

from __future__ import annotations

import io
import json
from html import escape
from pathlib import Path

import numpy as np
from clirun import run
from docpages import ROOT, code_blocks, page, section
from rich.console import Console

from followaudit.analysis.batches import NO_BATCH, follow_order_document, order_sentences
from followaudit.cli.render import follow_order_chart, scan_report
from followaudit.errors import ExitCode
from followaudit.outputs.html_report import render_html


def audit(order: dict, handle: str = "skittle--regenc.bsky.social") -> dict:
    """Return a minimal stored audit with one Bluesky follower and the given follow order."""
    return {
        "handle": "@guru",
        "platform": "x",
        "headline": "Authentic followers: about 90 (83-95) of 100",
        "followers": {"listed": 100, "scored": 100, "total": 100},
        "summary": {
            "scored": 100,
            "skipped": 0,
            "questionable": 10,
            "threshold": 0.5,
            "population": 100,
            "share_questionable": {"estimate": 0.1, "low": 0.05, "high": 0.17},
            "authentic_followers": {"estimate": 90.0, "low": 83.0, "high": 95.0},
        },
        "follow_order": order,
        "behaviour": None,
        "accounts": [
            {"line": 1, "handle": handle, "id": "1", "probability": 0.99, "label": "questionable"}
        ],
    }


def terminal_text(document: dict) -> str:
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    scan_report(console, document, top=10)
    return console.export_text()


def test_under_the_chart_the_terminal_and_the_html_say_the_same():
    quiet = follow_order_document(np.random.default_rng(1).random(1_000) < 0.1)
    bought = np.random.default_rng(1).random(10_000) < 0.1
    bought[3000:4000] = True
    for order in (quiet, follow_order_document(bought)):
        sentences = order_sentences(order)
        text = terminal_text(audit(order))
        html = render_html({"headline": "h", "follow_order": order})
        for sentence in sentences:
            assert sentence in text
            assert f'<p class="note">{escape(sentence)}</p>' in html
    assert order_sentences(quiet) == [NO_BATCH]
    assert order_sentences(follow_order_document(bought)) == [
        (
            "Followers 3,001-4,000 (counted from the newest): 100% questionable (100%-100%) "
            "against 10% in the rest of the list (p < 0.0001, Holm-adjusted): likely a "
            "purchased batch"
        )
    ]
    # Said once, under the chart, and not where there is no chart.
    text = terminal_text(audit(quiet))
    assert text.index(NO_BATCH) > text.index(str(follow_order_chart(quiet).title))
    assert order_sentences({"known": False, "note": "no order"}) == []


def test_the_html_writes_handles_the_platforms_way_and_names_the_flags():
    from followaudit.outputs.html_report import report_data

    document = audit({"known": False, "note": "not documented"})
    document["behaviour"] = {
        "metrics": {"posts": 30},
        "findings": [
            {
                "code": "self-promotion",
                "sentence": "links to its own sites in 90% of its posts",
                "flagged": True,
                "threshold": "flagged at 50% or more of own posts",
            }
        ],
    }
    html = render_html(report_data(document))
    assert "<td>skittle--regenc.bsky.social</td>" in html
    assert "@skittle" not in html
    assert "<td><code>self-promotion</code></td><td>links to its own sites in 90%" in html
    assert "<th>Flag (for --fail-on)</th>" in html
    x_follower = render_html(report_data(audit({"known": False}, handle="@bot123")))
    assert "<td>@bot123</td>" in x_follower and "@@" not in x_follower


def test_the_docs_recipe_reads_csv_handles_back(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = ROOT / "examples" / "followers.jsonl"
    code, _, err = run(
        capsys, "score", source, "--csv", "scored.csv", "--json", "scored.json", "-q"
    )
    assert code == ExitCode.OK, err
    assert ",'@demo_" in Path("scored.csv").read_text(encoding="utf-8")  # made spreadsheet-safe
    csv_columns = section(page("outputs"), "## CSV columns")
    recipe = code_blocks(csv_columns.split("**Spreadsheet safety.**", 1)[1], "python")[0]
    scope: dict = {}
    exec(compile(recipe, "docs/outputs.md spreadsheet safety", "exec"), scope)
    handles = [a["handle"] for a in json.loads(Path("scored.json").read_text())["accounts"]]
    assert list(scope["scored"]["handle"]) == handles
    assert all(h.startswith("@") for h in handles)
