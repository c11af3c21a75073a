"""Terminal rendering with rich: the reports, tables and charts the CLI prints.

Imported by the CLI's commands and its progress display; nothing in the core imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from followaudit.accounts import Skipped, line_number
from followaudit.analysis.batches import NO_BATCH, order_sentences
from followaudit.analysis.changes import since_sentence
from followaudit.analysis.gates import OUTCOME_STYLES, GateResult, audit_outcome
from followaudit.analysis.numbers import percent
from followaudit.analysis.summary import (
    CORRECTED,
    CORRECTED_NOTE,
    INACTIVE_MEANS,
    QUESTIONABLE_MEANS,
    Inactive,
    Summary,
    headline,
    inactive_sentence,
    round_followers,
)
from followaudit.cli.safe_text import visible
from followaudit.handles import display_name
from followaudit.live.platforms import bills_reads
from followaudit.model.quantify import Interval
from followaudit.model.reasons import reasons_joined

BAR_WIDTH = 40


class Paragraph:
    """A sentence that wraps with a hanging indent on a terminal and stays one line off it.

    On a terminal a wrapped line is indented under the first, so a list of
    findings stays readable at 80 columns. Off a terminal (a CI log, a file,
    a pipe) the sentence is written whole on one line: a log viewer wraps it
    where it likes, and a command in it can be copied as it is.
    """

    def __init__(self, text: Text, *, indent: int = 0, hang: int = 4) -> None:
        self.text = text
        self.indent = indent
        self.hang = hang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = self.text.copy()
        text.rstrip()
        if not console.is_terminal or options.no_wrap:
            yield Segment(" " * self.indent)
            yield from text.render(console)
            yield Segment.line()
            return
        width = options.max_width
        first = text.wrap(console, max(width - self.indent, 20), overflow="fold")[0]
        rest = text[len(first.plain) :]
        rest = rest[len(rest.plain) - len(rest.plain.lstrip()) :]
        lines = [first]
        if rest.plain:
            lines += rest.wrap(console, max(width - self.hang, 20), overflow="fold")
        for number, line in enumerate(lines):
            yield Segment(" " * (self.indent if number == 0 else self.hang))
            line.rstrip()
            yield from line.render(console)
            yield Segment.line()


def summary_panel(
    summary: Summary,
    title: str,
    *,
    listed: int | None = None,
    total: int | None = None,
    sampled: bool = False,
    duplicates: int = 0,
) -> Panel:
    """Return the summary block: headline, counts, share questionable with its interval.

    ``total`` is the platform's own follower count (shown when a scan listed
    fewer, e.g. with --max-followers); ``listed`` how many were listed.
    """
    s = summary.share_questionable
    lines = Text()
    lines.append(headline(summary) + "\n", style="bold")
    if summary.scored:
        lines.append("Questionable: ")
        lines.append(percent(s.estimate, 1), style="bold red" if s.estimate >= 0.5 else "bold")
        interval = f" (95% interval {percent(s.low, 1)}-{percent(s.high, 1)})"
        if summary.share_method == CORRECTED:
            lines.append(f"{interval}, {CORRECTED_NOTE}\n")
        else:
            lines.append(f"{interval}, not corrected: the model file carries no error rates\n")
        if summary.counting_cut is not None and summary.counted is not None:
            lines.append(
                f"The share counts {summary.counted:,} of {summary.scored:,} scored at "
                f"{summary.counting_cut:.2f} or more ({summary.questionable:,} at "
                f"{summary.threshold:.2f})\n"
            )
        else:
            lines.append(
                f"{summary.questionable:,} of {summary.scored:,} scored accounts have a score of "
                f"{summary.threshold:.2f} or more\n"
            )
        if summary.share_note:
            lines.append(summary.share_note + "\n")
    counts = f"Scored: {summary.scored:,}   Skipped: {summary.skipped:,}"
    if duplicates:
        # Rows repeating an account already read: not skipped, not scored twice.
        counts += f"   Duplicates: {duplicates:,} (scored once)"
    if listed is not None:
        followers = f"{total:,}" if total is not None else "unknown"
        counts = f"Followers: {followers}   Listed: {listed:,}   " + counts
    lines.append(counts)
    if sampled:
        lines.append("\nScored accounts are a uniform random sample; the interval covers the base.")
    # Titles and cells hold text from files and APIs: never parsed as markup.
    return Panel(lines, title=Text(visible(title)), expand=False)


def histogram(summary: Summary) -> Table:
    """Return a bar chart of accounts per score decile."""
    table = Table(title="Scores (probability questionable)", show_edge=False, box=None)
    table.add_column("score", justify="right")
    table.add_column("accounts", justify="right")
    table.add_column("")
    peak = max(summary.histogram) if summary.histogram else 0
    for i, count in enumerate(summary.histogram):
        low, high = i / len(summary.histogram), (i + 1) / len(summary.histogram)
        width = round(BAR_WIDTH * count / peak) if peak else 0
        style = "red" if low >= summary.threshold else "green"
        table.add_row(f"{low:.1f}-{high:.1f}", f"{count:,}", Text("█" * width, style=style))
    return table


# The widest an account column gets: a Bluesky handle such as
# skittle--regenc.bsky.social (27) fits whole; a longer one breaks after a dot.
HANDLE_WIDTH = 28
# In the table of accounts, where the figures need more of the 80 columns (a DID's
# 24-character identifier still fits whole).
SUMMARY_HANDLE_WIDTH = 22
_HANDLE_BREAKS = re.compile(r"(?<=[.@:])")


def handle_cell(handle: str, width: int = HANDLE_WIDTH) -> Text:
    """Return a handle as a table cell, broken only after a dot, @ or : when too wide.

    Folding at the column's edge broke handles mid-word (``skittle--regenc.bsky.soc``
    / ``ial``); broken after a dot, each line is still a readable part of it.
    """
    shown = visible(handle)
    if len(shown) <= width:
        return Text(shown)
    lines = [""]
    for piece in _HANDLE_BREAKS.split(shown):
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return Text("\n".join(lines))


def top_table(rows: pd.DataFrame, top: int, noun: str = "accounts") -> Table:
    """Return the table of the most questionable accounts, the reasons given the width.

    The score says the label (red at or above the threshold, green below), so
    there is no label column: the reasons get that width.
    """
    worst = rows.nlargest(top, "probability", keep="first")
    if "reasons" not in worst.columns:
        # Put into words for the accounts shown only.
        worst = worst.assign(reasons=reasons_joined(worst))
    table = Table(
        title=f"Most questionable {noun} (top {len(worst)})",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title_justify="left",
        title_style="bold",
    )
    table.add_column("line", justify="right")
    table.add_column("account", overflow="fold", max_width=HANDLE_WIDTH)
    table.add_column("score", justify="right")
    table.add_column("reasons", ratio=1)
    for row in worst.itertuples(index=False):
        style = "red" if row.label == "questionable" else "green"
        table.add_row(
            _line_cell(row.line, getattr(row, "record", 0)),
            handle_cell(str(row.handle or row.id or "-")),
            Text(f"{row.probability:.2f}", style=style),
            Text(visible(row.reasons or "-")),
        )
    return table


def _line_cell(line: Any, record: Any) -> str:
    """Return "12", "1:40" (the 40th of several accounts on line 1), or "-" when unknown."""
    if line is None or line != line:
        return "-"
    return line_number(int(line), int(record or 0))


def skipped_block(skipped: Sequence[Skipped], limit: int = 5) -> Text:
    """Return a short list of skipped records with their reasons."""
    text = Text()
    ordered = sorted(skipped, key=lambda s: (s.line, s.record))
    for item in ordered[:limit]:
        text.append(f"skipped {item.place}: {visible(item.reason)}\n", style="yellow")
    if len(ordered) > limit:
        text.append(f"... and {len(ordered) - limit:,} more skipped\n", style="yellow")
    return text


def gate_line(gate: GateResult) -> Text:
    """Return one gate's verdict."""
    verdict = "PASSED" if gate.passed else "FAILED" if gate.judged else "NOT JUDGED"
    text = Text(f"Gate {gate.gate} {verdict}: ", style=OUTCOME_STYLES[gate.outcome])
    text.append(gate.explanation())
    return text


