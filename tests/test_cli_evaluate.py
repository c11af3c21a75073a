"""`followaudit evaluate` leads with the share under shift: its table, its misses, its targets."""

from pathlib import Path

import pandas as pd
import pytest
from clirun import run

from followaudit.errors import ExitCode

TABLE = Path(__file__).resolve().parents[1] / "data" / "training_profiles.csv"


@pytest.fixture(scope="module")
def small_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A stratified eighth of the training table: every group, quick to fit.
    table = pd.read_csv(TABLE)
    small = table.groupby("group", group_keys=False).sample(frac=0.125, random_state=0)
    path = tmp_path_factory.mktemp("evaluate") / "small.csv"
    small.to_csv(path, index=False)
    return path


def test_the_share_under_shift_comes_first_and_misses_are_named(capsys, small_table):
    code, out, err = run(capsys, "evaluate", "--data", small_table, "--quick")
    assert code == ExitCode.OK, err
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip())
    assert "Share questionable under shift, X (counting cut 0.85): 3 pairs" in lines[first]
    order = [
        out.index("Share questionable under shift, X"),
        out.index("Share questionable under shift, Bluesky/Mastodon mode (counting cut 0.9)"),
        out.index("Leave one source out, X"),
        out.index("Held-out quality"),
        out.index("Targets"),
    ]
    assert order == sorted(order)
    assert "200 mixtures a cell" in out
    # Every cell of the quick grid is counted in the sentence that lists the misses.
    assert "X: " in out and " of 54 cells miss a target" in out
    assert "share under shift (all known): |bias| <= 1 point" in out
    assert "held-out quiet GEN people flagged <= 5%" in out


def test_the_json_holds_every_cell_and_the_misses(capsys, small_table, monkeypatch):
    import json

    from followaudit.model import shift

    # One pair, one size: the JSON's shape, not the figures, is under test here.
    tiny = shift.ShiftGrid(pairs=(("GENq", "TWT"),), sizes=(300,), mixtures=20)
    monkeypatch.setattr(shift, "QUICK_GRID", tiny)
    code, out, _ = run(capsys, "evaluate", "--data", small_table, "--quick", "--json")
    assert code == ExitCode.OK
    document = json.loads(out)
    assert len(document["shift_check"]) == 2 * 6
    assert document["shift_grid"] == {
        "pairs": [["GENq", "TWT"]],
        "prevalences": [0.0, 0.02, 0.05, 0.1, 0.3, 0.6],
        "sizes": [300],
        "mixtures": 20,
    }
    for cell in document["shift_check"]:
        assert set(cell) >= {"bias", "rmse", "coverage", "reaches_zero", "mode", "people"}
    for mode, lines in document["shift_misses"].items():
        assert mode in ("all known", "without X-only")
        assert all(" p=" in line and " n=" in line for line in lines)
    assert "corrected_share_check" not in document
