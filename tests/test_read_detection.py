"""The container and the format are told apart from the data; --format overrides the guess."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from followaudit.errors import InputError
from followaudit.formats import FORMATS, read_accounts

FIXTURES = Path(__file__).parent / "fixtures"
V2_PAGE = json.loads((FIXTURES / "x_v2_followers_page.json").read_text(encoding="utf-8"))
V2_USERS: list[dict] = V2_PAGE["data"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_format_names() -> None:
    assert list(FORMATS) == ["x-v2", "x-v1", "bluesky", "mastodon", "csv"]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("x_v2_followers_page.json", "x-v2"),
        ("x_v1_users.json", "x-v1"),
        ("cresci_layout.csv", "x-v1"),
        ("bluesky_getProfiles.json", "bluesky"),
        ("mastodon_followers.json", "mastodon"),
        ("native.csv", "csv"),
    ],
)
def test_each_format_is_detected(fixture: str, expected: str) -> None:
    assert read_accounts(FIXTURES / fixture).format == expected


def test_jsonl_of_users(tmp_path: Path) -> None:
    path = write(tmp_path, "f.jsonl", "".join(json.dumps(user) + "\n" for user in V2_USERS))
    result = read_accounts(path)
    assert (result.format, list(result.table["line"])) == ("x-v2", [1, 2])


def test_json_array_of_users_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "f.json", json.dumps(V2_USERS))
    assert list(read_accounts(path).table["handle"]) == [u["username"] for u in V2_USERS]


def test_twarc2_pages_one_per_line(tmp_path: Path) -> None:
    pages = [
        {"data": [user], "meta": {"result_count": 1}, "__twarc": {"version": "2"}}
        for user in V2_USERS
    ]
    path = write(tmp_path, "f.jsonl", "".join(json.dumps(page) + "\n" for page in pages))
    result = read_accounts(path)
    assert (result.format, list(result.table["line"])) == ("x-v2", [1, 2])


def test_concatenated_pretty_printed_pages(tmp_path: Path) -> None:
    text = "".join(json.dumps({"data": [user]}, indent=2) + "\n" for user in V2_USERS)
    result = read_accounts(write(tmp_path, "f.json", text))
    assert len(result.table) == 2
    assert result.table.loc[1, "line"] > result.table.loc[0, "line"] > 1


def test_bluesky_pages_one_per_line(tmp_path: Path) -> None:
    page = json.loads((FIXTURES / "bluesky_getProfiles.json").read_text(encoding="utf-8"))
    # The second page lists other accounts (a repeated account would be scored once).
    second = json.loads(json.dumps(page).replace("did:plc:", "did:plc:z"))
    path = write(tmp_path, "f.jsonl", json.dumps(page) + "\n" + json.dumps(second) + "\n")
    result = read_accounts(path)
    assert (result.format, list(result.table["line"])) == ("bluesky", [1, 1, 2, 2])


def test_mastodon_jsonl(tmp_path: Path) -> None:
    accounts = json.loads((FIXTURES / "mastodon_followers.json").read_text(encoding="utf-8"))
    path = write(tmp_path, "f.jsonl", "\n".join(json.dumps(a) for a in accounts))
    assert read_accounts(path).format == "mastodon"


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (FIXTURES / "native.csv").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    result = read_accounts("-")
    assert (result.format, result.path, len(result.table)) == ("csv", "<stdin>", 3)


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "native.csv").read_bytes())
    assert read_accounts(path).format == "csv"


def test_format_option_overrides_the_guess(tmp_path: Path) -> None:
    # v2 objects that some tool decorated with a v1.1-style screen_name.
    users = [dict(user, screen_name=user["username"]) for user in V2_USERS]
    path = write(tmp_path, "f.jsonl", "".join(json.dumps(user) + "\n" for user in users))
    with pytest.raises(InputError, match="no statuses_count count"):
        read_accounts(path)
    result = read_accounts(path, format="x-v2")
    assert (result.format, len(result.table)) == ("x-v2", 2)


def test_forcing_a_json_format_on_csv_is_refused() -> None:
    with pytest.raises(InputError, match="this looks like CSV, but mastodon data is JSON"):
        read_accounts(FIXTURES / "native.csv", format="mastodon")


def test_forcing_csv_on_json_is_refused() -> None:
    with pytest.raises(InputError, match="this is mastodon JSON, but the csv format is"):
        read_accounts(FIXTURES / "mastodon_followers.json", format="csv")


def test_forcing_x_v1_reads_a_cresci_csv() -> None:
    assert len(read_accounts(FIXTURES / "cresci_layout.csv", format="x-v1").table) == 3


def test_single_user_lookup_answer(tmp_path: Path) -> None:
    answer = json.dumps({"data": V2_USERS[0]}, indent=2)
    result = read_accounts(write(tmp_path, "f.json", answer))
    assert (result.format, list(result.table["handle"])) == ("x-v2", ["demo_fernharbor"])