def _show(console: Console, renderable: Any) -> None:
    # Never cropped: a paragraph off a terminal is one line however long.
    console.print(renderable, crop=False)


def meaning_line() -> Paragraph:
    """Return the one sentence that says what "questionable" means."""
    return Paragraph(Text(QUESTIONABLE_MEANS, style="italic"))


def inactive_block(summary: Summary) -> list[Paragraph]:
    """Return the inactive followers' line and what they mean, or nothing when not known."""
    if summary.inactive is None or not summary.scored:
        return []
    return [
        Paragraph(Text(inactive_sentence(asdict(summary.inactive), summary.scored))),
        Paragraph(Text(INACTIVE_MEANS, style="dim")),
    ]


def gates_block(gates: Sequence[GateResult]) -> list[Paragraph]:
    """Return one paragraph per gate verdict, wrapped lines indented."""
    return [Paragraph(gate_line(gate)) for gate in gates]


def answer_line(summary: Summary, gates: Sequence[GateResult] = ()) -> Paragraph:
    """Return the answer in one line, which ends every report: on a terminal it is on screen.

    A report scrolls: on a terminal of 24 lines the headline is long gone by
    the end of the list of followers. This repeats the authentic followers
    with their interval, the share questionable with its interval, and each
    gate's verdict with what it compared.
    """
    if summary.scored:
        a, s = summary.authentic_followers, summary.share_questionable
        text = (
            f"Answer: {round_followers(a.estimate):,} ({round_followers(a.low):,}-"
            f"{round_followers(a.high):,}) of {summary.population:,} authentic, "
            f"{percent(s.estimate, 1)} questionable ({percent(s.low, 1)}-{percent(s.high, 1)})"
        )
    else:
        text = "Answer: no account could be scored"
    line = Text(text, style="bold")
    for gate in gates:
        line.append("; ", style="bold")
        line.append(gate.verdict(), style=OUTCOME_STYLES[gate.outcome])
    return Paragraph(line)


