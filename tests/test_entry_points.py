"""followaudit runs as a console script and as `python -m followaudit`."""

import subprocess
import sys

from followaudit import __version__


def test_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "followaudit", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_unknown_command_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "followaudit", "frobnicate"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "frobnicate" in result.stderr
    assert "Traceback" not in result.stderr
