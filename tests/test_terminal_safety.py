"""Nothing from the data controls the terminal: control and bidi characters are shown, not obeyed."""

import csv
import io
import json

import pytest
from clirun import run
from rich.text import Text

from followaudit.cli.render import scan_report
from followaudit.cli.safe_text import visible
from followaudit.cli.terminal import make_console
from followaudit.errors import ExitCode
from followaudit.formats.cells import unescape_cell

# Clear the screen, set the window title (OSC), write the clipboard (OSC 52),
# a C1 CSI, NUL, a bidi override and an isolate, a line break that fakes a line.
HOSTILE = [
    "clear\x1b[2J\x1b[H",
    "title\x1b]0;pwned\x07",
    "clip\x1b]52;c;ZWNobyBoaQ==\x1b\\",
    "csi\x9b31m",
    "nul\x00byte",
    "bidi\u202eevil\u202c",
    "iso\u2066x\u2069",
    "fake\nError: your token leaked",
]
# Characters that must never reach the terminal raw.
RAW = ["\x1b", "\x9b", "\x00", "\x07", "\u202e", "\u202c", "\u2066", "\u2069"]


def hostile_file(tmp_path):
    """Return X API v2 records (JSON Lines) whose handles carry the hostile text."""
    lines = []
    for i, handle in enumerate(HOSTILE):
        lines.append(
            json.dumps(
                {
                    "id": str(100 + i),
                    "username": handle,
                    "created_at": f"2015-0{1 + i % 9}-01T00:00:00Z",
                    "public_metrics": {
                        "followers_count": 5 + i,
                        "following_count": 900 + i,
                        "tweet_count": 10 + i,
                    },
                }
            )
        )
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("text", HOSTILE)
def test_visible_replaces_every_control_and_bidi_character(text):
    shown = visible(text)
    assert not any(ch in shown for ch in RAW + ["\n"])
    # Printable text around them is kept as it was.
    assert shown.startswith(text[:3])


def test_visible_keeps_ordinary_text_emoji_and_joiners():
    for text in ("plain", "Zoë 🌱", "👨\u200d👩\u200d👧", "میخواهم\u200cبروم", "a b"):
        assert visible(text) == text


def test_visible_shows_what_was_there():
    assert visible("a\x1b[2Jb") == "a␛[2Jb"
    assert visible("a\x00b\tc") == "a␀b␉c"
    assert visible("x\u202ey") == "x<U+202E>y"
    assert visible("x\x9by") == "x<U+009B>y"


def test_score_report_shows_hostile_handles_without_obeying_them(capsys, tmp_path):
    path = hostile_file(tmp_path)
    code, out, err = run(capsys, "score", path, "--top", "20", "--csv", tmp_path / "out.csv")
    assert code == ExitCode.OK, err
    assert not any(ch in out + err for ch in RAW)
    assert "clear␛[2J" in out
    assert "bidi<U+202E>evil" in out
    assert "Error: your token leaked" not in out.replace("␊Error", "")
    # The export keeps the original values, byte for byte, but a NUL, which no CSV reader
    # takes (issue 17): U+FFFD stands for it, and the JSON export keeps it.
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as stream:
        handles = {unescape_cell(r["handle"]) for r in csv.DictReader(stream)}
    assert handles == {"@" + h.replace("\x00", "\ufffd") for h in HOSTILE}


def test_json_export_keeps_the_original_values(capsys, tmp_path):
    path = hostile_file(tmp_path)
    code, out, err = run(capsys, "score", path, "--json", "-")
    assert code == ExitCode.OK
    assert {a["handle"] for a in json.loads(out)["accounts"]} == {"@" + h for h in HOSTILE}
    assert not any(ch in err for ch in RAW)


def test_error_sentence_quoting_data_is_made_visible(capsys, tmp_path):
    path = tmp_path / "bad\x1b[2J.csv"  # a file name is data too
    path.write_text("no,idea\n1,2\n", encoding="utf-8")
    code, _, err = run(capsys, "score", path)
    assert code == ExitCode.INPUT
    assert "\x1b" not in err
    assert "bad␛[2J.csv" in err


def test_stored_scan_report_shows_hostile_text_visibly():
    stream = io.StringIO()
    document = {
        "handle": "alice\x1b]8;;http://evil\x1b\\",
        "platform": "bluesky",
        "followers": {"listed": 1, "total": 1},
        "summary": {
            "scored": 1,
            "skipped": 0,
            "questionable": 1,
            "threshold": 0.5,
            "share_questionable": {"estimate": 1.0, "low": 0.2, "high": 1.0},
            "population": 1,
            "authentic_followers": {"estimate": 0, "low": 0, "high": 1},
            "histogram": [0] * 9 + [1],
        },
        "accounts": [
            {
                "line": 1,
                "handle": "bob\x1b[2J",
                "id": "1",
                "probability": 0.9,
                "label": "questionable",
                "reasons": ["name \u202eevil"],
            }
        ],
        "behaviour": None,
        "scope_note": "note\x07\x1b[31m",
        "skipped": [{"line": 2, "reason": "bad \x1b[1m value"}],
    }
    scan_report(make_console(stream), document, top=5)
    shown = stream.getvalue()
    assert not any(ch in shown for ch in RAW)
    assert "bob␛[2J" in shown


def test_the_console_net_catches_text_that_skipped_visible():
    stream = io.StringIO()
    console = make_console(stream)
    console.print(Text("raw\x1b[2J\u202e"), "and a str \x1b]0;t\x07")
    assert not any(ch in stream.getvalue() for ch in RAW)


def test_progress_messages_are_neither_markup_nor_escapes():
    from followaudit.cli.progress import ScanProgress
    from followaudit.live.scan import ScanEvent

    stream = io.StringIO()
    console = make_console(stream)
    console.force_terminal = True  # styles on: a parsed [link] would become an OSC 8 escape
    progress = ScanProgress(console, enabled=False)
    progress.update(ScanEvent("wait", total=5, message="[link=http://evil]x[/link] \x1b[2J"))
    shown = stream.getvalue()
    assert "\x1b]8" not in shown
    assert "[link=http://evil]x[/link] ␛[2J" in shown
