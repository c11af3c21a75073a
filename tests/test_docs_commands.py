"""Every followaudit command the README and the docs show runs as written, with the exit code they say.

Each page's ```sh / ```console blocks, and the commands of its CI recipes'
YAML, are run in page order, in-process, in a folder that holds a copy of
`examples/` and of the training table (a small one: training and evaluating
on all 8,775 accounts take a minute, and `test_cli_train.py` and
`test_evaluation.py` check those figures). A file a command reads must exist
there or be written by an earlier command of the same page. Live scans reach
fake servers, never the internet: X and Bluesky through their default API
URLs, Mastodon's home servers through a transport that maps their host names,
and each serves a second account named alice beside its usual subject.

What runs: a line (backslash continuations joined, `&&` chains split) whose
command is `followaudit`, after any `VAR=value` assignments, with `< file` and
`> file`; `eval "$(...)"` and `... | source` run the followaudit command
inside; `printf` / `echo` into a file and `cat` run too. `X_BEARER_TOKEN=...`
stands for the fake X server's token, and so does what is typed at a prompt.
A line ending in `# exit N` (or `# exit N: why`) must exit with N, any other
with 0; a CI recipe's command may pass or fail its gates (0 or 10). Other
programs (pip, pipx, python, mkdocs) are not run here.
"""

from __future__ import annotations

import io
import re
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml
from docpages import ROOT, pages
from fakes import HostMapTransport
from fakes.bluesky_server import BlueskyServer
from fakes.hostile import no_waiting
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

import followaudit.model.forest
import followaudit.model.training
from followaudit.cli.commands import _run
from followaudit.live.config import DEFAULT_API_URLS

# Programs the docs show that this test does not run (installing, testing, building).
NOT_RUN = {".", "source", "python", "python3", "pip", "pipx", "mkdocs", "git", "bash"}
MASTODON_HOSTS = ("mastodon.social",)
# A CI job's command passes or fails its gates; YAML has no room for `# exit N`.
CI_EXIT_CODES = {0, 10}


@dataclass
class Command:
    """One command of a page, as the shell would run it."""

    page: str
    line: str  # as shown, for messages
    words: list[str]
    env: dict[str, str] = field(default_factory=dict)
    stdin: str | None = None  # a file to read standard input from
    stdout: str | None = None  # a file to write standard output to
    exit_codes: frozenset[int] = frozenset({0})


def outside_quotes(text: str, char: str) -> list[int]:
    """Return the positions of ``char`` in ``text`` that no quote encloses."""
    positions, quote = [], ""
    for index, letter in enumerate(text):
        if quote:
            quote = "" if letter == quote else quote
        elif letter in "'\"":
            quote = letter
        elif text.startswith(char, index):
            positions.append(index)
    return positions


def split_outside_quotes(text: str, separator: str) -> list[str]:
    """Return ``text`` split at every ``separator`` outside quotes."""
    parts, start = [], 0
    for index in outside_quotes(text, separator):
        if index >= start:
            parts.append(text[start:index])
            start = index + len(separator)
    return [*parts, text[start:]]


def shell_lines(block: str) -> Iterator[tuple[str, frozenset[int]]]:
    """Yield each command line of a shell block with the exit codes it may end with."""
    joined = re.sub(r"\\\n\s*", " ", block)
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        comment = outside_quotes(line, "#")
        expected = frozenset({0})
        if comment:
            said = re.match(r"#\s*exit (\d+)\b", line[comment[0] :])
            expected = frozenset({int(said.group(1))}) if said else expected
            line = line[: comment[0]].rstrip()
        yield line, expected


def commands_of_line(page: str, line: str, expected: frozenset[int]) -> Iterator[Command | None]:
    """Yield the commands of one shell line (None for a program this test does not run)."""
    for part in split_outside_quotes(line, "&&"):
        inner = re.fullmatch(r'eval "\$\((.*)\)"', part.strip())
        shown = inner.group(1) if inner else part
        words = shlex.split(split_outside_quotes(shown, "|")[0])  # `... | source`: the left side
        env = {}
        while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = TOKEN if value == "..." else value
        command = Command(page, line, [], env, exit_codes=expected)
        while words:
            word = words.pop(0)
            if word in ("<", ">"):
                target = words.pop(0)
                if word == "<":
                    command.stdin = target
                else:
                    command.stdout = target
            else:
                command.words.append(word)
        assert command.words, f"{page}: nothing to run in {line!r}"
        program = command.words[0]
        if program in NOT_RUN:
            yield None
        else:
            known = ("followaudit", "printf", "echo", "cat")
            assert program in known, f"{page}: the docs test cannot run {program!r} ({line!r})"
            yield command


