"""A reason never argues against its own documented direction (docs/model.md, "How reasons are chosen").

The directions are written out here a second time, from the docs' table,
so the code's table is checked against the words a reader sees, and every
reason the shipped model gives on the whole training table (and the spambot
probe, never trained on) is checked against them, in both scoring modes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from docpages import page, section

from followaudit.model.evaluation import load_probe_table
from followaudit.model.features import X_ONLY_FEATURES, mask_features
from followaudit.model.forest import load_model
from followaudit.model.reasons import DIRECTIONS, TOPICS, explain, rank_topics
from followaudit.model.training import load_training_table, training_features

REASONS = section(page("model"), "### How reasons are chosen")

# True where the value is evidence of questionable (the docs' table, in code).
QUESTIONABLE_SIDE = {
    "audience": lambda f: f["following"] >= 2 * (f["followers"] + 1),
    "activity": lambda f: f["posts"] < 50,
    "likes": lambda f: f["likes"] < 10,
    "listed": lambda f: f["listed"] == 0,
    "age": lambda f: f["age_days"] < 365,
    "bio": lambda f: f["bio_length"] == 0,
    "url": lambda f: f["has_url"] == 0,
    "location": lambda f: f["has_location"] == 0,
    "avatar": lambda f: f["default_avatar"] == 1,
}
NEVER = ("name", "handle")


def test_the_docs_table_is_the_codes_table() -> None:
    assert set(DIRECTIONS) | set(NEVER) == set(TOPICS)
    assert set(QUESTIONABLE_SIDE) == set(DIRECTIONS)
    for topic, (questionable, authentic, _) in DIRECTIONS.items():
        assert f"| {topic} | {questionable} | {authentic} |" in REASONS, topic
    for topic in NEVER:
        assert f"| {topic} | never a reason | never a reason |" in REASONS, topic


def contradictions(table: pd.DataFrame, unknown: frozenset[str]) -> tuple[int, int, int]:
    """Return (reasons shown, reasons contradicting the docs, questionable accounts without one)."""
    model = load_model()
    features = mask_features(training_features(table), unknown)
    probability, contributions = model.predict_with_contributions(features)
    questionable = probability >= model.threshold
    names, codes = rank_topics(features, contributions, questionable)
    shown = wrong = 0
    for t, topic in enumerate(names):
        given = (codes == t).any(axis=1)
        shown += int(given.sum())
        if topic in NEVER:
            wrong += int(given.sum())
            continue
        side = QUESTIONABLE_SIDE[topic](features).to_numpy(dtype=bool)
        wrong += int((given & (side != questionable)).sum())
    bare = int((questionable & (codes[:, 0] < 0)).sum())
    return shown, wrong, bare


@pytest.mark.parametrize("unknown", [frozenset(), X_ONLY_FEATURES], ids=["X", "no likes/lists"])
def test_no_reason_contradicts_its_direction_on_the_whole_training_table(unknown) -> None:
    shown, wrong, bare = contradictions(load_training_table(), unknown)
    assert shown > 10_000  # nearly every account gets reasons: the rule is not vacuous
    assert wrong == 0
    assert bare == 0  # and every questionable account still has one


def test_no_reason_contradicts_its_direction_on_the_spambot_probe() -> None:
    probe = load_probe_table()
    assert probe is not None
    shown, wrong, _ = contradictions(probe, frozenset())
    assert shown > 5_000 and wrong == 0


def values(**changes: float) -> pd.DataFrame:
    base = {
        "followers": 300.0,
        "following": 800.0,
        "posts": 3_000.0,
        "age_days": 4_000.0,
        "likes": 0.0,
        "listed": 0.0,
        "bio_length": 0.0,
        "has_url": 0.0,
        "has_location": 1.0,
        "default_avatar": 0.0,
        "name_length": 9.0,
        "handle_digits": 4.0,
    }
    base.update(changes)
    return pd.DataFrame({k: [v] for k, v in base.items()})


def test_a_push_against_the_direction_gives_way_to_the_next_reason() -> None:
    # The trees credit "3,000 posts" and "4,000 days old" with the strongest pushes towards
    # questionable; a reader would not believe either, so the next topics are said instead.
    frame = values()
    features = frame.copy()
    contributions = np.zeros((1, len(features.columns)))
    push = {"posts": 3.0, "age_days": 2.0, "name_length": 1.5, "likes": 1.0, "bio_length": 0.5}
    for name, value in push.items():
        contributions[0, list(features.columns).index(name)] = value
    reasons = explain(frame, features, contributions, np.array([True]))
    assert reasons == ["has liked 0 posts; has no bio"]
    # Authentic, the same pushes the other way: "3,000 posts" and the age now agree.
    reasons = explain(frame, features, -contributions, np.array([False]))
    assert reasons == ["has posted 3,000 times in 11.0 years; account is 11.0 years old"]
