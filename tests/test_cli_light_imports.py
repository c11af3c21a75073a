"""Help and usage errors answer without importing pandas, scikit-learn or scipy.

Each case runs the CLI in a fresh interpreter and reports which heavy
modules ended up in sys.modules, so an import added at the top of a module
on the way to --help shows up here, not as a slow command for the user.
"""

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "sklearn", "scipy")

PROBE = """
import json, sys
sys.argv = ["followaudit", *json.loads(sys.argv[1])]
from followaudit.cli.commands import _run
code = _run(None)
loaded = [name for name in {heavy!r} if name in sys.modules]
print(json.dumps({{"code": int(code), "loaded": loaded}}), file=sys.stderr)
"""


def probe(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--help",), 0),
        (("--version",), 0),
        (("score", "--help"), 0),
        (("scan", "--help"), 0),
        (("score",), 2),  # no FILE
        (("score", "f.json", "--top", "-1"), 2),
        (("score", "f.json", "--csv", "-", "--json", "-"), 2),
        (("score", "f.json", "--as-of", "2999-01-01"), 2),
        (("score", "f.json", "--as-of", "yesterday"), 2),
        (("scan",), 2),  # no handle
        (("scan", "@a", "--fail-on", "nonsense"), 2),
        (("scan", "@a", "--fail-on", "link-only", "--no-posts"), 2),
        (("scan", "@a", "--no-cache", "--refresh"), 2),
        (("scan", "not a handle!"), 2),
        (("scan", "@a", "--deep", "5"), 2),  # off a terminal without --yes
        (("report", "not a handle!"), 2),
        (("frobnicate",), 2),
    ],
)
def test_help_and_usage_errors_stay_light(args, code):
    seen = probe(*args)
    assert seen == {"code": code, "loaded": []}


def test_the_package_itself_is_light():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, followaudit; print([m for m in {HEAVY!r} if m in sys.modules])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_the_probe_can_see_a_heavy_import(tmp_path):
    # The same probe on a command that does need pandas sees it, so an empty
    # list above means "not imported", not "not detected".
    (tmp_path / "f.csv").write_text("posts,followers,following,created_at\n1,2,3,2020-01-01\n")
    seen = probe("score", str(tmp_path / "f.csv"), "--as-of", "2024-01-01", "--quiet")
    assert seen["code"] == 0 and "pandas" in seen["loaded"]
