"""Score a canonical account table with the model: probability, label, reasons."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from followaudit.accounts import inactive
from followaudit.handles import written_handles
from followaudit.model.features import compute_features
from followaudit.model.forest import Model
from followaudit.model.reasons import CODE_COLUMNS, TOPICS, joined, rank_topics, sentences

AUTHENTIC = "authentic"
QUESTIONABLE = "questionable"

# Rows are scored in chunks so that the feature matrix and the per-feature
# contributions of a million-account file never sit in memory all at once.
CHUNK_ROWS = 200_000


def score_table(
    table: pd.DataFrame, model: Model, as_of: datetime, *, reasons: bool = True
) -> pd.DataFrame:
    """Return one row per account: canonical columns, age_days, probability, label, reasons.

    Then ``inactive``: 1 for an account with no post in the 12 months before
    ``as_of`` (or none ever), 0 for an active one, NaN where that is unknown
    (``accounts.inactive``); it is reported, not scored.

    Every account's reasons are chosen here, for all accounts at once. With
    ``reasons`` False they are not put into words but kept as topic numbers
    in ``reasons.CODE_COLUMNS`` instead of the "reasons" column: the exports
    and the report word them for the accounts they show
    (``reasons.reasons_joined``), a chunk at a time.
    """
    parts = [
        _score_chunk(table.iloc[start : start + CHUNK_ROWS], model, as_of, reasons)
        for start in range(0, len(table), CHUNK_ROWS)
    ]
    if not parts:
        return _score_chunk(table, model, as_of, reasons)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _score_chunk(table: pd.DataFrame, model: Model, as_of: datetime, reasons: bool) -> pd.DataFrame:
    features = compute_features(table, as_of)
    if len(table):
        probability, contributions = model.predict_with_contributions(features)
    else:
        probability, contributions = np.zeros(0), np.zeros((0, len(features.columns)))
    questionable = probability >= model.threshold
    out = table.reset_index(drop=True).copy()
    # The table holds bare handles; each platform writes its own ("@name" on X).
    out["handle"] = written_handles(out["platform"].tolist(), out["handle"].tolist())
    out["age_days"] = features["age_days"].to_numpy() if "age_days" in features else np.nan
    out["probability"] = probability
    out["label"] = np.where(questionable, QUESTIONABLE, AUTHENTIC)
    out["inactive"] = inactive(out, as_of)
    names, codes = rank_topics(features, contributions, questionable)
    assert tuple(names) == TOPICS, "the model's features are FEATURE_COLUMNS"
    if reasons:
        out["reasons"] = pd.Series(
            joined(sentences(out, TOPICS, codes, questionable)), index=out.index, dtype=object
        )
    else:
        for rank, column in enumerate(CODE_COLUMNS):
            out[column] = codes[:, rank]
    return out
