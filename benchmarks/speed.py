"""End-to-end speed and memory of `newscorpus build` on the real corpora, by worker count.

    .venv/bin/python benchmarks/speed.py [--workers 1 2] [corpus ...]

Each run is a fresh process (`newscorpus build` on the JSON lines file, then `newscorpus
export`), so peak RSS is that of one build: the largest resident set of the build process and
of its worker processes, from ``getrusage``. Prints one table row per corpus and worker count:
MB of article text, build seconds, MB/s, articles/s, export seconds and peak RSS.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
NAMES = ["reuters21578", "article_comparisons", "bbc_news", "fakenewscorpus_sample"]


def text_size(path: Path) -> tuple[int, float]:
    articles, chars = 0, 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            articles += 1
            chars += len(json.loads(line)["text"].encode("utf-8"))
    return articles, chars / 1e6


_WRAPPER = """
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run([sys.executable, "-m", "newscorpus", *sys.argv[1:]], check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def run(args: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB, the largest of the process and its workers) of one command,
    measured by a wrapper process so that runs do not see each other's peaks."""
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="*", default=NAMES)
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    args = parser.parse_args()
    print("| corpus | workers | MB | build s | MB/s | articles/s | export s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.corpora:
        path = CORPORA / f"{name}.jsonl.gz"
        articles, mb = text_size(path)
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                store = str(Path(tmp) / "s.db")
                seconds, rss = run(
                    ["build", str(path), "-o", store, "--quiet", "--workers", str(workers)]
                )
                export, _ = run(["export", store, "-o", str(Path(tmp) / "out.jsonl")])
            print(
                f"| {name} | {workers} | {mb:.1f} | {seconds:.1f} | {mb / seconds:.2f} | "
                f"{articles / seconds:,.0f} | {export:.1f} | {rss:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
