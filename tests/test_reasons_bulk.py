"""Reasons chosen in bulk and put into words per chunk say exactly what they said before.

The oracle is the per-account implementation as it was (sentences built from
Python lists, one f-string per account and number), kept here verbatim and
compared on thousands of synthetic accounts: zeros, ones, unknown values,
huge counts, both labels, every topic at every rank.
"""

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from followaudit.formats import read_accounts
from followaudit.model import reasons
from followaudit.model.features import FEATURE_COLUMNS, compute_features
from followaudit.model.forest import load_model
from followaudit.model.reasons import MAX_REASONS, MIN_EFFECT, topics
from followaudit.model.scoring import score_table


# --- the oracle: followaudit/reasons.py before bulk reasons ------------------------------
def _n(value: float) -> str:
    return f"{value:,.0f}"


def _count(value: float, one: str, many: str) -> str:
    """Return "1 follower" / "2,337 followers" (counts are whole numbers)."""
    return f"{value:,.0f} {one if value == 1 else many}"


def _age(days: float) -> str:
    # Since issue 20: years from one year on (it was two), as followaudit/model/reasons.py.
    if days >= 365.25:
        return f"{days / 365.25:.1f} years"
    return f"{days:,.0f} days"


# Each sentence function takes the quoted columns of the accounts that get
# this reason and their labels, and returns one sentence each. The columns
# are plain Python lists: formatting a Python float is several times faster
# than formatting a NumPy scalar, which matters at a million accounts.
Columns = dict[str, list[float]]


def _audience(v: Columns, q: list[bool]) -> list[str]:
    return [
        f"follows {_count(fg, 'account', 'accounts')} but has {_count(fr, 'follower', 'followers')}"
        if qq and fg > fr
        else f"has {_count(fr, 'follower', 'followers')} and follows "
        f"{_count(fg, 'account', 'accounts')}"
        for fr, fg, qq in zip(v["followers"], v["following"], q, strict=True)
    ]


def _activity(v: Columns, q: list[bool]) -> list[str]:
    return [
        f"has posted {_count(p, 'time', 'times')}"
        if math.isnan(a)
        else f"has posted {_count(p, 'time', 'times')} in {_age(a)}"
        for p, a in zip(v["posts"], v["age_days"], strict=True)
    ]


def _likes(v: Columns, q: list[bool]) -> list[str]:
    return [f"has liked {_count(x, 'post', 'posts')}" for x in v["likes"]]


def _listed(v: Columns, q: list[bool]) -> list[str]:
    return [
        "is on no one's lists" if x == 0 else f"is on {_count(x, 'list', 'lists')}"
        for x in v["listed"]
    ]


def _age_reason(v: Columns, q: list[bool]) -> list[str]:
    return [f"account is {_age(a)} old" for a in v["age_days"]]


def _bio(v: Columns, q: list[bool]) -> list[str]:
    return ["has no bio" if x == 0 else f"has a {_n(x)}-character bio" for x in v["bio_length"]]


def _url(v: Columns, q: list[bool]) -> list[str]:
    return ["links a website" if x == 1 else "links no website" for x in v["has_url"]]


def _location(v: Columns, q: list[bool]) -> list[str]:
    return ["states a location" if x == 1 else "states no location" for x in v["has_location"]]


def _avatar(v: Columns, q: list[bool]) -> list[str]:
    return [
        "still has the default profile picture" if x == 1 else "has its own profile picture"
        for x in v["default_avatar"]
    ]


def _name(v: Columns, q: list[bool]) -> list[str]:
    return [
        "has no display name" if x == 0 else f"display name is {_n(x)} characters long"
        for x in v["name_length"]
    ]


def _handle(v: Columns, q: list[bool]) -> list[str]:
    return [
        "handle has no digits" if x == 0 else f"handle contains {_count(x, 'digit', 'digits')}"
        for x in v["handle_digits"]
    ]


