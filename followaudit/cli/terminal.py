"""The rich console every command prints through (only the CLI and render use it)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from followaudit.cli.safe_text import is_safe, visible_lines


class SafeConsole(Console):
    """A rich Console that never lets text write control characters to the terminal.

    The report code passes text from files and APIs through ``visible`` so that
    tables are laid out with the stand-ins already in place; this is the net
    under it: any text segment that still holds an escape, control or bidi
    character (a sentence that quoted data, a progress message) is made
    visible as it is rendered. Rich's own control segments (cursor moves of
    the live display) and styles are left alone.
    """

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or is_safe(segment.text.replace("\n", "")):
                yield segment
            else:
                yield Segment(visible_lines(segment.text), segment.style)

    def on_broken_pipe(self) -> None:
        """Stop printing once the reader went away (`| head -1`); the run goes on to its exit code.

        Rich's own handler exits with status 1, which the exit codes call a
        bug and `set -o pipefail` takes for a failure. A closed pipe is not an
        error: what is left of the report is dropped, the exports are still
        written, and the exit code is the run's own (0, or 10 for a failed gate).
        """
        self.quiet = True
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            # Python's last flush at exit would fail again and complain on stderr.
            os.dup2(null, self.file.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):
            pass  # not a real file descriptor (tests): nothing will flush it at exit


def make_console(stream: IO[str] | None = None, *, stderr: bool = False) -> SafeConsole:
    """Return the console of a command's output (stdout, or stderr for messages)."""
    return SafeConsole(file=stream, stderr=stderr, soft_wrap=False)
