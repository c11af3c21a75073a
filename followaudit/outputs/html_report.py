"""A self-contained HTML report a client can open in any browser, offline.

Everything is inline: CSS in a ``<style>`` element, charts as inline SVG. No
script, font, image or stylesheet is fetched from anywhere, and every value
is escaped with ``html.escape``.

The report dict ``render_html`` reads (``report_data`` builds it from a
JSON audit; keys marked optional may be left out):

.. code-block:: text

    {
      "title": "@guru on X",                                  # str
      "generated_at": "2026-03-31 12:00 UTC",                 # str, optional
      "headline": "Authentic followers: about 7,800 (7,500-8,100) of 10,000",
      "share": {"estimate": 0.22, "low": 0.19, "high": 0.25,   # optional: share questionable
                "method": "corrected", "note": "..."},         # and what its interval says
      "meaning": "Questionable means ...",                     # optional: report.QUESTIONABLE_MEANS
      "inactive": "Inactive: 45 of 400 scored followers ...",  # optional: summary.inactive_sentence
      "details": ["2,000 followers scored of 10,000", ...],   # list[str], optional
      "gates": [                         # optional: the verdicts of the scan's gates
        {"gate": "--fail-above", "passed": false, "explanation": "..."}, ...],
      "histogram": [120, 80, ...],       # accounts per score decile 0.0-0.1 ... 0.9-1.0
      "threshold": 0.5,                  # optional: questionable from this score up
      "follow_order": {
        "known": true,                   # false: "note" is shown instead of a chart
        "note": "...",                   # optional sentence (e.g. batches.NO_ORDER)
        "test": "...",                   # optional: how buckets are flagged
        "buckets": [                     # newest followers first
          {"first": 1, "last": 1000, "n": 1000, "questionable": 120,
           "share": 0.12, "low": 0.10, "high": 0.14, "flagged": false}, ...]
      },
      "findings": [                      # behaviour.Finding fields
        {"code": "no-interaction", "sentence": "...", "flagged": true,
         "threshold": "..."}, ...],
      "questionable_followers": [        # most questionable first
        {"handle": "bot123", "probability": 0.97, "reasons": ["...", ...]}, ...],
      "since_last": "Since the last scan (2026-01-05): 100 new followers, ...",  # optional
      "history": [                       # optional: every stored scan, oldest first
        {"observed_at": "2026-01-05T10:00:00+00:00", "followers": 1000, "listed": 1000,
         "share_questionable": {"estimate": 0.3, "low": 0.27, "high": 0.33},
         "new_followers": 100, ...}, ...]   # documents.history_entry
    }

``batches.follow_order_document`` and ``documents.behaviour_document`` give
the follow-order and findings shapes; ``report.headline`` writes the headline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from followaudit.analysis.batches import order_sentences
from followaudit.analysis.changes import since_sentence
from followaudit.analysis.gates import GateResult
from followaudit.analysis.numbers import known_interval
from followaudit.analysis.summary import (
    CORRECTED,
    CORRECTED_NOTE,
    INACTIVE_MEANS,
    QUESTIONABLE_MEANS,
    inactive_sentence,
)
from followaudit.handles import display_name

_CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bar: #3e7cb1;
        --flag: #c62828; --ok: #2e7d32; --bg: #ffffff; --panel: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 32px 24px 48px; }
header { border-bottom: 3px solid var(--ink); margin-bottom: 24px; padding-bottom: 12px; }
header .title { color: var(--muted); font-size: 14px; letter-spacing: .04em;
                text-transform: uppercase; margin: 0; }
h1 { font-size: 28px; margin: 4px 0 8px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
.share { font-size: 18px; margin: 0 0 8px; }
.details { color: var(--muted); margin: 0; padding: 0; list-style: none; }
.details li { display: inline; margin-right: 18px; }
.note { background: var(--panel); border-left: 4px solid var(--muted); padding: 10px 14px; }
.caption { color: var(--muted); font-size: 13px; margin: 4px 0 0; }
svg { display: block; width: 100%; max-width: 100%; height: auto; }
svg text { font: 11px sans-serif; fill: var(--muted); }
svg .bar { fill: var(--bar); }
svg .bar.flagged, svg .bar.questionable { fill: var(--flag); }
svg .whisker { stroke: var(--ink); stroke-width: 1; }
svg .bar.followers { fill: var(--line); }
svg circle.share { fill: var(--flag); }
svg polyline.share { fill: none; stroke: var(--flag); stroke-width: 1.5; }
svg .axis { stroke: var(--line); stroke-width: 1; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: var(--panel); font-size: 13px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; border-radius: 3px; padding: 1px 7px; font-size: 12px;
         font-weight: 600; color: #fff; white-space: nowrap; }
.badge.flagged { background: var(--flag); }
.badge.ok { background: var(--ok); }
td ul { margin: 0; padding-left: 18px; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
@media print { main { padding: 0; } }
"""


