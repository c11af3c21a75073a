"""Records out of JSON containers: JSONL, arrays, API pages, pretty-printed documents.

Every record comes with the 1-based line it starts on. Records that cannot be
decoded come out as ``Broken`` with the reason, so the caller can count them
as skipped; only problems that leave the rest of a file unreadable raise
``InputError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from followaudit.errors import InputError

# Keys under which API pages hold their list of accounts:
# X v2 (and twarc2 lines) "data", X v1.1 followers/list "users",
# Bluesky getProfiles "profiles" and getFollowers "followers", Mastodon search "accounts".
PAGE_KEYS: tuple[str, ...] = ("data", "profiles", "users", "followers", "accounts")
WHITESPACE = " \t\n\r"
TRUNCATED = "the file ends in the middle of this record (was it cut off while being written?)"


@dataclass(frozen=True)
class Broken:
    """A record that could not be decoded, and why."""

    reason: str


Item = tuple[int, Any]


def page_records(page: dict[str, Any], line: int, warnings: list[str]) -> list[Any] | None:
    """Return the accounts of an API page, or None if ``page`` is a single record."""
    for key in PAGE_KEYS:
        records = page.get(key)
        if isinstance(records, list):
            _warn_partial(page, line, warnings)
            return records
    if isinstance(page.get("data"), dict):
        # A single-user X lookup (/2/users/by/username/...) answers {"data": {...}}.
        return [page["data"]]
    audits = page.get("audits")
    if isinstance(audits, list) and is_scan_document(page):
        # `scan --json` read whole (one line, or its keys sorted): every audit's followers.
        audits = [audit for audit in audits if isinstance(audit, dict)]
        warn_several_audits([str(audit.get("handle", "?")) for audit in audits], line, warnings)
        return [record for audit in audits for record in audit.get("accounts") or []]
    if "data" not in page and isinstance(page.get("meta"), dict) and "errors" not in page:
        # X's last page of a list: {"meta": {"result_count": 0, "previous_token": ...}}.
        return []
    errors = page.get("errors")
    if isinstance(errors, list) and "id" not in page:
        # An X page whose every user failed (suspended, not found): nothing to score.
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        detail = first.get("detail") or first.get("title") or "an API error"
        warnings.append(f"line {line}: an API error page with no accounts ({detail})")
        return []
    if "error" in page and "message" in page and "did" not in page:
        warnings.append(f"line {line}: an API error page with no accounts ({page['message']})")
        return []
    return None


def is_scan_document(fields: dict[str, Any]) -> bool:
    """Return whether ``fields`` are those of followaudit's own ``scan --json`` document."""
    return str(fields.get("schema", "")).startswith("followaudit.scan/")


def warn_several_audits(handles: list[str], line: int, warnings: list[str]) -> None:
    """Say that the followers of several audited accounts are scored as one set."""
    if len(handles) > 1:
        warnings.append(
            f"line {line}: this followaudit scan holds {len(handles):,} audited accounts "
            f"({', '.join(handles)}): their followers are scored together, as one set; "
            "`followaudit report HANDLE` shows each account's own report"
        )


def _warn_partial(page: dict[str, Any], line: int, warnings: list[str]) -> None:
    """Warn when an X page returned some accounts and errors for others (partial data).

    Only errors about a user the page does not hold are missing accounts:
    twarc2 pages also carry errors about other objects (a pinned post that
    could not be expanded) of users that are there.
    """
    errors = page.get("errors")
    if not isinstance(errors, list) or not errors:
        return
    present = _present_users(page)
    missing = [e for e in errors if _missing_user(e, present)]
    if not missing:
        return
    first = missing[0] if isinstance(missing[0], dict) else {}
    detail = first.get("detail") or first.get("title") or "an API error"
    warnings.append(
        f"line {line}: the API could not return {len(missing):,} "
        f"account{'s' if len(missing) != 1 else ''} on this page ({detail}); "
        "they are not in the file and were not scored"
    )


def _present_users(page: dict[str, Any]) -> set[str]:
    """Return the ids and usernames (lower case) of the users a page holds."""
    present: set[str] = set()
    for key in PAGE_KEYS:
        records = page.get(key)
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict):
                for field in ("id", "username", "did", "handle", "acct"):
                    value = record.get(field)
                    if isinstance(value, str | int) and not isinstance(value, bool):
                        present.add(str(value).lower())
    return present


def _missing_user(error: Any, present: set[str]) -> bool:
    """Return whether an X ``errors`` item is a user the page lacks (not a post, not present)."""
    if not isinstance(error, dict):
        return True
    kind = error.get("resource_type")
    if kind is not None and kind != "user":
        return False  # a pinned post, a list: not an account
    value = error.get("resource_id", error.get("value"))
    return value is None or str(value).lower() not in present


def _expand(value: Any, line: int, warnings: list[str]) -> Iterator[Item]:
    if isinstance(value, dict):
        records = page_records(value, line, warnings)
        if records is None:
            yield line, value
        else:
            for record in records:
                yield line, record
    elif isinstance(value, list):
        for record in value:
            yield line, record
    else:
        yield line, Broken("not a JSON object")


