"""Top reasons in words, from the model's per-feature contributions.

Method (documented in the README): the model gives, for every account, each
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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

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


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _count(value: float, one: str, many: str) -> str:
    """Return "1 follower" / "2,337 followers" (counts are whole numbers)."""
    return f"{value:,.0f} {one if value == 1 else many}"


def _age(days: float) -> str:
    if days >= 730:
        return f"{days / 365.25:.1f} years"
    return f"{days:,.0f} days"


# Each sentence function takes the quoted columns of the accounts that get
# this reason and their labels, and returns one sentence each. The columns
# are plain Python lists: formatting a Python float is several times faster
# than formatting a NumPy scalar, which matters at a million accounts.
Columns = dict[str, list[float]]


def _audience(v: Columns, q: list[bool]) -> list[str]:
    return [
        f"follows {_count(fg, 'account', 'accounts')} but has "
        f"{_count(fr, 'follower', 'followers')}"
        if qq and fg > fr
        else f"has {_count(fr, 'follower', 'followers')} and follows "
        f"{_count(fg, 'account', 'accounts')}"
        for fr, fg, qq in zip(v["followers"], v["following"], q)
    ]


def _activity(v: Columns, q: list[bool]) -> list[str]:
    return [
        f"has posted {_count(p, 'time', 'times')}"
        if math.isnan(a)
        else f"has posted {_count(p, 'time', 'times')} in {_age(a)}"
        for p, a in zip(v["posts"], v["age_days"])
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


SENTENCES: dict[str, Callable[[Columns, list[bool]], list[str]]] = {
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
    names, matrix = topics(list(features.columns))
    # Unknown values are never a reason, whatever the trees credited them with.
    known = np.nan_to_num(contributions) * features.notna().to_numpy()
    by_topic = known @ matrix
    direction = np.where(questionable, 1.0, -1.0)[:, None]
    push = by_topic * direction
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
            sentence = SENTENCES.get(topic)
            if sentence is None:
                table[idx, rank] = f"unusual {topic}"
                continue
            for name in QUOTES[topic]:
                if name not in columns:
                    columns[name] = values[name].to_numpy(dtype=float)
            subset = {name: columns[name][idx].tolist() for name in QUOTES[topic]}
            table[idx, rank] = sentence(subset, questionable[idx].tolist())
    return ["; ".join(filter(None, row)) for row in table.tolist()]
