"""Ctrl-C in a run of several accounts keeps the exports of the accounts already audited."""

import json

from clirun import run
from fakes.bluesky_server import BlueskyServer

import followaudit.live.audit
from followaudit.errors import ExitCode


def test_interrupt_on_the_second_account_keeps_the_first(capsys, tmp_path, monkeypatch):
    real = followaudit.live.audit.run_scan
    calls = []

    def interrupted_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(followaudit.live.audit, "run_scan", interrupted_on_second)
    out_json = tmp_path / "scan.json"
    junit = tmp_path / "junit.xml"
    with BlueskyServer(n=40) as server:
        # The same account by handle and by DID: two accounts to the command line.
        code, _, err = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "did:plc:subjectsubjectsubjectaaa",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--json",
            out_json,
            "--junit",
            junit,
        )
    assert code == ExitCode.INTERRUPTED
    assert "run the same command again to resume" in err
    audits = json.loads(out_json.read_text())["audits"]
    assert [a["handle"] for a in audits] == ["subject.bsky.social"]
    assert junit.read_text().count("<testcase") == 1
