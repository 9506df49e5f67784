"""Numpy banding proposes exactly the candidates datasketch's MinHashLSH does."""

import contextlib
import random

import numpy as np
from datasketch import MinHashLSH
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newscorpus import lsh
from newscorpus.blocks import _link, shrunk_pairs, verified_pairs
from newscorpus.dask_engine import (
    _NO_PAIRS,
    _attach,
    _band_map,
    _band_reduce,
    _clustered_units,
    _forests_joined,
    _group_units,
    _linked_of,
    _passed_by_group,
    _passed_joined,
    _strong_forest,
    _verify_attached,
    _weak_pairs,
)
from newscorpus.lsh import candidate_pairs, decode_pairs, grown_candidates, pair_codes
from newscorpus.minhash import Signer, to_lean
from newscorpus.settings import Settings


def _variants(seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(80)]
    texts = []
    for _ in range(60):
        base = [rng.choice(vocab) for _ in range(25)]
        for _ in range(3):
            t = list(base)
            for _ in range(rng.randint(0, 10)):
                t[rng.randrange(len(t))] = rng.choice(vocab)
            texts.append(t)
    return texts


def test_same_candidates_as_datasketch():
    sigs = Signer(3, 128, 1).sign_tokens(_variants(3))
    for bands, rows in [(64, 2), (32, 4), (16, 8)]:
        mine = {tuple(p) for p in candidate_pairs(sigs, bands, rows, max_bucket=10**9).tolist()}
        lsh = MinHashLSH(num_perm=128, params=(bands, rows))
        for i, row in enumerate(sigs):
            lsh.insert(i, to_lean(row, 1))
        theirs = {
            (min(i, j), max(i, j))
            for i, row in enumerate(sigs)
            for j in lsh.query(to_lean(row, 1))
            if i != j
        }
        assert mine == theirs


def test_large_buckets_keep_their_components():
    sigs = np.zeros((200, 4), dtype=np.uint32)  # one bucket of 200 identical signatures
    pairs = candidate_pairs(sigs, 2, 2, max_bucket=10)
    assert len(pairs) < 200 * 3
    parent = list(range(200))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in pairs.tolist():
        parent[find(a)] = find(b)
    assert len({find(i) for i in range(200)}) == 1


def test_order_key_not_input_order_decides_large_buckets():
    sigs = np.zeros((100, 4), dtype=np.uint32)
    keys = np.arange(100, dtype=np.uint64)[::-1].copy()
    perm = np.random.default_rng(0).permutation(100)
    a = candidate_pairs(sigs, 2, 2, order_key=keys, max_bucket=10)
    b = candidate_pairs(sigs[perm], 2, 2, order_key=keys[perm], max_bucket=10)
    as_keys = {tuple(sorted((int(keys[i]), int(keys[j])))) for i, j in a.tolist()}
    bs_keys = {tuple(sorted((int(keys[perm][i]), int(keys[perm][j])))) for i, j in b.tolist()}
    assert as_keys == bs_keys


def test_narrow_signatures_band_like_wide_ones():
    # The detector keeps the low 16 bits of each value: keys of 16-bit values hold the band
    # exactly, so values that fit in 16 bits give the same candidates either way.
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 6, size=(300, 8)).astype(np.uint32)
    wide = candidate_pairs(sigs, 4, 2, max_bucket=10**9)
    narrow = candidate_pairs(sigs.astype(np.uint16), 4, 2, max_bucket=10**9)
    assert len(wide) and np.array_equal(wide, narrow)


def test_narrow_signatures_order_buckets_by_the_key_as_wide_ones_do():
    # Large buckets become a star and a chain, which depend on the order within the bucket.
    rng = np.random.default_rng(4)
    sigs = rng.integers(0, 3, size=(400, 4)).astype(np.uint32)
    keys = rng.permutation(400).astype(np.uint64)
    wide = candidate_pairs(sigs, 2, 2, order_key=keys, max_bucket=5)
    narrow = candidate_pairs(sigs.astype(np.uint16), 2, 2, order_key=keys, max_bucket=5)
    assert np.array_equal(wide, narrow)


