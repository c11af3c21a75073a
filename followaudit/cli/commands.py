"""The command line: parse options, call the core, render, map errors to exit codes."""

from __future__ import annotations

import math
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import click
from rich.console import Console
from rich.markup import escape

from followaudit import __version__
from followaudit.cli.safe_text import visible

# Every command prints through a console that shows control characters from the
# data as visible stand-ins (followaudit.cli.safe_text), never raw.
from followaudit.cli.terminal import make_console
from followaudit.errors import (
    EXIT_CODE_MEANINGS,
    Cancelled,
    ExitCode,
    FollowauditError,
    InputError,
    OutputError,
    UsageError,
)
from followaudit.handles import PLATFORMS
from followaudit.outputs.destinations import Exports, open_export, silence_stdout

if TYPE_CHECKING:
    # Types only: the modules load when a command first needs them, so --help stays instant.
    import pandas as pd

    from followaudit.handles import Handle
    from followaudit.live.audit import RunResult
    from followaudit.live.cache import Cache
    from followaudit.live.plan import RunPlan


EXIT_CODES_HELP = "\b\nExit codes:\n" + "\n".join(
    f"  {code.value:>3}  {code.name:<13} {EXIT_CODE_MEANINGS[code]}" for code in ExitCode
)

INTERRUPTED_MESSAGE = (
    "Interrupted. Everything fetched so far is kept in the cache: run the same command "
    "again to resume without fetching it twice."
)


def parse_as_of(value: str | None) -> datetime:
    """Return the observation time from --as-of (a date or ISO date-time), default now (UTC)."""
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--as-of {value!r} is not a date: use YYYY-MM-DD or an ISO 8601 date-time"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed > datetime.now(UTC):
        # Ages measured from a future date would make every account look older.
        raise UsageError(f"--as-of {value} is in the future: give the date the profiles were saved")
    return parsed


@contextmanager
def output(target: str) -> Iterator[IO[str]]:
    """Yield a text stream for an output option; '-' is stdout (see followaudit.outputs.destinations)."""
    with open_export(target) as stream:
        yield stream


# Options shared by several commands: one definition, one help text.
model_option = click.option(
    # No click.Path check: a folder or unreadable file is a MODEL error (4), as documented.
    "--model",
    "model_path",
    metavar="PATH",
    help="Model file to use instead of the shipped one.",
)
top_option = click.option(
    "--top",
    type=click.IntRange(0),
    default=10,
    show_default=True,
    help="How many of the most questionable accounts to list.",
)


if TYPE_CHECKING:
    _FloatParam = click.ParamType[float, Any]
else:  # click 8.1, which pyproject allows, has no generic ParamType to subscript at run time
    _FloatParam = click.ParamType


class Percent(_FloatParam):
    """A percentage from 0 to 100, written 30 or 30%; 1 or less without % is said back.

    ``--fail-above 0.3`` is 0.3%, not 30%: a limit that reads like a fraction
    gets a warning on stderr naming both, so a gate is never silently a
    hundred times stricter than meant.
    """

    name = "percent"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        try:
            number = float(text.removesuffix("%").strip())
        except ValueError:
            self.fail(f"{text!r} is not a percentage: write 30 or 30% for 30%", param, ctx)
        if not (math.isfinite(number) and 0 <= number <= 100):
            self.fail(f"{text!r} is not a percentage from 0 to 100", param, ctx)
        option = param.opts[0] if param is not None and param.opts else "the limit"
        if 0 < number <= 1 and not text.endswith("%"):
            make_console(stderr=True).print(
                f"warning: {option} {escape(text)} means {number:g}%, not {100 * number:g}% "
                f"(a percentage, not a fraction): write {option} {100 * number:g} for "
                f"{100 * number:g}%, or {number:g}% to keep this limit without this warning",
                style="yellow",
                highlight=False,
                soft_wrap=True,
            )
        return number


fail_above_option = click.option(
    "--fail-above",
    type=Percent(),
    metavar="PCT",
    help="Exit with code 10 (GATE_FAILED) when the share questionable is above PCT percent "
    "(30 or 30%). The LOWER bound of the 95% interval is compared, not the estimate, so "
    "an account fails only when the data show it is above the limit and a small or noisy "
    "sample cannot fail it by chance.",
)


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="followaudit")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def cli(debug: bool) -> None:
    """Estimate how many of an account's followers are authentic.

    Score a follower file you already have (score), fetch and audit a live
    account on X, Bluesky or Mastodon (scan), and rebuild or check the model
    (train, evaluate).
    """


