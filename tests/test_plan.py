"""The plan before the expensive part of a scan, the thresholds that ask, and the hard ceilings.

Against the fake servers: every refusal happens after the account lookup
alone (one request, asserted), and no run crosses --max-cost or
--max-requests, whatever the server does.
"""

from __future__ import annotations

import json

import pytest
from clirun import run, run_flat
from fakes import Faults
from fakes.bluesky_server import SUBJECT_DID, BlueskyServer
from fakes.hostile import no_waiting
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

import followaudit.cli.commands
from followaudit.errors import Cancelled, ExitCode, LimitReached, UsageError
from followaudit.handles import parse_handle
from followaudit.live.audit import AuditPlan, run_audits
from followaudit.live.budget import Budget, Ceilings, Charge
from followaudit.live.http import Http
from followaudit.live.plan import RunPlan, Thresholds, plan_account, suggest
from followaudit.live.platforms.base import Subject
from followaudit.live.scan import ScanOptions
from followaudit.model.forest import load_model

FOLLOWERS = "/2/users/1001/followers"


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    monkeypatch.setenv("COLUMNS", "80")
    # The tests run off a terminal, as CI does, unless one says otherwise.
    monkeypatch.setattr(followaudit.cli.commands, "_interactive", lambda: False)


def scan(capsys, server, handle, *more):
    """Return (exit code, stdout, stderr) of scanning ``handle`` on ``server``, without a cache."""
    return run_flat(capsys, "scan", handle, "--api-url", server.url, "--no-cache", *more)


def subject(platform: str, followers: int | None, *, order_known: bool = False) -> Subject:
    return Subject(platform, "1", "someone", "", followers, "", order_known)


# -- the arithmetic ------------------------------------------------------------


def test_x_plan_counts_pages_and_dollars():
    plan = plan_account(subject("x", 10_000, order_known=True), ScanOptions(posts=100))
    assert plan.requests == {"followers": 10, "profiles": 0, "posts": 1}
    # 10,000 users at $0.01, and 100 posts with what they reference at most $0.025 each.
    assert plan.dollars == pytest.approx(100.0 + 2.5)
    run_plan = RunPlan([plan], ScanOptions(posts=100), made=1, spent=0.01)
    assert run_plan.requests == 12
    assert run_plan.dollars == pytest.approx(102.51)
    assert run_plan.wait_seconds == 0
    assert run_plan.over(Thresholds()) == ["up to $102.51 (more than $5.00)"]


def test_bluesky_plan_of_a_big_account_needs_profiles_and_rate_limit_time():
    plan = plan_account(subject("bluesky", 300_000), ScanOptions(posts=100))
    assert plan.requests == {"followers": 3_000, "profiles": 12_000, "posts": 1}
    run_plan = RunPlan([plan], ScanOptions(posts=100), made=1)
    # 15,001 requests at 3,000 per 5 minutes: five more windows.
    assert run_plan.wait_seconds == 5 * 300
    assert not run_plan.bills
    assert run_plan.over(Thresholds()) == [
        "15,002 requests (more than 2,000)",
        "25 min of rate-limit waits (more than 15 min)",
    ]


def test_a_sample_saves_bluesky_profile_requests_but_not_the_listing():
    plan = plan_account(subject("bluesky", 50_000), ScanOptions(sample=1000))
    assert plan.requests == {"followers": 500, "profiles": 40, "posts": 0}


def test_mastodon_requests_share_one_limit_per_server():
    plans = [
        plan_account(subject("mastodon", 100_000), ScanOptions(posts=100), "a.social"),
        plan_account(subject("mastodon", 100_000), ScanOptions(posts=100), "b.social"),
    ]
    # 1,250 list pages and 3 post pages each: 1,253 at 300 per 5 min is 4 windows of waits.
    assert [p.total_requests for p in plans] == [1_253, 1_253]
    assert RunPlan(plans[:1], ScanOptions()).wait_seconds == 4 * 300
    # Two servers: two allowances, waited one after the other.
    assert RunPlan(plans, ScanOptions()).wait_seconds == 8 * 300
    same = [
        plans[0],
        plan_account(subject("mastodon", 100_000), ScanOptions(posts=100), "a.social"),
    ]
    # One server: 2,506 requests share it, 8 windows.
    assert RunPlan(same, ScanOptions()).wait_seconds == 8 * 300


