"""`followaudit config set-token` stores the X token (0600) from a prompt or stdin; `config show` masks it."""

from __future__ import annotations

import io
import os
import stat
import tomllib
from pathlib import Path

import pytest
from clirun import run_flat

from followaudit.errors import ExitCode
from followaudit.live.config import find_x_bearer_token, set_x_bearer_token

TOKEN = "AAAAAAAAAAAAAAAAAAAAAJf8s3cr3tT0k3nV4lu3xyz0123456789abcdWXYZ"


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    monkeypatch.delenv("FOLLOWAUDIT_API_URL", raising=False)
    return tmp_path / "config" / "followaudit" / "config.toml"


def feed_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_set_token_reads_stdin_and_writes_a_private_file(capsys, monkeypatch, homes):
    feed_stdin(monkeypatch, TOKEN + "\n")
    code, out, err = run_flat(capsys, "config", "set-token")
    assert code == ExitCode.OK, err
    assert TOKEN not in out + err
    assert f"X bearer token stored in {homes} (readable by you only)." in err
    assert stat.S_IMODE(homes.stat().st_mode) == 0o600
    assert tomllib.loads(homes.read_text())["x"]["bearer_token"] == TOKEN
    # The scan's own lookup now finds it there.
    found = find_x_bearer_token(None, {}, homes)
    assert (found.value, found.source) == (TOKEN, str(homes))


def test_set_token_reads_a_hidden_prompt_on_a_terminal(capsys, monkeypatch, homes):
    asked = {}

    def fake_prompt(text, **kwargs):
        asked.update(kwargs, text=text)
        return TOKEN

    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("click.prompt", fake_prompt)
    code, _, err = run_flat(capsys, "config", "set-token")
    assert code == ExitCode.OK, err
    assert asked["hide_input"] is True
    assert tomllib.loads(homes.read_text())["x"]["bearer_token"] == TOKEN


def test_a_token_on_the_command_line_is_refused_and_never_echoed(capsys, monkeypatch, homes):
    feed_stdin(monkeypatch, "")
    for args in (["config", "set-token", TOKEN], ["config", "set-token", "--token", TOKEN]):
        code, out, err = run_flat(capsys, *args)
        assert code == ExitCode.USAGE
        assert "the token is never read from the command line" in err
        assert TOKEN not in out + err
    assert not homes.exists()


def test_an_empty_or_malformed_token_is_refused(capsys, monkeypatch, homes):
    feed_stdin(monkeypatch, "\n")
    code, _, err = run_flat(capsys, "config", "set-token")
    assert code == ExitCode.USAGE and "No token given" in err
    feed_stdin(monkeypatch, "two words\n")
    code, _, err = run_flat(capsys, "config", "set-token")
    assert code == ExitCode.USAGE and "not a bearer token" in err
    assert "two words" not in err
    assert not homes.exists()


def test_set_token_keeps_the_rest_of_the_file_and_tightens_its_mode(homes):
    homes.parent.mkdir(parents=True)
    homes.write_text('# mine\n[x]\nbearer_token = "old"\nother = 1\n\n[bluesky]\nkey = "v"\n')
    homes.chmod(0o644)
    set_x_bearer_token(" Bearer " + TOKEN, homes)
    text = homes.read_text()
    assert text.startswith("# mine\n")
    data = tomllib.loads(text)
    assert data == {"x": {"bearer_token": TOKEN, "other": 1}, "bluesky": {"key": "v"}}
    assert stat.S_IMODE(homes.stat().st_mode) == 0o600
    assert not any(p.name.endswith(".partial") for p in homes.parent.iterdir())


def test_set_token_adds_an_x_table_to_a_file_without_one(homes):
    homes.parent.mkdir(parents=True)
    homes.write_text('[bluesky]\nkey = "v"')
    set_x_bearer_token(TOKEN, homes)
    assert tomllib.loads(homes.read_text()) == {
        "bluesky": {"key": "v"},
        "x": {"bearer_token": TOKEN},
    }


def test_a_broken_config_file_is_not_overwritten(capsys, monkeypatch, homes):
    homes.parent.mkdir(parents=True)
    homes.write_text("[x\nbearer_token = ")
    feed_stdin(monkeypatch, TOKEN)
    code, _, err = run_flat(capsys, "config", "set-token")
    assert code == ExitCode.USAGE
    assert "is not valid TOML" in err
    assert homes.read_text() == "[x\nbearer_token = "


def test_show_prints_the_paths_and_the_token_masked(capsys, monkeypatch, homes, tmp_path):
    code, out, _ = run_flat(capsys, "config", "show")
    assert code == ExitCode.OK
    assert f"Config file: {homes} (not created yet)" in out
    assert "X token: not set: run `followaudit config set-token`" in out
    assert f"Cache: {tmp_path / 'cache' / 'followaudit' / 'cache.sqlite3'}" in out

    set_x_bearer_token(TOKEN, homes)
    code, out, _ = run_flat(capsys, "config", "show")
    assert f"Config file: {homes}, mode 0600" in out
    assert f"X token: ****WXYZ ({len(TOKEN)} characters), from {homes}" in out
    assert TOKEN[:-4] not in out and TOKEN[4:-4] not in out

    monkeypatch.setenv("X_BEARER_TOKEN", "short-env-token")
    code, out, _ = run_flat(capsys, "config", "show")
    assert "X token: **** (15 characters), from X_BEARER_TOKEN" in out
    assert "short-env-token" not in out


@pytest.mark.parametrize(
    ("token", "shown"),
    [
        ("a23-character-tokenWXYZ", "****WXYZ (23 characters)"),
        ("sixteen-chars-AB", "****s-AB (16 characters)"),
        ("fifteen-chars-A", "**** (15 characters)"),
    ],
)
def test_show_gives_the_last_four_characters_from_16_characters_on(
    capsys, monkeypatch, homes, token, shown
):
    monkeypatch.setenv("X_BEARER_TOKEN", token)
    code, out, _ = run_flat(capsys, "config", "show")
    assert code == ExitCode.OK
    assert f"X token: {shown}, from X_BEARER_TOKEN" in out
    assert token[:-4] not in out


def test_set_token_warns_when_the_environment_variable_wins(capsys, monkeypatch, homes):
    monkeypatch.setenv("X_BEARER_TOKEN", "from-env")
    feed_stdin(monkeypatch, TOKEN)
    code, _, err = run_flat(capsys, "config", "set-token")
    assert code == ExitCode.OK
    assert "X_BEARER_TOKEN is set in this shell and is used before the config file" in err
    assert "from-env" not in err


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_file_is_never_readable_by_others_while_written(homes, monkeypatch):
    modes = []
    real_replace = os.replace

    def spy(src, dst):
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    set_x_bearer_token(TOKEN, homes)
    assert modes == [0o600]
