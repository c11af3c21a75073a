"""The share questionable under population shift: leave-one-source-out mixtures (issue 18).

Your followers are unlike any training group, so the check that matters is
how the corrected share does on people and bought followers the model never
saw. For every pair of a held-out group of people (TFP, E13, GEN, and GENq:
GEN's quiet accounts on their own) and a held-out vendor (FSF, INT, TWT):

- a model trained without both (GENq: without GEN) scores their accounts;
- the counts the share is corrected with are measured exactly as
  ``followaudit train`` measures them (``training.quantification``), but on
  the table without the pair: out of fold, and per remaining source group
  from a model trained without the pair and that group. Nothing the
  estimator uses has seen either held-out group;
- mixtures of a known share of the vendor's accounts among the people's
  (prevalences 0 to .60, 300 to 10,000 followers, many seeded mixtures per
  cell) are drawn as counts: the estimator needs only how many are counted
  at the cut and how many are quiet, so a mixture is four numbers drawn from
  the groups' counts (without replacement where the group is large enough);
- each mixture is corrected (``quantify.counted_shares``), and per cell the
  bias, RMSE, how often the 95% interval holds the truth, and at prevalence
  0 how often it reaches 0, are reported against the targets of issue 18.

Models are fitted once per set of excluded groups (``HeldOutScores``) and
shared between pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from followaudit.model.features import mask_features
from followaudit.model.quantify import (
    ShareRates,
    counted_shares,
    jeffreys_counts,
    read_quantification,
)
from followaudit.model.training import (
    GROUPS,
    MIN_PER_CLASS,
    SCORING_MODES,
    fit_features,
    quantification,
)

# GEN's quiet accounts on their own: held out with GEN (a model that never saw GEN).
QUIET_GEN = "GENq"
SHIFT_PEOPLE: tuple[str, ...] = ("TFP", "E13", "GEN", QUIET_GEN)
SHIFT_VENDORS: tuple[str, ...] = ("FSF", "INT", "TWT")
SHIFT_PREVALENCES: tuple[float, ...] = (0.0, 0.02, 0.05, 0.10, 0.30, 0.60)
SHIFT_SIZES: tuple[int, ...] = (300, 2_000, 10_000)
SHIFT_MIXTURES = 1_000
# Targets of issue 18, per cell.
TARGET_MAX_BIAS = 0.01
TARGET_MIN_COVERAGE = 0.90
TARGET_MIN_REACHES_ZERO = 0.90


@dataclass(frozen=True)
class ShiftGrid:
    """Which cells the check runs: held-out pairs, prevalences, sizes, mixtures per cell."""

    pairs: tuple[tuple[str, str], ...] = tuple(
        (people, vendor) for people in SHIFT_PEOPLE for vendor in SHIFT_VENDORS
    )
    prevalences: tuple[float, ...] = SHIFT_PREVALENCES
    sizes: tuple[int, ...] = SHIFT_SIZES
    mixtures: int = SHIFT_MIXTURES


# `followaudit evaluate --quick`: one pair per people group kind, fewer mixtures.
QUICK_GRID = ShiftGrid(pairs=(("TFP", "FSF"), ("E13", "INT"), (QUIET_GEN, "TWT")), mixtures=200)


@dataclass(frozen=True)
class ShiftCell:
    """The corrected share on mixtures of one held-out pair, prevalence and size."""

    mode: str  # "all known" (X) or "without X-only" (Bluesky, Mastodon)
    people: str
    vendor: str
    prevalence: float
    size: int
    mixtures: int
    mean_estimate: float
    bias: float  # mean estimate minus the true share
    rmse: float
    coverage: float  # share of mixtures whose 95% interval holds the true share
    reaches_zero: float  # share of mixtures whose interval's low end is 0
    mean_width: float

    @property
    def pair(self) -> str:
        """Return the held-out pair as "people+vendor"."""
        return f"{self.people}+{self.vendor}"

    def misses(self) -> list[str]:
        """Return what this cell misses of the targets, with its figures ([] when none)."""
        out = []
        if abs(self.bias) > TARGET_MAX_BIAS:
            out.append(f"bias {100 * self.bias:+.2f} pt")
        if self.coverage < TARGET_MIN_COVERAGE:
            out.append(f"coverage {self.coverage:.3f}")
        if self.prevalence == 0 and self.reaches_zero < TARGET_MIN_REACHES_ZERO:
            out.append(f"reaches 0 in {self.reaches_zero:.3f}")
        return out


class HeldOutScores:
    """P(questionable) of every row, per scoring mode, from models trained without some groups.

    Each model is fitted once, by the shipped procedure, for each set of
    excluded source groups asked for, and scores the whole table.
    """

    def __init__(
        self, features: pd.DataFrame, labels: np.ndarray, groups: np.ndarray, seed: int = 0
    ) -> None:
        self.features = features
        self.labels = np.asarray(labels, dtype=np.int64)
        self.groups = np.asarray(groups).astype(str)
        self.seed = seed
        self._scores: dict[frozenset[str], dict[str, np.ndarray]] = {}

    def can_exclude(self, excluded: frozenset[str]) -> bool:
        """Return whether the table without ``excluded`` still has both classes to learn."""
        rest = self.labels[~np.isin(self.groups, sorted(excluded))]
        return bool(min(np.sum(rest == 0), np.sum(rest == 1)) >= MIN_PER_CLASS)

    def without(self, excluded: frozenset[str]) -> dict[str, np.ndarray]:
        """Return {mode: P of every row} from the model trained without ``excluded``."""
        if excluded not in self._scores:
            keep = ~np.isin(self.groups, sorted(excluded))
            model = fit_features(self.features[keep], self.labels[keep], seed=self.seed)
            self._scores[excluded] = {
                name: model.predict_proba(mask_features(self.features, unknown))
                for name, unknown in SCORING_MODES.items()
            }
        return self._scores[excluded]


def source_of(people: str) -> str:
    """Return the training source a grid group is held out as (GENq -> GEN)."""
    return "GEN" if people == QUIET_GEN else people


def pair_rates(
    fits: HeldOutScores,
    quiet: np.ndarray,
    people: str,
    vendor: str,
    folds: int,
) -> dict[str, ShareRates]:
    """Return the rates ``train`` would store for the table without the pair, per mode."""
    pair = frozenset({source_of(people), vendor})
    keep = ~np.isin(fits.groups, sorted(pair))

    def held_out(source: str) -> dict[str, np.ndarray]:
        scores = fits.without(pair | {source})
        rows = fits.groups == source
        return {name: p[rows] for name, p in scores.items()}

    section = quantification(
        fits.features[keep],
        fits.labels[keep],
        fits.groups[keep],
        quiet[keep],
        seed=fits.seed,
        folds=folds,
        held_out=held_out,
    )
    return read_quantification(section)


def _strata(probability: np.ndarray, quiet: np.ndarray, cut: float) -> np.ndarray:
    """Return a group's counts: [quiet counted, quiet not, active counted, active not]."""
    counted = probability >= cut
    return np.array(
        [
            np.sum(quiet & counted),
            np.sum(quiet & ~counted),
            np.sum(~quiet & counted),
            np.sum(~quiet & ~counted),
        ],
        dtype=np.int64,
    )


