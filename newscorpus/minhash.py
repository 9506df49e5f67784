"""MinHash signatures of text units, vectorised over whole batches with numpy.

The signatures are datasketch's: the ``affine32`` scheme (a MurmurHash3 finaliser, then
``a * h + b mod 2**32`` with datasketch's own permutations for ``num_perm`` and ``seed``), fed
with one 32-bit value per word shingle. A unit's signature therefore equals
``MinHash(num_perm, seed, hashfunc=int)`` updated with `shingle_hashes` of the unit, and can be
wrapped as a `datasketch.LeanMinHash` (`to_lean`). The speed comes from never building a Python
string per shingle: each distinct word is hashed once with xxhash (a cache), shingles are
combined from word hashes with numpy, and the permutations are applied to a block of shingles
at once, reduced per unit with ``np.minimum.reduceat``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import xxhash

# `re` rather than `regex` here: it tokenises about 30% faster, and \w is Unicode-aware in both.
_WORD = re.compile(r"\w+")

_MASK32 = np.uint64(0xFFFFFFFF)
# An odd 64-bit multiplier for combining consecutive word hashes into a shingle hash.
_SHINGLE_MULT = np.uint64(0x9E3779B97F4A7C15)
# MurmurHash3's 32-bit finaliser, as datasketch applies it before the affine permutations.
_FMIX32 = (
    np.uint32(16),
    np.uint32(0x85EBCA6B),
    np.uint32(13),
    np.uint32(0xC2B2AE35),
    np.uint32(16),
)
_MAX32 = np.uint32(0xFFFFFFFF)
# Shingles per block of the permutation broadcast: 128 permutations x 4096 x 4 bytes = 2 MiB.
_BLOCK_SHINGLES = 4096


def words(text: str) -> list[str]:
    """The normalised words of a text: lower-cased runs of word characters.

    >>> words("A joint statement, made on Nov. 10!")
    ['a', 'joint', 'statement', 'made', 'on', 'nov', '10']
    """
    return _WORD.findall(text.lower())


class WordHasher:
    """Hashes words with xxh3-64, caching each distinct word (news vocabularies are small)."""

    def __init__(self, max_cache: int = 2_000_000) -> None:
        self._cache: dict[str, int] = {}
        self._max_cache = max_cache

    def __call__(self, tokens: Sequence[str]) -> list[int]:
        get = self._cache.get
        out: list[Any] = [get(w) for w in tokens]
        if None in out:
            for i, h in enumerate(out):
                if h is None:  # a word missed may have been added since: hash it once
                    out[i] = get(tokens[i]) or self._add(tokens[i])
        return out

    def _add(self, word: str) -> int:
        h = xxhash.xxh3_64_intdigest(word.encode("utf-8"))
        if len(self._cache) < self._max_cache:
            self._cache[word] = h
        return h


def _combine(word_hashes: np.ndarray, k: int) -> np.ndarray:
    """Shingle hashes (uint32) of every window of ``k`` consecutive word hashes."""
    n = len(word_hashes) - k + 1
    acc = word_hashes[:n].copy()
    for j in range(1, k):
        acc = acc * _SHINGLE_MULT + word_hashes[j : j + n]
    return ((acc >> np.uint64(32)) ^ (acc & _MASK32)).astype(np.uint32)


def shingle_hashes(tokens: Sequence[str], k: int, hasher: WordHasher | None = None) -> np.ndarray:
    """The 32-bit hashes of a unit's word ``k``-grams (one shingle of all words if fewer).

    >>> len(shingle_hashes(["a", "b", "c", "d"], 3)), len(shingle_hashes(["a"], 3))
    (2, 1)
    """
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    hashed = np.array((hasher or WordHasher())(tokens), dtype=np.uint64)
    return _combine(hashed, min(k, len(hashed)))


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters ``(a, b)`` for ``num_perm`` and ``seed``:
    drawn as ``MinHash(num_perm, seed).permutations`` draws them (datasketch is not imported: it
    pulls in scipy, a second of start-up for every build and worker). `tests/test_minhash.py`
    checks the two agree.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s3)


class Signer:
    """Computes MinHash signatures for batches of units under one setting of
    ``shingle_size``, ``num_perm`` and ``seed``.

    >>> s = Signer(shingle_size=3, num_perm=16, seed=1)
    >>> sig = s.sign_tokens([words("a complete ceasefire was introduced")])
    >>> sig.shape, sig.dtype
    ((1, 16), dtype('uint32'))
    """

    def __init__(self, shingle_size: int, num_perm: int, seed: int) -> None:
        self.shingle_size = shingle_size
        self.num_perm = num_perm
        self.seed = seed
        a, b = permutations(num_perm, seed)
        self._a = a[:, None]
        self._b = b[:, None]
        self.hasher = WordHasher()

    def sign_tokens(self, units: Sequence[Sequence[str]]) -> np.ndarray:
        """Signatures, one row per unit, of units given as word lists.

        A unit with no words gets datasketch's empty signature (every value 2**32 - 1).
        """
        lengths = np.array([len(u) for u in units], dtype=np.int64)
        flat = [w for u in units for w in u]
        return self.sign_hashes(np.array(self.hasher(flat), dtype=np.uint64), lengths)

    def sign_hashes(self, word_hashes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Signatures of units given as 64-bit word hashes, all units' words in one array
        (``lengths[i]`` words for unit ``i``, in order)."""
        k = self.shingle_size
        out = np.full((len(lengths), self.num_perm), _MAX32, dtype=np.uint32)
        if not len(word_hashes):
            return out
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])

        # Shingles of every unit with at least k words, from one pass over the flat array.
        n_shingles = np.maximum(lengths - k + 1, 0)
        enough = len(word_hashes) >= k
        all_shingles = _combine(word_hashes, k) if enough else np.zeros(0, np.uint32)
        unit_of = np.repeat(np.arange(len(lengths)), n_shingles)
        offset_in_unit = np.arange(len(unit_of)) - np.repeat(
            np.cumsum(n_shingles) - n_shingles, n_shingles
        )
        shingles = all_shingles[starts[unit_of] + offset_in_unit]
        # Units shorter than k words: one shingle of all their words.
        short = np.nonzero((lengths > 0) & (lengths < k))[0]
        if len(short):
            extra = [
                _combine(word_hashes[starts[i] : starts[i + 1]], int(lengths[i]))[0] for i in short
            ]
            shingles = np.concatenate([shingles, np.array(extra, dtype=np.uint32)])
            unit_of = np.concatenate([unit_of, short])
            order = np.argsort(unit_of, kind="stable")
            shingles, unit_of = shingles[order], unit_of[order]
        self._reduce(shingles, unit_of, out)
        return out

    def sign(self, texts: Sequence[str]) -> np.ndarray:
        """Signatures of raw texts (tokenised with `words`)."""
        return self.sign_tokens([words(t) for t in texts])

    def _reduce(self, shingles: np.ndarray, unit_of: np.ndarray, out: np.ndarray) -> None:
        """Apply the permutations to ``shingles`` (grouped by ``unit_of``, ascending) and write
        each unit's minimum into ``out``, a block of about `_BLOCK_SHINGLES` at a time."""
        if not len(shingles):
            return
        mixed = _fmix32(shingles)
        group_starts = np.concatenate([[0], np.flatnonzero(np.diff(unit_of)) + 1])
        # One buffer for every block, computed in place: a fifth faster than new arrays.
        buffer = np.empty((self.num_perm, _BLOCK_SHINGLES), dtype=np.uint32)
        for lo, hi in _blocks(group_starts, len(shingles), _BLOCK_SHINGLES):
            local = group_starts[(group_starts >= lo) & (group_starts < hi)] - lo
            if hi - lo > buffer.shape[1]:  # one unit longer than a block
                buffer = np.empty((self.num_perm, hi - lo), dtype=np.uint32)
            block = buffer[:, : hi - lo]
            np.multiply(self._a, mixed[lo:hi][None, :], out=block)
            np.add(block, self._b, out=block)
            out[unit_of[lo + local]] = np.minimum.reduceat(block, local, axis=1).T