def test_the_suggestion_fits_and_says_what_it_costs():
    x = subject("x", 10_000, order_known=True)
    found = suggest([(x, "")], ScanOptions(posts=100), Thresholds(), made=1, spent=0.01)
    assert found is not None and found.flags == "--max-followers 200"
    assert "the newest 200 followers" in found.why
    assert RunPlan([plan_account(x, found.options)], found.options, 1, 0.01).dollars <= 5
    sky = subject("bluesky", 150_000)
    found = suggest([(sky, "")], ScanOptions(posts=100), Thresholds(), made=1)
    # Listing 150,000 alone is 1,500 requests: a sample fits (1,500 + 40 + 1 + 1).
    assert found is not None and found.flags == "--sample 1000"
    huge = subject("bluesky", 30_000_000)
    found = suggest([(huge, "")], ScanOptions(posts=100), Thresholds(), made=1)
    assert found is not None and found.flags == "--max-followers 1000"
    assert "not a sample of all" in found.why


# -- the budget at the HTTP choke point ------------------------------------------


def test_budget_refuses_the_request_that_would_cross_a_ceiling():
    budget = Budget(Ceilings(max_requests=2, max_cost=1.0))
    budget.take_request()
    budget.take_request()
    with pytest.raises(LimitReached, match="--max-requests 2"):
        budget.take_request()
    assert budget.requests == 2
    charge = Charge(0.6, lambda data: 0.1 * len(data))
    budget.hold(charge)
    with pytest.raises(LimitReached, match=r"--max-cost \$1.00"):
        budget.hold(charge)  # 0.6 held + 0.6 > 1.0, though only 0.3 may be spent
    budget.settle(charge, [1, 2, 3])
    assert budget.spent == pytest.approx(0.3)
    assert budget.affordable(0.1) == 7
    budget.hold(charge)  # 0.3 + 0.6 fits now


# -- the command line, against the fake servers ------------------------------------


def test_off_a_terminal_a_costly_x_scan_is_refused_after_the_lookup_alone(capsys):
    with XServer(n=2_500) as server:
        code, out, err = scan(capsys, server, "@subject")
        assert server.total == 1 and server.requests[FOLLOWERS] == 0
    assert code == ExitCode.USAGE
    assert out == ""
    assert "Plan for @subject on X: 2,500 followers; list them all (3 requests)" in err
    assert (
        "Error: this scan needs up to $27.51 (more than $5.00): add --yes to go ahead, or cut "
        "it down: --max-followers 200 lists only the newest 200 followers" in err
    )


def test_with_yes_the_planned_requests_are_made_and_the_bill_reported(capsys, tmp_path):
    out_json = tmp_path / "scan.json"
    with XServer(n=2_500) as server:
        code, _, err = scan(capsys, server, "@subject", "--yes", "--json", out_json)
        # The plan said 3 follower pages and 1 page of posts after the lookup.
        assert server.total == 1 + 3 + 1
    assert code == ExitCode.OK, err
    assert "Total: 4 more requests (1 made to look up the account)" in err
    made = json.loads(out_json.read_text())["audits"][0]["requests"]
    # 2,500 users listed, the subject looked up, 12 posts (the fake serves 12): $25.07.
    assert made["made"] == 5 and made["dollars"] == pytest.approx(25.01 + 12 * 0.005)


def test_the_suggested_command_runs_without_asking(capsys):
    with XServer(n=2_500) as server:
        code, _, err = scan(capsys, server, "@subject", "--max-followers", 200)
        assert server.total == 1 + 1 + 1
    assert code == ExitCode.OK, err
    assert "Plan for @subject on X: 2,500 followers; list 200 (1 request)" in err


