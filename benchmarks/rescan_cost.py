"""What a rescan costs against a full scan, measured on the test fake servers (issue 19).

    python benchmarks/rescan_cost.py

For Bluesky and X with 10,000 followers and Mastodon with 2,000, scans the
account in full (a fresh cache), then, for growth of 1%, 3% and 10% (new
followers at the top of the list, 30% of them bought-looking, the rest
authentic-looking), runs the same scan again on a copy of that cache, as
``followaudit scan`` does: a rescan. Each rescan talks to a fresh server on
another port, so nothing of the first scan's answers but its stored scan
is re-used (as a week later: the account's posts are read again). Prints the
requests of each (the lookup, follower pages, profile batches and posts), on
X the dollars at 2026 prices by followaudit's reckoning, the rescan's share
of the full scan's requests, and the new followers' share questionable with
its 95% interval against the share bought. No request leaves this machine.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakes import FakeServer
from fakes.bluesky_server import BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.handles import parse_handle
from followaudit.live.audit import AccountOutcome, AuditPlan, RunEvent, run_audits
from followaudit.live.cache import Cache
from followaudit.live.http import Http
from followaudit.live.scan import ScanOptions
from followaudit.model.forest import Model, load_model
from followaudit.outputs.stored import previous_scan, store_audit

CASES: list[tuple[str, Callable[..., FakeServer], str, int]] = [
    ("Bluesky", BlueskyServer, "subject.bsky.social", 10_000),
    ("X", XServer, "@subject", 10_000),
    ("Mastodon", MastodonServer, "@subject@example.social", 2_000),
]
GROWTH = (0.01, 0.03, 0.10)
BOUGHT = 0.3  # of the new followers
KINDS = {  # what each request path is, as the plan counts them
    "followers": ("getFollowers", "/followers"),
    "profiles": ("getProfiles",),
    "posts": ("getAuthorFeed", "/tweets", "/statuses"),
}


def kinds(server: FakeServer) -> dict[str, int]:
    """Return the server's requests by kind: lookup, followers, profiles, posts."""
    counted = {"lookup": 0, "followers": 0, "profiles": 0, "posts": 0}
    for path, n in server.requests.items():
        kind = next((k for k, marks in KINDS.items() if any(m in path for m in marks)), "lookup")
        counted[kind] += n
    return counted


def scan(server: FakeServer, handle: str, cache_path: Path, model: Model) -> AccountOutcome:
    """Return the outcome of ``followaudit scan HANDLE --yes`` against ``server``."""
    with Cache(cache_path) as cache, Http(cache=cache) as http:

        def stored(event: RunEvent) -> None:
            if isinstance(event, AccountOutcome):
                store_audit(cache, event)

        plan = AuditPlan(ScanOptions(posts=100), api_url=server.url, token=TOKEN, yes=True)
        run = run_audits(
            [parse_handle(handle)],
            plan,
            http=http,
            model=model,
            on_event=stored,
            previous=lambda p, h: previous_scan(cache, p, h),
        )
    (outcome,) = run.outcomes
    assert outcome.audit is not None, outcome.error
    return outcome


def line(
    name: str, n: int, what: str, counted: dict[str, int], spent: float, full: dict[str, int]
) -> str:
    """Return one scan's figures; the shares are of the full scan's requests, all of them and
    those that depend on the followers (pages and profiles: not the lookup and the posts,
    which every scan makes)."""
    total = sum(counted.values())
    parts = "/".join(str(counted[k]) for k in ("lookup", "followers", "profiles", "posts"))
    dollars = f"${spent:,.2f}" if name == "X" else "-"
    share = listing = ""
    if counted is not full:
        share = f"{total / sum(full.values()):.1%}"
        followers = counted["followers"] + counted["profiles"]
        listing = f"{followers / (full['followers'] + full['profiles']):.1%}"
    return (
        f"{name:9} {n:>7,} {what:>5} {total:>5,} {parts:>13} {dollars:>8} {share:>6} {listing:>6}"
    )


def main() -> None:
    model = load_model()
    print(
        f"{'':9} {'':>7} {'':>5} {'':>5} {'lookup/pages/':>13} {'':>8} {'of full':>13}"
        f"{'new':>7}  {'questionable among new':<23} {'bought':>6}"
    )
    print(
        f"{'platform':9} {'follow.':>7} {'scan':>5} {'reqs':>5} {'profiles/posts':>13} "
        f"{'dollars':>8} {'reqs':>6} {'pages':>6}{'':7}  {'(95% interval)':<23}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for name, make, handle, n in CASES:
            first = Path(folder) / f"{name}.sqlite3"
            with make(n=n) as server:
                outcome = scan(server, handle, first, model)
                full = kinds(server)
            assert outcome.audit is not None
            print(line(name, n, "full", full, outcome.audit.scan.stats.spent, full))
            for growth in GROWTH:
                added = round(n * growth)
                bought = round(added * BOUGHT)
                again = Path(folder) / f"{name}-{growth}.sqlite3"
                shutil.copyfile(first, again)
                with make(n=n, added=added, added_bought=bought) as server:
                    outcome = scan(server, handle, again, model)
                    counted = kinds(server)
                audit = outcome.audit
                assert audit is not None and audit.since_last is not None
                since = audit.since_last
                share = since.summary.share_questionable
                interval = f"{share.estimate:.1%} ({share.low:.1%}-{share.high:.1%})"
                print(
                    line(name, n, f"+{growth:.0%}", counted, audit.scan.stats.spent, full)
                    + f" {since.new_followers:>6,}  {interval:<23} {bought / added:>6.1%}"
                )


if __name__ == "__main__":
    main()