def _blocks(group_starts: np.ndarray, n: int, size: int) -> list[tuple[int, int]]:
    """Split ``range(n)`` into pieces of about ``size`` that start at group starts, so no group
    is cut (a group larger than ``size`` is a piece of its own).

    >>> _blocks(np.array([0, 3, 5, 9]), 12, 4)
    [(0, 3), (3, 5), (5, 9), (9, 12)]
    """
    pieces = []
    lo = 0
    while lo < n:
        if lo + size >= n:
            pieces.append((lo, n))
            break
        i = int(np.searchsorted(group_starts, lo + size, side="right")) - 1
        hi = int(group_starts[i])
        if hi <= lo:
            hi = int(group_starts[i + 1]) if i + 1 < len(group_starts) else n
        pieces.append((lo, hi))
        lo = hi
    return pieces


def to_lean(signature: np.ndarray, seed: int) -> Any:
    """Wrap one signature row as a datasketch `LeanMinHash` (for MinHashLSH, jaccard ...)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=signature, scheme="affine32")


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard of row pairs: the share of equal signature values.

    >>> x = np.array([[1, 2, 3, 4]], dtype=np.uint32)
    >>> float(estimate_jaccard(x, np.array([[1, 2, 0, 0]], dtype=np.uint32))[0])
    0.5
    """
    return (a == b).mean(axis=1)
