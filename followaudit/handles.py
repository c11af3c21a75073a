"""Turn what a user types into the account to audit, before any request is made.

=================================================== =========================
input                                               platform
=================================================== =========================
``@name``                                           X
``x.com/name``, ``https://twitter.com/name/``, ...  X
``name.bsky.social``, ``@alice.example.com``        Bluesky (handle)
``did:plc:<24 base32>``, ``did:web:<host>``         Bluesky (DID)
``bsky.app/profile/<handle-or-did>``                Bluesky
``@name@server``, ``name@server``                   Mastodon
``https://server/@name``, ``server/@name@other``    Mastodon
``name`` with ``platform="x"``                      X
=================================================== =========================

A bare ``name`` without a platform is ambiguous (X? Mastodon without its
server?) and is refused with a suggestion, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from followaudit.errors import UsageError

__all__ = [
    "PLATFORMS",
    "Handle",
    "InvalidHandleError",
    "display_name",
    "normalize_platform",
    "parse_handle",
    "written_handle",
    "written_handles",
]

Platform = Literal["x", "bluesky", "mastodon"]
PLATFORMS: tuple[Platform, ...] = ("x", "bluesky", "mastodon")
_ALIASES: dict[str, Platform] = {
    "x": "x",
    "twitter": "x",
    "bluesky": "bluesky",
    "bsky": "bluesky",
    "mastodon": "mastodon",
    "fediverse": "mastodon",
}

X_USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")
X_MAX = 15
X_HOSTS = frozenset(
    {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
)
# First path segments of x.com pages that are not profiles.
X_RESERVED = frozenset(
    {
        "home", "explore", "search", "settings", "notifications", "messages", "i",
        "intent", "share", "hashtag", "login", "logout", "signup", "tos", "privacy",
        "compose", "account", "following", "followers",
    }
)  # fmt: skip
BSKY_HOSTS = frozenset({"bsky.app", "www.bsky.app", "staging.bsky.app"})

# atproto handle syntax: dot-separated labels, TLD starting with a letter, <= 253 chars.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
BSKY_HANDLE = re.compile(rf"(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?")
# The atproto spec refuses these TLDs for handles.
BSKY_BAD_TLDS = frozenset(
    {"alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion"}
)
DID_PLC = re.compile(r"did:plc:[a-z2-7]{24}")
DID_WEB = re.compile(rf"did:web:{BSKY_HANDLE.pattern}(?:%3[Aa][0-9]{{1,5}})?")
# Mastodon's own USERNAME_RE: word characters, dots and dashes only inside.
MASTODON_USERNAME = re.compile(r"[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*")
_IPV4 = r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}"
MASTODON_SERVER = re.compile(rf"(?:{BSKY_HANDLE.pattern}|{_IPV4}|localhost)(?::[0-9]{{1,5}})?")


# How each platform is named, and whether its handles are written without "@" (Bluesky).
DISPLAY_NAMES: dict[str, str] = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}
_WRITTEN_BARE = frozenset({"bluesky"})


def display_name(platform: str) -> str:
    """Return a platform's name as users write it ("X"); an unknown name is returned as given."""
    return DISPLAY_NAMES.get(platform, platform)


def written_handle(platform: str, handle: str) -> str:
    """Return a bare handle as users write it on ``platform`` (unchanged on an unknown one).

    "@name" on X and Mastodon ("" stays ""); a Bluesky handle or DID as it is.
    """
    if platform not in DISPLAY_NAMES or platform in _WRITTEN_BARE:
        return handle
    if not handle or handle.startswith("@"):
        return handle
    return "@" + handle


def written_handles(platforms: Sequence[str], handles: Sequence[str]) -> list[str]:
    """Return ``written_handle`` of each (platform, handle) pair."""
    return [written_handle(p, h) for p, h in zip(platforms, handles, strict=True)]


class InvalidHandleError(UsageError):
    """The text given is not an account on any supported platform (or the one asked for)."""


