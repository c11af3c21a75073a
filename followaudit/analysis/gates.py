"""The gates of a CI run, in one place: --fail-above, --min-authentic, --fail-on, --fail-new-above.

Each gate gives a ``GateResult`` that says what was compared with what, so
every report (terminal, HTML, JSON, JUnit, summary CSV) writes the same
verdict. The share gates compare the bound of the 95% interval that the
data must clear, never the estimate, so a small sample cannot fail an
account by chance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from followaudit.analysis.behaviour import Behaviour
from followaudit.analysis.changes import SinceLast
from followaudit.analysis.summary import (
    CORRECTED,
    CORRECTED_NOTE,
    Summary,
    round_followers,
    round_share,
)

NOTHING_SCORED = "no follower could be scored, so nothing shows the account passes"
# How --fail-on says what it found; ``GateResult.verdict`` reads the raised flags back.
RAISED = "its own posts raise "
CHECKED = " (flags checked: "
RAISED_NONE = "its own posts raise none of the flags checked ("

_CORRECTED_SUFFIX = f" ({CORRECTED_NOTE})"
# Fewer new followers scored than this are too few to judge a purchase on: the gate passes.
NEW_FOLLOWERS_TO_JUDGE = 10
# The gates that compare a share (0..1), written as percentages.
SHARE_GATES = ("--fail-above", "--fail-new-above")


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate (--fail-above, --min-authentic, --fail-on)."""

    gate: str  # the option, e.g. "--fail-above"
    passed: bool
    limit: float  # --fail-above: a share 0..1; --min-authentic: a follower count
    compared: float  # the value compared with the limit
    compared_what: str
    # False when the data the gate needs could not be read (then it did not pass either).
    judged: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return the gate outcome as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateResult:
        """Return a gate outcome from its JSON form, where nothing compared is null, not NaN."""
        fields = dict(data)
        if fields.get("compared") is None:
            fields["compared"] = float("nan")
        return cls(**fields)

    def explanation(self) -> str:
        """Return what was compared with what, in words (the terminal and HTML verdicts say it).

        The comparison first, as the verdict reads it ("lower bound 29.3% <=
        30%"), then which figure that is: a bound of the interval the report
        shows just above (corrected or not, as it says there), not the estimate.
        """
        if self.compared != self.compared:  # NaN: nothing was compared
            return self.compared_what
        if self.gate == "--fail-on":
            if self.compared_what.startswith("behaviour flags raised among") and self.passed:
                return self.compared_what + ": none"  # a scan stored by an earlier version
            return self.compared_what
        if self.gate in SHARE_GATES:
            # --fail-new-above says whose share it is: the followers new since the last scan.
            whose = self.compared_what.partition(" among ")[2].replace(_CORRECTED_SUFFIX, "")
            whose = whose.replace(" (uncorrected count)", "")
            return (
                f"{self.comparison()}"
                + (f" among {whose}" if whose else "")
                + "; the 95% interval's lower bound is compared, not the estimate"
            )
        if self.gate == "--min-authentic":
            return (
                f"{self.comparison()}; the 95% interval's upper bound is compared, not the estimate"
            )
        return self.compared_what

    def comparison(self) -> str:
        """Return the comparison the verdict rests on: "lower bound 29.3% <= 30%"."""
        if self.gate in SHARE_GATES:
            sign = "<=" if self.passed else ">"
            return f"lower bound {100 * self.compared:.1f}% {sign} {limit_text(self.limit)}"
        if self.gate == "--min-authentic":
            sign = ">=" if self.passed else "<"
            return f"upper bound {self.compared:,.0f} {sign} {self.limit:,.0f}"
        if self.gate == "--fail-on":
            if self.passed:
                return "no flag raised"
            if self.compared_what.startswith(RAISED):
                return self.compared_what[len(RAISED) :].split(CHECKED, 1)[0] + " raised"
            return f"{self.compared:,.0f} flag{'s' if self.compared != 1 else ''} raised"
        return self.compared_what

    @property
    def outcome(self) -> str:
        """Return "pass", "fail" or "not judged" (the data the gate needs could not be read)."""
        return "pass" if self.passed else "fail" if self.judged else "not judged"

    def verdict(self) -> str:
        """Return the verdict in a few words, for a table: "pass: lower bound 29.3% <= 30%"."""
        if self.compared != self.compared:  # NaN: nothing was compared; the sentence says why
            return {
                "pass": "pass: nothing to judge",
                "fail": "FAIL: nothing scored",
                "not judged": "not judged",
            }[self.outcome]
        return f"{'pass' if self.passed else 'FAIL'}: {self.comparison()}"


