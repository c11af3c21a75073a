"""The bundled example is what its generator makes, and the figures the docs give for it hold."""

import subprocess
import sys

from docpages import ROOT, page, readme


def test_example_quality_script_reproduces_the_documented_figures():
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "example_quality.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "bought flagged questionable: 122 of 122" in result.stdout
    assert "people flagged questionable: 22 of 278 (8%)" in result.stdout
    limitations = page("limitations")
    assert "122 of 122" in limitations and "22 of the 278" in limitations
    assert "122 were generated as bought" in readme() and "22 of the 278" in readme()
