"""`followaudit scan` end to end against fake platform servers on 127.0.0.1."""

import json
import xml.etree.ElementTree as ET

from clirun import run
from fakes.bluesky_server import BlueskyServer
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode


def test_bluesky_scan_reports_and_resumes_from_the_cache(capsys, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    out_json = tmp_path / "scan.json"
    with BlueskyServer(n=300) as server:
        code, out, err = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--cache",
            cache,
            "--json",
            out_json,
        )
        assert code == ExitCode.OK, err
        # 1 getProfile + 3 follower pages of 100 + 12 getProfiles batches of 25
        # + 1 getAuthorFeed of the subject's own posts.
        assert server.total == 1 + 3 + 12 + 1
        assert "Authentic followers: about" in out
        assert "API requests: 17 made, 0 answered from the cache" in out
        assert "does not document the order" in out
        document = json.loads(out_json.read_text())
        audit = document["audits"][0]
        assert document["schema"] == "followaudit.scan/1"
        assert audit["followers"]["total"] == 300
        assert audit["followers"]["listed"] == 300
        assert audit["followers"]["scored"] + audit["followers"]["skipped"] == 300
        assert audit["requests"] == {
            "made": 17,
            "from_cache": 0,
            "retries": 0,
            "waited_seconds": 0.0,
            "dollars": 0.0,
        }

        # Run again, the scan stored: a rescan (issue 19). The lookup and the first page of
        # followers are asked afresh, never from the cache, which would hide what changed;
        # nothing is new, so no profile is fetched, and the posts come from the cache.
        server.reset_counts()
        code, out, err2 = run(
            capsys, "scan", "subject.bsky.social", "--api-url", server.url, "--cache", cache
        )
        assert code == ExitCode.OK
        assert server.total == 2, err2
        assert "API requests: 2 made, 1 answered from the cache" in out
        assert "0 new followers, about 0 fewer (from the counts)" in out

        server.reset_counts()
        code, out, _ = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--cache",
            cache,
            "--refresh",
            "--quiet",
        )
        assert code == ExitCode.OK and out == ""
        assert server.total == 3  # the rescan's two, and the posts no longer from the cache

        server.reset_counts()
        code, out, _ = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
        )
        assert code == ExitCode.OK
        assert server.total == 16 and "/xrpc/app.bsky.feed.getAuthorFeed" not in server.requests
        assert "Own posts not fetched (--no-posts)" in out


def test_x_scan_never_reveals_the_token(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    cache = tmp_path / "cache.sqlite3"
    out_json, out_csv = tmp_path / "scan.json", tmp_path / "scan.csv"
    with XServer(n=1500) as server:
        code, out, err = run(
            capsys,
            "scan",
            "--yes",
            "@subject",
            "--api-url",
            server.url,
            "--cache",
            cache,
            "--json",
            out_json,
            "--csv",
            out_csv,
        )
        assert code == ExitCode.OK, err
        # resolve + 2 follower pages of up to 1,000 + 1 page of the subject's posts
        assert server.total == 1 + 2 + 1
        assert all(h == f"Bearer {TOKEN}" for h in server.auth_headers)
    everything = out + err + out_json.read_text() + out_csv.read_text()
    assert TOKEN not in everything
    assert TOKEN.encode() not in cache.read_bytes()
    audit = json.loads(out_json.read_text())["audits"][0]
    assert audit["subject"]["follow_order_known"] is True
    assert len(audit["follow_order"]["buckets"]) == 10
    assert "Questionable share by follow order" in out


def test_x_without_a_token_fails_before_any_request(capsys, tmp_path):
    with XServer(n=10) as server:
        code, _, err = run(capsys, "scan", "@subject", "--api-url", server.url, "--no-cache")
        assert server.total == 0
    assert code == ExitCode.AUTH
    assert "X_BEARER_TOKEN" in err and "Traceback" not in err


def test_an_invalid_handle_is_refused_before_any_request(capsys):
    with BlueskyServer(n=10) as server:
        code, _, err = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "@not-valid!",
            "--api-url",
            server.url,
            "--no-cache",
        )
        assert server.total == 0
    assert code == ExitCode.USAGE
    assert "not-valid" in err


def test_hidden_follower_list_has_its_own_code(capsys):
    with MastodonServer(n=50, hidden="flag") as server:
        code, _, err = run(
            capsys, "scan", "@subject@example.social", "--api-url", server.url, "--no-cache"
        )
    assert code == ExitCode.HIDDEN
    assert "hides its follower list" in err


def test_batch_of_handles_in_ci_one_failing(capsys, tmp_path):
    handles = tmp_path / "handles.txt"
    handles.write_text("# agency shortlist\nsubject.bsky.social\n\nnobody.bsky.social  # gone\n")
    junit, out_json = tmp_path / "junit.xml", tmp_path / "scan.json"
    with BlueskyServer(n=120) as server:
        code, out, _err = run(
            capsys,
            "scan",
            "--from-file",
            handles,
            "--api-url",
            server.url,
            "--no-cache",
            "--fail-above",
            "99",
            "--junit",
            junit,
            "--json",
            out_json,
        )
    # The fetch failure outranks the (passed) gate: its own exit code.
    assert code == ExitCode.NOT_FOUND
    assert "Accounts audited" in out
    document = json.loads(out_json.read_text())
    assert [a["handle"] for a in document["audits"]] == ["subject.bsky.social"]
    assert document["audits"][0]["passed"] is True
    assert document["errors"][0]["handle"] == "nobody.bsky.social"
    assert document["errors"][0]["exit_code"] == ExitCode.NOT_FOUND
    cases = ET.parse(junit).getroot().iter("testcase")
    by_name = {case.get("name"): case for case in cases}
    assert by_name["subject.bsky.social"].find("failure") is None
    assert by_name["nobody.bsky.social"].find("error") is not None


def test_gate_failure_exit_code_and_junit_reasons(capsys, tmp_path):
    junit = tmp_path / "junit.xml"
    with BlueskyServer(n=120) as server:
        code, out, _ = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--fail-above",
            "0",
            "--junit",
            junit,
        )
    assert code == ExitCode.GATE_FAILED
    assert "Gate --fail-above FAILED" in out
    failure = next(ET.parse(junit).getroot().iter("failure"))
    assert "--fail-above" in (failure.get("message", "") + (failure.text or ""))


def test_summary_rows_keep_the_order_the_handles_were_given(capsys):
    with BlueskyServer(n=30) as server:
        code, out, _ = run(
            capsys,
            "scan",
            "nobody.bsky.social",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--top",
            "0",
        )
    assert code == ExitCode.NOT_FOUND
    table = out[out.index("Accounts audited") :]
    assert table.index("nobody.bsky") < table.index("subject.bsky")
