"""The README's Python API examples run as written (from the project folder, as a user would)."""

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def api_examples():
    """Return the Python code blocks of the README's "Python API" section."""
    section = README.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def test_the_section_has_examples():
    assert api_examples()


@pytest.mark.parametrize("number", range(len(api_examples())))
def test_readme_api_example_runs(number, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(
            compile(api_examples()[number], f"README.md Python API example {number + 1}", "exec"),
            {},
        )
    shown = capsys.readouterr().out
    assert shown.strip()
