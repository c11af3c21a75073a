"""Measure the purchased-batch test: false alarms on uniform lists, detection of inserted blocks.

    python benchmarks/batches_power.py            # 500 seeds for false alarms, 200 for detection

Prints, for follower lists with no batch, the share of lists in which any
follow-order bucket is flagged; and, for lists with a block of bought
(questionable) followers inserted at a known position, how often the buckets
covering the block are flagged and nothing else.
"""

from __future__ import annotations

import argparse

import numpy as np

from followaudit.analysis.batches import follow_order_buckets


def uniform(n: int, share: float, rng: np.random.Generator) -> np.ndarray:
    """Return n follower flags, each questionable with probability ``share``."""
    return rng.random(n) < share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--null-seeds", type=int, default=500)
    parser.add_argument("--block-seeds", type=int, default=200)
    args = parser.parse_args()

    print("False alarms: lists with no batch in which any bucket is flagged")
    print(f"{'followers':>10} {'5%':>9} {'10%':>9} {'30%':>9}")
    for n in (100, 200, 1_000, 10_000):
        cells = []
        for share in (0.05, 0.10, 0.30):
            alarms = sum(
                any(
                    b.flagged
                    for b in follow_order_buckets(uniform(n, share, np.random.default_rng(s)))
                )
                for s in range(args.null_seeds)
            )
            cells.append(f"{alarms}/{args.null_seeds}")
        print(f"{n:>10,} " + " ".join(f"{c:>9}" for c in cells))

    print("\nDetection: a block of questionable followers in a list 10% questionable")
    print(
        f"{'followers':>10} {'block (positions)':>20} {'exactly the block':>18} {'block found':>12}"
    )
    for n, first, last in (
        (10_000, 3_001, 4_000),
        (10_000, 3_501, 4_500),
        (10_000, 3_001, 3_500),
        (1_000, 301, 400),
        (1_000, 301, 350),
        (200, 61, 80),
        (10_000, 3_001, 3_200),
    ):
        exact = found = 0
        for s in range(args.block_seeds):
            flags = uniform(n, 0.10, np.random.default_rng(s))
            flags[first - 1 : last] = True
            buckets = follow_order_buckets(flags)
            covering = {i for i, b in enumerate(buckets) if b.first <= last and b.last >= first}
            flagged = {i for i, b in enumerate(buckets) if b.flagged}
            found += bool(flagged & covering)
            exact += bool(flagged) and flagged <= covering
        print(
            f"{n:>10,} {f'{first:,}-{last:,}':>20} {f'{exact}/{args.block_seeds}':>18} "
            f"{f'{found}/{args.block_seeds}':>12}"
        )


if __name__ == "__main__":
    main()