def score_report(
    console: Console,
    summary: Summary,
    rows: pd.DataFrame,
    skipped: Sequence[Skipped],
    *,
    title: str,
    top: int,
    warnings: Sequence[str] = (),
    gates: Sequence[GateResult] = (),
    duplicates: int = 0,
) -> None:
    """Print the whole score report: the answer and the verdicts first, then the detail."""
    _show(console, summary_panel(summary, title, duplicates=duplicates))
    _show(console, meaning_line())
    for paragraph in gates_block(gates):
        _show(console, paragraph)
    for warning in warnings:
        _show(console, Paragraph(Text(f"warning: {visible(warning)}", style="yellow")))
    for paragraph in inactive_block(summary):
        _show(console, paragraph)
    if summary.scored:
        _show(console, histogram(summary))
        if top > 0:
            _show(console, top_table(rows, top))
    if skipped:
        _show(console, skipped_block(skipped))
    _show(console, answer_line(summary, gates))


def summary_from_dict(data: Mapping[str, Any]) -> Summary:
    """Return a Summary from its JSON form (unknown values, null in JSON, become NaN)."""

    def interval(part: Mapping[str, Any]) -> Interval:
        values = [part.get(k) for k in ("estimate", "low", "high")]
        return Interval(*(float("nan") if v is None else float(v) for v in values))

    return Summary(
        scored=int(data["scored"]),
        skipped=int(data["skipped"]),
        questionable=int(data["questionable"]),
        threshold=float(data["threshold"]),
        share_questionable=interval(data["share_questionable"]),
        population=int(data["population"]),
        authentic_followers=interval(data["authentic_followers"]),
        histogram=[int(c) for c in data.get("histogram") or []],
        share_method=str(data.get("share_method") or "raw"),
        flagged_share=interval(data.get("flagged_share") or {}),
        counting_cut=data.get("counting_cut"),
        counted=data.get("counted"),
        quiet=data.get("quiet"),
        share_note=data.get("share_note"),
        inactive=_inactive(data.get("inactive")),
    )


def _inactive(data: Mapping[str, Any] | None) -> Inactive | None:
    """Return the inactive followers of a JSON summary (absent before they were counted)."""
    if not data:
        return None
    return Inactive(
        accounts=int(data["accounts"]),
        never_posted=int(data["never_posted"]),
        known=int(data["known"]),
        questionable=int(data["questionable"]),
        months=int(data.get("months") or 12),
    )


