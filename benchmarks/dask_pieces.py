"""The Dask engine's LSH as the pieces read get many: its time and its tasks, by piece size.

    .venv/bin/python benchmarks/dask_pieces.py [--size 10MB] [--piece-bytes 100000 30000]
                                               [--workers 2]

A corpus of many GB is read in many pieces (at most 32 MiB each), so a design whose tasks
grow with the pieces read shows only at scale. Small pieces show it here: for each piece size,
a fresh local cluster of ``--workers`` worker processes builds the scale corpus of ``--size``
(benchmarks/scale.py; made if missing) with ``DaskEngine(client, piece_bytes=...)`` under
``distributed.get_task_stream``, and this prints the pieces, the build's and the LSH's seconds,
the LSH's tasks by function, and the SHA-256 of the export (the same for every piece size).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import scale  # noqa: E402

from newscorpus import build  # noqa: E402
from newscorpus.export import export_jsonl  # noqa: E402
from newscorpus.readers import Inputs  # noqa: E402
from newscorpus.store import Corpus  # noqa: E402

# The tasks of reading and preparing the pieces; the rest are the LSH's.
READING = {"_read_piece", "locate", "_signatures_of"}


def one(corpus: Path, piece_bytes: int, workers: int) -> str:
    from distributed import get_task_stream

    from newscorpus.dask_engine import DaskEngine, dask_client

    inputs = Inputs([str(corpus)], name_field="name")
    with dask_client(workers) as client, tempfile.TemporaryDirectory() as folder:
        client.wait_for_workers(workers)
        engine = DaskEngine(client, piece_bytes=piece_bytes)
        store = Path(folder) / "pieces.db"
        started = time.perf_counter()
        with get_task_stream(client) as stream:
            build(inputs, store, engine=engine).close()
        seconds = time.perf_counter() - started
        out = io.StringIO()
        with Corpus.open(store) as opened:
            export_jsonl(opened, out)
    tasks: collections.Counter = collections.Counter()
    for task in stream.data:
        key = task["key"][0] if isinstance(task["key"], tuple) else task["key"]
        function = key.split("-")[0]
        if function not in READING:
            tasks[function] += 1
    digest = hashlib.sha256(out.getvalue().encode("utf-8")).hexdigest()
    by_function = ", ".join(f"{name} {n:,}" for name, n in sorted(tasks.items()))
    return (
        f"| {piece_bytes:,} | {engine.stats['pieces']:,} | {seconds:.1f} | "
        f"{engine.stats['pair_seconds']:.1f} | {sum(tasks.values()):,} ({by_function}) | "
        f"{digest[:12]}... |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10MB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--piece-bytes", nargs="+", type=int, default=[100_000, 30_000])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    corpus = scale.ensure(args.size, args.seed)[0].corpus
    print("| piece bytes | pieces | build s | LSH s | LSH tasks | export |")
    print("|---|---|---|---|---|---|")
    for piece_bytes in args.piece_bytes:
        print(one(corpus, piece_bytes, args.workers), flush=True)


if __name__ == "__main__":
    main()
