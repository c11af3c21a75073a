"""The feature matrix the model scores: one fixed, documented list of columns.

``compute_features`` turns a canonical account table (see
``followaudit.accounts``) into float64 features. The same function serves
training, scoring and evaluation, so they cannot drift apart.

Rules every feature follows:

- Unknown stays unknown: a NaN input gives a NaN feature, never 0. The model
  routes NaN down a learned branch, so a platform that lacks a count is
  scored on what it does provide.
- Ratios divide by ``count + 1``, so an account with zero followers gets a
  large but finite ratio instead of a division by zero.
- Rates per day divide by ``max(age_days, 1)``, so an account created on the
  day it is observed is not given an infinite rate.
- Non-finite inputs (an "inf" count) are treated as unknown.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

NS_PER_DAY = 86_400 * 10**9

# One observation time for every account, or one per row (a Series or array of times).
AsOf = datetime | pd.Timestamp | str | pd.Series | np.ndarray

FEATURE_COLUMNS: tuple[str, ...] = (
    "posts",
    "followers",
    "following",
    "likes",
    "listed",
    "age_days",
    "posts_per_day",
    "followers_per_day",
    "following_per_day",
    "following_to_followers",
    "following_to_followers_squared",
    "likes_per_post",
    "listed_per_follower",
    "bio_length",
    "name_length",
    "handle_digits",
    "has_url",
    "has_location",
    "default_avatar",
)

# Features only X provides: Bluesky and Mastodon expose no like or list counts,
# so these are NaN for their accounts and the model must not lean on them alone.
X_ONLY_FEATURES: frozenset[str] = frozenset(
    {"likes", "listed", "likes_per_post", "listed_per_follower"}
)

FEATURE_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "posts": (
        "posts published (on X, reposts included)",
        "bought followers are shells that rarely post anything",
    ),
    "followers": (
        "accounts that follow it",
        "nobody chooses to follow a fake account, so fakes have few followers",
    ),
    "following": (
        "accounts it follows",
        "a fake account is paid to follow many accounts, often hundreds",
    ),
    "likes": (
        "posts it has liked (X only)",
        "fakes follow but do not read, so they like almost nothing",
    ),
    "listed": (
        "lists other people put it on (X only)",
        "people list accounts they find worth reading; nobody lists a fake",
    ),
    "age_days": (
        "days between account creation and the observation time",
        "fakes are created in batches shortly before they are sold",
    ),
    "posts_per_day": (
        "posts divided by age in days (age at least 1)",
        "a person posts steadily over the account's life; a shell barely at all",
    ),
    "followers_per_day": (
        "followers divided by age in days (age at least 1)",
        "people gain followers over time; fakes gain almost none",
    ),
    "following_per_day": (
        "accounts followed divided by age in days (age at least 1)",
        "a fake follows hundreds of accounts within days of being created",
    ),
    "following_to_followers": (
        "following / (followers + 1)",
        "fakes follow many and are followed by few",
    ),
    "following_to_followers_squared": (
        "following / (followers + 1)^2, Cresci et al.'s strongest profile feature",
        "stresses the imbalance for accounts with very few followers",
    ),
    "likes_per_post": (
        "likes / (posts + 1) (X only)",
        "engagement with others relative to own activity; shells have neither",
    ),
    "listed_per_follower": (
        "listed / (followers + 1) (X only)",
        "how often the people who see an account find it worth listing",
    ),
    "bio_length": (
        "characters in the bio (0 if empty)",
        "bulk-created accounts often have no bio or a short template one",
    ),
    "name_length": (
        "characters in the display name",
        "generated names follow different length patterns from chosen ones",
    ),
    "handle_digits": (
        "decimal digits in the handle",
        "generated handles often end in runs of digits",
    ),
    "has_url": (
        "1 if the profile links a website",
        "people and organisations link their sites; fakes rarely do",
    ),
    "has_location": (
        "1 if the profile states a location",
        (
            "people often say where they are; the model may only count a location in an "
            "account's favour (a monotonic constraint), because 2013 vendors filled it in "
            "to look real (96-98% of their accounts had one, against 67% of people)"
        ),
    ),
    "default_avatar": (
        "1 if the profile picture is the platform's default",
        "an account nobody bothered to give a picture is typical of fakes",
    ),
}


def _as_utc_ns(as_of: AsOf) -> int | np.ndarray:
    """Return ``as_of`` as nanoseconds since the epoch, reading a naive time as UTC.

    A scalar gives an int; a per-row sequence gives float nanoseconds (NaN where unknown).
    """
    if isinstance(as_of, (datetime, pd.Timestamp, str)):
        stamp = pd.Timestamp(as_of)
        if stamp.tzinfo is None:
            stamp = stamp.tz_localize(UTC)
        return int(stamp.tz_convert(UTC).value)
    return _created_ns(pd.Series(as_of))


def _created_ns(created: pd.Series) -> np.ndarray:
    """Return creation times as float nanoseconds since the epoch, NaN where unknown."""
    if not isinstance(created.dtype, pd.DatetimeTZDtype) and not pd.api.types.is_datetime64_dtype(
        created.dtype
    ):
        created = pd.to_datetime(created, utc=True)
    if isinstance(created.dtype, pd.DatetimeTZDtype):
        created = created.dt.tz_convert("UTC").dt.tz_localize(None)
    values = created.to_numpy(dtype="datetime64[ns]")
    out: np.ndarray = values.view(np.int64).astype(np.float64)
    out[np.isnat(values)] = np.nan
    return out


def _column(table: pd.DataFrame, name: str) -> np.ndarray:
    """Return a numeric column as float64 with non-finite values as NaN (absent = all NaN)."""
    if name not in table.columns:
        return np.full(len(table), np.nan)
    values: np.ndarray = np.array(
        table[name].to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
    )
    values[~np.isfinite(values)] = np.nan
    return values


def compute_features(table: pd.DataFrame, as_of: AsOf) -> pd.DataFrame:
    """Return the float64 feature matrix (columns ``FEATURE_COLUMNS``, index of ``table``).

    ``as_of`` is when the accounts were observed, one time for all or one per
    row (training data seen on different days); account age is measured
    against it (a naive datetime is read as UTC). A column missing from
    ``table`` is treated as unknown (NaN) for every row.
    """
    posts = _column(table, "posts")
    followers = _column(table, "followers")
    following = _column(table, "following")
    likes = _column(table, "likes")
    listed = _column(table, "listed")
    if "created_at" in table.columns:
        created = _created_ns(table["created_at"])
    else:
        created = np.full(len(table), np.nan)
    observed = _as_utc_ns(as_of)
    if isinstance(observed, np.ndarray) and len(observed) != len(table):
        raise ValueError("as_of needs one observation time per row")
    age_days = (observed - created) / NS_PER_DAY
    days = np.maximum(age_days, 1.0)  # NaN stays NaN: np.maximum propagates it
    followers_plus_one = followers + 1.0
    features = {
        "posts": posts,
        "followers": followers,
        "following": following,
        "likes": likes,
        "listed": listed,
        "age_days": age_days,
        "posts_per_day": posts / days,
        "followers_per_day": followers / days,
        "following_per_day": following / days,
        "following_to_followers": following / followers_plus_one,
        "following_to_followers_squared": following / (followers_plus_one * followers_plus_one),
        "likes_per_post": likes / (posts + 1.0),
        "listed_per_follower": listed / followers_plus_one,
        "bio_length": _column(table, "bio_length"),
        "name_length": _column(table, "name_length"),
        "handle_digits": _column(table, "handle_digits"),
        "has_url": _column(table, "has_url"),
        "has_location": _column(table, "has_location"),
        "default_avatar": _column(table, "default_avatar"),
    }
    return pd.DataFrame(features, columns=list(FEATURE_COLUMNS), index=table.index)


def mask_features(features: pd.DataFrame, names: frozenset[str] | set[str]) -> pd.DataFrame:
    """Return a copy of ``features`` with the named columns set to NaN (unknown)."""
    out = features.copy()
    for name in names:
        out[name] = np.nan
    return out
