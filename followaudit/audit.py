"""Turn a live scan into an audit: validated, scored, summarised, serialisable."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pandas as pd

from followaudit import __version__
from followaudit.accounts import Skipped, validate
from followaudit.batches import NO_ORDER, TEST_DESCRIPTION, describe, follow_order_buckets
from followaudit.export import accounts_records
from followaudit.model import Model
from followaudit.report import GateResult, Summary, headline, summarize
from followaudit.scan import ScanResult
from followaudit.scoring import score_table

SCAN_JSON_SCHEMA = "followaudit.scan/1"


@dataclass
class Audit:
    """One audited account: what was fetched, how it scored, and what that says."""

    scan: ScanResult
    rows: pd.DataFrame
    skipped: list[Skipped]
    summary: Summary
    observed_at: datetime
    # A sentence when the estimate cannot speak for the whole follower base.
    scope_note: str | None = None
    follow_order: dict[str, Any] | None = None

    @property
    def handle(self) -> str:
        """Return the audited handle as users write it."""
        s = self.scan.subject
        return s.handle if s.platform == "bluesky" else f"@{s.handle}"


def audit_scan(scan: ScanResult, model: Model, observed_at: datetime) -> Audit:
    """Return the audit of a finished scan, scored at the time it was fetched.

    The estimate speaks for the platform's whole follower count when the list
    was read to the end (the scored accounts are then every follower or a
    uniform sample of them). When --max-followers stopped the listing early,
    the scored accounts are the newest followers, not a sample of all, so the
    estimate speaks only for the followers listed.
    """
    table, invalid = validate(scan.table, observed_at)
    skipped = sorted([*scan.skipped, *invalid], key=lambda s: s.line)
    rows = score_table(table, model, observed_at)
    note = None
    if scan.truncated:
        population = scan.listed
        note = (
            f"Listing stopped at --max-followers {scan.listed:,}: the estimate covers the "
            f"{scan.listed:,} newest followers, not all of them."
        )
    elif scan.followers_total is not None and scan.followers_total >= scan.listed:
        population = scan.followers_total
    else:
        population = scan.listed
    summary = summarize(rows, skipped, model.threshold, population=population)
    return Audit(scan, rows, skipped, summary, observed_at, note, follow_order(scan, rows))


def follow_order(scan: ScanResult, rows: pd.DataFrame) -> dict[str, Any]:
    """Return the questionable share by follow-order tenth, flagged buckets first-class.

    Buckets are cut from the scored followers in list order; their ``first``
    and ``last`` are positions in the platform's follower list (1 = newest),
    so a sampled scan still points at the right part of the list.
    """
    if not scan.subject.order_known:
        return {"known": False, "note": NO_ORDER, "buckets": [], "flagged": []}
    buckets = follow_order_buckets((rows["label"] == "questionable").to_numpy())
    lines = rows["line"].to_numpy()
    shaped = []
    flagged = []
    for b in buckets:
        first, last = int(lines[b.first - 1]), int(lines[b.last - 1])
        shaped.append(
            {
                "first": first,
                "last": last,
                "n": b.n,
                "questionable": b.questionable,
                "share": b.share.estimate,
                "low": b.share.low,
                "high": b.share.high,
                "rest_share": b.rest_share,
                "p_value": b.p_value,
                "flagged": b.flagged,
            }
        )
        if b.flagged:
            flagged.append(describe(replace(b, first=first, last=last)))
    return {"known": True, "test": TEST_DESCRIPTION, "buckets": shaped, "flagged": flagged}


def audit_document(audit: Audit, gates: list[GateResult], model: Model) -> dict[str, Any]:
    """Return one audit as the JSON object documented in the README (schema followaudit.scan/1)."""
    scan = audit.scan
    subject = scan.subject
    return {
        "handle": audit.handle,
        "platform": subject.platform,
        "subject": {
            "id": subject.id,
            "display_name": subject.display_name,
            "profile_url": subject.profile_url,
            "followers_count": subject.followers_count,
            "follow_order_known": subject.order_known,
        },
        "observed_at": audit.observed_at.isoformat(),
        "followers": {
            "total": scan.followers_total,
            "listed": scan.listed,
            "sampled": scan.sample is not None and scan.sample < scan.listed,
            "sample_size": scan.sample,
            "seed": scan.seed,
            "truncated": scan.truncated,
            "scored": audit.summary.scored,
            "skipped": audit.summary.skipped,
        },
        "scope_note": audit.scope_note,
        "headline": headline(audit.summary),
        "follow_order": audit.follow_order,
        "requests": {
            "made": scan.stats.made,
            "from_cache": scan.stats.cached,
            "retries": scan.stats.retries,
            "waited_seconds": round(scan.stats.waited_seconds, 1),
        },
        "model": {"threshold": model.threshold},
        "summary": audit.summary.to_dict(),
        "gates": [g.to_dict() for g in gates],
        "passed": all(g.passed for g in gates),
        "skipped": [{"line": s.line, "reason": s.reason} for s in audit.skipped],
        "accounts": accounts_records(audit.rows),
    }


def scan_document(audits: list[dict[str, Any]], errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the whole --json document of a scan run."""
    return {
        "schema": SCAN_JSON_SCHEMA,
        "tool": {"name": "followaudit", "version": __version__},
        "audits": audits,
        "errors": errors,
    }
