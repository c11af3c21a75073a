"""The command line: parse options, call the core, render, map errors to exit codes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from followaudit import __version__
from followaudit.errors import ExitCode, FollowauditError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = "\b\nExit codes:\n" + "\n".join(
    f"  {code.value:>3}  {code.name}" for code in ExitCode
)

SCORE_JSON_SCHEMA = "followaudit.score/1"


def parse_as_of(value: str | None) -> datetime:
    """Return the observation time from --as-of (a date or ISO date-time), default now (UTC)."""
    if value is None:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--as-of {value!r} is not a date: use YYYY-MM-DD or an ISO 8601 date-time"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _console(stream: IO[str] | None = None, *, stderr: bool = False) -> Console:
    return Console(file=stream, stderr=stderr, soft_wrap=False)


def _open_output(target: str) -> tuple[IO[str], bool]:
    """Return (stream, must_close) for an output option where '-' means stdout."""
    if target == "-":
        return click.get_text_stream("stdout"), False
    try:
        return open(target, "w", encoding="utf-8", newline=""), True
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from None


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
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
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
@click.option("--model", "model_path", type=click.Path(dir_okay=False, exists=False),
              help="Model file to use instead of the shipped one.")
@click.option("--csv", "csv_out", metavar="PATH", help="Write one row per account as CSV ('-' = stdout).")
@click.option("--json", "json_out", metavar="PATH", help="Write the report and all accounts as JSON ('-' = stdout).")
@click.option(
    "--fail-above",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="Exit with code 10 (GATE_FAILED) when the share questionable is above PCT percent. "
    "The LOWER bound of the 95% interval is compared, not the estimate, so an account "
    "fails only when the data show it is above the limit and a small or noisy sample "
    "cannot fail it by chance.",
)
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many of the most questionable accounts to list.")
@click.option("--quiet", "-q", is_flag=True, help="Print no report (exports and exit code only).")
def score(
    file: str,
    format_: str,
    as_of: str | None,
    model_path: str | None,
    csv_out: str | None,
    json_out: str | None,
    fail_above: float | None,
    top: int,
    quiet: bool,
) -> None:
    """Score every account in FILE as authentic or questionable.

    FILE holds follower profiles: X API v2 or v1.1 user objects (JSON, JSONL,
    saved API pages, or flattened CSV), Bluesky profileViewDetailed objects,
    Mastodon Account entities, or followaudit's own CSV columns. '-' reads
    standard input.
    """
    from followaudit.formats import read_accounts
    from followaudit.model import load_model
    from followaudit.render import score_report
    from followaudit.report import fail_above as gate_check
    from followaudit.report import summarize
    from followaudit.scoring import score_table

    if csv_out == "-" and json_out == "-":
        raise UsageError("--csv - and --json - cannot both write to standard output")
    observed = parse_as_of(as_of)
    model = load_model(Path(model_path) if model_path else None)
    read = read_accounts(file, None if format_ == "auto" else format_, as_of=observed)
    rows = score_table(read.table, model, observed)
    summary = summarize(rows, read.skipped, model.threshold)
    gate = gate_check(summary, fail_above) if fail_above is not None else None

    if csv_out:
        from followaudit.export import write_csv

        stream, close = _open_output(csv_out)
        try:
            write_csv(rows, stream)
        finally:
            if close:
                stream.close()
    if json_out:
        from followaudit.export import accounts_records, write_json

        document = {
            "schema": SCORE_JSON_SCHEMA,
            "tool": {"name": "followaudit", "version": __version__},
            "input": {"path": read.path, "format": read.format, "as_of": observed.isoformat()},
            "model": {"threshold": model.threshold, **model.metadata},
            "summary": summary.to_dict(),
            "gate": gate.to_dict() if gate else None,
            "skipped": [{"line": s.line, "reason": s.reason} for s in read.skipped],
            "warnings": list(read.warnings),
            "accounts": accounts_records(rows),
        }
        stream, close = _open_output(json_out)
        try:
            write_json(document, stream)
        finally:
            if close:
                stream.close()
    if not quiet:
        # Data owns stdout when an export goes there; the report moves to stderr.
        to_stderr = "-" in (csv_out, json_out)
        console = _console(stderr=to_stderr)
        score_report(
            console,
            summary,
            rows,
            read.skipped,
            title=f"{read.path} ({read.format})",
            top=top,
            warnings=read.warnings,
            gate=gate,
        )
    if gate is not None and not gate.passed:
        raise GateFailed()


class GateFailed(Exception):
    """Raised to exit with GATE_FAILED after the report is printed."""


def _run(args: Sequence[str] | None) -> int:
    """Return the exit code of running the CLI with args; errors become one sentence."""
    argv = list(sys.argv[1:] if args is None else args)
    debug = "--debug" in argv
    stderr = _console(stderr=True)
    try:
        cli.main(args=argv, prog_name="followaudit", standalone_mode=False)
    except GateFailed:
        return ExitCode.GATE_FAILED
    except FollowauditError as exc:
        if debug:
            traceback.print_exc()
        stderr.print(f"[bold red]Error:[/] {escape(exc.message)}", highlight=False)
        return exc.exit_code
    except click.exceptions.Abort:
        stderr.print("Interrupted.")
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE
    except KeyboardInterrupt:
        stderr.print("Interrupted.")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as exc:  # noqa: BLE001 - the one place unexpected errors are caught
        if debug:
            traceback.print_exc()
        else:
            stderr.print(
                f"[bold red]Error:[/] unexpected {type(exc).__name__}: {escape(str(exc))} "
                "(this is a bug: rerun with --debug and report the traceback)",
                highlight=False,
            )
        return ExitCode.INTERNAL
    return ExitCode.OK


def main(args: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its exit code."""
    sys.exit(int(_run(args)))
