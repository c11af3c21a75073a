"""JUnit XML for agency CI: one test case per audited account.

GitHub (test-reporting actions), GitLab (``artifacts:reports:junit``) and
Jenkins (the JUnit plugin) all read the common shape written here:
``<testsuites>`` holding one ``<testsuite name="followaudit">`` whose
``<testcase>`` elements are the accounts. An account that failed its gate
gets a ``<failure>`` whose message and text hold the reasons; one that could
not be fetched gets an ``<error>``. The headline numbers of each account are
``<properties>``, and its summary line is ``<system-out>``. ElementTree does
the escaping, so handles and reasons may contain any character XML allows;
characters XML 1.0 forbids (control characters) are replaced.
"""

from __future__ import annotations

import io
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from followaudit.analysis.gates import SHARE_GATES, GateResult
from followaudit.analysis.summary import headline, round_followers

if TYPE_CHECKING:
    from followaudit.live.audit import AccountOutcome

SUITE_NAME = "followaudit"
# Characters XML 1.0 cannot carry at all, even escaped.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class AccountResult:
    """The outcome of one account's audit in a CI run."""

    name: str  # e.g. "@guru on x"
    passed: bool
    summary: str = ""  # the headline line shown for the account
    failures: tuple[str, ...] = ()  # why the gate failed, one reason each
    error: str | None = None  # why the account could not be audited (fetch failure)
    duration: float = 0.0  # seconds
    properties: Mapping[str, str | int | float] = field(default_factory=dict)


def account_case(outcome: AccountOutcome, fail_on: Sequence[str] = ()) -> AccountResult:
    """Return the test case of one account: failed gates carry the reasons, errors their sentence.

    The case is named by the handle as typed (``Handle.display``) whether it
    passed, failed or could not be audited, so CI keeps one history per account.
    ``fail_on`` lists the --fail-on flag codes whose findings explain a failure.
    """
    name = outcome.handle.display
    if outcome.audit is None:
        error = outcome.error.message if outcome.error is not None else "not audited"
        return AccountResult(name=name, passed=False, error=error, duration=outcome.duration)
    audit = outcome.audit
    summary = audit.summary
    share = summary.share_questionable
    failures: list[str] = []
    for gate in outcome.gates:
        if gate.passed:
            continue
        if gate.gate == "--fail-on" and audit.behaviour is not None:
            failures.extend(
                f"--fail-on: {f.code}: {f.sentence}"
                for f in audit.behaviour.findings
                if f.flagged and f.code in fail_on
            )
        else:
            failures.append(_gate_failure(gate))
    flagged = (audit.follow_order or {}).get("flagged") or []
    if failures:
        failures.extend(f"purchased batch? {sentence}" for sentence in flagged)
    # Nothing scored: no share and no estimate to write (the headline says so).
    shown = summary.scored > 0
    authentic = summary.authentic_followers
    text = (
        f"{headline(summary)}; questionable {share.estimate:.1%} "
        f"({share.low:.1%}-{share.high:.1%}, {summary.share_method})"
        if shown
        else headline(summary)
    )
    since = audit.since_last
    # Empty without an earlier scan of the account to compare with, or no new follower scored.
    new = {"new_followers": "", "new_share_questionable": ""}
    new |= {"new_share_questionable_low": "", "new_share_questionable_high": ""}
    if since is not None:
        new["new_followers"] = str(since.new_followers)
        text += f"; {since.new_followers:,} new since the last scan ({since.date})"
        if since.summary.scored:
            among = since.summary.share_questionable
            text += f", questionable {among.estimate:.1%} ({among.low:.1%}-{among.high:.1%})"
            new["new_share_questionable"] = f"{among.estimate:.4f}"
            new["new_share_questionable_low"] = f"{among.low:.4f}"
            new["new_share_questionable_high"] = f"{among.high:.4f}"
    return AccountResult(
        name=name,
        passed=not failures,
        duration=outcome.duration,
        summary=text,
        failures=tuple(failures),
        properties={
            "followers": str(summary.population),
            "scored": str(summary.scored),
            "share_questionable": f"{share.estimate:.4f}" if shown else "",
            "share_questionable_low": f"{share.low:.4f}" if shown else "",
            "share_questionable_high": f"{share.high:.4f}" if shown else "",
            "share_method": summary.share_method,
            "authentic_estimate": str(round_followers(authentic.estimate)) if shown else "",
            "authentic_low": str(round_followers(authentic.low)) if shown else "",
            "authentic_high": str(round_followers(authentic.high)) if shown else "",
            # Followers with no post in 12 months, or none ever ("" when not known at all).
            "inactive_followers": ""
            if summary.inactive is None
            else str(summary.inactive.accounts),
            **new,
        },
    )


def _gate_failure(gate: GateResult) -> str:
    """Return why a gate failed, its figures written for people ("36.2%", "12,000", never "1.2e+04")."""
    if gate.compared != gate.compared:  # NaN: nothing could be compared
        return f"{gate.gate}: {gate.compared_what}"

    def figure(value: float) -> str:
        return f"{100 * value:.1f}%" if gate.gate in SHARE_GATES else f"{value:,.0f}"

    return (
        f"{gate.gate}: {gate.compared_what} is {figure(gate.compared)}, limit {figure(gate.limit)}"
    )


def _clean(text: str) -> str:
    return _ILLEGAL_XML.sub("\ufffd", text)


def build_junit(
    results: Sequence[AccountResult], *, timestamp: datetime | None = None
) -> ET.ElementTree:
    """Return the JUnit XML tree for ``results`` (see the module docstring)."""
    failures = sum(1 for r in results if r.error is None and not r.passed)
    errors = sum(1 for r in results if r.error is not None)
    total_time = sum(r.duration for r in results)
    counts = {
        "tests": str(len(results)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
        "time": f"{total_time:.3f}",
    }
    root = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": SUITE_NAME,
            **counts,
            "timestamp": (timestamp or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S"),
            "hostname": _clean(socket.gethostname()),
        },
    )
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "name": _clean(result.name),
                "classname": SUITE_NAME,
                "time": f"{result.duration:.3f}",
            },
        )
        if result.properties:
            props = ET.SubElement(case, "properties")
            for key, value in result.properties.items():
                ET.SubElement(props, "property", {"name": _clean(key), "value": _clean(str(value))})
        if result.error is not None:
            error = ET.SubElement(
                case, "error", {"message": _clean(result.error), "type": "FetchError"}
            )
            error.text = _clean(result.error)
        elif not result.passed:
            reasons = list(result.failures) or ["the account did not pass the gate"]
            failure = ET.SubElement(
                case, "failure", {"message": _clean("; ".join(reasons)), "type": "GateFailed"}
            )
            failure.text = _clean("\n".join(f"- {reason}" for reason in reasons))
        if result.summary:
            ET.SubElement(case, "system-out").text = _clean(result.summary)
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(
    results: Sequence[AccountResult],
    destination: str | Path | IO[bytes] | IO[str],
    *,
    timestamp: datetime | None = None,
) -> None:
    """Write the JUnit XML for ``results`` (UTF-8) to a path or an open stream."""
    tree = build_junit(results, timestamp=timestamp)
    if isinstance(destination, str | Path):
        tree.write(destination, encoding="utf-8", xml_declaration=True)
        return
    if isinstance(destination, io.TextIOBase):
        tree.write(destination, encoding="unicode", xml_declaration=True)
    else:
        tree.write(destination, encoding="utf-8", xml_declaration=True)