def iter_jsonl(
    lines: Iterable[bytes], first_line: int, warnings: list[str], at_file_end: bool = True
) -> Iterator[Item]:
    """Yield (line, record) from JSON Lines: one record, page or array per line.

    ``at_file_end`` says whether ``lines`` run to the end of the file, so that
    a broken last line can be told apart as a truncated file.
    """
    # Lines are parsed by orjson, about three times faster than the json
    # module. orjson is the stricter of the two (no BOM, NaN, lone surrogates,
    # trailing text or bad UTF-8), so a line it refuses goes through the json
    # module's C scanner below, which accepts what it always accepted and
    # words the reason a broken line is skipped exactly as before.
    loads = orjson.loads
    decoder = json.JSONDecoder()
    scan: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]
    pending: tuple[int, str] | None = None
    line = first_line - 1
    for raw in lines:
        line += 1
        if pending is not None:
            yield pending[0], Broken(pending[1])
            pending = None
        try:
            value = loads(raw)
        except orjson.JSONDecodeError:
            pass
        else:
            if _plain_record(value):
                yield line, value
            else:
                yield from _expand(value, line, warnings)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield line, Broken("not UTF-8 text")
            continue
        try:
            try:
                value, end = scan(text, 0)
            except StopIteration:
                # Leading whitespace, a BOM, a blank line or no JSON at all.
                text = text.strip().removeprefix("\ufeff")
                if not text:
                    continue
                value, end = scan(text, 0)
            if end < len(text) and text[end:].strip():
                raise json.JSONDecodeError("Extra data", text, end)
        except StopIteration:
            pending = (line, "not valid JSON (Expecting value)")
            continue
        except ValueError as error:
            # Held back one line: a failure on the very last line is a truncated file.
            pending = (line, f"not valid JSON ({_reason(error)})")
            continue
        except RecursionError:
            # Too deep is never a cut-off file: reported as it is, even on the last line.
            yield line, Broken("not valid JSON (nested too deeply)")
            continue
        if _plain_record(value):
            yield line, value
        else:
            yield from _expand(value, line, warnings)
    if pending is not None:
        if not at_file_end:
            yield pending[0], Broken(pending[1])
            return
        warnings.append(f"line {pending[0]}: {TRUNCATED}; that record was skipped")
        yield pending[0], Broken(TRUNCATED)


def _plain_record(value: Any) -> bool:
    """Return whether a JSONL line is one account as it is (not a page, a list or an error)."""
    if type(value) is not dict:
        return False
    return (
        not any(key in value for key in PAGE_KEYS)
        and "errors" not in value
        and "error" not in value
        # X's empty last page: {"meta": {"result_count": 0, ...}}, a page and not an account.
        and not (isinstance(value.get("meta"), dict) and "id" not in value)
    )


# What Python says of an integer too long to read, and what followaudit says instead.
_HUGE_INTEGER = "Exceeds the limit"
HUGE_INTEGER_REASON = "a number of more than 4,300 digits"


