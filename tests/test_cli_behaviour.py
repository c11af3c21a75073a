"""`followaudit scan` reads the account's own posts and reports its behaviour (fake X server)."""

import json
import xml.etree.ElementTree as ET

import pytest
from clirun import run_flat as run
from fakes.x_server import GURU_SITE, SUBJECT_ID, TOKEN, XServer, guru_posts

from followaudit.errors import ExitCode

TWEETS = f"/2/users/{SUBJECT_ID}/tweets"


@pytest.fixture(autouse=True)
def x_token(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)


def scan_guru(capsys, tmp_path, kind, *extra):
    out_json = tmp_path / f"{kind}.json"
    with XServer(n=200, subject_posts=guru_posts(kind), subject_url=GURU_SITE) as server:
        code, out, err = run(
            capsys,
            "scan",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--json",
            out_json,
            *extra,
        )
        requests = dict(server.requests)
        log = list(server.log)
    audit = json.loads(out_json.read_text())["audits"][0] if out_json.exists() else None
    return code, out, err, audit, requests, log


def test_self_promoting_broadcaster_is_flagged(capsys, tmp_path):
    code, out, err, audit, requests, log = scan_guru(capsys, tmp_path, "self-promoter")
    assert code == ExitCode.OK, err
    # resolve + 1 follower page + 1 page of the subject's own 30 posts
    assert requests == {"/2/users/by/username/subject": 1, "/2/users/1001/followers": 1, TWEETS: 1}
    tweets = next(t for t in log if t.startswith(TWEETS))
    assert "post.fields=created_at%2Centities%2Cnote_post%2Cpublic_metrics" in tweets
    assert "expansions=in_reply_to_user_id%2Creferenced_posts" in tweets
    assert "tweet.fields" not in tweets
    behaviour = audit["behaviour"]
    assert audit["subject"]["website"] == GURU_SITE
    assert behaviour["flags"] == ["no-interaction", "self-promotion"]
    assert behaviour["metrics"]["posts"] == 30
    assert behaviour["metrics"]["reply_rate"] == 0.0
    assert behaviour["metrics"]["self_promotion_ratio"] == pytest.approx(0.9)
    assert behaviour["metrics"]["own_sites"] == ["guru.example"]
    assert "FLAG no-interaction: replies to others in 0% of its posts (0 of 30)" in out
    assert "FLAG self-promotion: links to its own sites (guru.example) in 90% of its posts" in out


def test_account_that_replies_and_links_elsewhere_is_not_flagged(capsys, tmp_path):
    code, out, err, audit, _, _ = scan_guru(capsys, tmp_path, "conversational")
    assert code == ExitCode.OK, err
    behaviour = audit["behaviour"]
    assert behaviour["flags"] == []
    assert behaviour["metrics"]["reply_rate"] == pytest.approx(10 / 30)
    assert behaviour["metrics"]["self_promotion_ratio"] == 0.0
    assert "FLAG" not in out
    assert "ok no-interaction: replies to others in 33% of its posts (10 of 30)" in out


def test_no_posts_skips_the_request_and_the_findings(capsys, tmp_path):
    code, out, err, audit, requests, _ = scan_guru(capsys, tmp_path, "self-promoter", "--no-posts")
    assert code == ExitCode.OK, err
    assert TWEETS not in requests
    assert audit["behaviour"] is None
    assert "Own posts not fetched (--no-posts)" in out


def test_fail_on_a_raised_flag_fails_the_gate_with_reasons(capsys, tmp_path):
    junit = tmp_path / "junit.xml"
    code, out, err, audit, _, _ = scan_guru(
        capsys,
        tmp_path,
        "self-promoter",
        "--fail-on",
        "self-promotion,burst-posting",
        "--junit",
        junit,
    )
    assert code == ExitCode.GATE_FAILED, err
    assert audit["passed"] is False
    assert audit["gates"] == [
        {
            "gate": "--fail-on",
            "passed": False,
            "limit": 0.0,
            "compared": 1.0,
            "compared_what": "its own posts raise self-promotion "
            "(flags checked: self-promotion, burst-posting)",
            "judged": True,
        }
    ]
    assert (
        "Gate --fail-on FAILED: its own posts raise self-promotion "
        "(flags checked: self-promotion, burst-posting)"
    ) in out
    failure = ET.parse(junit).getroot().find("testsuite/testcase/failure")
    assert failure.get("message").startswith(
        "--fail-on: self-promotion: links to its own sites (guru.example) in 90% of its posts"
    )
    assert "no-interaction" not in failure.get("message")  # raised, but not watched


def test_fail_on_passes_when_the_watched_flags_are_not_raised(capsys, tmp_path):
    code, out, err, audit, _, _ = scan_guru(
        capsys, tmp_path, "conversational", "--fail-on", "no-interaction,self-promotion"
    )
    assert code == ExitCode.OK, err
    assert audit["gates"][0]["passed"] is True
    assert (
        "Gate --fail-on PASSED: its own posts raise none of the flags checked "
        "(no-interaction, self-promotion)"
    ) in out


