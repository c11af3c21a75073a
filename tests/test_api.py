"""The Python API: followaudit.score on DataFrames and records, as the file readers score them."""

import json
import subprocess
import sys
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

import followaudit
from followaudit.errors import InputError, ModelError, UsageError
from followaudit.model.scoring import score_table

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "followers.jsonl"
AS_OF = datetime(2026, 1, 31, tzinfo=UTC)


def records_of(path):
    """Return the user objects of a fixture file as plain dicts."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    body = json.loads(text)
    if isinstance(body, dict):
        body = next(value for key, value in body.items() if isinstance(value, list))
    return body


def file_scores(path):
    """Return what `followaudit score FILE` scores, with positions for lines."""
    read = followaudit.read_accounts(path, as_of=AS_OF)
    rows = score_table(read.table, followaudit.load_model(), AS_OF)
    return rows


def same_scores(api, cli):
    """Assert the API and the file reader gave every account the same row (line aside)."""
    assert len(api) == len(cli) > 0
    columns = [c for c in cli.columns if c != "line"]
    left = api[columns].reset_index(drop=True)
    right = cli[columns].reset_index(drop=True)
    for column in ("platform", "id", "handle", "label", "reasons"):
        left[column] = left[column].astype(object)
        right[column] = right[column].astype(object)
    pd.testing.assert_frame_equal(left, right)


def test_import_is_light():
    code = (
        "import sys, followaudit\n"
        "heavy = [m for m in ('pandas', 'numpy', 'sklearn', 'scipy', 'pyarrow', 'dask')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_every_public_name_resolves_and_has_a_docstring():
    for name in followaudit.__all__:
        value = getattr(followaudit, name)
        if name != "__version__":
            assert value.__doc__, name
    assert "score" in dir(followaudit)
    with pytest.raises(AttributeError):
        followaudit.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    "fixture",
    [
        "x_v2_followers_page.json",
        "x_v1_users.json",
        "bluesky_getProfiles.json",
        "mastodon_followers.json",
    ],
)
def test_records_and_frames_score_as_the_file_does(fixture):
    path = FIXTURES / fixture
    cli = file_scores(path)
    records = records_of(path)
    from_records = followaudit.score(records, as_of=AS_OF)
    same_scores(from_records, cli)
    same_scores(followaudit.score(pd.DataFrame(records), as_of=AS_OF), cli)


def test_flattened_columns_score_as_nested_objects():
    records = records_of(EXAMPLE)
    nested = followaudit.score(records, as_of=AS_OF)
    flat = followaudit.score(pd.json_normalize(records), as_of=AS_OF)
    assert "public_metrics.followers_count" in pd.json_normalize(records).columns
    pd.testing.assert_frame_equal(nested, flat)
    same_scores(nested, file_scores(EXAMPLE))


@pytest.mark.parametrize("fixture", ["native.csv", "cresci_layout.csv"])
def test_a_csv_read_by_pandas_scores_as_the_file_does(fixture):
    path = FIXTURES / fixture
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", followaudit.FollowauditWarning)
        api = followaudit.score(pd.read_csv(path, dtype=str, keep_default_na=False), as_of=AS_OF)
        typed = followaudit.score(pd.read_csv(path), as_of=AS_OF)
    cli = file_scores(path)
    same_scores(api, cli)
    same_scores(typed, cli)


def test_the_scored_table_scores_the_same_again():
    first = followaudit.score(records_of(EXAMPLE), as_of=AS_OF)
    again = followaudit.score(first, as_of=AS_OF)
    pd.testing.assert_frame_equal(first, again)
    read = followaudit.read_accounts(EXAMPLE, as_of=AS_OF)
    pd.testing.assert_frame_equal(followaudit.score(read.table, as_of=AS_OF), first)


def test_a_missing_column_is_named():
    table = followaudit.read_accounts(EXAMPLE, as_of=AS_OF).table.drop(columns=["created_at"])
    with pytest.raises(InputError, match="the table has no created_at column"):
        followaudit.score(table, as_of=AS_OF)
    x_users = pd.DataFrame(records_of(EXAMPLE)).drop(columns=["public_metrics"])
    with pytest.raises(InputError, match="no public_metrics column, which x-v2 data needs"):
        followaudit.score(x_users, as_of=AS_OF)


def test_native_columns_without_platform_score_as_unknown_platform():
    table = followaudit.read_accounts(EXAMPLE, as_of=AS_OF).table.drop(columns=["platform"])
    scored = followaudit.score(table, as_of=AS_OF)
    assert set(scored["platform"]) == {"unknown"}
    assert len(scored) == len(table)


def test_a_table_of_unknown_columns_is_refused_with_its_columns():
    with pytest.raises(InputError, match=r"cannot tell which format.*its columns are a, b"):
        followaudit.score(pd.DataFrame({"a": [1], "b": [2]}))


def test_bad_rows_are_left_out_with_a_warning_and_the_index_lines_up():
    records = records_of(EXAMPLE)[:5]
    records[1] = {**records[1], "public_metrics": {"followers_count": 3}}
    records[3]["public_metrics"] = {**records[3]["public_metrics"], "following_count": -4}
    frame = pd.DataFrame(records, index=[10, 11, 12, 13, 14])
    with pytest.warns(followaudit.FollowauditWarning, match=r"2 rows could not be scored.*row 2"):
        scored = followaudit.score(frame, as_of=AS_OF)
    assert list(scored.index) == [10, 12, 14]
    assert list(scored["id"]) == [frame.loc[i, "id"] for i in (10, 12, 14)]


def test_empty_input_gives_an_empty_table_with_the_same_columns_and_dtypes():
    frame = pd.DataFrame(records_of(EXAMPLE))
    full = followaudit.score(frame, as_of=AS_OF)
    for empty in (followaudit.score(frame.head(0), as_of=AS_OF), followaudit.score([])):
        assert len(empty) == 0
        pd.testing.assert_series_equal(empty.dtypes, full.dtypes)


def test_as_of_and_model_forms(tmp_path):
    records = records_of(EXAMPLE)[:20]
    expected = followaudit.score(records, as_of=AS_OF)
    model = followaudit.load_model()
    for as_of in (AS_OF, "2026-01-31", "2026-01-31T00:00:00Z", date(2026, 1, 31)):
        pd.testing.assert_frame_equal(
            followaudit.score(records, as_of=as_of, model=model), expected
        )
    shipped = Path(followaudit.__file__).parent / "model" / "model.json"
    pd.testing.assert_frame_equal(
        followaudit.score(records, as_of=AS_OF, model=str(shipped)), expected
    )
    with pytest.raises(UsageError, match="in the future"):
        followaudit.score(records, as_of="2999-01-01")
    with pytest.raises(UsageError, match="is not a date"):
        followaudit.score(records, as_of="last tuesday")
    with pytest.raises(ModelError, match="does not exist"):
        followaudit.score(records, model=tmp_path / "missing.json")


def test_not_a_table_is_a_type_error():
    with pytest.raises(TypeError, match="DataFrame or a list of dicts, not int"):
        followaudit.score(3)
    with pytest.raises(TypeError, match="record 2 is a str"):
        followaudit.score([{"posts": 1}, "x"])
