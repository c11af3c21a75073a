"""A JUnit test case keeps one name per account, passed or errored, and says how long it took."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from clirun import run
from fakes import Faults
from fakes.bluesky_server import SUBJECT_DID, BlueskyServer

from followaudit.errors import ExitCode


def cases(path) -> dict[str, ET.Element]:
    return {case.get("name"): case for case in ET.parse(path).getroot().iter("testcase")}


def test_the_name_is_the_same_whether_the_account_passed_or_could_not_be_fetched(capsys, tmp_path):
    passed, errored = tmp_path / "passed.xml", tmp_path / "errored.xml"
    with BlueskyServer(n=30) as server:
        code, _, err = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--junit",
            passed,
        )
        assert code == ExitCode.OK, err
    with BlueskyServer(n=30, taken_down=True) as server:
        code, _, _ = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--junit",
            errored,
        )
        assert code == ExitCode.NOT_FOUND
    assert list(cases(passed)) == list(cases(errored)) == ["subject.bsky.social"]
    assert cases(errored)["subject.bsky.social"].find("error") is not None


def test_a_did_typed_keeps_its_name_though_the_platform_answers_with_a_handle(capsys, tmp_path):
    junit, summary, rows = tmp_path / "junit.xml", tmp_path / "summary.csv", tmp_path / "rows.csv"
    with BlueskyServer(n=30) as server:
        code, _, err = run(
            capsys,
            "scan",
            SUBJECT_DID,
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--junit",
            junit,
            "--summary-csv",
            summary,
            "--csv",
            rows,
        )
    assert code == ExitCode.OK, err
    assert list(cases(junit)) == [SUBJECT_DID]
    # The summary CSV and the rows' `audited` column name it the same way.
    assert summary.read_text().splitlines()[1].split(",")[0] == SUBJECT_DID
    assert rows.read_text().splitlines()[1].split(",")[0] == SUBJECT_DID


def test_each_case_carries_its_own_duration(capsys, tmp_path):
    junit = tmp_path / "junit.xml"
    # Every answer takes 10 ms, so even the one-request failure lasts long enough to show.
    with BlueskyServer(n=30, faults=Faults(delay=0.01)) as server:
        run(
            capsys,
            "scan",
            "subject.bsky.social",
            "@nobody.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--junit",
            junit,
        )
    found = cases(junit)
    assert set(found) == {"subject.bsky.social", "nobody.bsky.social"}
    times = {name: float(case.get("time")) for name, case in found.items()}
    assert all(t >= 0.01 for t in times.values()), times
    suite = next(ET.parse(junit).getroot().iter("testsuite"))
    assert float(suite.get("time")) > 0
