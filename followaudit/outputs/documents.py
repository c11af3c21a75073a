"""The JSON documents followaudit writes: ``score --json``, ``scan --json`` and stored scans.

Every field documented in docs/outputs.md ("JSON") is built here,
so the terminal report, the HTML report, ``followaudit report`` and the
exports all read one shape. Schema names change only when a field changes
meaning or disappears.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import pandas as pd

from followaudit import __version__
from followaudit.analysis.gates import GateResult
from followaudit.analysis.summary import Summary, headline
from followaudit.errors import FollowauditError
from followaudit.live.audit import DEEP_COLUMNS, AccountOutcome
from followaudit.outputs.tables import NEW_COLUMN, accounts_records

if TYPE_CHECKING:
    from followaudit.accounts import Skipped
    from followaudit.analysis.behaviour import Behaviour
    from followaudit.live.audit import Audit
    from followaudit.model.forest import Model

SCAN_JSON_SCHEMA = "followaudit.scan/1"
SCORE_JSON_SCHEMA = "followaudit.score/1"
HISTORY_JSON_SCHEMA = "followaudit.history/1"


def _tool() -> dict[str, str]:
    return {"name": "followaudit", "version": __version__}


def _skipped(skipped: Sequence[Skipped]) -> list[dict[str, Any]]:
    return [{"line": s.line, "record": s.record, "reason": s.reason} for s in skipped]


def score_document(
    *,
    path: str,
    format: str,
    as_of: datetime,
    model: Model,
    summary: Summary,
    gates: Sequence[GateResult],
    skipped: Sequence[Skipped],
    warnings: Sequence[str],
    rows: pd.DataFrame | None,
    duplicates: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the ``score --json`` document (schema followaudit.score/1).

    With ``rows`` None the "accounts" key is left out, for
    ``export.write_json_streamed`` to write them after the rest.
    ``duplicates`` (``Duplicates.to_dict()``) says how many rows repeated an
    account already read: ``summary.duplicates`` holds the count, and
    ``input.duplicates`` the details.
    """
    repeats = dict(duplicates or {"rows": 0, "accounts": 0, "examples": []})
    document = {
        "schema": SCORE_JSON_SCHEMA,
        "tool": _tool(),
        "input": {
            "path": path,
            "format": format,
            "as_of": as_of.isoformat(),
            "duplicates": repeats,
        },
        "model": {"threshold": model.threshold, "metadata": model.metadata},
        "summary": summary.to_dict() | {"duplicates": repeats["rows"]},
        "gates": [g.to_dict() for g in gates],
        "passed": all(g.passed for g in gates),
        "skipped": _skipped(skipped),
        "warnings": list(warnings),
    }
    if rows is not None:
        document["accounts"] = accounts_records(rows)
    return document


def behaviour_document(behaviour: Behaviour | None) -> dict[str, Any] | None:
    """Return the "behaviour" object of the JSON audit: metrics, findings and flags."""
    if behaviour is None:
        return None
    metrics = asdict(behaviour)
    findings = metrics.pop("findings")
    return {"metrics": metrics, "findings": findings, "flags": behaviour.flags}


def audit_document(audit: Audit, gates: Sequence[GateResult]) -> dict[str, Any]:
    """Return one audit as the JSON object documented in docs/outputs.md (schema followaudit.scan/1)."""
    scan = audit.scan
    subject = scan.subject
    return {
        "handle": audit.handle,
        "platform": subject.platform,
        "subject": {
            "id": subject.id,
            "display_name": subject.display_name,
            "profile_url": subject.profile_url,
            "website": subject.website,
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
            "paging_stopped": scan.paging_stopped,
            "duplicates": scan.duplicates,
            "scored": audit.summary.scored,
            "skipped": audit.summary.skipped,
        },
        "scope_note": audit.scope_note,
        "headline": headline(audit.summary),
        # The followers new since the account's last stored scan (null: there was none).
        "since_last": audit.since_last.to_dict() if audit.since_last is not None else None,
        "follow_order": audit.follow_order,
        "behaviour": behaviour_document(audit.behaviour),
        # Why the behaviour findings are missing (null when they are there, or were not asked).
        "behaviour_missing": audit.behaviour_missing,
        "posts_error": _error_object(audit.posts_error),
        # Parts of the audit that could not be made, one sentence each.
        "missing": list(audit.missing),
        "deep": audit.deep,
        "requests": {
            "made": scan.stats.made,
            "from_cache": scan.stats.cached,
            "retries": scan.stats.retries,
            "waited_seconds": round(scan.stats.waited_seconds, 1),
            "dollars": round(scan.stats.spent, 4),
        },
        "model": {"threshold": audit.summary.threshold},
        "summary": audit.summary.to_dict(),
        "gates": [g.to_dict() for g in gates],
        "passed": all(g.passed for g in gates),
        "skipped": _skipped(audit.skipped),
        "accounts": _with_new(
            _with_deep_columns(accounts_records(audit.rows), audit.rows), audit.rows
        ),
    }