@cli.command(epilog=EXIT_CODES_HELP)
# No click.Path check: a folder or unreadable file is an INPUT error (3), as documented.
@click.argument("file")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["auto", "x-v2", "x-v1", "bluesky", "mastodon", "csv"]),
    default="auto",
    show_default=True,
    help="Input format; auto-detected from the file's structure and keys by default.",
)
@click.option(
    "--as-of",
    metavar="DATE",
    help="When the profiles were observed (YYYY-MM-DD or ISO date-time, UTC); "
    "account age is measured at this time. Default: now. Set it for historical dumps.",
)
@model_option
@click.option(
    "--csv",
    "csv_out",
    metavar="PATH",
    help="Write one row per account as CSV ('-' = stdout). A text cell starting with "
    "= + - or @ (every @handle) gets a leading ' for spreadsheet safety; --json keeps "
    "text as it is.",
)
@click.option(
    "--json",
    "json_out",
    metavar="PATH",
    help="Write the report and all accounts as JSON ('-' = stdout).",
)
@click.option(
    "--parquet",
    "parquet_out",
    metavar="PATH",
    help="Write one row per account as Parquet, typed columns (needs pyarrow).",
)
@fail_above_option
@top_option
@click.option("--quiet", "-q", is_flag=True, help="Print no report (exports and exit code only).")
def score(
    file: str,
    format_: str,
    as_of: str | None,
    model_path: str | None,
    csv_out: str | None,
    json_out: str | None,
    parquet_out: str | None,
    fail_above: float | None,
    top: int,
    quiet: bool,
) -> None:
    """Score every account in FILE as authentic or questionable.

    FILE holds follower profiles: X API v2 or v1.1 user objects (JSON, JSONL,
    saved API pages, or flattened CSV), Bluesky profileViewDetailed objects,
    Mastodon Account entities, or followaudit's own CSV columns; or a Parquet
    file of any of these, one field per column. '-' reads standard input.
    """
    check_outputs(csv_out, json_out, parquet_out)
    observed = parse_as_of(as_of)
    # Imported only now: a usage error above answers without loading pandas.
    from followaudit.analysis.gates import fail_above as gate_check
    from followaudit.analysis.summary import model_rates, summarize
    from followaudit.cli.render import score_report
    from followaudit.formats import read_accounts
    from followaudit.model.forest import load_model
    from followaudit.model.scoring import score_table
    from followaudit.outputs.documents import score_document

    if parquet_out:
        from followaudit.formats.frame import require_pyarrow

        require_pyarrow("--parquet")
    model = load_model(Path(model_path) if model_path else None)
    read = read_accounts(file, None if format_ == "auto" else format_, as_of=observed)
    # Reasons are put into words only for the accounts shown or exported.
    rows = score_table(read.table, model, observed, reasons=False)
    summary = summarize(rows, read.skipped, model.threshold, rates=model_rates(model, rows))
    gates = [gate_check(summary, fail_above)] if fail_above is not None else []
    document = None
    if json_out:
        document = score_document(
            path=read.path,
            format=read.format,
            as_of=observed,
            model=model,
            summary=summary,
            gates=gates,
            skipped=read.skipped,
            warnings=read.warnings,
            rows=None,
            duplicates=read.duplicates.to_dict(),
        )
    exports = write_score_exports(
        rows, document, csv_out=csv_out, parquet_out=parquet_out, json_out=json_out
    )
    if not quiet:
        # Data owns stdout when an export goes there; the report moves to stderr.
        score_report(
            make_console(stderr="-" in (csv_out, json_out, parquet_out)),
            summary,
            rows,
            read.skipped,
            title=f"{read.path} ({read.format})",
            top=top,
            warnings=read.warnings,
            gates=gates,
            duplicates=read.duplicates.rows,
        )
    exports.check()
    if not all(g.passed for g in gates):
        raise GateFailed()


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("handles", nargs=-1)
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Read more handles from a file, one per line ('#' starts a comment).",
)
@click.option(
    "--platform",
    type=click.Choice(PLATFORMS),
    help="Platform of the handles; normally picked from the handle's shape.",
)
@click.option(
    "--token",
    metavar="TOKEN",
    help="X API bearer token (default: X_BEARER_TOKEN, then the config file). Never printed or stored.",
)
@click.option(
    "--api-url",
    metavar="URL",
    help="Base URL of the API (proxy, self-hosted AppView, tests); for Mastodon it replaces "
    "the home server. Default: FOLLOWAUDIT_API_URL, else the platform's own. One platform "
    "per run; the X token is sent over plain http only to this machine.",
)
@click.option(
    "--sample",
    type=click.IntRange(1),
    metavar="N",
    help="Score a uniform random sample of N listed followers instead of all.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --sample.")
@click.option(
    "--max-followers",
    type=click.IntRange(1),
    metavar="N",
    help="List at most the first N followers (the newest on X; the estimate then "
    "covers only them).",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False),
    help="Cache database (default: the user cache folder, see `followaudit cache info`).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--refresh", is_flag=True, help="Fetch everything again, ignoring cached answers.")
