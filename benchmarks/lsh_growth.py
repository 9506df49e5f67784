"""What an add's LSH costs: banding every unit again against growing the stored pairs.

    .venv/bin/python benchmarks/lsh_growth.py [--size 100MB] [--shares 0.01 0.05 0.1 0.25]

Builds the scale-suite corpus of ``--size`` (`benchmarks/scale.py`, generated if missing) into a
temporary store and takes up its signed units as an add does (`Corpus.prepared_batches`,
`Detector.add`). Then, for each share: the verified pairs of all but the last ``share`` of the
units (`verified_pairs`, as the store would keep them); the time to find the pairs of all of
them by banding everything again (`verified_pairs`, one process) and by growing the kept ones
(`grown_pairs`); and whether the two give the same pairs with the same similarity. An add
grows the pairs when it brings up to `newscorpus.blocks._GROWN_SHARE` of the units.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scale  # noqa: E402

from newscorpus.blocks import _GROWN_SHARE, Detector, grown_pairs, verified_pairs  # noqa: E402
from newscorpus.build import _replay  # noqa: E402
from newscorpus.store import Corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100MB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shares", type=float, nargs="+", default=[0.01, 0.05, 0.1, 0.25])
    args = parser.parse_args()
    paths, _ = scale.ensure(args.size, args.seed)
    with tempfile.TemporaryDirectory(dir=paths.corpus.parent) as tmp:
        store = Path(tmp) / "store.db"
        subprocess.run(
            [sys.executable, "-m", "newscorpus", "build", str(paths.corpus), "-o", str(store)]
            + ["--name-field", "name", "--quiet"],
            check=True,
        )
        corpus = Corpus.open(store)
        s = corpus.settings
        detector = Detector(s, scratch=tmp)
        for batch, ready in _replay(corpus, s):
            detector.add(ready, [""] * len(batch.ids), batch.names, batch.dates, replayed=True)
        ids = np.concatenate(detector._sig_ids)
        order_key = np.frombuffer(detector._distinct_order, dtype=np.uint64)[ids]
        n_words = np.frombuffer(detector._distinct_words, dtype=np.int32)[ids]
        sigs = detector._take_signatures(len(ids))
        detector.close()
        corpus.close()
    n = len(ids)
    print(f"corpus: {paths.corpus.name}; {n:,} signed units; grown up to {_GROWN_SHARE:.0%}\n")
    print("| new units | band everything, s | grow the kept pairs, s | same pairs |")
    print("|---|---|---|---|")
    for share in args.shares:
        n_old = n - round(n * share)
        kept, _ = verified_pairs(sigs[:n_old], order_key[:n_old], n_words[:n_old], s)
        started = time.perf_counter()
        everything = verified_pairs(sigs, order_key, n_words, s)
        banded = time.perf_counter() - started
        started = time.perf_counter()
        grown = grown_pairs(sigs, order_key, n_words, s, n_old, kept)
        growing = time.perf_counter() - started
        same = np.array_equal(everything[0], grown[0]) and np.array_equal(everything[1], grown[1])
        print(f"| {share:.0%} ({n - n_old:,}) | {banded:.2f} | {growing:.2f} | {same} |")


if __name__ == "__main__":
    main()