def _with_new(records: list[dict[str, Any]], rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the account records with ``new`` (true: new since the last scan) when known."""
    if NEW_COLUMN not in rows.columns:
        return records
    for record, value in zip(records, rows[NEW_COLUMN].tolist(), strict=True):
        record[NEW_COLUMN] = bool(value)
    return records


def _with_deep_columns(records: list[dict[str, Any]], rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the account records with the --deep columns added (null where not checked)."""
    if DEEP_COLUMNS[0] not in rows.columns:
        return records
    for record, values in zip(
        records, rows.loc[:, list(DEEP_COLUMNS)].itertuples(index=False), strict=True
    ):
        for name, value in zip(DEEP_COLUMNS, values, strict=True):
            record[name] = None if pd.isna(value) else round(float(value), 4)
    return records


def _error_object(error: FollowauditError | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {
        "error": error.message,
        "exit_code": int(error.exit_code),
        "exit_name": error.exit_code.name,
    }


def error_record(
    handle: str, error: FollowauditError, platform: str | None = None
) -> dict[str, Any]:
    """Return the JSON row of an account that could not be audited (``errors`` of scan/1)."""
    return {
        "handle": handle,
        "platform": platform,
        "error": error.message,
        "exit_code": int(error.exit_code),
        "exit_name": error.exit_code.name,
    }


def scan_document(
    audits: Sequence[Mapping[str, Any]], errors: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Return the whole --json document of a scan run."""
    return {
        "schema": SCAN_JSON_SCHEMA,
        "tool": _tool(),
        "audits": list(audits),
        "errors": list(errors),
    }


# Each outcome's JSON object, built once however many outputs show it (the report,
# --json, --summary-csv, the stored scan): it holds every scored follower.
_RECORDS: WeakKeyDictionary[AccountOutcome, dict[str, Any]] = WeakKeyDictionary()


def outcome_record(outcome: AccountOutcome) -> dict[str, Any]:
    """Return an account's JSON object: its audit (``audit_document``) or its error row."""
    record = _RECORDS.get(outcome)
    if record is None:
        if outcome.audit is not None:
            record = audit_document(outcome.audit, outcome.gates)
        else:
            assert outcome.error is not None
            record = error_record(outcome.handle.display, outcome.error, outcome.handle.platform)
        _RECORDS[outcome] = record
    return record


def run_document(outcomes: Sequence[AccountOutcome]) -> dict[str, Any]:
    """Return the ``scan --json`` document of a run's outcomes."""
    return scan_document(
        [outcome_record(o) for o in outcomes if o.audit is not None],
        [outcome_record(o) for o in outcomes if o.error is not None],
    )


def named_records(outcomes: Sequence[AccountOutcome]) -> list[dict[str, Any]]:
    """Return every outcome's JSON object with ``handle`` as it was typed (a DID stays a DID).

    What the summary table and --summary-csv show, like the JUnit case and
    the CSV's ``audited`` column of the same account.
    """
    return [{**outcome_record(o), "handle": o.handle.display} for o in outcomes]


def history_entry(audit: Mapping[str, Any]) -> dict[str, Any]:
    """Return one stored scan as a line of ``followaudit history`` (a JSON audit in)."""
    followers = audit.get("followers") or {}
    summary = audit["summary"]
    since = audit.get("since_last") or {}
    return {
        "observed_at": audit.get("observed_at"),
        "followers": followers.get("total"),
        "listed": followers.get("listed"),
        "scored": summary["scored"],
        "share_questionable": summary["share_questionable"],
        "share_method": summary.get("share_method") or "raw",
        "authentic_followers": summary["authentic_followers"],
        "headline": audit.get("headline"),
        "previous_scan_at": since.get("previous_scan_at"),
        "new_followers": since.get("new_followers"),
        "departed_estimate": since.get("departed_estimate"),
        "new_share_questionable": since.get("share_questionable"),
        "listing": since.get("listing"),
    }


def history_document(
    handle: str, platform: str, entries: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Return the ``history --json`` document: every stored scan of one account, oldest first."""
    return {
        "schema": HISTORY_JSON_SCHEMA,
        "tool": _tool(),
        "handle": handle,
        "platform": platform,
        "scans": [dict(e) for e in entries],
    }
