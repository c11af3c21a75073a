"""Find the X bearer token and the API base URLs; never print or log a token.

The token is looked up in order: the ``--token`` value, the
``X_BEARER_TOKEN`` environment variable, then the config file
(``$XDG_CONFIG_HOME/followaudit/config.toml``, default
``~/.config/followaudit/config.toml``)::

    [x]
    bearer_token = "AAAA..."

The config file is only read when it is needed, so a broken file does not
stop a run that has its token elsewhere. Warnings (a config file that other
users can read) are returned, never printed: the CLI shows them.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followaudit.errors import AuthError, UsageError

__all__ = [
    "API_URL_ENV",
    "DEFAULT_API_URLS",
    "TOKEN_ENV",
    "ConfigError",
    "Token",
    "api_base_url",
    "check_api_url_scope",
    "default_config_path",
    "find_x_bearer_token",
    "read_config",
    "x_bearer_token",
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


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """Return the config file path: $XDG_CONFIG_HOME (if absolute) or ~/.config + followaudit/config.toml."""
    env = os.environ if env is None else env
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        base = Path(xdg)
    else:
        home = env.get("HOME") or env.get("USERPROFILE")
        base = (Path(home) if home else Path.home()) / ".config"
    return base / "followaudit" / "config.toml"


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
        return Token(_clean(explicit), "--token")
    from_env = env.get(TOKEN_ENV)
    if from_env is not None and _clean(from_env):
        return Token(_clean(from_env), TOKEN_ENV)
    path = config_path if config_path is not None else default_config_path(env)
    config, warnings = read_config(path)
    section = config.get("x", {})
    if not isinstance(section, dict):
        raise ConfigError(f"The config file {path} has x = ...; it must be an [x] table")
    value = section.get("bearer_token")
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"The config file {path} has [x] bearer_token that is not a string")
    if value is not None and _clean(value):
        return Token(_clean(value), str(path), tuple(warnings))
    raise AuthError(
        f"No X bearer token: pass --token, set {TOKEN_ENV}, or add it to {path}; "
        f"get one at {TOKEN_PORTAL}"
    )


def x_bearer_token(
    explicit: str | None,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> str:
    """Return the X bearer token from --token, X_BEARER_TOKEN or the config file (see find_x_bearer_token)."""
    return find_x_bearer_token(explicit, env, config_path).value


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
