"""Turn a live scan into an audit: validated, scored, summarised, serialisable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

import pandas as pd

from followaudit import __version__
from followaudit.accounts import Skipped, validate
from followaudit.batches import NO_ORDER, TEST_DESCRIPTION, describe, follow_order_buckets
from followaudit.behaviour import FLAG_CODES, Behaviour, analyse, follower_behaviour
from followaudit.export import accounts_records
from followaudit.model import Model
from followaudit.posts import Post, posts_from_bluesky, posts_from_mastodon, posts_from_x
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
    # What the account's own recent posts show; None when they were not fetched.
    behaviour: Behaviour | None = None
    # --deep: how the deep-checked followers' posts compare with their scores.
    deep: dict[str, Any] | None = None

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
    the scored accounts are the first followers listed (the newest on X, whose
    order is documented), not a sample of all, so the estimate speaks only for
    the followers listed.
    """
    table, invalid = validate(scan.table, observed_at)
    skipped = sorted([*scan.skipped, *invalid], key=lambda s: s.line)
    rows = score_table(table, model, observed_at)
    note = None
    if scan.truncated:
        population = scan.listed
        # Only X documents its order (newest first); elsewhere "newest" would be a guess.
        covered = (
            f"{scan.listed:,} newest followers"
            if scan.subject.order_known
            else f"first {scan.listed:,} followers listed"
        )
        note = (
            f"Listing stopped at --max-followers {scan.listed:,}: the estimate covers the "
            f"{covered}, not all of them."
        )
    elif scan.followers_total is not None and scan.followers_total >= scan.listed:
        population = scan.followers_total
    else:
        population = scan.listed
    summary = summarize(rows, skipped, model.threshold, population=population)
    rows, deep = deep_check(scan, rows)
    return Audit(
        scan, rows, skipped, summary, observed_at, note, follow_order(scan, rows),
        account_behaviour(scan, observed_at), deep,
    )


# deep_posts: posts read (0: the follower posted nothing; empty: not deep-checked).
DEEP_COLUMNS: tuple[str, ...] = ("deep_posts", "reply_rate", "link_ratio", "self_promotion_ratio")


def _posts_of(platform: str, raw: list[dict[str, Any]], author: str) -> list[Post]:
    if platform == "x":
        return posts_from_x(raw, author)
    if platform == "bluesky":
        return posts_from_bluesky(raw, author)
    return posts_from_mastodon(raw, author)


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
        values[line] = follower_behaviour(_posts_of(scan.subject.platform, raw, author))
        values[line]["deep_posts"] = values[line]["posts"]
    rows = rows.copy()
    lines = rows["line"].to_numpy()
    for column in DEEP_COLUMNS + ("own_posts",):
        rows[column] = [
            float("nan") if values.get(int(ln), {}).get(column) is None
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

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    def pct(part: int, whole: int) -> str:
        return f"{part:,} of {whole:,}" + (f" ({part / whole:.0%})" if whole else "")

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
        "questionable": {"checked": q_n, "no_replies_or_no_posts": q_quiet,
                         "share": share(q_quiet, q_n)},
        "authentic": {"checked": a_n, "no_replies_or_no_posts": a_quiet,
                      "share": share(a_quiet, a_n)},
        "agreement": share(agree, len(values)),
        "sentence": sentence,
    }


def subject_posts(scan: ScanResult) -> list[Post] | None:
    """Return the audited account's fetched posts as Post records (None if not fetched)."""
    raw = scan.subject_posts
    if raw is None:
        return None
    subject = scan.subject
    if subject.platform == "x":
        return posts_from_x(raw, subject.id)
    if subject.platform == "bluesky":
        return posts_from_bluesky(raw, subject.id)
    return posts_from_mastodon(raw, subject.id)


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
    ignore = [subject.handle.rsplit("@", 1)[1]] if subject.platform == "mastodon" else []
    return analyse(
        posts,
        followers=subject.followers_count,
        profile_url=subject.website,
        now=observed_at,
        ignore_sites=ignore,
    )


def behaviour_codes() -> tuple[str, ...]:
    """Return every behaviour flag code, in the order findings are reported."""
    return FLAG_CODES


def fail_on(behaviour: Behaviour, codes: Sequence[str]) -> GateResult:
    """Return whether none of the behaviour flags in ``codes`` was raised (the --fail-on gate)."""
    raised = [code for code in behaviour.flags if code in codes]
    return GateResult(
        gate="--fail-on",
        passed=not raised,
        limit=0.0,
        compared=float(len(raised)),
        compared_what="behaviour flags raised among " + ", ".join(codes)
        + (": " + ", ".join(raised) if raised else ""),
    )


def behaviour_document(behaviour: Behaviour | None) -> dict[str, Any] | None:
    """Return the "behaviour" object of the JSON audit: metrics, findings and flags."""
    if behaviour is None:
        return None
    metrics = asdict(behaviour)
    findings = metrics.pop("findings")
    return {"metrics": metrics, "findings": findings, "flags": behaviour.flags}


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
            "scored": audit.summary.scored,
            "skipped": audit.summary.skipped,
        },
        "scope_note": audit.scope_note,
        "headline": headline(audit.summary),
        "follow_order": audit.follow_order,
        "behaviour": behaviour_document(audit.behaviour),
        "deep": audit.deep,
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
        "accounts": _with_deep_columns(accounts_records(audit.rows), audit.rows),
    }


def _with_deep_columns(records: list[dict[str, Any]], rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the account records with the --deep columns added (null where not checked)."""
    if DEEP_COLUMNS[0] not in rows.columns:
        return records
    for record, values in zip(records, rows.loc[:, list(DEEP_COLUMNS)].itertuples(index=False),
                              strict=True):
        for name, value in zip(DEEP_COLUMNS, values, strict=True):
            record[name] = None if pd.isna(value) else round(float(value), 4)
    return records


def scan_document(audits: list[dict[str, Any]], errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the whole --json document of a scan run."""
    return {
        "schema": SCAN_JSON_SCHEMA,
        "tool": {"name": "followaudit", "version": __version__},
        "audits": audits,
        "errors": errors,
    }


def scan_key(platform: str, handle: str) -> tuple[str, str]:
    """Return the (platform, handle) key a scan is stored under in the cache.

    Handles are case-insensitive on every platform, so the key is lower case:
    ``followaudit report @Guru`` finds the scan of ``@guru``.
    """
    return platform, handle.lower()


def html_report_data(document: dict[str, Any], top: int = 10) -> dict[str, Any]:
    """Return one JSON audit in the shape ``html_report.render_html`` reads."""
    followers = document["followers"]
    summary = document["summary"]
    platform = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}.get(
        document["platform"], document["platform"]
    )
    details = [f"{followers['scored']:,} followers scored of {summary['population']:,}"]
    if followers.get("sampled"):
        details.append(f"uniform random sample (seed {followers.get('seed')})")
    if document.get("scope_note"):
        details.append(document["scope_note"])
    if document.get("deep"):
        details.append(document["deep"]["sentence"])
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
    return {
        "title": f"{document['handle']} on {platform}",
        "generated_at": generated,
        "headline": document["headline"],
        "details": details,
        "histogram": summary.get("histogram") or [],
        "threshold": summary.get("threshold"),
        "follow_order": document.get("follow_order") or {},
        "findings": behaviour.get("findings") or [],
        "questionable_followers": [
            {
                "handle": a.get("handle") or a.get("id") or "",
                "probability": float(a.get("probability") or 0.0),
                "reasons": a.get("reasons") or [],
            }
            for a in questionable
        ],
    }