@pytest.mark.parametrize(
    ("answer", "expected", "requests"),
    [("n\n", ExitCode.CANCELLED, 1), ("\n", ExitCode.CANCELLED, 1), ("y\n", ExitCode.OK, 5)],
)
def test_on_a_terminal_the_plan_asks(capsys, monkeypatch, answer, expected, requests):
    import io

    monkeypatch.setattr(followaudit.cli.commands, "_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    with XServer(n=2_500) as server:
        code, _, err = run(capsys, "scan", "@subject", "--api-url", server.url, "--no-cache")
        assert server.total == requests
    assert code == expected, err
    assert "Go ahead? [y/N]" in err
    if expected == ExitCode.CANCELLED:
        assert err.rstrip().endswith(
            "Cancelled; only the account lookup was made, no follower was listed"
        )
        assert "Interrupted" not in err


def test_the_quickest_command_cannot_start_a_huge_bluesky_scan(capsys):
    # bsky.app has tens of millions of followers: 300,000 list requests and more.
    with BlueskyServer(n=30, followers_count=30_000_000) as server:
        code, out, err = scan(capsys, server, "subject.bsky.social")
        assert server.total == 1
    assert code == ExitCode.USAGE
    assert out == ""
    assert "list them all (300,000 requests), fetch 30,000,000 profiles, 25 a request" in err
    assert "--max-followers 1000 lists only the first 1,000 followers (not a sample of all" in err


def test_a_small_bluesky_scan_prints_its_plan_and_runs(capsys):
    with BlueskyServer(n=250) as server:
        code, _, err = scan(capsys, server, "subject.bsky.social")
        # 1 lookup, 3 pages of followers, 10 of profiles, 1 of posts: as planned.
        assert server.total == 1 + 3 + 10 + 1
    assert code == ExitCode.OK, err
    assert (
        "Plan for subject.bsky.social on Bluesky: 250 followers; list them all (3 requests), "
        "fetch 250 profiles, 25 a request (10 requests), read its latest 100 posts (1 request)."
        in err
    )
    assert "Total: 14 more requests (1 made to look up the account), no rate-limit wait" in err
    assert "free." in err


def test_an_account_of_unknown_size_is_asked_about(capsys):
    with BlueskyServer(n=250, count_hidden=True) as server:
        code, _, err = scan(capsys, server, "subject.bsky.social")
        assert server.total == 1
        assert code == ExitCode.USAGE
        assert "no follower count given by the platform; list them all (as many" in err
        assert "a scan of unknown size (subject.bsky.social: the platform gives no" in err
        assert "--max-followers 1000" in err
        # With a bound, it runs: 3 pages of followers, 10 of profiles, the posts.
        server.reset_counts()
        code, _, err = scan(capsys, server, "subject.bsky.social", "--max-followers", 1000)
        assert code == ExitCode.OK, err
        assert server.total == 1 + 3 + 10 + 1


def test_a_slow_mastodon_scan_asks_because_of_the_rate_limit_time(capsys):
    # 100,000 followers at 80 a page: 1,250 requests, 20 min at 300 per 5 min.
    with MastodonServer(n=30, followers_count=100_000) as server:
        code, _, err = scan(capsys, server, "@subject@example.social")
        assert server.total <= 2  # the lookup (and WebFinger when asked)
    assert code == ExitCode.USAGE
    assert "of rate-limit waits (more than 15 min)" in err


def test_a_plan_above_max_cost_is_refused_before_listing(capsys):
    with XServer(n=2_500) as server:
        code, _, err = scan(capsys, server, "@subject", "--max-cost", 10)
        assert server.total == 1
    assert code == ExitCode.USAGE
    assert "up to $27.51, above --max-cost $10.00, so it would stop part-way" in err
    # The suggestion fits the ceiling, not only the $5 threshold.
    assert "--max-followers 500 lists only the newest 500 followers" in err


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "ten"])
def test_a_max_cost_that_is_not_a_sum_of_money_is_refused_before_any_request(capsys, value):
    with XServer(n=50) as server:
        code, _, err = scan(capsys, server, "@subject", "--max-cost", value)
        assert server.total == 0
    assert code == ExitCode.USAGE
    assert "--max-cost" in err and "Traceback" not in err
    with pytest.raises(ValueError):
        Ceilings(max_cost=float("nan"))


def test_a_plan_within_max_cost_runs_without_asking(capsys):
    with XServer(n=500) as server:
        code, _, err = scan(capsys, server, "@subject", "--max-cost", 8)
        assert server.total == 3
    assert code == ExitCode.OK, err


