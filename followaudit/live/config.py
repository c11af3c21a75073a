"""Find the X bearer token and the API base URLs; never print or log a token.

The token is looked up in order: the ``--token`` value, the
``X_BEARER_TOKEN`` environment variable, then the config file (where the
platform keeps configuration, ``default_config_path``: on Linux
``$XDG_CONFIG_HOME/followaudit/config.toml``, default
``~/.config/followaudit/config.toml``)::

    [x]
    bearer_token = "AAAA..."

The config file is only read when it is needed, so a broken file does not
stop a run that has its token elsewhere. Warnings (a config file that other
users can read) are returned, never printed: the CLI shows them.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from followaudit.errors import AuthError, UsageError
from followaudit.filesystem import user_dirs, write_atomic

__all__ = [
    "API_URL_ENV",
    "DEFAULT_API_URLS",
    "TOKEN_ENV",
    "ConfigError",
    "Token",
    "api_base_url",
    "check_api_url_scope",
    "config_file",
    "default_config_path",
    "find_x_bearer_token",
    "legacy_config_path",
    "mask_token",
    "read_config",
    "set_x_bearer_token",
]

TOKEN_ENV = "X_BEARER_TOKEN"
API_URL_ENV = "FOLLOWAUDIT_API_URL"
TOKEN_PORTAL = "https://developer.x.com/en/portal/dashboard"
DEFAULT_API_URLS: dict[str, str | None] = {
    "x": "https://api.x.com",
    "bluesky": "https://public.api.bsky.app",
    "mastodon": None,  # each account's own home server
}


class ConfigError(UsageError):
    """The config file exists but cannot be read or holds a wrong value."""


@dataclass(frozen=True)
class Token:
    """A bearer token and where it came from; its repr never shows the value."""

    value: str = field(repr=False)
    source: str  # "--token", "X_BEARER_TOKEN" or the config file path
    warnings: tuple[str, ...] = ()


def default_config_path(platform: str | None = None) -> Path:
    """Return the config file path by the platform's convention (platformdirs).

    ``$XDG_CONFIG_HOME/followaudit/config.toml`` (default ``~/.config``) on
    Linux and other Unixes, ``~/Library/Application Support/followaudit/`` on
    macOS, ``%LOCALAPPDATA%\\followaudit\\`` on Windows.
    """
    return user_dirs(platform).user_config_path / "config.toml"


def legacy_config_path(env: Mapping[str, str] | None = None) -> Path:
    """Return where followaudit 0.1 kept the config file on every platform: ~/.config/followaudit/."""
    env = os.environ if env is None else env
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        base = Path(xdg)
    else:
        home = env.get("HOME") or env.get("USERPROFILE")
        base = (Path(home) if home else Path.home()) / ".config"
    return base / "followaudit" / "config.toml"


def config_file(env: Mapping[str, str] | None = None) -> tuple[Path, list[str]]:
    """Return the config file to use and what was done to find it.

    A config file written by an earlier version under ``~/.config`` (on macOS
    and Windows, where the convention is elsewhere) is moved to the
    conventional place once, with a notice; if it cannot be moved it is read
    where it is.
    """
    path = default_config_path()
    legacy = legacy_config_path(env)
    if path == legacy or path.exists() or not legacy.is_file():
        return path, []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(legacy, path)
    except OSError as exc:
        notice = f"The config file {legacy} could not be moved to {path} ({exc.strerror}); "
        return legacy, [notice + "it is read where it is"]
    return path, [f"The config file moved from {legacy} to {path}, where this system keeps it"]


def read_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Return the parsed config file (empty if absent) and warnings about it."""
    warnings: list[str] = []
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, warnings
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}") from None
    if os.name == "posix":
        try:
            mode = path.stat().st_mode
        except OSError:
            mode = 0
        if mode & 0o077:
            warnings.append(
                f"The config file {path} can be read by other users "
                f"(mode {stat.filemode(mode)}); run: chmod 600 {path}"
            )
    try:
        text = raw.decode("utf-8")
        return tomllib.loads(text), warnings
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message names a position, never the file's content.
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}") from None


def _clean(token: str) -> str:
    """Return the token without surrounding blanks or a pasted "Bearer " prefix."""
    token = token.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    return token


def _checked(token: str, source: str) -> str:
    """Return ``token`` if an HTTP header can carry it; AuthError naming ``source`` if not.

    Every source goes through here (--token, X_BEARER_TOKEN, the config file),
    so a paste gone wrong (a line break, a tab, a curly quote) is refused before
    any request, and the sentence never repeats the value.
    """
    if not _TOKEN_SHAPE.fullmatch(token):
        raise AuthError(
            f"The X bearer token from {source} holds a line break, a blank or a character "
            "outside printable ASCII, which no HTTP header can carry: copy it again "
            "(`followaudit config set-token` checks it)"
        )
    return token


def find_x_bearer_token(
    explicit: str | None,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Token:
    """Return the X bearer token with its source: --token, then X_BEARER_TOKEN, then the config file.

    Raises AuthError naming all three places when none holds a token.
    """
    env = os.environ if env is None else env
    if explicit is not None and _clean(explicit):
        return Token(_checked(_clean(explicit), "--token"), "--token")
    from_env = env.get(TOKEN_ENV)
    if from_env is not None and _clean(from_env):
        return Token(_checked(_clean(from_env), TOKEN_ENV), TOKEN_ENV)
    moved: list[str] = []
    if config_path is not None:
        path = config_path
    else:
        path, moved = config_file(env)
    config, warnings = read_config(path)
    warnings = moved + warnings
    section = config.get(X_SECTION, {})
    if not isinstance(section, dict):
        raise ConfigError(f"The config file {path} has x = ...; it must be an [x] table")
    value = section.get("bearer_token")
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"The config file {path} has [x] bearer_token that is not a string")
    if value is not None and _clean(value):
        return Token(_checked(_clean(value), str(path)), str(path), tuple(warnings))
    raise AuthError(
        f"No X bearer token: pass --token, set {TOKEN_ENV}, or add it to {path}; "
        f"get one at {TOKEN_PORTAL}"
    )


