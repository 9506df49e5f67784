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


def first_of_each(high: np.ndarray, low: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique` of the keys ``(high, low)`` with ``return_index`` and ``return_inverse``:
    each distinct key's first position, in key order, and each position's distinct key
    (sorting two columns, which is many times faster than `np.unique`'s rows).

    >>> first, inverse = first_of_each(np.array([5, 3, 5, 3]), np.array([1, 2, 1, 0]))
    >>> first.tolist(), inverse.tolist()
    ([3, 1, 0], [2, 1, 2, 0])
    """
    by_key = np.lexsort((low, high))  # stable: a key's positions stay in order
    high, low = high[by_key], low[by_key]
    starts = np.r_[True, (high[1:] != high[:-1]) | (low[1:] != low[:-1])] if len(by_key) else []
    inverse = np.empty(len(by_key), dtype=np.int64)
    inverse[by_key] = np.cumsum(starts) - 1
    return by_key[np.asarray(starts, dtype=bool)], inverse


def positions(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The place of each of ``wanted`` in ``values`` (sorted, unique), or -1 where it is not
    there.

    >>> positions(np.array([2, 5, 9]), np.array([5, 3, 9, 10])).tolist()
    [1, -1, 2, -1]
    """
    at = np.searchsorted(values, wanted)
    found = at < len(values)
    found[found] = values[at[found]] == wanted[found]
    return np.where(found, at, -1)


def ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The positions ``starts[i] ... starts[i] + sizes[i] - 1`` of each range, one range after
    another.

    >>> ranges(np.array([5, 0, 9]), np.array([2, 1, 0])).tolist()
    [5, 6, 0]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    at = np.repeat(np.asarray(starts, dtype=np.int64) - np.r_[0, np.cumsum(sizes)[:-1]], sizes)
    return at + np.arange(len(at))


def first_new(numbers: np.ndarray, before: int) -> np.ndarray:
    """The positions where each number from ``before`` on first appears, in order: of what
    `KeyIndex.add` returns, where each new key was first seen (it numbers new keys in the order
    of their first position, so a first position raises the highest number seen so far).

    >>> first_new(np.array([0, 1, 2, 1, 3, 0]), 1).tolist()
    [1, 2, 4]
    """
    at = np.flatnonzero(numbers >= before)
    new = numbers[at]
    return at[new > np.r_[before - 1, np.maximum.accumulate(new)[:-1]]]


# Multipliers of the slot hash (splitmix64's): any key, even a run of small integers or keys
# equal in one half, spreads over the table.
_MIX_HIGH = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_MIN_BITS = 10


class KeyIndex:
    """Numbers for 128-bit keys, each given as its two halves ``(low, high)`` (uint64), in the
    order the keys were first added: a dict from key to number, as numpy arrays.

    A dict of 16-byte keys costs about 150 bytes a key (the bytes object, the number, the
    entry); at 1 GB of news, 6.5 million distinct units, about 1 GB. This holds the keys in two
    arrays and the numbers in an open-addressing table (linear probing, at most half full) of
    4 bytes a slot: 40 to 50 bytes a key, as the arrays grow by doubling. Keys are looked up
    and added a batch at a time, each probe step one numpy operation over the keys still
    looking.

    >>> index = KeyIndex()
    >>> index.add(np.array([7, 9, 7], np.uint64), np.array([1, 1, 1], np.uint64)).tolist()
    [0, 1, 0]
    >>> index.add(np.array([5, 9], np.uint64), np.array([1, 1], np.uint64)).tolist()
    [2, 1]
    >>> index.get(np.array([9, 8], np.uint64), np.array([1, 1], np.uint64)).tolist()
    [1, -1]
    """

    def __init__(self, expected: int = 0) -> None:
        """``expected``: how many keys the index is made ready for (it grows beyond them
        as it must): growing the table means placing every key again, which took 1.5 of
        3.6 s numbering the units of the 1 GB store (6,276,839 distinct of 8,305,663)."""
        self._n = 0
        self._low = np.zeros(expected, dtype=np.uint64)
        self._high = np.zeros(expected, dtype=np.uint64)
        self._bits = max(_MIN_BITS, (2 * expected - 1).bit_length())
        dtype = np.int32 if self._bits <= 32 else np.int64
        self._table = np.full(1 << self._bits, -1, dtype=dtype)  # a key's number, or -1

    def __len__(self) -> int:
        return self._n

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key's ``(low, high)``, by number."""
        return self._low[: self._n], self._high[: self._n]

    def get(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Each key's number, or -1 for a key never added."""
        low, high = np.asarray(low, dtype=np.uint64), np.asarray(high, dtype=np.uint64)
        return self._find(low, high)

    def add(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Each key's number: a key not added before takes the next number, in the order of
        its first position here."""
        low, high = np.asarray(low, dtype=np.uint64), np.asarray(high, dtype=np.uint64)
        found = self._find(low, high)
        absent = np.flatnonzero(found < 0)
        if len(absent):
            first, inverse = first_of_each(high[absent], low[absent])
            order = np.argsort(first)  # the new keys in the order of their first position
            numbers = np.empty(len(first), dtype=np.int64)
            at = absent[first[order]]
            numbers[order] = self._append(low[at], high[at])
            found[absent] = numbers[inverse]
        return found

    def _slots(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        mixed = (low ^ (high * _MIX_HIGH)) * _MIX
        return (mixed >> np.uint64(64 - self._bits)).astype(np.int64)

    def _find(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        found = np.full(len(low), -1, dtype=np.int64)
        slot = self._slots(low, high)
        looking = np.arange(len(low))
        mask = len(self._table) - 1
        while len(looking):
            held = self._table[slot].astype(np.int64)
            busy = held >= 0  # an empty slot ends a probe: the key is not here
            looking, slot, held = looking[busy], slot[busy], held[busy]
            same = (self._low[held] == low[looking]) & (self._high[held] == high[looking])
            found[looking[same]] = held[same]
            looking, slot = looking[~same], (slot[~same] + 1) & mask
        return found

    def _append(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Number keys not in the index, each once, in order; returns their numbers."""
        start, end = self._n, self._n + len(low)
        if end > len(self._low):
            size = max(end, 2 * len(self._low))
            self._low = np.concatenate([self._low[:start], np.zeros(size - start, np.uint64)])
            self._high = np.concatenate([self._high[:start], np.zeros(size - start, np.uint64)])
        self._low[start:end], self._high[start:end] = low, high
        self._n = end
        if 2 * end > len(self._table):
            while 2 * end > 1 << self._bits:
                self._bits += 1
            dtype = np.int32 if self._bits <= 32 else np.int64
            self._table = np.full(1 << self._bits, -1, dtype=dtype)
            self._place(np.arange(end))
        else:
            self._place(np.arange(start, end))
        return np.arange(start, end)

    def _place(self, numbers: np.ndarray) -> None:
        """Put keys of the index (by number) in the table, where none of them is yet."""
        slot = self._slots(self._low[numbers], self._high[numbers])
        mask = len(self._table) - 1
        while len(numbers):
            free = self._table[slot] < 0
            # Of several keys at one free slot, one takes it (whichever numpy writes last);
            # the others, like those at a taken slot, look at the next slot.
            self._table[slot[free]] = numbers[free]
            placed = np.zeros(len(numbers), dtype=bool)
            placed[free] = self._table[slot[free]] == numbers[free]
            numbers, slot = numbers[~placed], (slot[~placed] + 1) & mask