def run_outcome(gates: Sequence[GateResult]) -> str:
    """Return the outcome of an audit's gates together: a failure outranks one not judged."""
    outcomes = {gate.outcome for gate in gates}
    return "fail" if "fail" in outcomes else "not judged" if "not judged" in outcomes else "pass"


def audit_outcome(row: Mapping[str, Any]) -> str:
    """Return an audit document's outcome from its ``passed`` and ``gates`` (their JSON form)."""
    if row.get("passed", True):
        return "pass"
    outcome = run_outcome([GateResult.from_dict(g) for g in row.get("gates") or []])
    return "fail" if outcome == "pass" else outcome  # not passed, whatever its gates say


# How each outcome is shown on a terminal.
OUTCOME_STYLES = {"pass": "bold green", "fail": "bold red", "not judged": "bold yellow"}


def limit_text(share: float) -> str:
    """Return a --fail-above limit (a share 0..1) as the user wrote it: "30%", "12.5%"."""
    return f"{round(100 * share, 6):g}%"


def fail_above(summary: Summary, limit_percent: float) -> GateResult:
    """Return whether the share questionable is above ``limit_percent`` with 95% confidence.

    The lower bound of the 95% interval is compared, not the estimate: an
    account fails only when the data show its share is above the limit, so a
    small sample cannot fail an account by chance. On a full follower list the
    interval is narrow and the bound is close to the estimate.
    """
    limit = limit_percent / 100.0
    if summary.scored == 0:
        # Nothing scored shows nothing: a CI gate must not pass on no evidence.
        return GateResult(
            gate="--fail-above",
            passed=False,
            limit=limit,
            compared=float("nan"),
            compared_what=NOTHING_SCORED,
        )
    return _share_gate(
        "--fail-above",
        summary,
        limit,
        "lower bound of the 95% interval of the share questionable" + _method_note(summary),
    )


def _share_gate(gate: str, summary: Summary, limit: float, what: str) -> GateResult:
    """Return a share gate's verdict: the lower bound of the share questionable against ``limit``."""
    # The bound as every report writes it (39.2%), so a verdict never contradicts its figure.
    low = round_share(summary.share_questionable.low)
    return GateResult(
        gate=gate, passed=not low > limit, limit=limit, compared=low, compared_what=what
    )


def min_authentic(summary: Summary, minimum: int) -> GateResult:
    """Return whether the account has at least ``minimum`` authentic followers, as far as the data show.

    The upper bound of the 95% interval of authentic followers is compared,
    for the same reason --fail-above compares the lower bound of the share
    questionable: an account fails only when the data show it falls short.
    """
    if summary.scored == 0:
        # No followers at all is 0 authentic; followers none of which could be
        # scored is no evidence. Either way the gate cannot pass (unless N is 0).
        return GateResult(
            gate="--min-authentic",
            passed=minimum == 0,
            limit=float(minimum),
            compared=0.0 if summary.population == 0 else float("nan"),
            compared_what=NOTHING_SCORED,
        )
    # The bound as the headline writes it, so a verdict never contradicts the headline.
    high = float(round_followers(summary.authentic_followers.high))
    return GateResult(
        gate="--min-authentic",
        passed=not high < minimum,
        limit=float(minimum),
        compared=high,
        compared_what="upper bound of the 95% interval of authentic followers"
        + _method_note(summary),
    )


