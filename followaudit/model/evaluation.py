"""Held-out evaluation of the training procedure, and the rule baselines.

Every model figure here comes from accounts the evaluated model never saw
in training, and every model is fitted by ``training.fit_features``, the
same procedure that builds the shipped model. Run
``python -m followaudit.model.evaluation`` (or ``followaudit evaluate``) from a
source checkout to print the figures.

- Cross-validation: stratified k-fold on the combined table; each account
  is scored once, by the model trained on the other folds, and the metrics
  are computed on those pooled out-of-fold scores. "Without X-only
  features" scores the same held-out accounts with likes and listed counts
  unknown, as for Bluesky and Mastodon followers. The missing-value modes
  score them again with other inputs unknown (``MISSING_VALUE_MODES``).
- Leave one source out: for every group of people (TFP, E13, GEN) and every
  vendor (FSF, INT, TWT, each with its cresci-2017 accounts), a model
  trained on everything else scores that group: the share it flags is the
  false-alarm rate on people it never saw, or the recall on a vendor it
  never saw. This is what a user's followers, unlike any training group,
  are closest to.
- Spambot probe: the cresci-2017 spambot groups are never trained on; the
  share of each that the shipped training procedure flags is reported, not
  targeted (spambots are not fake followers).
- The share under shift (the headline evidence, ``followaudit.model.shift``):
  mixtures of a held-out group of people and a held-out vendor, scored by a
  model trained without both and corrected with counts measured without
  them, at prevalences 0 to .60 and 300 to 10,000 followers: bias, RMSE,
  how often the 95% interval holds the truth and, at prevalence 0, how often
  it reaches 0.
- Quiet people (fewer than 50 posts or 30 followers) of each held-out group:
  the share flagged at the label threshold and at the counting cut.
- Rule baselines need no training and are scored on the whole table.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from followaudit.model.features import X_ONLY_FEATURES, mask_features
from followaudit.model.forest import Model
from followaudit.model.quantify import ALL_KNOWN, COUNTING_CUTS, TPR_ALLOWANCE, WITHOUT_X_ONLY
from followaudit.model.shift import (
    TARGET_MAX_BIAS,
    TARGET_MIN_COVERAGE,
    TARGET_MIN_REACHES_ZERO,
    HeldOutScores,
    ShiftCell,
    ShiftGrid,
    bias_by_pair,
    misses,
    shift_check,
    shift_rows,
)
from followaudit.model.training import (
    DEFAULT_PROBE,
    HUMAN_SOURCES,
    MASKABLE_GROUPS,
    OBSERVED_AT,
    SCORING_MODES,
    SOURCES,
    THRESHOLD,
    VENDORS,
    fit_features,
    load_training_table,
    out_of_fold_probabilities,
    quiet_rows,
    source_years,
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

# Targets the shipped training procedure is held to (issue 7); reported, not tuned on.
TARGET_CV_MCC = 0.980
TARGET_CV_AUC = 0.998
TARGET_MAX_PEOPLE_FLAGGED = 0.03
TARGET_MIN_VENDOR_CAUGHT = 0.90
# Issue 18: quiet people of a held-out group flagged at most this share; the vendor sold
# aged accounts (TWT) caught no less than before; the share's targets are in model/shift.py.
TARGET_MAX_QUIET_FLAGGED = 0.05
TARGET_MIN_TWT_CAUGHT = 0.88


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
class SourceResult:
    """How a model trained without one source group does on that group."""

    source: str
    kind: str  # "people" (flagged = false alarms) or "vendor" (flagged = recall)
    accounts: int
    flagged: float  # share of the group flagged questionable
    flagged_without_x_only: float  # the same with likes and listed unknown
    # The share at or above each mode's counting cut: what the corrected share counts.
    counted: float = 0.0
    counted_without_x_only: float = 0.0
    # People only: the group's quiet accounts (fewer than 50 posts or 30 followers), the
    # share of them flagged questionable, and the share of them counted (None for vendors).
    quiet_accounts: int | None = None
    quiet_flagged: float | None = None
    quiet_flagged_without_x_only: float | None = None
    quiet_counted: float | None = None
    quiet_counted_without_x_only: float | None = None


@dataclass(frozen=True)
class ProbeResult:
    """The share of one never-trained-on group (spambots) that the model flags."""

    group: str
    accounts: int
    flagged: float
    flagged_without_x_only: float


@dataclass(frozen=True)
class Evaluation:
    """All held-out figures for the training procedure, and the rule baselines."""

    seed: int
    folds: int
    threshold: float
    cross_validation: Scores
    cross_validation_without_x_only: Scores
    leave_one_source_out: tuple[SourceResult, ...]
    baselines: dict[str, Scores]
    # Cross-validation with other inputs unknown in the held-out folds; keys as in
    # MISSING_VALUE_MODES.
    missing_value_modes: dict[str, Scores]
    spambot_probe: tuple[ProbeResult, ...]
    # Source group -> what it is, its label, accounts and observation years.
    training_sources: dict[str, dict[str, Any]]
    # The corrected share on leave-one-source-out mixtures, every cell in both modes,
    # and the grid it ran (model/shift.py).
    shift_check: tuple[ShiftCell, ...] = ()
    shift_grid: ShiftGrid | None = None
    # Bought followers counted at each mode's cut, out of fold: what an unseen vendor is
    # assumed to be caught at least (1 - TPR_ALLOWANCE) times as often as.
    counted_out_of_fold: dict[str, float] = field(default_factory=dict)

    def targets(self) -> dict[str, bool]:
        """Return each target of the training procedure and whether it is met."""
        out = {
            f"10-fold MCC >= {TARGET_CV_MCC} (all features)": self.cross_validation.mcc
            >= TARGET_CV_MCC,
            f"10-fold MCC >= {TARGET_CV_MCC} (without X-only)": (
                self.cross_validation_without_x_only.mcc >= TARGET_CV_MCC
            ),
            f"10-fold AUC >= {TARGET_CV_AUC} (all features)": (self.cross_validation.roc_auc or 0)
            >= TARGET_CV_AUC,
            f"10-fold AUC >= {TARGET_CV_AUC} (without X-only)": (
                self.cross_validation_without_x_only.roc_auc or 0
            )
            >= TARGET_CV_AUC,
        }
        for r in self.leave_one_source_out:
            if r.kind == "people":
                key = f"held-out {r.source} people flagged <= {TARGET_MAX_PEOPLE_FLAGGED:.0%}"
                out[key] = max(r.flagged, r.flagged_without_x_only) <= TARGET_MAX_PEOPLE_FLAGGED
            else:
                key = f"held-out vendor {r.source} caught >= {TARGET_MIN_VENDOR_CAUGHT:.0%}"
                out[key] = min(r.flagged, r.flagged_without_x_only) >= TARGET_MIN_VENDOR_CAUGHT
        out.update(self.shift_targets())
        return out

    def shift_targets(self) -> dict[str, bool]:
        """Return the targets of issue 18 (the share under shift, quiet people) and if met."""
        out: dict[str, bool] = {}
        limit = f"{TARGET_MAX_QUIET_FLAGGED:.0%}"
        caught = self.counted_out_of_fold
        for r in self.leave_one_source_out:
            if r.kind == "people" and r.quiet_accounts:
                worst = max(r.quiet_flagged or 0.0, r.quiet_flagged_without_x_only or 0.0)
                out[f"held-out quiet {r.source} people flagged <= {limit}"] = (
                    worst <= TARGET_MAX_QUIET_FLAGGED
                )
                worst = max(r.quiet_counted or 0.0, r.quiet_counted_without_x_only or 0.0)
                out[f"held-out quiet {r.source} people counted at the cut <= {limit}"] = (
                    worst <= TARGET_MAX_QUIET_FLAGGED
                )
            if r.source == "TWT":
                key = f"held-out vendor TWT caught >= {TARGET_MIN_TWT_CAUGHT:.0%} (not worse)"
                out[key] = min(r.flagged, r.flagged_without_x_only) >= TARGET_MIN_TWT_CAUGHT
            if r.kind == "vendor" and set(caught) >= {ALL_KNOWN, WITHOUT_X_ONLY}:
                key = (
                    f"held-out vendor {r.source} counted at the cut >= "
                    f"{1 - TPR_ALLOWANCE:.2f} x out of fold (the interval's assumption)"
                )
                out[key] = r.counted >= (1 - TPR_ALLOWANCE) * caught[ALL_KNOWN] and (
                    r.counted_without_x_only >= (1 - TPR_ALLOWANCE) * caught[WITHOUT_X_ONLY]
                )
        for mode in (ALL_KNOWN, WITHOUT_X_ONLY):
            cells = [c for c in self.shift_check if c.mode == mode]
            if not cells:
                continue
            out[f"share under shift ({mode}): |bias| <= {TARGET_MAX_BIAS * 100:g} point"] = all(
                abs(c.bias) <= TARGET_MAX_BIAS for c in cells
            )
            out[
                f"share under shift ({mode}): interval holds truth >= {TARGET_MIN_COVERAGE:.0%}"
            ] = all(c.coverage >= TARGET_MIN_COVERAGE for c in cells)
            out[
                f"share under shift ({mode}): at 0, interval reaches 0 >= "
                f"{TARGET_MIN_REACHES_ZERO:.0%}"
            ] = all(c.reaches_zero >= TARGET_MIN_REACHES_ZERO for c in cells if c.prevalence == 0)
        return out

    def shift_misses(self) -> dict[str, list[str]]:
        """Return, per scoring mode, one line per cell of the shift check that misses a target."""
        return {
            mode: misses([c for c in self.shift_check if c.mode == mode])
            for mode in (ALL_KNOWN, WITHOUT_X_ONLY)
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the evaluation as JSON-ready nested dicts."""
        out = asdict(self)
        out["leave_one_source_out"] = [asdict(v) for v in self.leave_one_source_out]
        out["spambot_probe"] = [asdict(v) for v in self.spambot_probe]
        out["shift_check"] = [asdict(c) for c in self.shift_check]
        out["shift_misses"] = self.shift_misses()
        out["targets"] = self.targets()
        return out

    def to_markdown(self) -> str:
        """Return the figures as Markdown tables (for docs/model.md)."""
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
                "| held out (trained without it) | kind | accounts | flagged | flagged without "
                "likes/listed | counted (X / without) | quiet | quiet flagged (X / without) "
                "| quiet counted (X / without) |"
            ),
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in self.leave_one_source_out:
            quiet = ["-", "-", "-"]
            if r.quiet_accounts is not None:
                quiet = [
                    str(r.quiet_accounts),
                    f"{r.quiet_flagged:.4f} / {r.quiet_flagged_without_x_only:.4f}",
                    f"{r.quiet_counted:.4f} / {r.quiet_counted_without_x_only:.4f}",
                ]
            lines.append(
                f"| {r.source} | {r.kind} | {r.accounts} | {r.flagged:.4f} | "
                f"{r.flagged_without_x_only:.4f} | {r.counted:.4f} / "
                f"{r.counted_without_x_only:.4f} | " + " | ".join(quiet) + " |"
            )
        lines += [
            "",
            "| spambot group (never trained on) | accounts | flagged | without likes/listed |",
            "| --- | --- | --- | --- |",
        ]
        for p in self.spambot_probe:
            lines.append(
                f"| {p.group} | {p.accounts} | {p.flagged:.4f} | {p.flagged_without_x_only:.4f} |"
            )
        for mode in (ALL_KNOWN, WITHOUT_X_ONLY):
            cells = [c for c in self.shift_check if c.mode == mode]
            if cells:
                lines += ["", *shift_markdown(cells, mode)]
        return "\n".join(lines) + "\n"


