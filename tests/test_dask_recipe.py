"""The Dask recipe of docs/python-api.md, run as written on a local cluster, scores as one followaudit.score call."""

import json
from pathlib import Path

import pandas as pd
import pytest
from docpages import ROOT, code_blocks, page, section

import followaudit

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

EXAMPLE = ROOT / "examples" / "followers.jsonl"
PARTITIONS = 6


def recipe():
    """Return the Python code block of the "Scoring with Dask" section of docs/python-api.md."""
    (code,) = code_blocks(section(page("python-api"), "## Scoring with Dask"), "python")
    return code


def crawl(folder: Path) -> pd.DataFrame:
    """Write 4,000 X API v2 profiles (three of them unscoreable) as Parquet files; return them."""
    users = [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    records = []
    for copy in range(10):
        for user in users:
            records.append(
                {**user, "id": f"{copy}{user['id']}", "username": f"{user['username']}_{copy}"}
            )
    records[5]["public_metrics"] = {**records[5]["public_metrics"], "followers_count": -1}
    records[1500]["public_metrics"] = {"post_count": 3}
    records[3999]["created_at"] = "2099-01-01T00:00:00.000Z"
    frame = pd.DataFrame(records)
    folder.mkdir()
    size = -(-len(frame) // PARTITIONS)
    for number in range(PARTITIONS):
        frame.iloc[number * size : (number + 1) * size].to_parquet(
            folder / f"part-{number:02}.parquet"
        )
    return frame


def comparable(scored: pd.DataFrame) -> pd.DataFrame:
    """Return the scores without ``line`` (a row's number within its partition) and index."""
    table = scored.drop(columns=["line"]).reset_index(drop=True)
    for column in table.columns:
        if table[column].dtype != "float64" and not str(table[column].dtype).startswith("datetime"):
            table[column] = table[column].astype(object)
    return table


def test_the_docs_recipe_scores_partitions_as_one_call_does(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    frame = crawl(tmp_path / "crawl")
    exec(compile(recipe(), "docs/python-api.md Dask recipe", "exec"), {"__name__": "__main__"})
    shown = capsys.readouterr().out
    assert "questionable" in shown and "authentic" in shown

    files = sorted((tmp_path / "scored").glob("*.parquet"))
    assert len(files) == PARTITIONS  # the work really was split
    distributed_result = pd.concat([pd.read_parquet(f) for f in files])
    with pytest.warns(followaudit.FollowauditWarning, match="3 rows could not be scored"):
        single = followaudit.score(frame, as_of="2026-01-31")
    assert len(single) == len(frame) - 3
    assert distributed_result["id"].tolist() == single["id"].tolist()
    pd.testing.assert_frame_equal(
        comparable(distributed_result), comparable(single), check_exact=True
    )
