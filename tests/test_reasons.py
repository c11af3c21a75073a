"""Reasons quote the account's own numbers and follow the strongest contributions."""

import numpy as np
import pandas as pd
import pytest

from followaudit.model.features import FEATURE_COLUMNS
from followaudit.model.reasons import SENTENCES, TOPIC_OF_FEATURE, explain


def one_account(**values):
    base = {
        "followers": 56.0,
        "following": 2337.0,
        "posts": 3.0,
        "age_days": 40.0,
        "likes": 0.0,
        "listed": 0.0,
        "bio_length": 0.0,
        "has_url": 0.0,
        "has_location": 1.0,
        "default_avatar": 1.0,
        "name_length": 9.0,
        "handle_digits": 4.0,
    }
    base.update(values)
    return pd.DataFrame({k: [v] for k, v in base.items()})


def features_frame(values=None, likes=0.0):
    """Return the five features the contributions below credit, with the account's values."""
    values = one_account() if values is None else values
    names = ("followers", "following", "posts", "likes", "default_avatar")
    data = {name: [float(values[name].iloc[0])] for name in names}
    data["likes"] = [likes]
    return pd.DataFrame(data)


def test_every_feature_has_a_topic_with_a_sentence():
    for feature in FEATURE_COLUMNS:
        assert TOPIC_OF_FEATURE[feature] in SENTENCES, feature


def test_strongest_topics_first_with_real_numbers():
    values = one_account()
    features = features_frame()
    # followers, following, posts, likes, default_avatar
    contributions = np.array([[1.5, 1.0, 0.2, 0.8, 0.05]])
    reasons = explain(values, features, contributions, np.array([True]))
    assert reasons == [
        "follows 2,337 accounts but has 56 followers; has liked 0 posts; has posted 3 times in 40 days"
    ]


def test_authentic_accounts_get_reasons_pointing_the_other_way():
    values = one_account(followers=5470.0, following=2385.0)
    contributions = np.array([[-2.0, -0.5, 0.9, 0.0, 0.0]])
    reasons = explain(values, features_frame(values), contributions, np.array([False]))
    assert reasons == ["has 5,470 followers and follows 2,385 accounts"]


def test_unknown_values_are_never_reasons_and_weak_pushes_are_dropped():
    contributions = np.array([[0.0, 0.0, 0.05, 3.0, 0.0]])
    reasons = explain(one_account(), features_frame(likes=np.nan), contributions, np.array([True]))
    assert reasons == [""]


def test_singular_counts_read_as_english():
    values = one_account(followers=1.0, following=100.0, posts=1.0)
    contributions = np.array([[1.0, 0.9, 0.8, 0.7, 0.0]])
    features = features_frame(values, likes=1.0)
    values["likes"] = 1.0
    reasons = explain(values, features, contributions, np.array([True]))
    assert reasons == [
        "follows 100 accounts but has 1 follower; has posted 1 time in 40 days; has liked 1 post"
    ]
    values = one_account(followers=1000.0, following=1.0)
    reasons = explain(values, features_frame(values), -contributions, np.array([False]))
    assert reasons == ["has 1,000 followers and follows 1 account"]


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (40, "40 days"),
        (364, "364 days"),
        (400, "1.1 years"),
        (725, "2.0 years"),
        (730, "2.0 years"),
    ],
)
def test_an_age_of_a_year_or_more_is_said_in_years(days, said):
    # "has posted 0 times in 725 days" beside "in 2.0 years" made the reader do the sum.
    values = one_account(posts=0.0, age_days=float(days))
    contributions = np.array([[0.0, 0.0, 2.0, 0.0, 0.0]])
    reasons = explain(values, features_frame(), contributions, np.array([True]))
    assert reasons == [f"has posted 0 times in {said}"]


def test_every_sentence_names_the_columns_it_quotes():
    from followaudit.model.reasons import QUOTES

    assert set(SENTENCES) == set(QUOTES)
