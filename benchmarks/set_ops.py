"""numpy's set operations against `newscorpus.arrays` (sorting), side by side.

    .venv/bin/python benchmarks/set_ops.py [--sizes 10000 100000 1000000] [--repeat 3]

On random int64 codes (a third of them distinct, each three times, shuffled, as the analysis's
pair and (cluster, article) codes repeat), per size: `np.unique` against `unique`, `np.union1d`
against `union`, `np.setdiff1d` against `difference`, and `np.unique(rows, axis=0,
return_counts=True)` against `unique_pairs`; the best of ``--repeat`` runs of each, and whether
the two give the same result.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newscorpus.arrays import difference, union, unique, unique_pairs  # noqa: E402


def best(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def same(a: object, b: object) -> bool:
    if isinstance(a, tuple):
        return all(same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"numpy {np.__version__}")
    print("| size | operation | numpy, s | newscorpus.arrays, s | same |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for n in args.sizes:
        codes = np.repeat(rng.integers(0, 1 << 40, n // 3 + 1), 3)[:n]
        rng.shuffle(codes)
        half = n // 2
        first, second = codes % 100_000, codes // 100_000 % 1_000_000
        rows = np.stack([first, second], axis=1)
        a, b = codes[:half], codes[half:]
        cases = [
            ("unique", partial(np.unique, codes), partial(unique, codes)),
            ("union", partial(np.union1d, a, b), partial(union, a, b)),
            ("difference", partial(np.setdiff1d, codes, a), partial(difference, codes, a)),
            (
                "unique rows, counts",
                partial(np.unique, rows, axis=0, return_counts=True),
                partial(unique_pairs, first, second),
            ),
        ]
        for name, theirs, ours in cases:
            t_numpy, expected = best(theirs, args.repeat)
            t_ours, found = best(ours, args.repeat)
            print(f"| {n:,} | {name} | {t_numpy:.4f} | {t_ours:.4f} | {same(expected, found)} |")


if __name__ == "__main__":
    main()
