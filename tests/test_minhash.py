"""Signatures are datasketch's, bit for bit, and estimate Jaccard within the MinHash error."""

import numpy as np
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from newscorpus.minhash import Signer, WordHasher, estimate_jaccard, shingle_hashes, to_lean, words

_VOCAB = st.sampled_from(["ceasefire", "armenia", "the", "of", "a", "nov", "10", "2020", "état"])
_UNITS = st.lists(st.lists(_VOCAB, max_size=40).map(" ".join), min_size=1, max_size=20)


@given(_UNITS, st.sampled_from([1, 2, 3, 5]), st.sampled_from([16, 128]), st.integers(0, 2**31))
def test_signatures_equal_datasketch_update_batch(texts, k, num_perm, seed):
    signer = Signer(k, num_perm, seed)
    sigs = signer.sign(texts)
    hasher = WordHasher()
    for text, row in zip(texts, sigs):
        expected = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
        expected.update_batch(shingle_hashes(words(text), k, hasher))
        assert np.array_equal(expected.hashvalues, row)


def test_signature_wraps_as_lean_minhash():
    signer = Signer(3, 128, 7)
    a, b = signer.sign(
        [
            "a complete ceasefire was introduced at noon on 10 November",
            "a complete ceasefire is introduced at noon on 10 November 2020",
        ]
    )
    lean_a, lean_b = to_lean(a, 7), to_lean(b, 7)
    assert lean_a.jaccard(lean_b) == float(estimate_jaccard(a[None], b[None])[0])


def test_estimate_is_within_minhash_error():
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(5000)]
    base = list(rng.choice(vocab, 300))
    other = base[:200] + list(rng.choice(vocab, 100))
    ga = {tuple(base[i : i + 3]) for i in range(len(base) - 2)}
    gb = {tuple(other[i : i + 3]) for i in range(len(other) - 2)}
    true = len(ga & gb) / len(ga | gb)
    num_perm = 256
    sigs = Signer(3, num_perm, 1).sign_tokens([base, other])
    estimate = float(estimate_jaccard(sigs[:1], sigs[1:])[0])
    # Standard error of the estimate is sqrt(J(1-J)/num_perm); allow four of them.
    assert abs(estimate - true) <= 4 * (true * (1 - true) / num_perm) ** 0.5


def test_empty_and_short_units():
    sigs = Signer(3, 16, 1).sign_tokens([[], ["one"], ["one", "two"]])
    assert (sigs[0] == np.iinfo(np.uint32).max).all()
    assert not (sigs[1] == sigs[2]).all()
