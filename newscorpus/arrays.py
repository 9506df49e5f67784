"""Set operations on integer arrays, by sorting.

numpy 2.4's `np.unique` without ``return_*`` (and what calls it: `np.union1d`, `np.setdiff1d`)
goes through a hash table, and `np.unique` of rows (``axis=0``) sorts a structured view; on
this machine both cost many times a plain sort: on a million int64 codes, a third of them
repeated, `np.unique` took 0.39 s and `unique` 0.03 s; the unique rows of a million pairs, with
their counts, 1.9 s (`benchmarks/README.md`, "Sorting instead of `np.unique`"). The results are
the same: sorted, each value once.

>>> unique(np.array([3, 1, 3, 2])).tolist()
[1, 2, 3]
>>> pairs, counts = unique_pairs(np.array([2, 1, 2]), np.array([5, 7, 5]))
>>> pairs.tolist(), counts.tolist()
([[1, 7], [2, 5]], [1, 2])
"""

from __future__ import annotations

import numpy as np


def unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of ``values`` (one-dimensional), sorted: `np.unique`'s result."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`np.union1d`: the distinct values of both, sorted."""
    return unique(np.concatenate([a, b]))


def isin_sorted(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Per value, whether it is in ``members`` (sorted, one-dimensional): `np.isin` by binary
    search."""
    if not len(members):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(members, values), len(members) - 1)
    return members[at] == values


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`np.setdiff1d`: the distinct values of ``a`` not in ``b``, sorted."""
    a = unique(a)
    return a[~isin_sorted(a, unique(b))]


def unique_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique` of the rows ``(first, second)`` (integers) with ``return_counts``: the
    distinct rows, sorted by the first column then the second, and how often each occurs."""
    if not len(first):
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    first, second = first.astype(np.int64), second.astype(np.int64)
    low = min(int(first.min()), int(second.min()))
    span = int(second.max()) - low + 1
    if (int(first.max()) - low + 1) * span >= 1 << 63:  # the codes would not fit: rows
        rows, counts = np.unique(np.stack([first, second], axis=1), axis=0, return_counts=True)
        return rows, counts
    codes = np.sort((first - low) * span + (second - low))
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    counts = np.diff(np.r_[starts, len(codes)])
    codes = codes[starts]
    return np.stack([codes // span + low, codes % span + low], axis=1), counts
