"""The small interface every platform adapter implements.

An adapter turns a handle into a ``Subject``, pages through the subject's
followers in the platform's own cursor style, fetches full profiles where the
follower list lacks counts (Bluesky), and hands raw API objects to the
matching converter in ``followaudit.formats``. Adapters know nothing about
sampling, progress display or output: ``followaudit.scan`` does that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from followaudit.errors import InvalidResponseError

if TYPE_CHECKING:
    from followaudit.accounts import TableBuilder
    from followaudit.handles import Handle


@dataclass(frozen=True)
class Subject:
    """The audited account, as the platform describes it."""

    platform: str
    id: str
    handle: str  # without "@"; "name@server" on Mastodon
    display_name: str
    followers_count: int | None  # what the platform says, which may lag the list
    profile_url: str
    # True when the platform documents the follower list as newest first, so
    # a follower's position in the list is the order in which it followed.
    order_known: bool
    # The website the profile links to (its "own site" for the behaviour
    # findings), not the profile page on the platform; None when it links none.
    website: str | None = None


@dataclass(frozen=True)
class FollowerPage:
    """One page of the follower list: raw API objects and the next cursor (None at the end)."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None


@runtime_checkable
class Platform(Protocol):
    """What ``followaudit.scan`` needs from a platform adapter."""

    name: str  # "x", "bluesky" or "mastodon"
    # True when follower pages lack the counts the model needs, so every
    # follower that is scored needs a separate profile lookup.
    needs_profiles: bool
    profile_batch_size: int

    def resolve(self, handle: Handle) -> Subject:
        """Return the audited account; raise NotFoundError, AuthError or HiddenFollowersError."""
        ...

    def follower_pages(self, subject: Subject, limit: int | None = None) -> Iterator[FollowerPage]:
        """Yield the subject's follower list page by page, in the platform's order.

        ``limit`` is how many followers the caller will read at most: an adapter
        may ask for smaller pages near it (X bills every user returned), but the
        caller still stops reading on its own.
        """
        ...

    def follower_id(self, raw: Mapping[str, Any]) -> str:
        """Return the account id of a follower item or fetched profile (what ``fetch_profiles`` takes)."""
        ...

    def fetch_profiles(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return full profiles for ``ids`` (omitting accounts the platform no longer serves)."""
        ...

    def add_account(self, builder: TableBuilder, raw: dict[str, Any], line: int) -> None:
        """Append one canonical row for ``raw`` (a follower item or a fetched profile)."""
        ...

    def recent_posts(self, account_id: str, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` of the account's most recent posts, newest first."""
        ...


def at(handle: Handle) -> str:
    """Return a handle as users write it: "@name", "@name@server" (Mastodon) or a bare DID."""
    return handle.display


def required_id(raw: Any, key: str, what: str) -> str:
    """Return ``raw[key]`` as text: the id every later request depends on.

    Raises InvalidResponseError naming ``what`` (e.g. "X answered the user
    lookup") when ``raw`` is not an object or the id is missing or empty, so a
    malformed answer is a sentence and an exit code, not a crash.
    """
    value = raw.get(key) if isinstance(raw, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise InvalidResponseError(f"{what} without the {key!r} field its API documents")
    return str(value)


def optional_count(value: Any, what: str) -> int | None:
    """Return a count from an API answer (None if absent); InvalidResponseError if not a count."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidResponseError(f"{what} a count that is not a number: {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidResponseError(f"{what} a count that is not a number: {value!r}") from None
    if number < 0:
        raise InvalidResponseError(f"{what} a negative count: {number}")
    return number


def error_text(data: Any) -> str:
    """Return the most readable message found in a JSON error body ("" if none)."""
    if isinstance(data, Mapping):
        for key in ("detail", "message", "error_description", "error", "title"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            return error_text(errors[0])
    return ""
