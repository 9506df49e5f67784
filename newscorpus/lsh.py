"""Locality-sensitive hashing over MinHash signatures, as numpy banding.

The same candidates as datasketch's `MinHashLSH` with ``params=(bands, rows)`` (two signatures
are candidates when all ``rows`` values of some band agree), computed by sorting band keys
instead of filling hash tables: about 25 times faster and a seventh of the memory on 200k
signatures (see PERFORMANCE.md). `tests/test_lsh.py` checks the two give the same pairs.

Buckets are ordered by a caller-given key (a content hash), never by input position, so the
candidates do not depend on the order the corpus was read in.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import numpy as np

from newscorpus.arrays import difference, isin_sorted, ranges, unique

_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per signature and band, shape ``(n, bands)``.

    With ``rows`` values of at most 64 bits in all (two 32-bit values, four 16-bit ones) the
    key holds the band's values exactly; with more they are mixed into 64 bits (a collision
    only adds a candidate, which verification then drops).
    """
    return np.stack([band_key(signatures, b, rows) for b in range(bands)], axis=1)


def band_key(signatures: np.ndarray, band: int, rows: int) -> np.ndarray:
    """The uint64 key of every signature for one band (see `band_keys`), made from that band's
    columns alone, so a corpus's keys never need to be held for all bands at once."""
    width = 8 * signatures.dtype.itemsize
    exact = rows * width <= 64
    key = np.zeros(len(signatures), dtype=np.uint64)
    for r in range(rows):
        column = signatures[:, band * rows + r].astype(np.uint64)
        key = (key << np.uint64(width)) | column if exact else key * _MIX + column
    return key


def candidate_pairs(
    signatures: np.ndarray,
    bands: int,
    rows: int,
    order_key: np.ndarray | None = None,
    max_bucket: int = 64,
) -> np.ndarray:
    """Index pairs ``(i, j)``, ``i < j``, sorted and unique, of signatures that share a band.

    ``order_key`` (one sortable value per signature) orders each bucket. A bucket of more than
    ``max_bucket`` members contributes a star (its first member with every other) and a chain
    (each member with the next) instead of every pair: the same connected components, at a cost
    linear in the bucket's size.

    >>> sig = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [7, 7, 3, 4], [5, 5, 5, 5]], dtype=np.uint32)
    >>> candidate_pairs(sig, bands=2, rows=2).tolist()
    [[0, 1], [0, 2]]
    """
    n = len(signatures)
    codes = UniqueCodes()
    for pairs in band_pairs(signatures, bands, rows, order_key, max_bucket):
        codes.add(pair_codes(pairs, n))
    return decode_pairs(codes.result(), n)


def band_pairs(
    signatures: np.ndarray,
    bands: int,
    rows: int,
    order_key: np.ndarray | None = None,
    max_bucket: int = 64,
    only: tuple[int, int] | None = None,
) -> Iterator[np.ndarray]:
    """The candidate pairs of each band in turn (see `candidate_pairs`), one array per band;
    a pair is found again in every band its two signatures share. Holds one band at a time.
    ``only``: the bands from ``only[0]`` to ``only[1]`` alone."""
    n = len(signatures)
    if n < 2:
        return
    # Members of a bucket in order_key order: order once by the key, then each band by a stable
    # sort (a radix sort for integers), which keeps that order within equal band keys.
    by_key = np.arange(n) if order_key is None else np.argsort(order_key, kind="stable")
    # Band keys of 32 bits or fewer (16-bit values, two rows) sort faster packed with each
    # signature's rank in order_key order into one uint64: the same order, one plain sort.
    packable = rows * 8 * signatures.dtype.itemsize <= 32 and n < 1 << 32
    if packable:
        rank = np.empty(n, dtype=np.uint64)
        rank[by_key] = np.arange(n, dtype=np.uint64)
    for b in range(*(only or (0, bands))):
        keys = band_key(signatures, b, rows)
        if packable:
            packed = np.sort((keys << np.uint64(32)) | rank)
            order = by_key[(packed & np.uint64(0xFFFFFFFF)).astype(np.int64)]
            sorted_keys = packed >> np.uint64(32)
        else:
            order = by_key[np.argsort(keys[by_key], kind="stable")]
            sorted_keys = keys[order]
        edges = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
        starts = np.concatenate([[0], edges])
        sizes = np.diff(np.concatenate([starts, [n]]))
        multi = sizes > 1
        yield bucket_pairs(order, starts[multi], sizes[multi], max_bucket)


