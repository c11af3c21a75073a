"""The README's feature table is the code's feature list, word for word."""

from pathlib import Path

from followaudit.model.features import FEATURE_COLUMNS, FEATURE_DESCRIPTIONS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_feature_is_in_the_readme_table_with_its_description():
    for name in FEATURE_COLUMNS:
        meaning, why = FEATURE_DESCRIPTIONS[name]
        assert f"| `{name}` | {meaning} | {why} |" in README, name