@settings(max_examples=40)
@given(
    seed=st.integers(0, 10**6),
    cuts=st.lists(st.integers(1, 199), max_size=6, unique=True),
    parts=st.integers(1, 5),
    max_bucket=st.sampled_from([2, 4, 64]),
    rounds=st.sampled_from([1, 16, 64]),
    rows=st.sampled_from([2, 4]),
)
def test_the_band_shuffle_finds_the_pairs_one_process_finds(
    seed, cuts, parts, max_bucket, rounds, rows
):
    """The Dask engine's LSH, run here: band entries, some bands at a time, split by a hash of
    (band, key), each part's buckets paired (big ones as a star and a chain, ordered by order
    key), the candidates of each group of first units sent, with their signatures, to the
    groups of their second units and verified there, gives the same pairs with the same
    similarity as `verified_pairs` on all the signatures at once, each pair verified once."""
    rng = np.random.default_rng(seed)
    texts = _variants(seed % 50)[:200]
    sigs = Signer(3, 128, 1).sign_tokens(texts).astype(np.uint16)
    sigs[rng.integers(0, len(sigs), 30)] = sigs[0]  # a bucket bigger than max_bucket
    n = len(sigs)
    order_key = rng.integers(0, 4, n).astype(np.uint64)  # ties: then by unit
    n_words = rng.integers(5, 30, n).astype(np.int32)
    # Two rows of 16 bits make 32-bit band keys, sorted packed with a position; four, 64-bit.
    s = Settings(max_bucket_pairs=max_bucket, lsh_bands=128 // rows, lsh_rows=rows)
    expected = verified_pairs(sigs, order_key, n_words, s)

    # The units are named by their distinct ids, increasing with gaps (the distinct units
    # that are not signed).
    ids = np.cumsum(rng.integers(1, 4, n)).astype(np.int64)
    total = int(ids[-1]) + 2
    # Shards (as the pieces read) are the groups here: every group of first units sends to
    # every group of second units it has candidates with.
    cuts = sorted({0, *[c for c in cuts if c < n]}) + [n]
    bases = np.array([*ids[cuts[:-1]].tolist(), total])
    shards = [sigs[a:b] for a, b in zip(cuts, cuts[1:])]
    units = [_group_units(ids[a:b], order_key[a:b], n_words[a:b]) for a, b in zip(cuts, cuts[1:])]
    found = []
    passed = [np.zeros(0, np.int64)] * len(shards)  # per first group, what passed before
    for lo in range(0, s.lsh_bands, rounds):  # bands a round at a time, as the engine does
        bands = (lo, min(lo + rounds, s.lsh_bands))
        maps = [_band_map(sh, u, bands, s.lsh_rows, parts, total) for sh, u in zip(shards, units)]
        reduces = [_band_reduce(bases, max_bucket, [m[r] for m in maps]) for r in range(parts)]
        sent = {}
        for g in sorted(set().union(*reduces)):
            seconds = sorted(set().union(*(r[g][1] for r in reduces if g in r)))
            cands = [r[g] for r in reduces if g in r]
            sent[g] = _attach(shards[g], units[g], bases, total, passed[g], seconds, cands)
            assert sorted(sent[g]) == seconds
            for codes, index, first_sigs, first_words, first_order in sent[g].values():
                # Each first unit's signature goes once, however many candidates it is in.
                firsts = np.unique(codes // total)
                assert len(first_sigs) == len(first_words) == len(first_order) == len(firsts)
                row = np.searchsorted(ids, codes // total)
                assert (first_sigs[index] == sigs[row]).all()
                assert (first_order[index] == order_key[row]).all()
        verified = []
        for q in sorted({q for to in sent.values() for q in to}):
            got = [to[q] for to in sent.values() if q in to]
            verified.append(_verify_attached(shards[q], units[q], s, total, got))
        split = [_passed_by_group(v, bases, total) for v in verified]
        passed = [_passed_joined(passed[g], *(p[g] for p in split)) for g in range(len(shards))]
        found += verified
    codes = np.concatenate([f[0] for f in found] or [np.zeros(0, np.int64)])
    assert len(np.unique(codes)) == len(codes)  # each pair verified by one task, once
    assert sum(f[3] for f in found) >= len(codes)
    similarity = np.concatenate([f[1] for f in found] or [np.zeros(0)])
    keys = np.concatenate([f[2] for f in found] or [np.zeros((0, 2), np.uint64)])
    codes, first = np.unique(codes, return_index=True)
    assert decode_pairs(codes, total).tolist() == ids[expected[0]].tolist()
    assert similarity[first].tolist() == expected[1].tolist()
    assert keys[first].tolist() == order_key[expected[0]].tolist()
    assert len(expected[0]) > 0


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_old=st.integers(0, 120),
    max_bucket=st.sampled_from([2, 3, 8, 64]),
    rows=st.sampled_from([2, 4, 8]),
    table=st.sampled_from(["whole", "whole, two slots", "values", "hashes", "two slots"]),
)
def test_grown_candidates_are_those_of_banding_everything(seed, n_old, max_bucket, rows, table):
    """The candidates of old and added signatures together are the old ones' but the lost,
    and the added ones: also when added signatures join buckets bigger than ``max_bucket``,
    breaking their chains and taking their stars over (order keys with ties); with band keys
    that hold the band's values (two and four rows) and mixed ones (eight), and more bands
    than are transposed at once (`_BandColumns`); with the buckets of keys of 32 bits found
    by a table of the hashes of each band read whole from the signatures' memory, or made
    from its rows' columns, by a table of the values of each row or of the keys' hashes (as
    when many are wanted), also one of two slots, which lets every signature through."""
    whole_from = 0 if table.startswith("whole") else 1 << 62
    hashed_from, hash_bits = {
        "whole": (1 << 62, 26),
        "whole, two slots": (1 << 62, 1),
        "values": (1 << 62, 26),
        "hashes": (0, 26),
        "two slots": (0, 1),
    }[table]
    with _lsh_set(_WHOLE_FROM=whole_from, _HASHED_FROM=hashed_from, _HASH_BITS=hash_bits):
        _check_grown_candidates(seed, n_old, max_bucket, rows)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), rows=st.sampled_from([1, 2, 4]), width=st.sampled_from([8, 16]))
