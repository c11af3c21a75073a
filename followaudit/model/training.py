"""Training the shipped model on the de-identified cresci-2015 + cresci-2017 table.

Run ``python -m followaudit.model.training`` (or ``followaudit train``) from a
source checkout to rewrite ``followaudit/model/model.json``; the result
is byte-for-byte reproducible (a test checks the shipped file is what this
produces).

How the model is trained, and why:

- The people are of three kinds and eras (cresci-2015's TFP and E13, 2013;
  cresci-2017's random sample of Twitter users, 2015); the bought followers
  come from three 2013 vendors. Each account's age is measured at its own
  observation day (``observed_at``), never today.
- scikit-learn's HistGradientBoostingClassifier, exported to the plain tree
  format of ``followaudit.model.forest``; scikit-learn is used only here.
- The model is the mean log-odds of two boosted ensembles: one on every
  feature, and one on the follow ratios alone (following per follower).
  Held out whole, a source unlike the rest is where a single rich model
  fails: it learns that an old account with a few hundred posts is a person
  because the two younger vendors never sold one, and misses most of the
  third vendor's aged accounts; it also flags quiet people of a circle it
  never saw. The ratio ensemble knows only what every vendor's product
  shares (following many, followed by few), and averaging it in cut the
  false alarms on each held-out group of people to under 3% and raised
  held-out recall on every vendor (``followaudit evaluate``, leave one
  source out), at a cost of about 0.01 in shuffled 10-fold MCC.
- Monotonic constraints encode what must hold for any vendor, seen or not:
  more followers, posts, likes, lists, a website or a location never make
  an account more questionable; following more accounts per follower, or a
  default avatar, never make it less. Age and bio length are left free:
  vendors also sell aged accounts and fill bios from templates.
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
- The threshold is 0.5, fixed before evaluation rather than tuned on it.
- The spambot groups of cresci-2017 are not trained on: they are not fake
  followers (they post a lot and often have real followers), and folded
  into the questionable class they made the model worse at fake followers.
  ``followaudit evaluate`` reports the share of each the model flags.
- ``train_model`` also stores, for each scoring mode, the counts the
  share questionable is corrected with (``quantification``): at the mode's
  counting cut, quiet and active people flagged and bought followers caught,
  out of fold and for each source group held out whole
  (``followaudit.model.quantify.counted_share``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from followaudit.accounts import NUMERIC_COLUMNS
from followaudit.errors import InputError
from followaudit.model.features import (
    FEATURE_COLUMNS,
    X_ONLY_FEATURES,
    compute_features,
    mask_features,
)
from followaudit.model.forest import SHIPPED_MODEL, Model, Tree, save_model
from followaudit.model.quantify import (
    ALL_KNOWN,
    COUNTING_CUTS,
    FLOOR,
    LEVEL,
    METHOD,
    QUIET_FOLLOWERS,
    QUIET_POSTS,
    TPR_ALLOWANCE,
    WITHOUT_X_ONLY,
    is_quiet,
    mode_counts,
    read_quantification,
)

# When a table has no observed_at column: cresci-2015's single observation day.
OBSERVED_AT = pd.Timestamp("2013-05-15T00:00:00Z")
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_TABLE = DATA_DIR / "training_profiles.csv"
DEFAULT_PROBE = DATA_DIR / "spambot_profiles.csv"
HUMAN_SOURCES: tuple[str, ...] = ("TFP", "E13", "GEN")
VENDORS: tuple[str, ...] = ("FSF", "INT", "TWT")
GROUPS: dict[str, int] = {**dict.fromkeys(HUMAN_SOURCES, 0), **dict.fromkeys(VENDORS, 1)}
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

# The second ensemble sees only these: how many accounts it follows per follower.
RATIO_FEATURES: tuple[str, ...] = ("following_to_followers", "following_to_followers_squared")
# The shipped model's parts: the columns each of its ensembles sees.
ENSEMBLE_PARTS: tuple[tuple[str, ...], ...] = (FEATURE_COLUMNS, RATIO_FEATURES)
# Folds of the cross-validation whose out-of-fold counts the model stores.
RATE_FOLDS = 10
# The scoring modes the stored counts are measured in: the features unknown in each.
SCORING_MODES: dict[str, frozenset[str]] = {
    ALL_KNOWN: frozenset(),
    WITHOUT_X_ONLY: X_ONLY_FEATURES,
}
TRAINED_ON = "cresci-2015 and cresci-2017 profiles (see data/README.md)"
# Source group -> what it is; the probe groups (spambots) are never trained on.
SOURCES: dict[str, str] = {
    "TFP": "cresci-2015: followers of a research account, verified human (observed 2013)",
    "E13": "cresci-2015: #elezioni2013 users, checked human (observed 2013)",
    "GEN": "cresci-2017: random sample of Twitter users, verified human (observed 2015)",
    "FSF": "bought followers, vendor fastfollowerz (2013)",
    "INT": "bought followers, vendor intertwitter (2013)",
    "TWT": "bought followers, vendor twittertechnology (2013)",
}
MASK_PROBABILITY = 0.5

# Small trees keep the evaluator fast (about 100 x 8 leaves) at no measured loss.
PARAMS: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 20,
    "l2_regularization": 3.0,
}


def load_training_table(path: Path | None = None, probe: bool = False) -> pd.DataFrame:
    """Return the labelled training table (canonical numeric columns, label, group).

    ``path`` defaults to data/training_profiles.csv of the source checkout,
    which is not part of an installed wheel. An ``observed_at`` column gives
    each row's observation day (``OBSERVED_AT`` for all rows when absent).
    ``probe`` reads a table of groups that are never trained on (the
    spambots), whose groups and classes are not checked.
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
    if unknown and not probe:
        raise InputError(f"the training table has unknown groups: {', '.join(unknown)}", path=where)
    labels = pd.to_numeric(table["label"], errors="coerce")
    if not labels.isin([0, 1]).all():
        raise InputError("the training table's label column must hold only 0 and 1", path=where)
    per_class = labels.value_counts()
    too_few = per_class.get(0, 0) < MIN_PER_CLASS or per_class.get(1, 0) < MIN_PER_CLASS
    if too_few and not probe:
        raise InputError(
            f"the training table needs at least {MIN_PER_CLASS} authentic (0) and "
            f"{MIN_PER_CLASS} questionable (1) accounts; it has {per_class.get(0, 0)} "
            f"and {per_class.get(1, 0)}",
            path=where,
        )
    try:
        table["created_at"] = pd.to_datetime(table["created_at"], utc=True)
        if "observed_at" in table.columns:
            table["observed_at"] = pd.to_datetime(table["observed_at"], utc=True)
        else:
            table["observed_at"] = OBSERVED_AT
        for name in NUMERIC_COLUMNS:
            table[name] = table[name].astype(np.float64)
    except (ValueError, TypeError) as error:
        raise InputError(f"the training table has a bad value ({error})", path=where) from None
    table["label"] = labels.astype(np.int64)
    table["group"] = table["group"].astype(str)
    return table


