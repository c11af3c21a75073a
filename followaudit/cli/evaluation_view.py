"""What `followaudit evaluate` prints: the share under shift first, then the model's figures."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from followaudit.model.evaluation import (
    TARGET_MAX_QUIET_FLAGGED,
    Evaluation,
    Scores,
    SourceResult,
)
from followaudit.model.quantify import ALL_KNOWN, COUNTING_CUTS, WITHOUT_X_ONLY
from followaudit.model.shift import (
    TARGET_MAX_BIAS,
    TARGET_MIN_COVERAGE,
    TARGET_MIN_REACHES_ZERO,
    ShiftCell,
    bias_by_pair,
    grouped_misses,
    shift_rows,
)

MODE_NAMES = {ALL_KNOWN: "X", WITHOUT_X_ONLY: "Bluesky/Mastodon mode"}


def evaluation_tables(result: Evaluation) -> list[RenderableType]:
    """Return the evaluation as tables: the share under shift (the headline), then the rest."""
    parts: list[RenderableType] = []
    for mode in MODE_NAMES:
        cells = [c for c in result.shift_check if c.mode == mode]
        if cells:
            parts += shift_tables(cells, mode)
    for mode in MODE_NAMES:
        parts.append(held_out_table(result.leave_one_source_out, mode))
    parts.append(scores_table(result))
    if result.spambot_probe:
        probe = Table(title="Spambot probe (never trained on; spambots are not fake followers)")
        for name in ("group", "accounts", "flagged", "flagged, no likes/listed"):
            probe.add_column(name, justify="left" if name == "group" else "right")
        for p in result.spambot_probe:
            probe.add_row(
                p.group, f"{p.accounts:,}", f"{p.flagged:.3f}", f"{p.flagged_without_x_only:.3f}"
            )
        parts.append(probe)
    targets = Table(title="Targets")
    targets.add_column("target")
    targets.add_column("met", justify="right")
    for name, met in result.targets().items():
        targets.add_row(name, Text("yes" if met else "NO", style="green" if met else "bold red"))
    parts.append(targets)
    return parts


def shift_tables(cells: Sequence[ShiftCell], mode: str) -> list[RenderableType]:
    """Return one mode's share-under-shift table, its bias per pair and its misses."""
    pairs = list(dict.fromkeys(c.pair for c in cells))
    missed = sum(bool(c.misses()) for c in cells)
    table = Table(
        title=(
            f"Share questionable under shift, {MODE_NAMES[mode]} (counting cut "
            f"{COUNTING_CUTS[mode]}): {len(pairs)} pairs of held-out people and vendor, "
            f"{cells[0].mixtures:,} mixtures a cell; each row's worst pair; bias, RMSE and "
            "width in points; covered: the 95% interval holds the truth; at 0: it reaches 0"
        ),
        box=None,
        padding=(0, 1),
    )
    for name in (
        "share",
        "n",
        "bias",
        "pair",
        "RMSE",
        "covered",
        "pair",
        "at 0",
        "width",
        "missed",
    ):
        table.add_column(name, justify="left" if name == "pair" else "right", no_wrap=True)
    for row in shift_rows(cells):
        bias, coverage = row.worst_bias, row.worst_coverage
        table.add_row(
            f"{row.prevalence:.2f}",
            f"{row.size:,}",
            _marked(f"{100 * bias.bias:+.2f}", abs(bias.bias) > TARGET_MAX_BIAS),
            bias.pair,
            f"{100 * row.max_rmse:.2f}",
            _marked(f"{coverage.coverage:.3f}", coverage.coverage < TARGET_MIN_COVERAGE),
            coverage.pair,
            "-"
            if row.reaches_zero is None
            else _marked(f"{row.reaches_zero:.3f}", row.reaches_zero < TARGET_MIN_REACHES_ZERO),
            f"{100 * row.mean_width:.2f}",
            _marked(str(row.missed), row.missed > 0),
        )
    sizes = sorted({c.size for c in cells})
    size = 2_000 if 2_000 in sizes else sizes[0]
    by_pair = bias_by_pair(cells, size)
    prevalences = sorted({c.prevalence for c in cells})
    biases = Table(
        title=f"Bias per held-out pair at {size:,} followers, {MODE_NAMES[mode]} (points)",
        box=None,
        padding=(0, 1),
    )
    biases.add_column("pair")
    for prevalence in prevalences:
        biases.add_column(f"{prevalence:.2f}", justify="right")
    for pair, values in by_pair.items():
        biases.add_row(
            pair,
            *(
                _marked(f"{100 * values[p]:+.2f}", abs(values[p]) > TARGET_MAX_BIAS)
                for p in prevalences
            ),
        )
    summary = Text(
        f"{MODE_NAMES[mode]}: {missed} of {len(cells)} cells miss a target (|bias| <= "
        f"{100 * TARGET_MAX_BIAS:g} point; the 95% interval holds the truth in >= "
        f"{TARGET_MIN_COVERAGE:.0%} of mixtures; at 0, it reaches 0 in >= "
        f"{TARGET_MIN_REACHES_ZERO:.0%})" + (":" if missed else ".")
    )
    for line in grouped_misses(cells):
        summary.append("\n  " + line)
    return [table, biases, summary, Text("")]


