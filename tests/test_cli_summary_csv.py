"""`scan --summary-csv`: one spreadsheet-safe row per audited account, headline first-class."""

import csv
import io

from clirun import run
from fakes.bluesky_server import BlueskyServer

from followaudit.errors import ExitCode
from followaudit.formats.cells import unescape_cell
from followaudit.outputs.tables import SUMMARY_COLUMNS


def test_one_row_per_account_in_the_order_given(capsys, tmp_path):
    with BlueskyServer(n=120) as server:
        code, out, err = run(
            capsys,
            "scan",
            "nobody.bsky.social",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--summary-csv",
            "-",
            "--json",
            tmp_path / "scan.json",
        )
    assert code == ExitCode.NOT_FOUND
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(SUMMARY_COLUMNS)
    missing, audited = rows
    assert unescape_cell(missing["handle"]) == "nobody.bsky.social"
    assert missing["result"] == "error: NOT_FOUND" and "not found" in missing["error"]
    assert audited["handle"] == "subject.bsky.social" and audited["result"] == "pass"
    assert audited["headline"].startswith("Authentic followers: about ")
    assert audited["followers"] == "120" and audited["scored"] == "120"
    low, share, high = (
        float(audited[k]) for k in ("share_low", "share_questionable", "share_high")
    )
    assert 0 <= low <= share <= high <= 1
    assert audited["share_method"] == "corrected" and missing["share_method"] == ""
    assert (
        float(audited["authentic_low"])
        <= float(audited["authentic_estimate"])
        <= float(audited["authentic_high"])
    )
    # The report went to stderr, since the summary owns stdout.
    assert "Accounts audited" in err