def pair_codes(pairs: np.ndarray, n: int) -> np.ndarray:
    """One int64 per pair of indices below ``n``, the same whichever comes first."""
    return np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1])


def decode_pairs(codes: np.ndarray, n: int) -> np.ndarray:
    """The pairs ``(i, j)``, ``i < j``, of `pair_codes`."""
    return np.stack([codes // n, codes % n], axis=1)


class UniqueCodes:
    """Pair codes collected in parts and made unique every time the new ones outgrow those
    kept: similar signatures share many bands, so most parts repeat codes already kept."""

    def __init__(self) -> None:
        self._kept = np.zeros(0, dtype=np.int64)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, codes: np.ndarray) -> None:
        self._pending.append(codes)
        self._pending_size += len(codes)
        if self._pending_size > max(len(self._kept), 1 << 20):
            self._merge()

    def _merge(self) -> None:
        self._kept = unique(np.concatenate([self._kept, *self._pending]))
        self._pending, self._pending_size = [], 0

    def result(self) -> np.ndarray:
        """Every code added, once each, sorted."""
        self._merge()
        return self._kept


def bucket_pairs(
    order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, max_bucket: int
) -> np.ndarray:
    """Pairs of members within each bucket ``order[start:start + size]``: every pair in a
    bucket of up to ``max_bucket`` members, a star and a chain in a larger one.

    >>> bucket_pairs(np.array([7, 8, 9]), np.array([0]), np.array([3]), 8).tolist()
    [[7, 8], [7, 9], [8, 9]]
    >>> bucket_pairs(np.array([7, 8, 9, 10]), np.array([0]), np.array([4]), 2).tolist()
    [[7, 8], [7, 9], [7, 10], [8, 9], [9, 10]]
    """
    out = []
    small = sizes <= max_bucket
    for size in np.unique(sizes[small]):
        rows = order[starts[small & (sizes == size)][:, None] + np.arange(size)]
        a, b = _upper_pairs(int(size))
        out.append(np.stack([rows[:, a].ravel(), rows[:, b].ravel()], axis=1))
    for start, size in zip(starts[~small], sizes[~small]):
        members = order[start : start + size]
        out.append(np.stack([np.full(size - 1, members[0]), members[1:]], axis=1))
        out.append(np.stack([members[1:-1], members[2:]], axis=1))
    return np.concatenate(out).astype(np.int64) if out else np.zeros((0, 2), dtype=np.int64)


@lru_cache(maxsize=256)
def _upper_pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.triu_indices(size, k=1)`, made once per bucket size (read only)."""
    a, b = np.triu_indices(size, k=1)
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


def grown_candidates(
    signatures: np.ndarray,
    bands: int,
    rows: int,
    order_key: np.ndarray,
    max_bucket: int,
    n_old: int,
    among: np.ndarray | None = None,
    checked: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """What changes in `candidate_pairs` when signatures ``n_old...`` join the first
    ``n_old``: the candidate pairs that hold an added signature, and the pairs of the first
    ``n_old`` that were candidates among them alone and are no longer (as pair codes,
    `pair_codes` with ``n = len(signatures)``, sorted and unique). With ``among`` (pair
    codes, sorted), only the lost pairs among those: an index that holds only some old
    candidates (verified pairs) needs no other looked for in every band. ``checked`` False
    leaves that look out: ``lost`` then also holds pairs that lose their place in one band's
    bucket but stay candidates in another.

    So the candidates of all of them are those of the first ``n_old``, but the lost ones, and
    the added ones; an index of the first ``n_old``'s candidates (their verified pairs) grows
    without banding them again. Only buckets that an added signature joins are looked at:
    a bucket of up to ``max_bucket`` members pairs all of them, so its old pairs stay; in a
    larger one a new member breaks the chain between its neighbours, and a new first member
    takes the star over. A lost pair may still be a candidate in another band; it is lost
    only if it is a candidate in none. Holds one band's keys at a time.

    One band, one bucket of four: a star from 0, and the chain 1-3-2 breaks 1-2.

    >>> sig = np.ones((4, 2), dtype=np.uint32)
    >>> added, lost = grown_candidates(sig, 1, 2, np.array([0, 2, 6, 4]), 2, n_old=3)
    >>> decode_pairs(added, 4).tolist(), decode_pairs(lost, 4).tolist()
    ([[0, 3], [1, 3], [2, 3]], [[1, 2]])
    """
    n = len(signatures)
    empty = np.zeros(0, dtype=np.int64)
    if n_old >= n or n < 2:
        return empty, empty
    columns = _BandColumns(signatures, rows)
    added, lost = UniqueCodes(), UniqueCodes()
    for b in range(bands):
        wanted = unique(band_key(signatures[n_old:], b, rows))
        order, starts, sizes = _buckets_of(
            signatures, columns, b, rows, wanted, order_key, max_bucket
        )
        multi = sizes > 1
        pairs = bucket_pairs(order, starts[multi], sizes[multi], max_bucket)
        added.add(pair_codes(pairs[(pairs >= n_old).any(axis=1)], n))
        for start, size in zip(starts[sizes > max_bucket], sizes[sizes > max_bucket]):
            members = order[start : start + size]
            old = members[members < n_old]
            if len(old) < 2:
                continue
            one = np.array([0])
            before = pair_codes(bucket_pairs(old, one, np.array([len(old)]), max_bucket), n)
            now = pair_codes(bucket_pairs(members, one, np.array([size]), max_bucket), n)
            lost.add(difference(before, now))
    lost_codes = lost.result()
    if among is not None:
        lost_codes = lost_codes[isin_sorted(lost_codes, among)]
    if checked and len(lost_codes):
        lost_codes = lost_codes[
            ~_still_candidates(signatures, columns, bands, rows, order_key, max_bucket, lost_codes)
        ]
    return added.result(), lost_codes


class _BandColumns:
    """The columns of each band of ``signatures``, each column contiguous: a column of the
    row-major signatures is read a value every row (every 256 bytes), which cost more than the
    rest of growing the pairs. Bands are transposed a group at a time (the last group kept),
    4096 rows at a time, which stays in cache: a third of the time of `np.ascontiguousarray`
    on the whole transpose, and an eighth of the signatures' memory.

    Where a band's values are 32 bits in all (two rows of 16 bits, the default), each band is
    one uint32 of the signature's row, read as such (`whole`): half the values to transpose,
    and the band's key needs no making. Its digits are in memory order, not `band_key`'s
    (`_memory_order` turns one into the other)."""

    def __init__(self, signatures: np.ndarray, rows: int, group: int = 8) -> None:
        self.signatures, self.rows, self.group = signatures, rows, group
        # The group of bands transposed last (its first band, and of which table), and its
        # columns.
        self._first: tuple[int, np.dtype] | None = None
        self._columns = signatures[:0].T
        # One buffer for every group: a new one a group was memory the system had to hand
        # over again, page by page (96 MB a group at 1 GB).
        self._buffer: np.ndarray | None = None
        #: The signatures as one uint32 per band, where a band is 32 bits in all.
        self.words: np.ndarray | None = None
        if (
            rows * signatures.dtype.itemsize == 4
            and signatures.ndim == 2
            and signatures.shape[1] % rows == 0
            and signatures.flags.c_contiguous
        ):
            self.words = signatures.view(np.uint32)

    def band(self, band: int) -> np.ndarray:
        """The ``rows`` columns of ``band``, shape ``(rows, n)``."""
        return self._group(self.signatures, band * self.rows, self.rows)

    def whole(self, band: int) -> np.ndarray:
        """The 32 bits of ``band`` of every signature as one uint32, in memory order (only
        where `words` is not None)."""
        if self.words is None:
            raise RuntimeError("internal error: a band of more or less than 32 bits")
        return self._group(self.words, band, 1)[0]

    def _group(self, table: np.ndarray, column: int, width: int) -> np.ndarray:
        """Columns ``column`` to ``column + width`` of ``table`` (the signatures, or their
        `words`), each contiguous: the group of bands that holds them is transposed first."""
        band = column // width
        first = band - band % self.group
        if (first, table.dtype) != self._first:
            lo, hi = first * width, (first + self.group) * width
            n = len(table)
            part = table[:, lo:hi]
            need = part.shape[1] * n * table.dtype.itemsize
            if self._buffer is None or len(self._buffer) < need:
                self._buffer = np.empty(need, dtype=np.uint8)
            columns = self._buffer[:need].view(table.dtype).reshape(part.shape[1], n)
            for start in range(0, n, 4096):
                columns[:, start : start + 4096] = part[start : start + 4096].T
            self._first, self._columns = (first, table.dtype), columns
        at = (band - first) * width
        return self._columns[at : at + width]


def _memory_order(keys: np.ndarray, rows: int, width: int) -> np.ndarray:
    """`band_key`'s exact keys of ``rows`` values of ``width`` bits (32 in all) as the band's
    uint32 reads them in memory (`_BandColumns.whole`), or back: on a little-endian machine
    the first value is the low digit, not the high one; on a big-endian one they agree."""
    keys = keys.astype(np.uint32)
    if not np.little_endian or rows == 1:
        return keys
    mask = np.uint32((1 << width) - 1)
    out = np.zeros(len(keys), dtype=np.uint32)
    for r in range(rows):
        digit = (keys >> np.uint32(width * r)) & mask
        out |= digit << np.uint32(width * (rows - 1 - r))
    return out


def _buckets_of(
    signatures: np.ndarray,
    columns: _BandColumns,
    band: int,
    rows: int,
    wanted: np.ndarray,
    order_key: np.ndarray,
    max_bucket: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The buckets of ``band`` whose keys are the sorted ``wanted``: their members, a bucket
    of more than ``max_bucket`` in ``order_key`` order (ties by number: its star and chain
    depend on it), the others by number; and each bucket's start and size in that array.

    Only the signatures that a table of the wanted keys lets through are looked up in them.
    With exact keys (`band_key`), a table per row of the values the wanted keys hold there
    rules most signatures out before their keys are made, while few keys are wanted. Many
    wanted keys fill those tables (an add of 1% at 1 GB: 60,000 keys a band, which hold most
    of the 65,536 values of a 16-bit row), and the lookups then took 13 of 29 s: keys of up to
    32 bits are then made whole for every signature, and the table is of their hashes
    (`_hash_slots`), 64 to 128 slots a wanted key, so that about one signature in 100 that is
    not wanted passes. A band of 32 bits in all (two rows of 16 bits, the default) is read
    whole from the signatures' memory (`_BandColumns.whole`), whatever the number of wanted
    keys: half the values to transpose, and no key to make from its rows; its table holds
    the wanted keys themselves (`_KeyTable`), so what passes needs no search. Longer keys
    that are not exact (`band_key` mixes them) are ruled out by a table of their low bits.
    """
    if columns.words is not None and len(wanted) >= _WHOLE_FROM:
        width = 8 * signatures.dtype.itemsize
        members, keys = _KeyTable(_memory_order(wanted, rows, width)).members(columns.whole(band))
    else:
        maybe, keys = _passed(signatures, columns, band, rows, wanted)
        hit = isin_sorted(keys, wanted)
        members, keys = maybe[hit], keys[hit]
    # Members are in ascending order, and the sorts are stable: ties by number.
    by_bucket = np.argsort(keys, kind="stable")
    order, sorted_keys = members[by_bucket], keys[by_bucket]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    starts = starts if len(order) else starts[:0]
    sizes = np.diff(np.r_[starts, len(order)])
    large = sizes > max_bucket
    if large.any():
        at = ranges(starts[large], sizes[large])
        bucket = np.repeat(np.arange(int(large.sum())), sizes[large])
        order[at] = order[at[np.lexsort((order_key[order[at]], bucket))]]
    return order, starts, sizes


def _passed(
    signatures: np.ndarray, columns: _BandColumns, band: int, rows: int, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The signatures that a table of the sorted ``wanted`` keys of ``band`` lets through
    (`_buckets_of`), and their keys (`band_key`): the wanted ones among others."""
    width = 8 * signatures.dtype.itemsize
    mask = (1 << min(_FILTER_BITS, width)) - 1
    if rows * width <= 32 and len(wanted) >= _HASHED_FROM:
        band_columns = columns.band(band)
        whole = band_columns[0].astype(np.uint32)
        for r in range(1, rows):
            whole = (whole << np.uint32(width)) | band_columns[r]
        bits = min(max(int(len(wanted)).bit_length() + 6, 16), _HASH_BITS)
        table = np.zeros(1 << bits, dtype=bool)
        table[_hash_slots(wanted.astype(np.uint32), bits)] = True
        maybe = np.flatnonzero(np.take(table, _hash_slots(whole, bits)))
        keys = whole[maybe].astype(np.uint64)
    elif rows * width <= 64:
        band_columns = columns.band(band)
        maybe = None  # the signatures that hold the wanted values in the rows so far
        for r in range(rows):
            value = (wanted >> np.uint64(width * (rows - 1 - r))) & np.uint64((1 << width) - 1)
            table = np.zeros(mask + 1, dtype=bool)
            table[(value & np.uint64(mask)).astype(np.int64)] = True
            column = band_columns[r] if maybe is None else band_columns[r, maybe]
            hit = np.take(table, column if width <= _FILTER_BITS else column & mask)
            maybe = np.flatnonzero(hit) if maybe is None else maybe[hit]
        keys = band_key(band_columns[:, maybe].T, 0, rows)
    else:
        table = np.zeros(mask + 1, dtype=bool)
        table[(wanted & np.uint64(mask)).astype(np.int64)] = True
        keys = band_key(columns.band(band).T, 0, rows)
        maybe = np.flatnonzero(table[(keys & np.uint64(mask)).astype(np.int64)])
        keys = keys[maybe]
    return maybe, keys


class _KeyTable:
    """A lookup of uint32 keys by their hashes (`_hash_slots`, 16 to 32 slots a key): each
    slot holds a key that falls in it, so that a key found there is known at once; a key that
    shares its slot with another is looked for among all of them."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = np.sort(keys)
        self.bits = min(max(int(len(keys)).bit_length() + 4, 16), _HASH_BITS)
        slots = _hash_slots(self.keys, self.bits)
        self.held = np.zeros(1 << self.bits, dtype=bool)
        self.held[slots] = True
        self.key_at = np.zeros(1 << self.bits, dtype=np.uint32)
        self.key_at[slots] = self.keys
        taken = np.sort(slots)
        self.crowded = np.zeros(1 << self.bits, dtype=bool)
        self.crowded[taken[1:][taken[1:] == taken[:-1]]] = True

    def members(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where ``values`` holds one of the keys, and those values."""
        slots = _hash_slots(values, self.bits)
        maybe = np.flatnonzero(np.take(self.held, slots))
        slots, found = slots[maybe], values[maybe]
        hit = self.key_at[slots] == found
        other = np.flatnonzero(~hit & self.crowded[slots])
        if len(other):
            hit[other] = isin_sorted(found[other], self.keys)
        return maybe[hit], found[hit]


_FILTER_BITS = 20
# From how many wanted keys of up to 32 bits a table of their hashes finds the members, and
# at most how many slots (2**26, 64 MB) it has (`_buckets_of`).
_HASHED_FROM = 1 << 13
_HASH_BITS = 26
# From how many wanted keys a band of 32 bits is read whole (`_BandColumns.whole`): always;
# the tests set it higher to reach the other tables.
_WHOLE_FROM = 0


def _hash_slots(keys: np.ndarray, bits: int) -> np.ndarray:
    """A slot of ``2**bits`` for each uint32 key: the top bits of a multiplicative hash, which
    spreads keys that differ only in their low bits (the values of a band's last row)."""
    return (keys * np.uint32(0x9E3779B1)) >> np.uint32(32 - bits)


def _still_candidates(
    signatures: np.ndarray,
    columns: _BandColumns,
    bands: int,
    rows: int,
    order_key: np.ndarray,
    max_bucket: int,
    codes: np.ndarray,
) -> np.ndarray:
    """Per pair code, whether the pair is a candidate of `candidate_pairs` in some band: its
    two signatures share a bucket that is small, or one of them is the bucket's first member,
    or they follow each other in it."""
    n = len(signatures)
    x, y = codes // n, codes % n
    found = np.zeros(len(codes), dtype=bool)
    for b in range(bands):
        key_x, key_y = band_key(signatures[x], b, rows), band_key(signatures[y], b, rows)
        ask = np.flatnonzero(~found & (key_x == key_y))
        if not len(ask):
            continue
        wanted = unique(key_x[ask])
        order, starts, sizes = _buckets_of(
            signatures, columns, b, rows, wanted, order_key, max_bucket
        )
        bucket = np.repeat(np.arange(len(starts)), sizes)
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(len(order))
        px, py = position[x[ask]], position[y[ask]]
        first = starts[bucket[px]]
        found[ask] = (
            (sizes[bucket[px]] <= max_bucket)
            | (px == first)
            | (py == first)
            | (np.abs(px - py) == 1)
        )
    return found