def test_max_cost_is_never_crossed_when_the_count_lies(capsys, tmp_path):
    # The platform reports 500 followers but lists 2,500: the plan ($5.01) fits $15,
    # the listing does not. The second page asks only for what is left of $15.
    out_json = tmp_path / "scan.json"
    cache = tmp_path / "cache.sqlite3"
    with XServer(n=2_500, followers_count=500) as server:
        args = ["scan", "@subject", "--api-url", server.url, "--cache", cache, "--no-posts"]
        code, _, err = run_flat(capsys, *args, "--max-cost", 15, "--json", out_json)
        sizes = [t.split("max_results=")[1].split("&")[0] for t in server.log if FOLLOWERS in t]
        assert sizes == ["1000", "499"]
        assert code == ExitCode.LIMIT_REACHED, err
        # $0.01 for the lookup and 1,499 users: exactly the ceiling, and no request more.
        assert "Error: Stopped at --max-cost $15.00: $15.00 spent so far" in err
        assert "kept in the cache, so the same command with a higher ceiling continues" in err
        errors = json.loads(out_json.read_text())["errors"]
        assert errors[0]["exit_name"] == "LIMIT_REACHED"

        # The same command with a higher ceiling continues: the lookup and the full
        # first page come from the cache; only the page that was cut short is asked again.
        server.reset_counts()
        code, _, err = run_flat(capsys, *args, "--max-cost", 30, "--yes")
        assert code == ExitCode.OK, err
        assert server.log == [server.log[0]] and "pagination_token=" in server.log[0]
        assert "list them all (1 request after 1 page in the cache)" in err
        assert "The cache answered the lookup: the follower pages it holds are not" in err


def test_max_requests_is_never_crossed_by_retries(capsys, monkeypatch):
    no_waiting(monkeypatch)
    planned = 2  # the lookup and one follower page
    with XServer(n=50, faults=Faults(unavailable_at={2})) as server:
        code, _, err = scan(capsys, server, "@subject", "--no-posts", "--max-requests", planned)
        # The 503 took the second request; its retry would be a third: never sent.
        assert server.total == 2
    assert code == ExitCode.LIMIT_REACHED
    assert "Stopped at --max-requests 2" in err


def test_a_plan_above_max_requests_is_refused_even_with_yes(capsys):
    with BlueskyServer(n=300) as server:
        code, _, err = scan(capsys, server, "subject.bsky.social", "--max-requests", 10, "--yes")
        assert server.total == 1
    assert code == ExitCode.USAGE
    assert "17 requests, above --max-requests 10" in err
    assert "--sample 100 scores a uniform random sample of 100 followers" in err


def test_the_plan_covers_every_handle_of_a_batch(capsys):
    # Two accounts of 25,000 followers: 1,251 requests each, under 2,000; 2,504 together.
    with BlueskyServer(n=30, followers_count=25_000) as server:
        code, _, err = run_flat(
            capsys,
            "scan",
            "subject.bsky.social",
            SUBJECT_DID,
            "--api-url",
            server.url,
            "--no-cache",
        )
        assert server.total == 2  # the two lookups, nothing listed
    assert code == ExitCode.USAGE
    assert err.count("Plan for subject.bsky.social on Bluesky: 25,000 followers") == 2
    assert "In all: 2,502 more requests (2 made to look up the accounts)" in err
    assert "this scan needs 2,504 requests (more than 2,000)" in err


def test_two_accounts_are_judged_together():
    # Each alone: 300 users and 100 posts, $5.51 at most: together $11.02.
    x = subject("x", 300, order_known=True)
    plan = RunPlan(
        [plan_account(x, ScanOptions(posts=100)), plan_account(x, ScanOptions(posts=100))],
        ScanOptions(posts=100),
        made=2,
        spent=0.02,
    )
    assert plan.over(Thresholds()) == ["up to $11.02 (more than $5.00)"]
    assert plan.lines()[-1].startswith("In all: 4 more requests (2 made to look up the accounts)")


def test_when_the_posts_alone_are_too_dear_the_suggestion_drops_them():
    # Two X accounts: their own posts alone are up to $5.00, so no --max-followers fits $5.
    x = subject("x", 300, order_known=True)
    found = suggest([(x, ""), (x, "")], ScanOptions(posts=100), Thresholds(), made=2, spent=0.02)
    assert found is not None
    assert found.flags == "--no-posts --max-followers 200"
    assert found.why == (
        "skips the accounts' own posts (no behaviour findings) and lists only the newest "
        "200 followers (4 requests in all, up to $4.02)"
    )
    # --fail-on judges the posts: then nothing fits, and the refusal says what would.
    kept = suggest(
        [(x, ""), (x, "")], ScanOptions(posts=100), Thresholds(), 2, 0.02, drop_posts=False
    )
    assert kept is None


