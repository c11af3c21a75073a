"""Compare the shipped ensemble with a single model on every feature, held out the same way.

    python benchmarks/model_variants.py

Reproduces the "before" figures of docs/model.md: the single
all-feature model's 10-fold MCC and AUC and its leave-one-source-out figures,
beside the shipped two-part ensemble's. Both are fitted by
``training.fit_features``; only the ensemble's parts differ. About a minute on
2 cores.
"""

from __future__ import annotations

from functools import partial

from followaudit.model import evaluation, shift, training
from followaudit.model.features import FEATURE_COLUMNS
from followaudit.model.training import (
    ENSEMBLE_PARTS,
    SCORING_MODES,
    fit_features,
    load_training_table,
    training_features,
)

VARIANTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "single model, all features": (FEATURE_COLUMNS,),
    "shipped: all features + follow ratios": ENSEMBLE_PARTS,
}


def main() -> None:
    """Print each variant's held-out figures."""
    table = load_training_table()
    features = training_features(table)
    labels = table["label"].to_numpy()
    groups = table["group"].to_numpy()
    modes = dict(SCORING_MODES)
    for name, parts in VARIANTS.items():
        # The cross-validation (training) and the held-out models (shift) call the fit
        # function their module imported: swap in this variant's in both.
        variant = partial(fit_features, parts=parts)
        training.fit_features = variant  # type: ignore[assignment]
        shift.fit_features = variant  # type: ignore[assignment]
        scores, _, _ = evaluation.cross_validate_modes(features, labels, modes)
        held = evaluation.leave_one_source_out(features, labels, groups)
        print(name)
        for mode, s in scores.items():
            print(f"  10-fold CV, {mode}: MCC {s.mcc:.4f}, AUC {s.roc_auc:.4f}")
        for r in held:
            what = "flagged" if r.kind == "people" else "caught"
            print(f"  {r.source} held out ({r.kind}): {what} {r.flagged:.3f}")


if __name__ == "__main__":
    main()
