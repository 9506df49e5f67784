"""Where a build's or an add's time goes, stage by stage, without a profiler's overhead.

    .venv/bin/python benchmarks/stages.py INPUT [--workers 1] [--name-field NAME]
    .venv/bin/python benchmarks/stages.py INPUT --add STORE [--name-field NAME]

Builds ``INPUT`` (any input `newscorpus build` reads) into a temporary store with the local
engine, in this process, or with ``--add`` adds it to a copy of ``STORE`` (made beside it, and
deleted after), and times the stages by wrapping them: reading and preparing (``_take``: the
workers cut, key and sign the articles while this process takes them up; in an add, first the
stored articles), the analysis and its parts (``Detector`` methods and the functions they
call: clusters, copies, blocks), and writing the store. For each it prints the seconds, the
input MB per second the stage alone would go at, and the peak RSS of this process when the
stage ended; then the SHA-256 of the export, to check that a speed-up changed nothing. Nested
stages are indented under the stage that calls them; times of one name are summed over calls.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import io
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newscorpus.blocks import Detector  # noqa: E402
from newscorpus.export import export_jsonl  # noqa: E402
from newscorpus.readers import Inputs  # noqa: E402
from newscorpus.store import Corpus  # noqa: E402

build_module = importlib.import_module("newscorpus.build")
blocks_module = importlib.import_module("newscorpus.blocks")

# (owner, name, depth): what is timed, in the order it is printed.
STAGES: list[tuple[Any, str, int]] = [
    (build_module, "_take", 0),
    (Detector, "analyse", 0),
    (Detector, "_cluster_distinct", 1),
    (blocks_module, "verified_pairs", 2),
    (blocks_module, "grown_pairs", 2),
    (blocks_module, "_link", 2),
    (Detector, "_occurrence_clusters", 1),
    (Detector, "_multi_article_clusters", 1),
    (Detector, "_copies", 1),
    (Detector, "_facts", 2),
    (Detector, "_blocks", 1),
    (Detector, "_mergeable", 2),
    (Detector, "_furniture_lines", 2),
    (Detector, "_runs", 2),
    (Detector, "_run_texts", 2),
    (Detector, "_trim_glued", 2),
    (Detector, "_joins", 2),
    (build_module, "_write", 0),
]
LABELS = {
    "_take": "reading and preparing",
    "analyse": "analysis",
    "_cluster_distinct": "clusters (LSH, verification, linking)",
    "verified_pairs": "LSH pairs, banding every unit",
    "grown_pairs": "LSH pairs, grown from the stored ones",
    "_link": "linking the pairs into clusters",
    "_occurrence_clusters": "clusters of every unit",
    "_multi_article_clusters": "clusters found in two or more articles",
    "_copies": "copies",
    "_facts": "facts of shared passages",
    "_blocks": "blocks",
    "_mergeable": "clusters merged into blocks",
    "_furniture_lines": "furniture lines",
    "_runs": "shared runs",
    "_run_texts": "the runs' texts",
    "_trim_glued": "trimming glued runs",
    "_joins": "blocks joined as wordings of one passage",
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
    parser.add_argument("--name-field", help="JSON lines: the field that names an article")
    parser.add_argument("--add", metavar="STORE", help="time adding INPUT to a copy of STORE")
    args = parser.parse_args()
    path = Path(args.input)
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    mb = sum(p.stat().st_size for p in files) / 1e6
    seconds: dict[str, float] = {}
    peaks: dict[str, float] = {}
    for owner, name, _ in STAGES:
        setattr(owner, name, timed(seconds, peaks, getattr(owner, name)))
    inputs = Inputs([args.input], name_field=args.name_field)
    with tempfile.TemporaryDirectory(dir=Path(args.add).parent if args.add else None) as folder:
        store = Path(folder) / "stages.db"
        if args.add:
            shutil.copyfile(args.add, store)
        started = time.perf_counter()
        if args.add:
            build_module.add(store, inputs, workers=args.workers).close()
        else:
            build_module.build(inputs, store, workers=args.workers).close()
        total = time.perf_counter() - started
        out = io.StringIO()
        with Corpus.open(store) as corpus:
            export_jsonl(corpus, out)
    rate = mb / total
    what = f"added to {args.add}" if args.add else "built"
    print(
        f"{args.input}: {mb:.1f} MB {what}, {args.workers} worker(s), {total:.2f} s "
        f"({rate:.2f} MB/s)"
    )
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
