"""Training the shipped model on the de-identified cresci-2015 table.

Run ``python -m followaudit.training`` from a source checkout to rewrite
``followaudit/resources/model.json``; the result is byte-for-byte
reproducible (a test checks the shipped file is what this produces).

How the model is trained, and why:

- scikit-learn's HistGradientBoostingClassifier, exported to the plain
  tree format of ``followaudit.model``; scikit-learn is used only here.
- Monotonic constraints encode what must hold for any vendor, seen or not:
  more followers, posts, likes, lists, a website or a location never make
  an account more questionable; following more accounts per follower, or a
  default avatar, never make it less. They are what lets the model catch a
  vendor it never saw: held-out recall on the TWT vendor was 0.63-0.76
  without them and is about 0.88 with them (see ``followaudit.evaluation``).
  Age and bio length are left free: vendors also sell aged accounts and
  fill bios from templates, and constraining them cost accuracy without
  helping unseen vendors.
- Every training row appears twice: as observed, and with the X-only
  features (likes, listed and their ratios) unknown. One model therefore
  serves X and platforms without those counts (Bluesky, Mastodon), each
  scored on a path trained for what it provides.
- Other inputs can be unknown too: an X export that did not ask for
  ``description``, ``location``, ``url`` or ``profile_image_url``, a CSV
  without name or handle columns, a missing ``created_at``. So every row
  appears in ``EXTRA_COPIES`` more copies in which each of those inputs
  (``MASKABLE_GROUPS``), and the X-only counts, is unknown with probability
  ``MASK_PROBABILITY``, drawn from a generator seeded by the training seed.
  Without them the trees never saw such a value missing and sent it down
  whichever branch had more accounts, which is a guess, not a learned path.
- The threshold is 0.5, fixed before evaluation rather than tuned on it:
  the two classes are of similar size in the training data (1,950 people,
  2,508 bought followers), so 0.5 is where the model finds both equally
  likely.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from followaudit.accounts import NUMERIC_COLUMNS
from followaudit.errors import InputError
from followaudit.features import FEATURE_COLUMNS, X_ONLY_FEATURES, compute_features, mask_features
from followaudit.model import SHIPPED_MODEL, Model, Tree, save_model

OBSERVED_AT = pd.Timestamp("2013-05-15T00:00:00Z")
DEFAULT_TABLE = Path(__file__).resolve().parents[1] / "data" / "cresci2015_profiles.csv"
GROUPS: dict[str, int] = {"TFP": 0, "E13": 0, "FSF": 1, "INT": 1, "TWT": 1}
VENDORS: tuple[str, ...] = ("FSF", "INT", "TWT")
THRESHOLD = 0.5
# Ten-fold cross-validation needs at least one account of each class per fold.
MIN_PER_CLASS = 10

# +1: a larger value never lowers P(questionable); -1: never raises it; absent: free.
MONOTONIC: dict[str, int] = {
    "posts": -1,
    "followers": -1,
    "likes": -1,
    "listed": -1,
    "posts_per_day": -1,
    "followers_per_day": -1,
    "following_to_followers": 1,
    "following_to_followers_squared": 1,
    "likes_per_post": -1,
    "listed_per_follower": -1,
    "has_url": -1,
    "has_location": -1,
    "default_avatar": 1,
}

# Inputs that real data may lack, as groups of the features each one feeds:
# a missing created_at leaves the age and every per-day rate unknown.
MASKABLE_GROUPS: dict[str, frozenset[str]] = {
    "created_at": frozenset(
        {"age_days", "posts_per_day", "followers_per_day", "following_per_day"}
    ),
    "bio": frozenset({"bio_length"}),
    "name": frozenset({"name_length"}),
    "handle": frozenset({"handle_digits"}),
    "url": frozenset({"has_url"}),
    "location": frozenset({"has_location"}),
    "avatar": frozenset({"default_avatar"}),
}
EXTRA_COPIES = 2
MASK_PROBABILITY = 0.5

# Small trees keep the evaluator fast (about 100 x 8 leaves) at no measured loss.
PARAMS: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 20,
    "l2_regularization": 3.0,
}


def load_training_table(path: Path | None = None) -> pd.DataFrame:
    """Return the labelled training table (canonical numeric columns, label, group).

    ``path`` defaults to data/cresci2015_profiles.csv of the source checkout,
    which is not part of an installed wheel.
    """
    where = Path(path) if path is not None else DEFAULT_TABLE
    if not where.is_file():
        raise InputError(
            "the training table was not found: training needs a source checkout of followaudit",
            path=where,
        )
    try:
        table = pd.read_csv(where)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise InputError(f"the training table cannot be read ({error})", path=where) from None
    needed = ("created_at", *NUMERIC_COLUMNS, "label", "group")
    missing = [name for name in needed if name not in table.columns]
    if missing:
        raise InputError(f"the training table lacks columns: {', '.join(missing)}", path=where)
    unknown = sorted(set(table["group"].astype(str)) - set(GROUPS))
    if unknown:
        raise InputError(f"the training table has unknown groups: {', '.join(unknown)}", path=where)
    labels = pd.to_numeric(table["label"], errors="coerce")
    if not labels.isin([0, 1]).all():
        raise InputError("the training table's label column must hold only 0 and 1", path=where)
    per_class = labels.value_counts()
    if per_class.get(0, 0) < MIN_PER_CLASS or per_class.get(1, 0) < MIN_PER_CLASS:
        raise InputError(
            f"the training table needs at least {MIN_PER_CLASS} authentic (0) and "
            f"{MIN_PER_CLASS} questionable (1) accounts; it has {per_class.get(0, 0)} "
            f"and {per_class.get(1, 0)}",
            path=where,
        )
    try:
        table["created_at"] = pd.to_datetime(table["created_at"], utc=True)
        for name in NUMERIC_COLUMNS:
            table[name] = table[name].astype(np.float64)
    except (ValueError, TypeError) as error:
        raise InputError(f"the training table has a bad value ({error})", path=where) from None
    table["label"] = labels.astype(np.int64)
    table["group"] = table["group"].astype(str)
    return table


def training_features(table: pd.DataFrame) -> pd.DataFrame:
    """Return the feature matrix of a training table, observed at OBSERVED_AT."""
    return compute_features(table, OBSERVED_AT)


def augment(
    features: pd.DataFrame, labels: np.ndarray, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the rows as given, with the X-only features unknown, and randomly masked copies.

    In each of the ``EXTRA_COPIES`` copies, every group of ``MASKABLE_GROUPS``
    and the X-only group is unknown for a row with probability
    ``MASK_PROBABILITY``, independently, so the model meets every
    combination of unknown inputs.
    """
    copies = [features, mask_features(features, X_ONLY_FEATURES)]
    rng = np.random.default_rng(seed)
    groups = [X_ONLY_FEATURES, *MASKABLE_GROUPS.values()]
    for _ in range(EXTRA_COPIES):
        copy = features.copy()
        for names in groups:
            unknown = rng.random(len(copy)) < MASK_PROBABILITY
            copy.loc[unknown, sorted(names)] = np.nan
        copies.append(copy)
    rows = pd.concat(copies, ignore_index=True)
    return rows, np.tile(np.asarray(labels), len(copies))