@click.option(
    "--full",
    is_flag=True,
    help="List every follower even when the account has a stored scan (by default a "
    "rescan lists only the followers new since it and re-uses its scores).",
)
@click.option(
    "--max-wait",
    type=click.FloatRange(0),
    default=900,
    show_default=True,
    metavar="SECONDS",
    help="Longest rate-limit wait to sit out before giving up.",
)
@model_option
@click.option(
    "--csv",
    "csv_out",
    metavar="PATH",
    help="Write one row per scored follower as CSV ('-' = stdout). A text cell starting "
    "with = + - or @ (every @handle) gets a leading ' for spreadsheet safety; --json keeps "
    "text as it is.",
)
@click.option("--json", "json_out", metavar="PATH", help="Write the audit as JSON ('-' = stdout).")
@fail_above_option
@click.option(
    "--fail-new-above",
    type=Percent(),
    metavar="PCT",
    help="Exit with code 10 (GATE_FAILED) when the share questionable among the followers "
    "new since the account's last stored scan is above PCT percent (lower bound of the 95% "
    "interval compared, as for --fail-above). Passes, saying why, without an earlier scan "
    "or with fewer than 10 new followers.",
)
@click.option(
    "--min-authentic",
    type=click.IntRange(0),
    metavar="N",
    help="Exit with code 10 (GATE_FAILED) when the account has fewer than N authentic "
    "followers (upper bound of the 95% interval compared).",
)
@click.option(
    "--fail-on",
    "fail_on_text",
    metavar="FLAG,...",
    help="Exit with code 10 (GATE_FAILED) when the account's own posts raise any of "
    "these behaviour flags: no-interaction, self-promotion, link-only, repost-heavy, "
    "low-engagement, burst-posting (thresholds: docs/outputs.md, Behaviour findings).",
)
@click.option(
    "--summary-csv",
    "summary_out",
    metavar="PATH",
    help="Write one CSV row per audited account (headline, share questionable with "
    "its interval, authentic followers, result) for spreadsheets ('-' = stdout).",
)
@click.option(
    "--junit",
    "junit_out",
    metavar="PATH",
    help="Write JUnit XML, one test case per account, for CI dashboards.",
)
@click.option(
    "--deep",
    type=click.IntRange(1),
    metavar="N",
    help="Also read the latest posts of N scored followers (seeded by --seed) and "
    "add reply_rate, link_ratio and self_promotion_ratio to the CSV and JSON: one "
    "more request per follower, asked for confirmation first.",
)
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Go ahead without asking when the plan is above 2,000 requests, 15 minutes of "
    "rate-limit waits or $5, and before the extra requests of --deep (needed off a "
    "terminal).",
)
@click.option(
    "--max-cost",
    type=click.FloatRange(0),
    metavar="USD",
    help="Never spend more than USD dollars on X (at its 2026 prices): a plan above it is "
    "refused before any follower is listed, and a scan that reaches it stops, keeping "
    "what it fetched in the cache.",
)
@click.option(
    "--max-requests",
    type=click.IntRange(1),
    metavar="N",
    help="Never make more than N API requests in this run (cached answers do not count): "
    "a plan above it is refused, and a scan that reaches it stops, keeping what it "
    "fetched in the cache.",
)
@click.option(
    "--no-posts",
    is_flag=True,
    help="Do not read the account's own recent posts: no behaviour findings, and one "
    "request fewer (three on Mastodon; on X, 100 post reads, $0.50 to $2.50, saved).",
)
@top_option
@click.option("--quiet", "-q", is_flag=True, help="No progress display and no report.")
def scan(
    handles: tuple[str, ...],
    from_file: str | None,
    platform: str | None,
    token: str | None,
    api_url: str | None,
    sample: int | None,
    seed: int,
    max_followers: int | None,
    cache_path: str | None,
    no_cache: bool,
    refresh: bool,
    full: bool,
    max_wait: float,
    model_path: str | None,
    csv_out: str | None,
    json_out: str | None,
    fail_above: float | None,
    fail_new_above: float | None,
    min_authentic: int | None,
    fail_on_text: str | None,
    summary_out: str | None,
    junit_out: str | None,
    deep: int | None,
    yes: bool,
    max_cost: float | None,
    max_requests: int | None,
    no_posts: bool,
    top: int,
    quiet: bool,
) -> None:
    """Fetch the followers of HANDLES and audit them.

    \b
    The platform comes from the handle's shape:
      @name, x.com/name, twitter.com/name          X (needs a bearer token)
      name.bsky.social, a custom domain, did:plc:.., bsky.app/profile/..   Bluesky
      @name@server, https://server/@name            Mastodon
    After looking each account up, the scan prints its plan (requests,
    rate-limit time, cost on X) and asks before a large one (--yes).
    Every answer is cached, so an interrupted scan resumes without
    fetching again; each scan prints the requests made and saved.
    An account scanned before is rescanned: only the followers new since
    its last scan are listed and scored (--full lists them all), and the
    report says how many are new and how questionable they are.
    """
    # Usage is checked before pandas and the model are imported, so a typo costs no wait.
    exports = ScanExports(csv_out, json_out, summary_out, junit_out)
    check_outputs(*exports)
    if no_cache and (refresh or cache_path):
        raise UsageError("--no-cache cannot be combined with --refresh or --cache")
    if max_cost is not None and not math.isfinite(max_cost):
        raise UsageError(f"--max-cost must be a number of dollars, such as 20 (got {max_cost})")
    fail_on = parse_fail_on(fail_on_text, no_posts) if fail_on_text is not None else ()
    parsed = parse_handles(handles, from_file, platform, api_url)
    from followaudit.live.platforms.base import DEEP_POSTS, SUBJECT_POSTS

    if deep:
        confirm_deep(deep, DEEP_POSTS, parsed, yes)  # off a terminal, only with --yes
    from followaudit.analysis.gates import Gates
    from followaudit.cli.progress import RunView
    from followaudit.cli.render import run_answer, summary_rows
    from followaudit.live.audit import AccountOutcome, AuditPlan, RunEvent, run_audits
    from followaudit.live.budget import Ceilings
    from followaudit.live.http import Http
    from followaudit.live.scan import ScanOptions
    from followaudit.model.forest import load_model
    from followaudit.outputs.documents import named_records
    from followaudit.outputs.stored import previous_scan, store_audit

    options = ScanOptions(
        sample=sample,
        seed=seed,
        max_followers=max_followers,
        posts=0 if no_posts else SUBJECT_POSTS,
        deep=deep or 0,
        full=full,
    )
    plan = AuditPlan(
        options,
        Gates(fail_above, min_authentic, fail_on, fail_new_above),
        api_url,
        token,
        raise_errors=len(parsed) == 1 and not exports.list_errors,
        ceilings=Ceilings(max_requests, max_cost),
        yes=yes,
        # Agreed to above, before any request: the plan does not ask about it again.
        deep_agreed=bool(deep),
    )
    model = load_model(Path(model_path) if model_path else None)
    stderr = make_console(stderr=True)
    report_console = make_console(stderr=exports.to_stdout)
    view = RunView(
        stderr, report_console, progress=not quiet and stderr.is_terminal, quiet=quiet, top=top
    )
    cache = None if no_cache else open_scan_cache(cache_path, stderr)

    def on_event(event: RunEvent) -> None:
        # Each finished audit is stored before it is shown: `followaudit report` finds it.
        if cache is not None and isinstance(event, AccountOutcome):
            store_audit(cache, event)
        view(event)

    with Http(cache=cache, refresh=refresh, max_wait=max_wait) as http:
        run = run_audits(
            parsed,
            plan,
            http=http,
            model=model,
            on_event=on_event,
            confirm=confirm_plan if _interactive() else None,
            previous=(lambda p, h: previous_scan(cache, p, h)) if cache is not None else None,
        )
    if len(parsed) > 1 and not quiet:
        # The table, then one line, end the run: what a terminal shows when it is over.
        records = named_records(run.outcomes)
        report_console.print(summary_rows(records))
        report_console.print(run_answer(records), crop=False)
    written = exports.write(run, fail_on, deep=bool(deep), stderr=stderr)
    if cache is not None:
        close_scan_cache(cache, stderr)
    if run.interrupted:
        for failure in written.failures:
            stderr.print(
                f"[bold red]Error:[/] {escape(visible(failure.message))}",
                highlight=False,
                soft_wrap=True,
            )
        raise KeyboardInterrupt
    # The report and every other export are out: now say which export failed.
    written.check()
    if run.exit_code != ExitCode.OK:
        raise ScanFailed(run.exit_code)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("handle")
