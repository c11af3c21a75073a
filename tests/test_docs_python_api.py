"""The Python API examples of docs/python-api.md run as written (from the project folder, as a user would)."""

import warnings

import pytest
from docpages import ROOT, code_blocks, page, section
from fakes.bluesky_server import BlueskyServer

from followaudit.live.config import DEFAULT_API_URLS


def api_examples():
    """Return the Python code blocks of the "Python API" section of docs/python-api.md."""
    return code_blocks(section(page("python-api"), "## Python API"), "python")


def test_the_section_has_examples():
    assert len(api_examples()) >= 2


@pytest.mark.parametrize("number", range(len(api_examples())))
def test_docs_api_example_runs(number, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    with BlueskyServer(n=80) as server, warnings.catch_warnings():
        # The scan example's Bluesky is the fake server: tests never touch the internet.
        monkeypatch.setitem(DEFAULT_API_URLS, "bluesky", server.url)
        warnings.simplefilter("ignore")
        name = f"docs/python-api.md Python API example {number + 1}"
        exec(compile(api_examples()[number], name, "exec"), {})
    shown = capsys.readouterr().out
    assert shown.strip()
    assert "Error" not in shown and "error" not in shown.replace("InputError", "")
