"""Audit live accounts: scan, score, summarise and judge the gates.

``run_audits`` is the core behind ``followaudit scan``: it owns the loop over
several handles, the error of each account, the gates and the exit code they
add up to, and what Ctrl-C keeps. It reports what happens through one
callback, so the caller decides how to show it and what to keep: the CLI
shows each finished account and stores it in the cache
(``outputs.stored.store_audit``). ``audit_scan`` turns one finished scan into
an ``Audit``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from followaudit.accounts import Skipped, validate
from followaudit.analysis.batches import NO_ORDER, follow_order_document
from followaudit.analysis.behaviour import Behaviour, analyse, follower_behaviour
from followaudit.analysis.changes import SinceLast, departed
from followaudit.analysis.gates import GateResult, Gates, run_outcome
from followaudit.analysis.numbers import fraction, percent
from followaudit.analysis.summary import Summary, model_rates, summarize
from followaudit.errors import (
    Cancelled,
    ExitCode,
    FollowauditError,
    InvalidResponseError,
    LimitReached,
    UsageError,
)
from followaudit.formats.posts import Post
from followaudit.handles import written_handle
from followaudit.live.budget import Budget, Ceilings
from followaudit.live.config import api_base_url, find_x_bearer_token
from followaudit.live.plan import (
    RunPlan,
    Suggestion,
    Thresholds,
    listing_allowance,
    plan_account,
    smallest_scan,
    suggest,
)
from followaudit.live.platforms import Platform, Subject, platform_kind
from followaudit.live.rescan import PreviousScan
from followaudit.live.scan import (
    ListingStopped,
    PlanExceeded,
    RescanLost,
    ScanEvent,
    ScanOptions,
    ScanResult,
    ScanStats,
    after_paying,
    cached_listing,
    fresh_since,
    resolve_account,
    run_scan,
    snapshot,
)
from followaudit.model.forest import Model
from followaudit.model.scoring import score_table

if TYPE_CHECKING:
    from followaudit.handles import Handle
    from followaudit.live.http import Http


# The --deep columns of a deep-checked follower; deep_posts: posts read (0: the follower
# posted nothing; empty: not deep-checked).
DEEP_COLUMNS: tuple[str, ...] = ("deep_posts", "reply_rate", "link_ratio", "self_promotion_ratio")


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
    # What the account's own recent posts show; None when they were not fetched.
    behaviour: Behaviour | None = None
    # --deep: how the deep-checked followers' posts compare with their scores.
    deep: dict[str, Any] | None = None
    posts_error: FollowauditError | None = None  # what stopped reading or analysing the posts
    # Why a part of the audit is missing, one sentence each (the follower audit stands):
    # the follow-order chart, the --deep check (the behaviour findings: behaviour_missing).
    missing: list[str] = field(default_factory=list)
    # The followers new since the account's last stored scan; None without one.
    since_last: SinceLast | None = None

    @property
    def behaviour_missing(self) -> str | None:
        """Return why there are no behaviour findings (the posts could not be read or analysed)."""
        if self.posts_error is None:
            return None
        return (
            f"The account's own posts could not be read ({self.posts_error.message}), so "
            "there are no behaviour findings; the follower audit above is complete."
        )

    @property
    def handle(self) -> str:
        """Return the audited handle as users write it."""
        s = self.scan.subject
        return written_handle(s.platform, s.handle)


def audit_scan(scan: ScanResult, model: Model, observed_at: datetime) -> Audit:
    """Return the audit of a finished scan, scored at the time it was fetched.

    The estimate speaks for the platform's whole follower count when the list
    was read to the end (the scored accounts are then every follower or a
    uniform sample of them). When --max-followers or a paging guard stopped
    the listing early, the scored accounts are the first followers listed (the
    newest on X, whose order is documented), not a sample of all, so the
    estimate speaks only for the followers listed.
    """
    table, invalid = validate(scan.table, observed_at)
    skipped = sorted([*scan.skipped, *invalid], key=lambda s: s.line)
    rows = score_table(table, model, observed_at)
    if scan.reused is not None and len(scan.reused):
        rows = with_reused(rows, scan.reused)
    if scan.new_lines is not None:
        rows["new"] = rows["line"].isin(list(scan.new_lines)).astype(bool)
    note = None
    # Only X documents its order (newest first); elsewhere "newest" would be a guess.
    covered = (
        f"{scan.listed:,} newest followers"
        if scan.subject.order_known
        else f"first {scan.listed:,} followers listed"
    )
    if scan.truncated:
        population = scan.listed
        note = (
            f"Listing stopped at --max-followers {scan.listed:,}: the estimate covers the "
            f"{covered}, not all of them."
        )
    elif scan.paging_stopped:
        # The server's paging went wrong: what was listed is all that is known.
        population = scan.listed
        note = f"{scan.paging_stopped}; the estimate covers the {covered}."
    elif short_listing(scan.listed, scan.followers_total):
        # The list ended far below the platform's count: what it did not list is
        # unknown, so the estimate speaks for what was listed, and says so.
        population = scan.listed
        note = (
            f"Listed {scan.listed:,} of the {scan.followers_total:,} followers the platform "
            f"reports: the list ended early, so the estimate covers the {scan.listed:,} listed."
        )
    elif scan.followers_total is not None and scan.followers_total >= scan.listed:
        population = scan.followers_total
    else:
        population = scan.listed
    summary = summarize(
        rows, skipped, model.threshold, population=population, rates=model_rates(model, rows)
    )
    audit = Audit(scan, rows, skipped, summary, observed_at, note)
    audit.since_last = since_last(scan, rows, skipped, model)
    # Scored and summarised, the follower audit stands: each part below can only go
    # missing, with a sentence, never take the audit with it.
    audit.follow_order = _part(audit, "the follow-order chart", lambda: follow_order(scan, rows))
    audit.posts_error = scan.posts_error
    if audit.posts_error is None:
        try:
            audit.behaviour = account_behaviour(scan, observed_at)
        except Exception as exc:  # noqa: BLE001 - a malformed post costs the findings only
            audit.posts_error = after_paying("the account's own posts", exc)
    deep = _part(audit, "the --deep check", lambda: deep_check(scan, rows))
    if deep is not None:
        audit.rows, audit.deep = deep
    if scan.deep_error is not None and audit.deep is not None:
        stopped = f" The reads stopped early: {scan.deep_error.message}."
        audit.deep["sentence"] += stopped
    return audit


def with_reused(rows: pd.DataFrame, reused: pd.DataFrame) -> pd.DataFrame:
    """Return the followers scored now and those whose stored scores were re-used, by line."""
    kept = reused.reindex(columns=rows.columns)
    merged = pd.concat([rows, kept], ignore_index=True) if len(rows) else kept
    merged = merged.astype({"line": "int64", "probability": "float64"})
    return merged.sort_values("line", kind="stable").reset_index(drop=True)


def since_last(
    scan: ScanResult, rows: pd.DataFrame, skipped: Sequence[Skipped], model: Model
) -> SinceLast | None:
    """Return what the followers new since the last stored scan add up to (None without one).

    Their share questionable is estimated as the headline's is
    (``summarize`` with the model's rates), over the new followers alone.
    """
    if scan.previous is None or scan.new_lines is None:
        return None
    lines = scan.new_lines
    new = rows[rows["new"]]  # audit_scan marked them
    new_skipped = [s for s in skipped if s.line in lines]
    summary = summarize(
        new, new_skipped, model.threshold, population=len(lines), rates=model_rates(model, new)
    )
    return SinceLast(
        previous_scan_at=scan.previous.finished_at,
        new_followers=len(lines),
        departed_estimate=departed(scan.previous.followers_total, len(lines), scan.followers_total),
        summary=summary,
        rescan=scan.rescan,
    )


# A list that ends below this share of the platform's count is reported as short.
SHORT_LISTING = 0.9


def short_listing(listed: int, reported: int | None) -> bool:
    """Return whether a list read to its end holds well under the platform's count.

    Counts include accounts a list leaves out (deactivated, suspended), so a
    gap of a few percent is normal; below ``SHORT_LISTING`` of the count, and
    more than 10 followers short, it is not.
    """
    if reported is None or reported <= 0:
        return False
    return listed < SHORT_LISTING * reported and reported - listed > 10


def _part(audit: Audit, what: str, build: Callable[[], Any]) -> Any:
    """Return ``build()``, or None with a sentence in ``audit.missing`` when it fails."""
    try:
        return build()
    except Exception as exc:  # noqa: BLE001 - an optional part never costs the audit
        problem = after_paying(what, exc).message
        audit.missing.append(f"{what[0].upper()}{what[1:]} is missing: {problem}.")
        return None


def deep_check(scan: ScanResult, rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """Return (rows with the --deep columns, the agreement summary; None without --deep).

    A deep-checked follower "looks inactive or broadcast-only" when it posted
    nothing of its own or never replied to anyone in its latest posts. The
    summary compares how often that holds for followers the profile model
    rated questionable and authentic, and how often the two agree.
    """
    if not scan.deep_posts:
        return rows, None
    by_line = rows.set_index("line")
    values: dict[int, dict[str, Any]] = {}
    unreadable = 0
    for line, raw in scan.deep_posts.items():
        if raw is None or line not in by_line.index:
            unreadable += 1
            continue
        author = str(by_line.at[line, "id"])
        posts = platform_kind(scan.subject.platform).canonical_posts(raw, author)
        values[line] = follower_behaviour(posts)
        values[line]["deep_posts"] = values[line]["posts"]
    rows = rows.copy()
    lines = rows["line"].to_numpy()
    for column in DEEP_COLUMNS + ("own_posts",):
        rows[column] = [
            float("nan")
            if values.get(int(ln), {}).get(column) is None
            else float(values[int(ln)][column])
            for ln in lines
        ]
    checked = rows[rows["line"].isin(list(values))]
    quiet = (checked["own_posts"] == 0) | (checked["reply_rate"] == 0)
    questionable = checked["label"] == "questionable"
    q_n, a_n = int(questionable.sum()), int((~questionable).sum())
    q_quiet, a_quiet = int((quiet & questionable).sum()), int((quiet & ~questionable).sum())
    agree = q_quiet + (a_n - a_quiet)
    rows = rows.drop(columns=["own_posts"])

    def pct(part: int, whole: int) -> str:
        return f"{part:,} of {whole:,}" + (f" ({percent(part / whole)})" if whole else "")

    sentence = (
        f"Deep check of {len(values):,} followers' latest posts: {pct(q_quiet, q_n)} rated "
        f"questionable never reply or post nothing of their own, against "
        f"{pct(a_quiet, a_n)} rated authentic; posts and profile model agree on "
        f"{pct(agree, len(values))}."
    )
    if unreadable:
        sentence += f" {unreadable:,} more could not be read (protected or gone)."
    return rows, {
        "checked": len(values),
        "unreadable": unreadable,
        "questionable": {
            "checked": q_n,
            "no_replies_or_no_posts": q_quiet,
            "share": fraction(q_quiet, q_n),
        },
        "authentic": {
            "checked": a_n,
            "no_replies_or_no_posts": a_quiet,
            "share": fraction(a_quiet, a_n),
        },
        "agreement": fraction(agree, len(values)),
        "sentence": sentence,
    }


def subject_posts(scan: ScanResult) -> list[Post] | None:
    """Return the audited account's fetched posts as Post records (None if not fetched)."""
    raw = scan.subject_posts
    if raw is None:
        return None
    subject = scan.subject
    return platform_kind(subject.platform).canonical_posts(raw, subject.id)


def account_behaviour(scan: ScanResult, observed_at: datetime) -> Behaviour | None:
    """Return the behaviour findings on the account's own posts (None if not fetched).

    The own site is the website the profile links to, not its page on the
    platform. On Mastodon, links to the account's own server are quotes of
    other posts, so that server is never inferred as an own site.
    """
    posts = subject_posts(scan)
    if posts is None:
        return None
    subject = scan.subject
    ignore = platform_kind(subject.platform).never_own_sites(subject)
    return analyse(
        posts,
        followers=subject.followers_count,
        profile_url=subject.website,
        now=observed_at,
        ignore_sites=ignore,
    )


def follow_order(scan: ScanResult, rows: pd.DataFrame) -> dict[str, Any]:
    """Return the questionable share by follow-order tenth, flagged buckets first-class.

    Buckets are cut from the scored followers in list order; their ``first``
    and ``last`` are positions in the platform's follower list (1 = newest),
    so a sampled scan still points at the right part of the list.
    """
    if not scan.subject.order_known:
        return {"known": False, "note": NO_ORDER, "buckets": [], "flagged": []}
    return follow_order_document(
        (rows["label"] == "questionable").to_numpy(), rows["line"].to_numpy()
    )


def paging_warnings(scan: ScanResult) -> list[str]:
    """Return the sentences that say a follower list was not what the platform promised."""
    sentences = []
    if scan.paging_stopped:
        sentences.append(scan.paging_stopped)
    if scan.duplicates:
        followers = "follower" if scan.duplicates == 1 else "followers"
        sentences.append(
            f"The follower list of {written_handle(scan.subject.platform, scan.subject.handle)} "
            f"sent {scan.duplicates:,} {followers} again (a repeated page): each account is "
            "counted and scored once"
        )
    return sentences


@dataclass(frozen=True)
class AuditPlan:
    """Everything ``run_audits`` does to each handle, decided before the first request.

    ``token`` is the X bearer token as given (None: X_BEARER_TOKEN, then the
    config file, looked up at the first X handle only). ``raise_errors``
    raises an account's error instead of recording it (a lone handle with no
    export that lists errors: the CLI then shows it like any other error).
    ``ceilings``: --max-requests and --max-cost, never crossed; ``thresholds``:
    what the run may take without asking; ``yes``: go ahead above them;
    ``deep_agreed``: the --deep reads were agreed to already (the thresholds
    are then judged without them, though the plan shows them).
    """

    options: ScanOptions = field(default_factory=ScanOptions)
    gates: Gates = field(default_factory=Gates)
    api_url: str | None = None
    token: str | None = None
    raise_errors: bool = False
    ceilings: Ceilings = field(default_factory=Ceilings)
    thresholds: Thresholds = field(default_factory=Thresholds)
    yes: bool = False
    deep_agreed: bool = False


# Compared by identity: an outcome is one event of one run (and can key a cache of its documents).
@dataclass(eq=False)
class AccountOutcome:
    """One handle's result: its audit and the gates' verdicts, or the error that stopped it.

    Its JSON object is ``outputs.documents.outcome_record``.
    """

    handle: Handle
    duration: float  # seconds
    audit: Audit | None = None
    gates: list[GateResult] = field(default_factory=list)
    error: FollowauditError | None = None

    @property
    def passed(self) -> bool:
        """Return whether the account was audited and passed every gate."""
        return self.error is None and all(g.passed for g in self.gates)


@dataclass
class RunResult:
    """Every handle's outcome in the order given, and the exit code they add up to."""

    outcomes: list[AccountOutcome]
    exit_code: ExitCode
    interrupted: bool  # Ctrl-C stopped the run; outcomes hold the accounts finished before

    @property
    def audits(self) -> list[Audit]:
        """Return the audits that finished, in the order given."""
        return [o.audit for o in self.outcomes if o.audit is not None]

    def scored_rows(self) -> pd.DataFrame | None:
        """Return every audit's scored followers, with a first column naming the audit."""
        # Named as typed, like the JUnit case and the summary row of the same account.
        frames = [
            o.audit.rows.assign(audited=o.handle.display)
            for o in self.outcomes
            if o.audit is not None
        ]
        return pd.concat(frames, ignore_index=True) if frames else None


@dataclass(frozen=True)
class AccountStarted:
    """Event: the audit of ``handle`` begins (progress display may start)."""

    handle: Handle


@dataclass(frozen=True)
class AccountStopped:
    """Event: the network work of ``handle`` ended, however it ended (progress display stops)."""

    handle: Handle


@dataclass(frozen=True)
class Notice:
    """Event: a sentence for the user: a warning, or (``note``) how the run goes about it."""

    message: str
    note: bool = False


@dataclass(frozen=True)
class PlanReady:
    """Event: every account was looked up; what the rest of the run takes.

    ``over``: the thresholds it crosses, in words ([]: it runs without
    asking); ``suggestion``: the cheapest change of options that fits them.
    """

    plan: RunPlan
    over: list[str]
    suggestion: Suggestion | None


RunEvent = AccountStarted | ScanEvent | AccountStopped | AccountOutcome | Notice | PlanReady


class _TokenLookup:
    """The X token, looked up once at the first X handle; a failed lookup fails every X handle."""

    def __init__(self, given: str | None, emit: Callable[[RunEvent], None]) -> None:
        self._given = given
        self._emit = emit
        self._found: str | FollowauditError | None = None

    def __call__(self) -> str:
        if self._found is None:
            try:
                token = find_x_bearer_token(self._given)
            except FollowauditError as exc:
                self._found = exc
                raise
            self._found = token.value
            for warning in token.warnings:
                self._emit(Notice(warning))
        if isinstance(self._found, FollowauditError):
            raise self._found
        return self._found


# previous(platform, handle) -> the latest stored scan of that account (or alias), None
# when there is none, or a sentence saying why the one stored cannot be used.
PreviousLookup = Callable[[str, str], PreviousScan | str | None]


def run_audits(
    handles: Sequence[Handle],
    plan: AuditPlan,
    *,
    http: Http,
    model: Model,
    on_event: Callable[[RunEvent], None] | None = None,
    confirm: Callable[[RunPlan], bool] | None = None,
    previous: PreviousLookup | None = None,
) -> RunResult:
    """Return the audit of every handle, in order; one account's error never stops the others.

    First every account is looked up (one request each), which gives its
    follower count; then the run's plan (requests, rate-limit time, money)
    is reported as a ``PlanReady`` event before any follower is listed. A
    plan above a hard ceiling (``plan.ceilings``) raises UsageError, naming
    the cheaper options that fit. A plan above ``plan.thresholds`` goes ahead
    only with ``plan.yes`` or when ``confirm(plan)`` says yes: without
    ``confirm`` (no one to ask) it raises UsageError, and a no raises
    Cancelled. ``http.budget`` is replaced by one holding the ceilings, so
    no request crosses them: the account that reaches one gets LimitReached.

    Each outcome is reported through ``on_event`` as it finishes (the CLI
    stores each audit in the cache there). ``previous`` finds an account's
    latest stored scan: an account that has one is looked up afresh and
    rescanned (``scan.run_scan``), unless --full or --sample says to list
    every follower; the plan is then that of the rescan. The exit code: the first
    account error's code, else GATE_FAILED when a gate failed, else OK.
    Ctrl-C (KeyboardInterrupt) ends the run with ``interrupted`` set, keeping
    every account finished before it; what was fetched stays in the cache.
    """
    emit: Callable[[RunEvent], None] = on_event if on_event is not None else (lambda e: None)
    x_token = _TokenLookup(plan.token, emit)
    http.budget = Budget(plan.ceilings)
    outcomes: dict[int, AccountOutcome] = {}
    found: dict[int, _Found] = {}
    try:
        for index, handle in enumerate(handles):
            looked_up = _look_up(handle, plan, http, x_token, emit, previous)
            if isinstance(looked_up, AccountOutcome):
                outcomes[index] = looked_up
                emit(looked_up)
            else:
                found[index] = looked_up
        if found:
            _approve(list(found.values()), plan, http, emit, confirm)
        for index, account in found.items():
            outcome = _audit_one(account, plan, http, model, emit, confirm)
            outcomes[index] = outcome
            emit(outcome)
    except KeyboardInterrupt:
        done = [outcomes[i] for i in sorted(outcomes)]
        return RunResult(done, _exit_code(done), interrupted=True)
    done = [outcomes[i] for i in sorted(outcomes)]
    return RunResult(done, _exit_code(done), interrupted=False)


def _exit_code(outcomes: Sequence[AccountOutcome]) -> ExitCode:
    """Return the first account error's code, else GATE_FAILED if a gate failed, else
    NOT_JUDGED if a gate could not be judged, else OK."""
    # An audit that could not run outranks a gate that failed, which outranks one not judged.
    for outcome in outcomes:
        if outcome.error is not None:
            return outcome.error.exit_code
    codes = {"pass": ExitCode.OK, "fail": ExitCode.GATE_FAILED, "not judged": ExitCode.NOT_JUDGED}
    return codes[run_outcome([g for o in outcomes for g in o.gates])]


def account_error(handle: Handle, error: Exception) -> FollowauditError:
    """Return why auditing ``handle`` failed as one of ours (an unexpected exception included).

    An answer of an unexpected shape can surface as any exception deep in a
    parser; it is this account's error (exit 7, the platform answered
    nonsense), never the run's. The original stays attached for --debug.
    """
    if isinstance(error, FollowauditError):
        return error
    converted = InvalidResponseError(
        f"{handle.display}: an answer came in a shape followaudit cannot read "
        f"({type(error).__name__}: {error}); the other accounts are audited"
    )
    converted.__cause__ = error
    return converted


@dataclass
class _Found:
    """An account looked up: its handle, adapter and Subject, and when the work began."""

    handle: Handle
    adapter: Platform
    subject: Subject
    looked_up: ScanStats  # the requests the lookup took
    started: float
    previous: PreviousScan | None = None  # the account's latest stored scan
    rescan: bool = False  # list only the followers new since ``previous``

    @property
    def server(self) -> str:
        """Return the server whose rate limits apply ("" where the platform has one)."""
        return self.handle.server or ""

    @property
    def cached_lookup(self) -> bool:
        """Return whether the cache answered the lookup (an earlier scan's answers may be there)."""
        return self.looked_up.cached > 0


def _look_up(
    handle: Handle,
    plan: AuditPlan,
    http: Http,
    x_token: Callable[[], str],
    emit: Callable[[RunEvent], None],
    previous_of: PreviousLookup | None = None,
) -> _Found | AccountOutcome:
    """Return the account ``handle`` names, or the outcome of the error that stopped it.

    An account with a stored scan is looked up afresh (never from an answer
    cached before that scan finished): its follower count now is what the
    rescan is planned from.
    """
    started = time.monotonic()
    before = snapshot(http)
    emit(AccountStarted(handle))
    try:
        try:

            def stored(platform: str, name: str) -> PreviousScan | str | None:
                found = previous_of(platform, name) if previous_of is not None else None
                if isinstance(found, str):
                    emit(Notice(f"{handle.display}: {found}", note=True))
                return found

            found = stored(handle.platform, handle.account)
            previous = found if isinstance(found, PreviousScan) else None

            def resolve(previous: PreviousScan | None) -> tuple[Platform, Subject]:
                with fresh_since(http, previous):
                    return resolve_account(
                        handle,
                        http=http,
                        token=x_token() if platform_kind(handle.platform).needs_token else None,
                        api_url=api_base_url(handle.platform, plan.api_url),
                        progress=emit,
                    )

            adapter, subject = resolve(previous)
            typed = (handle.platform, handle.account.lower())
            if found is None and typed != (subject.platform, subject.handle.lower()):
                # Typed another way (a DID) than the scan was stored under: its own handle.
                again = stored(subject.platform, subject.handle)
                previous = again if isinstance(again, PreviousScan) else None
                if previous is not None and snapshot(http).cached > before.cached:
                    adapter, subject = resolve(previous)
        finally:
            emit(AccountStopped(handle))
    except Exception as exc:  # noqa: BLE001 - one account's failure never costs the others
        return _failed(handle, plan, account_error(handle, exc), started)
    rescan = False
    if previous is not None and not plan.options.full and plan.options.sample is None:
        why = previous.why_not_rescan(plan.options.max_followers)
        rescan = why is None
        if why is not None:
            emit(
                Notice(
                    f"{handle.display}: {why}, so this scan lists every follower (a rescan "
                    "stops where the last scan's followers begin, and needs all of them); "
                    "only the followers it did not score are fetched",
                    note=True,
                )
            )
    return _Found(
        handle,
        adapter,
        subject,
        ScanStats.between(before, snapshot(http)),
        started,
        previous,
        rescan,
    )


def _failed(
    handle: Handle, plan: AuditPlan, exc: FollowauditError, started: float
) -> AccountOutcome:
    """Return the outcome of an account stopped by ``exc`` (raised instead when the plan says)."""
    if plan.raise_errors:
        raise exc
    return AccountOutcome(handle, time.monotonic() - started, error=exc)


def _approve(
    found: Sequence[_Found],
    plan: AuditPlan,
    http: Http,
    emit: Callable[[RunEvent], None],
    confirm: Callable[[RunPlan], bool] | None,
) -> None:
    """Report the run's plan; raise unless it may go ahead (see ``run_audits``)."""
    subjects = [(f.subject, f.server) for f in found]
    made, spent = http.budget.requests, http.budget.spent
    cached = sum(1 for f in found if f.cached_lookup)
    # What an earlier run left in the cache is free: look only where the lookup was cached.
    listings = [
        cached_listing(
            f.adapter,
            f.subject,
            plan.options.max_followers,
            http,
            listing_allowance(f.subject, plan.options, plan.ceilings),
            f.previous,
            f.rescan,
        )
        if f.cached_lookup
        else None
        for f in found
    ]

    def plan_with(options: ScanOptions) -> RunPlan:
        accounts = [
            plan_account(f.subject, options, f.server, listing, f.previous if f.rescan else None)
            for f, listing in zip(found, listings, strict=True)
        ]
        return RunPlan(accounts, options, made, spent, cached)

    run_plan = plan_with(plan.options)
    thresholds = plan.thresholds.within(plan.ceilings)
    beyond = run_plan.beyond(plan.ceilings)
    # --deep agreed to already: judged without it, though the plan shows it.
    agreed = plan.deep_agreed and plan.options.deep
    judged = plan_with(replace(plan.options, deep=0)) if agreed else run_plan
    over = [] if plan.yes else judged.over(thresholds)
    # A suggestion fits the ceilings, and the thresholds unless --yes waived them.
    aim = thresholds if not plan.yes else Thresholds.ceilings_only(plan.ceilings)
    drop_posts = not plan.gates.fail_on  # --fail-on judges the posts: never suggest --no-posts
    # A suggestion is planned as a full scan: it would mislead about a rescan.
    rescans = any(f.rescan for f in found)
    suggestion = (
        suggest(subjects, plan.options, aim, made, spent, drop_posts=drop_posts)
        if (over or beyond) and not rescans
        else None
    )
    emit(PlanReady(run_plan, over, suggestion))
    if suggestion is not None:
        cheaper = f"{suggestion.flags} {suggestion.why}"
    elif rescans:
        cheaper = "--no-posts does not read the accounts' own posts"
    else:
        cheaper = smallest_scan(subjects, plan.options, made, spent, drop_posts=drop_posts)
    if beyond:
        raise UsageError(
            f"this scan would need {' and '.join(beyond)}, so it would stop part-way: "
            f"cut it down ({cheaper}) or raise the ceiling; no follower was listed"
        )
    if not over:
        return
    if confirm is None:
        raise UsageError(
            f"this scan needs {' and '.join(over)}: add --yes to go ahead, or cut it "
            f"down: {cheaper}"
        )
    if not confirm(run_plan):
        raise Cancelled(_cancelled_sentence(made))


def _list_on(
    exceeded: PlanExceeded,
    found: _Found,
    plan: AuditPlan,
    http: Http,
    emit: Callable[[RunEvent], None],
    confirm: Callable[[RunPlan], bool],
) -> None:
    """Ask whether to list on past the plan; Cancelled on a no (what was fetched stays cached)."""
    unknown = replace(found.subject, followers_count=None)
    again = RunPlan(
        [plan_account(unknown, plan.options, found.server)],
        plan.options,
        http.budget.requests,
        http.budget.spent,
    )
    over = [f"a follower list longer than its count: {exceeded.listed:,} listed, and it goes on"]
    emit(Notice(exceeded.message))
    emit(PlanReady(again, over, None))
    if not confirm(again):
        raise _cancelled_after(exceeded)


def _list_all(
    lost: RescanLost,
    found: _Found,
    plan: AuditPlan,
    http: Http,
    emit: Callable[[RunEvent], None],
    confirm: Callable[[RunPlan], bool] | None,
) -> None:
    """Say that a rescan lost the last scan's followers, and plan listing them all.

    The full listing is judged as any plan is: above a ceiling it is refused
    (LimitReached), above the thresholds it goes ahead only with --yes or a
    yes through ``confirm`` (without one, ``lost`` is raised: exit 13), and
    a no is Cancelled. What the rescan fetched stays in the cache.
    """
    emit(Notice(lost.message))
    listing = cached_listing(
        found.adapter,
        found.subject,
        plan.options.max_followers,
        http,
        listing_allowance(found.subject, plan.options, plan.ceilings),
        found.previous,
    )
    account = plan_account(found.subject, plan.options, found.server, listing)
    full = RunPlan([account], plan.options, http.budget.requests, http.budget.spent)
    every = f"listing every follower of {found.handle.display} instead"
    beyond = full.beyond(plan.ceilings)
    if beyond:
        raise LimitReached(
            f"{every} would need {' and '.join(beyond)}, so no more was listed: raise the "
            "ceiling, or rerun with --full and a --max-followers that fits"
        )
    over = [] if plan.yes else full.over(plan.thresholds.within(plan.ceilings))
    emit(PlanReady(full, over, None))
    if not over:
        return
    if confirm is None:
        raise RescanLost(
            f"{every} needs {' and '.join(over)}: rerun with --yes to list them all (the "
            "pages fetched are cached)",
            lost.listed,
        )
    if not confirm(full):
        raise _cancelled_after(lost)


def _cancelled_after(stopped: ListingStopped) -> Cancelled:
    """Return the no to going on after listing stopped: what was listed stays in the cache."""
    return Cancelled(
        f"Cancelled; {stopped.listed:,} followers were listed (they stay in the cache), none scored"
    )


def _scan(
    found: _Found,
    plan: AuditPlan,
    http: Http,
    emit: Callable[[RunEvent], None],
    confirm: Callable[[RunPlan], bool] | None,
) -> ScanResult:
    """Return the scan of one account: a rescan, or (asked again if need be) a full listing.

    Listing stops where the plan's count (and its margin) ends: a list that
    goes on asks again through ``confirm`` (a yes lists on, the pages already
    fetched coming from the cache), or without one ends the account with
    exit 13. A rescan that does not find the last scan's followers lists them
    all instead, planned and asked about as any plan (``_list_all``).
    """
    rescan = found.rescan
    allowance = listing_allowance(found.subject, plan.options, plan.ceilings)
    while True:
        try:
            return run_scan(
                found.handle,
                http=http,
                options=plan.options,
                progress=emit,
                platform=found.adapter,
                subject=found.subject,
                looked_up=found.looked_up,
                allowance=None if rescan else allowance,
                previous=found.previous,
                rescan=rescan,
            )
        except RescanLost as exc:
            if not rescan:
                raise
            _list_all(exc, found, plan, http, emit, confirm)
            rescan = False
        except PlanExceeded as exc:
            if allowance is None or confirm is None:
                raise
            _list_on(exc, found, plan, http, emit, confirm)
            allowance = None


def _cancelled_sentence(made: int) -> str:
    """Return what declining the plan says: what was (not) requested."""
    if made == 0:
        return "Cancelled; no requests were made"
    if made == 1:
        return "Cancelled; only the account lookup was made, no follower was listed"
    return f"Cancelled; only the lookups were made ({made:,} requests), no follower was listed"


def _audit_one(
    found: _Found,
    plan: AuditPlan,
    http: Http,
    model: Model,
    emit: Callable[[RunEvent], None],
    confirm: Callable[[RunPlan], bool] | None = None,
) -> AccountOutcome:
    """Return one account's outcome; its FollowauditError is recorded unless the plan raises."""
    handle = found.handle
    emit(AccountStarted(handle))
    try:
        try:
            result = _scan(found, plan, http, emit, confirm)
        finally:
            emit(AccountStopped(handle))
        for sentence in paging_warnings(result):
            emit(Notice(sentence))
        # A malformed answer may only show while scoring: still this account's error.
        audit = audit_scan(result, model, result.fetched_at)
    except Exception as exc:  # noqa: BLE001 - one account's failure never costs the others
        return _failed(handle, plan, account_error(handle, exc), found.started)
    # What the audit lacks is said at once, not only in the report (--quiet, exports).
    for sentence in filter(None, [audit.behaviour_missing, *audit.missing]):
        emit(Notice(sentence))
    gates = plan.gates.check(
        audit.summary, audit.behaviour, audit.behaviour_missing, audit.since_last
    )
    return AccountOutcome(handle, time.monotonic() - found.started, audit, gates)