@click.option(
    "--platform",
    type=click.Choice(PLATFORMS),
    help="Platform of the handle; normally picked from the handle's shape.",
)
@click.option(
    "--html",
    "html_out",
    metavar="FILE",
    help="Write one self-contained HTML file (opens offline in any browser) "
    "instead of printing the report.",
)
@click.option(
    "--json",
    "json_out",
    metavar="PATH",
    help="Write the stored scan as JSON, in the schema of `scan --json` "
    "('-' = stdout), instead of printing the report.",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False),
    help="Cache database the scan was stored in (default: the user cache folder).",
)
@top_option
def report(
    handle: str,
    platform: str | None,
    html_out: str | None,
    json_out: str | None,
    cache_path: str | None,
    top: int,
) -> None:
    """Re-render the latest stored scan of HANDLE, with no API request.

    Every `followaudit scan` stores its result in the cache; this prints it
    again, or writes it as a self-contained HTML file to send to a client
    (with the account's share and followers over its stored scans), or as
    the JSON `scan --json` writes.
    """
    check_outputs(html_out, json_out)
    from followaudit.handles import parse_handle

    parsed = parse_handle(handle, platform)
    from followaudit.cli.render import scan_report
    from followaudit.live.cache import default_cache_path
    from followaudit.outputs.stored import stored_audit

    path = Path(cache_path) if cache_path else default_cache_path()
    document = stored_audit(path, parsed)
    if json_out:
        from followaudit.outputs.documents import scan_document
        from followaudit.outputs.tables import write_json

        with output(json_out) as stream:
            write_json(scan_document([document], []), stream)
        if json_out != "-":
            make_console(stderr=True).print(
                f"Stored scan written to {json_out}", highlight=False, soft_wrap=True
            )
    if html_out:
        from followaudit.outputs.documents import history_entry
        from followaudit.outputs.html_report import render_html, report_data
        from followaudit.outputs.stored import stored_history

        try:
            history = [history_entry(d) for d in stored_history(path, parsed)]
        except InputError:
            # An older scan damaged: the report stands on the latest alone.
            history = [history_entry(document)]
        text = render_html(report_data(document, top=top, history=history))
        with output(html_out) as stream:
            stream.write(text)
        if html_out != "-":
            make_console(stderr=True).print(
                f"Report written to {html_out}", highlight=False, soft_wrap=True
            )
    if not (json_out or html_out):
        scan_report(make_console(), document, top=top, stored=True)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("handle")
