"""A dict of 16-byte keys against `newscorpus.arrays.KeyIndex`, side by side.

    .venv/bin/python benchmarks/key_index.py [--sizes 1000000 6500000] [--batch 5000]

The build numbers every distinct unit by its 128-bit key, a batch of articles at a time, and a
remove numbers every signed unit of the store the same way. Per size (distinct keys, random as
the units' are), the keys come in batches of ``--batch`` new keys plus a third as many keys
seen before, as units repeat; each way numbers them in a fresh process (a dict the way the
Detector met it until 2026-11-30: keys as 16-byte bytes, `map(dict.get)` then `dict.update`;
and `KeyIndex.add`). Printed: seconds, the peak resident set above what the keys themselves
take, and a checksum of the numbers, which is the same for both when they agree.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newscorpus.arrays import KeyIndex  # noqa: E402


def resident_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def batches(n: int, batch: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    low = rng.integers(0, 2**64, size=n, dtype=np.uint64)
    high = rng.integers(0, 2**64, size=n, dtype=np.uint64)
    made = []
    for start in range(0, n, batch):
        again = rng.integers(0, start + 1, size=batch // 3)
        made.append(
            (
                np.r_[low[start : start + batch], low[again]],
                np.r_[high[start : start + batch], high[again]],
            )
        )
    return made


def with_dict(keys_in: list[tuple[np.ndarray, np.ndarray]]) -> int:
    known: dict[bytes, int] = {}
    checksum = 0
    for low, high in keys_in:
        keys16 = np.empty((len(low), 2), dtype="<u8")
        keys16[:, 0], keys16[:, 1] = low, high
        keys = keys16.view("V16").ravel().tolist()
        found = np.fromiter(map(known.get, keys, itertools.repeat(-1)), np.int64, len(keys))
        for i in np.flatnonzero(found < 0).tolist():  # new keys, and repeats among them
            found[i] = known.setdefault(keys[i], len(known))
        checksum = (checksum * 31 + int(found.sum())) % (1 << 61)
    return checksum


def with_index(keys_in: list[tuple[np.ndarray, np.ndarray]]) -> int:
    index = KeyIndex()
    checksum = 0
    for low, high in keys_in:
        checksum = (checksum * 31 + int(index.add(low, high).sum())) % (1 << 61)
    return checksum


def run_one(way: str, n: int, batch: int) -> None:
    keys_in = batches(n, batch)
    base = resident_mb()
    started = time.perf_counter()
    checksum = {"dict": with_dict, "KeyIndex": with_index}[way](keys_in)
    seconds = time.perf_counter() - started
    print(f"{seconds:.2f} {peak_mb() - base:.0f} {checksum}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 6_500_000])
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # way, size: in this process
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], int(args.one[1]), args.batch)
        return
    print(f"numpy {np.__version__}, batches of {args.batch:,} new keys and a third as many seen")
    print("| distinct keys | way | s | peak memory, MB | checksum |")
    print("|---|---|---|---|---|")
    for n in args.sizes:
        for way in ("dict", "KeyIndex"):
            out = subprocess.run(
                [sys.executable, __file__, "--one", way, str(n), "--batch", str(args.batch)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            print(f"| {n:,} | {way} | {out[0]} | {out[1]} | {out[2]} |", flush=True)


if __name__ == "__main__":
    main()
