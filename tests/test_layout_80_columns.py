"""At 80 columns on a terminal, no word, handle or figure is broken in the middle."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from rich.console import Console

from followaudit.cli.progress import RunView
from followaudit.cli.render import follow_order_chart, summary_rows, top_table
from followaudit.live.audit import PlanReady
from followaudit.live.plan import RunPlan, Thresholds, plan_account, suggest
from followaudit.live.platforms.base import Subject
from followaudit.live.scan import ScanOptions

REASON = "follows 2,422 accounts but has 0 followers; has posted 0 times in 3.2 years"


def terminal(width: int = 80) -> Console:
    return Console(
        width=width, file=io.StringIO(), record=True, color_system=None, force_terminal=True
    )


def lines_of(console: Console) -> list[str]:
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_plan_lines_wrap_between_words_with_a_hanging_indent():
    guru = Subject("x", "1", "guru", "", 10_000, "", True)
    options = ScanOptions(posts=100)
    run_plan = RunPlan([plan_account(guru, options)], options, made=1, spent=0.01)
    found = suggest([(guru, "")], options, Thresholds(), made=1, spent=0.01)
    console = terminal()
    RunView(console, console, progress=False, quiet=False, top=10).show_plan(
        PlanReady(run_plan, run_plan.over(Thresholds()), found)
    )
    lines = lines_of(console)
    assert lines[:3] == [
        "Plan for @guru on X: 10,000 followers; list them all (10 requests), read its",
        "    latest 100 posts (1 request); up to $102.50.",
        "Total: 11 more requests (1 made to look up the account), no rate-limit wait",
    ]
    sentences = [*run_plan.lines(), f"Cheaper: {found.flags} {found.why}."]
    words = {word for sentence in sentences for word in sentence.split()}
    above = "Above what followaudit runs without asking: up to $102.51 (more than $5.00)."
    words |= set(above.split(" "))
    assert all(len(line) <= 80 for line in lines)
    assert {word for line in lines for word in line.split()} <= words


def followers(*handles: str) -> pd.DataFrame:
    n = len(handles)
    return pd.DataFrame(
        {
            "line": range(1, n + 1),
            "handle": handles,
            "id": [str(i) for i in range(n)],
            "probability": [0.99 - i / 100 for i in range(n)],
            "label": ["questionable"] * n,
            "reasons": [REASON] * n,
        }
    )


def test_bluesky_handles_stay_whole_or_break_after_a_dot():
    handles = (
        "skittle--regenc.bsky.social",
        "a-very-long-handle-name.example.bsky.social",
        "@someone@mastodon.example",
    )
    console = terminal()
    console.print(top_table(followers(*handles), 10, "followers"))
    lines = lines_of(console)
    assert lines[3].split()[:3] == ["1", "skittle--regenc.bsky.social", "0.99"]
    second = next(i for i, line in enumerate(lines) if "a-very-long-handle-name." in line)
    assert lines[second].split()[:3] == ["2", "a-very-long-handle-name.", "0.98"]
    assert lines[second + 1].split()[0] == "example.bsky.social"
    assert any(line.split()[:2] == ["3", "@someone@mastodon.example"] for line in lines)
    assert all(len(line) <= 80 for line in lines)


def test_the_table_of_accounts_keeps_figures_handles_and_verdicts_whole():
    summary = {
        "scored": 1_000,
        "population": 12_500,
        "share_questionable": {"estimate": 0.322, "low": 0.293, "high": 0.353},
        "authentic_followers": {"estimate": 8_475.0, "low": 8_087.5, "high": 8_837.5},
    }
    gate = {
        "gate": "--fail-above",
        "passed": True,
        "limit": 0.3,
        "compared": 0.293,
        "compared_what": "lower bound of the 95% interval of the share questionable",
    }
    rows = [
        {"handle": "skittle--regenc.bsky.social", "summary": summary, "gates": [gate]},
        {"handle": "nobody.bsky.social", "error": "not found", "exit_name": "NOT_FOUND"},
    ]
    console = terminal()
    console.print(summary_rows(rows))
    lines = lines_of(console)
    assert lines[:3] == [
        "Accounts audited",
        "account                 authentic    questionable   result",
        "─" * 80,
    ]
    assert lines[3].split() == [
        "skittle--regenc.bsky.",
        "8,480",
        "32.2%",
        "pass:",
        "lower",
        "bound",
        "29.3%",
        "<=",
    ]
    assert lines[4].split() == ["social", "of", "12,500", "(29.3%-35.3%)", "30%"]
    assert lines[5].split() == ["nobody.bsky.social", "-", "-", "error:", "NOT_FOUND"]


@pytest.mark.parametrize("share", [0.0, 0.05, 1.0])
def test_the_follow_order_chart_title_is_one_line(share):
    order = {
        "known": True,
        "buckets": [
            {"first": 1 + 10 * b, "last": 10 * (b + 1), "share": share, "flagged": False}
            for b in range(10)
        ],
    }
    console = terminal()
    console.print(follow_order_chart(order))
    lines = lines_of(console)
    assert lines[0].strip() == "Questionable share by follow order (newest first)"
    assert lines[1].split() == ["followers", "questionable"]
