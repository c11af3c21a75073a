"""The README is the front page: its commands are the ones CI runs, and it names every command.

docs/commands.md documents every command; the README's exit code table is the
one of docs/outputs.md; the README shows the bundled example's report as the
tool prints it.
"""

import re

import click
from clirun import run
from docpages import ROOT, page, readme, section

from followaudit.cli.commands import cli
from followaudit.errors import ExitCode

README = readme()


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


def test_the_readme_is_a_front_page():
    assert len(README.splitlines()) <= 300


def all_commands(group, prefix=""):
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path + " ")


def test_every_command_has_help_is_named_in_the_readme_and_has_its_docs_section():
    headings = [line for line in page("commands").splitlines() if line.startswith("## `")]
    for path, command in all_commands(cli):
        assert command.help, f"{path} has no help text"
        assert f"`followaudit {path}" in README, f"followaudit {path} is not in the README"
        if not isinstance(command, click.Group):
            assert any(f"`followaudit {path}" in h for h in headings), f"docs: {path}"


def exit_code_table(text):
    """Return the rows of the exit code table in ``text``, links reduced to their words."""
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \| `", line)]
    return [re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", row) for row in rows]


def test_every_exit_code_is_documented_in_one_table_in_the_readme_and_the_docs():
    for code in ExitCode:
        assert re.search(rf"\|\s*{code.value}\s*\|\s*`?{code.name}`?", README), code
    in_readme = exit_code_table(section(README, "## Exit codes"))
    assert len(in_readme) == len(ExitCode)
    assert in_readme == exit_code_table(section(page("outputs"), "## Exit codes"))


def test_the_readme_shows_the_bundled_example_as_the_tool_prints_it(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "80")
    quickest = section(README, "## Quickest real result")
    assert "```sh\nfollowaudit score examples/followers.jsonl\n```" in quickest
    shown = quickest.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    code, out, _ = run(capsys, "score", "examples/followers.jsonl")
    assert code == ExitCode.OK
    printed = [line.rstrip() for line in out.splitlines()]
    abridged = [line for line in shown if line != "..."]
    assert len(abridged) > 10
    for line in abridged:
        assert line in printed, line
    assert shown[-1] == printed[-1]  # the answer, the report's last line