def _draw(strata: np.ndarray, k: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Return (m, 4) counts of k accounts drawn from a group (with replacement if it is small)."""
    if k == 0:
        return np.zeros((m, len(strata)), dtype=np.int64)
    total = int(strata.sum())
    if k <= total:
        return rng.multivariate_hypergeometric(strata, k, size=m, method="marginals")
    return rng.multinomial(k, strata / total, size=m)


def shift_check(
    features: pd.DataFrame,
    labels: np.ndarray,
    groups: np.ndarray,
    quiet: np.ndarray,
    *,
    grid: ShiftGrid | None = None,
    fits: HeldOutScores | None = None,
    folds: int = 10,
    seed: int = 0,
) -> tuple[ShiftCell, ...]:
    """Return every cell of the grid, in both scoring modes (see the module docstring).

    Pairs whose groups the table lacks,
    or whose absence leaves a class too small to train on, are left out.
    """
    grid = grid or ShiftGrid()
    fits = fits or HeldOutScores(features, labels, groups, seed)
    quiet = np.asarray(quiet, dtype=bool)
    bounds: dict[tuple[int, float], tuple[np.ndarray, np.ndarray]] = {}
    # The rates depend on the groups left out only: GEN and GENq with one vendor share them.
    rates_without: dict[frozenset[str], dict[str, ShareRates]] = {}
    cells: list[ShiftCell] = []
    for index, (people, vendor) in enumerate(grid.pairs):
        pair = frozenset({source_of(people), vendor})
        present = all(np.any(fits.groups == source) for source in pair)
        if not present or not fits.can_exclude(pair) or GROUPS.get(vendor) != 1:
            continue
        if pair not in rates_without:
            rates_without[pair] = pair_rates(fits, quiet, people, vendor, folds)
        rates = rates_without[pair]
        scores = fits.without(pair)
        people_rows = fits.groups == source_of(people)
        if people == QUIET_GEN:
            people_rows &= quiet
        vendor_rows = fits.groups == vendor
        if not people_rows.any():
            continue
        for mode, mode_rates in rates.items():
            probability = scores[mode]
            held_people = _strata(probability[people_rows], quiet[people_rows], mode_rates.cut)
            held_bought = _strata(probability[vendor_rows], quiet[vendor_rows], mode_rates.cut)
            for size_index, size in enumerate(grid.sizes):
                key = (size, mode_rates.level)
                if key not in bounds:
                    bounds[key] = jeffreys_counts(np.arange(size + 1), size, mode_rates.level)
                for prevalence_index, prevalence in enumerate(grid.prevalences):
                    rng = np.random.default_rng([seed, index, size_index, prevalence_index])
                    bought = round(prevalence * size)
                    counts = _draw(held_bought, bought, grid.mixtures, rng) + _draw(
                        held_people, size - bought, grid.mixtures, rng
                    )
                    estimate, low, high = counted_shares(
                        counts[:, 0] + counts[:, 2],
                        counts[:, 0] + counts[:, 1],
                        size,
                        mode_rates,
                        bounds=bounds[key],
                    )
                    truth = bought / size
                    error = estimate - truth
                    cells.append(
                        ShiftCell(
                            mode=mode,
                            people=people,
                            vendor=vendor,
                            prevalence=prevalence,
                            size=size,
                            mixtures=grid.mixtures,
                            mean_estimate=float(estimate.mean()),
                            bias=float(error.mean()),
                            rmse=float(np.sqrt(np.mean(error**2))),
                            coverage=float(
                                np.mean((low <= truth + 1e-12) & (truth - 1e-12 <= high))
                            ),
                            reaches_zero=float(np.mean(low <= 1e-12)),
                            mean_width=float(np.mean(high - low)),
                        )
                    )
    return tuple(cells)


def misses(cells: Sequence[ShiftCell]) -> list[str]:
    """Return one line per cell that misses a target: "TFP+TWT p=0.10 n=2,000: bias -1.58 pt"."""
    return [
        f"{c.pair} p={c.prevalence:.2f} n={c.size:,}: {', '.join(c.misses())}"
        for c in cells
        if c.misses()
    ]


@dataclass(frozen=True)
class ShiftRow:
    """The worst of every held-out pair at one prevalence and size: one row of the table."""

    prevalence: float
    size: int
    worst_bias: ShiftCell  # the cell with the largest |bias|
    max_rmse: float
    worst_coverage: ShiftCell  # the cell whose interval held the truth least often
    reaches_zero: float | None  # the least often any pair's interval reached 0 (prevalence 0)
    mean_width: float
    missed: int  # cells of this row that miss a target


def shift_rows(cells: Sequence[ShiftCell]) -> list[ShiftRow]:
    """Return one row per (prevalence, size) of one mode's cells, in grid order."""
    rows = []
    for prevalence in sorted({c.prevalence for c in cells}):
        for size in sorted({c.size for c in cells}):
            row = [c for c in cells if c.prevalence == prevalence and c.size == size]
            if not row:
                continue
            rows.append(
                ShiftRow(
                    prevalence=prevalence,
                    size=size,
                    worst_bias=max(row, key=lambda c: abs(c.bias)),
                    max_rmse=max(c.rmse for c in row),
                    worst_coverage=min(row, key=lambda c: c.coverage),
                    reaches_zero=(min(c.reaches_zero for c in row) if prevalence == 0 else None),
                    mean_width=float(np.mean([c.mean_width for c in row])),
                    missed=sum(bool(c.misses()) for c in row),
                )
            )
    return rows


def bias_by_pair(cells: Sequence[ShiftCell], size: int) -> dict[str, dict[float, float]]:
    """Return {pair: {prevalence: bias}} of one mode's cells at one size."""
    out: dict[str, dict[float, float]] = {}
    for c in cells:
        if c.size == size:
            out.setdefault(c.pair, {})[c.prevalence] = c.bias
    return out


def grouped_misses(cells: Sequence[ShiftCell]) -> list[str]:
    """Return the cells missing a target, one line per pair and prevalence, sizes side by side.

    "TFP+TWT at 0.10: bias -1.59 / -1.58 / -1.57 pt (300 / 2,000 / 10,000)" when each size
    misses on bias alone, else each size's misses in turn.
    """
    groups: dict[tuple[str, float], list[ShiftCell]] = {}
    for c in cells:
        if c.misses():
            groups.setdefault((c.pair, c.prevalence), []).append(c)
    lines = []
    for (pair, prevalence), missed in groups.items():
        sizes = " / ".join(f"{c.size:,}" for c in missed)
        if all(len(c.misses()) == 1 and c.misses()[0].startswith("bias") for c in missed):
            biases = " / ".join(f"{100 * c.bias:+.2f}" for c in missed)
            what = f"bias {biases} pt ({sizes})"
        else:
            what = "; ".join(f"{', '.join(c.misses())} ({c.size:,})" for c in missed)
        lines.append(f"{pair} at {prevalence:.2f}: {what}")
    return lines
