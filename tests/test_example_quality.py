"""The bundled example is what its generator makes, and the README's figures for it hold."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_example_quality_script_reproduces_the_readme_figures():
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "example_quality.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bought flagged questionable: 122 of 122" in result.stdout
    assert "people flagged questionable: 22 of 278 (8%)" in result.stdout
    assert "122 of 122" in readme and "22 of the 278" in readme
