"""What one add changes, stage by stage, in the analysis of the articles already stored.

    .venv/bin/python benchmarks/add_changes.py STORE INPUT

Adds ``INPUT`` to a copy of ``STORE`` (in a temporary folder; ``STORE`` is left as it is),
then runs the analysis of the store before and after the add (the stored articles taken up
as an add takes them up, the stored LSH pairs kept) and compares the two stage by stage:
the clusters of passages, the articles carrying each, the backgrounds, which clusters make
one block, the copies, and each stored article's shared runs. Clusters are compared by
content (each is named by the smallest order key of its distinct units, and a cluster before
is matched with the cluster after that holds its units), articles by name.

It answers what an incremental analysis would have to redo: how many *decisions* an add
changes (a cluster becoming a background, blocks joining), against how many stored articles
carry a cluster that merely gained a carrier.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newscorpus import blocks  # noqa: E402
from newscorpus.blocks import Detector  # noqa: E402
from newscorpus.store import Corpus  # noqa: E402

build_module = importlib.import_module("newscorpus.build")


@attrs.define
class State:
    """The analysis of a store's articles, by content: clusters by the smallest order key of
    their distinct units, articles by name."""

    names: list[str]
    members: dict[int, frozenset[int]]  # clusters of two or more distinct units
    carriers: dict[int, frozenset[str]]  # clusters found in two or more articles
    backgrounds: set[int]
    openers: set[int]  # clusters that open different stories (`_openers`)
    copy_candidates: set[tuple[str, str]]  # pairs of articles whose ledes share a passage
    blocks: set[frozenset[int]]  # the background clusters each block joins
    duplicate_of: dict[str, str]
    groups: set[frozenset[str]]  # copy groups of two or more articles
    runs: dict[str, tuple]  # per article: (start, end, block id, variant) per shared run
    wordings: dict[str, tuple]  # per block id: its wordings with their counts


def analysed(store: Path) -> State:
    """Take up the articles of ``store`` as an add does and analyse them."""
    corpus = Corpus.open(store)
    settings = corpus.settings
    detector = Detector(settings, scratch=store.parent)
    # As an add: the texts stay in the store, read where the analysis asks for them, and the
    # stored shared segments give the runs found there again their texts.
    ids: list[int] = []
    detector.stored_texts = lambda articles: corpus.texts([ids[a] for a in articles])
    detector.read_wordings = corpus.wording_texts
    try:
        for batch, ready in build_module._replay(corpus, settings):
            detector.add(ready, [""] * len(batch.ids), batch.names, batch.dates, replayed=True)
            detector.stored_runs.extend(batch.shared_counts, *batch.shared)
            ids.extend(batch.ids)
        detector.known = corpus.verified()
        seen: dict[str, Any] = {}
        steps = ("_cluster_distinct", "_multi_article_clusters", "_copies", "_backgrounds")
        originals = {name: getattr(Detector, name) for name in (*steps, "_runs", "_lede_pairs")}
        openers = blocks._openers

        def keeping(name: str) -> Any:
            def kept(self: Detector, *args: Any, **kwargs: Any) -> Any:
                if name == "_runs":
                    seen["block_of"] = args[1].copy()
                seen[name] = originals[name](self, *args, **kwargs)
                return seen[name]

            return kept

        def keeping_openers(*args: Any) -> set[int]:
            seen["_openers"] = openers(*args)
            return seen["_openers"]

        for name in originals:
            setattr(Detector, name, keeping(name))
        blocks._openers = keeping_openers
        try:
            analysis = detector.analyse()
        finally:
            for name, original in originals.items():
                setattr(Detector, name, original)
            blocks._openers = openers
        return _by_content(detector, analysis, seen)
    finally:
        detector.close()
        corpus.close()


def _by_content(detector: Detector, analysis: Any, seen: dict[str, Any]) -> State:
    names = detector.names
    labels = seen["_cluster_distinct"]
    order = np.frombuffer(detector._distinct_order, dtype=np.uint64)
    by_label = np.argsort(labels, kind="stable")
    sorted_labels = labels[by_label]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_labels)])
    smallest = np.minimum.reduceat(order[by_label], starts) if len(starts) else starts
    name_of = dict(zip(sorted_labels[starts].tolist(), smallest.tolist()))
    carried = seen["_multi_article_clusters"]
    members = {
        name_of[label]: frozenset(order[by_label[lo : lo + k]].tolist())
        for label, lo, k in zip(sorted_labels[starts].tolist(), starts.tolist(), sizes.tolist())
        if k > 1 or label in carried
    }
    groups: dict[int, set[str]] = {}
    for a, g in enumerate(seen["_copies"][0]):
        groups.setdefault(g, set()).add(names[a])
    block_of = seen["block_of"]
    blocks: dict[int, set[int]] = {}
    for label in seen["_backgrounds"]:
        blocks.setdefault(int(block_of[label]), set()).add(name_of[label])
    ids = [b.id for b in analysis.blocks]
    return State(
        names=list(names),
        members=members,
        carriers={name_of[c]: frozenset(names[a] for a in arts) for c, arts in carried.items()},
        backgrounds={name_of[c] for c in seen["_backgrounds"]},
        openers={name_of[c] for c in seen["_openers"]},
        copy_candidates={tuple(sorted((names[x], names[y]))) for x, y in seen["_lede_pairs"]},
        blocks={frozenset(b) for b in blocks.values()},
        duplicate_of={
            names[a]: names[first] for a, first in enumerate(analysis.duplicate_of) if first >= 0
        },
        groups={frozenset(g) for g in groups.values() if len(g) > 1},
        runs={
            names[a]: tuple((s, e, ids[b], v) for s, e, b, v in analysis.runs_of(a))
            for a in range(len(names))
        },
        wordings={b.id: b.variants for b in analysis.blocks},
    )


def compare(before: State, after: State) -> list[tuple[str, str]]:
    """Rows of (what, how many) for the table."""
    old = set(before.names)
    new = set(after.names) - old
    # A cluster before is the cluster after that holds its units (units gone: none; a cluster
    # split in two: the one holding its smallest key).
    cluster_after = {key: c for c, keys in after.members.items() for key in keys}
    images: dict[int, set[int]] = {
        c: {cluster_after.get(key, key) for key in before.members.get(c, {c})}
        for c in set(before.members) | set(before.carriers)
    }
    image = {c: min(found) for c, found in images.items()}
    split = sum(1 for found in images.values() if len(found) > 1)
    joined = sum(1 for n in Counter(image.values()).values() if n > 1)
    changed = {
        image[c]: arts
        for c, arts in before.carriers.items()
        if after.carriers.get(image[c], frozenset()) != arts
    }
    gained_only = sum(
        1 for c, arts in changed.items() if after.carriers.get(c, frozenset()) - arts <= new
    )
    entries = sum(len(after.carriers.get(c, ())) for c in changed)
    shared_before = {image[c] for c in before.carriers}
    now_shared = [c for c in after.carriers if c not in shared_before]
    now_shared_old = sum(1 for c in now_shared if after.carriers[c] - new)
    touched = old & set().union(*(after.carriers.get(c, ()) for c in changed))
    backgrounds = {image.get(c, c) for c in before.backgrounds}
    openers = {image.get(c, c) for c in before.openers}
    stored_candidates = {p for p in after.copy_candidates if set(p) <= old}
    blocks = {frozenset(image.get(c, c) for c in b) for b in before.blocks}
    group_before = {name: g for g in before.groups for name in g}
    group_after = {name: g & old for g in after.groups for name in g if name in old}
    regrouped = sum(
        1 for name in old if group_before.get(name, {name}) != group_after.get(name, {name})
    )
    kinds: Counter = Counter()
    for name in old:
        was, now = before.runs[name], after.runs[name]
        if was == now:
            continue
        if [r[:2] for r in was] != [r[:2] for r in now]:
            kinds["spans"] += 1
        elif [r[2] for r in was] != [r[2] for r in now]:
            kinds["block ids"] += 1
        else:
            kinds["variant numbers only"] += 1
    total = sum(map(len, after.carriers.values()))
    return [
        ("stored articles", f"{len(old):,}"),
        ("new articles", f"{len(new):,}"),
        ("clusters before (of 2+ units or 2+ articles)", f"{len(images):,}"),
        ("  split by the add", f"{split:,}"),
        ("  joined with another by the add", f"{joined:,}"),
        (
            "clusters in 2+ articles, before / after",
            f"{len(before.carriers):,} / {len(after.carriers):,}",
        ),
        ("  whose articles changed", f"{len(changed):,}"),
        ("    of which only gained new articles", f"{gained_only:,}"),
        ("    their article entries now, of all", f"{entries:,} of {total:,}"),
        ("  found in 2+ articles only now", f"{len(now_shared):,}"),
        ("    of which a stored article carries", f"{now_shared_old:,}"),
        ("stored articles carrying a cluster whose articles changed", f"{len(touched):,}"),
        ("backgrounds before / after", f"{len(before.backgrounds):,} / {len(after.backgrounds):,}"),
        ("  no longer a background", f"{len(backgrounds - after.backgrounds):,}"),
        ("  a background only now", f"{len(after.backgrounds - backgrounds):,}"),
        (
            "clusters opening different stories, before / after",
            f"{len(openers):,} / {len(after.openers):,}",
        ),
        (
            "  no longer / only now",
            f"{len(openers - after.openers):,} / {len(after.openers - openers):,}",
        ),
        (
            "pairs of stored articles whose ledes share a passage: gone / new",
            f"{len(before.copy_candidates - stored_candidates):,} / "
            f"{len(stored_candidates - before.copy_candidates):,}",
        ),
        (
            "blocks (as sets of clusters) before / after",
            f"{len(before.blocks):,} / {len(after.blocks):,}",
        ),
        ("  of before, not after", f"{len(blocks - after.blocks):,}"),
        ("  of after, not before", f"{len(after.blocks - blocks):,}"),
        (
            "block ids gone / new",
            f"{len(before.wordings.keys() - after.wordings.keys()):,} / "
            f"{len(after.wordings.keys() - before.wordings.keys()):,}",
        ),
        (
            "blocks of the same id whose wordings or their counts changed",
            f"{sum(1 for b, w in after.wordings.items() if before.wordings.get(b, w) != w):,}",
        ),
        (
            "stored articles whose copy changed",
            f"{sum(1 for n in old if before.duplicate_of.get(n) != after.duplicate_of.get(n)):,}",
        ),
        ("stored articles whose stored fellow copies changed", f"{regrouped:,}"),
        ("stored articles whose shared runs changed", f"{sum(kinds.values()):,}"),
        *((f"  in {kind}", f"{n:,}") for kind, n in sorted(kinds.items())),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("input")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path(args.store).resolve().parent) as folder:
        copy = Path(folder) / "before.db"
        shutil.copyfile(args.store, copy)
        before = analysed(copy)
        build_module.add(copy, args.input).close()
        after = analysed(copy)
    print("| what | how many |")
    print("|---|---|")
    for what, n in compare(before, after):
        print(f"| {what.replace('  ', '&nbsp;&nbsp;')} | {n} |")


if __name__ == "__main__":
    main()
