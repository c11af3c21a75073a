"""Scans stored in the cache: each finished audit written, read back and checked.

``store_audit`` writes an audit's JSON object under the account's key, so
``followaudit report`` can show it again with no request; ``stored_audit``
reads the latest one back, ``stored_history`` every one kept, and
``previous_scan`` the latest as the next rescan re-uses it (its scored
followers and the ids it listed). A stored scan is JSON in a file the user can edit
(or a disk can damage): ``followaudit report`` must not fail with a KeyError
half-way through printing it. ``damaged_part`` walks the audit against the
shape that the terminal report and the HTML report read, and names the first
part that is missing or of the wrong kind ("summary.share_questionable.estimate
is not a number"), so the sentence says what is damaged.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from followaudit.accounts import Skipped
from followaudit.errors import InputError
from followaudit.handles import Handle
from followaudit.live.audit import AccountOutcome
from followaudit.live.cache import Cache, StoredScan
from followaudit.live.rescan import PreviousScan
from followaudit.outputs.documents import outcome_record, scan_document
from followaudit.outputs.tables import CSV_COLUMNS, TIME_COLUMNS, json_text

__all__ = [
    "damaged_part",
    "previous_scan",
    "scan_key",
    "store_audit",
    "stored_audit",
    "stored_history",
]


def scan_key(platform: str, handle: str) -> tuple[str, str]:
    """Return the (platform, handle) key a scan is stored under in the cache.

    Handles are case-insensitive on every platform, so the key is lower case:
    ``followaudit report @Guru`` finds the scan of ``@guru``.
    """
    return platform, handle.lower()


def store_audit(cache: Cache, outcome: AccountOutcome) -> None:
    """Store a finished audit in ``cache`` for ``followaudit report`` (an error: nothing to do).

    Under the handle the platform gives, with the one typed (a DID, say) as
    an alias, so the report finds it either way.
    """
    if outcome.audit is None:
        return
    scan = outcome.audit.scan
    record = outcome_record(outcome)
    # The scored followers apart: only the latest scan of an account keeps them.
    summary = {key: value for key, value in record.items() if key != "accounts"}
    cache.put_scan(
        *scan_key(scan.subject.platform, scan.subject.handle),
        json_text(scan_document([summary], [])),
        scan.fetched_at.timestamp(),
        aliases=[scan_key(outcome.handle.platform, outcome.handle.account)],
        rows_json=json_text(record["accounts"]),
        listed_json=json_text(scan.listed_ids),
    )


def _no_scan(path: Path, handle: Handle) -> InputError:
    return InputError(
        f"no stored scan of {handle.display} in {path}: run "
        f"`followaudit scan {handle.display}` first"
    )


def _audit_of(found: StoredScan) -> dict[str, Any] | None:
    """Return a stored scan's JSON audit, its scored followers put back (None: unreadable)."""
    try:
        document = json.loads(found.result_json)["audits"][0]
        if isinstance(document, dict) and found.rows_json is not None:
            document["accounts"] = json.loads(found.rows_json)
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return document if isinstance(document, dict) else None


def _checked(found: StoredScan, path: Path, handle: Handle, which: str) -> dict[str, Any]:
    """Return a stored scan's JSON audit; InputError naming what is unreadable or damaged."""
    document = _audit_of(found)
    if document is None:
        raise InputError(
            f"the stored scan of {handle.display}{which} in {path} is unreadable (not "
            f"JSON, or no audit in it): run `followaudit scan {handle.display}` "
            "again"
        )
    # Read back from a file anyone can edit: name the damaged part rather than fail mid-report.
    problem = damaged_part(document)
    if problem:
        raise InputError(
            f"the stored scan of {handle.display}{which} in {path} is damaged: {problem}; "
            f"run `followaudit scan {handle.display}` again"
        )
    return document


def stored_audit(path: Path, handle: Handle) -> dict[str, Any]:
    """Return the JSON audit of the latest scan of ``handle`` stored in the cache at ``path``.

    Raises InputError with a sentence when there is none or it cannot be read.
    """
    if not path.exists():
        raise _no_scan(path, handle)
    with Cache(path) as store:
        found = store.latest_stored(*scan_key(handle.platform, handle.account))
    if found is None:
        raise _no_scan(path, handle)
    return _checked(found, path, handle, "")