def yaml_commands(page: str, block: str) -> Iterator[Command]:
    """Yield the followaudit commands of a CI recipe (each `run:` or `script:` entry)."""

    def strings(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    for text in strings(yaml.safe_load(block)):
        if text.startswith("followaudit "):
            words = shlex.split(text)
            yield Command(
                page, text.strip(), words, {"X_BEARER_TOKEN": TOKEN}, None, None, CI_EXIT_CODES
            )


def page_commands(path: Path) -> list[Command]:
    """Return every command a page shows, in page order."""
    text = path.read_text(encoding="utf-8")
    name = str(path.relative_to(ROOT))
    found: list[Command] = []
    for language, block in re.findall(r"^```(\w*)\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
        if language in ("sh", "console"):
            for line, expected in shell_lines(block):
                found += [c for c in commands_of_line(name, line, expected) if c is not None]
        elif language == "yaml":
            found += yaml_commands(name, block)
    return found


def printf(words: list[str]) -> str:
    """Return what `printf FORMAT [ARG...]` writes (escapes and %s only)."""
    text = words[1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return text % tuple(words[2:]) if len(words) > 2 else text


@pytest.fixture(scope="module")
def servers():
    """Start the fake X, Bluesky and Mastodon servers that stand in for the docs' accounts."""
    with (
        XServer(n=200, twin="alice") as x,
        BlueskyServer(n=1500, twin="alice.bsky.social") as bluesky,
        MastodonServer(n=400, twin="alice") as mastodon,
    ):
        yield {"x": x, "bluesky": bluesky, "mastodon": mastodon}


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """Return a working folder laid out as a checkout: examples/ and a small data/ table."""
    work = tmp_path / "work"
    (work / "examples").mkdir(parents=True)
    for example in (ROOT / "examples").glob("*.*"):
        (work / "examples" / example.name).write_bytes(example.read_bytes())
    table = pd.read_csv(ROOT / "data" / "training_profiles.csv")
    small = pd.concat([rows.head(30) for _, rows in table.groupby("group")])
    (work / "data").mkdir()
    small.to_csv(work / "data" / "training_profiles.csv", index=False)
    (work / "followaudit" / "model").mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setattr(
        followaudit.model.training, "DEFAULT_TABLE", work / "data" / "training_profiles.csv"
    )
    return work


def run_command(command: Command, capsys, monkeypatch, work: Path) -> tuple[int, str, str]:
    """Return (exit code, stdout, stderr) of one command run as the shell would."""
    program, args = command.words[0], command.words[1:]
    if program in ("printf", "echo"):
        text = printf(command.words) if program == "printf" else " ".join(args) + "\n"
        assert command.stdout, f"{command.page}: {command.line!r} writes nowhere"
        Path(command.stdout).write_text(text, encoding="utf-8")
        return 0, "", ""
    if program == "cat":
        return 0, "".join(Path(a).read_text(encoding="utf-8") for a in args), ""
    with monkeypatch.context() as patch:
        for name, value in command.env.items():
            patch.setenv(name, value)
        typed = Path(command.stdin).read_text() if command.stdin else TOKEN + "\n"
        patch.setattr(sys, "stdin", io.StringIO(typed))
        if args[:1] == ["train"] and "--output" not in args:
            # `followaudit train` rewrites the shipped model: here, the checkout's copy.
            patch.setattr(
                followaudit.model.forest, "SHIPPED_MODEL", work / "followaudit/model/model.json"
            )
        try:
            code = _run(args)
        except SystemExit as done:  # shell completion ends the process itself
            code = int(done.code or 0)
        out, err = capsys.readouterr()
    if command.stdout:
        Path(command.stdout).write_text(out, encoding="utf-8")
    return code, out, err


@pytest.mark.parametrize("path", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_shown_runs_as_written(path, servers, checkout, capsys, monkeypatch):
    monkeypatch.setitem(DEFAULT_API_URLS, "x", servers["x"].url)
    monkeypatch.setitem(DEFAULT_API_URLS, "bluesky", servers["bluesky"].url)
    hosts = dict.fromkeys(MASTODON_HOSTS, servers["mastodon"].url)
    no_waiting(monkeypatch, transport=HostMapTransport(hosts))
    for command in page_commands(path):
        code, _, err = run_command(command, capsys, monkeypatch, checkout)
        where = f"{command.page}: {command.line}"
        assert code in command.exit_codes, f"{where}\nexit {code}\n{err}"
        assert "Traceback" not in err and "unexpected" not in err, f"{where}\n{err}"


def test_the_docs_show_commands_of_every_kind():
    shown = {path.name: page_commands(path) for path in pages()}
    assert sum(len(commands) for commands in shown.values()) > 40
    every = [c for commands in shown.values() for c in commands if c.words[0] == "followaudit"]
    used = {c.words[1] for c in every if len(c.words) > 1}
    assert {"score", "scan", "report", "history", "cache", "config", "train", "evaluate"} <= used
    assert any(c.exit_codes == {10} for c in every)  # a gate shown failing
    assert any(c.exit_codes == CI_EXIT_CODES for c in shown["ci.md"])  # the CI recipes' YAML


def test_a_shell_line_is_read_as_the_shell_reads_it():
    block = "X_BEARER_TOKEN=... followaudit scan @alice \\\n    --json a.json   # exit 10: why\n"
    ((line, expected),) = shell_lines(block)
    (command,) = commands_of_line("page", line, expected)
    assert command is not None
    assert command.words == ["followaudit", "scan", "@alice", "--json", "a.json"]
    assert command.env == {"X_BEARER_TOKEN": TOKEN} and command.exit_codes == {10}
    ((line, _),) = shell_lines("printf 'a # b\\n' > list.txt  # a comment\n")
    (command,) = commands_of_line("page", line, frozenset({0}))
    assert command is not None and command.words == ["printf", "a # b\\n"]
    assert command.stdout == "list.txt" and printf(command.words) == "a # b\n"
    chain = "python3 -m venv .venv && . .venv/bin/activate && followaudit score f.jsonl"
    assert [c and c.words for c in commands_of_line("page", chain, frozenset({0}))] == [
        None,
        None,
        ["followaudit", "score", "f.jsonl"],
    ]
