"""How far the effect of one article reaches: the connected components of the graph in which two
articles are linked when they share a passage (a cluster found in two or more articles).

    .venv/bin/python benchmarks/components.py INPUT [--name-field name]

An add that redid the analysis only for the articles a new one can affect would have to redo at
least the new article's component: copies, backgrounds and blocks are all decided from the
articles that share passages. Prints the number of components, the largest, and the share of
the corpus in the component of an article drawn at random (the sum of squared component sizes
over the squared corpus size).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from newscorpus import blocks, build, iter_inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("--name-field")
    args = parser.parse_args()

    found: dict[str, dict[int, list[int]]] = {}
    multi = blocks.Detector._multi_article_clusters

    def keep(self: blocks.Detector, occ_cluster: list) -> dict[int, list[int]]:
        found["clusters"] = multi(self, occ_cluster)
        return found["clusters"]

    blocks.Detector._multi_article_clusters = keep  # see what the build finds, as it finds it
    with tempfile.TemporaryDirectory() as tmp:
        docs = iter_inputs([args.input], name_field=args.name_field)
        n = len(build(docs, Path(tmp) / "store.db"))

    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for articles in found["clusters"].values():
        root = find(articles[0])
        for a in articles[1:]:
            other = find(a)
            if other != root:
                parent[other] = root
    sizes = sorted(Counter(find(a) for a in range(n)).values(), reverse=True)
    print(f"{args.input}: {n:,} articles, {len(sizes):,} components")
    print(f"largest: {sizes[:5]} ({sizes[0] / n:.1%} of the articles)")
    print(f"component of a random article: {sum(s * s for s in sizes) / n / n:.1%} of the articles")


if __name__ == "__main__":
    main()