def rows_from_records(accounts: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return the scored accounts of a JSON audit as rows ``top_table`` can show."""
    columns = ("line", "record", "handle", "id", "probability", "label", "reasons")
    rows = pd.DataFrame(
        [
            {
                "line": a.get("line"),
                # Absent from audits stored before followers were numbered by record.
                "record": a.get("record") or 0,
                "handle": a.get("handle") or "",
                "id": a.get("id") or "",
                "probability": float(a.get("probability") or 0.0),
                "label": a.get("label") or "",
                "reasons": "; ".join(a.get("reasons") or []),
            }
            for a in accounts
        ],
        columns=list(columns),
    )
    return rows.astype({"probability": float})


def scan_report(
    console: Console, document: Mapping[str, Any], *, top: int, stored: bool = False
) -> None:
    """Print the report of one audit from its JSON object (``audit.audit_document``).

    The live scan and ``followaudit report`` print from the same object, so a
    re-rendered report says exactly what the scan said. ``stored`` marks a
    report re-rendered from the cache.
    """
    followers = document["followers"]
    platform = str(document["platform"])
    summary = summary_from_dict(document["summary"])
    title = f"{document['handle']} on {display_name(platform)}"
    # The first screen answers the question: the estimate, what it means, the
    # account's own behaviour and the verdicts; the charts and lists follow.
    _show(
        console,
        summary_panel(
            summary,
            title,
            listed=int(followers["listed"]),
            total=followers.get("total"),
            sampled=bool(followers.get("sampled")),
        ),
    )
    if document.get("scope_note"):
        _show(console, Paragraph(Text(visible(document["scope_note"]), style="yellow")))
    if document.get("since_last"):
        since = since_sentence(document["since_last"])
        _show(console, Paragraph(Text(visible(since), style="bold")))
    _show(console, meaning_line())
    for paragraph in behaviour_block(document.get("behaviour"), document.get("behaviour_missing")):
        _show(console, paragraph)
    for sentence in document.get("missing") or []:
        _show(console, Paragraph(Text(visible(sentence), style="yellow")))
    if document.get("deep"):
        _show(console, Paragraph(Text(visible(document["deep"]["sentence"]))))
    gates = [GateResult.from_dict(g) for g in document.get("gates") or []]
    for paragraph in gates_block(gates):
        _show(console, paragraph)
    for paragraph in inactive_block(summary):
        _show(console, paragraph)
    if summary.scored:
        _show(console, histogram(summary))
    if document.get("follow_order") is not None:
        order = follow_order_chart(document["follow_order"])
        _show(console, Paragraph(order) if isinstance(order, Text) else order)
        # Under the chart, what it shows in words, as the HTML report says it.
        for sentence in order_sentences(document["follow_order"]):
            style = "dim" if sentence == NO_BATCH else "bold red"
            _show(console, Paragraph(Text(visible(sentence), style=style)))
    if summary.scored and top > 0:
        _show(
            console, top_table(rows_from_records(document.get("accounts") or []), top, "followers")
        )
    skipped = [
        Skipped(int(s["line"]), str(s["reason"]), int(s.get("record") or 0))
        for s in document.get("skipped") or []
    ]
    if skipped:
        _show(console, skipped_block(skipped))
    made = document.get("requests") or {}
    prefix = "API requests of that scan" if stored else "API requests"
    requests = Text(
        f"{prefix}: {made.get('made', 0):,} made, {made.get('from_cache', 0):,} answered "
        "from the cache",
        style="dim",
    )
    if (made.get("waited_seconds") or 0) >= 1:
        requests.append(f", {made['waited_seconds']:,.0f} s waiting on rate limits")
    if bills_reads(platform) and made.get("dollars") is not None:
        requests.append(
            f"; about ${made['dollars']:,.2f} at {display_name(platform)}'s 2026 prices "
            "(cached answers cost nothing)",
            style="dim",
        )
    elif bills_reads(platform) and not stored:
        requests.append(
            f"; {display_name(platform)} bills every user and post returned, cached answers "
            "cost nothing",
            style="dim",
        )
    _show(console, Paragraph(requests))
    if stored:
        _show(
            console,
            Paragraph(
                Text(
                    f"From the scan stored on {when(document.get('observed_at'))}; "
                    "this report made no API request.",
                    style="dim",
                )
            ),
        )
    _show(console, answer_line(summary, gates))


def when(moment: Any) -> str:
    """Return a stored ISO 8601 time as people read it: "2026-12-06 at 01:01 UTC"."""
    try:
        parsed = datetime.fromisoformat(str(moment))
    except ValueError:
        return visible(str(moment))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%d at %H:%M UTC")


def behaviour_block(
    behaviour: Mapping[str, Any] | None, missing: str | None = None
) -> list[Paragraph]:
    """Return the account's own behaviour findings, one paragraph each, flagged ones in red.

    ``missing`` says why there are none when the posts could not be read.
    """
    if behaviour is None and missing:
        return [Paragraph(Text(visible(missing), style="yellow"))]
    if behaviour is None:
        return [
            Paragraph(
                Text("Own posts not fetched (--no-posts): no behaviour findings.", style="dim")
            )
        ]
    metrics = behaviour.get("metrics") or {}
    heading = Text(
        f"The account's own behaviour (its latest {metrics.get('posts', 0):,} posts):", style="bold"
    )
    paragraphs = [Paragraph(heading)]
    for f in behaviour.get("findings") or []:
        if f["flagged"]:
            line = Text(
                f"FLAG {f['code']}: {visible(f['sentence'])}; {f['threshold']}", style="bold red"
            )
        else:
            line = Text(f"ok   {f['code']}: {visible(f['sentence'])}")
        paragraphs.append(Paragraph(line, indent=2, hang=7))
    return paragraphs


def follow_order_chart(order: Mapping[str, Any]) -> Table | Text:
    """Return the questionable share per follow-order bucket, flagged buckets in red."""
    if not order.get("known"):
        return Text(visible(order.get("note", "")), style="dim")
    table = Table(
        title="Questionable share by follow order (newest first)", show_edge=False, box=None
    )
    table.add_column("followers", justify="right")
    table.add_column("questionable", justify="right")
    # The bars' full scale (100%) always: the chart is then wider than its title,
    # which never wraps over a chart of short bars.
    table.add_column("", min_width=BAR_WIDTH)
    buckets = order.get("buckets") or []
    for b in buckets:
        width = round(BAR_WIDTH * b["share"])
        style = "bold red" if b["flagged"] else "cyan"
        mark = "  <- batch" if b["flagged"] else ""
        table.add_row(
            f"{b['first']:,}-{b['last']:,}",
            percent(b["share"], 1),
            Text("█" * width + mark, style=style),
        )
    return table


def summary_rows(rows: Sequence[Mapping[str, Any]]) -> Table:
    """Return one row per account, in the order given: audits, and errors (with an "error" key).

    Made for 80 columns, every figure whole: the handle breaks after a dot,
    the authentic followers sit over their total and the share over its
    interval, and each gate's verdict wraps at spaces. The scored counts
    are in each account's report and in --summary-csv.
    """
    table = Table(
        title="Accounts audited",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title_justify="left",
        title_style="bold",
    )
    table.add_column("account", overflow="fold")
    table.add_column("authentic", justify="right", no_wrap=True)
    table.add_column("questionable", justify="right", no_wrap=True)
    table.add_column("result", ratio=1, min_width=len("error: RATE_LIMITED"))
    for row in rows:
        if "error" in row:
            table.add_row(
                handle_cell(row["handle"], SUMMARY_HANDLE_WIDTH),
                "-",
                "-",
                Text(f"error: {row['exit_name']}", style="bold red"),
            )
            continue
        summary: dict[str, Any] = row["summary"]
        share = summary["share_questionable"]
        authentic = summary["authentic_followers"]
        of = f"of {summary['population']:,}"
        if summary["scored"]:
            share_text = (
                f"{percent(share['estimate'], 1)}\n"
                f"({percent(share['low'], 1)}-{percent(share['high'], 1)})"
            )
            authentic_text = f"{round_followers(authentic['estimate']):,}\n{of}"
        else:
            share_text, authentic_text = "-", f"-\n{of}"
        # Each gate says what it compared ("pass: lower bound 29.3% <= 30%"), one per line.
        verdicts = [GateResult.from_dict(gate).verdict() for gate in row.get("gates") or []]
        style = OUTCOME_STYLES[audit_outcome(row)]
        table.add_row(
            handle_cell(row["handle"], SUMMARY_HANDLE_WIDTH),
            authentic_text,
            share_text,
            Text("\n".join(verdicts) or "pass", style="green" if style == "bold green" else style),
        )
    return table


def run_answer(rows: Sequence[Mapping[str, Any]]) -> Paragraph:
    """Return the line under the table of accounts: how many passed, failed, could not be audited."""
    errors = [row for row in rows if "error" in row]
    outcomes = [audit_outcome(row) for row in rows if "error" not in row]
    failed, unjudged = outcomes.count("fail"), outcomes.count("not judged")
    line = Text(f"Answer: {len(rows):,} accounts: ", style="bold")
    parts = [(f"{outcomes.count('pass'):,} passed", "bold green")]
    if failed:
        parts.append((f"{failed:,} failed a gate", "bold red"))
    if unjudged:
        parts.append((f"{unjudged:,} not judged", "bold yellow"))
    if errors:
        names = ", ".join(dict.fromkeys(str(row["exit_name"]) for row in errors))
        parts.append((f"{len(errors):,} could not be audited ({names})", "bold red"))
    for number, (text, style) in enumerate(parts):
        line.append(", " if number else "", style="bold")
        line.append(text, style=style)
    return Paragraph(line)
