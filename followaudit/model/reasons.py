"""Top reasons in words, from the model's per-feature contributions.

Method (documented in docs/model.md, "How reasons are chosen"): the model gives, for every account, each
feature's contribution to its score in log-odds, credited along the account's
decision paths through the trees (the Saabas / "treeinterpreter"
decomposition: contributions plus the model's base value add up exactly to
the account's log-odds). Features that describe one fact about an account are
grouped into a topic ("follows 2,337 accounts but has 56 followers" covers
followers, following and both ratios) and their contributions summed. The
reasons shown are the topics that pushed hardest towards the account's label
(towards questionable for a questionable account, towards authentic for an
authentic one), strongest first, at most three, and only those whose push is
at least ``MIN_EFFECT`` log-odds. A feature whose value is unknown on the
platform is never given as a reason.

Every topic has a documented direction (``DIRECTIONS``, the table of docs/model.md):
the side of its value that is evidence of questionable, the other side being
evidence of authentic. A topic is a reason only for the label its value's side
supports, whatever the trees credited it with: "has posted 3,000 times" is
never a reason for questionable, "follows 800 accounts and has 300
followers" never one for authentic. Topics with no direction (display-name
length, digits in the handle) are never reasons. The rule is applied before
ranking, so a topic it rules out leaves its place to the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
import pandas as pd

from followaudit.model.features import FEATURE_COLUMNS

MIN_EFFECT = 0.1  # log-odds; smaller pushes are noise, not reasons
MAX_REASONS = 3

# Feature name -> topic. Unknown feature names become their own topic.
TOPIC_OF_FEATURE: dict[str, str] = {
    "followers": "audience",
    "following": "audience",
    "following_to_followers": "audience",
    "following_to_followers_squared": "audience",
    "followers_per_day": "audience",
    "following_per_day": "audience",
    "posts": "activity",
    "posts_per_day": "activity",
    "likes": "likes",
    "likes_per_post": "likes",
    "likes_per_day": "likes",
    "listed": "listed",
    "listed_per_follower": "listed",
    "age_days": "age",
    "bio_length": "bio",
    "has_url": "url",
    "has_location": "location",
    "default_avatar": "avatar",
    "name_length": "name",
    "handle_digits": "handle",
}


DAYS_PER_YEAR = 365.25


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _count(value: float, one: str, many: str) -> str:
    """Return "1 follower" / "2,337 followers" (counts are whole numbers)."""
    return f"{value:,.0f} {one if value == 1 else many}"


def _age(days: float) -> str:
    # Days only under a year: "725 days" beside another account's "2.0 years"
    # left the reader to do the sum.
    if days >= DAYS_PER_YEAR:
        return f"{days / DAYS_PER_YEAR:.1f} years"
    return f"{days:,.0f} days"


def _each(values: np.ndarray, format: Callable[[float], str]) -> list[str]:
    """Return ``format`` of every value, formatting each distinct value once.

    Counts repeat a lot across a follower base (0 and 1 most of all), and
    NumPy finds the distinct values and puts their text back in C.
    """
    if len(values) < 64:
        return [format(v) for v in values.tolist()]
    distinct, where = np.unique(values, return_inverse=True)
    texts = np.array([format(v) for v in distinct.tolist()], dtype=object)
    return texts[where.reshape(-1)].tolist()  # type: ignore[no-any-return]


def _counts(values: np.ndarray, one: str, many: str) -> list[str]:
    return _each(values, lambda v: _count(v, one, many))


# Each sentence function takes the quoted columns (float64 arrays) of the
# accounts that get this reason and their labels, and returns one sentence
# each. Numbers are formatted once per distinct value (``_each``) and the
# sentences put together from those texts.
Columns = dict[str, np.ndarray]


def _audience(v: Columns, q: np.ndarray) -> list[str]:
    has = _counts(v["followers"], "follower", "followers")
    follows = _counts(v["following"], "account", "accounts")
    lopsided = (q & (v["following"] > v["followers"])).tolist()
    return [
        f"follows {fg} but has {fr}" if odd else f"has {fr} and follows {fg}"
        for fr, fg, odd in zip(has, follows, lopsided, strict=True)
    ]


def _activity(v: Columns, q: np.ndarray) -> list[str]:
    posted = _counts(v["posts"], "time", "times")
    ages = v["age_days"]
    known = (~np.isnan(ages)).tolist()
    spans = _each(ages, _age)
    return [
        f"has posted {p} in {a}" if k else f"has posted {p}"
        for p, a, k in zip(posted, spans, known, strict=True)
    ]


def _likes(v: Columns, q: np.ndarray) -> list[str]:
    return ["has liked " + x for x in _counts(v["likes"], "post", "posts")]


def _listed(v: Columns, q: np.ndarray) -> list[str]:
    return _each(
        v["listed"],
        lambda x: "is on no one's lists" if x == 0 else f"is on {_count(x, 'list', 'lists')}",
    )


def _age_reason(v: Columns, q: np.ndarray) -> list[str]:
    return _each(v["age_days"], lambda a: f"account is {_age(a)} old")


def _bio(v: Columns, q: np.ndarray) -> list[str]:
    return _each(
        v["bio_length"], lambda x: "has no bio" if x == 0 else f"has a {_n(x)}-character bio"
    )


def _url(v: Columns, q: np.ndarray) -> list[str]:
    return _each(v["has_url"], lambda x: "links a website" if x == 1 else "links no website")


def _location(v: Columns, q: np.ndarray) -> list[str]:
    return _each(
        v["has_location"], lambda x: "states a location" if x == 1 else "states no location"
    )


def _avatar(v: Columns, q: np.ndarray) -> list[str]:
    return _each(
        v["default_avatar"],
        lambda x: (
            "still has the default profile picture" if x == 1 else "has its own profile picture"
        ),
    )


def _name(v: Columns, q: np.ndarray) -> list[str]:
    return _each(
        v["name_length"],
        lambda x: "has no display name" if x == 0 else f"display name is {_n(x)} characters long",
    )


def _handle(v: Columns, q: np.ndarray) -> list[str]:
    return _each(
        v["handle_digits"],
        lambda x: (
            "handle has no digits" if x == 0 else f"handle contains {_count(x, 'digit', 'digits')}"
        ),
    )


# Topic -> (its questionable side in words, its authentic side in words, a test that is
# True on the questionable side). The test reads the feature matrix; an unknown value is on
# neither side, so it is never a reason. The table of docs/model.md is these words.
Direction = tuple[str, str, Callable[[pd.DataFrame], "pd.Series[bool]"]]
DIRECTIONS: dict[str, Direction] = {
    "audience": (
        "follows at least 2 x (followers + 1) accounts",
        "follows fewer",
        lambda f: f["following"] >= 2 * (f["followers"] + 1),
    ),
    "activity": ("fewer than 50 posts", "50 posts or more", lambda f: f["posts"] < 50),
    "likes": ("fewer than 10 liked posts", "10 or more", lambda f: f["likes"] < 10),
    "listed": ("on no list", "on one list or more", lambda f: f["listed"] < 1),
    "age": ("younger than a year", "a year old or older", lambda f: f["age_days"] < 365),
    "bio": ("no bio", "a bio", lambda f: f["bio_length"] == 0),
    "url": ("no website", "a website", lambda f: f["has_url"] == 0),
    "location": ("no location", "a location", lambda f: f["has_location"] == 0),
    "avatar": (
        "the default profile picture",
        "its own picture",
        lambda f: f["default_avatar"] == 1,
    ),
}
# The columns each direction's test reads.
DIRECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "audience": ("following", "followers"),
    "activity": ("posts",),
    "likes": ("likes",),
    "listed": ("listed",),
    "age": ("age_days",),
    "bio": ("bio_length",),
    "url": ("has_url",),
    "location": ("has_location",),
    "avatar": ("default_avatar",),
}


def sides(features: pd.DataFrame, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return (questionable side, authentic side): booleans per account and topic.

    A topic without a direction, or whose value is unknown, is on neither side.
    """
    shape = (len(features), len(names))
    questionable_side, authentic_side = np.zeros(shape, bool), np.zeros(shape, bool)
    for t, topic in enumerate(names):
        columns = DIRECTION_COLUMNS.get(topic)
        if columns is None or not set(columns) <= set(features.columns):
            continue
        known = features.loc[:, list(columns)].notna().all(axis=1).to_numpy()
        side = np.asarray(DIRECTIONS[topic][2](features), dtype=bool)
        questionable_side[:, t] = known & side
        authentic_side[:, t] = known & ~side
    return questionable_side, authentic_side


