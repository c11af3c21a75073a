"""The rich console every command prints through (only the CLI and render use it)."""

from __future__ import annotations

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


def make_console(stream: IO[str] | None = None, *, stderr: bool = False) -> SafeConsole:
    """Return the console of a command's output (stdout, or stderr for messages)."""
    return SafeConsole(file=stream, stderr=stderr, soft_wrap=False)
