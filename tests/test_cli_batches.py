"""A purchased batch in the follow order is charted and flagged; platforms without order say so."""

import json

import pytest
from clirun import run_flat as run
from fakes.bluesky_server import BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import SUBJECT_ID, TOKEN, XServer

from followaudit.analysis.batches import NO_ORDER
from followaudit.errors import ExitCode


@pytest.fixture(autouse=True)
def x_token(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)


def test_bought_block_at_positions_3001_to_4000_is_flagged(capsys, tmp_path):
    out_json = tmp_path / "scan.json"
    with XServer(n=10_000, bot_block=range(3000, 4000)) as server:
        code, out, err = run(
            capsys,
            "scan",
            "--yes",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--json",
            out_json,
        )
        assert code == ExitCode.OK, err
        assert dict(server.requests) == {
            "/2/users/by/username/subject": 1,
            f"/2/users/{SUBJECT_ID}/followers": 10,
        }
    order = json.loads(out_json.read_text())["audits"][0]["follow_order"]
    assert order["known"] is True
    assert [(b["first"], b["last"]) for b in order["buckets"] if b["flagged"]] == [(3001, 4000)]
    assert len(order["flagged"]) == 1
    assert order["flagged"][0].startswith("followers 3,001-4,000 (counted from the newest): ")
    assert order["flagged"][0].endswith(": likely a purchased batch")
    assert "3,001-4,000" in out and out.count("<- batch") == 1
    flagged_row = out.index("3,001-4,000")
    assert out.index("<- batch") > flagged_row
    assert out.index("<- batch") < out.index("4,001-5,000")


def test_same_list_without_the_block_flags_nothing(capsys, tmp_path):
    out_json = tmp_path / "scan.json"
    with XServer(n=10_000) as server:
        code, out, err = run(
            capsys,
            "scan",
            "--yes",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--json",
            out_json,
        )
    assert code == ExitCode.OK, err
    order = json.loads(out_json.read_text())["audits"][0]["follow_order"]
    assert not any(b["flagged"] for b in order["buckets"]) and order["flagged"] == []
    assert "<- batch" not in out


@pytest.mark.parametrize(
    ("server_class", "handle"),
    [(BlueskyServer, "subject.bsky.social"), (MastodonServer, "@subject@mastodon.example")],
)
def test_platforms_without_a_documented_order_say_so(capsys, tmp_path, server_class, handle):
    out_json = tmp_path / "scan.json"
    with server_class(n=200) as server:
        code, out, err = run(
            capsys,
            "scan",
            "--yes",
            handle,
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--json",
            out_json,
        )
    assert code == ExitCode.OK, err
    assert " ".join(NO_ORDER.split()) in out
    assert "Questionable share by follow order" not in out
    order = json.loads(out_json.read_text())["audits"][0]["follow_order"]
    assert order == {"known": False, "note": NO_ORDER, "buckets": [], "flagged": []}