def held_out_table(results: Sequence[SourceResult], mode: str) -> Table:
    """Return one mode's leave-one-source-out table, with each group's quiet people."""
    other = mode != ALL_KNOWN
    table = Table(
        title=(
            f"Leave one source out, {MODE_NAMES[mode]}: trained without the group, scored on "
            f"it; flagged at 0.50, counted at the cut {COUNTING_CUTS[mode]}; quiet = fewer "
            "than 50 posts or 30 followers"
        ),
        box=None,
        padding=(0, 1),
    )
    for name in (
        "held out",
        "kind",
        "accounts",
        "flagged",
        "counted",
        "quiet",
        "quiet flagged",
        "quiet counted",
    ):
        table.add_column(name, justify="left" if name in ("held out", "kind") else "right")
    for r in results:
        quiet: list[Text | str] = ["-", "-", "-"]
        if r.quiet_accounts is not None:
            flagged = r.quiet_flagged_without_x_only if other else r.quiet_flagged
            counted = r.quiet_counted_without_x_only if other else r.quiet_counted
            quiet = [
                f"{r.quiet_accounts:,}",
                _marked(f"{flagged:.3f}", (flagged or 0) > TARGET_MAX_QUIET_FLAGGED),
                _marked(f"{counted:.3f}", (counted or 0) > TARGET_MAX_QUIET_FLAGGED),
            ]
        table.add_row(
            r.source,
            "people" if r.kind == "people" else "vendor",
            f"{r.accounts:,}",
            f"{r.flagged_without_x_only if other else r.flagged:.3f}",
            f"{r.counted_without_x_only if other else r.counted:.3f}",
            *quiet,
        )
    return table


def scores_table(result: Evaluation) -> Table:
    """Return the cross-validated figures and the rule baselines."""
    table = Table(
        title=f"Held-out quality ({result.folds}-fold stratified cross-validation, "
        f"threshold {result.threshold:.2f})"
    )
    for name in ("evaluation", "accounts", "acc", "P", "R", "F1", "MCC", "AUC"):
        table.add_column(name, justify="left" if name == "evaluation" else "right")
    rows: list[tuple[str, Scores]] = [
        ("model, X (all features)", result.cross_validation),
        (
            "model, Bluesky/Mastodon mode (no likes, no listed)",
            result.cross_validation_without_x_only,
        ),
    ]
    rows += [(f"model, {mode}", s) for mode, s in result.missing_value_modes.items()]
    rows += [(f"rule: {name}", s) for name, s in result.baselines.items()]
    for name, s in rows:
        table.add_row(
            name,
            f"{s.accounts:,}",
            f"{s.accuracy:.3f}",
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            f"{s.mcc:.3f}",
            "-" if s.roc_auc is None else f"{s.roc_auc:.4f}",
        )
    return table


def _marked(text: str, missed: bool) -> Text | str:
    """Return a cell, in bold red when it misses its target."""
    return Text(text, style="bold red") if missed else text
