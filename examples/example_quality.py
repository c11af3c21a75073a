"""Print how the shipped model does on the bundled example, against how it was generated.

    python examples/example_quality.py

The example is synthetic (``benchmarks/synthetic.py``): each account was
generated either as a plausible person or as a plausible bought follower.
This compares those labels with the model's, so the description of the
example (README.md, docs/limitations.md) can be checked.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))
sys.path.insert(0, str(HERE))

from make_example import COUNT, OUTPUT, SEED
from synthetic import generate_labelled

from followaudit.analysis.summary import model_rates, summarize
from followaudit.formats import read_accounts
from followaudit.model.forest import load_model
from followaudit.model.scoring import score_table


def main() -> None:
    """Print the confusion counts of the shipped model on the example."""
    bought = [b for b, _ in generate_labelled(COUNT, SEED)]
    read = read_accounts(OUTPUT)
    model = load_model()
    rows = score_table(read.table, model, datetime.now(UTC))
    summary = summarize(rows, read.skipped, model.threshold, rates=model_rates(model, rows))
    if len(rows) != len(bought):
        raise SystemExit("the example file no longer matches its generator: rerun make_example.py")
    flagged = (rows["label"] == "questionable").tolist()
    people = [f for f, b in zip(flagged, bought, strict=True) if not b]
    fakes = [f for f, b in zip(flagged, bought, strict=True) if b]
    print(f"generated: {len(fakes)} bought, {len(people)} people")
    print(f"bought flagged questionable: {sum(fakes)} of {len(fakes)}")
    print(
        f"people flagged questionable: {sum(people)} of {len(people)} "
        f"({sum(people) / len(people):.0%})"
    )
    share = summary.share_questionable
    print(
        f"share flagged: {sum(flagged) / len(flagged):.1%}; share questionable reported "
        f"(corrected): {share.estimate:.1%} ({share.low:.1%}-{share.high:.1%}); "
        f"generated as bought: {len(fakes) / len(bought):.1%}"
    )


if __name__ == "__main__":
    main()