def training_features(table: pd.DataFrame) -> pd.DataFrame:
    """Return the feature matrix of a training table, each row aged at its own observation day."""
    return compute_features(table, table["observed_at"])


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


def _fit_estimator(x: np.ndarray, y: np.ndarray, columns: tuple[str, ...], seed: int) -> Any:
    """Return a HistGradientBoostingClassifier fitted on ``x`` (its columns named ``columns``)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    estimator = HistGradientBoostingClassifier(
        **PARAMS,
        monotonic_cst=[MONOTONIC.get(name, 0) for name in columns],
        early_stopping=False,
        random_state=seed,
    )
    # One thread: the data are small, and OpenMP threads spinning on a busy machine
    # made a sub-second fit take tens of seconds.
    with threadpool_limits(limits=1, user_api="openmp"):
        estimator.fit(x, y)
    return estimator


def fit_features(
    features: pd.DataFrame,
    labels: np.ndarray,
    seed: int = 0,
    parts: tuple[tuple[str, ...], ...] | None = None,
) -> Model:
    """Return a Model fitted to a feature matrix and 0/1 labels (1 = questionable).

    The model is the average, in log-odds, of boosted ensembles trained on
    the same augmented rows, one per entry of ``parts`` (the feature columns
    each sees): by default ``ENSEMBLE_PARTS``, every feature and the follow
    ratios alone. See the module docstring for why.
    """
    x, y = augment(
        features.loc[:, list(FEATURE_COLUMNS)], np.asarray(labels, dtype=np.int64), seed=seed
    )
    fitted = []
    for columns in parts or ENSEMBLE_PARTS:
        matrix = x.loc[:, list(columns)].to_numpy(dtype=np.float64)
        estimator = _fit_estimator(matrix, y, columns, seed)
        index = np.array([FEATURE_COLUMNS.index(name) for name in columns], dtype=np.int64)
        fitted.append((estimator, index))
    metadata = {
        "trained_on": TRAINED_ON,
        "sources": dict(SOURCES),
        "observed_at": "per row (data/README.md)",
        "rows": len(features),
        "questionable_rows": int(np.sum(labels)),
        "estimator": (
            "mean log-odds of two HistGradientBoostingClassifier ensembles: all features, "
            "and the follow ratios alone"
        ),
        "ratio_features": list(RATIO_FEATURES),
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
    return export_ensemble(fitted, THRESHOLD, metadata)


def stratified_folds(labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Return a fold number per row, each class spread evenly over folds by a seeded shuffle."""
    from sklearn.model_selection import StratifiedKFold

    out = np.empty(len(labels), dtype=np.int64)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (_, test) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        out[test] = fold
    return out