# Below this length the last four characters are not shown: they would give
# away too much of a short secret (12 characters stay hidden at the least).
MASK_SHOWS_END_FROM = 16


def mask_token(token: str) -> str:
    """Return the token masked for display: its length and, unless it is short, its last 4 characters."""
    if len(token) >= MASK_SHOWS_END_FROM:
        return f"****{token[-4:]} ({len(token)} characters)"
    return f"**** ({len(token)} characters)"


_TOKEN_SHAPE = re.compile(r"[!-~]+")  # printable ASCII, no blanks: what an HTTP header can carry
_SECTION = re.compile(r"^\s*\[")
# The config file's table for X settings ([x] bearer_token = ...).
X_SECTION = "x"
_X_SECTION = re.compile(r"^\s*\[\s*x\s*\]\s*(#.*)?$")
_BEARER_KEY = re.compile(r"^\s*bearer_token\s*=")


def set_x_bearer_token(token: str, path: Path) -> Path:
    """Return the config file after storing ``token`` as its ``[x] bearer_token`` (mode 0600).

    Every other line of an existing file is kept as it was. The file is
    written next to its final name with mode 0600 from the start and renamed
    into place, so the token is never readable by others, even for a moment.
    """
    token = _clean(token)
    if not token:
        raise UsageError("No token given: paste the X bearer token at the prompt or pipe it in")
    if not _TOKEN_SHAPE.fullmatch(token):
        # Never echo the value: it is a secret, and may be a paste gone wrong.
        raise UsageError(
            "That is not a bearer token: it holds blanks or characters outside printable ASCII"
        )
    config, _ = read_config(path)  # a broken file is refused rather than overwritten
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}") from None
    entry = f"bearer_token = {json.dumps(token)}"  # a JSON string is a TOML basic string
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _X_SECTION.match(line)), None)
    if start is None:
        if X_SECTION in config:
            raise ConfigError(
                f"The config file {path} defines x in a way followaudit does not "
                "edit: set [x] bearer_token there by hand"
            )
        lines += ([""] if lines and lines[-1].strip() else []) + ["[x]", entry]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if _SECTION.match(lines[i])), len(lines)
        )
        keys = [i for i in range(start + 1, end) if _BEARER_KEY.match(lines[i])]
        if keys:
            lines[keys[0]] = entry
        else:
            lines.insert(start + 1, entry)
    new_text = "\n".join(lines) + "\n"
    try:
        written = tomllib.loads(new_text).get(X_SECTION, {}).get("bearer_token")
    except (tomllib.TOMLDecodeError, AttributeError):
        written = None
    if written != token:
        raise ConfigError(
            f"The config file {path} could not be edited safely: set [x] bearer_token there by hand"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, new_text, mode=0o600)  # readable by the user only
    except OSError as exc:
        raise ConfigError(f"Cannot write the config file {path}: {exc.strerror}") from None
    return path


def api_base_url(
    platform: str, explicit: str | None = None, env: Mapping[str, str] | None = None
) -> str | None:
    """Return the API base URL (no trailing slash): --api-url, FOLLOWAUDIT_API_URL, else the default.

    The default is None for Mastodon, whose API is each account's home server.
    """
    env = os.environ if env is None else env
    if platform not in DEFAULT_API_URLS:
        raise UsageError(f"Unknown platform {platform!r}: use one of x, bluesky, mastodon")
    chosen, source = explicit, "--api-url"
    if not chosen:
        chosen, source = env.get(API_URL_ENV), API_URL_ENV
    if not chosen or not chosen.strip():
        return DEFAULT_API_URLS[platform]
    chosen = chosen.strip().rstrip("/")
    scheme, sep, rest = chosen.partition("://")
    host = rest.split("/", 1)[0]
    if "@" in host:
        raise UsageError(f"{source} must not hold a user name or password")
    if not sep or scheme.lower() not in ("http", "https") or not host:
        raise UsageError(
            f"{source} {chosen!r} is not an http(s) URL such as https://api.example.com"
        )
    try:
        urlsplit(chosen).port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise UsageError(
            f"{source} {chosen!r} does not hold a valid port (1-65535) after the host"
        ) from None
    return chosen


def check_api_url_scope(
    platforms: Iterable[str], explicit: str | None = None, env: Mapping[str, str] | None = None
) -> None:
    """Return None when an API URL override is absent or serves one platform; else raise UsageError.

    One base URL cannot be every platform's: applied to a mixed list it would
    send the X bearer token to, say, a self-hosted Bluesky AppView.
    """
    env = os.environ if env is None else env
    source = "--api-url"
    chosen = explicit
    if not chosen:
        chosen, source = env.get(API_URL_ENV), API_URL_ENV
    if not chosen or not chosen.strip():
        return
    names = sorted(set(platforms))
    if len(names) > 1:
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        raise UsageError(
            f"{source} applies to one platform; these handles are on {listed}: "
            "scan each platform's handles in a separate run"
        )
