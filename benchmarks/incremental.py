"""Growing a store: what `newscorpus add` costs, and that it gives the store one build gives.

    .venv/bin/python benchmarks/incremental.py [--size 10MB] [--share 0.01] [--batches 4] [--dir D]

On a scale-suite corpus (`benchmarks/scale.py`, generated if missing): builds on everything
once; builds on all but the last ``share`` of the articles and adds the rest; and builds on the
first of ``batches`` equal parts and adds the others one by one. Each command is a fresh
process (time, peak RSS and bytes written to disk, of the process and its workers). Prints
the times, the cost of the add as a share of the full build, and whether every grown store
equals the one-build store: byte-identical export, the same blocks with the same variants and
articles, the same copies. The stores are made in a scratch folder in ``--dir`` (default:
beside the corpus), so that a file system of one's choice can be measured (an add's copy of the
store shares its blocks on XFS or Btrfs).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402

from newscorpus.export import export_jsonl  # noqa: E402
from newscorpus.store import Corpus  # noqa: E402

_WRAPPER = """
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run([sys.executable, "-m", "newscorpus", *sys.argv[1:]], check=True,
               stdout=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(time.perf_counter() - started, usage.ru_maxrss, usage.ru_oublock)
"""


def timed(*args: str) -> tuple[float, float, float]:
    """Seconds, peak RSS (MB) and MB written to disk (512-byte blocks, as the system counts
    them) of one ``newscorpus`` command in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2]) * 512 / 1e6


def snapshot(path: Path) -> str:
    """A digest of what a user reads from a store: the export, the blocks with their variants
    and articles, the copies. Made as they are read, so that the stores of a 1 GB corpus are
    compared without holding them (two whole exports in memory went past 24 GB)."""
    digest = hashlib.sha256()

    class Hashing(io.TextIOBase):
        def write(self, text: str) -> int:
            digest.update(text.encode("utf-8"))
            return len(text)

    with Corpus.open(path) as corpus:
        export_jsonl(corpus, Hashing())
        for block in corpus.blocks():
            seen = (block, corpus.block_articles(block.id), corpus.variants(block.id))
            digest.update(repr(seen).encode("utf-8"))
        digest.update(repr(corpus.duplicates()).encode("utf-8"))
    return digest.hexdigest()


def split(source: Path, folder: Path, cuts: list[int]) -> list[Path]:
    """The JSON lines of ``source`` cut before the article indices ``cuts``."""
    with source.open(encoding="utf-8") as f:
        lines = f.readlines()
    edges = [0, *cuts, len(lines)]
    parts = []
    for i, (lo, hi) in enumerate(zip(edges, edges[1:])):
        part = folder / f"part{i}.jsonl"
        part.write_text("".join(lines[lo:hi]), encoding="utf-8")
        parts.append(part)
    return parts


class _Printed(list):
    """The rows of the table, each printed as it is measured (a long run that fails keeps
    what it measured)."""

    def append(self, row: tuple) -> None:
        what, count, seconds, rss, written = row
        print(f"| {what} | {count:,} | {seconds:.1f} | {rss:,.0f} | {written:,.1f} |", flush=True)
        super().append(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10MB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--share", type=float, default=0.01, help="the share added at the end")
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--workers", default="1")
    parser.add_argument("--dir", type=Path, help="where the stores are made (a scratch folder)")
    args = parser.parse_args()
    paths, _ = scale.ensure(args.size, args.seed)
    corpus = paths.corpus
    with corpus.open(encoding="utf-8") as f:
        n = sum(1 for _ in f)
    mb = corpus.stat().st_size / 1e6
    common = ["--name-field", "name", "--quiet", "--workers", args.workers]
    print(f"corpus: {corpus.name}, {n:,} articles, {mb:.1f} MB; workers: {args.workers}\n")
    print("| step | articles | s | peak RSS MB | written to disk MB |")
    print("|---|---|---|---|---|", flush=True)
    rows = _Printed()
    with tempfile.TemporaryDirectory(dir=args.dir or paths.corpus.parent) as tmp:
        folder = Path(tmp)
        once = folder / "once.db"
        full, *used = timed("build", str(corpus), "-o", str(once), *common)
        rows.append(("build on everything", n, full, *used))

        base_n = n - max(1, round(n * args.share))
        base, rest = split(corpus, folder, [base_n])
        grown = folder / "grown.db"
        rows.append(
            (
                f"build on the first {base_n / n:.0%}",
                base_n,
                *timed("build", str(base), "-o", str(grown), *common),
            )
        )
        base_snapshot = snapshot(grown)
        sizes = {"store built once": once.stat().st_size}
        added, *used = timed("add", str(grown), str(rest), *common)
        rows.append((f"add the last {(n - base_n) / n:.0%}", n - base_n, added, *used))
        rows.append(
            ("add the same again (nothing new)", 0, *timed("add", str(grown), str(rest), *common))
        )
        expected = snapshot(once)
        same_share = snapshot(grown) == expected
        sizes["store grown by the add"] = grown.stat().st_size
        with rest.open(encoding="utf-8") as f:
            names = [json.loads(line)["name"] for line in f]
        removed, *used = timed("remove", str(grown), *names, "--quiet")
        rows.append((f"remove the last {(n - base_n) / n:.0%} again", len(names), removed, *used))
        same_removed = snapshot(grown) == base_snapshot

        step = n // args.batches
        parts = split(corpus, folder, [step * i for i in range(1, args.batches)])
        batched = folder / "batched.db"
        first = timed("build", str(parts[0]), "-o", str(batched), *common)
        rows.append((f"build on batch 1 of {args.batches}", step, *first))
        for i, part in enumerate(parts[1:], 2):
            used = timed("add", str(batched), str(part), *common)
            with part.open(encoding="utf-8") as f:
                count = sum(1 for _ in f)
            rows.append((f"add batch {i} of {args.batches}", count, *used))
        same_batched = snapshot(batched) == expected

    print(f"\nadding the last {args.share:.0%} cost {added / full:.0%} of the full build")
    print(f"removing them again cost {removed / full:.0%} of the full build")
    print(f"grown store equals the one-build store: {same_share}")
    print(f"after the remove it equals the store built on the rest: {same_removed}")
    print(f"{args.batches} batches give the one-build store: {same_batched}")
    for what, size in sizes.items():
        print(f"{what}: {size / 1e6:.1f} MB")
    print(
        json.dumps(
            {"add_share_of_build": round(added / full, 3), "remove_share": round(removed / full, 3)}
        )
    )


if __name__ == "__main__":
    main()
