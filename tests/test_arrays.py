"""The sorting set operations of `newscorpus.arrays` give numpy's results."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from newscorpus.arrays import difference, isin_sorted, union, unique, unique_pairs

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