def test_off_a_terminal_a_batch_refusal_gives_numbers(capsys):
    with BlueskyServer(n=30) as server:
        code, _, err = scan(capsys, server, "subject.bsky.social", SUBJECT_DID, "--max-requests", 3)
        assert server.total == 2  # the two lookups, nothing listed
    assert code == ExitCode.USAGE
    assert err.endswith(
        "Error: this scan would need 10 requests, above --max-requests 3, so it would stop "
        "part-way: cut it down (audit fewer accounts per run, as even --max-followers 1 "
        "--no-posts needs 6 requests for these 2 accounts, lookups included) or raise the "
        "ceiling; no follower was listed"
    )
    assert "N lists fewer followers" not in err


def test_a_refusal_suggests_no_posts_where_posts_are_the_cost_but_not_with_fail_on(capsys):
    with XServer(n=300) as server:
        code, _, err = scan(capsys, server, "@subject", "--max-cost", 2)
        assert code == ExitCode.USAGE
        assert (
            "cut it down (--no-posts --max-followers 100 skips the account's own posts (no "
            "behaviour findings) and lists only the newest 100 followers (2 requests in all, "
            "up to $1.01)) or raise the ceiling"
        ) in err
        code, _, err = scan(
            capsys, server, "@subject", "--max-cost", 2, "--fail-on", "self-promotion"
        )
    assert code == ExitCode.USAGE
    assert "--no-posts" not in err
    assert (
        "cut it down (even --max-followers 1 needs 3 requests and up to $2.52, the lookup "
        "included) or raise the ceiling"
    ) in err


# -- the library ------------------------------------------------------------------


def test_run_audits_asks_through_confirm_and_refuses_without_it():
    handle = parse_handle("subject.bsky.social")
    model = load_model()
    with BlueskyServer(n=30, followers_count=300_000) as server:
        plan = AuditPlan(api_url=server.url, raise_errors=True)
        asked = []

        def no(run_plan):
            asked.append(run_plan.requests)
            return False

        with Http() as http, pytest.raises(Cancelled, match="only the account lookup"):
            run_audits([handle], plan, http=http, model=model, confirm=no)
        assert asked == [15_001]
        with Http() as http, pytest.raises(UsageError, match="add --yes"):
            run_audits([handle], plan, http=http, model=model)
        assert server.total == 2


def test_each_account_counts_its_own_lookup_though_lookups_come_first(capsys, tmp_path):
    out_json = tmp_path / "scan.json"
    with BlueskyServer(n=30) as server:
        code, _, err = run_flat(
            capsys,
            "scan",
            "subject.bsky.social",
            SUBJECT_DID,
            "--api-url",
            server.url,
            "--no-cache",
            "--json",
            out_json,
        )
        assert server.total == 2 * (1 + 1 + 2 + 1)
    assert code == ExitCode.OK, err
    made = [a["requests"]["made"] for a in json.loads(out_json.read_text())["audits"]]
    # Lookup, one page of followers, two of profiles, one of posts: each its own.
    assert made == [5, 5]


def test_an_interrupted_scan_run_again_within_a_day_is_planned_from_the_cache(
    capsys, tmp_path, monkeypatch
):
    cache = tmp_path / "cache.sqlite3"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C once every follower is listed: no scan is stored

    with XServer(n=2_500) as server:
        args = ["scan", "@subject", "--api-url", server.url, "--cache", cache]
        with monkeypatch.context() as patched:
            patched.setattr("followaudit.live.scan._subject_posts", interrupted)
            code, _, err = run_flat(capsys, *args, "--yes")
        assert code == ExitCode.INTERRUPTED, err
        server.reset_counts()
        # Off a terminal and without --yes: the listing is in the cache, so the plan is
        # the posts alone ($2.50 at most, under $5) and it runs without asking.
        code, _, err = run_flat(capsys, *args)
        assert server.total == 1  # the posts
    assert code == ExitCode.OK, err
    assert "list them all (all 3 pages in the cache)" in err
    assert "up to $2.50 at X's 2026 prices" in err


