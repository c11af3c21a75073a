"""Terminal rendering with rich. Only the CLI imports this module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from followaudit.accounts import Skipped
from followaudit.report import GateResult, Summary, headline
from followaudit.safe_text import visible
from followaudit.stats import Interval

if TYPE_CHECKING:
    from followaudit.evaluation import Evaluation

BAR_WIDTH = 40


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def summary_panel(
    summary: Summary,
    title: str,
    *,
    listed: int | None = None,
    total: int | None = None,
    sampled: bool = False,
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
        lines.append(f"{_pct(s.estimate)}", style="bold red" if s.estimate >= 0.5 else "bold")
        lines.append(
            f" (95% interval {_pct(s.low)}-{_pct(s.high)}), "
            f"{summary.questionable:,} of {summary.scored:,} scored accounts "
            f"at a score of {summary.threshold:.2f} or more\n"
        )
    counts = f"Scored: {summary.scored:,}   Skipped: {summary.skipped:,}"
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


def top_table(rows: pd.DataFrame, top: int) -> Table:
    """Return the table of the most questionable accounts."""
    worst = rows.nlargest(top, "probability", keep="first")
    table = Table(title=f"Most questionable accounts (top {len(worst)})")
    table.add_column("line", justify="right")
    table.add_column("account")
    table.add_column("score", justify="right")
    table.add_column("label")
    table.add_column("reasons")
    for row in worst.itertuples(index=False):
        style = "red" if row.label == "questionable" else "green"
        table.add_row(
            str(row.line),
            Text(visible(row.handle or row.id or "-")),
            f"{row.probability:.2f}",
            Text(row.label, style=style),
            Text(visible(row.reasons or "-")),
        )
    return table


def skipped_block(skipped: Sequence[Skipped], limit: int = 5) -> Text:
    """Return a short list of skipped records with their reasons."""
    text = Text()
    ordered = sorted(skipped, key=lambda s: s.line)
    for item in ordered[:limit]:
        text.append(f"skipped line {item.line}: {visible(item.reason)}\n", style="yellow")
    if len(ordered) > limit:
        text.append(f"... and {len(ordered) - limit:,} more skipped\n", style="yellow")
    return text


def gate_line(gate: GateResult) -> Text:
    """Return one gate's verdict."""
    verdict = "PASSED" if gate.passed else "FAILED"
    style = "bold green" if gate.passed else "bold red"
    text = Text(f"Gate {gate.gate} {verdict}: ", style=style)
    if gate.compared != gate.compared:  # NaN: nothing was compared
        text.append(gate.compared_what)
    elif gate.gate == "--fail-on":
        text.append(gate.compared_what if not gate.passed else gate.compared_what + ": none")
    elif gate.gate == "--fail-above":
        text.append(
            f"{gate.compared_what} is {_pct(gate.compared)}; the limit is {_pct(gate.limit)}"
        )
    elif gate.gate == "--min-authentic":
        text.append(
            f"{gate.compared_what} is {gate.compared:,.0f}; the minimum is {gate.limit:,.0f}"
        )
    else:
        text.append(gate.compared_what)
    return text


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
) -> None:
    """Print the whole score report."""
    parts: list[object] = [summary_panel(summary, title)]
    if summary.scored:
        parts.append(histogram(summary))
        if top > 0:
            parts.append(top_table(rows, top))
    console.print(Group(*parts))  # type: ignore[arg-type]
    for warning in warnings:
        console.print(Text(f"warning: {visible(warning)}", style="yellow"))
    if skipped:
        console.print(skipped_block(skipped))
    for gate in gates:
        console.print(gate_line(gate))


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
    )


def rows_from_records(accounts: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return the scored accounts of a JSON audit as rows ``top_table`` can show."""
    columns = ("line", "handle", "id", "probability", "label", "reasons")
    rows = pd.DataFrame(
        [
            {
                "line": a.get("line"),
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
    title = f"{document['handle']} on {PLATFORM_NAMES.get(platform, platform)}"
    parts: list[object] = [
        summary_panel(summary, title, listed=int(followers["listed"]),
                      total=followers.get("total"), sampled=bool(followers.get("sampled")))
    ]
    if summary.scored:
        parts.append(histogram(summary))
        if top > 0:
            parts.append(top_table(rows_from_records(document.get("accounts") or []), top))
    console.print(Group(*parts))  # type: ignore[arg-type]
    if document.get("follow_order") is not None:
        console.print(follow_order_chart(document["follow_order"]))
    console.print(behaviour_block(document.get("behaviour")))
    if document.get("deep"):
        console.print(Text(visible(document["deep"]["sentence"])))
    if document.get("scope_note"):
        console.print(Text(visible(document["scope_note"]), style="yellow"))
    skipped = [Skipped(int(s["line"]), str(s["reason"])) for s in document.get("skipped") or []]
    if skipped:
        console.print(skipped_block(skipped))
    made = document.get("requests") or {}
    prefix = "API requests of that scan" if stored else "API requests"
    requests = Text(
        f"{prefix}: {made.get('made', 0):,} made, {made.get('from_cache', 0):,} answered "
        "from the cache",
        style="dim",
    )
    if (made.get("waited_seconds") or 0) >= 1:
        requests.append(f", {made['waited_seconds']:,.0f} s waiting on rate limits")
    if platform == "x" and not stored:
        requests.append(
            "; X bills every user and post returned, cached answers cost nothing", style="dim"
        )
    console.print(requests)
    for gate in document.get("gates") or []:
        console.print(gate_line(GateResult(**gate)))
    if stored:
        console.print(Text(f"Stored scan observed {document.get('observed_at')}; this report "
                           "made no API request.", style="dim"))


def behaviour_block(behaviour: Mapping[str, Any] | None) -> Text:
    """Return the account's own behaviour findings, one line each, flagged ones in red."""
    if behaviour is None:
        return Text("Own posts not fetched (--no-posts): no behaviour findings.", style="dim")
    metrics = behaviour.get("metrics") or {}
    text = Text(f"The account's own behaviour (its latest {metrics.get('posts', 0):,} posts):\n",
                style="bold")
    for f in behaviour.get("findings") or []:
        if f["flagged"]:
            text.append(f"  FLAG {f['code']}: {visible(f['sentence'])} ({f['threshold']})\n",
                        style="bold red")
        else:
            text.append(f"  ok   {f['code']}: {visible(f['sentence'])}\n")
    text.rstrip()
    return text


PLATFORM_NAMES = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}


