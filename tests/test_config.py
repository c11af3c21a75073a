"""The X token is found in --token, X_BEARER_TOKEN or the config file, in that order."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from followaudit.errors import AuthError, ExitCode, UsageError
from followaudit.live.config import (
    ConfigError,
    api_base_url,
    default_config_path,
    find_x_bearer_token,
)


def write_config(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config.toml", '[x]\nbearer_token = "from-file"\n')


def test_token_option_wins(config: Path) -> None:
    env = {"X_BEARER_TOKEN": "from-env"}
    assert find_x_bearer_token("from-option", env, config).value == "from-option"


def test_environment_comes_second(config: Path) -> None:
    assert find_x_bearer_token(None, {"X_BEARER_TOKEN": "from-env"}, config).value == "from-env"
    assert find_x_bearer_token("  ", {"X_BEARER_TOKEN": "from-env"}, config).value == "from-env"


def test_config_file_comes_last(config: Path) -> None:
    token = find_x_bearer_token(None, {"X_BEARER_TOKEN": ""}, config)
    assert (token.value, token.source, token.warnings) == ("from-file", str(config), ())


def test_blanks_and_a_pasted_bearer_prefix_are_dropped() -> None:
    assert find_x_bearer_token(" Bearer AAAA%3Dxy\n", {}).value == "AAAA%3Dxy"


def test_the_token_never_shows_in_repr(config: Path) -> None:
    token = find_x_bearer_token("s3cr3t-value", {}, config)
    assert "s3cr3t-value" not in repr(token)


def test_no_token_anywhere_says_where_to_put_one(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "config.toml"
    with pytest.raises(AuthError) as caught:
        find_x_bearer_token(None, {}, missing)
    assert caught.value.exit_code == ExitCode.AUTH
    assert str(caught.value) == (
        f"No X bearer token: pass --token, set X_BEARER_TOKEN, or add it to {missing}; "
        "get one at https://developer.x.com/en/portal/dashboard"
    )


def test_a_config_without_the_x_table_is_no_token(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", "[bluesky]\nfoo = 1\n")
    with pytest.raises(AuthError, match="No X bearer token"):
        find_x_bearer_token(None, {}, path)


def test_the_default_path_respects_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path / "xdg" / "followaudit" / "config.toml", '[x]\nbearer_token = "t"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert find_x_bearer_token(None, {}).value == "t"
    monkeypatch.setenv("HOME", "/home/u")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert default_config_path("linux") == Path("/home/u/.config/followaudit/config.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative")
    assert default_config_path("linux") == Path("/home/u/.config/followaudit/config.toml")


def test_macos_keeps_the_config_in_application_support(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/Users/u")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert default_config_path("darwin") == Path(
        "/Users/u/Library/Application Support/followaudit/config.toml"
    )


def test_a_config_under_the_old_path_moves_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where 0.1 wrote it on every platform (~/.config), and where this platform keeps it.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME")
    old = tmp_path / "home" / ".config" / "followaudit" / "config.toml"
    write_config(old, '[x]\nbearer_token = "moved-token"\n')
    new = tmp_path / "support" / "followaudit" / "config.toml"
    monkeypatch.setattr("followaudit.live.config.default_config_path", lambda: new)
    token = find_x_bearer_token(None, {})
    assert token.value == "moved-token"
    assert token.source == str(new)
    assert token.warnings == (
        f"The config file moved from {old} to {new}, where this system keeps it",
    )
    assert new.exists() and not old.exists()
    # Once: the next run reads the new place with nothing to say.
    assert find_x_bearer_token(None, {}).warnings == ()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_config_others_can_read_gives_a_warning(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", '[x]\nbearer_token = "t"\n', mode=0o644)
    token = find_x_bearer_token(None, {}, path)
    assert token.value == "t"
    assert token.warnings == (
        (
            f"The config file {path} can be read by other users (mode -rw-r--r--); "
            f"run: chmod 600 {path}"
        ),
    )


def test_an_unread_config_gives_no_warning_and_no_error(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", "not toml [[[", mode=0o644)
    token = find_x_bearer_token(None, {"X_BEARER_TOKEN": "env"}, path)
    assert (token.value, token.source, token.warnings) == ("env", "X_BEARER_TOKEN", ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[x]\nbearer_token = "unterminated\n', "is not valid TOML"),
        ("[x]\nbearer_token = 12\n", "has [x] bearer_token that is not a string"),
        ('x = "flat"\n', "it must be an [x] table"),
    ],
)
def test_a_broken_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = write_config(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        find_x_bearer_token(None, {}, path)
    assert isinstance(caught.value, UsageError)
    assert str(caught.value).startswith(f"The config file {path} ")


def test_a_toml_error_does_not_echo_the_token(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", '[x]\nbearer_token = "SECRETVALUE\n')
    with pytest.raises(ConfigError) as caught:
        find_x_bearer_token(None, {}, path)
    assert "SECRETVALUE" not in str(caught.value)


@pytest.mark.parametrize(
    ("platform", "explicit", "env", "expected"),
    [
        ("x", None, {}, "https://api.x.com"),
        ("bluesky", None, {}, "https://public.api.bsky.app"),
        ("mastodon", None, {}, None),
        ("x", "http://127.0.0.1:8080/", {}, "http://127.0.0.1:8080"),
        ("mastodon", None, {"FOLLOWAUDIT_API_URL": "http://127.0.0.1:9/"}, "http://127.0.0.1:9"),
        (
            "bluesky",
            "https://a.example",
            {"FOLLOWAUDIT_API_URL": "https://b.example"},
            "https://a.example",
        ),
        ("x", "", {"FOLLOWAUDIT_API_URL": "  "}, "https://api.x.com"),
    ],
)
def test_api_base_url(
    platform: str, explicit: str | None, env: dict[str, str], expected: str | None
) -> None:
    assert api_base_url(platform, explicit, env) == expected


@pytest.mark.parametrize(
    ("explicit", "message"),
    [
        ("api.x.com", "--api-url 'api.x.com' is not an http(s) URL"),
        ("ftp://api.x.com", "--api-url 'ftp://api.x.com' is not an http(s) URL"),
        ("https://user:pw@api.x.com", "--api-url must not hold a user name or password"),
    ],
)
def test_a_bad_api_url_is_refused(explicit: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        api_base_url("x", explicit, {})
    assert str(caught.value).startswith(message)


def test_an_unknown_platform_has_no_api_url() -> None:
    with pytest.raises(UsageError, match="Unknown platform 'myspace'"):
        api_base_url("myspace", None, {})