def out_of_fold_probabilities(
    features: pd.DataFrame,
    labels: np.ndarray,
    modes: dict[str, frozenset[str]],
    folds: int = RATE_FOLDS,
    seed: int = 0,
) -> tuple[float, dict[str, np.ndarray]]:
    """Return (threshold, out-of-fold probabilities per mode) of stratified k-fold CV.

    A mode names the features unknown when scoring. One model per fold,
    fitted by ``fit_features`` without that fold, scores its held-out
    accounts in every mode, so each account is scored once per mode.
    """
    labels = np.asarray(labels, dtype=np.int64)
    fold_of = stratified_folds(labels, folds, seed)
    probability = {name: np.empty(len(labels)) for name in modes}
    threshold = THRESHOLD
    for fold in range(folds):
        test = fold_of == fold
        model = fit_features(features[~test], labels[~test], seed=seed)
        threshold = model.threshold
        held_out = features[test]
        for name, unknown in modes.items():
            probability[name][test] = model.predict_proba(mask_features(held_out, unknown))
    return threshold, probability


def quantification(
    features: pd.DataFrame,
    labels: np.ndarray,
    groups: np.ndarray,
    quiet: np.ndarray,
    seed: int = 0,
    folds: int = RATE_FOLDS,
    held_out: Callable[[str], dict[str, np.ndarray]] | None = None,
) -> dict[str, Any]:
    """Return the counts the reported share is corrected with (``metadata.quantification``).

    Per scoring mode (all inputs known; the X-only counts unknown, as for
    Bluesky and Mastodon), at that mode's counting cut
    (``quantify.COUNTING_CUTS``): the out-of-fold counts of ``folds``-fold
    cross-validation (quiet and active people flagged, bought followers
    caught, and how many of them are quiet), and per source group the same
    counts from the model trained without that group (leave one source
    out), which give the ranges of the interval. ``held_out(source)``
    returns P(questionable) per mode of a source's rows from a model trained
    without it; by default that model is fitted here. A source whose
    absence leaves one class too small to train on is not held out.
    """
    labels = np.asarray(labels, dtype=np.int64)
    groups = np.asarray(groups).astype(str)
    quiet = np.asarray(quiet, dtype=bool)
    _, out_of_fold = out_of_fold_probabilities(
        features, labels, SCORING_MODES, folds=folds, seed=seed
    )

    def fit_without(source: str) -> dict[str, np.ndarray]:
        held = groups == source
        model = fit_features(features[~held], labels[~held], seed=seed)
        return {
            name: model.predict_proba(mask_features(features[held], unknown))
            for name, unknown in SCORING_MODES.items()
        }

    fetch = held_out or fit_without
    sources = [s for s in HUMAN_SOURCES + VENDORS if _can_hold_out(labels, groups, s)]
    scores = {source: fetch(source) for source in sources}
    return {
        "method": METHOD,
        "rates": (
            f"at each mode's counting cut: pooled out-of-fold predictions of {folds}-fold "
            "stratified CV, and each source group scored by the model trained without it"
        ),
        "folds": folds,
        "quiet": {"posts_below": QUIET_POSTS, "followers_below": QUIET_FOLLOWERS},
        "tpr_allowance": TPR_ALLOWANCE,
        "floor": FLOOR,
        "level": LEVEL,
        "modes": {
            name: mode_counts(
                COUNTING_CUTS[name],
                out_of_fold[name],
                labels,
                quiet,
                {
                    source: (GROUPS[source], scores[source][name], quiet[groups == source])
                    for source in sources
                },
            )
            for name in SCORING_MODES
        },
    }


