"""`followaudit train` and `evaluate` refuse tables they cannot learn from, and never half-write."""

from pathlib import Path

import pandas as pd
import pytest
from clirun import run

from followaudit.errors import ExitCode

TABLE = Path(__file__).resolve().parents[1] / "data" / "training_profiles.csv"


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_table_with_one_class_is_refused(capsys, tmp_path, command):
    people = pd.read_csv(TABLE).query("label == 0").head(40)
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    code, _, err = run(capsys, command, "--data", path)
    assert code == ExitCode.INPUT
    assert "at least 10 authentic (0) and 10 questionable (1)" in err


def test_labels_other_than_0_and_1_are_refused(capsys, tmp_path):
    table = pd.read_csv(TABLE)
    table["label"] = table["label"].astype(object)
    table.loc[0, "label"] = "zz"
    path = tmp_path / "bad.csv"
    table.to_csv(path, index=False)
    code, _, err = run(capsys, "train", "--data", path, "--output", tmp_path / "m.json")
    assert code == ExitCode.INPUT and "only 0 and 1" in err


def test_an_unwritable_output_is_an_output_error(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--output", tmp_path / "no" / "m.json")
    assert code == ExitCode.OUTPUT
    assert "cannot write" in err and "Traceback" not in err


def test_train_writes_a_model_that_scores(capsys, tmp_path):
    model = tmp_path / "m.json"
    code, out, _ = run(capsys, "train", "--output", model)
    assert code == ExitCode.OK and "Trained on 8,775 accounts" in out
    shipped = Path(__file__).resolve().parents[1] / "followaudit" / "model" / "model.json"
    assert model.read_bytes() == shipped.read_bytes()
