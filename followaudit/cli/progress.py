"""What a scan run shows while it works: live progress (stderr), warnings, errors, reports."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from followaudit.cli.render import Paragraph, scan_report
from followaudit.cli.safe_text import visible
from followaudit.live.audit import AccountStarted, AccountStopped, Notice, PlanReady, RunEvent
from followaudit.live.scan import ScanEvent
from followaudit.outputs.documents import outcome_record

PHASE_LABELS = {
    "resolve": "Looking up the account",
    "list": "Followers listed",
    "profiles": "Profiles fetched",
}


class _Countdown(ProgressColumn):
    """Seconds left of a rate-limit wait, counting down live."""

    def render(self, task: Task) -> Text:
        until = task.fields.get("until")
        if until is None:
            return Text("")
        return Text(f"{max(0.0, until - time.time()):4.0f} s left", style="yellow")


class ScanProgress:
    """Show scan events as rich progress bars; does nothing when disabled."""

    def __init__(self, console: Console, *, enabled: bool, notices: bool = True) -> None:
        # ``notices``: without a live display (stderr not a terminal), still say
        # once per wait why the run is idle, so a CI log never looks hung.
        self.enabled = enabled
        self.notices = notices
        self.console = console
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            _Countdown(),
            console=console,
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ScanProgress:
        if self.enabled:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.enabled:
            self._progress.stop()

    def update(self, event: ScanEvent) -> None:
        """Show one scan event."""
        if not self.enabled:
            if self.notices and event.phase == "limits":
                self.console.print(
                    f"note: {event.message}", highlight=False, markup=False, soft_wrap=True
                )
            if self.notices and event.phase == "wait":
                self.console.print(
                    f"waiting {event.total or 0:,} s: {event.message}",
                    style="yellow",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
            return
        if event.phase == "wait":
            # The reason goes above the live display once; the bar keeps a short label.
            # Messages may quote server text: never parsed as markup (a [link] would be obeyed).
            self._progress.console.print(
                event.message, style="yellow", highlight=False, markup=False, soft_wrap=True
            )
            task = self._task("wait", "Rate-limit wait")
            self._progress.update(task, total=None, until=time.time() + (event.total or 0))
            return
        if "wait" in self._tasks:
            self._progress.remove_task(self._tasks.pop("wait"))
        if event.phase in PHASE_LABELS:
            task = self._task(event.phase, PHASE_LABELS[event.phase])
            self._progress.update(task, completed=event.done, total=event.total)
        elif event.message:
            self._progress.console.print(
                event.message, style="dim", highlight=False, markup=False, soft_wrap=True
            )

    def _task(self, phase: str, description: str) -> TaskID:
        if phase not in self._tasks:
            self._tasks[phase] = self._progress.add_task(description, total=None)
        return self._tasks[phase]


class RunView:
    """Show the events of ``audit.run_audits``: progress, warnings, errors and each report."""

    def __init__(
        self, stderr: Console, report: Console, *, progress: bool, quiet: bool, top: int
    ) -> None:
        self.stderr = stderr
        self.report = report
        self.progress = progress  # a live display (stderr is a terminal and not --quiet)
        self.quiet = quiet
        self.top = top
        self._live: ScanProgress | None = None

    def __call__(self, event: RunEvent) -> None:
        """Show one event of the run."""
        if isinstance(event, AccountStarted):
            self._live = ScanProgress(self.stderr, enabled=self.progress, notices=not self.quiet)
            self._live.__enter__()
        elif isinstance(event, ScanEvent):
            if self._live is not None:
                self._live.update(event)
        elif isinstance(event, AccountStopped):
            if self._live is not None:
                self._live.__exit__(None, None, None)
                self._live = None
        elif isinstance(event, Notice):
            if event.note and self.quiet:
                return
            kind = "note:" if event.note else "[yellow]warning:[/]"
            self.stderr.print(f"{kind} {escape(visible(event.message))}", soft_wrap=True)
        elif isinstance(event, PlanReady):
            self.show_plan(event)
        elif event.error is not None:
            self.stderr.print(
                f"[bold red]Error:[/] {escape(visible(event.error.message))}",
                highlight=False,
                soft_wrap=True,
            )
        elif not self.quiet:
            scan_report(self.report, outcome_record(event), top=self.top)

    def show_plan(self, event: PlanReady) -> None:
        """Print the run's plan before its expensive part; what crosses a threshold in bold.

        Under --quiet only a plan that needs an answer is shown.
        """
        if self.quiet and not event.over:
            return
        # Paragraphs: on a terminal a line wraps between words, never inside "requests";
        # off one each stays whole, as a log or the docs show it.
        lines = [Text(visible(line)) for line in event.plan.lines()]
        if event.over:
            over = Text("Above what followaudit runs without asking:", style="bold yellow")
            lines.append(over.append(f" {visible('; '.join(event.over))}.", style=""))
        if event.suggestion is not None:
            lines.append(Text(f"Cheaper: {event.suggestion.flags} {event.suggestion.why}."))
        for line in lines:
            self.stderr.print(Paragraph(line), crop=False)
