"""The --max-followers scope note says "newest" only where the platform documents its order."""

from __future__ import annotations

import json

import pytest
from clirun import run
from fakes.bluesky_server import BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode


@pytest.mark.parametrize(
    ("server_class", "handle", "note"),
    [
        (XServer, "@subject", "the estimate covers the 50 newest followers, not all of them."),
        (
            BlueskyServer,
            "subject.bsky.social",
            "the estimate covers the first 50 followers listed, not all of them.",
        ),
        (
            MastodonServer,
            "@subject@mastodon.example",
            "the estimate covers the first 50 followers listed, not all of them.",
        ),
    ],
)
def test_the_note_names_what_was_covered(capsys, monkeypatch, server_class, handle, note):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    with server_class(n=120) as server:
        code, out, err = run(
            capsys,
            "scan",
            handle,
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--max-followers",
            "50",
            "--quiet",
            "--json",
            "-",
        )
    assert code == ExitCode.OK, err
    audit = json.loads(out)["audits"][0]
    assert audit["scope_note"] == f"Listing stopped at --max-followers 50: {note}"