SENTENCES: dict[str, Callable[[Columns, np.ndarray], list[str]]] = {
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
QUOTES: dict[str, tuple[str, ...]] = {
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


def topics(feature_names: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Return (topic names, feature-to-topic 0/1 matrix of shape (features, topics))."""
    names: list[str] = []
    for feature in feature_names:
        topic = TOPIC_OF_FEATURE.get(feature, feature)
        if topic not in names:
            names.append(topic)
    matrix = np.zeros((len(feature_names), len(names)))
    for i, feature in enumerate(feature_names):
        matrix[i, names.index(TOPIC_OF_FEATURE.get(feature, feature))] = 1.0
    return names, matrix


def rank_topics(
    features: pd.DataFrame,
    contributions: np.ndarray,
    questionable: np.ndarray,
    max_reasons: int = MAX_REASONS,
    min_effect: float = MIN_EFFECT,
) -> tuple[list[str], np.ndarray]:
    """Return (topic names, codes): each account's reasons as topic numbers, strongest first.

    ``codes`` is an int8 array of shape (accounts, max_reasons) indexing the
    topic names, -1 where an account has fewer reasons. Computed for the
    whole matrix at once; no text is made here (see ``sentences``).
    """
    names, matrix = topics(list(features.columns))
    # Unknown values are never a reason, whatever the trees credited them with.
    known = np.nan_to_num(contributions) * features.notna().to_numpy()
    questionable = np.asarray(questionable, dtype=bool)
    push = (known @ matrix) * np.where(questionable, 1.0, -1.0)[:, None]
    # A topic is a reason only for the label its value's side supports (DIRECTIONS).
    questionable_side, authentic_side = sides(features, names)
    allowed = np.where(questionable[:, None], questionable_side, authentic_side)
    push = np.where(allowed, push, -np.inf)
    order = np.argsort(-push, axis=1, kind="stable")[:, :max_reasons]
    strength = np.take_along_axis(push, order, axis=1)
    codes = np.where(strength >= min_effect, order, -1).astype(np.int8)
    return names, codes


def sentences(
    values: pd.DataFrame, names: Sequence[str], codes: np.ndarray, questionable: np.ndarray
) -> list[list[str]]:
    """Return, per rank, each account's reason in words ("" where it has none).

    ``values`` holds what the sentences quote (canonical columns plus
    ``age_days``), one row per row of ``codes``. Called only for the accounts
    shown or exported, a chunk at a time; each topic's sentences are made for
    all its accounts of a rank at once.
    """
    n = len(codes)
    columns: dict[str, np.ndarray] = {}
    ranks = []
    for rank in range(codes.shape[1]):
        texts = np.full(n, "", dtype=object)
        for t, topic in enumerate(names):
            idx = np.flatnonzero(codes[:, rank] == t)
            if idx.size == 0:
                continue
            sentence = SENTENCES.get(topic)
            if sentence is None:
                texts[idx] = f"unusual {topic}"
                continue
            for name in QUOTES[topic]:
                if name not in columns:
                    columns[name] = values[name].to_numpy(dtype=float)
            subset = {name: columns[name][idx] for name in QUOTES[topic]}
            texts[idx] = sentence(subset, questionable[idx])
        ranks.append(texts.tolist())
    return ranks


def joined(ranks: list[list[str]]) -> list[str]:
    """Return each account's reasons joined by "; " (the CSV and report form)."""
    if not ranks:
        return []
    out = ranks[0]
    for texts in ranks[1:]:
        out = [f"{a}; {b}" if a and b else a or b for a, b in zip(out, texts, strict=True)]
    return out


def explain(
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
    names, codes = rank_topics(features, contributions, questionable, max_reasons, min_effect)
    return joined(sentences(values, names, codes, np.asarray(questionable, dtype=bool)))


# The topics of the model's features, in the order ``rank_topics`` numbers them
# for the feature matrix of ``features.FEATURE_COLUMNS``.
TOPICS: tuple[str, ...] = tuple(topics(FEATURE_COLUMNS)[0])
# Where ``scoring.score_table`` keeps each account's reasons as topic numbers.
CODE_COLUMNS: tuple[str, ...] = tuple(f"reason_{rank + 1}" for rank in range(MAX_REASONS))


def texts_of(rows: pd.DataFrame) -> list[list[str]]:
    """Return, per rank, the reasons in words of scored rows that carry ``CODE_COLUMNS``."""
    codes = rows.loc[:, list(CODE_COLUMNS)].to_numpy(dtype=np.int8)
    questionable = (rows["label"] == "questionable").to_numpy()
    return sentences(rows, TOPICS, codes, questionable)


def reasons_joined(rows: pd.DataFrame) -> list[str]:
    """Return each account's reasons joined by "; ": the "reasons" column if made, else from codes."""
    if "reasons" in rows.columns:
        return cast(list[str], rows["reasons"].tolist())
    return joined(texts_of(rows))