def follow_order_chart(order: Mapping[str, Any]) -> Table | Text:
    """Return the questionable share per follow-order bucket, flagged buckets in red."""
    if not order.get("known"):
        return Text(visible(order.get("note", "")), style="dim")
    table = Table(title="Questionable share by follow order (newest first)",
                  show_edge=False, box=None)
    table.add_column("followers", justify="right")
    table.add_column("questionable", justify="right")
    table.add_column("")
    buckets = order.get("buckets") or []
    for b in buckets:
        width = round(BAR_WIDTH * b["share"])
        style = "bold red" if b["flagged"] else "cyan"
        mark = "  <- batch" if b["flagged"] else ""
        table.add_row(f"{b['first']:,}-{b['last']:,}", _pct(b["share"]),
                      Text("█" * width + mark, style=style))
    return table


def summary_rows(rows: Sequence[Mapping[str, Any]]) -> Table:
    """Return one row per account, in the order given: audits, and errors (with an "error" key)."""
    table = Table(title="Accounts audited")
    # A handle is never cut short: it wraps, so the row still names its account.
    table.add_column("account", overflow="fold", min_width=12)
    table.add_column("followers", justify="right")
    table.add_column("scored", justify="right")
    table.add_column("questionable (95% CI)", justify="right", overflow="fold")
    table.add_column("authentic", justify="right")
    table.add_column("result", overflow="fold")
    for row in rows:
        if "error" in row:
            table.add_row(Text(visible(row["handle"])), "-", "-", "-", "-",
                          Text(f"error: {row['exit_name']}", style="bold red"))
            continue
        summary: dict[str, Any] = row["summary"]
        share = summary["share_questionable"]
        authentic = summary["authentic_followers"]
        if summary["scored"]:
            share_text = f"{_pct(share['estimate'])} ({_pct(share['low'])}-{_pct(share['high'])})"
            authentic_text = f"{authentic['estimate']:,.0f}"
        else:
            share_text = authentic_text = "-"
        passed = row.get("passed", True)
        table.add_row(
            Text(visible(row["handle"])),
            f"{summary['population']:,}",
            f"{summary['scored']:,}",
            share_text,
            authentic_text,
            Text("pass" if passed else "FAIL", style="green" if passed else "bold red"),
        )
    return table


def evaluation_tables(result: Evaluation) -> list[Table]:
    """Return the evaluation as tables like the reference table of the dataset README."""
    scores = Table(title=f"Held-out quality ({result.folds}-fold stratified cross-validation, "
                         f"threshold {result.threshold:.2f})")
    for name in ("evaluation", "accounts", "acc", "P", "R", "F1", "MCC", "AUC"):
        scores.add_column(name, justify="left" if name == "evaluation" else "right")
    rows = [
        ("model, X (all features)", result.cross_validation),
        ("model, Bluesky/Mastodon mode (no likes, no listed)",
         result.cross_validation_without_x_only),
    ]
    rows += [(f"model, {mode}", s) for mode, s in result.missing_value_modes.items()]
    rows += [(f"rule: {name}", s) for name, s in result.baselines.items()]
    for name, s in rows:
        scores.add_row(name, f"{s.accounts:,}", f"{s.accuracy:.3f}", f"{s.precision:.3f}",
                       f"{s.recall:.3f}", f"{s.f1:.3f}", f"{s.mcc:.3f}",
                       "-" if s.roc_auc is None else f"{s.roc_auc:.4f}")
    vendors = Table(title="Leave one vendor out (trained without that vendor)")
    for name in ("held-out vendor", "accounts", "recall", "false alarms on held-out people",
                 "recall, no likes/listed", "false alarms, no likes/listed"):
        vendors.add_column(name, justify="left" if name == "held-out vendor" else "right")
    for v in result.leave_one_vendor_out:
        vendors.add_row(v.vendor, f"{v.vendor_accounts:,}", f"{v.recall:.3f}",
                        f"{v.false_positive_rate:.3f} of {v.human_accounts:,}",
                        f"{v.recall_without_x_only:.3f}",
                        f"{v.false_positive_rate_without_x_only:.3f}")
    return [scores, vendors]