def test_a_band_read_whole_is_its_key_in_memory_order(seed, rows, width):
    """Where a band is 32 bits in all, the uint32 that holds it in the signatures' memory is
    its `band_key` with the rows' values in memory order, and back."""
    rng = np.random.default_rng(seed)
    dtype = np.uint8 if width == 8 else np.uint16
    sigs = rng.integers(0, 1 << width, size=(50, 8 * rows), dtype=dtype)
    columns = lsh._BandColumns(sigs, rows, group=3)
    if rows * width != 32:
        assert columns.words is None
        return
    for b in range(8):
        key = lsh.band_key(sigs, b, rows)
        assert np.array_equal(columns.whole(b), lsh._memory_order(key, rows, width))
        assert np.array_equal(lsh._memory_order(columns.whole(b), rows, width), key)


@contextlib.contextmanager
def _lsh_set(**values: int):
    """`newscorpus.lsh`'s constants set to ``values`` for a while."""
    before = {name: getattr(lsh, name) for name in values}
    for name, value in values.items():
        setattr(lsh, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(lsh, name, value)


def _check_grown_candidates(seed: int, n_old: int, max_bucket: int, rows: int) -> None:
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 3, size=(120, 24)).astype(np.uint16)  # few values: big buckets
    sigs[rng.integers(0, 120, 25)] = sigs[rng.integers(0, 120)]
    order_key = rng.integers(0, 20, 120).astype(np.uint64)
    bands = 24 // rows
    n = len(sigs)
    everything = pair_codes(candidate_pairs(sigs, bands, rows, order_key, max_bucket), n)
    old = pair_codes(
        candidate_pairs(sigs[:n_old], bands, rows, order_key[:n_old], max_bucket), n_old
    )
    old = decode_pairs(old, n_old) if len(old) else np.zeros((0, 2), np.int64)
    added, lost = grown_candidates(sigs, bands, rows, order_key, max_bucket, n_old)
    assert set(lost.tolist()) <= set(pair_codes(old, n).tolist())
    grown = (set(pair_codes(old, n).tolist()) - set(lost.tolist())) | set(added.tolist())
    assert grown == set(everything.tolist())
    assert (decode_pairs(added, n) >= n_old).any(axis=1).all()
    # Asked only about some old candidates (an index that keeps the verified ones), it finds
    # those of them that are lost, and no other.
    among = np.unique(rng.choice(pair_codes(old, n), len(old) // 2)) if len(old) else old[:0, 0]
    _, lost_among = grown_candidates(sigs, bands, rows, order_key, max_bucket, n_old, among)
    assert lost_among.tolist() == sorted(set(lost.tolist()) & set(among.tolist()))
    # Unchecked against the other bands, the lost pairs are more, but still old candidates.
    _, unchecked = grown_candidates(sigs, bands, rows, order_key, max_bucket, n_old, checked=False)
    assert set(lost.tolist()) <= set(unchecked.tolist()) <= set(pair_codes(old, n).tolist())


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    gone=st.lists(st.integers(0, 199), max_size=40, unique=True),
    moved=st.integers(0, 20),
    max_bucket=st.sampled_from([2, 4, 64]),
)
def test_shrunk_pairs_are_those_of_banding_what_is_left(seed, gone, moved, max_bucket):
    """A remove shrinks the verified pairs: those of the units left, renumbered (a unit whose
    first carrier is removed moves: ``moved`` units go to the end), and the pairs that appear
    without the gone units, verified. The same pairs with the same similarity as banding
    what is left; also where gone units break chains, lead stars or leave a bucket small."""
    rng = np.random.default_rng(seed)
    sigs = Signer(3, 128, 1).sign_tokens(_variants(seed % 50)[:200]).astype(np.uint16)
    n = len(sigs)
    sigs[rng.integers(0, n, 30)] = sigs[0]  # a bucket bigger than max_bucket
    order_key = (rng.permutation(n) * 7 + 3).astype(np.uint64)  # content hashes: no ties
    n_words = rng.integers(5, 30, n).astype(np.int32)
    s = Settings(max_bucket_pairs=max_bucket)
    old, _ = verified_pairs(sigs, order_key, n_words, s)
    gone = sorted(g for g in gone if g < n)
    left = [i for i in range(n) if i not in set(gone)]
    left = left[moved:] + left[:moved]
    renumber = np.full(n, -1, dtype=np.int64)
    renumber[left] = np.arange(len(left))
    expected = verified_pairs(sigs[left], order_key[left], n_words[left], s)
    both = np.concatenate([sigs[left], sigs[gone]])
    found = shrunk_pairs(both, order_key[left], n_words[left], s, old, renumber, order_key[gone])
    assert found[0].tolist() == expected[0].tolist()
    assert found[1].tolist() == expected[1].tolist()


def test_processes_sharing_the_bands_find_the_same_pairs():
    sigs = Signer(3, 128, 1).sign_tokens(_variants(7)).astype(np.uint16)
    rng = np.random.default_rng(7)
    order_key = rng.integers(0, 1 << 40, len(sigs)).astype(np.uint64)
    n_words = rng.integers(5, 30, len(sigs)).astype(np.int32)
    s = Settings(max_bucket_pairs=4)
    one = verified_pairs(sigs, order_key, n_words, s)
    three = verified_pairs(sigs, order_key, n_words, s, workers=3)
    assert len(one[0]) > 30
    assert one[0].tolist() == three[0].tolist() and one[1].tolist() == three[1].tolist()


def _link_one_pair_at_a_time(pairs, similarity, order_key, threshold, strong):
    """`_link`'s rule written plainly: strong pairs join, strongest weak pairs attach a lone
    node, ties by content keys; per node the smallest node of its cluster."""
    n = max(int(pairs.max()) + 1 if len(pairs) else 0, len(order_key))
    parent = list(range(n))
    size = [1] * n

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    def join(a, b):
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
        size[min(ra, rb)] = size[ra] + size[rb]

    for (a, b), sim in zip(pairs.tolist(), similarity.tolist()):
        if sim >= strong and find(a) != find(b):
            join(a, b)
    weak = [
        (-sim, min(order_key[a], order_key[b]), max(order_key[a], order_key[b]), a, b)
        for (a, b), sim in zip(pairs.tolist(), similarity.tolist())
        if threshold <= sim < strong
    ]
    for *_, a, b in sorted(weak):
        ra, rb = find(a), find(b)
        if ra != rb and (size[ra] == 1 or size[rb] == 1):
            join(a, b)
    return [find(i) for i in range(n)]


def _graphs(keys, *more):
    """Graphs of 2 to 40 nodes: (n, edges (a, b, similarity in eighths), per node its order
    key from ``keys(n)``, and what ``more`` draws)."""
    return st.integers(2, 40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 8)),
                max_size=80,
            ),
            keys(n),
            *more,
        )
    )