def _can_hold_out(labels: np.ndarray, groups: np.ndarray, source: str) -> bool:
    """Return whether ``source`` is in the table and the rest still has both classes to learn."""
    held = groups == source
    rest = labels[~held]
    return bool(held.any()) and min(np.sum(rest == 0), np.sum(rest == 1)) >= MIN_PER_CLASS


def quiet_rows(table: pd.DataFrame) -> np.ndarray:
    """Return True for the table's quiet accounts (``quantify.is_quiet``)."""
    return is_quiet(table["posts"].to_numpy(), table["followers"].to_numpy())


def train_model(table: pd.DataFrame, seed: int = 0) -> Model:
    """Return the model trained on a whole labelled table (deterministic for a seed).

    Its metadata carries the counts (``quantification``) that the reported
    share is corrected with. Raises InputError when the table gives counts
    that cannot correct a share (a model that barely tells its classes apart).
    """
    features = training_features(table)
    labels = table["label"].to_numpy()
    model = fit_features(features, labels, seed=seed)
    section = quantification(
        features, labels, table["group"].to_numpy(), quiet_rows(table), seed=seed
    )
    try:
        read_quantification(section)
    except ValueError as problem:
        raise InputError(
            f"a model trained on this table cannot correct the share it reports: {problem}"
        ) from None
    model.metadata["quantification"] = section
    model.metadata["sources_observed"] = source_years(table)
    return model


def source_years(table: pd.DataFrame) -> dict[str, str]:
    """Return, per source group, the years its accounts were observed in ("2013" or "2014-2015")."""
    out = {}
    for group, part in table.groupby("group", sort=True):
        years = part["observed_at"].dt.year
        low, high = int(years.min()), int(years.max())
        out[str(group)] = str(low) if low == high else f"{low}-{high}"
    return out


def export_ensemble(
    parts: list[tuple[Any, np.ndarray]], threshold: float, metadata: dict[str, Any]
) -> Model:
    """Return the mean log-odds of fitted binary HistGradientBoostingClassifiers as one Model.

    Each part is an estimator and, for each of its input columns, the index of
    that column in ``FEATURE_COLUMNS``. Averaging log-odds is exact in the
    tree format: every leaf and node value, and the base score, is divided by
    the number of parts.
    """
    weight = 1.0 / len(parts)
    trees: list[Tree] = []
    base_score = 0.0
    for estimator, index in parts:
        part_trees, part_base = _export_trees(estimator, index)
        trees += [replace(tree, value=tree.value * weight) for tree in part_trees]
        base_score += part_base * weight
    return Model(
        features=FEATURE_COLUMNS,
        threshold=threshold,
        base_score=base_score,
        trees=tuple(trees),
        metadata=metadata,
    )


def _export_trees(estimator: Any, column_index: np.ndarray) -> tuple[list[Tree], float]:
    """Return a fitted binary HistGradientBoostingClassifier's trees and base score.

    Reads the estimator's fitted trees (private ``_predictors``, used only at
    training time); ``column_index`` maps its input columns to model feature
    indices. Split nodes get the sample-weighted mean of their leaves as
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
                lo, hi = left[node], right[node]
                value[node] = (count[lo] * value[lo] + count[hi] * value[hi]) / (
                    count[lo] + count[hi]
                )
        threshold_values = nodes["num_threshold"].astype(np.float64)
        # A split between the largest seen value and "missing" has threshold +inf;
        # the largest float sends every finite value left just the same.
        threshold_values = np.where(
            np.isposinf(threshold_values), np.finfo(np.float64).max, threshold_values
        )
        feature = nodes["feature_idx"].astype(np.int64)
        trees.append(
            Tree(
                feature=np.where(is_leaf, -1, column_index[np.where(is_leaf, 0, feature)]),
                threshold=np.where(is_leaf, 0.0, threshold_values),
                missing_left=np.where(is_leaf, False, nodes["missing_go_to_left"].astype(bool)),
                left=left,
                right=right,
                value=value,
            )
        )
    return trees, float(np.asarray(estimator._baseline_prediction).ravel()[0])


def main() -> int:
    """Retrain on the repository's table and rewrite the shipped model; return exit status."""
    model = train_model(load_training_table())
    save_model(model, SHIPPED_MODEL)
    print(f"wrote {SHIPPED_MODEL} ({len(model.trees)} trees)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