def test_fail_on_an_unknown_flag_is_a_usage_error_listing_the_valid_ones(capsys):
    with XServer(n=10) as server:
        code, _, err = run(
            capsys,
            "scan",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--fail-on",
            "self-promotion,spam",
        )
        assert server.total == 0
    assert code == ExitCode.USAGE
    assert (
        "unknown behaviour flag spam; valid flags: no-interaction, self-promotion, "
        "link-only, repost-heavy, low-engagement, burst-posting"
    ) in err


def test_fail_on_needs_the_posts(capsys):
    code, _, err = run(
        capsys, "scan", "@subject", "--no-cache", "--no-posts", "--fail-on", "self-promotion"
    )
    assert code == ExitCode.USAGE
    assert "--no-posts" in err


def test_deep_check_reads_followers_posts_and_compares_with_the_model(capsys, tmp_path):
    out_json, out_csv = tmp_path / "deep.json", tmp_path / "deep.csv"
    with XServer(n=300, silent_bots=True) as server:
        code, out, err = run(
            capsys,
            "scan",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--deep",
            "20",
            "--yes",
            "--seed",
            "1",
            "--json",
            out_json,
            "--csv",
            out_csv,
        )
        assert code == ExitCode.OK, err
        follower_posts = sum(
            n for path, n in server.requests.items() if path.endswith("/tweets") and path != TWEETS
        )
        # resolve + 1 follower page + the subject's posts + one request per deep follower
        assert server.total == 1 + 1 + 1 + 20 and follower_posts == 20
    assert (
        "--deep 20: reading the latest 20 posts of 20 followers of account makes up to 20 "
        "more API requests; on X up to 400 post reads, about $2.00 and at most $10.00 "
        "($0.005 per post, up to $0.025 with the account it replies to and the posts it "
        "references, per post read)."
    ) in err
    audit = json.loads(out_json.read_text())["audits"][0]
    checked = [a for a in audit["accounts"] if a["deep_posts"] is not None]
    assert len(checked) == 20
    posting = [a for a in checked if a["deep_posts"] == 12]
    silent = [a for a in checked if a["deep_posts"] == 0]  # bot-like: never posted
    assert len(posting) + len(silent) == 20 and posting and silent
    assert all(a["reply_rate"] == 0.3333 for a in posting)  # every third post (4 decimals)
    assert all(a["link_ratio"] == 0.0 and a["self_promotion_ratio"] == 0.0 for a in posting)
    assert all(a["reply_rate"] is None for a in silent)  # no own post: no rate, not zero
    not_checked = [a for a in audit["accounts"] if a["deep_posts"] is None]
    assert len(not_checked) == 280 and all(a["reply_rate"] is None for a in not_checked)
    deep = audit["deep"]
    assert deep["checked"] == 20 and deep["unreadable"] == 0
    q, a = deep["questionable"], deep["authentic"]
    assert q["checked"] + a["checked"] == 20 and q["checked"] > 0 and a["checked"] > 0
    assert deep["sentence"] in out
    assert q["no_replies_or_no_posts"] + a["no_replies_or_no_posts"] == len(silent)
    header, *lines = out_csv.read_text().splitlines()
    assert header.endswith(
        ",last_post_at,inactive,new,deep_posts,reply_rate,link_ratio,self_promotion_ratio"
    )
    assert sum(1 for line in lines if line.endswith(",12,0.3333,0,0")) == len(posting)
    assert sum(1 for line in lines if line.endswith(",0,,,")) == len(silent)
    assert sum(1 for line in lines if line.endswith(",,,,")) == 280


def test_deep_off_a_terminal_without_yes_is_refused_before_any_request(capsys):
    with XServer(n=50) as server:
        code, _, err = run(
            capsys, "scan", "@subject", "--api-url", server.url, "--no-cache", "--deep", "5"
        )
        assert server.total == 0
    assert code == ExitCode.USAGE
    assert "add --yes to confirm them when not running on a terminal" in err


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("n\n", ExitCode.CANCELLED), ("\n", ExitCode.CANCELLED), ("y\n", ExitCode.OK)],
)
def test_deep_asks_on_a_terminal(capsys, monkeypatch, answer, expected):
    import io

    monkeypatch.setattr("followaudit.cli.commands._interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    with XServer(n=50) as server:
        code, _, err = run(
            capsys,
            "scan",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--deep",
            "5",
            "--quiet",
        )
        total = server.total
    assert code == expected, err
    assert "Continue? [y/N]" in err
    assert total == (0 if expected == ExitCode.CANCELLED else 1 + 1 + 1 + 5)
    if expected == ExitCode.CANCELLED:
        # Declining is not Ctrl-C: its own sentence and code, and not an error.
        assert err.endswith("Continue? [y/N]: Cancelled; no requests were made")
        assert "Interrupted" not in err and "Error" not in err
