"""The first screen answers the question: estimate, meaning, behaviour and verdicts before the detail."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from followaudit.analysis.gates import GateResult
from followaudit.analysis.summary import QUESTIONABLE_MEANS, Summary
from followaudit.cli.render import scan_report, score_report
from followaudit.model.quantify import Interval

LONG_REASON = (
    "follows 4,453 accounts but has 0 followers; has no bio; has posted 0 times in 17.0 years"
)


def finding(code: str, sentence: str, flagged: bool) -> dict:
    return {
        "code": code,
        "metric": 0.0,
        "sentence": sentence,
        "flagged": flagged,
        "threshold": "flagged below 5% of own posts",
    }


def document() -> dict:
    accounts = [
        {
            "line": i + 1,
            "handle": f"@follower{i}",
            "id": str(i),
            "probability": 0.99 - i / 100,
            "label": "questionable",
            "reasons": LONG_REASON.split("; "),
        }
        for i in range(10)
    ]
    return {
        "handle": "@subject",
        "platform": "x",
        "followers": {"total": 12_500, "listed": 1_000, "sampled": False},
        "summary": {
            "scored": 1_000,
            "skipped": 0,
            "questionable": 392,
            "threshold": 0.5,
            "share_questionable": {"estimate": 0.392, "low": 0.362, "high": 0.423},
            "population": 12_500,
            "authentic_followers": {"estimate": 7_600.0, "low": 7_212.5, "high": 7_975.0},
            "histogram": [606, 0, 1, 0, 1, 0, 0, 0, 0, 392],
            "share_method": "corrected",
            "counting_cut": 0.85,
            "counted": 380,
            "quiet": 410,
            "inactive": {
                "accounts": 455,
                "never_posted": 380,
                "known": 1_000,
                "questionable": 390,
                "months": 12,
            },
        },
        "scope_note": None,
        "behaviour": {
            "metrics": {"posts": 30},
            "findings": [
                finding("no-interaction", "replies to others in 0% of its posts (0 of 30)", True),
                finding(
                    "self-promotion",
                    "links to its own sites (guru.example) in 90% of its posts (27 of 30)",
                    True,
                ),
                finding(
                    "link-only", "posts nothing but a link in 0% of its posts (0 of 30)", False
                ),
                finding("repost-heavy", "reposts others in 0% of its posts (0 of 30)", False),
                finding(
                    "low-engagement",
                    "its posts get 45 likes, replies and reposts on average: "
                    "3.6 per 1,000 of its 12,500 followers",
                    False,
                ),
                finding(
                    "burst-posting",
                    "posts about once every 23 days; median gap between "
                    "posts 7.0 hours; last post 673 days ago",
                    False,
                ),
            ],
            "flags": ["no-interaction", "self-promotion"],
        },
        "deep": None,
        "gates": [
            GateResult(
                "--fail-above",
                False,
                0.05,
                0.362,
                "lower bound of the 95% interval of the share questionable",
            ).to_dict(),
            GateResult(
                "--min-authentic",
                True,
                100.0,
                7_975.0,
                "upper bound of the 95% interval of authentic followers",
            ).to_dict(),
        ],
        "follow_order": {
            "known": True,
            "buckets": [
                {"first": 1 + 100 * b, "last": 100 * (b + 1), "share": 0.3, "flagged": False}
                for b in range(10)
            ],
        },
        "accounts": accounts,
        "requests": {"made": 3, "from_cache": 0, "waited_seconds": 0},
    }


def render(width: int, *, terminal: bool = True) -> list[str]:
    console = Console(
        record=True,
        width=width,
        force_terminal=terminal or None,
        file=io.StringIO(),
        color_system=None,
    )
    scan_report(console, document(), top=10)
    return console.export_text().splitlines()


def first(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("width", [80, 120])
def test_the_answer_comes_before_the_charts_and_the_list(width):
    lines = render(width)
    order = [
        first(lines, "Authentic followers: about 7,600 (7,210-7,980) of 12,500"),
        first(lines, "Questionable: 39.2% (95% interval 36.2%-42.3%), corrected"),
        first(lines, "The share counts 380 of 1,000 scored at 0.85 or more (392 at 0.50)"),
        first(lines, "Questionable means"),
        first(lines, "The account's own behaviour"),
        first(lines, "FLAG no-interaction"),
        first(lines, "ok   burst-posting"),
        first(lines, "Gate --fail-above FAILED"),
        first(lines, "Gate --min-authentic PASSED"),
        first(lines, "Inactive: 455 of 1,000 scored followers (45.5%)"),
        first(lines, "Inactive followers are counted apart"),
        first(lines, "Scores (probability questionable)"),
        first(lines, "Questionable share by follow order"),
        first(lines, "Most questionable followers (top 10)"),
    ]
    assert order == sorted(order)
    # Everything up to the verdicts fits on one 24-line terminal screen.
    assert first(lines, "Gate --min-authentic PASSED") < 24
    assert all(len(line) <= width for line in lines)


def test_wrapped_findings_and_verdicts_hang_under_their_first_line():
    lines = render(80)
    promo = first(lines, "FLAG self-promotion")
    assert lines[promo].startswith("  FLAG self-promotion: links to its own sites")
    assert lines[promo + 1].startswith("       ") and lines[promo + 1].strip()
    gate = first(lines, "Gate --fail-above FAILED")
    assert lines[gate].startswith("Gate --fail-above FAILED: lower bound 36.2% > 5%; the 95%")
    assert lines[gate + 1].startswith("    ") and "not the estimate" in lines[gate + 1]
    meaning = " ".join(line.strip() for line in lines[first(lines, "Questionable means") :][:2])
    assert QUESTIONABLE_MEANS in meaning


def test_at_120_columns_each_finding_and_verdict_is_one_line():
    lines = render(120)
    assert QUESTIONABLE_MEANS in lines[first(lines, "Questionable means")]
    no_reply = lines[first(lines, "FLAG no-interaction")]
    assert no_reply.endswith("(0 of 30); flagged below 5% of own posts")
    assert lines[first(lines, "ok   burst-posting")].endswith("last post 673 days ago")
    assert lines[first(lines, "Gate --fail-above")] == (
        "Gate --fail-above FAILED: lower bound 36.2% > 5%; the 95% interval's lower bound is "
        "compared, not the estimate"
    )
    assert lines[first(lines, "Gate --min-authentic")] == (
        "Gate --min-authentic PASSED: upper bound 7,975 >= 100; the 95% interval's upper bound "
        "is compared, not the estimate"
    )


@pytest.mark.parametrize("width", [80, 120])
def test_the_reasons_get_the_width_and_no_label_column(width):
    lines = render(width)
    title = first(lines, "Most questionable followers")
    table = lines[title + 1 : first(lines, "API requests")]
    header = table[0]
    assert header.split() == ["line", "account", "score", "reasons"]
    assert "label" not in header
    assert not any("questionable" in line for line in table)
    # The reasons column starts within the first 40 columns and keeps what is left.
    assert header.index("reasons") < 40
    row = first(table, "@follower0")
    cell = " ".join(line[header.index("reasons") :].strip() for line in table[row : row + 2])
    assert LONG_REASON in cell
    # At 120 columns a reason of 87 characters needs no second line.
    if width == 120:
        assert table[row + 1].split()[:2] == ["2", "@follower1"]


def test_off_a_terminal_sentences_are_never_broken_across_lines():
    lines = render(80, terminal=False)
    promo = lines[first(lines, "FLAG self-promotion")]
    assert promo.endswith("(27 of 30); flagged below 5% of own posts") and len(promo) > 80
    assert QUESTIONABLE_MEANS in lines[first(lines, "Questionable means")]
    assert lines[first(lines, "Gate --fail-above")].endswith("compared, not the estimate")


def test_the_score_report_says_what_questionable_means_and_gives_verdicts_first():
    import pandas as pd

    rows = pd.DataFrame(
        {
            "line": [1, 2],
            "handle": ["@a", "@b"],
            "id": ["1", "2"],
            "probability": [0.9, 0.1],
            "label": ["questionable", "authentic"],
            "reasons": [LONG_REASON, "has 1,208 followers"],
        }
    )
    summary = Summary(
        2,
        0,
        1,
        0.5,
        Interval(0.5, 0.1, 0.9),
        2,
        Interval(1, 0.2, 1.8),
        [1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    )
    console = Console(
        record=True, width=80, force_terminal=True, file=io.StringIO(), color_system=None
    )
    gate = GateResult(
        "--fail-above", True, 0.95, 0.1, "lower bound of the 95% interval of the share questionable"
    )
    score_report(console, summary, rows, [], title="f.jsonl (x-v2)", top=5, gates=[gate])
    lines = console.export_text().splitlines()
    assert (
        first(lines, "Questionable means")
        < first(lines, "Gate --fail-above PASSED")
        < first(lines, "Scores (probability questionable)")
        < first(lines, "Most questionable accounts")
    )