def test_a_finished_scan_run_again_is_planned_as_a_rescan(capsys, tmp_path):
    # Issue 19: the stored scan makes it a rescan, planned from the count's change and
    # never read from the cache; a day later, the same holds with the posts read again.
    cache = tmp_path / "cache.sqlite3"
    with XServer(n=2_500) as server:
        args = ["scan", "@subject", "--api-url", server.url, "--cache", cache]
        code, _, err = run_flat(capsys, *args, "--yes")
        assert code == ExitCode.OK, err
        server.reset_counts()
        server.add_followers(50)
        code, _, err = run_flat(capsys, *args)
        # The lookup and one page of 95 followers (50 new, 45 to find the overlap): the
        # posts come from the cache.
        assert server.total == 2
        assert server.log[1].split("?")[1].startswith("max_results=95&")
    assert code == ExitCode.OK, err
    assert ("Plan for @subject on X: 2,550 followers; rescan since the last scan (") in err
    assert (
        "2,500 followers): list the newest until its followers begin, 50 new followers by the "
        "counts (1 request), read its latest 100 posts (1 request); up to $3.45."
    ) in err


def test_a_cached_lookup_without_cached_pages_says_so(capsys, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    with XServer(n=2_500) as server:
        args = ["scan", "@subject", "--api-url", server.url, "--cache", cache]
        code, _, _ = run_flat(capsys, *args)
        assert code == ExitCode.USAGE and server.total == 1  # refused after the lookup
        code, _, err = run_flat(capsys, *args, "--max-followers", 200)
    assert code == ExitCode.OK, err
    assert (
        "The cache answered the lookup but holds no follower page; any profiles or posts "
        "it holds make the run cheaper than this."
    ) in err
    assert "the follower pages it holds" not in err


def test_the_docs_show_the_plan_as_the_tool_prints_it():
    from docpages import page, section
    from rich.console import Console

    from followaudit.cli.progress import RunView
    from followaudit.live.audit import PlanReady

    plan = section(page("platforms"), "## The plan and the bill")
    shown = plan.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    guru = Subject("x", "1", "guru", "", 10_000, "", True)
    options = ScanOptions(posts=100)
    run_plan = RunPlan([plan_account(guru, options)], options, made=1, spent=0.01)
    over = run_plan.over(Thresholds())
    found = suggest([(guru, "")], options, Thresholds(), made=1, spent=0.01)
    console = Console(record=True, width=80, force_terminal=False)
    RunView(console, console, progress=False, quiet=False, top=10).show_plan(
        PlanReady(run_plan, over, found)
    )
    assert console.export_text().splitlines() == shown[:-1]
    assert shown[-1] == "Go ahead? [y/N]:"


def test_declining_a_batch_says_how_many_lookups_were_made(capsys, monkeypatch):
    import io

    monkeypatch.setattr(followaudit.cli.commands, "_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    with BlueskyServer(n=30, followers_count=25_000) as server:
        code, _, err = scan(capsys, server, "subject.bsky.social", SUBJECT_DID)
        assert server.total == 2
    assert code == ExitCode.CANCELLED
    assert err.endswith(
        "Cancelled; only the lookups were made (2 requests), no follower was listed"
    )


def test_a_handle_in_the_plan_cannot_drive_the_terminal():
    from rich.console import Console

    from followaudit.cli.progress import RunView
    from followaudit.live.audit import PlanReady

    # A server names the account with an escape sequence and gives no follower count.
    hostile = Subject("bluesky", "1", "evil\x1b[2J.example", "", None, "", False)
    options = ScanOptions(posts=100)
    run_plan = RunPlan([plan_account(hostile, options)], options, made=1)
    console = Console(record=True, width=200, force_terminal=False)
    RunView(console, console, progress=False, quiet=False, top=10).show_plan(
        PlanReady(run_plan, run_plan.over(Thresholds()), None)
    )
    text = console.export_text()
    assert "\x1b" not in text
    assert "a scan of unknown size (evil␛[2J.example" in text


def test_a_rescan_above_a_threshold_asks_as_any_scan(capsys, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    with XServer(n=2_500) as server:
        args = ["scan", "@subject", "--api-url", server.url, "--cache", cache]
        assert run_flat(capsys, *args, "--yes")[0] == ExitCode.OK
        server.add_followers(300)
        server.reset_counts()
        # 345 users ($3.45) and the posts ($2.50 at most): above $5, so off a terminal it
        # is refused after the lookup alone; the cheaper option is a rescan's own.
        code, _, err = run_flat(capsys, *args)
        assert server.total == 1
    assert code == ExitCode.USAGE
    assert err.endswith(
        "Error: this scan needs up to $5.96 (more than $5.00): add --yes to go ahead, or cut it "
        "down: --no-posts does not read the accounts' own posts"
    )