@click.option(
    "--platform",
    type=click.Choice(PLATFORMS),
    help="Platform of the handle; normally picked from the handle's shape.",
)
@click.option(
    "--json",
    "json_out",
    metavar="PATH",
    help="Write every stored scan as JSON (schema followaudit.history/1; '-' = stdout) "
    "instead of printing them.",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False),
    help="Cache database the scans were stored in (default: the user cache folder).",
)
def history(
    handle: str, platform: str | None, json_out: str | None, cache_path: str | None
) -> None:
    """Show every stored scan of HANDLE, with no API request.

    One line per scan, oldest first: its date, the followers the platform
    reported, those listed, the share questionable with its 95% interval,
    and the followers new since the scan before with their share; then
    charts of the share and of the follower count over time.
    """
    check_outputs(json_out)
    from followaudit.handles import parse_handle

    parsed = parse_handle(handle, platform)
    from followaudit.live.cache import default_cache_path
    from followaudit.outputs.documents import history_document, history_entry
    from followaudit.outputs.stored import stored_history

    path = Path(cache_path) if cache_path else default_cache_path()
    audits = stored_history(path, parsed)
    entries = [history_entry(a) for a in audits]
    latest = audits[-1]
    if json_out:
        from followaudit.outputs.tables import write_json

        document = history_document(str(latest["handle"]), str(latest["platform"]), entries)
        with output(json_out) as stream:
            write_json(document, stream)
        if json_out != "-":
            make_console(stderr=True).print(
                f"History written to {json_out}", highlight=False, soft_wrap=True
            )
        return
    from followaudit.cli.history import history_report

    history_report(make_console(), str(latest["handle"]), str(latest["platform"]), entries)


@cli.command()
@click.option(
    "--data",
    "data_path",
    type=click.Path(dir_okay=False),
    help="Training table (default: data/training_profiles.csv in the source tree).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Where to write the model (default: the shipped model file).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Training seed.")
def train(data_path: str | None, output: str | None, seed: int) -> None:
    """Rebuild the model from the de-identified training table (deterministic)."""
    from followaudit.model.forest import SHIPPED_MODEL, save_model
    from followaudit.model.training import load_training_table, train_model

    table = load_training_table(Path(data_path) if data_path else None)
    target = Path(output) if output else SHIPPED_MODEL
    if not target.parent.is_dir():
        # Said before the quarter of a minute training takes, not after.
        raise OutputError(f"cannot write {target}: its folder does not exist")
    model = train_model(table, seed=seed)
    try:
        save_model(model, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from None
    make_console().print(
        f"Trained on {len(table):,} accounts; model written to {target}",
        highlight=False,
        soft_wrap=True,
    )


@cli.command()
@click.option(
    "--data",
    "data_path",
    type=click.Path(dir_okay=False),
    help="Labelled table (default: data/training_profiles.csv in the source tree).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fold split.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--probe",
    "probe_path",
    type=click.Path(dir_okay=False),
    help="Spambot probe table (default with the default data: data/spambot_profiles.csv).",
)
@click.option(
    "--quick",
    is_flag=True,
    help="Check the share under shift on 3 held-out pairs with 200 mixtures a cell, not 12 "
    "with 1,000 (for CI; the documented figures come from the full run).",
)
def evaluate(
    data_path: str | None, probe_path: str | None, seed: int, as_json: bool, quick: bool
) -> None:
    """Measure the model on held-out data: the share under shift, unseen sources, baselines."""
    from followaudit.model.evaluation import evaluate as run_evaluation
    from followaudit.model.evaluation import load_probe_table
    from followaudit.model.shift import QUICK_GRID, ShiftGrid
    from followaudit.model.training import load_training_table

    table = load_training_table(Path(data_path) if data_path else None)
    probe = load_probe_table(Path(probe_path)) if probe_path else None
    if probe_path is None and data_path is None:
        probe = load_probe_table()
    grid = QUICK_GRID if quick else ShiftGrid()
    result = run_evaluation(table, seed=seed, probe=probe, grid=grid)
    if as_json:
        from followaudit.outputs.tables import write_json

        write_json(result.to_dict(), sys.stdout)
        return
    from followaudit.cli.evaluation_view import evaluation_tables

    for part in evaluation_tables(result):
        make_console().print(part)


@cli.group()
def cache() -> None:
    """Show or clear the cache of API answers that makes scans resumable."""


@cache.command("info")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False), help="Cache database.")
def cache_info(cache_path: str | None) -> None:
    """Show where the cache lives, how many answers it holds, and their age."""
    from followaudit.live.cache import Cache, default_cache_path

    path = Path(cache_path) if cache_path else default_cache_path()
    console = make_console()
    console.soft_wrap = True  # paths are never wrapped
    if not path.exists():
        console.print(f"Cache: {path} (empty: no scan has run yet)")
        return
    with Cache(path) as store:
        info = store.info()

    def when(epoch: float | None) -> str:
        if epoch is None:
            return "-"
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")

    console.print(f"Cache: {info.path}", highlight=False)
    console.print(
        f"Answers: {info.entries:,} ({info.fresh_entries:,} fresh enough to reuse)   "
        f"Scans: {info.scans:,}   Size: {info.size_bytes / 1e6:.1f} MB",
        highlight=False,
    )
    console.print(f"Oldest: {when(info.oldest)}   Newest: {when(info.newest)}", highlight=False)


