"""Text from files and APIs made harmless to show on a terminal.

A follower can name itself with escape sequences (``ESC[2J`` clears the
screen, OSC 52 writes the clipboard, OSC 8 makes links), NUL, other C0/C1
controls, or Unicode bidirectional overrides that make text read differently
from what it is. ``visible`` replaces every such character with a visible
stand-in before the text reaches a terminal:

- C0 controls and DEL become their Unicode "control pictures" (ESC is shown
  as ``␛``, NUL as ``␀``, a line break as ``␊``), one cell wide each;
- C1 controls, bidirectional controls (U+202A-U+202E, U+2066-U+2069,
  U+200E, U+200F, U+061C), line and paragraph separators and invisible
  format characters become ``<U+XXXX>``.

Zero-width joiners (emoji sequences, Indic and Persian scripts) and emoji tag
characters are kept. Exports (CSV, JSON) keep the original text: this is only
for what is displayed.
"""

from __future__ import annotations

import re

# C0, DEL and C1; bidi marks, embeddings, overrides and isolates; invisible
# format characters that can hide or reorder what is shown.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# The same, minus the line break: for text that rich itself laid out in lines.
_UNSAFE_KEEP_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def visible(text: object) -> str:
    """Return ``str(text)`` with every control and bidi character replaced by a visible stand-in."""
    string = text if isinstance(text, str) else str(text)
    if string.isprintable():
        return string
    return _UNSAFE.sub(_stand_in, string)


def visible_lines(text: str) -> str:
    """Return ``text`` like ``visible`` but keeping line breaks (for text already laid out)."""
    if text.isprintable():
        return text
    return _UNSAFE_KEEP_NEWLINE.sub(_stand_in, text)


def is_safe(text: str) -> bool:
    """Return whether ``text`` holds no character that ``visible`` would replace."""
    return _UNSAFE.search(text) is None
