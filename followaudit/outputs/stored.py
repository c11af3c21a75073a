"""Scans stored in the cache: each finished audit written, the latest read back and checked.

``store_audit`` writes an audit's JSON object under the account's key, so
``followaudit report`` can show it again with no request; ``stored_audit``
reads the latest one back. A stored scan is JSON in a file the user can edit
(or a disk can damage): ``followaudit report`` must not fail with a KeyError
half-way through printing it. ``damaged_part`` walks the audit against the
shape that the terminal report and the HTML report read, and names the first
part that is missing or of the wrong kind ("summary.share_questionable.estimate
is not a number"), so the sentence says what is damaged.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followaudit.errors import InputError
from followaudit.handles import Handle
from followaudit.live.audit import AccountOutcome
from followaudit.live.cache import Cache
from followaudit.outputs.documents import outcome_record, scan_document
from followaudit.outputs.tables import write_json

__all__ = ["damaged_part", "scan_key", "store_audit", "stored_audit"]


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
    stored = io.StringIO()
    write_json(scan_document([outcome_record(outcome)], []), stored)
    cache.put_scan(
        *scan_key(scan.subject.platform, scan.subject.handle),
        stored.getvalue(),
        scan.fetched_at.timestamp(),
        aliases=[scan_key(outcome.handle.platform, outcome.handle.account)],
    )


def stored_audit(path: Path, handle: Handle) -> dict[str, Any]:
    """Return the JSON audit of the latest scan of ``handle`` stored in the cache at ``path``.

    Raises InputError with a sentence when there is none or it cannot be read.
    """
    missing = InputError(
        f"no stored scan of {handle.display} in {path}: run "
        f"`followaudit scan {handle.display}` first"
    )
    if not path.exists():
        raise missing
    with Cache(path) as store:
        found = store.latest_scan(*scan_key(handle.platform, handle.account))
    if found is None:
        raise missing
    try:
        document = json.loads(found[0])["audits"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        document = None
    if not isinstance(document, dict):
        raise InputError(
            f"the stored scan of {handle.display} in {path} is unreadable (not "
            f"JSON, or no audit in it): run `followaudit scan {handle.display}` "
            "again"
        )
    # Read back from a file anyone can edit: name the damaged part rather than fail mid-report.
    problem = damaged_part(document)
    if problem:
        raise InputError(
            f"the stored scan of {handle.display} in {path} is damaged: {problem}; "
            f"run `followaudit scan {handle.display}` again"
        )
    return document


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
    },
    "scope_note": Optional(str),
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
                    "compared": Number,
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