def stored_history(path: Path, handle: Handle) -> list[dict[str, Any]]:
    """Return every stored scan of ``handle`` (oldest first) as JSON audits, without their
    scored followers (a history needs the summaries alone, however many followers).

    Raises InputError with a sentence when there is none, or one cannot be
    read (naming its date).
    """
    if not path.exists():
        raise _no_scan(path, handle)
    with Cache(path) as store:
        found = store.scan_history(*scan_key(handle.platform, handle.account), followers=False)
    if not found:
        raise _no_scan(path, handle)
    documents = []
    for scan in found:
        when = datetime.fromtimestamp(scan.finished_at, UTC).strftime(" of %Y-%m-%d %H:%M UTC")
        documents.append(_checked(scan, path, handle, when))
    return documents


def previous_scan(cache: Cache, platform: str, handle: str) -> PreviousScan | str | None:
    """Return the latest stored scan of an account as a rescan re-uses it.

    None when there is none; a sentence saying why when it cannot be read
    back whole (damaged, edited): the scan then lists every follower, as a
    first scan does.
    """
    found = cache.latest_stored(*scan_key(platform, handle))
    if found is None:
        return None
    unusable = "its stored scan cannot be read back ({}), so every follower is listed again"
    document = _audit_of(found)
    if document is None:
        return unusable.format("not JSON, or no audit in it")
    problem = damaged_part(document)
    if problem is not None:
        return unusable.format(problem)
    try:
        listed = json.loads(found.listed_json) if found.listed_json is not None else None
        rows = rows_from_records(document.get("accounts") or [])
    except (ValueError, TypeError, KeyError):
        return unusable.format("its scored followers are damaged")
    if listed is not None and not (
        isinstance(listed, list) and all(isinstance(i, str) for i in listed)
    ):
        return unusable.format("its list of followers is damaged")
    followers = document["followers"]
    skipped = tuple(
        Skipped(int(s["line"]), str(s["reason"])) for s in document.get("skipped") or []
    )
    return PreviousScan(
        finished_at=datetime.fromtimestamp(found.finished_at, UTC),
        followers_total=followers.get("total"),
        listed=int(followers["listed"]),
        ids=tuple(listed) if listed is not None else None,
        rows=rows,
        skipped=skipped,
        sampled=bool(followers.get("sampled")),
        truncated=bool(followers.get("truncated")),
        paging_stopped=bool(followers.get("paging_stopped")),
    )


# The columns of a stored follower that hold text; the others are numbers (NaN: unknown).
_TEXT = ("platform", "handle", "id", "label")


