"""The attack corpus: every bad file gives its exit code, its sentence, no traceback, and keeps every valid row."""

import json

import pytest
from clirun import run
from corpus.generate import Case, cases

from followaudit.errors import ExitCode

CASES = cases()


def test_the_corpus_holds_at_least_100_bad_files():
    assert len(CASES) >= 100


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Return the folder the corpus files are generated into, once per run."""
    from corpus.generate import write

    folder = tmp_path_factory.mktemp("corpus")
    write(folder)
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Case, corpus, tmp_path, capsys):
    exported = tmp_path / "scored.json"
    code, out, err = run(
        capsys,
        "score",
        corpus / case.name,
        "--json",
        exported,
        "--as-of",
        "2026-01-01",
        "--top",
        "0",
        *case.args,
    )
    shown = " ".join((out + err).split())
    assert code == ExitCode(case.code), shown
    assert "Traceback" not in shown
    assert "unexpected" not in shown  # never the INTERNAL catch-all
    assert "\x1b" not in out + err  # nothing from the file drives the terminal
    assert case.shown in shown
    if case.code == ExitCode.OK:
        document = json.loads(exported.read_text(encoding="utf-8"))
        assert document["summary"]["scored"] == case.scored
        assert len(document["accounts"]) == case.scored
    else:
        assert case.scored == 0
        assert not exported.exists()  # a failed read writes nothing
