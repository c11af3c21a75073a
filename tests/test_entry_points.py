"""followaudit runs as a console script and as `python -m followaudit`."""

import subprocess
import sys

from followaudit import __version__


def test_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "followaudit", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_unknown_command_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "followaudit", "frobnicate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "frobnicate" in result.stderr
    assert "Traceback" not in result.stderr


def test_shell_completion_as_the_readme_gives_it():
    env = {**__import__("os").environ, "_FOLLOWAUDIT_COMPLETE": "bash_source"}
    script = subprocess.run(
        [sys.executable, "-m", "followaudit"], env=env, capture_output=True, text=True, check=False
    )
    assert script.returncode == 0
    assert "_followaudit_completion()" in script.stdout
    env.update(_FOLLOWAUDIT_COMPLETE="bash_complete", COMP_WORDS="followaudit conf", COMP_CWORD="1")
    words = subprocess.run(
        [sys.executable, "-m", "followaudit"], env=env, capture_output=True, text=True, check=False
    )
    assert words.stdout.split() == ["plain,config"]
