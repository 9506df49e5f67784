"""The two passes of an add over every stored unit, each timed alone: to compare two trees.

    .venv/bin/python benchmarks/add_parts.py STORE INPUT [--name-field NAME] [--tree DIR]
        [--runs 3]

An add's time is mostly passes over every stored article, and from one whole add to the next
the time moves by 10% or more on a shared machine. This times two of them alone, several times
over, in one process:

- the take-up: ``STORE``'s articles replayed into a `Detector` as an add replays them
  (`newscorpus.build._replay`, `Detector.add`, the stored shared segments), without the new
  articles;
- the LSH growth: ``INPUT`` is added to a copy of ``STORE`` (made in a temporary folder beside
  it) up to the moment its LSH grows the stored pairs, whose inputs are kept (the add stops
  there); then `grown_pairs` runs on them alone, and prints a checksum of the pairs it finds,
  to check that two trees find the same.

``--tree DIR`` imports newscorpus from another checkout (the one before a change, from
``git worktree add``; of 86ac540 or later, whose take-up is by batches), so that the same
command times both, one after the other. Python's collector is paused, as in an add.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class _Stop(Exception):
    """Raised where the add reaches its LSH growth, once its inputs are kept."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("input", type=Path)
    parser.add_argument("--name-field", default=None)
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    build_module = importlib.import_module("newscorpus.build")
    blocks_module = importlib.import_module("newscorpus.blocks")
    from newscorpus.readers import Inputs
    from newscorpus.store import Corpus
    from newscorpus.tables import collector_paused

    print(f"newscorpus from {Path(blocks_module.__file__).parents[1]}")
    with Corpus.open(args.store) as corpus, collector_paused():
        for run in range(args.runs):
            started = time.perf_counter()
            detector = blocks_module.Detector(corpus.settings, **_expected(build_module, corpus))
            for batch, ready in build_module._replay(corpus, corpus.settings):
                detector.add(ready, [""] * len(batch.ids), batch.names, batch.dates, replayed=True)
                detector.stored_runs.extend(batch.shared_counts, *batch.shared)
            print(
                f"take-up {run + 1}: {time.perf_counter() - started:.2f} s, "
                f"{len(detector.names):,} articles"
            )
            detector.close()
            del detector

    kept: dict[str, Any] = {}

    def keep(*grown: Any) -> Any:
        kept["args"] = grown
        raise _Stop

    grown_pairs = blocks_module.grown_pairs
    with tempfile.TemporaryDirectory(dir=args.store.parent) as tmp:
        copy = Path(tmp) / args.store.name
        shutil.copyfile(args.store, copy)
        blocks_module.grown_pairs = keep
        try:
            build_module.add(copy, Inputs([str(args.input)], name_field=args.name_field))
        except _Stop:
            pass
        finally:
            blocks_module.grown_pairs = grown_pairs
    if "args" not in kept:
        raise SystemExit("the add did not grow the stored LSH pairs (too many new units?)")
    for run in range(args.runs):
        started = time.perf_counter()
        with collector_paused():
            pairs, similarity = grown_pairs(*kept["args"])
        seconds = time.perf_counter() - started
        digest = hashlib.sha256(pairs.tobytes() + similarity.tobytes()).hexdigest()[:12]
        print(f"LSH growth {run + 1}: {seconds:.2f} s, {len(pairs):,} pairs, {digest}")


def _expected(build_module: Any, corpus: Any) -> dict[str, int]:
    """The Detector's room for the store's distinct units, where this tree has it."""
    if not hasattr(build_module, "_expected_distinct"):
        return {}
    return {"expected_distinct": build_module._expected_distinct(corpus)}


if __name__ == "__main__":
    main()
