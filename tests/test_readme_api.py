"""The README's Python API examples run as written (from the project folder, as a user would)."""

import re
import warnings
from pathlib import Path

import pytest
from fakes.bluesky_server import BlueskyServer

from followaudit.live.config import DEFAULT_API_URLS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def api_examples():
    """Return the Python code blocks of the README's "Python API" section."""
    section = README.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def test_the_section_has_examples():
    assert len(api_examples()) >= 2


@pytest.mark.parametrize("number", range(len(api_examples())))
def test_readme_api_example_runs(number, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    with BlueskyServer(n=80) as server, warnings.catch_warnings():
        # The scan example's Bluesky is the fake server: tests never touch the internet.
        monkeypatch.setitem(DEFAULT_API_URLS, "bluesky", server.url)
        warnings.simplefilter("ignore")
        code = compile(api_examples()[number], f"README.md Python API example {number + 1}", "exec")
        exec(code, {})
    shown = capsys.readouterr().out
    assert shown.strip()
    assert "Error" not in shown and "error" not in shown.replace("InputError", "")
