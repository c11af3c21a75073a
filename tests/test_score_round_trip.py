"""A `score --csv` export can be scored again, to the same scores, labels and reasons."""

from __future__ import annotations

import csv
from pathlib import Path

from clirun import run

from followaudit.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-01-01"


def read(path: Path) -> list[dict[str, str]]:
    """Return the rows of an export without `line`: that is where a row sits in the file read."""
    with open(path, newline="", encoding="utf-8") as stream:
        return [{k: v for k, v in row.items() if k != "line"} for row in csv.DictReader(stream)]


def score_twice(capsys, source: Path, tmp_path: Path) -> tuple[list[dict], list[dict]]:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    code, _, err = run(capsys, "score", source, "--as-of", AS_OF, "--csv", first, "--quiet")
    assert code == ExitCode.OK, err
    code, _, err = run(capsys, "score", first, "--as-of", AS_OF, "--csv", second, "--quiet")
    assert code == ExitCode.OK, err
    # Read back from the export, nothing is unknown that was known the first time.
    assert "missing" not in err and "unknown" not in err, err
    return read(first), read(second)


def test_the_bundled_example_scores_the_same_from_its_own_export(capsys, tmp_path):
    first, second = score_twice(capsys, ROOT / "examples" / "followers.jsonl", tmp_path)
    assert len(first) == len(second) == 400
    assert first == second
    assert {r["label"] for r in first} == {"authentic", "questionable"}


def test_every_platform_and_a_formula_shaped_handle_survive_the_round_trip(capsys, tmp_path):
    source = tmp_path / "mixed.csv"
    source.write_text(
        "platform,handle,id,created_at,posts,followers,following,likes,bio,name,url,"
        "location,default_avatar\n"
        "x,@=cmd,1,2016-03-04,800,120,95,300,Gardens.,Clover,https://e.org,Here,false\n"
        "bluesky,alice.bsky.social,did:plc:abc,2024-12-01T10:00:00Z,0,1,900,,,,,,TRUE\n"
        "mastodon,@bob@social.example,7,,15,40,60,,Podcasts.,Bob,,,no\n",
        encoding="utf-8",
    )
    first, second = score_twice(capsys, source, tmp_path)
    assert first == second
    assert [r["handle"] for r in first] == ["'@=cmd", "alice.bsky.social", "'@bob@social.example"]
    assert [r["platform"] for r in first] == ["x", "bluesky", "mastodon"]
    # Unknown stays unknown (empty), never zero, on the way back in.
    assert first[1]["likes"] == "" and first[2]["created_at"] == ""
