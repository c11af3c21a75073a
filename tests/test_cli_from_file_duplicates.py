"""A handle listed twice (in --from-file, or also on the command line) is audited once."""

from __future__ import annotations

import json

from clirun import run_flat
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode


def test_a_handle_listed_four_ways_is_audited_once(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    listed = tmp_path / "handles.txt"
    listed.write_text(
        "@subject\n@Subject  # the same, typed differently\nx.com/subject\n@nobody\n@NOBODY\n",
        encoding="utf-8",
    )
    with XServer(n=30) as server:
        code, _, err = run_flat(
            capsys,
            "scan",
            "@subject",
            "--from-file",
            listed,
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--quiet",
            "--json",
            tmp_path / "scan.json",
        )
        lookups = server.requests["/2/users/by/username/subject"]
        pages = server.requests["/2/users/1001/followers"]
    assert code == ExitCode.NOT_FOUND, err  # @nobody does not exist: one error, once
    assert (
        "note: 2 handles listed more than once, audited once: @subject (4 times), @nobody (2 times)"
    ) in err
    assert (lookups, pages) == (1, 1)  # one scan's requests, not four
    document = json.loads((tmp_path / "scan.json").read_text())
    assert [a["handle"] for a in document["audits"]] == ["@subject"]
    assert [e["handle"] for e in document["errors"]] == ["@nobody"]
    assert err.count("was not found on X") == 1


def test_distinct_handles_give_no_note(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with XServer(n=5) as server:
        _, _, err = run_flat(
            capsys,
            "scan",
            "@subject",
            "@other",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--quiet",
            "--json",
            tmp_path / "s.json",
        )
    assert "note:" not in err
