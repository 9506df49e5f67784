"""Where a build's time goes, stage by stage, without a profiler's overhead.

    .venv/bin/python benchmarks/stages.py INPUT [--workers 1]

Builds ``INPUT`` (any input `newscorpus build` reads) into a temporary store with the local
engine, in this process, and times the build's stages by wrapping them: reading and preparing
(``_take``: the workers cut, key and sign the articles while this process takes them up), the
analysis and its parts (``Detector`` methods: clusters, copies, blocks and what blocks calls),
and writing the store. For each it prints the seconds, the input MB per second the stage alone
would go at, and the peak RSS of this process when the stage ended; then the SHA-256 of the
export, to check that a speed-up changed nothing. Nested stages are indented under the stage
that calls them; times of one name are summed over calls.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import io
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newscorpus.blocks import Detector  # noqa: E402
from newscorpus.export import export_jsonl  # noqa: E402
from newscorpus.store import Corpus  # noqa: E402

build_module = importlib.import_module("newscorpus.build")

# (owner, name, depth): what is timed, in the order it is printed.
STAGES: list[tuple[Any, str, int]] = [
    (build_module, "_take", 0),
    (Detector, "analyse", 0),
    (Detector, "_cluster_distinct", 1),
    (Detector, "_occurrence_clusters", 1),
    (Detector, "_multi_article_clusters", 1),
    (Detector, "_copies", 1),
    (Detector, "_facts", 2),
    (Detector, "_blocks", 1),
    (Detector, "_mergeable", 2),
    (Detector, "_furniture_lines", 2),
    (Detector, "_runs", 2),
    (Detector, "_trim_glued", 2),
    (Detector, "_merge_wordings", 2),
    (build_module, "_write", 0),
]
LABELS = {
    "_take": "reading and preparing",
    "analyse": "analysis",
    "_cluster_distinct": "clusters (LSH, verification, linking)",
    "_occurrence_clusters": "clusters of every unit",
    "_multi_article_clusters": "clusters found in two or more articles",
    "_copies": "copies",
    "_facts": "facts of shared passages",
    "_blocks": "blocks",
    "_mergeable": "clusters merged into blocks",
    "_furniture_lines": "furniture lines",
    "_runs": "shared runs",
    "_trim_glued": "trimming glued runs",
    "_merge_wordings": "merging wordings",
    "_write": "writing the store",
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(seconds: dict[str, float], peaks: dict[str, float], f: Callable) -> Callable:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            seconds[f.__name__] = seconds.get(f.__name__, 0.0) + time.perf_counter() - started
            peaks[f.__name__] = peak_mb()

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    path = Path(args.input)
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    mb = sum(p.stat().st_size for p in files) / 1e6
    seconds: dict[str, float] = {}
    peaks: dict[str, float] = {}
    for owner, name, _ in STAGES:
        setattr(owner, name, timed(seconds, peaks, getattr(owner, name)))
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "stages.db"
        started = time.perf_counter()
        build_module.build(args.input, store, workers=args.workers)
        total = time.perf_counter() - started
        out = io.StringIO()
        with Corpus.open(store) as corpus:
            export_jsonl(corpus, out)
    rate = mb / total
    print(f"{args.input}: {mb:.1f} MB, {args.workers} worker(s), {total:.2f} s ({rate:.2f} MB/s)")
    print("| stage | s | MB/s alone | peak RSS MB at its end |")
    print("|---|---|---|---|")
    for _, name, depth in STAGES:
        if name in seconds:
            label = "&nbsp;&nbsp;" * depth + LABELS[name]
            s = seconds[name]
            print(f"| {label} | {s:.2f} | {mb / s:.1f} | {peaks[name]:,.0f} |")
    print("export SHA-256", hashlib.sha256(out.getvalue().encode("utf-8")).hexdigest())


if __name__ == "__main__":
    main()
