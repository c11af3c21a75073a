"""Bad input: file problems raise InputError naming file and line; bad records are skipped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followaudit.errors import ExitCode, InputError, UsageError
from followaudit.formats import read_accounts

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = {
    "id": "1",
    "username": "demo_a",
    "created_at": "2019-01-01T00:00:00.000Z",
    "public_metrics": {"followers_count": 1, "following_count": 2, "post_count": 3},
}
LINE = json.dumps(GOOD)


def other(number: int) -> str:
    """Return GOOD as another account (its own id and handle): a repeat is scored once."""
    return json.dumps(GOOD | {"id": str(number), "username": f"demo_{number}"})


def write(tmp_path: Path, data: str | bytes, name: str = "followers.jsonl") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def message(path: Path, **kwargs: object) -> str:
    with pytest.raises(InputError) as caught:
        read_accounts(path, **kwargs)  # type: ignore[arg-type]
    assert caught.value.exit_code == ExitCode.INPUT
    return str(caught.value)


@pytest.mark.parametrize("data", ["", "\n\n  \n"])
def test_empty_file(tmp_path: Path, data: str) -> None:
    path = write(tmp_path, data)
    assert message(path) == f"{path}: the file is empty"


@pytest.mark.parametrize(
    "data",
    ["[]", '{"data": [], "meta": {"result_count": 0}}\n', "posts,followers,following,created_at\n"],
)
def test_file_without_accounts(tmp_path: Path, data: str) -> None:
    path = write(tmp_path, data)
    assert message(path) == f"{path}: the file holds no accounts"


def test_no_such_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    assert message(path) == f"{path}: no such file"


def test_folder(tmp_path: Path) -> None:
    assert message(tmp_path) == f"{tmp_path}: this is a folder, not a file"


def test_unknown_format_name(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown format 'x-v3': choose one of x-v2, x-v1"):
        read_accounts(write(tmp_path, LINE), format="x-v3")


def test_unrecognised_records(tmp_path: Path) -> None:
    path = write(tmp_path, '{"foo": 1}\n{"bar": 2}\n')
    assert message(path) == (
        f"{path}, line 1: cannot tell which format these records are in: "
        "use --format with one of x-v2, x-v1, bluesky, mastodon, csv"
    )


def test_unrecognised_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1,2\n", "f.csv")
    assert message(path).startswith(f"{path}, line 1: cannot tell which format this file is in")


def test_truncated_last_line_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, LINE + "\n" + other(2) + "\n" + LINE[:40])
    result = read_accounts(path)
    assert len(result.table) == 2
    assert [item.line for item in result.skipped] == [3]
    assert "cut off" in result.skipped[0].reason
    assert result.warnings[0].startswith("line 3: the file ends in the middle of this record")


def test_malformed_middle_line_is_skipped_without_a_truncation_warning(tmp_path: Path) -> None:
    path = write(tmp_path, LINE + "\n" + LINE[:40] + "\n" + other(3) + "\n")
    result = read_accounts(path)
    assert len(result.table) == 2
    assert result.skipped[0].line == 2
    assert result.skipped[0].reason.startswith("not valid JSON")
    assert not any("cut off" in warning for warning in result.warnings)


def test_malformed_first_jsonl_line_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, LINE[:40] + "\n" + LINE + "\n")
    result = read_accounts(path)
    assert (len(result.table), result.skipped[0].line) == (1, 1)


def test_truncated_pretty_printed_array_keeps_complete_records(tmp_path: Path) -> None:
    text = json.dumps([json.loads(other(n)) for n in range(3)], indent=2)
    path = write(tmp_path, text[: len(text) - 60], "f.json")
    result = read_accounts(path)
    assert len(result.table) == 2
    assert "cut off" in result.skipped[0].reason
    assert result.warnings


def test_broken_middle_of_a_json_document_names_the_line(tmp_path: Path) -> None:
    text = json.dumps([GOOD, GOOD], indent=2).replace('"demo_a",', '"demo_a"', 1)
    path = write(tmp_path, text, "f.json")
    assert message(path).startswith(f"{path}, line 5: this is not valid JSON (Expecting ','")


def test_no_record_has_counts(tmp_path: Path) -> None:
    bare = {"id": "1", "username": "demo_a"}
    path = write(tmp_path, json.dumps(bare) + "\n" + json.dumps(bare) + "\n")
    assert message(path) == (
        f"{path}, line 1: no public_metrics (request user.fields=public_metrics); "
        "none of the 2 records could be scored"
    )


def test_every_line_broken(tmp_path: Path) -> None:
    path = write(tmp_path, LINE[:30] + "\n")
    assert message(path).startswith(f"{path}, line 1: the file ends in the middle of this record")


def test_csv_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    data = (
        "posts,followers,following,created_at,bio\n1,2,3,2020-01-01,ok\n1,2,3,2020-01-01,caf\xe9\n"
    )
    path = write(tmp_path, data.encode("latin-1"), "f.csv")
    assert message(path) == f"{path}, line 3: the file is not UTF-8 text: save it as UTF-8"


def test_utf16_file(tmp_path: Path) -> None:
    path = write(tmp_path, "posts,followers\n".encode("utf-16"), "f.csv")
    assert message(path) == f"{path}, line 1: the file is UTF-16 text: save it as UTF-8"


def test_jsonl_line_that_is_not_utf8_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path, LINE.encode() + b"\n" + LINE.encode().replace(b"demo_a", b"demo_\xe9") + b"\n"
    )
    result = read_accounts(path)
    assert [(item.line, item.reason) for item in result.skipped] == [(2, "not UTF-8 text")]


def test_impossible_values_are_skipped(tmp_path: Path) -> None:
    negative = dict(
        GOOD, public_metrics={"followers_count": -1, "following_count": 2, "post_count": 3}
    )
    future = dict(GOOD, created_at="2031-01-01T00:00:00Z")
    path = write(tmp_path, "\n".join(json.dumps(u) for u in (GOOD, negative, future)) + "\n")
    result = read_accounts(path, as_of=datetime(2026, 1, 1, tzinfo=UTC))
    assert len(result.table) == 1
    assert [(item.line, item.reason) for item in result.skipped] == [
        (2, "negative followers"),
        (3, "created_at is after the observation time 2026-01-01"),
    ]


def test_as_of_in_the_past_skips_later_accounts(tmp_path: Path) -> None:
    path = write(tmp_path, LINE + "\n")
    assert "after the observation time 2010-01-01" in message(
        path, as_of=datetime(2010, 1, 1, tzinfo=UTC)
    )


def test_csv_row_with_the_wrong_number_of_cells_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path, "posts,followers,following,created_at\n1,2,3,2020-01-01\n1,2,3\n", "f.csv"
    )
    result = read_accounts(path)
    assert result.skipped[0].line == 3
    assert result.skipped[0].reason == "the row has 3 cells but the header has 4"


def test_csv_cut_off_mid_row_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "posts,followers,following,created_at\n1,2,3,2020-01-01\n4,5", "f.csv")
    result = read_accounts(path)
    assert len(result.table) == 1
    assert result.warnings[-1] == (
        "line 3: the file does not end with a line break; that row was cut off and skipped"
    )


def test_a_row_that_fails_halfway_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from followaudit.formats import _convert, x_v2

    def flaky(builder: object, user: dict, line: int) -> None:
        if user["username"] == "demo_bad":
            # Fails inside append, after the first columns took their values.
            builder.append(  # type: ignore[attr-defined]
                **dict.fromkeys(_convert.BUILT_COLUMNS, None)
                | {"platform": "x", "id": "", "handle": "", "line": line}
            )
        x_v2.add_user(builder, user, line)  # type: ignore[arg-type]

    monkeypatch.setitem(_convert.JSON_CONVERTERS, "x-v2", flaky)
    bad = dict(GOOD, username="demo_bad")
    path = write(tmp_path, "\n".join((LINE, json.dumps(bad), other(3))) + "\n")
    result = read_accounts(path)
    assert list(result.table["line"]) == [1, 3]
    assert list(result.table["handle"]) == ["demo_a", "demo_3"]
    assert result.skipped[0].line == 2


def test_api_error_page_says_what_the_api_said(tmp_path: Path) -> None:
    page = {
        "errors": [
            {
                "title": "Not Found Error",
                "detail": "Could not find user with username: [demo_gone].",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }
    path = write(tmp_path, json.dumps(page) + "\n")
    assert message(path) == (
        f"{path}: the file holds no accounts (line 1: an API error page with no accounts "
        "(Could not find user with username: [demo_gone].))"
    )