@cache.command("clear")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False), help="Cache database.")
@click.option(
    "--scans",
    "include_scans",
    is_flag=True,
    help="Also remove stored scan results (used by reports).",
)
def cache_clear(cache_path: str | None, include_scans: bool) -> None:
    """Remove every cached API answer."""
    from followaudit.live.cache import (
        Cache,
        DamagedCacheError,
        default_cache_path,
        delete_cache_files,
    )

    path = Path(cache_path) if cache_path else default_cache_path()
    if not path.exists():
        make_console().print(f"Cache: {path} is already empty", soft_wrap=True, highlight=False)
        return
    try:
        with Cache(path) as store:
            removed = store.clear(include_scans=include_scans)
            kept = 0 if include_scans else store.stored_scans()
    except DamagedCacheError:
        # Too damaged to clear: it holds nothing that cannot be fetched again, so it is
        # replaced whole by an empty one.
        delete_cache_files(path)
        Cache(path).close()
        make_console().print(
            f"The cache file {path} was damaged, so it was replaced whole by an empty one "
            "(its stored scans went with it)",
            soft_wrap=True,
            highlight=False,
        )
        return
    message = f"Removed {removed:,} cached answers from {path}"
    if kept:
        message += f"; kept {kept:,} stored scans: --scans removes them too"
    make_console().print(message, soft_wrap=True, highlight=False)


@cli.group()
def config() -> None:
    """Store the X token, and show where the config file and the cache live."""


