"""Off a terminal (CI, a pipe) log lines are never broken in the middle of a sentence."""

from __future__ import annotations

import pytest
from clirun import run
from fakes import Faults
from fakes.hostile import no_waiting
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    monkeypatch.setenv("COLUMNS", "80")


def test_the_deep_notice_and_the_rate_limit_wait_are_one_line_each(capsys, monkeypatch):
    no_waiting(monkeypatch)
    with XServer(n=50, faults=Faults(rate_limit_at={2}, reset_in=30)) as server:
        code, _, err = run(
            capsys,
            "scan",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--deep",
            "5",
            "--yes",
        )
    assert code == ExitCode.OK, err
    lines = err.splitlines()
    deep = [line for line in lines if line.startswith("--deep 5:")]
    assert len(deep) == 1 and len(deep[0]) > 80 and deep[0].endswith("per post read).")
    waits = [line for line in lines if line.startswith("waiting ")]
    assert len(waits) == 1 and len(waits[0]) > 60, lines
    # Nothing was wrapped onto a line of its own.
    assert all(line.startswith(("--deep", "waiting", "Plan for", "Total:")) for line in lines), (
        lines
    )


def test_a_warning_with_a_command_to_copy_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("X_BEARER_TOKEN")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "a-rather-long-folder-name" / "config"))
    config = tmp_path / "a-rather-long-folder-name" / "config" / "followaudit" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[x]\nbearer_token = "{TOKEN}"\n')
    config.chmod(0o644)
    with XServer(n=20) as server:
        code, _, err = run(
            capsys,
            "scan",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--quiet",
        )
    assert code == ExitCode.OK, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and len(warnings[0]) > 80, err
    # The command can be copied from the log as it is.
    assert warnings[0].endswith(f"run: chmod 600 {config}")