OLD_SENTENCES: dict[str, Callable[[Columns, list[bool]], list[str]]] = {
    "audience": _audience,
    "activity": _activity,
    "likes": _likes,
    "listed": _listed,
    "age": _age_reason,
    "bio": _bio,
    "url": _url,
    "location": _location,
    "avatar": _avatar,
    "name": _name,
    "handle": _handle,
}
# The columns each topic's sentence quotes (only these are handed to it).
OLD_QUOTES: dict[str, tuple[str, ...]] = {
    "audience": ("followers", "following"),
    "activity": ("posts", "age_days"),
    "likes": ("likes",),
    "listed": ("listed",),
    "age": ("age_days",),
    "bio": ("bio_length",),
    "url": ("has_url",),
    "location": ("has_location",),
    "avatar": ("default_avatar",),
    "name": ("name_length",),
    "handle": ("handle_digits",),
}


# The documented directions (docs/model.md, "How reasons are chosen"): the questionable side of each topic's value.
QUESTIONABLE_SIDE: dict[str, tuple[tuple[str, ...], Callable[..., bool]]] = {
    "audience": (("following", "followers"), lambda fg, fr: fg >= 2 * (fr + 1)),
    "activity": (("posts",), lambda p: p < 50),
    "likes": (("likes",), lambda x: x < 10),
    "listed": (("listed",), lambda x: x < 1),
    "age": (("age_days",), lambda a: a < 365),
    "bio": (("bio_length",), lambda x: x == 0),
    "url": (("has_url",), lambda x: x == 0),
    "location": (("has_location",), lambda x: x == 0),
    "avatar": (("default_avatar",), lambda x: x == 1),
}


def on_side(features: dict[str, np.ndarray], topic: str, row: int, questionable: bool) -> bool:
    """Return whether one account's value of a topic supports its label (never if unknown)."""
    if topic not in QUESTIONABLE_SIDE:
        return False
    columns, test = QUESTIONABLE_SIDE[topic]
    if not set(columns) <= set(features):
        return False
    quoted = [float(features[name][row]) for name in columns]
    if any(math.isnan(v) for v in quoted):
        return False
    return test(*quoted) == questionable


def old_explain(
    values: pd.DataFrame,
    features: pd.DataFrame,
    contributions: np.ndarray,
    questionable: np.ndarray,
    max_reasons: int = MAX_REASONS,
    min_effect: float = MIN_EFFECT,
) -> list[str]:
    """Return, per account, its top reasons joined by "; " (strongest first).

    ``values`` holds what the sentences quote (canonical columns plus
    ``age_days``); ``features`` is the feature matrix the contributions were
    computed on; ``questionable`` is the boolean label of each account.
    """
    names, matrix = topics(list(features.columns))
    # Unknown values are never a reason, whatever the trees credited them with.
    known = np.nan_to_num(contributions) * features.notna().to_numpy()
    by_topic = known @ matrix
    direction = np.where(questionable, 1.0, -1.0)[:, None]
    push = by_topic * direction
    # Since issue 18: a topic is a reason only for the label its value's side supports.
    arrays = {name: features[name].to_numpy(dtype=float) for name in features.columns}
    for t, topic in enumerate(names):
        allowed = [on_side(arrays, topic, i, bool(questionable[i])) for i in range(len(features))]
        push[:, t] = np.where(allowed, push[:, t], -np.inf)
    order = np.argsort(-push, axis=1, kind="stable")[:, :max_reasons]
    strength = np.take_along_axis(push, order, axis=1)

    n = len(values)
    columns: dict[str, np.ndarray] = {}
    table = np.full((n, order.shape[1]), "", dtype=object)
    for rank in range(order.shape[1]):
        strong = strength[:, rank] >= min_effect
        for t, topic in enumerate(names):
            idx = np.flatnonzero(strong & (order[:, rank] == t))
            if idx.size == 0:
                continue
            sentence = OLD_SENTENCES.get(topic)
            if sentence is None:
                table[idx, rank] = f"unusual {topic}"
                continue
            for name in OLD_QUOTES[topic]:
                if name not in columns:
                    columns[name] = values[name].to_numpy(dtype=float)
            subset = {name: columns[name][idx].tolist() for name in OLD_QUOTES[topic]}
            table[idx, rank] = sentence(subset, questionable[idx].tolist())
    return ["; ".join(filter(None, row)) for row in table.tolist()]