def shift_markdown(cells: list[ShiftCell], mode: str) -> list[str]:
    """Return one mode's share-under-shift table and its bias per pair, as Markdown lines."""
    cut = COUNTING_CUTS.get(mode)
    lines = [
        (
            f"Share under shift, {mode} (counting cut {cut}): {len(cells)} cells, "
            f"{sum(bool(c.misses()) for c in cells)} miss a target"
        ),
        "",
        (
            "| share | followers | worst bias (pair) | max RMSE | worst coverage (pair) "
            "| reaches 0 | mean width | cells missing |"
        ),
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in shift_rows(cells):
        zero = "-" if row.reaches_zero is None else f"{row.reaches_zero:.3f}"
        lines.append(
            f"| {row.prevalence:.2f} | {row.size:,} | {100 * row.worst_bias.bias:+.2f} pt "
            f"({row.worst_bias.pair}) | {100 * row.max_rmse:.2f} pt | "
            f"{row.worst_coverage.coverage:.3f} ({row.worst_coverage.pair}) | {zero} | "
            f"{100 * row.mean_width:.2f} pt | {row.missed} |"
        )
    sizes = sorted({c.size for c in cells})
    size = 2_000 if 2_000 in sizes else sizes[0]
    by_pair = bias_by_pair(cells, size)
    prevalences = sorted({c.prevalence for c in cells})
    lines += [
        "",
        f"Bias per pair at {size:,} followers (points):",
        "",
        "| pair | " + " | ".join(f"{p:.2f}" for p in prevalences) + " |",
        "| --- |" + " ---: |" * len(prevalences),
    ]
    for pair, biases in by_pair.items():
        lines.append(
            f"| {pair} | " + " | ".join(f"{100 * biases[p]:+.2f}" for p in prevalences) + " |"
        )
    return lines


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


def cross_validate_modes(
    features: pd.DataFrame,
    labels: np.ndarray,
    modes: dict[str, frozenset[str]],
    folds: int = 10,
    seed: int = 0,
) -> tuple[dict[str, Scores], float, dict[str, np.ndarray]]:
    """Return (scores, threshold, out-of-fold probabilities) per mode.

    A mode names the features unknown when scoring. Each mode's figures are
    computed on its pooled out-of-fold predictions (``out_of_fold_probabilities``).
    """
    labels = np.asarray(labels, dtype=np.int64)
    threshold, probability = out_of_fold_probabilities(
        features, labels, modes, folds=folds, seed=seed
    )
    scores = {name: score(labels, p >= threshold, p) for name, p in probability.items()}
    return scores, threshold, probability


def leave_one_source_out(
    features: pd.DataFrame,
    labels: np.ndarray,
    groups: np.ndarray,
    seed: int = 0,
    *,
    quiet: np.ndarray | None = None,
    fits: HeldOutScores | None = None,
) -> tuple[SourceResult, ...]:
    """Return, per source group, the shares flagged by a model trained without that group.

    Flagged at the label threshold and counted at each mode's counting cut;
    for people also among their ``quiet`` accounts (none when not given). A
    group whose absence leaves a class too small to train on is left out.
    """
    fits = fits or HeldOutScores(features, labels, groups, seed)
    quiet = np.zeros(len(features), dtype=bool) if quiet is None else np.asarray(quiet, bool)
    all_known, without = COUNTING_CUTS[ALL_KNOWN], COUNTING_CUTS[WITHOUT_X_ONLY]
    results = []
    for source in HUMAN_SOURCES + VENDORS:
        held = fits.groups == source
        excluded = frozenset({source})
        if not held.any() or not fits.can_exclude(excluded):
            continue
        scores = fits.without(excluded)
        x, other = scores[ALL_KNOWN][held], scores[WITHOUT_X_ONLY][held]
        people = source in HUMAN_SOURCES
        shy = quiet[held]
        result = SourceResult(
            source=source,
            kind="people" if people else "vendor",
            accounts=int(held.sum()),
            flagged=_share(x, THRESHOLD),
            flagged_without_x_only=_share(other, THRESHOLD),
            counted=_share(x, all_known),
            counted_without_x_only=_share(other, without),
        )
        if people and shy.any():
            result = replace(
                result,
                quiet_accounts=int(shy.sum()),
                quiet_flagged=_share(x[shy], THRESHOLD),
                quiet_flagged_without_x_only=_share(other[shy], THRESHOLD),
                quiet_counted=_share(x[shy], all_known),
                quiet_counted_without_x_only=_share(other[shy], without),
            )
        results.append(result)
    return tuple(results)


def _share(probability: np.ndarray, cut: float) -> float:
    """Return the share of scores at or above ``cut``."""
    return float(np.mean(probability >= cut))


def _flagged(model: Model, rows: pd.DataFrame) -> float:
    """Return the share of ``rows`` the model flags questionable."""
    return float(np.mean(model.predict_proba(rows) >= model.threshold))


def spambot_probe(model: Model, probe: pd.DataFrame) -> tuple[ProbeResult, ...]:
    """Return the share of each spambot group that ``model`` flags (all and without X-only)."""
    features = training_features(probe)
    results = []
    for group in sorted(set(probe["group"].astype(str))):
        rows = features[probe["group"].astype(str).to_numpy() == group]
        results.append(
            ProbeResult(
                group=group,
                accounts=len(rows),
                flagged=_flagged(model, rows),
                flagged_without_x_only=_flagged(model, mask_features(rows, X_ONLY_FEATURES)),
            )
        )
    return tuple(results)


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


def load_probe_table(path: Path | None = None) -> pd.DataFrame | None:
    """Return the spambot probe table, or None where it is not there (an installed wheel)."""
    if path is None and not DEFAULT_PROBE.is_file():
        return None
    return load_training_table(Path(path) if path is not None else DEFAULT_PROBE, probe=True)


def training_sources(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Return, per source group of a training table, what it is, its label, size and years."""
    years = source_years(table)
    out: dict[str, dict[str, Any]] = {}
    for group, part in table.groupby("group", sort=True):
        name = str(group)
        out[name] = {
            "label": "questionable" if int(part["label"].iloc[0]) == 1 else "authentic",
            "accounts": len(part),
            "observed": years[name],
            "what": SOURCES.get(name, ""),
        }
    return out


def evaluate(
    table: pd.DataFrame,
    seed: int = 0,
    folds: int = 10,
    probe: pd.DataFrame | None = None,
    grid: ShiftGrid | None = None,
) -> Evaluation:
    """Return the held-out evaluation of the training procedure on a labelled table.

    ``grid`` is the share-under-shift check to run (``shift.ShiftGrid()``,
    the full one, by default); its pair rates use ``folds``-fold
    cross-validation, as ``train`` does with ten.
    """
    features = training_features(table)
    labels = table["label"].to_numpy(dtype=np.int64)
    groups = table["group"].to_numpy()
    quiet = quiet_rows(table)
    modes = dict(SCORING_MODES)
    modes.update(MISSING_VALUE_MODES)
    scores, threshold, probability = cross_validate_modes(
        features, labels, modes, folds=folds, seed=seed
    )
    bought = labels == 1
    counted = {mode: _share(probability[mode][bought], cut) for mode, cut in COUNTING_CUTS.items()}
    # Models trained without some groups, fitted once for every check that needs them.
    fits = HeldOutScores(features, labels, groups, seed)
    sources = leave_one_source_out(features, labels, groups, seed, quiet=quiet, fits=fits)
    grid = grid or ShiftGrid()
    shifted = shift_check(
        features, labels, groups, quiet, grid=grid, fits=fits, folds=folds, seed=seed
    )
    probes: tuple[ProbeResult, ...] = ()
    if probe is not None and len(probe):
        probes = spambot_probe(fit_features(features, labels, seed=seed), probe)
    return Evaluation(
        seed=seed,
        folds=folds,
        threshold=threshold,
        cross_validation=scores[ALL_KNOWN],
        cross_validation_without_x_only=scores[WITHOUT_X_ONLY],
        leave_one_source_out=sources,
        baselines=baselines(table),
        missing_value_modes={name: scores[name] for name in MISSING_VALUE_MODES},
        spambot_probe=probes,
        training_sources=training_sources(table),
        shift_check=shifted,
        shift_grid=grid,
        counted_out_of_fold=counted,
    )


def main() -> int:
    """Print the evaluation of the repository's training table as JSON; return exit status."""
    evaluation = evaluate(load_training_table(), probe=load_probe_table())
    print(json.dumps(evaluation.to_dict(), indent=2))
    print(evaluation.to_markdown(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
