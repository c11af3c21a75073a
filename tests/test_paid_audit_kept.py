"""A paid follower audit is never lost to a failure reading the account's own posts (issue 16).

On every platform, the timeline request fails after the followers were
listed and scored (a 400, a 401, a 200 holding only ``errors``, a server
that keeps failing, an answer of the wrong shape): the audit is still
reported and exported (--json, --csv, --summary-csv, --junit, the stored scan
that ``followaudit report`` shows), the behaviour findings say in one
sentence why they are missing, and a --fail-on gate that needs them is not
judged (exit 14) instead of failing or passing.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from clirun import run, run_flat
from fakes import Faults, Reply
from fakes.bluesky_server import BlueskyServer
from fakes.hostile import no_waiting
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode
from followaudit.live.config import DEFAULT_API_URLS

PLATFORMS = {
    # platform: (server class, handle, the timeline path, the followers path)
    "x": (XServer, "@subject", "/tweets"),
    "bluesky": (BlueskyServer, "subject.bsky.social", "app.bsky.feed.getAuthorFeed"),
    "mastodon": (MastodonServer, "@subject@example.social", "/statuses"),
}
FAILURES = {
    "400": Reply(400, {"title": "Invalid Request", "detail": "One or more parameters was invalid"}),
    "401": Reply(401, {"error": "AuthMissing", "message": "Authentication Required"}),
    "errors only": Reply(
        200, {"errors": [{"title": "Not Found Error", "detail": "Could not find posts"}]}
    ),
    "503 every time": Reply(503, {"error": "Service Unavailable"}),
    "wrong shape": Reply(200, {"data": "posts", "feed": 5}),
}


def scan(capsys, monkeypatch, tmp_path: Path, platform: str, failure: str, *extra: str):
    server_class, handle, timeline = PLATFORMS[platform]
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    no_waiting(monkeypatch)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    with server_class(n=40, faults=Faults(answers={timeline: FAILURES[failure]})) as server:
        result = run_flat(
            capsys,
            "scan",
            handle,
            "--api-url",
            server.url,
            "--cache",
            tmp_path / "cache.sqlite3",
            "--json",
            out / "scan.json",
            "--csv",
            out / "scan.csv",
            "--summary-csv",
            out / "summary.csv",
            "--junit",
            out / "junit.xml",
            "--yes",
            *extra,
        )
        followers_asked = sum(
            n for path, n in server.requests.items() if "followers" in path.lower()
        )
    assert followers_asked >= 1  # the followers were listed (and paid for) first
    return result, out, handle


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_the_follower_audit_is_kept_and_exported(capsys, monkeypatch, tmp_path, platform, failure):
    (code, stdout, stderr), out, handle = scan(capsys, monkeypatch, tmp_path, platform, failure)
    assert code == ExitCode.OK, stderr
    assert "Traceback" not in stderr and "unexpected" not in stderr
    document = json.loads((out / "scan.json").read_text())
    assert document["errors"] == []
    (audit,) = document["audits"]
    assert audit["followers"]["scored"] == 40
    assert len(audit["accounts"]) == 40
    assert audit["behaviour"] is None
    assert audit["posts_error"]["exit_code"] in (
        ExitCode.NETWORK,
        ExitCode.AUTH,
        ExitCode.NOT_FOUND,
    )
    sentence = audit["behaviour_missing"]
    assert sentence.startswith("The account's own posts could not be read (")
    assert sentence.endswith(
        "), so there are no behaviour findings; the follower audit above is complete."
    )
    # Said on stderr at once, and in the report on stdout.
    assert sentence in stderr
    assert sentence in stdout
    with (out / "scan.csv").open(encoding="utf-8") as rows:
        assert len(list(csv.DictReader(rows))) == 40
    with (out / "summary.csv").open(encoding="utf-8") as rows:
        (summary,) = list(csv.DictReader(rows))
    assert summary["result"] == "pass"
    assert summary["scored"] == "40"
    case = ET.parse(out / "junit.xml").getroot().find("testsuite/testcase")
    assert case is not None and case.find("error") is None and case.find("failure") is None
    # Stored for `followaudit report`, which shows the same sentence with no request.
    code, stored, err = run_flat(
        capsys, "report", handle, "--cache", tmp_path / "cache.sqlite3", "--top", "0"
    )
    assert code == ExitCode.OK, err
    assert sentence in stored


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_fail_on_gate_that_needs_the_posts_is_not_judged(capsys, monkeypatch, tmp_path, platform):
    (code, stdout, stderr), out, _ = scan(
        capsys, monkeypatch, tmp_path, platform, "401", "--fail-on", "self-promotion"
    )
    assert code == ExitCode.NOT_JUDGED, stderr
    (audit,) = json.loads((out / "scan.json").read_text())["audits"]
    (gate,) = audit["gates"]
    assert gate["gate"] == "--fail-on"
    assert gate["judged"] is False and gate["passed"] is False
    assert gate["compared_what"] == "not judged: " + audit["behaviour_missing"]
    assert "Gate --fail-on NOT JUDGED: not judged: The account's own posts could not" in stdout
    with (out / "summary.csv").open(encoding="utf-8") as rows:
        assert next(csv.DictReader(rows))["result"] == "not judged"
    # The answer at the end says the same, never FAIL.
    assert stdout.rstrip().splitlines()[-1].endswith("; not judged")


def test_a_failed_gate_outranks_one_not_judged(capsys, monkeypatch, tmp_path):
    (code, _, stderr), _, _ = scan(
        capsys, monkeypatch, tmp_path, "bluesky", "401", "--fail-on", "self-promotion",
        "--min-authentic", "1000000",
    )  # fmt: skip
    assert code == ExitCode.GATE_FAILED, stderr


def test_a_batch_keeps_both_audits_when_one_account_s_posts_fail(capsys, monkeypatch, tmp_path):
    no_waiting(monkeypatch)
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    feed = "app.bsky.feed.getAuthorFeed"
    with (
        BlueskyServer(n=30, faults=Faults(answers={feed: FAILURES["401"]})) as bluesky,
        XServer(n=20) as x,
    ):
        monkeypatch.setitem(DEFAULT_API_URLS, "bluesky", bluesky.url)
        monkeypatch.setitem(DEFAULT_API_URLS, "x", x.url)
        code, _, stderr = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "@subject",
            "--no-cache",
            "--yes",
            "--json",
            tmp_path / "scan.json",
        )
    assert code == ExitCode.OK, stderr
    audits = json.loads((tmp_path / "scan.json").read_text())["audits"]
    assert [a["followers"]["scored"] for a in audits] == [30, 20]
    assert audits[0]["behaviour"] is None and audits[1]["behaviour"] is not None
