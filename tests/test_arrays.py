"""The sorting set operations of `newscorpus.arrays` give numpy's results."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from newscorpus.arrays import (
    KeyIndex,
    difference,
    first_new,
    isin_sorted,
    union,
    unique,
    unique_pairs,
)
from newscorpus.blocks import Carriers

ints = arrays(np.int64, st.integers(0, 60), elements=st.integers(-(2**40), 2**40))
small = arrays(np.int64, st.integers(0, 60), elements=st.integers(-5, 5))


@given(a=st.one_of(ints, small), b=st.one_of(ints, small))
def test_set_operations_are_numpys(a, b):
    assert unique(a).tolist() == np.unique(a).tolist()
    assert union(a, b).tolist() == np.union1d(a, b).tolist()
    assert difference(a, b).tolist() == np.setdiff1d(a, b).tolist()
    assert isin_sorted(a, np.unique(b)).tolist() == np.isin(a, b).tolist()


@given(st.data())
def test_unique_pairs_are_numpys_unique_rows(data):
    n = data.draw(st.integers(0, 60))
    bound = data.draw(st.sampled_from([3, 2**20, 2**62]))  # the last: codes would not fit
    values = st.integers(-bound, bound)
    first = data.draw(arrays(np.int64, n, elements=values))
    second = data.draw(arrays(np.int64, n, elements=values))
    rows, counts = unique_pairs(first, second)
    expected_rows, expected_counts = np.unique(
        np.stack([first, second], axis=1).reshape(-1, 2), axis=0, return_counts=True
    )
    assert rows.tolist() == expected_rows.tolist()
    assert counts.tolist() == expected_counts.tolist()


@given(
    carried=st.dictionaries(
        st.integers(0, 40), st.sets(st.integers(0, 60), min_size=2, max_size=40), max_size=12
    ),
    picks=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30),
)
def test_the_articles_two_clusters_share_are_those_a_set_per_pair_finds(carried, picks):
    """`Carriers.overlaps` (all pairs at once, as the blocks' joining asks) against a set per
    pair: the articles carrying both clusters, and those carrying either."""
    clusters = sorted(carried)
    carriers = Carriers.of({c: sorted(carried[c]) for c in clusters})
    pairs = [(clusters[i], clusters[j]) for i, j in picks if max(i, j) < len(clusters)]
    both, either = carriers.overlaps(np.array(pairs, dtype=np.int64).reshape(-1, 2))
    assert both.tolist() == [len(carried[a] & carried[b]) for a, b in pairs]
    assert either.tolist() == [len(carried[a] | carried[b]) for a, b in pairs]


# Keys as the units' are (random halves), and keys a table meets badly: small integers, keys
# equal in one half, repeats.
halves = st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 3), st.just(2**64 - 1))


@given(
    batches=st.lists(st.lists(st.tuples(halves, halves), max_size=40), max_size=6),
    runs=st.lists(st.integers(0, 1500), max_size=2),
    expected=st.sampled_from([0, 1, 5, 600, 5000]),
)
def test_a_key_index_numbers_keys_as_a_dict_in_order_of_first_sight(batches, runs, expected):
    """`KeyIndex` against a dict: each key's number, new ones in the order first seen (and
    `first_new`, where each new one was first seen), and lookups of keys added and not.
    ``runs`` are batches of consecutive keys, past the table's first growths; the index made
    ready for ``expected`` keys, fewer or more than it gets."""
    batches = [*batches, *([(i, 7) for i in range(n)] for n in runs)]
    index, numbers = KeyIndex(expected), {}
    for batch in batches:
        low = np.array([k[0] for k in batch], dtype=np.uint64)
        high = np.array([k[1] for k in batch], dtype=np.uint64)
        before = len(numbers)
        new = [k for k in dict.fromkeys(batch) if k not in numbers]
        firsts = [batch.index(k) for k in new]
        expected = [numbers.setdefault(k, len(numbers)) for k in batch]
        added = index.add(low, high)
        assert added.tolist() == expected
        assert first_new(added, before).tolist() == firsts
        assert len(index) == len(numbers)
        assert index.get(low, high).tolist() == expected
        absent = [(lo ^ 1, hi) for lo, hi in batch if (lo ^ 1, hi) not in numbers]
        assert index.get(
            np.array([k[0] for k in absent], np.uint64), np.array([k[1] for k in absent], np.uint64)
        ).tolist() == [-1] * len(absent)
    low, high = index.keys()
    assert list(zip(low.tolist(), high.tolist())) == list(numbers)