@config.command(
    "set-token", context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@click.pass_context
def config_set_token(ctx: click.Context) -> None:
    """Store the X bearer token in the config file (mode 0600).

    The token is read from a hidden prompt on a terminal, else from standard
    input (`followaudit config set-token < token.txt`); never from the command
    line, where it would stay in the shell's history.
    """
    from followaudit.live.config import TOKEN_ENV, config_file, set_x_bearer_token

    if ctx.args:
        # Never repeat what was given: it may be the token itself.
        raise UsageError(
            "config set-token takes no argument: the token is never read from "
            "the command line (it would stay in your shell history); run it "
            "alone and paste the token at the prompt, or pipe it in on stdin"
        )
    if sys.stdin.isatty():
        token = click.prompt(
            "X bearer token (input hidden)",
            hide_input=True,
            err=True,
            default="",
            show_default=False,
        )
    else:
        token = sys.stdin.read()
    path, moved = config_file()
    stderr = make_console(stderr=True)
    for notice in moved:
        stderr.print(f"note: {escape(notice)}", highlight=False, soft_wrap=True)
    path = set_x_bearer_token(token, path)
    stderr.print(
        f"X bearer token stored in {path} (readable by you only).", highlight=False, soft_wrap=True
    )
    if os.environ.get(TOKEN_ENV, "").strip():
        stderr.print(
            f"[yellow]warning:[/] {TOKEN_ENV} is set in this shell and is used "
            "before the config file",
            highlight=False,
            soft_wrap=True,
        )


@config.command("show")
def config_show() -> None:
    """Show where the config file and the cache live, and the X token masked."""
    from followaudit.live.cache import default_cache_path
    from followaudit.live.config import API_URL_ENV, config_file, find_x_bearer_token, mask_token

    path, moved = config_file()
    for notice in moved:
        make_console(stderr=True).print(f"note: {escape(notice)}", highlight=False, soft_wrap=True)
    console = make_console()
    console.soft_wrap = True  # paths are never wrapped
    if path.exists():
        mode = f", mode {path.stat().st_mode & 0o777:04o}" if os.name == "posix" else ""
        console.print(f"Config file: {path}{mode}", highlight=False, markup=False)
    else:
        console.print(f"Config file: {path} (not created yet)", highlight=False, markup=False)
    try:
        found = find_x_bearer_token(None, config_path=path)
    except FollowauditError as exc:
        token = (
            "not set: run `followaudit config set-token`"
            if exc.exit_code == ExitCode.AUTH
            else f"unreadable: {exc.message}"
        )
    else:
        token = f"{mask_token(found.value)}, from {found.source}"
    console.print(f"X token: {token}", highlight=False, markup=False)
    console.print(f"Cache: {default_cache_path()}", highlight=False, markup=False)
    if os.environ.get(API_URL_ENV, "").strip():
        console.print(
            f"API URL: {os.environ[API_URL_ENV].strip()} (from {API_URL_ENV})",
            highlight=False,
            markup=False,
        )


def _interactive() -> bool:
    """Return whether a person can answer a question (stdin and stderr are terminals)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def confirm_plan(plan: RunPlan) -> bool:
    """Return whether the person at the terminal says yes to the plan just printed."""
    return bool(click.confirm("Go ahead?", default=False, err=True))


def confirm_deep(deep: int, posts_each: int, handles: Sequence[Handle], yes: bool) -> None:
    """Say what --deep will cost before any request; ask on a terminal unless --yes.

    Off a terminal without --yes this is a usage error, so an unattended job
    never spends money it was not told to.
    """
    requests = deep * len(handles)
    accounts = "account" if len(handles) == 1 else f"each of {len(handles)} accounts"
    message = (
        f"--deep {deep}: reading the latest {posts_each} posts of {deep:,} followers "
        f"of {accounts} makes up to {requests:,} more API requests"
    )
    if not yes and not _interactive():
        # Refused before the platform adapters (and pandas) load: a usage error is instant.
        raise UsageError(
            f"{message} (post reads are billed on X): add --yes to confirm them when not "
            "running on a terminal"
        )
    from followaudit.live.platforms import platform_kind

    kinds = [platform_kind(h.platform) for h in handles]
    for kind in dict.fromkeys(k for k in kinds if k.post_read_price):
        reads = deep * kinds.count(kind) * posts_each
        price, most = kind.post_read_price, kind.post_read_most
        message += (
            f"; on {kind.display_name} up to {reads:,} post reads, about "
            f"${reads * price:,.2f} and at most ${reads * most:,.2f} (${price} per post, up "
            f"to ${most:g} with the account it replies to and the posts it references, per "
            "post read)"
        )
    stderr = make_console(stderr=True)
    stderr.print(message + ".", highlight=False, soft_wrap=True)
    if yes:
        return
    if not click.confirm("Continue?", default=False, err=True):
        raise Cancelled()


def parse_fail_on(text: str, no_posts: bool) -> tuple[str, ...]:
    """Return the behaviour flag codes of --fail-on; a usage error names the valid ones."""
    from followaudit.analysis.behaviour import FLAG_CODES as valid

    codes = [c.strip().lower() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in valid]
    if unknown or not codes:
        what = f"unknown behaviour flag {', '.join(unknown)}" if unknown else "no flag given"
        raise UsageError(f"--fail-on: {what}; valid flags: {', '.join(valid)}")
    if no_posts:
        raise UsageError(
            "--fail-on judges the account's own posts: it cannot be combined with --no-posts"
        )
    return tuple(dict.fromkeys(codes))


def parse_handles(
    handles: Sequence[str], from_file: str | None, platform: str | None, api_url: str | None
) -> list[Handle]:
    """Return every handle to scan, parsed and checked before the first request is made."""
    from followaudit.handles import parse_handle
    from followaudit.live.config import check_api_url_scope

    texts = list(handles) + (read_handles_file(from_file) if from_file else [])
    if not texts:
        raise UsageError("no handle given: name one or more handles, or use --from-file")
    parsed = [parse_handle(text, platform) for text in texts]
    check_api_url_scope((h.platform for h in parsed), api_url)
    # The same account twice (@Alice and x.com/alice, or a list pasted twice) is one
    # audit: a second would pay for the same followers again and count them twice.
    unique: dict[tuple[str, str, str | None], Handle] = {}
    times: dict[tuple[str, str, str | None], int] = {}
    for handle in parsed:
        key = (handle.platform, handle.name.lower(), handle.server)
        unique.setdefault(key, handle)
        times[key] = times.get(key, 0) + 1
    repeated = [f"{unique[k].display} ({n} times)" for k, n in times.items() if n > 1]
    if repeated:
        make_console(stderr=True).print(
            f"note: {len(repeated):,} handle{'s' if len(repeated) > 1 else ''} listed more "
            f"than once, audited once: {escape(visible(', '.join(repeated)))}",
            highlight=False,
            soft_wrap=True,
        )
    return list(unique.values())


def open_scan_cache(cache_path: str | None, stderr: Console) -> Cache | None:
    """Return the cache a scan reads and writes (--cache, else the default), warning if degraded."""
    from followaudit.live.cache import Cache, default_cache_path, open_cache

    if cache_path:
        # Asked for by name: a path that cannot be a cache (a mistyped file) is an error,
        # not a paid scan run without its cache.
        return Cache(Path(cache_path))
    cache, warning = open_cache(default_cache_path())
    if warning:
        stderr.print(f"[yellow]warning:[/] {escape(visible(warning))}", soft_wrap=True)
    return cache


def close_scan_cache(cache: Cache, stderr: Console) -> None:
    """Close a scan's cache, saying so when answers could not be written to it."""
    if cache.replaced:
        stderr.print(
            f"[yellow]warning:[/] {escape(visible(cache.replaced))}",
            highlight=False,
            soft_wrap=True,
        )
    if cache.write_error:
        stderr.print(
            f"[yellow]warning:[/] the cache could not be written "
            f"({escape(str(cache.write_error))}); an interrupted scan will "
            "fetch again",
            highlight=False,
            soft_wrap=True,
        )
    cache.close()


def write_score_exports(
    rows: pd.DataFrame,
    document: dict[str, Any] | None,
    *,
    csv_out: str | None,
    parquet_out: str | None,
    json_out: str | None,
) -> Exports:
    """Write every export of ``score`` asked for and return them, failures not yet reported.

    Every export is tried, and the report printed, before a failed one is reported.
    """
    from followaudit.outputs.tables import write_csv, write_json_streamed

    exports = Exports()
    if csv_out:
        exports.write(csv_out, lambda stream: write_csv(rows, stream))
    if parquet_out:
        from followaudit.outputs.tables import write_parquet

        exports.write(parquet_out, lambda stream: write_parquet(rows, stream))
    if json_out and document is not None:
        # The accounts come last, streamed from the columns: flat memory at any size.
        exports.write(json_out, lambda stream: write_json_streamed(document, rows, stream))
    return exports


class ScanExports(NamedTuple):
    """The export options of ``scan``: where each file goes (None: not written)."""

    csv: str | None
    json: str | None
    summary: str | None
    junit: str | None

    @property
    def list_errors(self) -> bool:
        """Return whether an export records accounts that could not be audited."""
        return bool(self.json or self.summary or self.junit)

    @property
    def to_stdout(self) -> bool:
        """Return whether a data export owns stdout (the report then goes to stderr)."""
        return "-" in (self.csv, self.json, self.summary)

    def write(
        self, run: RunResult, fail_on: Sequence[str], *, deep: bool, stderr: Console
    ) -> Exports:
        """Write every export asked for; return them with any that failed.

        After Ctrl-C they cover the accounts finished before; if none was, no
        export is written, so the files of an earlier finished run are never
        replaced by empty ones.
        """
        from followaudit.live.audit import DEEP_COLUMNS
        from followaudit.outputs.documents import named_records, run_document
        from followaudit.outputs.junit import account_case, write_junit
        from followaudit.outputs.tables import write_csv, write_json, write_summary_csv

        exports = Exports()
        if run.interrupted and not run.audits:
            given = [t for t in self if t and t != "-"]
            if given:
                stderr.print(
                    f"Nothing was audited before the interruption: {', '.join(given)} "
                    "left as they were.",
                    highlight=False,
                    soft_wrap=True,
                )
            return exports
        if self.junit:
            exports.write(
                self.junit,
                lambda stream: write_junit(
                    [account_case(o, fail_on) for o in run.outcomes], stream
                ),
            )
        rows = run.scored_rows() if self.csv else None
        if self.csv and rows is not None:
            exports.write(
                self.csv,
                lambda stream: write_csv(
                    rows, stream, audited=True, new=True, extra=DEEP_COLUMNS if deep else ()
                ),
            )
        if self.json:
            exports.write(self.json, lambda stream: write_json(run_document(run.outcomes), stream))
        if self.summary:
            exports.write(
                self.summary,
                lambda stream: write_summary_csv(named_records(run.outcomes), stream),
            )
        return exports


def read_handles_file(path: str) -> list[str]:
    """Return the handles listed in a file, one per line; '#' starts a comment."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    handles = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return [h for h in handles if h]


class ScanFailed(Exception):
    """Raised to exit with a scan's error code after the other handles were reported."""

    def __init__(self, code: ExitCode) -> None:
        super().__init__(code.name)
        self.code = code


def check_outputs(*targets: str | None) -> None:
    """Refuse exports that would overwrite each other (two to stdout, or one file twice)."""
    given = [t for t in targets if t]
    if given.count("-") > 1:
        raise UsageError("only one export can write to standard output ('-')")
    # realpath, not Path.resolve: a symbolic link loop is the export's error (exit 11) later,
    # not a crash here.
    files = [os.path.realpath(t) for t in given if t != "-"]
    if len(set(files)) < len(files):
        raise UsageError("two exports name the same file: give each its own path")


class GateFailed(Exception):
    """Raised to exit with GATE_FAILED after the report is printed."""


def _run(args: Sequence[str] | None) -> int:
    """Return the exit code of running the CLI with args; errors become one sentence."""
    argv = list(sys.argv[1:] if args is None else args)
    debug = "--debug" in argv
    stderr = make_console(stderr=True)
    try:
        cli.main(args=argv, prog_name="followaudit", standalone_mode=False)
    except GateFailed:
        return ExitCode.GATE_FAILED
    except ScanFailed as exc:
        return exc.code
    except Cancelled as exc:
        # Declining is an answer, not an error: said plainly, with its own exit code.
        stderr.print(exc.message, highlight=False, soft_wrap=True)
        return exc.exit_code
    except FollowauditError as exc:
        if debug:
            traceback.print_exc()
        # One sentence on one line, however narrow the terminal: never wrapped.
        stderr.print(
            f"[bold red]Error:[/] {escape(visible(exc.message))}", highlight=False, soft_wrap=True
        )
        return exc.exit_code
    except click.exceptions.Abort:
        stderr.print(INTERRUPTED_MESSAGE, highlight=False, soft_wrap=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE
    except KeyboardInterrupt:
        stderr.print(INTERRUPTED_MESSAGE, highlight=False, soft_wrap=True)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `followaudit ... | head -1`: the reader closed the pipe, which is not an error.
        silence_stdout()
        return ExitCode.OK
    except Exception as exc:  # noqa: BLE001 - the one place unexpected errors are caught
        if debug:
            traceback.print_exc()
        else:
            stderr.print(
                f"[bold red]Error:[/] unexpected {type(exc).__name__}: {escape(visible(exc))} "
                "(this is a bug: rerun with --debug and report the traceback)",
                highlight=False,
                soft_wrap=True,
            )
        return ExitCode.INTERNAL
    return ExitCode.OK


def _terminate_as_interrupt() -> None:
    """Make SIGTERM and SIGHUP end a run as Ctrl-C does: finished work kept, temporary files removed."""
    import signal

    owner = os.getpid()

    def interrupt(signum: int, frame: Any) -> None:
        if os.getpid() != owner:  # a forked reader process: end as the signal says
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), interrupt)


def main(args: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its exit code."""
    _terminate_as_interrupt()
    code = int(_run(args))
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    sys.exit(code)
