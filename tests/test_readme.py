"""The README is the manual: its commands are the ones CI runs, and it documents every command."""

import re
from pathlib import Path

import click

from followaudit.cli.commands import cli
from followaudit.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_commands():
    """Return the shell commands of the README's first code block."""
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", README, re.DOTALL)
    assert block, "the README opens with a code block of set-up commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_opens_with_exactly_two_setup_commands():
    commands = setup_commands()
    assert len(commands) == 2
    assert "examples/" in commands[0] and "followaudit score" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert setup_commands()[1] in ci


def all_commands(group, prefix=""):
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path + " ")


def test_every_command_has_help_and_is_in_the_readme():
    for path, command in all_commands(cli):
        assert command.help, f"{path} has no help text"
        assert f"followaudit {path}" in README, f"followaudit {path} is not in the README"


def test_every_exit_code_is_documented():
    for code in ExitCode:
        assert re.search(rf"\|\s*{code.value}\s*\|\s*`?{code.name}`?", README), code
