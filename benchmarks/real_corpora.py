"""What newscorpus finds in the real corpora of ../shared/corpora, for judging it by eye.

    .venv/bin/python benchmarks/real_corpora.py                       # all four corpora
    .venv/bin/python benchmarks/real_corpora.py bbc_news reuters21578 # some, by file stem or path
    .venv/bin/python benchmarks/real_corpora.py --keep /tmp/stores    # keep the stores to explore

For each corpus (gzipped JSON lines) it builds a store with
``newscorpus.build(newscorpus.iter_documents(path), db, workers=2)`` and prints:

- articles, MB of text (UTF-8), build seconds;
- blocks, and the share of all text in shared blocks and in metadata;
- copies (articles with ``duplicate_of``) and copy pairs (every pair inside a copy group);
- a sanity check made without newscorpus: the article pairs whose texts are identical once
  lowercased with whitespace collapsed, and how many of them newscorpus puts in one copy group
  (recall), for all such pairs and for those of ``--min-words`` words or more (scrape failures
  such as "404" or "My Account" pages are exact duplicates too, but not stories);
- the top blocks (articles carrying, variants, start of the canonical text);
- a deterministic sample of copy groups (names and the start of each member's clean text).

Stores go to a temporary folder that is removed afterwards unless ``--keep DIR`` is given (keep
them outside the repository: they hold the corpus text).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import newscorpus

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
DEFAULT = ("reuters21578", "article_comparisons", "bbc_news", "fakenewscorpus_sample")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def corpus_path(arg: str, folder: Path) -> Path:
    """A corpus named by path, or by file stem in ``folder``."""
    path = Path(arg)
    if path.is_file():
        return path
    return folder / f"{arg}.jsonl.gz"


def one_line(text: str, width: int) -> str:
    return _SPACE.sub(" ", text).strip()[:width]


def exact_duplicate_pairs(path: Path) -> list[tuple[str, str, int]]:
    """Pairs of article ids whose texts are identical after lowercasing and collapsing
    whitespace, with the text's word count, read straight from the file (independently of
    newscorpus)."""
    by_text: dict[str, list[str]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                key = _SPACE.sub(" ", record["text"].lower()).strip()
                by_text[key].append(str(record["id"]))
    return [
        (a, b, len(_WORD.findall(text)))
        for text, ids in by_text.items()
        for a, b in combinations(sorted(ids), 2)
    ]


def report(path: Path, store: Path, args: argparse.Namespace) -> None:
    print(f"== {path.name}")
    started = time.perf_counter()
    corpus = newscorpus.build(newscorpus.iter_documents(path), store, workers=args.workers)
    seconds = time.perf_counter() - started

    n_articles = 0
    n_bytes = 0
    chars: Counter = Counter()
    group_of: dict[str, str] = {}  # article name -> name of its group's original
    for article in corpus.articles():
        n_articles += 1
        n_bytes += len(article.text.encode("utf-8"))
        for seg in article.segments:
            chars[seg.kind] += seg.end - seg.start
        group_of[article.name] = article.duplicate_of or article.name
    total = sum(chars.values()) or 1
    groups: dict[str, list[str]] = defaultdict(list)
    for name, root in group_of.items():
        groups[root].append(name)
    copy_groups = sorted((sorted(m) for m in groups.values() if len(m) > 1), key=lambda m: m[0])
    copies = sum(len(m) - 1 for m in copy_groups)
    copy_pairs = sum(len(m) * (len(m) - 1) // 2 for m in copy_groups)
    blocks = corpus.blocks()

    exact = exact_duplicate_pairs(path)
    together = [
        group_of.get(a) is not None and group_of.get(a) == group_of.get(b) for a, b, _ in exact
    ]
    long_together = [t for t, (_, _, n) in zip(together, exact, strict=True) if n >= args.min_words]

    print(f"articles      {n_articles}")
    print(f"MB            {n_bytes / 1e6:.1f}")
    print(f"build seconds {seconds:.1f}")
    print(f"blocks        {len(blocks)}")
    print(f"text shared   {100 * chars['shared'] / total:.1f}%")
    print(f"text meta     {100 * chars['meta'] / total:.1f}%")
    print(f"copies        {copies}  (articles with duplicate_of, in {len(copy_groups)} groups)")
    print(f"copy pairs    {copy_pairs}")
    for label, hits in (("", together), (f" of {args.min_words}+ words", long_together)):
        recall = f"{100 * sum(hits) / len(hits):.1f}%" if hits else "n/a"
        print(
            f"exact-duplicate pairs{label} {len(hits)}, in one copy group {sum(hits)} "
            f"(recall {recall})"
        )

    print(f"\ntop {args.top} blocks: articles, variants, id, canonical text")
    for block in blocks[: args.top]:
        print(f"  {block.articles:5d} {block.variants:4d}  {block.id}  {one_line(block.text, 90)}")

    sample = random.Random(args.seed).sample(copy_groups, min(args.groups, len(copy_groups)))
    print(f"\n{len(sample)} sampled copy groups (seed {args.seed})")
    for members in sample:
        print(f"  group of {len(members)}")
        for name in members[:6]:
            clean = corpus.article(name).clean_text
            print(f"    {name[:30]:30s} {one_line(clean, 80)}")
        if len(members) > 6:
            print(f"    ... and {len(members) - 6} more")
    print(flush=True)
    corpus.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "corpora",
        nargs="*",
        default=list(DEFAULT),
        help="file stems in --dir, or paths (default: all four)",
    )
    parser.add_argument("--dir", type=Path, default=CORPORA, help="folder of the corpora")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--top", type=int, default=15, help="blocks to list")
    parser.add_argument("--groups", type=int, default=8, help="copy groups to sample")
    parser.add_argument("--seed", type=int, default=0, help="seed of the copy-group sample")
    parser.add_argument(
        "--min-words",
        type=int,
        default=20,
        help="words an exact duplicate needs to count in the second recall line",
    )
    parser.add_argument("--keep", type=Path, help="keep the stores in this folder")
    args = parser.parse_args(argv)

    paths = [corpus_path(c, args.dir) for c in args.corpora]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such corpus: {', '.join(missing)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for path in paths:
            report(path, folder / (path.name.split(".")[0] + ".db"), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
