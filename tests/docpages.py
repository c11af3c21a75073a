"""The documentation's text, for the tests that run or check what it shows.

README.md is the front page; docs/*.md is the manual, one page per topic.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def readme() -> str:
    """Return the text of README.md."""
    return (ROOT / "README.md").read_text(encoding="utf-8")


def page(name: str) -> str:
    """Return the text of the docs page ``docs/NAME.md``."""
    return (DOCS / f"{name}.md").read_text(encoding="utf-8")


def pages() -> list[Path]:
    """Return every docs page, README.md first."""
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def section(text: str, heading: str) -> str:
    """Return the text under the heading line ``heading`` (e.g. "## Gates"), up to the
    next heading of the same or a higher level (code blocks are not headings)."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.split("\n")
    start = lines.index(heading) + 1
    fence = False
    for number in range(start, len(lines)):
        line = lines[number]
        if line.startswith("```"):
            fence = not fence
        found = re.match(r"(#+) ", line)
        if not fence and found and len(found.group(1)) <= level:
            return "\n".join(lines[start:number])
    return "\n".join(lines[start:])


def code_blocks(text: str, language: str) -> list[str]:
    """Return the fenced code blocks of ``text`` in ``language`` (```python, ```sh ...)."""
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
