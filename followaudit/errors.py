"""The project's exceptions and the exit codes they map to, and the text every sentence is cleaned of.

Every failure a user can meet is one of these exceptions; the CLI turns them
into one sentence on stderr and the exit code named here. Core modules raise
them and never print. Text from outside passes ``redact`` (credentials) and
``whole_text`` (lone surrogates) before anything shows or stores it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from enum import IntEnum
from pathlib import Path
from typing import Any

REDACTED = "REDACTED"

# Credentials this process has sent (registered by followaudit.live.http before a
# request leaves): any of them found in text or data from the network, or in
# an exception's message, is replaced by REDACTED.
_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
# Shorter values would blank out ordinary words in follower data.
MIN_SECRET_LENGTH = 8
# Any bearer credential, ours or not (an API echoing another client's header):
# "Bearer " then at least 16 token characters, so prose such as "the bearer
# token" or "Bearer of good news" is left alone.
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9\-._~+/%=]{16,}")


def add_secret(value: str) -> None:
    """Remember a credential this process sends, so ``redact`` removes it wherever it shows.

    Also in the spellings a library quotes a value in when it refuses it
    (``repr`` of the text or of its bytes: a line break as backslash-n, a
    non-ASCII letter as backslash-x escapes), so an exception that embeds a
    header value is redacted too.
    """
    spellings = {
        value,
        repr(value)[1:-1],
        repr(value.encode("utf-8", "backslashreplace"))[2:-1],
        value.encode("unicode_escape").decode("ascii"),
        ascii(value)[1:-1],
    }
    with _SECRETS_LOCK:
        _SECRETS.update(s for s in spellings if len(s) >= MIN_SECRET_LENGTH)


def known_secrets() -> list[str]:
    """Return the registered credentials, longest first (a token before its prefix)."""
    with _SECRETS_LOCK:
        return sorted(_SECRETS, key=len, reverse=True)


def redact(text: str) -> str:
    """Return ``text`` with every registered credential and any bearer credential replaced."""
    for secret in known_secrets():
        if secret in text:
            text = text.replace(secret, REDACTED)
    if "earer" in text or "EARER" in text:
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return text


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def whole_text(values: Any) -> list[Any]:
    """Return text values with every lone surrogate replaced by U+FFFD.

    JSON may spell half of a UTF-16 pair (``\\ud800``): legal JSON, but not
    text any file, terminal or pandas string column can hold. Only non-ASCII
    values are looked at, so a table of ordinary handles costs one check each.
    """
    return [
        v if not isinstance(v, str) or v.isascii() else _LONE_SURROGATE.sub("\ufffd", v)
        for v in values
    ]


def nested_deeper_than(data: Any, limit: int) -> bool:
    """Return whether parsed JSON nests lists and objects more than ``limit`` deep.

    Iterative, so JSON deep enough to break a recursive walk (the redaction,
    an export) is measured without one.
    """
    if type(data) not in (dict, list):
        return False
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if type(value) is dict else value
        stack.extend((c, depth + 1) for c in children if type(c) in (dict, list))
    return False


def redact_data(data: Any) -> tuple[Any, bool]:
    """Return (parsed JSON with every string and key passed through ``redact``, whether any changed)."""
    secrets = known_secrets()
    changed = False

    def clean(text: str) -> str:
        nonlocal changed
        out = text
        for secret in secrets:
            if secret in out:
                out = out.replace(secret, REDACTED)
        if "earer" in out or "EARER" in out:
            out = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", out)
        if out != text:
            changed = True
        return out

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, dict):
            return {clean(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    cleaned = walk(data)
    return (cleaned, True) if changed else (data, False)


class ExitCode(IntEnum):
    """Process exit codes, stable across releases (documented in the README and docs/outputs.md)."""

    OK = 0
    INTERNAL = 1  # a bug: please report it (run with --debug for the traceback)
    USAGE = 2  # bad command-line options or arguments (click's own code)
    INPUT = 3  # an input file cannot be read or holds no scoreable account
    MODEL = 4  # the model file is missing, tampered with, or foreign
    NOT_FOUND = 5  # the account does not exist, is suspended, or is protected
    AUTH = 6  # missing, invalid or under-privileged API token
    NETWORK = 7  # the platform could not be reached or kept failing
    RATE_LIMITED = 8  # a rate-limit wait longer than the caller allowed
    HIDDEN = 9  # the account hides its follower list
    GATE_FAILED = 10  # a --fail-above / --min-authentic / --fail-on / --fail-new-above gate
    OUTPUT = 11  # an export (--csv, --json, --junit, --html) could not be written
    CANCELLED = 12  # the user answered no to a confirmation; no follower was listed
    LIMIT_REACHED = 13  # --max-cost or --max-requests stopped the scan; what was fetched is cached
    NOT_JUDGED = 14  # a gate could not be judged (its data could not be read); the audit is kept
    QUOTA_SPENT = 15  # the platform's usage cap or prepaid credits are spent; waiting will not help
    INTERRUPTED = 130  # Ctrl-C; what was fetched is kept in the cache


EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success; every gate passed",
    ExitCode.INTERNAL: "unexpected error (a bug: rerun with --debug and report it)",
    ExitCode.USAGE: "bad options, arguments or handle",
    ExitCode.INPUT: "input file unreadable or holds no scoreable account; cache unusable",
    ExitCode.MODEL: "model file missing, tampered with, or not a followaudit model",
    ExitCode.NOT_FOUND: "account not found, suspended, or protected",
    ExitCode.AUTH: "API token missing, invalid, or without access to the endpoint",
    ExitCode.NETWORK: "platform unreachable, kept failing, or answered nonsense",
    ExitCode.RATE_LIMITED: "a rate-limit wait longer than --max-wait",
    ExitCode.HIDDEN: "the account hides its follower list",
    ExitCode.GATE_FAILED: "a --fail-above, --min-authentic, --fail-on or --fail-new-above gate failed",
    ExitCode.OUTPUT: "an export (--csv, --json, --junit, --html) could not be written",
    ExitCode.CANCELLED: "you answered no when asked to confirm; no follower was listed",
    ExitCode.LIMIT_REACHED: "a --max-cost or --max-requests ceiling stopped the scan; "
    "fetched answers stay cached",
    ExitCode.NOT_JUDGED: "a --fail-on gate could not be judged: the account's own posts could "
    "not be read (the follower audit is reported and exported)",
    ExitCode.QUOTA_SPENT: "the platform's usage cap or prepaid credits are spent: raise them in "
    "its developer console (waiting will not help)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); fetched answers stay cached",
}


class FollowauditError(Exception):
    """Base class: a user-facing failure with a one-sentence message."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str) -> None:
        # Messages often quote what a server said: whatever it echoed of our
        # credentials goes no further than here (stderr, exports, tracebacks).
        message = redact(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(FollowauditError):
    """An input file that cannot be read as follower data."""

    exit_code = ExitCode.INPUT

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        record: int = 0,
    ):
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                # ``record``: which of the several records on that line (a one-line API page).
                where += f", line {line}" + (f":{record}" if record else "")
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line