def _reason(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return error.msg
    if str(error).startswith(_HUGE_INTEGER):
        return HUGE_INTEGER_REASON
    return str(error)


_LITERALS = ("true", "false", "null")
_NUMBER_CHARS = frozenset("-+.eE0123456789")


def cut_in_a_token(rest: str) -> bool:
    """Return whether ``rest``, all that is left of a file, is the start of one JSON token.

    A file cut inside ``true``, ``false``, ``null`` or a number ends the
    same way as one cut between records: the records before it are whole.
    """
    if not rest or len(rest) >= 24:
        return False
    if any(literal.startswith(rest) for literal in _LITERALS):
        return True
    return set(rest) <= _NUMBER_CHARS


class _Truncated(Exception):
    """The document ends before the value being read is complete."""

    def __init__(self, line: int | None) -> None:
        super().__init__(line)
        self.line = line


class _Document:
    """A whole JSON text (pretty-printed or not), scanned value by value for line numbers."""

    def __init__(self, text: str, path: str, warnings: list[str]) -> None:
        self.text = text
        self.end = len(text.rstrip())
        self.path = path
        self.warnings = warnings
        self.decoder = json.JSONDecoder()
        self._line_pos = 0
        self._line = 1

    def line_at(self, pos: int) -> int:
        """Return the 1-based line of character ``pos``."""
        if pos < self._line_pos:
            self._line_pos, self._line = 0, 1
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def skip_ws(self, pos: int) -> int:
        text = self.text
        while pos < len(text) and text[pos] in WHITESPACE:
            pos += 1
        return pos

    def fail(self, pos: int, what: str) -> InputError:
        return InputError(
            f"this is not valid JSON ({what})", path=self.path, line=self.line_at(pos)
        )

    def at_end(self, pos: int) -> bool:
        return pos >= self.end

    def decode(self, pos: int, line: int | None) -> tuple[Any, int]:
        """Return (value, end) of the JSON value at ``pos``.

        A value cut off by the end of the file raises _Truncated(line), so the
        caller keeps what came before; any other error is a broken file.
        """
        try:
            return self.decoder.raw_decode(self.text, pos)
        except RecursionError:
            raise self.fail(pos, "nested too deeply") from None
        except json.JSONDecodeError as error:
            # "Unterminated string" means no closing quote before the end of the file.
            if self.at_end(error.pos) or error.msg.startswith("Unterminated string"):
                raise _Truncated(line) from None
            if cut_in_a_token(self.text[error.pos : self.end]):
                raise _Truncated(line) from None
            if error.msg.startswith("Invalid \\uXXXX escape") and self.end - error.pos <= 12:
                raise _Truncated(line) from None
            raise self.fail(max(error.pos, pos), error.msg) from None
        except ValueError as error:  # not a JSONDecodeError: an integer too long to read
            raise self.fail(pos, _reason(error)) from None

    def expect(self, pos: int, chars: str, what: str, line: int | None) -> str:
        if self.at_end(pos):
            raise _Truncated(line)
        char = self.text[pos]
        if char not in chars:
            raise self.fail(pos, what)
        return char

    def items(self) -> Iterator[Item]:
        """Yield (line, record | Broken) for every top-level value, one after another."""
        pos = self.skip_ws(0)
        try:
            while not self.at_end(pos):
                char = self.text[pos]
                if char == "[":
                    pos = yield from self._array(pos)
                elif char == "{":
                    pos = yield from self._object(pos)
                else:
                    line = self.line_at(pos)
                    _, pos = self.decode(pos, line)
                    yield line, Broken("not a JSON object")
                pos = self.skip_ws(pos)
        except _Truncated as cut:
            if cut.line is not None:
                self.warnings.append(f"line {cut.line}: {TRUNCATED}; that record was skipped")
                yield cut.line, Broken(TRUNCATED)
            else:
                self.warnings.append(
                    "the file ends before its closing bracket (was it cut off while being "
                    "written?); every complete record was read"
                )

    def _array(self, pos: int) -> Generator[Item, None, int]:
        """Yield the records of the array at ``pos``; return the position after it."""
        pos = self.skip_ws(pos + 1)
        if self.expect(pos, ']{[tfn"-0123456789', "expected a record", None) == "]":
            return pos + 1
        while True:
            line = self.line_at(pos)
            value, pos = self.decode(pos, line)
            yield from _expand(value, line, self.warnings)
            pos = self.skip_ws(pos)
            if self.expect(pos, ",]", "expected ',' or ']' between records", None) == "]":
                return pos + 1
            pos = self.skip_ws(pos + 1)

    def _object(self, pos: int, fields: dict[str, Any] | None = None) -> Generator[Item, None, int]:
        """Scan one top-level object: a page's accounts one by one, else one record.

        ``fields``, if given, receives the object's other keys and values.
        """
        start_line = self.line_at(pos)
        pos = self.skip_ws(pos + 1)
        fields = {} if fields is None else fields
        is_page = False
        # Until a page's account list is seen, a cut-off object is one truncated record.
        while True:
            cut_line = None if is_page else start_line
            if self.expect(pos, '}"', "expected a key or '}'", cut_line) == "}":
                pos += 1
                break
            key, pos = self.decode(pos, cut_line)
            pos = self.skip_ws(pos)
            self.expect(pos, ":", "expected ':' after a key", cut_line)
            pos = self.skip_ws(pos + 1)
            if not is_page and key in PAGE_KEYS and self.text.startswith("[", pos):
                is_page = True
                pos = yield from self._array(pos)
            elif (
                not is_page
                and key == "audits"
                and is_scan_document(fields)
                and self.text.startswith("[", pos)
            ):
                is_page = True
                pos = yield from self._audits(pos, start_line)
            else:
                fields[key], pos = self.decode(pos, cut_line)
            pos = self.skip_ws(pos)
            if self.expect(pos, ",}", "expected ',' or '}' after a value", cut_line) == ",":
                pos = self.skip_ws(pos + 1)
        if not is_page:
            yield from _expand(fields, start_line, self.warnings)
        return pos

    def _audits(self, pos: int, line: int) -> Generator[Item, None, int]:
        """Yield the followers of every audit of a ``scan --json`` document, each with its line."""
        handles: list[str] = []
        pos = self.skip_ws(pos + 1)
        if self.expect(pos, "]{", "expected an audit object", None) == "]":
            return pos + 1
        while True:
            self.expect(pos, "{", "expected an audit object", None)
            audit: dict[str, Any] = {}
            pos = yield from self._object(pos, audit)
            handles.append(str(audit.get("handle", "?")))
            pos = self.skip_ws(pos)
            if self.expect(pos, ",]", "expected ',' or ']' between audits", None) == "]":
                warn_several_audits(handles, line, self.warnings)
                return pos + 1
            pos = self.skip_ws(pos + 1)


def iter_document(text: str, path: str, warnings: list[str]) -> Iterator[Item]:
    """Yield (line, record | Broken) from a whole JSON text: arrays, pages or records."""
    return _Document(text, path, warnings).items()
