"""CHANGELOG.md records what users' CI depends on: every exit code, every schema's current version."""

import re
from pathlib import Path

from followaudit.analysis.behaviour import FLAG_CODES
from followaudit.errors import ExitCode
from followaudit.live.cache import SCHEMA_VERSION
from followaudit.model.forest import FORMAT_NAME, FORMAT_VERSION
from followaudit.outputs.documents import HISTORY_JSON_SCHEMA, SCAN_JSON_SCHEMA, SCORE_JSON_SCHEMA
from followaudit.outputs.tables import CSV_COLUMNS

CHANGELOG = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text(encoding="utf-8")


def test_every_exit_code_is_recorded():
    for code in ExitCode:
        assert re.search(rf"\|\s*{code.value}\s*\|\s*`{code.name}`\s*\|", CHANGELOG), code


def test_every_schema_and_format_version_is_recorded():
    assert f'"schema": "{SCORE_JSON_SCHEMA}"' in CHANGELOG
    assert f'"schema": "{SCAN_JSON_SCHEMA}"' in CHANGELOG
    assert f'"schema": "{HISTORY_JSON_SCHEMA}"' in CHANGELOG
    assert f'"format": "{FORMAT_NAME}"`, `"version": {FORMAT_VERSION}`' in CHANGELOG
    assert f"`schema_version` {SCHEMA_VERSION}" in CHANGELOG
    assert ", ".join(f"`{code}`" for code in FLAG_CODES) in CHANGELOG
    assert ", ".join(f"`{column}`" for column in CSV_COLUMNS) in CHANGELOG
