"""followaudit reads its own JSON exports back: `score --json` and a scan's `--json`."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run, run_flat
from fakes.bluesky_server import BlueskyServer

from followaudit.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-01-01"


def panel_lines(out: str) -> list[str]:
    """Return the lines of the summary panel, frame and title left out."""
    lines = out.splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("╰"))
    return [line.strip("│ ") for line in lines[1:end]]


def test_a_score_json_export_scores_again_to_the_same_summary(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short name: the title shows it whole
    exported = "scored.json"
    code, first, err = run(
        capsys, "score", ROOT / "examples" / "followers.jsonl", "--as-of", AS_OF, "--json", exported
    )
    assert code == ExitCode.OK, err
    code, again, err = run(capsys, "score", exported, "--as-of", AS_OF)
    assert (code, err) == (ExitCode.OK, "")
    assert f"{exported} (csv)" in again.splitlines()[0]
    assert panel_lines(again) == panel_lines(first)


def scan_json(capsys, tmp_path: Path) -> Path:
    """Return a scan's --json of a batch (one account audited, one not found), in the cwd."""
    target = Path("batch.json")
    with BlueskyServer(n=120) as server:
        code, _, err = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "nobody.bsky.social",
            "--api-url",
            server.url,
            "--no-cache",
            "--json",
            target,
            "--quiet",
        )
    assert code == ExitCode.NOT_FOUND, err
    return target


def test_a_scan_json_is_scored_as_the_followers_it_holds(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    batch = scan_json(capsys, tmp_path)
    assert json.loads(batch.read_text())["errors"]  # what was once taken for an API error page
    code, out, err = run_flat(capsys, "score", batch, "--top", "0")
    assert (code, err) == (ExitCode.OK, "")
    assert f"{batch} (csv)" in out
    assert "Scored: 120 Skipped: 0" in out
    assert "API error page" not in out


def test_the_followers_of_several_audits_are_scored_together_with_a_warning(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    batch = scan_json(capsys, tmp_path)
    document = json.loads(batch.read_text())
    other = json.loads(json.dumps(document["audits"][0]))
    other["handle"] = "other.bsky.social"
    for account in other["accounts"]:
        account["id"] = account["id"] + "x"
        account["handle"] = "x" + account["handle"]
    document["audits"].append(other)
    batch.write_text(json.dumps(document, indent=2))
    code, out, _ = run_flat(capsys, "score", batch, "--top", "0")
    assert code == ExitCode.OK
    assert "Scored: 240 Skipped: 0" in out
    assert (
        "warning: line 1: this followaudit scan holds 2 audited accounts (subject.bsky.social, "
        "other.bsky.social): their followers are scored together, as one set; `followaudit "
        "report HANDLE` shows each account's own report"
    ) in out
    # One line of JSON (jq -c) and sorted keys (jq -S) are read the same way.
    for text in (json.dumps(document), json.dumps(document, sort_keys=True, indent=1)):
        batch.write_text(text)
        code, again, _ = run_flat(capsys, "score", batch, "--top", "0")
        assert code == ExitCode.OK
        assert "Scored: 240 Skipped: 0" in again
        assert "this followaudit scan holds 2 audited accounts" in again