# -----------------------------------------------------------------------------------------
QUOTED = (
    "followers",
    "following",
    "posts",
    "age_days",
    "likes",
    "listed",
    "bio_length",
    "has_url",
    "has_location",
    "default_avatar",
    "name_length",
    "handle_digits",
)


def synthetic(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Return (values, features, contributions, questionable) for n made-up accounts."""
    rng = np.random.default_rng(seed)
    values = {}
    for name in QUOTED:
        if name in ("has_url", "has_location", "default_avatar"):
            column = rng.integers(0, 2, n).astype(float)
        elif name == "age_days":
            column = rng.choice([0.4, 1.0, 40.0, 729.6, 730.0, 4751.73, 12000.0], n)
            column = np.where(rng.random(n) < 0.5, rng.random(n) * 6000, column)
        else:
            column = rng.choice([0.0, 1.0, 2.0, 999.0, 1000.0, 123456.0, 9.9e11], n)
            column = np.where(rng.random(n) < 0.5, np.floor(rng.lognormal(4, 3, n)), column)
        column[rng.random(n) < 0.08] = np.nan
        values[name] = column
    values_frame = pd.DataFrame(values)
    features = pd.DataFrame(
        rng.normal(size=(n, len(FEATURE_COLUMNS))), columns=list(FEATURE_COLUMNS)
    )
    features = features.mask(rng.random(features.shape) < 0.1)
    # The raw counts and flags are features too, with the values the sentences quote.
    for name in QUOTED:
        features[name] = values_frame[name]
    contributions = rng.normal(scale=0.4, size=(n, len(FEATURE_COLUMNS)))
    contributions[rng.random(contributions.shape) < 0.05] = np.nan
    questionable = rng.random(n) < 0.4
    return values_frame, features, contributions, questionable


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bulk_reasons_equal_the_per_account_ones(seed):
    values, features, contributions, questionable = synthetic(4000, seed)
    expected = old_explain(values, features, contributions, questionable)
    assert reasons.explain(values, features, contributions, questionable) == expected
    assert sum(bool(r) for r in expected) > 3000  # most accounts do get reasons
    assert sum(r.count("; ") == 2 for r in expected) > 800  # and many get three


def test_every_topic_with_a_direction_is_said_at_every_rank():
    _, features, contributions, questionable = synthetic(4000, 3)
    names, codes = reasons.rank_topics(features, contributions, questionable)
    said = {-1} | {t for t, name in enumerate(names) if name in reasons.DIRECTIONS}
    for rank in range(MAX_REASONS):
        assert set(codes[:, rank].tolist()) == said


def test_a_chunk_says_what_the_whole_says():
    values, features, contributions, questionable = synthetic(3000, 4)
    names, codes = reasons.rank_topics(features, contributions, questionable)
    whole = reasons.joined(reasons.sentences(values, names, codes, questionable))
    part = slice(1234, 1301)
    chunk = reasons.joined(
        reasons.sentences(values.iloc[part], names, codes[part], questionable[part])
    )
    assert chunk == whole[part]


def test_other_feature_lists_and_limits_still_work():
    values, features, contributions, questionable = synthetic(2000, 5)
    subset = ["followers", "posts", "likes", "has_url", "age_days"]
    picked = [FEATURE_COLUMNS.index(name) for name in subset]
    for max_reasons, min_effect in ((1, 0.1), (5, 0.0), (3, 0.5)):
        args = (
            values,
            features[subset],
            contributions[:, picked],
            questionable,
            max_reasons,
            min_effect,
        )
        assert reasons.explain(*args) == old_explain(*args)


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "followers.jsonl"
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def test_scored_rows_carry_the_reasons_the_old_code_gave():
    read = read_accounts(EXAMPLE, as_of=AS_OF)
    model = load_model(None)
    worded = score_table(read.table, model, AS_OF)
    coded = score_table(read.table, model, AS_OF, reasons=False)
    assert "reasons" not in coded.columns
    assert not set(reasons.CODE_COLUMNS) & set(worded.columns)
    features = compute_features(read.table, AS_OF)
    probability, contributions = model.predict_with_contributions(features)
    questionable = probability >= model.threshold
    expected = old_explain(worded, features, contributions, questionable)
    assert worded["reasons"].tolist() == expected
    assert reasons.reasons_joined(coded) == expected