def fit_features(features: pd.DataFrame, labels: np.ndarray, seed: int = 0) -> Model:
    """Return a Model fitted to a feature matrix and 0/1 labels (1 = questionable)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    x, y = augment(
        features.loc[:, list(FEATURE_COLUMNS)], np.asarray(labels, dtype=np.int64), seed=seed
    )
    estimator = HistGradientBoostingClassifier(
        **PARAMS,
        monotonic_cst=[MONOTONIC.get(name, 0) for name in FEATURE_COLUMNS],
        early_stopping=False,
        random_state=seed,
    )
    # One thread: the data are small, and OpenMP threads spinning on a busy machine
    # made a sub-second fit take tens of seconds.
    with threadpool_limits(limits=1, user_api="openmp"):
        estimator.fit(x.to_numpy(dtype=np.float64), y)
    metadata = {
        "trained_on": "cresci-2015 profiles (see data/README.md)",
        "observed_at": OBSERVED_AT.strftime("%Y-%m-%d"),
        "rows": len(features),
        "questionable_rows": int(np.sum(labels)),
        "estimator": "HistGradientBoostingClassifier",
        "params": dict(PARAMS),
        "monotonic": dict(MONOTONIC),
        "augmentation": (
            f"each row as observed, with X-only features unknown, and in {EXTRA_COPIES} "
            f"copies with each input group unknown with probability {MASK_PROBABILITY}"
        ),
        "maskable_groups": {name: sorted(names) for name, names in MASKABLE_GROUPS.items()},
        "x_only_features": sorted(X_ONLY_FEATURES),
        "seed": int(seed),
    }
    return export_hist_gradient_boosting(estimator, THRESHOLD, metadata)


def train_model(table: pd.DataFrame, seed: int = 0) -> Model:
    """Return the model trained on a whole labelled table (deterministic for a seed)."""
    return fit_features(training_features(table), table["label"].to_numpy(), seed=seed)


def export_hist_gradient_boosting(
    estimator: Any, threshold: float, metadata: dict[str, Any]
) -> Model:
    """Return a fitted binary HistGradientBoostingClassifier as a Model.

    Reads the estimator's fitted trees (private ``_predictors``, used only at
    training time). Split nodes get the sample-weighted mean of their leaves as
    value, which is what Saabas contributions need.
    """
    if getattr(estimator, "n_trees_per_iteration_", None) != 1:
        raise ValueError("only binary classifiers can be exported")
    if getattr(estimator, "is_categorical_", None) is not None and np.any(
        estimator.is_categorical_
    ):
        raise ValueError("categorical splits cannot be exported")
    trees = []
    for (predictor,) in estimator._predictors:
        nodes = predictor.nodes
        is_leaf = nodes["is_leaf"].astype(bool)
        count = nodes["count"].astype(np.float64)
        value = np.where(is_leaf, nodes["value"].astype(np.float64), 0.0)
        left = np.where(is_leaf, -1, nodes["left"].astype(np.int64))
        right = np.where(is_leaf, -1, nodes["right"].astype(np.int64))
        # Children always follow their parent, so one backwards pass fills every split.
        for node in range(len(nodes) - 1, -1, -1):
            if not is_leaf[node]:
                l, r = left[node], right[node]
                value[node] = (count[l] * value[l] + count[r] * value[r]) / (count[l] + count[r])
        threshold_values = nodes["num_threshold"].astype(np.float64)
        # A split between the largest seen value and "missing" has threshold +inf;
        # the largest float sends every finite value left just the same.
        threshold_values = np.where(
            np.isposinf(threshold_values), np.finfo(np.float64).max, threshold_values
        )
        trees.append(
            Tree(
                feature=np.where(is_leaf, -1, nodes["feature_idx"].astype(np.int64)),
                threshold=np.where(is_leaf, 0.0, threshold_values),
                missing_left=np.where(is_leaf, False, nodes["missing_go_to_left"].astype(bool)),
                left=left,
                right=right,
                value=value,
            )
        )
    base_score = float(np.asarray(estimator._baseline_prediction).ravel()[0])
    return Model(
        features=FEATURE_COLUMNS,
        threshold=threshold,
        base_score=base_score,
        trees=tuple(trees),
        metadata=metadata,
    )


def main() -> int:
    """Retrain on the repository's table and rewrite the shipped model; return exit status."""
    model = train_model(load_training_table())
    save_model(model, SHIPPED_MODEL)
    print(f"wrote {SHIPPED_MODEL} ({len(model.trees)} trees)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
