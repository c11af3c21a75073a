"""`followaudit report` re-renders the latest stored scan from the cache, with no API request."""

import json
from datetime import UTC, datetime

import pytest
from clirun import run_flat as run
from fakes.bluesky_server import SUBJECT_DID, BlueskyServer
from fakes.x_server import GURU_SITE, TOKEN, XServer, guru_posts
from test_html_report import run_browser

from followaudit.cli.commands import _run
from followaudit.errors import ExitCode


@pytest.fixture(autouse=True)
def x_token(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """Return (cache path, JSON audit, scan output, the still-running X server) of a guru scan."""
    path = tmp_path_factory.mktemp("report")
    cache, out_json = path / "cache.sqlite3", path / "scan.json"
    server = XServer(
        n=2000,
        subject_posts=guru_posts("self-promoter"),
        subject_url=GURU_SITE,
        bot_block=range(600, 800),
    ).start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("X_BEARER_TOKEN", TOKEN)
        code = _run(
            [
                "scan",
                "--yes",
                "@subject",
                "--api-url",
                server.url,
                "--cache",
                str(cache),
                "--json",
                str(out_json),
                "--quiet",
            ]
        )
    assert code == ExitCode.OK
    server.reset_counts()
    yield cache, json.loads(out_json.read_text())["audits"][0], server
    server.stop()


def test_terminal_report_comes_from_the_cache_alone(capsys, stored):
    cache, audit, server = stored
    code, out, err = run(capsys, "report", "@Subject", "--cache", cache)
    assert code == ExitCode.OK, err
    assert server.total == 0
    assert out.startswith("╭") and audit["headline"] in out
    assert "FLAG self-promotion: links to its own sites (guru.example) in 90%" in out
    assert "FLAG no-interaction: replies to others in 0% of its posts (0 of 30)" in out
    assert "601-800" in out and "<- batch" in out
    assert "API requests of that scan: 4 made, 0 answered from the cache" in out
    observed = datetime.fromisoformat(audit["observed_at"]).astimezone(UTC)
    assert (
        f"From the scan stored on {observed:%Y-%m-%d at %H:%M} UTC; "
        "this report made no API request."
    ) in out


def test_html_report_is_self_contained_and_holds_every_section(capsys, stored, tmp_path):
    cache, audit, server = stored
    page = tmp_path / "guru.html"
    code, _, err = run(capsys, "report", "@subject", "--cache", cache, "--html", page)
    assert code == ExitCode.OK, err
    assert server.total == 0
    html = page.read_text(encoding="utf-8")
    assert f'<h1 id="headline">{audit["headline"]}</h1>' in html
    assert html.count("<svg") == 2  # score histogram and follow-order chart
    assert html.count('class="bar flagged"') == 1
    assert 'data-code="self-promotion"' in html and 'data-code="no-interaction"' in html
    assert html.count('<span class="badge flagged">flagged</span>') == 2
    assert 'id="questionable-followers"' in html and "<script" not in html
    assert {a for a in html.split('"') if a.startswith("http")} <= {"http://www.w3.org/2000/svg"}

    dom = run_browser(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert audit["headline"] in dom
    assert dom.count("<svg") == 2
    assert dom.count('class="bar flagged"') == 1


def test_a_handle_never_scanned_is_one_sentence_and_an_input_error(capsys, stored):
    cache, _, server = stored
    code, out, err = run(capsys, "report", "@someoneelse", "--cache", cache)
    assert code == ExitCode.INPUT and out == ""
    assert err == (
        f"Error: no stored scan of @someoneelse in {cache}: run "
        "`followaudit scan @someoneelse` first"
    )
    assert server.total == 0


def test_no_cache_file_at_all_creates_nothing(capsys, tmp_path):
    missing = tmp_path / "none.sqlite3"
    code, _, err = run(capsys, "report", "subject.bsky.social", "--cache", missing)
    assert code == ExitCode.INPUT
    assert "no stored scan of subject.bsky.social" in err
    assert not missing.exists()


def test_report_of_a_bluesky_scan_typed_as_a_did(capsys, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    with BlueskyServer(n=50) as server:
        assert (
            run(capsys, "scan", SUBJECT_DID, "--api-url", server.url, "--cache", cache, "--quiet")[
                0
            ]
            == ExitCode.OK
        )
        server.reset_counts()
        for typed in (SUBJECT_DID, "subject.bsky.social"):
            code, out, err = run(capsys, "report", typed, "--cache", cache)
            assert code == ExitCode.OK, err
            assert "subject.bsky.social on Bluesky" in out
        assert server.total == 0