def _graph_arrays(edges, keys):
    """The pairs of ``edges`` (``a < b``, each once, sorted), their similarity and the nodes'
    order keys."""
    edges = [(min(a, b), max(a, b), s) for a, b, s in edges if a != b]
    unique = sorted({(a, b): s for a, b, s in edges}.items())
    pairs = np.array([p for p, _ in unique], dtype=np.int64).reshape(-1, 2)
    similarity = np.array([s / 8 for _, s in unique], dtype=np.float64)
    return pairs, similarity, np.array(keys, dtype=np.uint64)


@settings(max_examples=200, deadline=None)
@given(_graphs(lambda n: st.permutations(range(n))))
def test_clusters_are_those_of_one_pair_at_a_time(case):
    """The numpy components and the attachment of lone nodes give, node for node, the clusters
    of joining one pair at a time."""
    n, edges, keys = case
    pairs, similarity, order_key = _graph_arrays(edges, keys)
    found = _link(pairs, similarity, order_key, 0.25, 0.5).tolist()
    assert found == _link_one_pair_at_a_time(pairs, similarity, order_key, 0.25, 0.5)


# A lone unit's two weak pairs tied, found in the reverse of their units' order.
@example(case=(5, [(0, 1, 2), (0, 2, 2), (1, 3, 8), (2, 4, 8)], [0, 5, 5, 6, 7], [0, 1, 1, 0], 1))
@settings(max_examples=200, deadline=None)
@given(
    _graphs(
        lambda n: st.lists(st.integers(0, 3), min_size=n, max_size=n),  # order keys, tied
        st.lists(st.integers(0, 7), max_size=80),  # each pair's task
        st.integers(1, 3),  # the gap between distinct ids
    )
)
def test_clusters_linked_in_parts_are_those_of_one_pair_at_a_time(case):
    """The Dask engine's linking where the pairs were verified: the pairs found by several
    tasks, in any order (each pair by one), each task's strong pairs made a forest, the
    forests joined four at a time, the weak pairs that can count kept where they were found
    and linked with the joined forest, give the clusters of joining one pair at a time (ties
    of order keys by the pairs' units); the units are distinct ids with gaps."""
    n, edges, keys, task_of, gap = case
    pairs, similarity, order_key = _graph_arrays(edges, keys)
    expected = _link_one_pair_at_a_time(pairs, similarity, order_key, 0.25, 0.5)

    ids = np.arange(n, dtype=np.int64) * gap + 5  # the units' distinct ids
    total = int(ids[-1]) + 1
    s = Settings(unit_threshold=0.25, strong_threshold=0.5)
    tasks = [task_of[k] if k < len(task_of) else k % 3 for k in range(len(pairs))]
    found = []
    for t in sorted(set(tasks), reverse=True):  # the tasks' pairs in no particular order
        at = [k for k in range(len(pairs)) if tasks[k] == t][::-1]
        codes = pair_codes(ids[pairs[at]], total)
        found.append((codes, similarity[at], order_key[pairs[at]], len(at), 0))
    forests = [_strong_forest(f, total, s.strong_threshold) for f in found]
    while len(forests) > 1:
        forests = [_forests_joined(*forests[lo : lo + 4]) for lo in range(0, len(forests), 4)]
    forest = forests[0] if forests else _strong_forest(_NO_FOUND, total, s.strong_threshold)
    weak = [_weak_pairs(f, total, _clustered_units(forest), s) for f in found]
    moved, roots = _linked_of(forest, total, s, *weak)
    label = {int(m): int(r) for m, r in zip(moved, roots)}
    assert [label.get(int(i), int(i)) for i in ids] == ids[expected].tolist()


_NO_FOUND = (*_NO_PAIRS, 0, 0)  # a verifying task's result without pairs
