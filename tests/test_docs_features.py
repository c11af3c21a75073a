"""The feature table of docs/model.md is the code's feature list, word for word."""

from docpages import page, section

from followaudit.model.features import FEATURE_COLUMNS, FEATURE_DESCRIPTIONS


def test_every_feature_is_in_the_docs_table_with_its_description():
    table = section(page("model"), "## Features")
    for name in FEATURE_COLUMNS:
        meaning, why = FEATURE_DESCRIPTIONS[name]
        assert f"| `{name}` | {meaning} | {why} |" in table, name
