"""`report` on a tampered stored scan names the damaged part, exit 3, never a KeyError.

Issue 9, item 6. A scan is stored by a real run against the fake X server;
then every part the reports read is deleted or given the wrong kind of value,
one at a time. Each tampering is either caught by the check (a sentence
naming the part) or harmless (both reports still render): none may crash.
"""

from __future__ import annotations

import copy
import io
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from clirun import run_flat
from fakes.x_server import GURU_SITE, TOKEN, XServer, guru_posts
from rich.console import Console

from followaudit.cli.commands import _run
from followaudit.cli.render import scan_report
from followaudit.errors import ExitCode
from followaudit.outputs.html_report import render_html, report_data
from followaudit.outputs.stored import damaged_part


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Return (cache path, stored scan document) of a scan with findings, gates and a batch."""
    path = tmp_path_factory.mktemp("tampered") / "cache.sqlite3"
    with (
        XServer(
            n=300,
            subject_posts=guru_posts("self-promoter"),
            subject_url=GURU_SITE,
            bot_block=range(100, 200),
        ) as server,
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setenv("X_BEARER_TOKEN", TOKEN)
        code = _run(
            [
                "scan",
                "--yes",
                "@subject",
                "--api-url",
                server.url,
                "--cache",
                str(path),
                "--quiet",
                "--fail-above",
                "90",
                "--min-authentic",
                "1",
            ]
        )
    assert code == ExitCode.OK
    with sqlite3.connect(path) as db:
        text, rows = db.execute("SELECT result_json, rows_json FROM scans").fetchone()
    # The scored followers are stored beside the rest of the audit (cache schema 2).
    document = json.loads(text)
    document["audits"][0]["accounts"] = json.loads(rows)
    return path, document


def store(path, document: Any) -> None:
    """Store ``document`` whole, its followers inside it, as a schema-1 cache held it."""
    text = document if isinstance(document, str) else json.dumps(document)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE scans SET result_json = ?, rows_json = NULL", (text,))


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Yield the path of every part of a JSON value (the first two items of each list)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value[:2]):
            yield (*prefix, i)
            yield from paths(inner, (*prefix, i))


def tampered(audit: dict[str, Any], where: tuple[Any, ...], how: str) -> dict[str, Any]:
    copied = copy.deepcopy(audit)
    parent = copied
    for step in where[:-1]:
        parent = parent[step]
    old = parent[where[-1]]
    if how == "delete":
        del parent[where[-1]]
    else:  # the wrong kind of value
        parent[where[-1]] = "x" if not isinstance(old, str) else {"x": 1}
    return copied


def renders(audit: dict[str, Any]) -> None:
    scan_report(Console(width=100, file=io.StringIO()), audit, top=5, stored=True)
    render_html(report_data(audit, top=5))


def test_every_tampering_is_caught_or_harmless(stored):
    _, document = stored
    audit = document["audits"][0]
    audit["accounts"] = audit["accounts"][:3]
    renders(audit)  # the untouched scan renders: the checks below can fail
    assert damaged_part(audit) is None
    checked = caught = 0
    failures: list[str] = []
    for where in paths(audit):
        for how in ("delete", "wrong"):
            if how == "delete" and isinstance(where[-1], int):
                continue
            changed = tampered(audit, where, how)
            checked += 1
            if damaged_part(changed) is not None:
                caught += 1
                continue
            try:
                renders(changed)
            except Exception as exc:  # noqa: BLE001 - the failure this test exists to find
                failures.append(
                    f"{how} {'.'.join(map(str, where))}: not caught, and the report "
                    f"fails with {type(exc).__name__}: {exc}"
                )
    assert failures == [], "\n".join(failures)
    assert checked > 200 and caught > 50


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (lambda a: a["summary"].pop("scored"), "summary.scored is missing"),
        (lambda a: a.pop("followers"), "followers is missing"),
        (
            lambda a: a["summary"]["share_questionable"].update(estimate="12%"),
            "summary.share_questionable.estimate is not a number",
        ),
        (lambda a: a["accounts"][1].update(reasons="fake"), "accounts[1].reasons is not a list"),
        (lambda a: a["gates"][0].update(owner="me"), "gates[0] has an unknown field 'owner'"),
        (
            lambda a: a["follow_order"]["buckets"][0].pop("share"),
            "follow_order.buckets[0].share is missing",
        ),
        (
            lambda a: a["behaviour"]["findings"][0].update(flagged="yes"),
            "behaviour.findings[0].flagged is not true or false",
        ),
    ],
)
def test_the_sentence_names_the_damaged_part(capsys, stored, change, sentence):
    path, document = stored
    changed = copy.deepcopy(document)
    change(changed["audits"][0])
    store(path, changed)
    try:
        code, out, err = run_flat(capsys, "report", "@subject", "--cache", path)
    finally:
        store(path, document)
    assert code == ExitCode.INPUT
    assert err == (
        f"Error: the stored scan of @subject in {path} is damaged: {sentence}; run "
        "`followaudit scan @subject` again"
    )
    assert out == "" and "Traceback" not in err


@pytest.mark.parametrize("text", ["", "{", "[]", '{"audits": []}', '{"audits": [7]}', "null"])
def test_a_scan_that_is_not_json_or_has_no_audit_is_unreadable(capsys, stored, text):
    path, document = stored
    store(path, text)
    try:
        code, out, err = run_flat(capsys, "report", "@subject", "--cache", path)
    finally:
        store(path, document)
    assert code == ExitCode.INPUT
    assert err == (
        f"Error: the stored scan of @subject in {path} is unreadable (not JSON, or "
        "no audit in it): run `followaudit scan @subject` again"
    )
    assert out == ""
