"""The engine's numpy tables."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newscorpus.tables import KeyTable

# Keys from a small range collide in their slots, and batches repeat earlier keys.
keys = st.tuples(st.integers(0, 40), st.integers(0, 3))


@settings(max_examples=150, deadline=None)
@given(batches=st.lists(st.lists(keys, max_size=60), max_size=8), capacity=st.sampled_from([2, 8]))
def test_a_key_table_finds_what_a_dict_finds(batches, capacity):
    """Batches of keys looked up, then the new ones inserted, as `Detector.add` does; the
    table starts small, so that it grows, and keys share slots (low halves that agree in their
    low bits): every lookup gives what a dict gives."""
    table, known = KeyTable(capacity), {}
    for batch in batches:
        distinct = list(dict.fromkeys(batch))
        low = np.array([k[0] * 4 for k in distinct], dtype=np.uint64)  # clustered slots
        high = np.array([k[1] for k in distinct], dtype=np.uint64)
        found = table.find(low, high)
        assert found.tolist() == [known.get(k, -1) for k in distinct]
        new = np.flatnonzero(found < 0)
        ids = np.arange(len(known), len(known) + len(new))
        table.insert(low[new], high[new], ids)
        known.update(zip([distinct[i] for i in new.tolist()], ids.tolist()))
        assert len(table) == len(known)
    everything = list(known)
    low = np.array([k[0] * 4 for k in everything], dtype=np.uint64)
    high = np.array([k[1] for k in everything], dtype=np.uint64)
    assert table.find(low, high).tolist() == list(known.values())
