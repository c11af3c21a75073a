"""Accounts on a line that holds several are told apart by record: `line 1:40` (issue 16, item 4).

twarc2 writes a whole X API page on each line, and a saved API answer or JSON
array may be written on one line: every account there used to be "line 1",
and a repeat read "line 1 repeats line 1". Each account now has its position
on its line in `record` (0 when the line holds one account), in the CSV, the
JSON, the terminal's table, skipped records and warnings.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from clirun import run, run_flat
from fakes.bluesky_server import BlueskyServer
from fakes.replay import RECORDED, load_decoded

from followaudit import formats
from followaudit.errors import ExitCode
from followaudit.formats import read_accounts
from followaudit.outputs.tables import CSV_COLUMNS

TWARC = RECORDED / "x" / "twarc-csv" / "users.jsonl"
PROFILES = RECORDED / "bluesky" / "atrrr" / "app.bsky.actor.getProfiles_01031.decoded.json"
AS_OF = "2025-01-01"
# users.jsonl is one line: a page of 96 users, 5 of them repeats (twarc2 as recorded).
TWARC_REPEATS = (
    "5 rows repeat 4 accounts already read (same id, or same handle when there is no id): "
    "each account is scored once, from its first row (line 1:54 repeats line 1:40, "
    "line 1:61 repeats line 1:24, line 1:70 repeats line 1:35, line 1:75 repeats line 1:74, "
    "line 1:87 repeats line 1:24)"
)


def user(n: int, **metrics: int) -> dict:
    """Return an X API v2 user object."""
    counts = {"followers_count": 10 + n, "following_count": 20, "tweet_count": 30}
    return {
        "id": str(1000 + n),
        "username": f"user{n}",
        "name": "User",
        "created_at": "2015-01-01T00:00:00.000Z",
        "description": "",
        "public_metrics": counts | metrics,
    }


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    """Return a JSONL file: a page of five on line 1, one user on line 2, a page of one on line 3.

    On line 1, record 2 has no counts, record 4 a negative count and record 5
    repeats record 1; line 3 repeats record 3 of line 1.
    """
    no_counts = {"id": "1002", "username": "user2", "created_at": "2015-01-01T00:00:00.000Z"}
    page = {"data": [user(1), no_counts, user(3), user(4, followers_count=-5), user(1)]}
    lines = [page, user(9), {"data": [user(3)]}]
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


# -- the recorded twarc2 page ----------------------------------------------------


def test_the_csv_numbers_the_accounts_of_a_recorded_twarc_page(capsys, tmp_path):
    out = tmp_path / "scored.csv"
    code, _, err = run(capsys, "score", TWARC, "--as-of", AS_OF, "--csv", out, "-q")
    assert code == ExitCode.OK, err
    assert out.read_text(encoding="utf-8").startswith("line,record,platform,handle,id,")
    rows = csv_rows(out)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert {row["line"] for row in rows} == {"1"}
    # The 96 records less the 5 repeats, each with its own number.
    records = [int(row["record"]) for row in rows]
    assert len(records) == len(set(records)) == 91
    assert records == sorted(records) and records[0] == 1 and records[-1] == 96
    (gaiden,) = [row for row in rows if row["id"] == "120894172"]
    assert (gaiden["line"], gaiden["record"], gaiden["handle"]) == ("1", "40", "'@GaidenXL")
    assert not {"54", "61", "70", "75", "87"} & {row["record"] for row in rows}


def test_the_json_numbers_the_accounts_and_repeats_of_a_recorded_twarc_page(capsys, tmp_path):
    out = tmp_path / "scored.json"
    code, _, err = run(capsys, "score", TWARC, "--as-of", AS_OF, "--json", out, "-q")
    assert code == ExitCode.OK, err
    document = json.loads(out.read_text(encoding="utf-8"))
    (gaiden,) = [a for a in document["accounts"] if a["id"] == "120894172"]
    assert (gaiden["line"], gaiden["record"], gaiden["handle"]) == (1, 40, "@GaidenXL")
    assert list(gaiden)[:3] == ["line", "record", "platform"]
    assert document["input"]["duplicates"]["examples"][:2] == [
        {"line": 1, "record": 54, "first_line": 1, "first_record": 40},
        {"line": 1, "record": 61, "first_line": 1, "first_record": 24},
    ]
    assert TWARC_REPEATS in document["warnings"]


def test_the_duplicate_warning_of_a_recorded_twarc_page_names_records(capsys):
    code, out, err = run_flat(capsys, "score", TWARC, "--as-of", AS_OF, "--top", "0")
    assert code == ExitCode.OK, err
    assert f"warning: {TWARC_REPEATS}" in out + err
    assert "line 1 repeats line 1" not in out + err


def test_the_top_table_shows_line_and_record_of_a_recorded_twarc_page(capsys):
    code, out, err = run(capsys, "score", TWARC, "--as-of", AS_OF, "--top", "100")
    assert code == ExitCode.OK, err
    assert "Most questionable accounts (top 91)" in out
    (gaiden,) = [line for line in out.splitlines() if "@GaidenXL" in line]
    assert gaiden.split()[:2] == ["1:40", "@GaidenXL"]
    (mackyg,) = [line for line in out.splitlines() if "@TheRealMackyG1" in line]
    assert mackyg.split()[0] == "1:38"


def test_the_exports_of_a_recorded_twarc_page_are_scored_again(capsys, tmp_path):
    scored_csv, scored_json = tmp_path / "scored.csv", tmp_path / "scored.json"
    code, _, err = run(
        capsys, "score", TWARC, "--as-of", AS_OF, "--csv", scored_csv, "--json", scored_json, "-q"
    )
    assert code == ExitCode.OK, err
    first = {row["id"]: row["probability"] for row in csv_rows(scored_csv)}
    for export in (scored_csv, scored_json):
        again = tmp_path / f"again_{export.suffix[1:]}.csv"
        code, _, err = run(capsys, "score", export, "--as-of", AS_OF, "--csv", again, "-q")
        assert code == ExitCode.OK, err
        rows = csv_rows(again)
        assert {row["id"]: row["probability"] for row in rows} == first
        # An export holds one account per line: its records are 0 when read back.
        assert {row["record"] for row in rows} == {"0"}


# -- a generated one-line page -----------------------------------------------------


def test_skipped_records_of_a_one_line_page_are_named_by_record(capsys, page_file):
    code, out, err = run(capsys, "score", page_file, "--as-of", AS_OF)
    assert code == ExitCode.OK, err
    assert "skipped line 1:2: no public_metrics (request user.fields=public_metrics)\n" in out
    assert "skipped line 1:4: negative followers\n" in out


def test_the_duplicate_warning_of_a_one_line_page_names_records(capsys, page_file):
    code, out, err = run_flat(capsys, "score", page_file, "--as-of", AS_OF)
    assert code == ExitCode.OK, err
    assert (
        "warning: 2 rows repeat 2 accounts already read (same id, or same handle when there is "
        "no id): each account is scored once, from its first row "
        "(line 1:5 repeats line 1:1, line 3 repeats line 1:3)"
    ) in out + err


def test_the_top_table_of_a_one_line_page_shows_records(capsys, page_file):
    code, out, err = run(capsys, "score", page_file, "--as-of", AS_OF, "--top", "10")
    assert code == ExitCode.OK, err
    places = {
        line.split()[1]: line.split()[0]
        for line in out.splitlines()
        if line.split()[1:2] and line.split()[1].startswith("@user")
    }
    assert places == {"@user1": "1:1", "@user3": "1:3", "@user9": "2"}


def test_the_csv_and_json_of_a_one_line_page_number_records(capsys, page_file, tmp_path):
    scored_csv, scored_json = tmp_path / "scored.csv", tmp_path / "scored.json"
    code, _, err = run(
        capsys, "score", page_file, "--as-of", AS_OF, "--csv", scored_csv, "--json", scored_json
    )
    assert code == ExitCode.OK, err
    places = [(row["line"], row["record"], row["handle"]) for row in csv_rows(scored_csv)]
    assert places == [("1", "1", "'@user1"), ("1", "3", "'@user3"), ("2", "0", "'@user9")]
    document = json.loads(scored_json.read_text(encoding="utf-8"))
    assert [(a["line"], a["record"]) for a in document["accounts"]] == [(1, 1), (1, 3), (2, 0)]
    assert document["skipped"] == [
        {
            "line": 1,
            "record": 2,
            "reason": "no public_metrics (request user.fields=public_metrics)",
        },
        {"line": 1, "record": 4, "reason": "negative followers"},
    ]
    assert document["input"]["duplicates"]["examples"] == [
        {"line": 1, "record": 5, "first_line": 1, "first_record": 1},
        {"line": 3, "record": 0, "first_line": 1, "first_record": 3},
    ]


def test_a_page_of_which_nothing_can_be_scored_names_the_first_record(capsys, tmp_path):
    path = tmp_path / "page.jsonl"
    no_counts = {"id": "7", "username": "someone", "created_at": "2015-01-01T00:00:00.000Z"}
    path.write_text(json.dumps({"data": [no_counts, no_counts | {"id": "8"}]}) + "\n")
    code, _, err = run_flat(capsys, "score", path, "--as-of", AS_OF)
    assert code == ExitCode.INPUT
    assert (
        f"{path}, line 1:1: no public_metrics (request user.fields=public_metrics); none of "
        "the 2 records could be scored"
    ) in err


def test_lines_holding_one_account_are_not_numbered(tmp_path):
    path = tmp_path / "users.jsonl"
    lines = [user(1), {"data": [user(2)]}, user(3, following_count=-1), user(1)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    read = read_accounts(path, as_of=pd.Timestamp(AS_OF, tz="UTC").to_pydatetime())
    assert read.table[["line", "record"]].values.tolist() == [[1, 0], [2, 0]]
    assert [item.place for item in read.skipped] == ["line 3"]
    assert "(line 4 repeats line 1)" in read.warnings[-1]


# -- other containers on one line ---------------------------------------------------


def test_a_recorded_bluesky_get_profiles_answer_on_one_line(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_bytes(load_decoded(PROFILES).body)  # as the server sent it: one line
    read = read_accounts(path, as_of=pd.Timestamp(AS_OF, tz="UTC").to_pydatetime())
    assert read.table[["line", "record"]].values.tolist() == [[1, 1], [1, 2], [1, 3]]
    assert read.duplicates.to_dict()["examples"][0] == {
        "line": 1,
        "record": 4,
        "first_line": 1,
        "first_record": 1,
    }
    assert "(line 1:4 repeats line 1:1, line 1:5 repeats line 1:2," in read.warnings[-1]
    # Pretty-printed, each profile starts a line of its own: no record numbers.
    path.write_text(json.dumps(json.loads(load_decoded(PROFILES).body), indent=2))
    pretty = read_accounts(path, as_of=pd.Timestamp(AS_OF, tz="UTC").to_pydatetime())
    assert set(pretty.table["record"]) == {0} and pretty.table["line"].is_unique
    assert "line 1:" not in " ".join(pretty.warnings)


def test_a_json_array_on_one_line_numbers_its_records(tmp_path):
    path = tmp_path / "users.json"
    path.write_text(json.dumps([user(1), {"id": "2"}, user(3)]) + "\n", encoding="utf-8")
    read = read_accounts(path, as_of=pd.Timestamp(AS_OF, tz="UTC").to_pydatetime())
    assert read.table[["line", "record"]].values.tolist() == [[1, 1], [1, 3]]
    assert [(item.place, item.reason) for item in read.skipped] == [
        ("line 1:2", "no public_metrics (request user.fields=public_metrics)")
    ]


def test_pages_read_on_several_cores_are_numbered_as_on_one(tmp_path, monkeypatch):
    path = tmp_path / "pages.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        for index in range(300):
            users = [user(3 * index + k) for k in range(3)]
            if index % 7 == 0:
                users[1] = {"id": "x"}  # skipped: no counts
            stream.write(json.dumps({"data": users}) + "\n")
    as_of = pd.Timestamp(AS_OF, tz="UTC").to_pydatetime()
    monkeypatch.setattr(formats, "worker_count", lambda size: 1)
    serial = read_accounts(path, as_of=as_of)
    monkeypatch.setattr(formats, "worker_count", lambda size: 3)
    parallel = read_accounts(path, as_of=as_of)
    pd.testing.assert_frame_equal(parallel.table, serial.table)
    assert parallel.skipped == serial.skipped
    assert [item.place for item in serial.skipped[:2]] == ["line 1:2", "line 8:2"]
    assert serial.table["record"].tolist()[:5] == [1, 3, 1, 2, 3]  # line 1's record 2 skipped


def test_a_scan_numbers_followers_by_line_alone(capsys, tmp_path):
    out = tmp_path / "scan.csv"
    with BlueskyServer(n=30) as server:
        code, _, err = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--csv",
            out,
            "-q",
        )
    assert code == ExitCode.OK, err
    rows = csv_rows(out)
    assert list(rows[0])[:4] == ["audited", "line", "record", "platform"]
    assert {row["record"] for row in rows} == {"0"}
    assert sorted(int(row["line"]) for row in rows) == list(range(1, 31))