def report_data(
    document: Mapping[str, Any],
    top: int = 10,
    history: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Return the report dict ``render_html`` reads from one JSON audit (``documents.audit_document``).

    ``history``: the account's stored scans (``documents.history_entry``),
    oldest first, for the chart over time.
    """
    followers = document["followers"]
    summary = document["summary"]
    platform = display_name(str(document["platform"]))
    details = [f"{followers['scored']:,} followers scored of {summary['population']:,}"]
    if followers.get("sampled"):
        details.append(f"uniform random sample (seed {followers.get('seed')})")
    if document.get("scope_note"):
        details.append(document["scope_note"])
    if document.get("deep"):
        details.append(document["deep"]["sentence"])
    details.extend(document.get("missing") or [])
    questionable = sorted(
        (a for a in document.get("accounts") or [] if a.get("label") == "questionable"),
        key=lambda a: -float(a.get("probability") or 0.0),
    )[:top]
    behaviour = document.get("behaviour") or {}
    observed = str(document.get("observed_at") or "")
    try:
        generated = datetime.fromisoformat(observed).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        generated = observed
    share = summary.get("share_questionable") or {}
    return {
        "title": f"{document['handle']} on {platform}",
        "generated_at": generated,
        "headline": document["headline"],
        "share": (
            {
                **share,
                "method": summary.get("share_method") or "raw",
                "note": summary.get("share_note"),
            }
            if summary.get("scored")
            else None
        ),
        "meaning": QUESTIONABLE_MEANS,
        "inactive": (
            f"{inactive_sentence(summary['inactive'], int(summary['scored']))} {INACTIVE_MEANS}"
            if summary.get("inactive") and summary.get("scored")
            else None
        ),
        "details": details,
        "gates": [
            {
                "gate": g["gate"],
                "passed": g["passed"],
                "explanation": GateResult.from_dict(g).explanation(),
            }
            for g in document.get("gates") or []
        ],
        "histogram": summary.get("histogram") or [],
        "threshold": summary.get("threshold"),
        "follow_order": document.get("follow_order") or {},
        "findings": behaviour.get("findings") or [],
        "behaviour_missing": document.get("behaviour_missing"),
        "questionable_followers": [
            {
                "handle": a.get("handle") or a.get("id") or "",
                "probability": float(a.get("probability") or 0.0),
                "reasons": a.get("reasons") or [],
            }
            for a in questionable
        ],
        "since_last": (
            since_sentence(document["since_last"]) if document.get("since_last") else None
        ),
        "history": [dict(entry) for entry in history],
    }


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _histogram_svg(counts: Sequence[int], threshold: float | None) -> str:
    width, height, left, bottom, top = 640, 220, 44, 30, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(max(counts, default=0), 1)
    slot = plot_w / max(len(counts), 1)
    parts = [
        (
            f'<svg id="histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" '
            'aria-label="Followers by questionable score">'
        ),
        (
            f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 10}" '
            f'y2="{top + plot_h}"/>'
        ),
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak:,}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, count in enumerate(counts):
        low = i / len(counts)
        bar_h = plot_h * int(count) / peak
        x = left + i * slot + 3
        cls = "bar questionable" if threshold is not None and low >= threshold else "bar"
        parts.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{slot - 6:.1f}" height="{bar_h:.1f}">'
            f"<title>score {low:.1f}-{low + 1 / len(counts):.1f}: {int(count):,} followers"
            "</title></rect>"
        )
        parts.append(
            f'<text x="{x + (slot - 6) / 2:.1f}" y="{height - 12}" text-anchor="middle">'
            f"{low:.1f}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _follow_order_svg(buckets: Sequence[Mapping[str, Any]]) -> str:
    width, height, left, bottom, top = 640, 230, 44, 40, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    slot = plot_w / max(len(buckets), 1)
    parts = [
        (
            f'<svg id="follow-order" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
            f'{height}" width="{width}" height="{height}" role="img" '
            'aria-label="Share questionable by follow order, newest first">'
        ),
        (
            f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 10}" '
            f'y2="{top + plot_h}"/>'
        ),
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">100%</text>',
        f'<text x="{left - 6}" y="{top + plot_h / 2 + 4}" text-anchor="end">50%</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0%</text>',
    ]
    for i, b in enumerate(buckets):
        share = float(b["share"])
        bar_h = plot_h * share
        x = left + i * slot + 3
        cls = "bar flagged" if b.get("flagged") else "bar"
        parts.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{slot - 6:.1f}" height="{bar_h:.1f}">'
            f"<title>followers {int(b['first']):,}-{int(b['last']):,}: {share:.0%} questionable"
            f"{' (flagged)' if b.get('flagged') else ''}</title></rect>"
        )
        if "low" in b and "high" in b:
            cx = x + (slot - 6) / 2
            y_low = top + plot_h * (1 - float(b["low"]))
            y_high = top + plot_h * (1 - float(b["high"]))
            parts.append(
                f'<line class="whisker" x1="{cx:.1f}" y1="{y_low:.1f}" x2="{cx:.1f}" '
                f'y2="{y_high:.1f}"/>'
            )
        parts.append(
            f'<text x="{x + (slot - 6) / 2:.1f}" y="{height - 24}" text-anchor="middle">'
            f"{int(b['first']):,}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
        "position in the follower list (newest first)</text></svg>"
    )
    return "".join(parts)


def _follow_order_section(order: Mapping[str, Any]) -> str:
    buckets = order.get("buckets") or []
    note = order.get("note")
    out = ['<section id="follow-order-section"><h2>Follow order</h2>']
    if not order.get("known") or not buckets:
        text = note or "The follow order of this list is not known, so no chart is shown."
        out.append(f'<p class="note">{_e(text)}</p></section>')
        return "".join(out)
    out.append(_follow_order_svg(buckets))
    caption = "Share of questionable followers in each slice of the list, newest followers left; "
    caption += "lines show 95% intervals; red slices are flagged as likely purchased batches."
    out.append(f'<p class="caption">{_e(caption)}</p>')
    # The same sentences as under the terminal's chart.
    for sentence in order_sentences(order):
        out.append(f'<p class="note">{_e(sentence)}</p>')
    if order.get("test"):
        out.append(f'<p class="caption">{_e("Test: " + str(order["test"]))}</p>')
    if note:
        out.append(f'<p class="caption">{_e(note)}</p>')
    out.append("</section>")
    return "".join(out)


def _over_time_svg(entries: Sequence[Mapping[str, Any]]) -> str:
    """Return the share questionable (points with 95% whiskers) and the followers (bars) per scan."""
    width, height, left, right, top, bottom = 640, 260, 48, 56, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(entries), 1)
    counts = [
        e.get("followers") if e.get("followers") is not None else e.get("listed") for e in entries
    ]
    peak = max((int(c) for c in counts if c is not None), default=0) or 1
    parts = [
        (
            f'<svg id="over-time" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
            f'{height}" width="{width}" height="{height}" role="img" '
            'aria-label="Share questionable and followers at each stored scan">'
        ),
        (
            f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
            f'y2="{top + plot_h}"/>'
        ),
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">100%</text>',
        f'<text x="{left - 6}" y="{top + plot_h / 2 + 4}" text-anchor="end">50%</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0%</text>',
        f'<text x="{width - right + 6}" y="{top + 4}">{peak:,}</text>',
        f'<text x="{width - right + 6}" y="{top + plot_h}">0</text>',
    ]
    points = []
    for i, (entry, count) in enumerate(zip(entries, counts, strict=True)):
        x = left + i * slot
        cx = x + slot / 2
        when = str(entry.get("observed_at") or "")[:10]
        if count is not None:
            bar_h = plot_h * int(count) / peak
            parts.append(
                f'<rect class="bar followers" x="{x + slot * 0.2:.1f}" '
                f'y="{top + plot_h - bar_h:.1f}" width="{slot * 0.6:.1f}" height="{bar_h:.1f}">'
                f"<title>{_e(when)}: {int(count):,} followers</title></rect>"
            )
        share = entry.get("share_questionable") or {}
        known = known_interval(share)
        if entry.get("scored") and known is not None:
            estimate, low, high = known
            y = top + plot_h * (1 - estimate)
            points.append(f"{cx:.1f},{y:.1f}")
            parts.append(
                f'<line class="whisker" x1="{cx:.1f}" y1="{top + plot_h * (1 - low):.1f}" '
                f'x2="{cx:.1f}" y2="{top + plot_h * (1 - high):.1f}"/>'
            )
            parts.append(
                f'<circle class="share" cx="{cx:.1f}" cy="{y:.1f}" r="4">'
                f"<title>{_e(when)}: {100 * estimate:.1f}% questionable "
                f"({100 * low:.1f}%-{100 * high:.1f}%)</title></circle>"
            )
        parts.append(f'<text x="{cx:.1f}" y="{height - 24}" text-anchor="middle">{_e(when)}</text>')
    if len(points) > 1:
        parts.append(f'<polyline class="share" points="{" ".join(points)}"/>')
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
        "stored scans, oldest left</text></svg>"
    )
    return "".join(parts)


def _over_time_section(entries: Sequence[Mapping[str, Any]]) -> str:
    out = ['<section id="over-time-section"><h2>Over time</h2>']
    if len(entries) < 2:
        out.append(
            '<p class="note">One scan stored so far: the chart over time begins with the '
            "account's next scan.</p></section>"
        )
        return "".join(out)
    out.append(_over_time_svg(entries))
    caption = (
        "Dots: the share of questionable followers at each scan, lines its 95% interval "
        "(left axis); bars: the followers the platform reported (right axis)."
    )
    out.append(f'<p class="caption">{_e(caption)}</p>')
    rows = []
    for entry in entries:
        new = entry.get("new_followers")
        known = known_interval(entry.get("new_share_questionable"))
        among = (
            f"{100 * known[0]:.1f}% ({100 * known[1]:.1f}%-{100 * known[2]:.1f}%)"
            if new and known is not None
            else "-"
        )
        rows.append(
            f"<tr><td>{_e(str(entry.get('observed_at') or '')[:16].replace('T', ' '))}</td>"
            f'<td class="num">{_e("-" if new is None else f"{int(new):,}")}</td>'
            f'<td class="num">{_e(among)}</td></tr>'
        )
    out.append(
        "<table><thead><tr><th>Scan (UTC)</th><th>New followers</th>"
        "<th>Questionable among the new</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )
    return "".join(out)


def _share_line(share: Mapping[str, Any] | None) -> str:
    known = known_interval(share)
    if share is None or known is None:
        return ""
    estimate, low, high = known
    method = f", {CORRECTED_NOTE}" if share.get("method") == CORRECTED else ", not corrected"
    line = (
        f'<p id="share" class="share">Questionable: <strong>{100 * estimate:.1f}%</strong> '
        f"of followers (95% interval {100 * low:.1f}%-{100 * high:.1f}%{_e(method)})</p>"
    )
    if share.get("note"):
        line += f'<p id="share-note" class="caption">{_e(share["note"])}</p>'
    return line


def _gates_section(gates: Sequence[Mapping[str, Any]]) -> str:
    if not gates:
        return ""
    out = ['<section id="gates"><h2>Checks</h2><table><tbody>']
    for g in gates:
        badge = (
            '<span class="badge ok">passed</span>'
            if g.get("passed")
            else '<span class="badge flagged">failed</span>'
        )
        out.append(
            f'<tr class="gate" data-gate="{_e(g.get("gate", ""))}"><td>{badge}</td>'
            f"<td><code>{_e(g.get('gate', ''))}</code></td>"
            f"<td>{_e(g.get('explanation', ''))}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _findings_section(findings: Sequence[Mapping[str, Any]], missing: str | None = None) -> str:
    out = ['<section id="behaviour"><h2>The account&#x27;s own behaviour</h2>']
    if not findings:
        note = missing or "No recent posts were analysed."
        out.append(f'<p class="note">{_e(note)}</p></section>')
        return "".join(out)
    out.append(
        "<table><thead><tr><th>Flag (for --fail-on)</th><th>Finding</th><th></th>"
        "<th>Threshold</th></tr></thead><tbody>"
    )
    for f in findings:
        badge = (
            '<span class="badge flagged">flagged</span>'
            if f.get("flagged")
            else '<span class="badge ok">ok</span>'
        )
        # The flag's name, as the terminal shows it: what --fail-on takes.
        out.append(
            f'<tr class="finding" data-code="{_e(f.get("code", ""))}">'
            f"<td><code>{_e(f.get('code', ''))}</code></td>"
            f"<td>{_e(f.get('sentence', ''))}</td><td>{badge}</td>"
            f"<td>{_e(f.get('threshold', ''))}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _followers_section(followers: Sequence[Mapping[str, Any]]) -> str:
    out = ['<section id="questionable-followers"><h2>Most questionable followers</h2>']
    if not followers:
        out.append('<p class="note">No follower was rated questionable.</p></section>')
        return "".join(out)
    out.append("<table><thead><tr><th>Follower</th><th>Score</th><th>Why</th></tr></thead><tbody>")
    for f in followers:
        reasons = "".join(f"<li>{_e(r)}</li>" for r in f.get("reasons") or [])
        # Written the platform's way, as everywhere: @name on X and Mastodon, bare on Bluesky.
        handle = str(f.get("handle", ""))
        out.append(
            f"<tr><td>{_e(handle)}</td>"
            f'<td class="num">{float(f.get("probability", 0.0)):.2f}</td>'
            f"<td><ul>{reasons}</ul></td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def render_html(report: Mapping[str, Any]) -> str:
    """Return the report as one self-contained HTML document (see the module docstring)."""
    title = str(report.get("title", "followaudit report"))
    details = "".join(f"<li>{_e(d)}</li>" for d in report.get("details") or [])
    histogram = report.get("histogram") or []
    threshold = report.get("threshold")
    hist_caption = "Followers by questionable score (0 = authentic, 1 = questionable)"
    if threshold is not None:
        hist_caption += f"; red bars are at or above the threshold {float(threshold):.2f}"
    generated = report.get("generated_at")
    footer = "Generated by followaudit" + (f" on {generated}" if generated else "") + "."
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Forbid every network fetch, so the file behaves the same offline.
        (
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; img-src data:\">"
        ),
        f"<title>{_e(title)} - followaudit</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f'<header><p class="title">{_e(title)}</p>',
        f'<h1 id="headline">{_e(report.get("headline", ""))}</h1>',
        _share_line(report.get("share")),
        f'<p id="since-last" class="share">{_e(report["since_last"])}</p>'
        if report.get("since_last")
        else "",
        f'<ul class="details">{details}</ul></header>' if details else "</header>",
        # The answer first (as in the terminal): what questionable means, the
        # account's own behaviour, the verdicts; then the charts and the list.
        f'<p id="meaning" class="note">{_e(report["meaning"])}</p>'
        if report.get("meaning")
        else "",
        f'<p id="inactive" class="note">{_e(report["inactive"])}</p>'
        if report.get("inactive")
        else "",
        _findings_section(report.get("findings") or [], report.get("behaviour_missing")),
        _gates_section(report.get("gates") or []),
        '<section id="scores"><h2>Score distribution</h2>',
        _histogram_svg([int(c) for c in histogram], threshold),
        f'<p class="caption">{_e(hist_caption)}</p></section>',
        _follow_order_section(report.get("follow_order") or {}),
        _over_time_section(report["history"]) if report.get("history") else "",
        _followers_section(report.get("questionable_followers") or []),
        f"<footer>{_e(footer)}</footer>",
        "</main></body></html>",
    ]
    return "\n".join(body) + "\n"
