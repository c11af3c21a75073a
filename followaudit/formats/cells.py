"""The CSV cell convention followaudit writes and reads back: formula triggers neutralised.

Excel, Google Sheets and LibreOffice run a cell that starts with ``=``,
``+``, ``-`` or ``@`` (and some also a tab or carriage return) as a
formula, so a follower could name itself ``=HYPERLINK(...)`` and take over
whoever opens an export. ``escape_cell`` gives such a cell a leading
apostrophe (the OWASP-recommended neutraliser); ``unescape_cell`` removes
exactly that one apostrophe, so ``followaudit score`` reads its own exports
back unchanged.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """Return ``value`` made safe to open in a spreadsheet (a leading apostrophe if needed)."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Return the original text of a cell written by ``escape_cell``."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