def fail_new_above(since: SinceLast | None, limit_percent: float) -> GateResult:
    """Return whether the followers new since the last scan are questionable above ``limit_percent``.

    As --fail-above, the lower bound of the 95% interval is compared, on the
    new followers alone, so a purchase since the last scan shows even in an
    account whose older followers dilute it. With no earlier scan, or fewer
    than ``NEW_FOLLOWERS_TO_JUDGE`` new followers scored, there is nothing to
    judge a purchase on: the gate passes and says why.
    """
    limit = limit_percent / 100.0
    nothing = float("nan")
    if since is None:
        return GateResult(
            gate="--fail-new-above",
            passed=True,
            limit=limit,
            compared=nothing,
            compared_what="there is no earlier scan of the account, so no follower is new "
            "since one (the next scan judges the followers new since this one)",
        )
    scored = since.summary.scored
    if scored < NEW_FOLLOWERS_TO_JUDGE:
        return GateResult(
            gate="--fail-new-above",
            passed=True,
            limit=limit,
            compared=nothing,
            compared_what=f"{since.new_followers:,} new follower"
            f"{'s' if since.new_followers != 1 else ''} since the last scan ({since.date}), "
            f"{scored:,} scored: too few to judge (at least {NEW_FOLLOWERS_TO_JUDGE} are needed)",
        )
    return _share_gate(
        "--fail-new-above",
        since.summary,
        limit,
        "lower bound of the 95% interval of the share questionable among the "
        f"{scored:,} followers new since the last scan ({since.date})"
        + _method_note(since.summary),
    )


def _method_note(summary: Summary) -> str:
    return f" ({CORRECTED_NOTE})" if summary.share_method == CORRECTED else " (uncorrected count)"


def fail_on(behaviour: Behaviour, codes: Sequence[str]) -> GateResult:
    """Return whether none of the behaviour flags in ``codes`` was raised (the --fail-on gate)."""
    raised = [code for code in behaviour.flags if code in codes]
    checked = ", ".join(codes)
    return GateResult(
        gate="--fail-on",
        passed=not raised,
        limit=0.0,
        compared=float(len(raised)),
        compared_what=(
            f"{RAISED}{', '.join(raised)}{CHECKED}{checked})"
            if raised
            else f"{RAISED_NONE}{checked})"
        ),
    )


def not_judged(gate: str, limit: float, why: str) -> GateResult:
    """Return a gate that could not be judged: it does not pass, and says why (``why``)."""
    return GateResult(
        gate=gate,
        passed=False,
        limit=limit,
        compared=float("nan"),
        compared_what=f"not judged: {why}",
        judged=False,
    )


@dataclass(frozen=True)
class Gates:
    """The pass/fail checks of a CI run: --fail-above, --min-authentic, --fail-on, --fail-new-above."""

    fail_above: float | None = None  # percent
    min_authentic: int | None = None
    fail_on: tuple[str, ...] = ()  # behaviour flag codes
    fail_new_above: float | None = None  # percent, of the followers new since the last scan

    def check(
        self,
        summary: Summary,
        behaviour: Behaviour | None,
        missing: str | None = None,
        since: SinceLast | None = None,
    ) -> list[GateResult]:
        """Return the verdict of every gate asked for, in option order.

        --fail-on judges the account's posts (``behaviour``); when they could not
        be read (``missing`` says why) it is reported as not judged.
        --fail-new-above judges the followers new since the last scan (``since``).
        """
        results = []
        if self.fail_above is not None:
            results.append(fail_above(summary, self.fail_above))
        if self.min_authentic is not None:
            results.append(min_authentic(summary, self.min_authentic))
        if self.fail_on and behaviour is not None:
            results.append(fail_on(behaviour, self.fail_on))
        elif self.fail_on and missing is not None:
            results.append(not_judged("--fail-on", 0.0, missing))
        if self.fail_new_above is not None:
            results.append(fail_new_above(since, self.fail_new_above))
        return results
