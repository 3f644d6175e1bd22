"""Development check of `k='auto'`: how often the true number of planted groups is chosen.

Run: PYTHONPATH=src python tests/segments/clustering/dev_hit_rate.py (about 15 minutes on one
core). Each data set is scored once; the k chosen without the numeric-support check is read
from the same table (rank_table without `numeric_silhouette_min`), so both rules are compared
on identical fits. Not a test: the numbers go to docs/clustering.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from planted import (  # noqa: E402
    category_split_customers,
    planted_customers,
    profile_customers,
)

from segmint.segments.clustering import ClusterSegmenter  # noqa: E402
from segmint.segments.clustering.selection import chosen_k, rank_table  # noqa: E402

# (generator, group counts, seeds): 9 + 12 + 12 = 33 data sets
DEV_SET = [
    (category_split_customers, (3, 4, 5), range(3)),
    (planted_customers, (3, 4, 5, 6), range(3)),
    (profile_customers, (3, 4, 5, 6), range(3)),
]


def main() -> None:
    """Print the hit rate per generator and in total, with and without the numeric check."""
    totals = np.zeros(3, dtype=int)  # data sets, hits with the check, hits without
    for generator, groups, seeds in DEV_SET:
        counts = np.zeros(3, dtype=int)
        for n_groups in groups:
            for seed in seeds:
                frame, _ = generator(n_groups, n_rows=3000, seed=seed)
                model = ClusterSegmenter(random_state=0).fit(frame.drop(columns=frame.columns[0]))
                without = chosen_k(rank_table(model.scores_.drop(columns="numeric_silhouette_min")))
                counts += [1, model.k_ == n_groups, without == n_groups]
                print(generator.__name__, n_groups, seed, model.k_, without, flush=True)
        totals += counts
        print(f"{generator.__name__}: {counts[1]} of {counts[0]} (without: {counts[2]})")
    print(f"total: {totals[1]} of {totals[0]} (without the numeric check: {totals[2]})")


if __name__ == "__main__":
    main()
