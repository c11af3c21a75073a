"""A missing X token fails only the X handles of a batch; the other accounts are audited."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from clirun import run_flat
from fakes.bluesky_server import BlueskyServer

from followaudit.errors import ExitCode
from followaudit.live.config import DEFAULT_API_URLS


def test_the_bluesky_account_is_audited_and_the_x_handle_is_an_error_row(
    capsys, tmp_path, monkeypatch
):
    junit, out_json = tmp_path / "junit.xml", tmp_path / "scan.json"
    with BlueskyServer(n=60) as server:
        # No --api-url: it may not span two platforms; the default is moved instead.
        monkeypatch.setitem(DEFAULT_API_URLS, "bluesky", server.url)
        code, _, err = run_flat(
            capsys,
            "scan",
            "subject.bsky.social",
            "@someone",
            "@other",
            "--no-cache",
            "--no-posts",
            "--junit",
            junit,
            "--json",
            out_json,
        )
        assert server.total > 0
    assert code == ExitCode.AUTH
    document = json.loads(out_json.read_text())
    assert [a["handle"] for a in document["audits"]] == ["subject.bsky.social"]
    assert [(e["handle"], e["exit_code"]) for e in document["errors"]] == [
        ("@someone", ExitCode.AUTH),
        ("@other", ExitCode.AUTH),
    ]
    assert document["errors"][0]["error"].startswith("No X bearer token: pass --token")
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    assert len(cases) == 3
    assert sum(case.find("error") is not None for case in cases) == 2
    assert err.count("No X bearer token") == 2


def test_a_single_x_handle_without_a_token_is_one_sentence(capsys):
    code, out, err = run_flat(capsys, "scan", "@someone", "--no-cache")
    assert code == ExitCode.AUTH
    assert out == ""
    assert err.startswith(
        "Error: No X bearer token: pass --token, set X_BEARER_TOKEN, or add it to "
    )
    assert err.count("Error:") == 1