def rows_from_records(accounts: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return stored scored followers (the JSON ``accounts``) as scored rows, scores and all.

    The columns of ``outputs.tables.CSV_COLUMNS``, typed as ``score_table``
    gives them: ``line`` whole, ``created_at`` UTC, ``reasons`` joined with
    "; ", unknown numbers NaN.
    """
    frame = pd.DataFrame.from_records(list(accounts), columns=list(CSV_COLUMNS))
    frame["reasons"] = ["; ".join(r) if isinstance(r, list) else "" for r in frame["reasons"]]
    for name in TIME_COLUMNS:
        frame[name] = pd.to_datetime(frame[name], utc=True, errors="coerce")
    for name in CSV_COLUMNS:
        if name in _TEXT:
            frame[name] = frame[name].map(lambda v: "" if v is None else str(v)).astype(object)
        elif name not in ("reasons", *TIME_COLUMNS):
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    # Whole numbers; a scan stored before `record` existed numbers no record (0).
    frame["line"] = frame["line"].astype("int64")
    frame["record"] = frame["record"].fillna(0).astype("int64")
    return frame


@dataclass(frozen=True)
class Optional:
    """A part that may be absent or null."""

    spec: Any


@dataclass(frozen=True)
class Exactly:
    """An object with exactly these keys (it is rebuilt as a dataclass from them)."""

    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Nullable:
    """A part that must be there but may be null (an unknown value)."""

    spec: Any


class Number:
    """A finite int or float, not a bool."""


# A share's interval may be unknown (null); the authentic-follower count's is printed as
# whole numbers, so it must be there.
Interval = {"estimate": Nullable(Number), "low": Nullable(Number), "high": Nullable(Number)}
MaybeInterval = {"estimate": Optional(Number), "low": Optional(Number), "high": Optional(Number)}
Count = {"estimate": Number, "low": Number, "high": Number}

# What render.scan_report and html_report.report_data read from an audit.
AUDIT: dict[str, Any] = {
    "handle": str,
    "platform": str,
    "headline": str,
    "followers": {"listed": int, "scored": int, "total": Optional(int), "sampled": Optional(bool)},
    "summary": {
        "scored": int,
        "skipped": int,
        "questionable": int,
        "threshold": Number,
        "population": int,
        "share_questionable": Interval,
        "authentic_followers": Count,
        "histogram": Optional([int]),
        "share_method": Optional(str),
        "flagged_share": Optional(MaybeInterval),
        "counting_cut": Optional(Number),
        "counted": Optional(int),
        "quiet": Optional(int),
        "share_note": Optional(str),
        "inactive": Optional(
            {"accounts": int, "never_posted": int, "known": int, "questionable": int, "months": int}
        ),
    },
    "scope_note": Optional(str),
    "since_last": Optional(
        {
            "previous_scan_at": str,
            "new_followers": int,
            "departed_estimate": Optional(int),
            "share_questionable": Interval,
        }
    ),
    "behaviour": Optional(
        {
            "metrics": Optional({"posts": Optional(int)}),
            "findings": Optional(
                [{"flagged": bool, "code": str, "sentence": str, "threshold": object}]
            ),
        }
    ),
    "deep": Optional({"sentence": str}),
    "behaviour_missing": Optional(str),
    "missing": Optional([str]),
    "gates": Optional(
        [
            Exactly(
                {
                    "gate": str,
                    "passed": bool,
                    "limit": Number,
                    # null when nothing could be compared (a gate passed or failed with a note)
                    "compared": Nullable(Number),
                    "compared_what": str,
                    "judged": Optional(bool),
                }
            )
        ]
    ),
    "follow_order": Optional(
        {
            "known": Optional(bool),
            "note": Optional(str),
            "buckets": Optional(
                [
                    {
                        "first": int,
                        "last": int,
                        "share": Number,
                        "low": Optional(Number),
                        "high": Optional(Number),
                        "flagged": bool,
                    }
                ]
            ),
        }
    ),
    "accounts": Optional(
        [
            {
                "line": Optional(int),
                "record": Optional(int),
                "handle": Optional(str),
                "id": Optional(str),
                "probability": Optional(Number),
                "label": Optional(str),
                "reasons": Optional([str]),
            }
        ]
    ),
    "skipped": Optional([{"line": int, "record": Optional(int), "reason": str}]),
    "requests": Optional(
        {
            "made": Optional(int),
            "from_cache": Optional(int),
            "waited_seconds": Optional(Number),
            "dollars": Optional(Number),
        }
    ),
    "observed_at": Optional(str),
}

_KIND = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    dict: "an object",
    object: "present",
}


def damaged_part(audit: Any) -> str | None:
    """Return what is wrong with a stored audit ("summary.scored is missing"), or None if sound."""
    return _check(audit, AUDIT, "the audit")


def _check(value: Any, spec: Any, where: str) -> str | None:
    if isinstance(spec, Optional | Nullable):
        return None if value is None else _check(value, spec.spec, where)
    if spec is Number:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{where} is not a number"
        if isinstance(value, float) and math.isinf(value):
            return f"{where} is not a finite number"
        return None
    if spec is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{where} is not {_KIND[int]}"
        return None
    if isinstance(spec, type):
        return None if isinstance(value, spec) else f"{where} is not {_KIND.get(spec, spec)}"
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{where} is not a list"
        for i, item in enumerate(value):
            problem = _check(item, spec[0], f"{where}[{i}]")
            if problem:
                return problem
        return None
    fields = spec.fields if isinstance(spec, Exactly) else spec
    if not isinstance(value, dict):
        return f"{where} is not an object"
    for name, part in fields.items():
        inner = name if where == "the audit" else f"{where}.{name}"
        if name not in value:
            if isinstance(part, Optional):
                continue
            return f"{inner} is missing"
        problem = _check(value[name], part, inner)
        if problem:
            return problem
    if isinstance(spec, Exactly):
        extra = sorted(set(value) - set(fields))
        if extra:
            return f"{where} has an unknown field {extra[0]!r}"
    return None
