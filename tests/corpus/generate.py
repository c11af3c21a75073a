"""The attack corpus of bad follower files, generated (not committed as blobs).

Each ``Case`` is one file with what `followaudit score` must do with it: the
exit code, a sentence that must be shown (stdout or stderr, whitespace
flattened) and how many accounts must be scored (0 when the run fails). The
expectations are worked out here from how each file is built, never by
running followaudit.

    python tests/corpus/generate.py OUT_DIR   # writes the files and cases.json

``tests/test_corpus.py`` runs every case.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import sqlite3
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

OK, INPUT = 0, 3
CUT = "was it cut off while being written?"
CSV_HEADER = "handle,created_at,posts,followers,following,likes"


@dataclass(frozen=True)
class Case:
    """One bad file and what `followaudit score` must do with it."""

    name: str  # the file name (its extension matters to nothing but the reader)
    data: bytes
    code: int  # exit code
    shown: str  # a sentence (part) the output must contain
    scored: int  # accounts scored; 0 when the run fails
    args: tuple[str, ...] = field(default=())  # extra options


def csv_row(i: int, handle: str | None = None) -> str:
    return f"{handle or f'user{i}'},2015-01-01,{i % 500},{i % 97},{100 + i % 900},0"


def csv_file(n: int, replace: dict[int, str] | None = None, header: str = CSV_HEADER) -> bytes:
    """Return a CSV of ``n`` accounts; ``replace`` swaps row i (0-based) for given text."""
    replace = replace or {}
    rows = [header] + [replace.get(i, csv_row(i)) for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


def x_user(i: int, **extra: object) -> dict[str, object]:
    return {
        "id": str(1000 + i),
        "username": f"u{i}",
        "name": "Zoë 😀",
        "created_at": "2015-01-01T00:00:00Z",
        "description": "bio",
        "public_metrics": {
            "followers_count": i,
            "following_count": 5 + i,
            "tweet_count": 3,
            "listed_count": 0,
            "like_count": 1,
        },
        "protected": False,
        "verified": None,
        **extra,
    }


def jsonl(records: list[object]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def binary_cases() -> Iterator[Case]:
    binary = "this is a binary file, not text"
    yield Case("zeros.bin", b"\0" * 100_000, INPUT, binary + " (a NUL byte at byte 1)", 0)
    yield Case(
        "nul_in_header.csv", b"handle,posts\0,followers\n", INPUT, "a NUL byte at byte 13", 0
    )
    nul_row = csv_file(20, {10: "user10\0,2015-01-01,1,1,1,0"})
    yield Case("nul_in_row.csv", nul_row, INPUT, "nul_in_row.csv, line 12: " + binary, 0)
    yield Case("nul_jsonl.jsonl", jsonl([x_user(0)]) + b"\0\0\0", INPUT, binary, 0)
    yield Case(
        "utf16le.csv",
        b"\xff\xfe" + CSV_HEADER.encode("utf-16-le"),
        INPUT,
        "the file is UTF-16 text: save it as UTF-8",
        0,
    )
    yield Case(
        "utf16be.csv",
        b"\xfe\xff" + CSV_HEADER.encode("utf-16-be"),
        INPUT,
        "the file is UTF-16 text: save it as UTF-8",
        0,
    )
    yield Case("utf16_nobom.csv", CSV_HEADER.encode("utf-16-le"), INPUT, binary, 0)
    sample = csv_file(5)
    yield Case(
        "followers.csv.gz",
        gzip.compress(sample),
        INPUT,
        "this file is compressed with gzip: decompress it first (gunzip)",
        0,
    )
    yield Case(
        "followers.csv.bz2", bz2.compress(sample), INPUT, "this file is compressed with bzip2", 0
    )
    yield Case(
        "followers.csv.xz", lzma.compress(sample), INPUT, "this file is compressed with xz", 0
    )
    yield Case(
        "followers.csv.zst",
        b"\x28\xb5\x2f\xfd" + b"\x00" * 40,
        INPUT,
        "this file is compressed with zstd",
        0,
    )
    yield Case(
        "followers.7z",
        b"7z\xbc\xaf\x27\x1c" + b"\x00" * 40,
        INPUT,
        "this file is a 7-Zip archive",
        0,
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("followers.csv", sample)
    yield Case("followers.zip", archive.getvalue(), INPUT, "this file is a zip archive", 0)
    yield Case("followers.xlsx", archive.getvalue(), INPUT, "an Excel .xlsx workbook is one", 0)
    yield Case(
        "followers.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        INPUT,
        "an old Excel/Office document: save the sheet as CSV",
        0,
    )
    yield Case(
        "followers.pdf",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        INPUT,
        "this file is a PDF document, not follower data",
        0,
    )
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "f.db"
        with sqlite3.connect(db) as connection:
            connection.execute("create table followers (handle text)")
        connection.close()
        yield Case(
            "followers.sqlite",
            db.read_bytes(),
            INPUT,
            "this file is an SQLite database, not follower data",
            0,
        )
    yield Case(
        "latin1.csv",
        csv_file(3, {1: "zo\xeb,2015-01-01,1,2,3,0"}).replace("zo\xeb".encode(), b"zo\xeb"),
        INPUT,
        "the file is not UTF-8 text: save it as UTF-8",
        0,
    )
    yield Case(
        "long_line.csv",
        b"a" * (3 * 2**20),
        INPUT,
        "the first line is over 1 MB long with no line break",
        0,
    )
    yield Case(
        "long_blank.csv",
        b" " * (2 * 2**20) + b"x\n",
        INPUT,
        "line 1 starts with over 1 MB of blanks",
        0,
    )


def empty_cases() -> Iterator[Case]:
    for name, data in [
        ("empty.csv", b""),
        ("blank.csv", b"\n\n  \n\t\n"),
        ("bom_only.csv", b"\xef\xbb\xbf"),
        ("crlf_only.jsonl", b"\r\n\r\n"),
    ]:
        yield Case(name, data, INPUT, "the file is empty", 0)
    yield Case(
        "header_only.csv", (CSV_HEADER + "\n").encode(), INPUT, "the file holds no accounts", 0
    )
    yield Case("empty_array.json", b"[]", INPUT, "the file holds no accounts", 0)
    yield Case("empty_object.json", b"{}", INPUT, "cannot tell which format", 0)
    # Not starting with { or [, these are read as CSV, whose header they fail.
    yield Case("scalar.json", b"42\n", INPUT, "cannot tell which format this file is in", 0)
    yield Case(
        "string.json",
        b'"followers"\n',
        INPUT,
        "the CSV header has no posts or following or created_at column",
        0,
    )
    yield Case("numbers.jsonl", b"1\n2\n3\n", INPUT, "cannot tell which format", 0)
    yield Case("scalars_in_array.json", b"[1, 2, 3]", INPUT, "not a JSON object", 0)
    yield Case(
        "unknown_keys.jsonl",
        jsonl([{"foo": 1}, {"bar": 2}]),
        INPUT,
        "cannot tell which format these records are in: use --format",
        0,
    )
    yield Case(
        "unknown_header.csv",
        b"a,b,c\n1,2,3\n",
        INPUT,
        "cannot tell which format this file is in",
        0,
    )
    yield Case(
        "missing_column.csv",
        b"handle,posts,followers,created_at\nx,1,2,2015-01-01\n",
        INPUT,
        "the CSV header has no following column",
        0,
    )
    yield Case(
        "api_errors.json",
        json.dumps(
            {
                "errors": [
                    {"title": "Not Found Error", "detail": "Could not find user with ids: [1]."}
                ]
            }
        ).encode(),
        INPUT,
        "the file holds no accounts (line 1: an API error page with no accounts "
        "(Could not find user with ids: [1].))",
        0,
    )
    yield Case("deep_array.json", b"[" * 100_000 + b"]" * 100_000, INPUT, "nested too deeply", 0)
    yield Case(
        "deep_object.jsonl",
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"\n",
        INPUT,
        "nested too deeply",
        0,
    )
    view = {
        "did": "did:plc:abcdefghijklmnopqrstuvwx",
        "handle": "a.bsky.social",
        "createdAt": "2023-01-01T00:00:00Z",
    }
    yield Case("profile_view.jsonl", jsonl([view]), INPUT, "profileView", 0)
    yield Case(
        "csv_forced_json.csv",
        csv_file(3),
        INPUT,
        "this looks like CSV, but x-v2 data is JSON",
        0,
        ("--format", "x-v2"),
    )
    yield Case(
        "json_forced_csv.jsonl",
        jsonl([x_user(0)]),
        INPUT,
        "this is x-v2 JSON, but the csv format is followaudit's own columns",
        0,
        ("--format", "csv"),
    )


def csv_cases() -> Iterator[Case]:
    unmatched = "a quoted cell opens on this line and never closes as a row should"
    for rows, broken in [(1_000, 0), (1_000, 10), (1_000, 998), (10_000, 5_000), (50, 25)]:
        yield Case(
            f"quote_{rows}_{broken}.csv",
            csv_file(rows, {broken: csv_row(broken, f'"user{broken}')}),
            OK,
            f"skipped line {broken + 2}: {unmatched}",
            rows - 1,
        )
    # On the last line the quote runs only to the end of its own line.
    yield Case(
        "quote_last_line.csv",
        csv_file(1_000, {999: csv_row(999, '"user999')}),
        OK,
        "skipped line 1001: the row has 1 cells but the header has 6",
        999,
    )
    yield Case(
        "quote_twice.csv",
        csv_file(200, {20: csv_row(20, '"a'), 120: csv_row(120, '"b')}),
        OK,
        f"skipped line 122: {unmatched}",
        198,
    )
    yield Case(
        "quote_then_closing_quote.csv",
        csv_file(100, {10: csv_row(10, '"open'), 60: csv_row(60, 'close"')}),
        OK,
        f"skipped line 12: {unmatched}",
        99,
    )
    yield Case("quote_mid_cell.csv", csv_file(10, {3: csv_row(3, 'us"er3')}), OK, "Scored: 10", 10)
    multi = csv_file(
        5,
        header=CSV_HEADER + ",bio",
        replace={i: csv_row(i) + f',"line one\nline two {i}"' for i in range(5)},
    )
    yield Case("multiline_bio.csv", multi, OK, "Scored: 5", 5)
    yield Case(
        "too_many_cells.csv",
        csv_file(30, {7: csv_row(7) + ",extra"}),
        OK,
        "skipped line 9: the row has 7 cells but the header has 6",
        29,
    )
    yield Case(
        "too_few_cells.csv",
        csv_file(30, {7: "user7,2015-01-01"}),
        OK,
        "skipped line 9: the row has 2 cells but the header has 6",
        29,
    )
    yield Case(
        "not_a_number.csv",
        csv_file(30, {4: "user4,2015-01-01,many,1,1,0"}),
        OK,
        "skipped line 6: posts is not a number: 'many'",
        29,
    )
    yield Case(
        "negative.csv",
        csv_file(30, {4: "user4,2015-01-01,1,-5,1,0"}),
        OK,
        "skipped line 6: negative followers",
        29,
    )
    yield Case(
        "empty_required.csv",
        csv_file(30, {4: "user4,2015-01-01,,1,1,0"}),
        OK,
        "skipped line 6: no posts count",
        29,
    )
    yield Case(
        "future.csv",
        csv_file(30, {4: "user4,2199-01-01,1,1,1,0"}),
        OK,
        "skipped line 6: created_at is after the observation time",
        29,
    )
    yield Case(
        "before_2006.csv",
        csv_file(30, {4: "user4,1999-01-01,1,1,1,0"}),
        OK,
        "before any supported platform existed (2006)",
        29,
    )
    yield Case(
        "bad_date.csv",
        csv_file(30, {4: "user4,yesterday,1,1,1,0"}),
        OK,
        "skipped line 6: created_at is not a date: 'yesterday'",
        29,
    )
    yield Case(
        "huge_count.csv",
        csv_file(30, {4: "user4,2015-01-01,1e30,1,1,0"}),
        OK,
        "posts is not a plausible count",
        29,
    )
    yield Case(
        "nan_count.csv", csv_file(30, {4: "user4,2015-01-01,nan,1,1,0"}), OK, "skipped line 6", 29
    )
    yield Case(
        "inf_count.csv", csv_file(30, {4: "user4,2015-01-01,inf,1,1,0"}), OK, "skipped line 6", 29
    )
    yield Case(
        "bad_boolean.csv",
        b"handle,created_at,posts,followers,following,default_avatar\n"
        b"a,2015-01-01,1,2,3,maybe\nb,2015-01-01,1,2,3,true\n",
        OK,
        "default_avatar is not true/false: 'maybe'",
        1,
    )
    yield Case(
        "bad_platform.csv",
        b"handle,platform,created_at,posts,followers,following\n"
        b"a,myspace,2015-01-01,1,2,3\nb,x,2015-01-01,1,2,3\n",
        OK,
        "platform must be x, bluesky or mastodon, not 'myspace'",
        1,
    )
    all_bad = csv_file(4, {i: f"user{i},2015-01-01,x,1,1,0" for i in range(4)})
    yield Case(
        "all_bad.csv",
        all_bad,
        INPUT,
        "line 2: posts is not a number: 'x'; none of the 4 records could be scored",
        0,
    )
    yield Case(
        "no_final_newline.csv",
        csv_file(10).rstrip(b"\n"),
        OK,
        "line 11: the file does not end with a line break",
        10,
    )
    yield Case(
        "cut_row.csv", csv_file(10).rstrip(b"\n")[:-8], OK, "that row was cut off and skipped", 9
    )
    yield Case("semicolons.csv", csv_file(10).replace(b",", b";"), OK, "Scored: 10", 10)
    yield Case("tabs.tsv", csv_file(10).replace(b",", b"\t"), OK, "Scored: 10", 10)
    yield Case("crlf.csv", csv_file(10).replace(b"\n", b"\r\n"), OK, "Scored: 10", 10)
    yield Case("bom.csv", b"\xef\xbb\xbf" + csv_file(10), OK, "Scored: 10", 10)
    yield Case("blank_lines.csv", csv_file(10).replace(b"\n", b"\n\n"), OK, "Scored: 10", 10)
    yield Case("leading_blank_lines.csv", b"\n" * 50_000 + csv_file(10), OK, "Scored: 10", 10)
    formula = csv_file(5, {0: csv_row(0, '=HYPERLINK("http://evil")')})
    yield Case("formula.csv", formula, OK, "Scored: 5", 5)
    hostile = csv_file(
        5, {0: csv_row(0, "evil\x1b[2J\x1b]0;owned\x07"), 1: csv_row(1, "bidi\u202eevil")}
    )
    yield Case("escapes.csv", hostile, OK, "evil␛[2J", 5, ("--top", "5"))


def duplicate_cases() -> Iterator[Case]:
    for times in (2, 10, 50):
        data = jsonl([x_user(1)] * times + [x_user(2)])
        yield Case(f"repeat_{times}.jsonl", data, OK, f"Duplicates: {times - 1} (scored once)", 2)
    yield Case(
        "repeat_pages.jsonl",
        jsonl([{"data": [x_user(i) for i in range(10)]}] * 3),
        OK,
        "20 rows repeat 10 accounts already read",
        10,
    )
    yield Case(
        "repeat_handles.csv",
        csv_file(10, {3: csv_row(3, "USER0"), 4: csv_row(4, "user0")}),
        OK,
        "Duplicates: 2 (scored once)",
        8,
    )
    yield Case(
        "repeat_array.json",
        json.dumps([x_user(5)] * 7).encode(),
        OK,
        "6 rows repeat 1 account already read",
        1,
    )
    same_id = jsonl([x_user(1), x_user(2, id="1001", username="renamed")])
    yield Case("repeat_id_renamed.jsonl", same_id, OK, "Duplicates: 1 (scored once)", 1)
    distinct = jsonl([x_user(1), x_user(2, username="u1")])
    yield Case("same_handle_other_id.jsonl", distinct, OK, "Scored: 2", 2)


def json_cut_cases() -> Iterator[Case]:
    """A JSON array of 6 accounts cut at 40 places: inside strings, numbers, literals, escapes."""
    records = [x_user(i, flag=[True, False, None][i % 3], score=12.5e-3) for i in range(6)]
    for indent, tag in ((None, "flat"), (2, "pretty")):
        text = json.dumps(records, indent=indent)
        ends = []
        position = 0
        for record in records:
            body = json.dumps(record, indent=indent)
            if indent:
                body = body.replace("\n", "\n" + " " * indent)
            position = text.index(body, position) + len(body)
            ends.append(position)
        step = len(text) // 20
        for cut in range(step // 2, len(text) - 1, step):
            kept = sum(1 for end in ends if end <= cut)
            code = OK if kept else INPUT
            yield Case(f"cut_{tag}_{cut}.json", text[:cut].encode(), code, CUT, kept)
    # Cut exactly inside each kind of token, at its last occurrence.
    text = json.dumps(records)
    ends = []
    position = 0
    for record in records:
        position = text.index(json.dumps(record), position) + len(json.dumps(record))
        ends.append(position)
    tokens = {
        "true": "true",
        "false": "false",
        "null": "null",
        "number": "0.0125",
        "escape": "\\u00eb",
        "surrogate": "\\ud83d\\ude00",
    }
    for tag, token in tokens.items():
        cut = text.rindex(token) + len(token) // 2
        kept = sum(1 for end in ends if end <= cut)
        yield Case(f"cut_in_{tag}.json", text[:cut].encode(), OK, CUT, kept)


def jsonl_cases() -> Iterator[Case]:
    users = [x_user(i) for i in range(20)]
    lines = [json.dumps(u) for u in users]
    yield Case(
        "truncated_last.jsonl",
        ("\n".join(lines[:-1]) + "\n" + lines[-1][:50]).encode(),
        OK,
        "line 20: the file ends in the middle of this record",
        19,
    )
    broken = lines[:5] + [lines[5][:30]] + lines[6:]
    yield Case(
        "broken_middle.jsonl",
        ("\n".join(broken) + "\n").encode(),
        OK,
        "skipped line 6: not valid JSON",
        19,
    )
    yield Case(
        "not_object_line.jsonl",
        ("\n".join(lines[:3] + ["42"] + lines[3:]) + "\n").encode(),
        OK,
        "skipped line 4: not a JSON object",
        20,
    )
    yield Case(
        "bad_utf8_line.jsonl",
        b"\n".join(
            [ln.encode() for ln in lines[:3]]
            + [b'{"id": "\xff"}']
            + [ln.encode() for ln in lines[3:]]
        )
        + b"\n",
        OK,
        "skipped line 4: not UTF-8 text",
        20,
    )
    yield Case("crlf.jsonl", ("\r\n".join(lines) + "\r\n").encode(), OK, "Scored: 20", 20)
    yield Case("blank_lines.jsonl", ("\n\n".join(lines) + "\n").encode(), OK, "Scored: 20", 20)
    yield Case(
        "bom.jsonl", b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode(), OK, "Scored: 20", 20
    )
    wrong = [dict(users[0], public_metrics=[1, 2, 3])] + users[1:]
    yield Case("metrics_list.jsonl", jsonl(wrong), OK, "skipped line 1", 19)
    wrong = [dict(users[0], username=12345)] + users[1:]
    yield Case("username_number.jsonl", jsonl(wrong), OK, "skipped line 1", 19)
    metrics = dict(users[0]["public_metrics"], followers_count="lots")  # type: ignore[arg-type]
    yield Case(
        "count_text.jsonl",
        jsonl([dict(users[0], public_metrics=metrics)] + users[1:]),
        OK,
        "skipped line 1: followers_count is not a number: 'lots'",
        19,
    )
    metrics = dict(users[0]["public_metrics"], followers_count=10**40)  # type: ignore[arg-type]
    yield Case(
        "count_huge.jsonl",
        jsonl([dict(users[0], public_metrics=metrics)] + users[1:]),
        OK,
        "is not a plausible count (a whole number below a trillion)",
        19,
    )
    nan_line = lines[0].replace('"followers_count": 0', '"followers_count": NaN')
    yield Case(
        "count_nan.jsonl",
        ("\n".join([nan_line] + lines[1:]) + "\n").encode(),
        OK,
        "skipped line 1",
        19,
    )
    yield Case(
        "date_garbage.jsonl",
        jsonl([dict(users[0], created_at="soon")] + users[1:]),
        OK,
        "skipped line 1: created_at is not a date: 'soon'",
        19,
    )
    yield Case(
        "date_future.jsonl",
        jsonl([dict(users[0], created_at="2199-01-01T00:00:00Z")] + users[1:]),
        OK,
        "created_at is after the observation time",
        19,
    )
    no_counts = {"id": "5", "username": "nocounts", "created_at": "2015-01-01T00:00:00Z"}
    yield Case("no_counts.jsonl", jsonl([no_counts] + users[1:]), OK, "skipped line 1", 19)
    page = {
        "data": users[:3],
        "errors": [{"detail": "Could not find user with ids: [9].", "title": "Not Found Error"}],
    }
    yield Case(
        "page_with_errors.json",
        json.dumps(page).encode(),
        OK,
        "the API could not return 1 account on this page",
        3,
    )
    yield Case(
        "escapes.jsonl",
        jsonl([dict(users[0], username="a\x1b[31mred\x00")] + users[1:]),
        OK,
        "a␛[31mred␀",
        20,
        ("--top", "20"),
    )
    yield Case(
        "array_per_line.jsonl",
        ("\n".join(json.dumps(users[i : i + 5]) for i in range(0, 20, 5)) + "\n").encode(),
        OK,
        "Scored: 20",
        20,
    )
    yield Case("one_line_array.json", json.dumps(users).encode(), OK, "Scored: 20", 20)
    trailing = (json.dumps(users) + " garbage").encode()
    yield Case("trailing_garbage.json", trailing, INPUT, "this is not valid JSON", 0)


# -- issue 17 (hostile input, third round) ------------------------------------------------
#
# Counts of 400 digits and lone surrogates, in every format; run by
# tests/test_corpus.py like every other case.

HUGE = 10**400  # float(HUGE) raises OverflowError: more digits than a float can hold
LONE_SURROGATE = '"\\ud800x"'  # JSON text: a lone high surrogate (not valid Unicode)


def bluesky_profile(i: int, **extra: object) -> dict[str, object]:
    return {
        "did": f"did:plc:{i:024d}",
        "handle": f"h{i}.bsky.social",
        "displayName": "Name",
        "description": "bio",
        "followersCount": 3 + i,
        "followsCount": 4,
        "postsCount": 5,
        "createdAt": "2024-01-01T00:00:00.000Z",
        **extra,
    }


def mastodon_account(i: int, **extra: object) -> dict[str, object]:
    return {
        "id": str(100 + i),
        "username": f"m{i}",
        "acct": f"m{i}",
        "display_name": "Name",
        "note": "<p>bio</p>",
        "url": f"https://m.example/@m{i}",
        "avatar": "https://m.example/a.png",
        "followers_count": 3 + i,
        "following_count": 4,
        "statuses_count": 5,
        "created_at": "2024-01-01T00:00:00.000Z",
        **extra,
    }


def x_v1_user(i: int, **extra: object) -> dict[str, object]:
    return {
        "id": 500 + i,
        "id_str": str(500 + i),
        "screen_name": f"s{i}",
        "name": "Name",
        "description": "bio",
        "followers_count": 3 + i,
        "friends_count": 4,
        "statuses_count": 5,
        "favourites_count": 1,
        "listed_count": 0,
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "default_profile_image": False,
        **extra,
    }


def issue17_cases() -> Iterator[Case]:
    """Counts of 400 digits (cause 4) and lone surrogates in handles (cause 7), every format."""
    plausible = "is not a plausible count (a whole number below a trillion)"
    x_metrics = dict(x_user(0)["public_metrics"])  # type: ignore[arg-type]
    for field_name in ("followers_count", "following_count", "tweet_count", "like_count"):
        users = [dict(x_user(0), public_metrics={**x_metrics, field_name: HUGE})]
        users += [x_user(i) for i in range(1, 20)]
        yield Case(f"huge_{field_name}.jsonl", jsonl(users), OK, plausible, 19)
    users = [dict(x_user(0), public_metrics={**x_metrics, "followers_count": -HUGE})]
    yield Case(
        "huge_negative.jsonl", jsonl(users + [x_user(i) for i in range(1, 20)]), OK, "line 1", 19
    )
    page = {"data": [x_user(i) for i in range(20)], "meta": {"result_count": 20}}
    page["data"][3]["public_metrics"] = {**x_metrics, "followers_count": HUGE}  # type: ignore[index]
    yield Case("huge_in_page.json", json.dumps(page).encode(), OK, plausible, 19)
    profiles = [bluesky_profile(0, followersCount=HUGE)] + [
        bluesky_profile(i) for i in range(1, 20)
    ]
    yield Case("huge_bluesky.jsonl", jsonl(profiles), OK, plausible, 19)
    accounts = [mastodon_account(0, statuses_count=HUGE)]
    accounts += [mastodon_account(i) for i in range(1, 20)]
    yield Case("huge_mastodon.jsonl", jsonl(accounts), OK, plausible, 19)
    v1 = [x_v1_user(0, friends_count=HUGE)] + [x_v1_user(i) for i in range(1, 20)]
    yield Case("huge_x_v1.jsonl", jsonl(v1), OK, plausible, 19)
    # Lone surrogates: the handle is kept (as U+FFFD), the account scored, every export written.
    for name, record, key in (
        ("surrogate_x_v2.jsonl", x_user(0), "username"),
        ("surrogate_bluesky.jsonl", bluesky_profile(0), "handle"),
        ("surrogate_mastodon.jsonl", mastodon_account(0), "acct"),
        ("surrogate_x_v1.jsonl", x_v1_user(0), "screen_name"),
    ):
        others = {
            "surrogate_x_v2.jsonl": x_user,
            "surrogate_bluesky.jsonl": bluesky_profile,
            "surrogate_mastodon.jsonl": mastodon_account,
            "surrogate_x_v1.jsonl": x_v1_user,
        }[name]
        first_line = json.dumps({**record, key: "PLACEHOLDER"}).replace(
            '"PLACEHOLDER"', LONE_SURROGATE
        )
        data = (first_line + "\n").encode() + jsonl([others(i) for i in range(1, 20)])
        yield Case(name, data, OK, "Scored: 20", 20, ("--top", "20"))


def cases() -> list[Case]:
    """Return every case of the corpus, names unique."""
    every = [
        *binary_cases(),
        *empty_cases(),
        *csv_cases(),
        *duplicate_cases(),
        *json_cut_cases(),
        *jsonl_cases(),
        *issue17_cases(),
    ]
    names = [case.name for case in every]
    assert len(set(names)) == len(names), "case names must be unique"
    return every


def write(folder: Path) -> list[Case]:
    """Write every case's file into ``folder``, plus cases.json with the expectations."""
    folder.mkdir(parents=True, exist_ok=True)
    every = cases()
    for case in every:
        (folder / case.name).write_bytes(case.data)
    manifest = [{k: v for k, v in asdict(case).items() if k != "data"} for case in every]
    (folder / "cases.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return every


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/corpus/generate.py OUT_DIR")
    written = write(Path(sys.argv[1]))
    print(f"{len(written)} files written to {sys.argv[1]}")