@dataclass(frozen=True)
class Handle:
    """An account to audit, as parsed from user input."""

    platform: Platform
    name: str  # X username without @; Bluesky handle (lower case) or DID; Mastodon username
    server: str | None = None  # Mastodon home server host (lower case), else None

    @property
    def account(self) -> str:
        """Return the account without "@": "name", a Bluesky handle or DID, "name@server"."""
        return f"{self.name}@{self.server}" if self.server else self.name

    @property
    def display(self) -> str:
        """Return the handle as users write it: @name (X), handle or DID (Bluesky), @name@server."""
        return written_handle(self.platform, self.account)

    def __str__(self) -> str:
        return self.display


def normalize_platform(platform: str) -> Platform:
    """Return the canonical platform name for ``platform`` (accepts twitter, bsky)."""
    found = _ALIASES.get(platform.strip().lower())
    if found is None:
        raise InvalidHandleError(
            f"Unknown platform {platform!r}: use one of {', '.join(PLATFORMS)}"
        )
    return found


def parse_handle(text: str, platform: str | None = None) -> Handle:
    """Return the account ``text`` names; ``platform`` forces how it is read.

    Raises InvalidHandleError (a UsageError) with the reason when the text is
    not a valid account or is ambiguous.
    """
    forced = normalize_platform(platform) if platform is not None else None
    raw = text.strip()
    if not raw:
        raise InvalidHandleError("The account to audit is empty: give a handle such as @name")
    if any(ch.isspace() for ch in raw):
        raise InvalidHandleError(f"{text!r} is not a handle: it contains spaces")
    handle = _parse(raw, forced)
    if forced is not None and handle.platform != forced:
        raise InvalidHandleError(
            f"{raw!r} is {_PLATFORM_NAMES[handle.platform]} account, "
            f"not {_PLATFORM_NAMES[forced]} one as --platform {forced} says"
        )
    return handle


_PLATFORM_NAMES: dict[str, str] = {"x": "an X", "bluesky": "a Bluesky", "mastodon": "a Mastodon"}


def _parse(raw: str, forced: Platform | None) -> Handle:
    if raw.lower().startswith("did:"):
        return Handle("bluesky", _did(raw))
    if "/" in raw or raw.lower().startswith(("http:", "https:")):
        return _parse_url(raw)
    if raw.startswith("@"):
        rest = raw[1:]
        if "@" in rest:
            return _mastodon(rest, raw)
        if "." in rest and forced != "x":
            return Handle("bluesky", _bsky_handle(rest, raw))
        if forced in ("bluesky", "mastodon"):
            return _bare(rest, raw, forced)
        return Handle("x", _x_username(rest, raw))
    if "@" in raw:
        return _mastodon(raw, raw)
    if "." in raw and forced != "x":
        return Handle("bluesky", _bsky_handle(raw, raw))
    if forced is None:
        hint = f"@{raw}" if X_USERNAME.fullmatch(raw) else "@name"
        raise InvalidHandleError(
            f"{raw!r} is ambiguous: write {hint} for X, name.bsky.social for Bluesky or "
            "name@server for Mastodon, or pass --platform"
        )
    return _bare(raw, raw, forced)


def _bare(name: str, raw: str, forced: Platform) -> Handle:
    if forced == "x":
        return Handle("x", _x_username(name, raw))
    if forced == "bluesky":
        if "." in name:
            return Handle("bluesky", _bsky_handle(name, raw))
        raise InvalidHandleError(
            f"{raw!r} is not a full Bluesky handle: did you mean {name.lower()}.bsky.social?"
        )
    raise InvalidHandleError(
        f"{raw!r} lacks its Mastodon server: write it as {name}@server (e.g. {name}@mastodon.social)"
    )


def _x_username(name: str, raw: str) -> str:
    if not name:
        raise InvalidHandleError(f"{raw!r} is not a valid X username: it is empty")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise InvalidHandleError(
            f"{raw!r} is not a valid X username: only letters, digits and _ are allowed"
        )
    if len(name) > X_MAX:
        raise InvalidHandleError(
            f"{raw!r} is not a valid X username: at most {X_MAX} characters, not {len(name)}"
        )
    return name


