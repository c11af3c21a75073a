"""Held-out evaluation of the training procedure, and the rule baselines.

Every model figure here comes from accounts the evaluated model never saw
in training, and every model is fitted by ``training.fit_features``, the
same procedure that builds the shipped model. Run
``python -m followaudit.evaluation`` from a source checkout to print the
figures as JSON.

- Cross-validation: stratified k-fold; each account is scored once, by the
  model trained on the other folds, and the metrics are computed on those
  pooled out-of-fold scores. "Without X-only features" scores the same
  held-out accounts with likes and listed counts unknown, as for Bluesky
  and Mastodon followers. The missing-value modes score them again with
  other inputs unknown (``MISSING_VALUE_MODES``): an export without
  created_at, without the profile text fields, without names and handles.
  The inputs are hidden from the held-out accounts only; training is the
  same procedure as always.
- Leave one vendor out: the humans are split into as many folds as there
  are vendors; for each vendor, the model is trained on the other vendors
  and the other human folds, and tested on the unseen vendor (recall) and
  the unseen humans (false-positive rate), so recall cannot be bought with
  false alarms.
- Rule baselines need no training and are scored on the whole table.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from followaudit.features import X_ONLY_FEATURES, mask_features
from followaudit.model import Model
from followaudit.training import (
    MASKABLE_GROUPS,
    OBSERVED_AT,
    VENDORS,
    fit_features,
    load_training_table,
    training_features,
)

TWO_MONTHS_DAYS = 61.0

_PROFILE_TEXT = MASKABLE_GROUPS["bio"] | MASKABLE_GROUPS["location"] | MASKABLE_GROUPS["url"]
# Held-out scoring modes with inputs unknown that real exports can lack (X-only counts known).
MISSING_VALUE_MODES: dict[str, frozenset[str]] = {
    "created_at unknown": MASKABLE_GROUPS["created_at"],
    "profile text unknown (bio/location/url/avatar)": _PROFILE_TEXT | MASKABLE_GROUPS["avatar"],
    "name and handle unknown": MASKABLE_GROUPS["name"] | MASKABLE_GROUPS["handle"],
    "counts only (no created_at, profile, name, handle)": frozenset().union(
        *MASKABLE_GROUPS.values()
    ),
}
_ALL_KNOWN = "all known"
_WITHOUT_X_ONLY = "without X-only"


@dataclass(frozen=True)
class Scores:
    """Binary classification figures, questionable being the positive class."""

    accounts: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    mcc: float
    roc_auc: float | None  # None for rules, which give no score to rank by


@dataclass(frozen=True)
class VendorResult:
    """How a model trained without one vendor does on that vendor and on unseen humans."""

    vendor: str
    vendor_accounts: int
    human_accounts: int
    recall: float
    false_positive_rate: float
    recall_without_x_only: float
    false_positive_rate_without_x_only: float


@dataclass(frozen=True)
class Evaluation:
    """All held-out figures for the training procedure, and the rule baselines."""

    seed: int
    folds: int
    threshold: float
    cross_validation: Scores
    cross_validation_without_x_only: Scores
    leave_one_vendor_out: tuple[VendorResult, ...]
    baselines: dict[str, Scores]
    # Cross-validation with other inputs unknown in the held-out folds; keys as in
    # MISSING_VALUE_MODES.
    missing_value_modes: dict[str, Scores]

    def to_dict(self) -> dict[str, Any]:
        """Return the evaluation as JSON-ready nested dicts."""
        out = asdict(self)
        out["leave_one_vendor_out"] = [asdict(v) for v in self.leave_one_vendor_out]
        return out

    def to_markdown(self) -> str:
        """Return the figures as Markdown tables (for the README)."""
        lines = [
            "| evaluation | accounts | acc | P | R | F1 | MCC | AUC |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        rows = [
            (f"{self.folds}-fold CV, X", self.cross_validation),
            (f"{self.folds}-fold CV, without likes/listed", self.cross_validation_without_x_only),
        ]
        rows += [(f"{self.folds}-fold CV, {n}", s) for n, s in self.missing_value_modes.items()]
        rows += [(f"rule: {name}", scores) for name, scores in self.baselines.items()]
        for name, s in rows:
            auc = "-" if s.roc_auc is None else f"{s.roc_auc:.4f}"
            lines.append(
                f"| {name} | {s.accounts} | {s.accuracy:.4f} | {s.precision:.4f} | "
                f"{s.recall:.4f} | {s.f1:.4f} | {s.mcc:.4f} | {auc} |"
            )
        lines += [
            "",
            (
                "| held-out vendor | vendor accounts | recall | FPR on held-out humans "
                "| recall without likes/listed | FPR without likes/listed |"
            ),
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for v in self.leave_one_vendor_out:
            lines.append(
                f"| {v.vendor} | {v.vendor_accounts} | {v.recall:.4f} | "
                f"{v.false_positive_rate:.4f} ({v.human_accounts} humans) | "
                f"{v.recall_without_x_only:.4f} | {v.false_positive_rate_without_x_only:.4f} |"
            )
        return "\n".join(lines) + "\n"


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Return the area under the ROC curve (ties count half), NaN if one class is absent."""
    labels = np.asarray(labels, dtype=bool)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = pd.Series(np.asarray(scores, dtype=np.float64)).rank(method="average").to_numpy()
    rank_sum = float(ranks[labels].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def score(
    labels: np.ndarray, predicted: np.ndarray, probability: np.ndarray | None = None
) -> Scores:
    """Return the figures for 0/1 ``labels`` and ``predicted`` (1 = questionable).

    A ratio whose denominator is zero is reported as 0, as scikit-learn does.
    """
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    tp = float(np.sum(y & p))
    tn = float(np.sum(~y & ~p))
    fp = float(np.sum(~y & p))
    fn = float(np.sum(y & ~p))
    n = len(y)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = float((tp * tn - fp * fn) / denominator) if denominator else 0.0
    return Scores(
        accounts=n,
        accuracy=(tp + tn) / n if n else 0.0,
        precision=precision,
        recall=recall,
        f1=f1,
        mcc=mcc,
        roc_auc=None if probability is None else roc_auc(y, probability),
    )


def stratified_folds(labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Return a fold number per row, each class spread evenly over folds by a seeded shuffle."""
    from sklearn.model_selection import StratifiedKFold

    out = np.empty(len(labels), dtype=np.int64)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (_, test) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        out[test] = fold
    return out


def cross_validate_modes(
    features: pd.DataFrame,
    labels: np.ndarray,
    modes: dict[str, frozenset[str]],
    folds: int = 10,
    seed: int = 0,
) -> tuple[dict[str, Scores], float]:
    """Return (scores per mode, threshold), a mode naming the features unknown when scoring.

    One model per fold scores its held-out accounts in every mode; each mode's
    figures are computed on its pooled out-of-fold predictions.
    """
    labels = np.asarray(labels, dtype=np.int64)
    fold_of = stratified_folds(labels, folds, seed)
    probability = {name: np.empty(len(labels)) for name in modes}
    threshold = 0.5
    for fold in range(folds):
        test = fold_of == fold
        model = fit_features(features[~test], labels[~test], seed=seed)
        threshold = model.threshold
        held_out = features[test]
        for name, unknown in modes.items():
            probability[name][test] = model.predict_proba(mask_features(held_out, unknown))
    scores = {name: score(labels, p >= threshold, p) for name, p in probability.items()}
    return scores, threshold


def cross_validate(
    features: pd.DataFrame, labels: np.ndarray, folds: int = 10, seed: int = 0
) -> tuple[Scores, Scores, float]:
    """Return (scores with all features, scores without X-only features, threshold).

    Both are computed on pooled out-of-fold predictions.
    """
    modes = {_ALL_KNOWN: frozenset[str](), _WITHOUT_X_ONLY: X_ONLY_FEATURES}
    scores, threshold = cross_validate_modes(features, labels, modes, folds=folds, seed=seed)
    return scores[_ALL_KNOWN], scores[_WITHOUT_X_ONLY], threshold


def leave_one_vendor_out(
    features: pd.DataFrame, labels: np.ndarray, groups: np.ndarray, seed: int = 0
) -> tuple[VendorResult, ...]:
    """Return, per vendor, recall on it and false alarms on unseen humans, trained without both."""
    labels = np.asarray(labels, dtype=np.int64)
    groups = np.asarray(groups).astype(str)
    humans = labels == 0
    # Human folds are stratified by human group, so each fold mixes TFP and E13 alike.
    human_fold = np.full(len(labels), -1, dtype=np.int64)
    human_fold[humans] = stratified_folds(groups[humans], len(VENDORS), seed)
    results = []
    for index, vendor in enumerate(VENDORS):
        held_vendor = groups == vendor
        held_humans = human_fold == index
        train = ~held_vendor & ~held_humans
        model = fit_features(features[train], labels[train], seed=seed)
        results.append(_vendor_result(model, vendor, features[held_vendor], features[held_humans]))
    return tuple(results)


def _vendor_result(
    model: Model, vendor: str, fakes: pd.DataFrame, humans: pd.DataFrame
) -> VendorResult:
    """Return one vendor's held-out figures, with and without X-only features."""

    def flagged(rows: pd.DataFrame) -> float:
        return float(np.mean(model.predict_proba(rows) >= model.threshold))

    return VendorResult(
        vendor=vendor,
        vendor_accounts=len(fakes),
        human_accounts=len(humans),
        recall=flagged(fakes),
        false_positive_rate=flagged(humans),
        recall_without_x_only=flagged(mask_features(fakes, X_ONLY_FEATURES)),
        false_positive_rate_without_x_only=flagged(mask_features(humans, X_ONLY_FEATURES)),
    )


def camisani_calzolari(table: pd.DataFrame) -> np.ndarray:
    """Return True where Camisani-Calzolari's profile rules class the account as a bot.

    Each rule met is a human point, each failed a bot point; more bot points
    means bot. Only the nine profile rules are computable (the tweet-based ones
    are not), so the count is odd and ties cannot happen. "Has a name" is
    approximated by name_length > 0 and "has a bio" by bio_length > 0.
    """
    rules = [
        table["name_length"] > 0,
        table["default_avatar"] == 0,
        table["has_location"] == 1,
        table["bio_length"] > 0,
        table["followers"] >= 30,
        table["listed"] >= 1,
        table["posts"] >= 50,
        table["has_url"] == 1,
        2 * table["followers"] >= table["following"],
    ]
    human_points = np.sum([rule.to_numpy() for rule in rules], axis=0)
    result: np.ndarray = human_points < len(rules) - human_points
    return result


def socialbakers(table: pd.DataFrame, observed_at: pd.Timestamp = OBSERVED_AT) -> np.ndarray:
    """Return True where Socialbakers' FakeFollowerCheck profile rules find the account suspicious.

    following/followers >= 50 is taken as true for zero followers and any
    following (the ratio is infinite), false for 0/0. "Older than two months"
    is age > 61 days at ``observed_at``. The tweet-based rules are not computable.
    """
    followers = table["followers"].to_numpy(dtype=np.float64)
    following = table["following"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(followers > 0, following / np.where(followers > 0, followers, 1.0), np.inf)
    ratio = np.where((followers == 0) & (following == 0), 0.0, ratio)
    age_days = (observed_at - table["created_at"]).dt.total_seconds().to_numpy() / 86_400
    rules = [
        ratio >= 50,
        table["posts"].to_numpy() == 0,
        (age_days > TWO_MONTHS_DAYS) & (table["default_avatar"].to_numpy() == 1),
        (table["bio_length"].to_numpy() == 0)
        & (table["has_location"].to_numpy() == 0)
        & (following > 100),
    ]
    result: np.ndarray = np.logical_or.reduce(rules)
    return result


def few_followers(table: pd.DataFrame) -> np.ndarray:
    """Return True where the single rule "followers >= 30 is human" says questionable."""
    result: np.ndarray = table["followers"].to_numpy() < 30
    return result


def baselines(table: pd.DataFrame) -> dict[str, Scores]:
    """Return the rule baselines' figures on the whole table (no training involved)."""
    labels = table["label"].to_numpy()
    return {
        "Camisani-Calzolari (profile rules)": score(labels, camisani_calzolari(table)),
        "Socialbakers FakeFollowerCheck (profile rules)": score(labels, socialbakers(table)),
        "followers >= 30": score(labels, few_followers(table)),
    }


def evaluate(table: pd.DataFrame, seed: int = 0, folds: int = 10) -> Evaluation:
    """Return the held-out evaluation of the training procedure on a labelled table."""
    features = training_features(table)
    labels = table["label"].to_numpy(dtype=np.int64)
    modes = {_ALL_KNOWN: frozenset[str](), _WITHOUT_X_ONLY: X_ONLY_FEATURES}
    modes.update(MISSING_VALUE_MODES)
    scores, threshold = cross_validate_modes(features, labels, modes, folds=folds, seed=seed)
    vendors = leave_one_vendor_out(features, labels, table["group"].to_numpy(), seed=seed)
    return Evaluation(
        seed=seed,
        folds=folds,
        threshold=threshold,
        cross_validation=scores[_ALL_KNOWN],
        cross_validation_without_x_only=scores[_WITHOUT_X_ONLY],
        leave_one_vendor_out=vendors,
        baselines=baselines(table),
        missing_value_modes={name: scores[name] for name in MISSING_VALUE_MODES},
    )


def main() -> int:
    """Print the evaluation of the repository's training table as JSON; return exit status."""
    evaluation = evaluate(load_training_table())
    print(json.dumps(evaluation.to_dict(), indent=2))
    print(evaluation.to_markdown(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
