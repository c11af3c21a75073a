"""How close the scan plan comes to what the scan then does, against the test fake servers.

    python benchmarks/plan_accuracy.py

Runs ``followaudit.run_audits`` (``yes=True``, no cache) against the fake X,
Bluesky and Mastodon servers of ``tests/fakes`` (real HTTP on 127.0.0.1) at
several sizes, and prints for each: the requests the plan announced (the
lookup included) against those made, and on X the dollars it announced
(at most) against followaudit's reckoning of what the requests returned.
No request leaves this machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakes.bluesky_server import BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.handles import parse_handle
from followaudit.live.audit import AuditPlan, PlanReady, RunEvent, run_audits
from followaudit.live.http import Http
from followaudit.live.scan import ScanOptions
from followaudit.model.forest import load_model

CASES = [
    ("X", XServer, "@subject", 50, ScanOptions(posts=100)),
    ("X", XServer, "@subject", 2_500, ScanOptions(posts=100)),
    ("X", XServer, "@subject", 2_500, ScanOptions(posts=100, max_followers=500)),
    ("Bluesky", BlueskyServer, "subject.bsky.social", 250, ScanOptions(posts=100)),
    ("Bluesky", BlueskyServer, "subject.bsky.social", 2_500, ScanOptions(posts=100)),
    ("Bluesky", BlueskyServer, "subject.bsky.social", 2_500, ScanOptions(posts=100, sample=500)),
    ("Mastodon", MastodonServer, "@subject@example.social", 250, ScanOptions(posts=100)),
    ("Mastodon", MastodonServer, "@subject@example.social", 2_500, ScanOptions(posts=100)),
]


def main() -> None:
    model = load_model()
    print(
        f"{'platform':9} {'followers':>9} {'options':24} {'planned':>8} {'made':>5} "
        f"{'$ at most':>10} {'$ reckoned':>11}"
    )
    for name, server_class, text, n, options in CASES:
        plans: list[PlanReady] = []

        def keep(event: RunEvent, plans: list[PlanReady] = plans) -> None:
            if isinstance(event, PlanReady):
                plans.append(event)

        with server_class(n=n) as server, Http() as http:
            plan = AuditPlan(options, api_url=server.url, token=TOKEN, yes=True)
            run = run_audits([parse_handle(text)], plan, http=http, model=model, on_event=keep)
            made = server.total
        (audit,) = run.audits
        planned = plans[0].plan
        flags = []
        if options.sample:
            flags.append(f"--sample {options.sample}")
        if options.max_followers:
            flags.append(f"--max-followers {options.max_followers}")
        money = planned.bills
        print(
            f"{name:9} {n:>9,} {' '.join(flags) or '-':24} {planned.requests:>8,} {made:>5,} "
            f"{f'${planned.dollars:,.2f}' if money else '-':>10} "
            f"{f'${audit.scan.stats.spent:,.2f}' if money else '-':>11}"
        )


if __name__ == "__main__":
    main()