class ModelError(FollowauditError):
    """A model file that is missing, corrupt, tampered with, or not ours."""

    exit_code = ExitCode.MODEL


class NotFoundError(FollowauditError):
    """The audited account does not exist, is suspended, or is protected."""

    exit_code = ExitCode.NOT_FOUND


class AuthError(FollowauditError):
    """The API token is missing, invalid, or lacks access to an endpoint."""

    exit_code = ExitCode.AUTH


class NetworkError(FollowauditError):
    """The platform could not be reached, or kept answering with errors."""

    exit_code = ExitCode.NETWORK


class RateLimitError(FollowauditError):
    """A rate-limit wait would exceed what the caller allowed."""

    exit_code = ExitCode.RATE_LIMITED


class HiddenFollowersError(FollowauditError):
    """The account's owner hides its follower list."""

    exit_code = ExitCode.HIDDEN


class QuotaError(FollowauditError):
    """The platform's usage cap or prepaid credits are spent: no wait or retry will help."""

    exit_code = ExitCode.QUOTA_SPENT


class OutputError(FollowauditError):
    """An export file that cannot be written (missing folder, full disk, no permission)."""

    exit_code = ExitCode.OUTPUT


class InvalidResponseError(NetworkError):
    """A response that does not match the platform's documented shape."""


class UsageError(FollowauditError):
    """Options or arguments that cannot work together."""

    exit_code = ExitCode.USAGE


class Cancelled(FollowauditError):
    """The user declined a confirmation: not a failure, and no follower was listed."""

    exit_code = ExitCode.CANCELLED

    def __init__(self, message: str = "Cancelled; no requests were made") -> None:
        super().__init__(message)


class LimitReached(FollowauditError):
    """A --max-cost or --max-requests ceiling would be crossed by the next request."""

    exit_code = ExitCode.LIMIT_REACHED


class HttpStatusError(FollowauditError):
    """A 4xx answer (other than 429), raised by ``followaudit.live.http`` for the adapter to translate.

    ``exit_code`` defaults from the status (401/403: AUTH, 404/410: NOT_FOUND,
    402 and a 429 that is a spent quota: QUOTA_SPENT, else NETWORK) so an
    untranslated error still exits sensibly.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        data: Any,
        headers: Mapping[str, str],
        url: str,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.data = data
        self.headers = headers
        self.url = url
        if status in (401, 403):
            self.exit_code = ExitCode.AUTH
        elif status in (404, 410):
            self.exit_code = ExitCode.NOT_FOUND
        elif status in (402, 429):  # Http lets a 429 through only when it is a spent quota
            self.exit_code = ExitCode.QUOTA_SPENT
        else:
            self.exit_code = ExitCode.NETWORK


def error_text(data: Any) -> str:
    """Return the most readable message in a JSON error body ("" if none).

    The first of X's ``errors`` comes first (it names the parameter at
    fault); then the body's own ``detail``, ``message``, ``error_description``,
    ``error`` or ``title`` (Problem objects, Bluesky, Mastodon, OAuth).
    """
    if not isinstance(data, Mapping):
        return ""
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        first = error_text(errors[0])
        if first:
            return first
    for key in ("detail", "message", "error_description", "error", "title"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return ""