def _bsky_handle(name: str, raw: str) -> str:
    if len(name) > 253:
        raise InvalidHandleError(
            f"{raw!r} is not a valid Bluesky handle: longer than 253 characters"
        )
    if not BSKY_HANDLE.fullmatch(name):
        raise InvalidHandleError(
            f"{raw!r} is not a valid Bluesky handle: it must be a domain name such as "
            "name.bsky.social (letters, digits and -, labels separated by dots)"
        )
    tld = name.rsplit(".", 1)[1].lower()
    if tld in BSKY_BAD_TLDS:
        raise InvalidHandleError(
            f"{raw!r} is not a valid Bluesky handle: the .{tld} domain is not allowed"
        )
    return name.lower()


def _did(raw: str) -> str:
    lowered = raw[:8].lower() + raw[8:]
    if lowered.startswith("did:plc:"):
        if DID_PLC.fullmatch(lowered):
            return lowered
        raise InvalidHandleError(
            f"{raw!r} is not a valid did:plc: it must be did:plc: followed by 24 characters "
            "from a-z and 2-7"
        )
    if lowered.startswith("did:web:"):
        if DID_WEB.fullmatch(lowered):
            return "did:web:" + lowered[8:].lower().replace("%3a", "%3A")
        raise InvalidHandleError(f"{raw!r} is not a valid did:web: it must name a domain")
    method = raw.split(":")[1] if raw.count(":") >= 1 else ""
    raise InvalidHandleError(
        f"{raw!r} uses the DID method {method!r}: Bluesky accounts use did:plc or did:web"
    )


def _mastodon(text: str, raw: str) -> Handle:
    name, _, server = text.partition("@")
    if not name or not server:
        raise InvalidHandleError(
            f"{raw!r} is not a valid Mastodon account: write it as @name@server"
        )
    if "@" in server:
        raise InvalidHandleError(f"{raw!r} has too many @: a Mastodon account is @name@server")
    if not MASTODON_USERNAME.fullmatch(name):
        raise InvalidHandleError(
            f"{raw!r} is not a valid Mastodon account: the username may hold only letters, "
            "digits, _ and (inside) . or -"
        )
    server = server.lower().rstrip("/")
    if not MASTODON_SERVER.fullmatch(server):
        raise InvalidHandleError(
            f"{raw!r} is not a valid Mastodon account: {server!r} is not a server name"
        )
    return Handle("mastodon", name, server)


def _parse_url(raw: str) -> Handle:
    has_scheme = raw.lower().startswith(("http://", "https://"))
    parts = urlsplit(raw if has_scheme else f"https://{raw}")
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if not host:
        raise InvalidHandleError(f"{raw!r} is not a profile address")
    if host in X_HOSTS:
        if not segments:
            raise InvalidHandleError(f"{raw!r} has no username after {host}/")
        first = segments[0]
        if first.lower() in X_RESERVED:
            raise InvalidHandleError(
                f"{raw!r} is not a profile address: {host}/{first} is not a user"
            )
        return Handle("x", _x_username(first.lstrip("@"), raw))
    if host in BSKY_HOSTS:
        if len(segments) < 2 or segments[0] != "profile":
            raise InvalidHandleError(
                f"{raw!r} is not a Bluesky profile address: expected {host}/profile/<handle>"
            )
        actor = segments[1]
        if actor.lower().startswith("did:"):
            return Handle("bluesky", _did(actor))
        return Handle("bluesky", _bsky_handle(actor.lstrip("@"), raw))
    if segments and segments[0].startswith("@") and len(segments[0]) > 1:
        account = segments[0][1:]
        if "@" in account:  # a remote account viewed through another server
            return _mastodon(account, raw)
        return _mastodon(f"{account}@{host}{port}", raw)
    if len(segments) >= 2 and segments[0] == "users":  # the ActivityPub actor URI
        return _mastodon(f"{segments[1]}@{host}{port}", raw)
    raise InvalidHandleError(
        f"{raw!r} is not a profile address followaudit knows: use x.com/name, "
        "bsky.app/profile/handle or https://server/@name"
    )
