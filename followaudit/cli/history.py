"""`followaudit history`: every stored scan of an account, one line each, and two charts.

Reads the entries ``outputs.documents.history_entry`` makes (oldest first)
and prints them with rich: a table of the scans (date, followers the
platform reported, listed, share questionable with its interval, new
followers and their share), then the share questionable and the follower
count over time as bar charts, one bar per scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from followaudit.analysis.numbers import known_interval, percent
from followaudit.cli.safe_text import visible
from followaudit.handles import display_name

CHART_WIDTH = 40


def _when(entry: Mapping[str, Any]) -> Text:
    """Return a scan's date and time as the table writes it ("2026-01-05 10:00").

    Read back from a file anyone can edit: shown as text, never as markup.
    """
    text = str(entry.get("observed_at") or "")
    return Text(visible(text[:16].replace("T", " ") if len(text) >= 16 else text or "-"))


def _share(interval: Mapping[str, Any] | None) -> str:
    """Return "30.1% (27.3-33.0%)", or "-" when unknown."""
    known = known_interval(interval)
    if known is None:
        return "-"
    estimate, low, high = known
    return f"{percent(estimate, 1)} ({percent(low, 1).removesuffix('%')}-{percent(high, 1)})"


def _chart(columns: int) -> Table:
    """Return a bare table for a chart: one space between columns, no header."""
    table = Table(box=None, show_edge=False, pad_edge=False, show_header=False)
    table.padding = (0, 1, 0, 0)
    for _ in range(columns):
        table.add_column(no_wrap=True)
    return table


def _count(value: Any) -> str:
    return "-" if value is None else f"{int(value):,}"


def scans_table(entries: Sequence[Mapping[str, Any]]) -> Table:
    """Return one row per stored scan, oldest first."""
    table = Table(box=None, show_edge=False, pad_edge=False)
    table.padding = (0, 1, 0, 0)
    table.add_column("scan (UTC)", no_wrap=True)
    table.add_column("followers", justify="right")
    table.add_column("listed", justify="right")
    table.add_column("questionable", justify="right", no_wrap=True)
    table.add_column("new", justify="right")
    table.add_column("new questionable", justify="right", no_wrap=True)
    for entry in entries:
        new = entry.get("new_followers")
        table.add_row(
            _when(entry),
            _count(entry.get("followers")),
            _count(entry.get("listed")),
            _share(entry.get("share_questionable") if entry.get("scored") else None),
            _count(new),
            _share(entry.get("new_share_questionable")) if new else "-",
        )
    return table


def share_chart(entries: Sequence[Mapping[str, Any]]) -> Table:
    """Return the share questionable per scan: solid to the interval's low end, shaded across it."""
    table = _chart(3)
    for entry in entries:
        known = known_interval(entry.get("share_questionable"))
        if not entry.get("scored") or known is None:
            table.add_row(_when(entry), Text("no follower scored", style="dim"), "-")
            continue
        estimate, low, high = known
        solid = round(CHART_WIDTH * low)
        shaded = max(round(CHART_WIDTH * high) - solid, 1)
        style = "red" if estimate >= 0.5 else "cyan"
        bar = Text("█" * solid, style=style)
        bar.append("▒" * shaded, style=style)
        bar.append(" " * max(0, CHART_WIDTH - solid - shaded))
        table.add_row(_when(entry), bar, percent(estimate, 1))
    return table


def growth_chart(entries: Sequence[Mapping[str, Any]]) -> Table:
    """Return the follower count per scan (the platform's, else those listed), with its change."""
    table = _chart(4)
    table.columns[2].justify = table.columns[3].justify = "right"
    counts = [
        entry.get("followers") if entry.get("followers") is not None else entry.get("listed")
        for entry in entries
    ]
    peak = max((int(c) for c in counts if c is not None), default=0)
    before: int | None = None
    for entry, count in zip(entries, counts, strict=True):
        if count is None:
            table.add_row(_when(entry), Text("count unknown", style="dim"), "-", "")
            continue
        width = round(CHART_WIDTH * int(count) / peak) if peak else 0
        change = "" if before is None else f"{int(count) - before:+,}"
        table.add_row(_when(entry), Text("█" * width, style="green"), f"{int(count):,}", change)
        before = int(count)
    return table


def history_report(
    console: Console, handle: str, platform: str, entries: Sequence[Mapping[str, Any]]
) -> None:
    """Print every stored scan of an account, then its share and its growth over time."""
    scans = f"{len(entries):,} stored scan{'s' if len(entries) != 1 else ''}"
    title = Text(f"{visible(handle)} on {display_name(platform)}: {scans}", style="bold")
    console.print(title, crop=False)
    console.print(scans_table(entries), crop=False)
    console.print(Text("questionable: the share, with its 95% interval", style="dim"), crop=False)
    console.print(crop=False)
    console.print(
        Text(
            "Share questionable (█ up to the 95% interval's lower bound, ▒ across it):",
            style="bold",
        ),
        crop=False,
    )
    console.print(share_chart(entries), crop=False)
    console.print(crop=False)
    console.print(Text("Followers:", style="bold"), crop=False)
    console.print(growth_chart(entries), crop=False)
    if len(entries) == 1:
        console.print(
            Text(
                "One scan so far: scan the account again to see what changed since.",
                style="dim",
            ),
            crop=False,
        )
